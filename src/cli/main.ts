// The CLI entry: parse flags with commander, load the one command asked for, map known errors to
// exit codes. Commands live in src/commands/, each loaded only when it runs.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { EXIT, CliError, UsageError } from '../util/errors.js';
import { configDirProblem, displayPath, findConfigDir, resolvePaths } from '../config/load/paths.js';
import { makeStyle, useColor } from '../render/style.js';
import type { CommandContext } from '../commands/context.js';
import type { PortsFlags, StatusFlags } from '../commands/ops.js';
import type { ReloadFlags } from '../commands/reload.js';
import { TOOL_VERSION } from '../util/version.js';

function context(program: Command, search = true): CommandContext {
  const g = program.opts<{ configDir: string; color: boolean; quiet?: boolean }>();
  const env = process.env;
  let paths = resolvePaths(g.configDir);
  // Without -C, run from anywhere inside the project: the nearest ancestor's config/ is used, and said.
  if (search && program.getOptionValueSource('configDir') === 'default' && !existsSync(path.join(paths.configDir, 'providers.yaml'))) {
    const found = findConfigDir(process.cwd());
    if (found && found !== paths.configDir) {
      paths = resolvePaths(found);
      if (!g.quiet)
        process.stderr.write(`aibackend: using ${displayPath(found, process.cwd())} (the nearest config/ above this directory)\n`);
    }
  }
  const problem = configDirProblem(paths.configDir);
  if (problem) throw new UsageError(problem);
  return {
    paths,
    env,
    quiet: Boolean(g.quiet),
    stdout: process.stdout,
    stderr: process.stderr,
    out: makeStyle(useColor(process.stdout, env, g.color)),
    err: makeStyle(useColor(process.stderr, env, g.color)),
  };
}

/**
 * A duration in seconds: `5`, `5s`, `1.5s` or `500ms`. Every --timeout means seconds; parsed here,
 * so that a bad value is a usage error (exit 2).
 */
export function seconds(v: string): number {
  const m = /^\s*(\d+(?:\.\d+)?|\.\d+)\s*(ms|s)?\s*$/.exec(v);
  const n = m ? Number(m[1]) / (m[2] === 'ms' ? 1000 : 1) : NaN;
  if (!Number.isFinite(n) || n <= 0)
    throw new InvalidArgumentError('expected a duration greater than 0: seconds (5, 1.5, 5s) or milliseconds (500ms)');
  return n;
}

function positiveInt(v: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('expected a whole number of at least 1');
  return n;
}

function concurrencyList(v: string): number[] {
  const list = v.split(',').map((x) => Number(x.trim()));
  if (list.length === 0 || list.some((n) => !Number.isInteger(n) || n < 1))
    throw new InvalidArgumentError('expected whole numbers of at least 1, comma-separated, e.g. 1,2,4,8');
  return list;
}

function fraction(v: string): number {
  const n = Number(v);
  if (!Number.isFinite(n) || n < 0 || n > 1) throw new InvalidArgumentError('expected a fraction between 0 and 1, e.g. 0.05');
  return n;
}

function portNumber(v: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1 || n > 65535) throw new InvalidArgumentError('expected a port number (1-65535)');
  return n;
}

