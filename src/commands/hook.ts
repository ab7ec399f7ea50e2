// aibackend hook install|uninstall|run: a git pre-commit hook that validates the *staged* config
// (not the working tree) and checks that the staged generated file matches the staged sources.
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { CliError, EXIT } from '../util/errors.js';
import { hooksDir, indexContents, repoRoot, resolveCommit, stagedPaths } from '../git/git.js';
import type { ConfigPaths } from '../config/load/paths.js';
import { hookScope, touchesConfig } from '../git/hook-scope.js';
import type { HookInstallFlags, HookRunFlags, HookUninstallFlags } from '../cli/specs/hook.js';
import { print, report, type CommandContext } from './shared/context.js';

const MARK = '# aibackend-hook v1';
const PREV = 'pre-commit.aibackend-prev';

function hookScript(relConfig: string, diff = false): string {
  // The launcher that is running now; absolute, so that GUI git clients without a PATH work too.
  const bin = path.resolve(process.argv[1] ?? fileURLToPath(new URL('../../bin/aibackend.js', import.meta.url)));
  const q = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;
  return `#!/bin/sh
# Validates the staged config with aibackend before each commit.
# Installed by \`aibackend hook install\`; \`aibackend hook uninstall\` removes it.
${MARK}
hooks=$(dirname "$0")
if [ -x "$hooks/${PREV}" ]; then
  "$hooks/${PREV}" "$@" || exit $?
fi
node=${q(process.execPath)}
[ -x "$node" ] || node=node
exec "$node" ${q(bin)} --config-dir ${q(relConfig)} hook run${diff ? ' --diff' : ''}
`;
}

export async function install(ctx: CommandContext, opts: HookInstallFlags): Promise<number> {
  const root = await repoRoot(ctx.paths.cwd);
  const dir = await hooksDir(ctx.paths.cwd);
  const file = path.join(dir, 'pre-commit');
  const relConfig = path.relative(root, ctx.paths.configDir) || '.';
  const script = hookScript(relConfig, opts.diff);
  mkdirSync(dir, { recursive: true });
  let kept: string | undefined;
  if (existsSync(file)) {
    const current = readFileSync(file, 'utf8');
    if (current === script) {
      report(ctx, opts.json, { ok: true, action: 'unchanged', file }, `the aibackend pre-commit hook is already installed in ${file}`);
      return EXIT.ok;
    }
    if (!current.includes(MARK)) {
      if (!opts.force) {
        throw new CliError(
          `${file} already exists and was not installed by aibackend; rerun with --force to keep it and run it before aibackend's check`,
        );
      }
      if (existsSync(path.join(dir, PREV))) throw new CliError(`${path.join(dir, PREV)} already exists; move it away first`);
      renameSync(file, path.join(dir, PREV));
      kept = path.join(dir, PREV);
    }
  }
  writeFileSync(file, script);
  chmodSync(file, 0o755);
  const text = `${kept ? `kept the existing hook as ${PREV}; it runs first\n` : ''}installed the aibackend pre-commit hook in ${file} (validates ${relConfig}/ as staged)`;
  report(ctx, opts.json, { ok: true, action: 'installed', file, config_dir: relConfig, ...(kept ? { previous_hook: kept } : {}) }, text);
  return EXIT.ok;
}

export async function uninstall(ctx: CommandContext, opts: HookUninstallFlags): Promise<number> {
  const dir = await hooksDir(ctx.paths.cwd);
  const file = path.join(dir, 'pre-commit');
  if (!existsSync(file) || !readFileSync(file, 'utf8').includes(MARK)) {
    report(ctx, opts.json, { ok: true, action: 'unchanged', file }, `no aibackend pre-commit hook in ${dir}; nothing to do`);
    return EXIT.ok;
  }
  rmSync(file);
  const restored = existsSync(path.join(dir, PREV));
  if (restored) renameSync(path.join(dir, PREV), file);
  report(
    ctx,
    opts.json,
    { ok: true, action: 'removed', file, restored_previous: restored },
    restored ? 'removed the aibackend hook and restored the previous pre-commit hook' : `removed the aibackend pre-commit hook from ${dir}`,
  );
  return EXIT.ok;
}

