// The command tree: global flags, the main help, and each command's spec (src/cli/specs/) wired
// to its module in src/commands/, which is loaded only when that command runs.
import { Command, type CommandUnknownOpts, type OptionValues } from '@commander-js/extra-typings';
import type { CommandContext } from '../commands/shared/context.js';
import { EXIT, UsageError } from '../util/errors.js';
import { TOOL_VERSION } from '../util/version.js';
import { commandContext } from './context.js';
import { benchSpec, loadSpec } from './specs/bench.js';
import { diffSpec, explainSpec, generateSpec, initSpec, validateSpec } from './specs/config.js';
import { backupsSpec, recoverSpec, reloadSpec, rollbackSpec, superviseSpec } from './specs/deploy.js';
import { completionSpec, hookInstallSpec, hookRunSpec, hookUninstallSpec } from './specs/hook.js';
import {
  cacheFlushSpec,
  cacheKeysSpec,
  cacheStatsSpec,
  cacheWatchSpec,
  discoverSpec,
  logsSpec,
  portsSpec,
  requestsSpec,
  statsSpec,
  statusSpec,
  traceSpec,
  trySpec,
  verifySpec,
} from './specs/operate.js';

const MAIN_HELP = `
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
  aibackend rollback                 go back to the previous config
  aibackend trace CALL_ID            one request's story by the x-litellm-call-id its client saw (tracing on)
  aibackend requests --summary       error rate, latency, usage and fallbacks over the last 15 minutes`;

/** A command's module function: the context, the command's arguments, its flags; resolves to the exit code. */
type Action<A extends unknown[], O> = (ctx: CommandContext, ...args: [...A, O]) => Promise<number>;

export function buildProgram(): { program: CommandUnknownOpts; result: { code: number } } {
  const result = { code: EXIT.ok as number };
  const program = new Command('aibackend')
    .description('Validate config/ (provider registry and model routing), compile it into a LiteLLM gateway config, and apply it safely.')
    .version(TOOL_VERSION, '-V, --version', 'print the version')
    .option('-C, --config-dir <dir>', 'directory holding providers.yaml, model-mappings.yaml, gateway.yaml, ports.yaml', 'config')
    .option('--no-color', 'never colour the output (NO_COLOR=1 or FORCE_COLOR=0 do the same)')
    .option('-q, --quiet', 'print nothing on success (for hooks and CI); findings and failures are still printed')
    .showHelpAfterError('(run with --help for usage)')
    .showSuggestionAfterError(true)
    .exitOverride()
    .configureOutput({ writeErr: (s) => process.stderr.write(s), writeOut: (s) => process.stdout.write(s) })
    .configureHelp({ sortSubcommands: false })
    .addHelpText('after', MAIN_HELP);

  const context = (search: boolean) =>
    commandContext({ ...program.opts(), configDirSource: program.getOptionValueSource('configDir') }, search);

  /** Add `cmd` under `parent` with the program's settings; its module is imported when it runs. */
  function lazy<A extends unknown[], O extends OptionValues>(
    parent: Command<unknown[], OptionValues>,
    cmd: Command<A, O>,
    load: () => Promise<Action<A, O>>,
    search = true,
  ): void {
    cmd.copyInheritedSettings(parent).action(async (...given) => {
      const args = given.slice(0, -1) as [...A, O];
      const run = await load();
      result.code = await run(context(search), ...args);
    });
    parent.addCommand(cmd);
  }
  /** A command with subcommands of its own. */
  function group(name: string, description: string): Command<unknown[], OptionValues> {
    const cmd = new Command(name).description(description).copyInheritedSettings(program);
    program.addCommand(cmd);
    return cmd;
  }

  const root = program as unknown as Command<unknown[], OptionValues>;
  lazy(root, initSpec(), async () => (await import('../commands/init.js')).run, false);
  lazy(root, validateSpec(), async () => (await import('../commands/validate.js')).run);
  lazy(root, generateSpec(), async () => (await import('../commands/generate.js')).run);
  lazy(root, explainSpec(), async () => (await import('../commands/explain.js')).run);
  lazy(root, diffSpec(), async () => (await import('../commands/diff.js')).run);
  lazy(root, reloadSpec(), async () => (await import('../commands/reload.js')).run);
  lazy(root, rollbackSpec(), async () => (await import('../commands/rollback.js')).run);
  lazy(root, recoverSpec(), async () => (await import('../commands/recover.js')).run);
  lazy(root, superviseSpec(), async () => (await import('../commands/supervise.js')).run);
  lazy(root, backupsSpec(), async () => (await import('../commands/backups.js')).run);
  lazy(root, statusSpec(), async () => (await import('../commands/status.js')).run);
  lazy(root, discoverSpec(), async () => (await import('../commands/discover.js')).run);
  lazy(root, portsSpec(), async () => (await import('../commands/ports.js')).run);
  lazy(root, trySpec(), async () => (await import('../commands/try.js')).run);
  lazy(root, verifySpec(), async () => (await import('../commands/verify.js')).run);
  lazy(root, logsSpec(), async () => (await import('../commands/logs.js')).run);
  lazy(root, statsSpec(), async () => (await import('../commands/stats.js')).run);
  lazy(root, requestsSpec(), async () => (await import('../commands/requests.js')).run);
  lazy(root, traceSpec(), async () => (await import('../commands/trace.js')).run);
  lazy(root, benchSpec(), async () => (await import('../commands/bench.js')).run);
  lazy(root, loadSpec(), async () => (await import('../commands/load.js')).run);

  const cache = group('cache', "the gateway's Redis response cache, confined to its namespace (never FLUSHALL)");
  lazy(cache, cacheStatsSpec(), async () => (await import('../commands/cache.js')).stats);
  lazy(cache, cacheKeysSpec(), async () => (await import('../commands/cache.js')).keys);
  lazy(cache, cacheWatchSpec(), async () => (await import('../commands/cache.js')).watch);
  lazy(cache, cacheFlushSpec(), async () => (await import('../commands/cache.js')).flush);

  const hook = group('hook', 'git pre-commit hook that validates the staged config');
  lazy(hook, hookInstallSpec(), async () => (await import('../commands/hook.js')).install);
  lazy(hook, hookUninstallSpec(), async () => (await import('../commands/hook.js')).uninstall);
  lazy(hook, hookRunSpec(), async () => (await import('../commands/hook.js')).run);

  lazy(
    root,
    completionSpec(),
    async () => async (ctx, shell) => {
      if (shell !== 'bash' && shell !== 'zsh' && shell !== 'fish')
        throw new UsageError(`unknown shell '${shell}'; expected bash, zsh or fish`);
      const { renderCompletion, commandTree } = await import('./completion.js');
      ctx.stdout.write(renderCompletion(shell, commandTree(program)));
      return EXIT.ok;
    },
    false,
  );
  return { program: root, result };
}