export function buildProgram(): { program: Command; result: { code: number } } {
  const result = { code: EXIT.ok as number };
  const program = new Command('aibackend')
    .description('Validate config/ (provider registry and model routing), compile it into a LiteLLM gateway config, and apply it safely.')
    .version(TOOL_VERSION, '-V, --version', 'print the version')
    .option('-C, --config-dir <dir>', 'directory holding providers.yaml, model-mappings.yaml, gateway.yaml, ports.yaml', 'config')
    .option('--no-color', 'never colour the output (NO_COLOR=1 or FORCE_COLOR=0 do the same)')
    .option('-q, --quiet', 'print nothing on success (for hooks and CI); findings and failures are still printed')
    .showHelpAfterError('(run with --help for usage)')
    .showSuggestionAfterError(true)
    // Set before any subcommand is added, so that subcommands inherit them.
    .exitOverride()
    .configureOutput({ writeErr: (s) => process.stderr.write(s), writeOut: (s) => process.stdout.write(s) })
    .configureHelp({ sortSubcommands: false })
    .addHelpText(
      'after',
      `
Exit codes:
  0  success
  1  validation errors, drift (generate --check), or warnings under --strict
  2  usage error
  3  reload failed; the previous config was restored and is healthy
  4  reload failed and so did the rollback: the gateway needs a person
  5  another reload holds the lock

Examples:
  aibackend validate                 check config/ and the generated file
  aibackend validate --json          one JSON report on stdout, for CI
  aibackend generate                 write config/litellm-unified.yaml if it changed
  aibackend generate --check         exit 1 when the generated file is missing, stale or hand-edited
  aibackend explain coder            how one public name is routed, with its fallback order
  aibackend diff --base main         what a change does to routing, per public name
  aibackend reload --yes             apply to the running gateway, rolling back if it is unhealthy
  aibackend rollback                 go back to the previous config`,
    );

  const run =
    (fn: (ctx: CommandContext) => Promise<number>, search = true) =>
    async () => {
      result.code = await fn(context(program, search));
    };

  program
    .command('init')
    .description('write a starter config/ (providers, model mappings, gateway, ports) and docker-compose.yml from templates/')
    .option('--json', 'print the files written as JSON')
    .action((opts: { json?: boolean }) => run(async (ctx) => (await import('../commands/init.js')).init(ctx, opts), false)());

  program
    .command('validate')
    .description('check the sources and the generated file; writes nothing')
    .option('--json', 'print one JSON report on stdout (same as --format json)')
    .addOption(
      new Option('--format <format>', 'report format: text, json, github (workflow annotations) or sarif (2.1.0, code scanning)')
        .choices(['text', 'json', 'github', 'sarif'])
        .default('text'),
    )
    .option('--strict', 'fail on warnings too')
    .option(
      '--deep',
      'also load the compiled config into LiteLLM (its --validate_config; about 10 s), with an empty environment, in a private temp dir, without the settings that import Python; safe on untrusted pull requests',
    )
    .option(
      '--litellm <path>',
      "the LiteLLM executable --deep uses (default: $AIBACKEND_LITELLM, the virtualenv of scripts/setup-litellm.sh, then litellm on PATH outside the project; never the runtime's own command)",
    )
    .action((opts: { json?: boolean; format?: string; strict?: boolean; deep?: boolean; litellm?: string }) =>
      run(async (ctx) => (await import('../commands/validate.js')).validate(ctx, opts))(),
    );

  program
    .command('generate')
    .description('compile the sources into the LiteLLM config and write it atomically when it changed')
    .option('--check', 'write nothing; exit 1 when the file is missing, stale or hand-edited')
    .option('--stdout', 'print the compiled file instead of writing it')
    .option('--json', 'print the result as JSON (what was written or what differs, and the findings)')
    .action((opts: { check?: boolean; stdout?: boolean; json?: boolean }) =>
      run(async (ctx) => (await import('../commands/generate.js')).generate(ctx, opts))(),
    );

  program
    .command('explain')
    .description('show how a public name or alias is routed: routes, weights, providers, fallback order')
    .argument('[name]', 'public model name or alias (omit, or --list, to list them)')
    .option('--list', 'list every public name and alias')
    .option('--json', 'print the explanation as JSON')
    .action((name: string | undefined, opts: { json?: boolean; list?: boolean }) =>
      run(async (ctx) => (await import('../commands/explain.js')).explain(ctx, name, opts))(),
    );

  program
    .command('diff')
    .description(
      'what a change does to routing, per public name and alias: names added, removed and renamed, deployments, traffic shares, base_urls, fallback order, settings',
    )
    .option(
      '--base <rev>',
      'the git revision to compare with (default: HEAD when the sources differ from it, else the merge base with the default branch)',
    )
    .addOption(
      new Option('--format <format>', 'text, markdown (a PR comment or $GITHUB_STEP_SUMMARY) or json')
        .choices(['text', 'markdown', 'json'])
        .default('text'),
    )
    .option('--json', 'print the comparison as JSON (same as --format json)')
    .action((opts: { base?: string; json?: boolean; format?: string }) =>
      run(async (ctx) => (await import('../commands/diff.js')).diff(ctx, opts))(),
    );

  const reloadFlags = (cmd: Command) =>
    cmd
      .option('-y, --yes', 'do not ask for confirmation')
      .option('-f, --force', 'do not ask for confirmation (same as --yes)')
      .option('--dry-run', 'validate, diff and say what would happen; write and restart nothing')
      .option(
        '--timeout <seconds>',
        'how long to wait for the gateway to become healthy (default: health.timeout_s; a rollback always waits at least the last measured boot plus a margin)',
        seconds,
      )
      .option(
        '--break-lock',
        'take the lock even when its holder cannot be judged stale (a live process that is not aibackend, another host)',
      )
      .option('--json', 'print the result as one JSON object on stdout, on every exit path (progress goes to stderr)');

  reloadFlags(
    program
      .command('reload')
      .description('apply the sources to the running gateway: diff, back up, write, restart, probe, roll back on failure')
      .option('--validate-only', 'validate and show the diff, then stop')
      .option('--restart', 'restart even when the deployed config is identical'),
  )
    .addHelpText(
      'after',
      `
Before the old gateway is stopped, a pre-flight checks that the runtime exists, that gateway.url
and the runtime agree on the port, that no stranger holds the port, and that the target LiteLLM
loads the candidate (its own --validate_config, about 10 s). After the restart, the probe proves
that every compiled deployment (name, provider model, api_base) is served, by the process just
started. A change to the provenance header alone (a description, a comment) restarts nothing.

Exit codes: 0 applied (or nothing to do), 1 invalid config or pre-flight refused (nothing changed),
3 failed and rolled back (old config healthy), 4 failed and the rollback failed too, or an
interrupted run cannot be recovered safely (a person is needed), 5 another reload holds the lock.`,
    )
    .action((opts: ReloadFlags) => run(async (ctx) => (await import('../commands/reload.js')).reload(ctx, opts))());

  reloadFlags(
    program
      .command('rollback')
      .description('restore a backup (by default the previous config), restart and probe')
      .option('--to <backup>', 'backup file name, path or unique prefix (see `aibackend backups`)'),
  )
    .addHelpText(
      'after',
      '\nWorks while providers.yaml or model-mappings.yaml are broken: a rollback needs only gateway.yaml.\nAfter an interrupted reload, the recovery itself restores the last config that served; rollback stops there.',
    )
    .action((opts: ReloadFlags & { to?: string }) => run(async (ctx) => (await import('../commands/rollback.js')).rollback(ctx, opts))());

  program
    .command('recover')
    .description('finish an interrupted reload or rollback: restore its verified backup, restart, probe')
    .option(
      '--abandon',
      'record that a person has dealt with the interrupted run (when its backup is missing or altered); deploys and restarts nothing',
    )
    .option('--timeout <seconds>', 'how long to wait for the gateway to become healthy', seconds)
    .option('--break-lock', 'take the lock even when its holder cannot be judged stale')
    .option('--json', 'print the result as one JSON object on stdout')
    .action((opts: ReloadFlags & { abandon?: boolean }) =>
      run(async (ctx) => (await import('../commands/recover.js')).recover(ctx, opts))(),
    );

  program
    .command('backups')
    .description('list the backups of the deployed config: time, hash, size, which one is deployed')
    .option('--json', 'print the list as JSON')
    .action((opts: { json?: boolean }) => run(async (ctx) => (await import('../commands/backups.js')).backups(ctx, opts))());

  program
    .command('status')
    .description('probe the gateway and every active provider concurrently: up, served models against the registry')
    .option('--json', 'print { gateway, providers } as JSON')
    .option('--remote', 'also probe the hosted APIs (openai, anthropic)')
    .option('--timeout <duration>', 'per-request timeout: seconds, or 500ms', seconds, 2)
    .addHelpText('after', '\nExit 0 when every provider that a route uses is reachable and serves its routed models, 1 otherwise.')
    .action((opts: StatusFlags) => run(async (ctx) => (await import('../commands/ops.js')).statusCommand(ctx, opts))());

  program
    .command('discover')
    .description('show the change to providers.yaml that registers what providers serve but the registry lacks')
    .option('--write', 'apply it, keeping comments and formatting of everything else')
    .option('--json', 'print the additions and the diff as JSON')
    .option('--remote', 'also probe the hosted APIs (openai, anthropic)')
    .option('--timeout <duration>', 'per-request timeout: seconds, or 500ms', seconds, 2)
    .action((opts: StatusFlags & { write?: boolean }) =>
      run(async (ctx) => (await import('../commands/ops.js')).discoverCommand(ctx, opts))(),
    );

  program
    .command('ports')
    .description('the ports registry against this machine: what listens where, and by which process; never kills anything')
    .option('--required', 'only the ports marked required (exit 1 when one is not listening)')
    .option('--port <n>', 'only this port, registered or not', portNumber)
    .option('--json', 'print the report as JSON')
    .action((opts: PortsFlags) => run(async (ctx) => (await import('../commands/ops.js')).portsCommand(ctx, opts))());

  program
    .command('try')
    .description(
      'send one request through the gateway and show who answered: provider, backend model, route or fallback, timings, tokens, call id',
    )
    .argument('<name>', 'a public name or alias')
    .option('--prompt <text>', 'the message to send (embedding models embed it)')
    .option('--stream', 'stream the answer and measure the time to first token')
    .option('--json', 'print the result as JSON')
    .option('--timeout <duration>', 'request timeout: seconds, or 500ms', seconds, 120)
    .addHelpText(
      'after',
      "\nExit 0 when one of the name's own routes answered, 1 when a fallback or another deployment answered or the request failed.",
    )
    .action((name: string, opts: { prompt?: string; stream?: boolean; json?: boolean; timeout: number }) =>
      run(async (ctx) => (await import('../commands/operate.js')).tryCommand(ctx, name, opts))(),
    );

  program
    .command('verify')
    .description(
      'try every public name and alias: each must be answered by its own routes, and every route of a load-balanced name must answer',
    )
    .option('--requests <n>', 'requests per load-balanced name (names with one route get one)', positiveInt, 20)
    .option('--json', 'print the report as JSON')
    .option('--timeout <duration>', 'per-request timeout: seconds, or 500ms', seconds, 120)
    .addHelpText(
      'after',
      '\nExit 0 when the live gateway does what the sources say, 1 on any finding (a fallback answered, an unknown deployment, a failure, a route never reached).',
    )
    .action((opts: { json?: boolean; requests: number; timeout: number }) =>
      run(async (ctx) => (await import('../commands/operate.js')).verifyCommand(ctx, opts))(),
    );

  program
    .command('logs')
    .description("the gateway's log, wherever the runtime puts it, parsed and filtered")
    .option('-f, --follow', 'keep printing new lines (Ctrl-C ends)')
    .addOption(
      new Option('--level <level>', 'only lines at this level or above').choices(['debug', 'info', 'warning', 'error', 'critical']),
    )
    .option('--grep <text>', 'only lines containing this text (case-insensitive)')
    .option('--call-id <id>', 'only the lines of one request (the call id `aibackend try` prints)')
    .option('--since <duration>', 'only lines from the last 30s, 10m, 2h, 1d')
    .option('--json', 'print { source, lines } as JSON (with --follow: one JSON object a line)')
    .action((opts: import('../commands/operate.js').LogsFlags) =>
      run(async (ctx) => (await import('../commands/operate.js')).logsCommand(ctx, opts))(),
    );

  program
    .command('stats')
    .description(
      "live figures from two reads of the gateway's /metrics/: per public name requests, errors, latency, time to first token, tokens; cache; deployments",
    )
    .option('--interval <duration>', 'time between the two reads: seconds, or 500ms', seconds, 5)
    .option('--watch <duration>', 'refresh every so often until Ctrl-C', seconds)
    .option('--json', 'print the figures as JSON (with --watch: one object a line)')
    .option('--timeout <duration>', 'per-request timeout: seconds, or 500ms', seconds, 5)
    .action((opts: { json?: boolean; watch?: number; interval: number; timeout: number }) =>
      run(async (ctx) => (await import('../commands/operate.js')).statsCommand(ctx, opts))(),
    );

  const common = (c: Command) =>
    c
      .option('--stream', 'stream the answers (measures time to first token and inter-token latency)')
      .option('--max-tokens <n>', 'max_tokens of each request', positiveInt, 128)
      .option('--prompt-tokens <n>', 'about this many tokens in each prompt', positiveInt, 32)
      .option('--json [file]', 'print the figures as JSON, or write them to FILE')
      .option('--timeout <duration>', 'deadline for each whole request (not an idle timeout): seconds, or 500ms', seconds, 300);
  common(
    program
      .command('bench')
      .description(
        'latency and throughput per public name through the gateway: TTFT, inter-token latency, end-to-end latency, tokens/s, requests/s, p50/p95/p99, over a concurrency sweep',
      )
      .argument('[names...]', 'public names or aliases (default: every chat public name)')
      .option('--concurrency <list>', 'concurrency levels, e.g. 1,2,4,8', concurrencyList, [1, 2, 4, 8])
      .option('--requests <n>', 'requests per level (default: 5 per concurrent user, at least 20)', positiveInt)
      .option('--duration <duration>', 'seconds per level, instead of --requests', seconds)
      .option('--compare', "also send the same requests to each route's provider directly and report the gateway's overhead")
      .option(
        '--baseline <file>',
        'compare with the JSON of an earlier run; exit 1 when p95 rose, successful throughput fell, or the error rate rose',
      )
      .option('--threshold <fraction>', 'how much worse p95 or throughput counts as a regression', fraction, 0.2)
      .option(
        '--max-error-rate <fraction>',
        "a level failing more than this fails the run (with --baseline, an error rate more than one point above the baseline's is a regression too)",
        fraction,
        0.01,
      ),
  )
    .addHelpText(
      'after',
      '\nEvery prompt is unique to its run; answers from the response cache are counted apart. requests/s counts\nsuccessful answers only. Exit 0, or 1 when a level answered nothing, failed more than --max-error-rate,\nor a figure regressed against --baseline.',
    )
    .action((names: string[], opts: import('../commands/loadtest.js').BenchFlags) =>
      run(async (ctx) => (await import('../commands/loadtest.js')).benchCommand(ctx, names, opts))(),
    );
  common(
    program
      .command('load')
      .description(
        "a load test through the gateway: smoke, load, stress or spike over the registry's public names, with thresholds and an HTML report",
      )
      .argument('[dir]', 'with --emit: the directory to write the Locust or k6 file into')
      .addOption(
        new Option(
          '--scenario <name>',
          'smoke (5 users, 30 s), load (20 users, ramp-up, 5 min), stress (200 users, 5 min), spike (10 users, 10x for a fifth of 2 min)',
        )
          .choices(['smoke', 'load', 'stress', 'spike'])
          .default('smoke'),
      )
      .option('--users <n>', 'users at the peak (spike: before the spike)', positiveInt)
      .option('--duration <duration>', 'seconds', seconds)
      .option('--mix <weights>', 'traffic mix, e.g. chat=60,coder=25,llama2-13b=15 (default: every chat public name equally)')
      .option('--report <file>', 'write a self-contained HTML report with charts')
      .addOption(
        new Option('--emit <tool>', 'write a Locust file or k6 script for the same scenario and mix into DIR instead of running').choices([
          'locust',
          'k6',
        ]),
      )
      .option('--max-error-rate <fraction>', 'threshold (default: monitoring.alerts.error_rate)', fraction)
      .option('--max-p95 <duration>', 'threshold in seconds (default: monitoring.alerts.p95_latency_s)', seconds),
  )
    .addHelpText('after', '\nExit 0 when the thresholds hold, 1 when the error rate or p95 is above them.')
    .action((dir: string | undefined, opts: import('../commands/loadtest.js').LoadFlags) =>
      run(async (ctx) => (await import('../commands/loadtest.js')).loadCommand(ctx, dir, opts))(),
    );

  const cache = program.command('cache').description("the gateway's Redis response cache, confined to its namespace (never FLUSHALL)");
  const cacheAction = (action: 'stats' | 'keys' | 'watch' | 'flush') => (opts: import('../commands/operate.js').CacheFlags) =>
    run(async (ctx) => (await import('../commands/operate.js')).cacheCommand(ctx, action, opts))();
  const timeoutOpt = () => new Option('--timeout <duration>', 'connect timeout: seconds, or 500ms').argParser(seconds).default(5);
  cache
    .command('stats')
    .description("cache entries in the namespace, their expiry, Redis memory and hit rate, the gateway's cache hits")
    .option('--json', 'print as JSON')
    .addOption(timeoutOpt())
    .action(cacheAction('stats'));
  cache
    .command('keys')
    .description("list the namespace's cache entries with their expiry (SCAN, never KEYS)")
    .option('--pattern <glob>', 'within the namespace, e.g. "a*"')
    .option('--limit <n>', 'at most this many', positiveInt, 50)
    .option('--json', 'print as JSON')
    .addOption(timeoutOpt())
    .action(cacheAction('keys'));
  cache
    .command('watch')
    .description('cache stats, refreshed in place until Ctrl-C')
    .option('--interval <duration>', 'refresh interval', seconds, 2)
    .option('--json', 'one JSON object a line')
    .addOption(timeoutOpt())
    .action(cacheAction('watch'));
  cache
    .command('flush')
    .description(
      "delete the namespace's cache entries in batches, after showing the count and asking; router state and other keys are never touched",
    )
    .option('--yes', 'do not ask (required without a terminal)')
    .option('--dry-run', 'count the keys, delete nothing')
    .option('--json', 'print the result as JSON')
    .addOption(timeoutOpt())
    .action(cacheAction('flush'));

  const hook = program.command('hook').description('git pre-commit hook that validates the staged config');
  hook
    .command('install')
    .description('install the pre-commit hook (honours core.hooksPath; --force keeps an existing hook and runs it first)')
    .option('--force', 'install even when another pre-commit hook exists (it is kept and chained)')
    .option('--diff', 'the hook also prints what the staged change does to routing (hook run --diff)')
    .option('--json', 'print the result as JSON')
    .action((opts: { force?: boolean; json?: boolean; diff?: boolean }) =>
      run(async (ctx) => (await import('../commands/hook.js')).hookInstall(ctx, opts))(),
    );
  hook
    .command('uninstall')
    .description('remove the pre-commit hook and restore the one it replaced')
    .option('--json', 'print the result as JSON')
    .action((opts: { json?: boolean }) => run(async (ctx) => (await import('../commands/hook.js')).hookUninstall(ctx, opts))());
  hook
    .command('run')
    .description('what the hook runs: validate the staged sources and the staged generated file')
    .option('--json', 'print the validate report of the staged config as JSON')
    .option('--diff', 'when the staged config is valid, also print what it changes in routing against HEAD, short')
    .action((opts: { json?: boolean; diff?: boolean }) => run(async (ctx) => (await import('../commands/hook.js')).hookRun(ctx, opts))());

  program
    .command('completion')
    .description('print a shell completion script: bash, zsh or fish')
    .argument('<shell>', 'bash, zsh or fish')
    .addHelpText(
      'after',
      `
Install:
  bash: aibackend completion bash > ~/.local/share/bash-completion/completions/aibackend
  zsh:  aibackend completion zsh > "\${fpath[1]}/_aibackend"
  fish: aibackend completion fish > ~/.config/fish/completions/aibackend.fish`,
    )
    .action((shell: string) =>
      run(async (ctx) => {
        if (shell !== 'bash' && shell !== 'zsh' && shell !== 'fish')
          throw new UsageError(`unknown shell '${shell}'; expected bash, zsh or fish`);
        const { renderCompletion } = await import('./completion.js');
        ctx.stdout.write(renderCompletion(shell, specOf(program)));
        return EXIT.ok;
      }, false)(),
    );

  return { program, result };
}