/** The hook itself: nothing staged under config/ is a fast pass; otherwise validate the index. */
export async function run(ctx: CommandContext, opts: HookRunFlags): Promise<number> {
  const root = await repoRoot(ctx.paths.cwd);
  // Repository-relative, with '/' separators: the form git lists paths in.
  const scope = hookScope(root, ctx.paths.configDir, ctx.paths.projectDir);
  const { relConfig, relProject } = scope;
  if (!touchesConfig(scope, await stagedPaths(root))) {
    if (opts.json)
      print(
        ctx.stdout,
        JSON.stringify(
          { ok: true, errors: 0, warnings: 0, diagnostics: [], checks: [], skipped: 'nothing staged under the config directory' },
          null,
          2,
        ),
      );
    return EXIT.ok;
  }
  const compose = path.posix.join(relProject, 'docker-compose.yml');

  // Materialise the staged versions in a scratch project laid out like the repository.
  const scratch = mkdtempSync(path.join(tmpdir(), 'aibackend-hook-'));
  try {
    const wanted = ['providers.yaml', 'model-mappings.yaml', 'gateway.yaml', 'ports.yaml', 'litellm-unified.yaml'].map((f) =>
      path.posix.join(relConfig, f),
    );
    const first = await indexContents(root, [...wanted, compose]);
    // The generated files where the staged gateway.yaml puts them: its output, and the monitoring stack.
    const staged = await stagedSettings(first.get(wanted[2]!)?.toString('utf8'));
    const more = [staged.output, staged.monitoringDir]
      .filter((p): p is string => p !== undefined)
      .map((p) => path.posix.normalize(path.posix.join(relProject, p)))
      .filter((p) => !first.has(p) && !p.startsWith('..'));
    const blobs = more.length > 0 ? new Map([...first, ...(await indexContents(root, more))]) : first;
    for (const [file, content] of blobs) {
      const target = path.join(scratch, file);
      mkdirSync(path.dirname(target), { recursive: true });
      writeFileSync(target, content);
    }
    mkdirSync(path.join(scratch, relConfig), { recursive: true });
    const { validateAndReport } = await import('./shared/validation.js');
    const { resolvePaths } = await import('../config/load/paths.js');
    const stagedConfig = resolvePaths(relConfig || '.', scratch);
    const code = await validateAndReport(
      { ...ctx, paths: stagedConfig, ...(opts.json ? {} : { stdout: ctx.stderr, out: ctx.err }) },
      { format: opts.json ? 'json' : 'text', requireOutput: true },
    );
    if (code !== EXIT.ok)
      print(
        ctx.stderr,
        ctx.err.red(
          `commit blocked: fix the staged config above (the working tree may differ: this checked what \`git add\` staged), or bypass once with git commit --no-verify`,
        ),
      );
    else if (opts.diff && !opts.json) print(ctx.stderr, await stagedRoutingSummary(ctx, root, stagedConfig));
    return code;
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

/**
 * The staged gateway.yaml's output key and monitoring directory (when monitoring is on), or nothing
 * (defaults, or a file that does not parse).
 */
async function stagedSettings(gatewayYaml: string | undefined): Promise<{ output?: string; monitoringDir?: string }> {
  if (gatewayYaml === undefined) return {};
  const { parse } = await import('yaml');
  try {
    const data = parse(gatewayYaml, { uniqueKeys: false, logLevel: 'error' }) as {
      output?: unknown;
      monitoring?: { enabled?: unknown; dir?: unknown };
    } | null;
    const out = data?.output;
    const mon = data?.monitoring;
    return {
      ...(typeof out === 'string' ? { output: out } : {}),
      ...(mon?.enabled === true ? { monitoringDir: typeof mon.dir === 'string' ? mon.dir : 'monitoring' } : {}),
    };
  } catch {
    return {};
  }
}

/** `hook run --diff`: what the staged change does to routing against HEAD, short. */
async function stagedRoutingSummary(ctx: CommandContext, root: string, staged: ConfigPaths): Promise<string> {
  const { checkConfig } = await import('../config/check-config.js');
  const { routingModel } = await import('../routing/routing-model.js');
  const { compareWithRevision } = await import('../routing/routing-report.js');
  const { renderRoutingText } = await import('../render/routing-diff.js');
  const after = routingModel(checkConfig(staged, { env: ctx.env, unsetEnvSeverity: 'warning' }));
  if (!after) return '';
  const head = await resolveCommit(root, 'HEAD');
  return renderRoutingText(
    await compareWithRevision({
      root,
      rev: 'HEAD',
      ...(head ? { commit: head } : {}),
      paths: ctx.paths,
      env: ctx.env,
      after,
      head: 'the staged change',
    }),
    ctx.err,
    { short: true },
  );
}
