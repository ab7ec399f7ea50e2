// aibackend hook install|uninstall|run: a git pre-commit hook that validates the *staged* config
// (not the working tree) and checks that the staged generated file matches the staged sources.
import type { HookInstallFlags, HookRunFlags, HookUninstallFlags } from '../cli/specs/hook.js';
import type { ConfigPaths } from '../config/load/paths.js';
import { repoRoot, resolveCommit, stagedPaths } from '../git/git.js';
import { installHook, PREVIOUS_HOOK, uninstallHook } from '../git/hook-install.js';
import { hookScope, touchesConfig } from '../git/hook-scope.js';
import { materializeStaged } from '../git/staged.js';
import { EXIT } from '../util/errors.js';
import { print, report, type CommandContext } from './shared/context.js';

export async function install(ctx: CommandContext, opts: HookInstallFlags): Promise<number> {
  const r = await installHook(ctx.paths.cwd, ctx.paths.configDir, opts);
  if (r.action === 'unchanged') {
    report(
      ctx,
      opts.json,
      { ok: true, action: 'unchanged', file: r.file },
      `the aibackend pre-commit hook is already installed in ${r.file}`,
    );
    return EXIT.ok;
  }
  const text = `${r.kept ? `kept the existing hook as ${PREVIOUS_HOOK}; it runs first\n` : ''}installed the aibackend pre-commit hook in ${r.file} (validates ${r.configDir}/ as staged)`;
  report(
    ctx,
    opts.json,
    { ok: true, action: 'installed', file: r.file, config_dir: r.configDir, ...(r.kept ? { previous_hook: r.kept } : {}) },
    text,
  );
  return EXIT.ok;
}

export async function uninstall(ctx: CommandContext, opts: HookUninstallFlags): Promise<number> {
  const r = await uninstallHook(ctx.paths.cwd);
  if (r.action === 'unchanged') {
    report(ctx, opts.json, { ok: true, action: 'unchanged', file: r.file }, `no aibackend pre-commit hook in ${r.dir}; nothing to do`);
    return EXIT.ok;
  }
  report(
    ctx,
    opts.json,
    { ok: true, action: 'removed', file: r.file, restored_previous: r.restored },
    r.restored
      ? 'removed the aibackend hook and restored the previous pre-commit hook'
      : `removed the aibackend pre-commit hook from ${r.dir}`,
  );
  return EXIT.ok;
}

/** The hook itself: nothing staged under config/ is a fast pass; otherwise validate the index. */
export async function run(ctx: CommandContext, opts: HookRunFlags): Promise<number> {
  const root = await repoRoot(ctx.paths.cwd);
  const scope = hookScope(root, ctx.paths.configDir, ctx.paths.projectDir);
  if (!touchesConfig(scope, await stagedPaths(root))) {
    const skipped = { ok: true, errors: 0, warnings: 0, diagnostics: [], checks: [], skipped: 'nothing staged under the config directory' };
    if (opts.json) print(ctx.stdout, JSON.stringify(skipped, null, 2));
    return EXIT.ok;
  }
  const staged = await materializeStaged(root, scope);
  try {
    const { validateAndReport } = await import('./shared/validation.js');
    const code = await validateAndReport(
      { ...ctx, paths: staged.paths, ...(opts.json ? {} : { stdout: ctx.stderr, out: ctx.err }) },
      { format: opts.json ? 'json' : 'text', requireOutput: true },
    );
    if (code !== EXIT.ok)
      print(
        ctx.stderr,
        ctx.err.red(
          `commit blocked: fix the staged config above (the working tree may differ: this checked what \`git add\` staged), or bypass once with git commit --no-verify`,
        ),
      );
    else if (opts.diff && !opts.json) print(ctx.stderr, await stagedRoutingSummary(ctx, root, staged.paths));
    return code;
  } finally {
    staged.remove();
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