/** The command tree as completion scripts need it. */
function specOf(c: Command): import('./completion.js').CommandSpec {
  return {
    name: c.name(),
    description: c.description(),
    options: c.options.map((o) => ({
      flags: [o.short, o.long].filter((f): f is string => Boolean(f)),
      description: o.description,
      ...(o.argChoices ? { values: o.argChoices } : {}),
    })),
    subcommands: c.commands.filter((s) => s.name() !== 'help').map(specOf),
  };
}

/** The first word of argv that is not an option or an option's value: the command asked for. */
function commandWord(argv: string[]): string | undefined {
  for (let i = 2; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--') return argv[i + 1];
    if (a === '-C' || a === '--config-dir') i++;
    else if (!a.startsWith('-')) return a;
  }
  return undefined;
}

export async function main(argv: string[]): Promise<number> {
  const { program, result } = buildProgram();
  // Under --json every exit path prints one JSON object on stdout; a command that did not print
  // its own result ended in one of the errors below, which print this one (schemas/output/error.schema.json).
  const json = argv.slice(2).includes('--json');
  const fail = (code: number, message: string, kind: 'usage' | 'error' | 'internal') => {
    if (json) process.stdout.write(`${JSON.stringify({ ok: false, exit_code: code, error: { kind, message } }, null, 2)}\n`);
    return code;
  };
  // `aibackend nosuchcommand --help` is a mistake, not a request for the main help.
  const word = commandWord(argv);
  if (word !== undefined && word !== 'help' && !program.commands.some((c) => c.name() === word || c.aliases().includes(word))) {
    const names = program.commands.map((c) => c.name());
    const { Suggester } = await import('../util/suggest.js');
    const close = new Suggester(names).suggest(word);
    const message = `unknown command '${word}'${close ? `; did you mean '${close}'?` : ''} (commands: ${names.join(', ')})`;
    process.stderr.write(`aibackend: ${message}\n`);
    return fail(EXIT.usage, message, 'usage');
  }
  try {
    await program.parseAsync(argv);
    return result.code;
  } catch (err) {
    if (err instanceof CommanderError) {
      // --help and --version end through here with exit code 0; commander already said what was wrong.
      return err.exitCode === 0 ? EXIT.ok : fail(EXIT.usage, err.message.replace(/^error: /, ''), 'usage');
    }
    if (err instanceof CliError) {
      process.stderr.write(`aibackend: ${err.message}\n`);
      return fail(err.exitCode, err.message, err.exitCode === EXIT.usage ? 'usage' : 'error');
    }
    const e = err as Error;
    process.stderr.write(`aibackend: internal error: ${e?.message ?? String(err)}\n`);
    if (process.env.AIBACKEND_DEBUG) process.stderr.write(`${e?.stack ?? ''}\n`);
    else process.stderr.write('(set AIBACKEND_DEBUG=1 for a stack trace, and please report it)\n');
    return fail(EXIT.failed, `internal error: ${e?.message ?? String(err)}`, 'internal');
  }
}

// A closed stdout (`aibackend validate --help | head -3`) ends the process quietly, as Unix tools do.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw err;
  });
}

/**
 * Once the command is done and nothing is left to wait for but V8's background work (compile and
 * GC jobs that Node drains before exiting: 5-15 ms after a validate), exit. Only when stdout and
 * stderr have nothing buffered (where stdio is asynchronous, a pending write is never cut off) and
 * no handle, child, socket or timer is still active: a command that left work running keeps the
 * normal ending.
 */
function exitWhenIdle(): void {
  setImmediate(() => {
    const busy = process.getActiveResourcesInfo().some((r) => r !== 'TTYWrap' && r !== 'PipeWrap');
    if (!busy && process.stdout.writableLength === 0 && process.stderr.writableLength === 0) process.exit();
  });
}

const started = process.hrtime.bigint();
main(process.argv).then(
  (code) => {
    process.exitCode = code;
    // For bench/: wall time and peak memory of this run, on stderr, only when asked.
    if (process.env.AIBACKEND_STATS) {
      process.stderr.write(
        `aibackend-stats: ms=${(Number(process.hrtime.bigint() - started) / 1e6).toFixed(1)} maxrss_kb=${process.resourceUsage().maxRSS}\n`,
      );
    }
    exitWhenIdle();
  },
  () => {
    process.exitCode = EXIT.failed;
  },
);
