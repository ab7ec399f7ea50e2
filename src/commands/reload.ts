// aibackend reload: bring the running gateway to what the sources say, never leaving it broken.
import path from 'node:path';
import { createInterface } from 'node:readline/promises';
import { HAPROXY_FILE } from '../deploy/rolling/haproxy.js';
import { checkConfig } from '../config/check-config.js';
import { EXIT } from '../util/errors.js';
import { renderDiff, renderReload } from '../render/reload-text.js';
import { userFailure } from '../deploy/operation.js';
import { runReload, statePaths, type ReloadOptions, type ReloadResult, type TransactionContext } from '../deploy/transaction.js';
import { makeRuntime } from '../deploy/runtimes.js';
import { print, progress, type CommandContext } from './context.js';
import { reportDiagnostics } from './generate.js';
import { syncGenerated } from '../config/generated-files.js';
import { generatedStatus } from '../config/output-status.js';

export interface ReloadFlags extends ReloadOptions {
  json?: boolean;
  /** --timeout, in seconds (the CLI parses it). */
  timeout?: number;
}

export async function reload(ctx: CommandContext, flags: ReloadFlags): Promise<number> {
  const tx = prepare(ctx, flags, 'reload');
  if (typeof tx === 'number') return tx;
  // Replicas: the load balancer's config must be on disk before the roll may start HAProxy.
  if (!flags.dryRun && !flags.validateOnly) {
    const checked = checkConfig(ctx.paths, { env: ctx.env, unsetEnvSeverity: 'error' });
    const lb = generatedStatus(checked).filter((g) => g.file.group === 'load_balancer' && g.state !== 'up-to-date');
    if (lb.length > 0) {
      syncGenerated(checked, lb);
      tx.progress(`wrote the load balancer's config ${lb[0]!.file.display}`);
    }
  }
  const code = await settle(ctx, flags, tx, 'reload', () => runReload(tx, { ...flags, ...timeoutOf(flags) }));
  // The gateway now serves these sources: the other generated files follow them.
  if (code === EXIT.ok && !flags.dryRun && !flags.validateOnly) {
    const checked = checkConfig(ctx.paths, { env: ctx.env, unsetEnvSeverity: 'error' });
    if (checked.generated) {
      const { written } = syncGenerated(checked);
      if (written.some((w) => w.file.group === 'monitoring'))
        tx.progress(
          `updated ${written.filter((w) => w.file.group === 'monitoring').length} monitoring file(s) (reload Prometheus to read them: POST /-/reload, or restart it)`,
        );
      if (written.some((w) => w.file.group === 'load_balancer'))
        tx.progress(`updated the load balancer's ${written.find((w) => w.file.group === 'load_balancer')!.file.display}`);
    }
  }
  return code;
}

/**
 * Runs a transaction and prints its one result: an error the person can act on (a held lock, a
 * full disk, a permission) is a result with its exit code too, on stdout as JSON under --json.
 */
export async function settle(
  ctx: CommandContext,
  flags: { json?: boolean },
  tx: TransactionContext,
  operation: ReloadResult['operation'],
  run: () => Promise<ReloadResult>,
): Promise<number> {
  let r: ReloadResult;
  try {
    r = await run();
  } catch (err) {
    const failure = userFailure(err, operation, undefined, statePaths(tx));
    if (!failure) throw err;
    r = failure;
  }
  // A held lock or an error of the machine is not a result people pipe: text goes to stderr.
  if (flags.json) print(ctx.stdout, JSON.stringify(r, null, 2));
  else if (r.status === 'locked' || r.status === 'error') print(ctx.stderr, renderReload(r, ctx.err, false));
  else if (!(ctx.quiet && r.exit_code === 0)) print(ctx.stdout, renderReload(r, ctx.out, !tx.confirm || r.status === 'validated'));
  return r.exit_code;
}

/**
 * The transaction's context. A reload needs sources that compile (unset env: variables are errors
 * here). A restore (rollback, recover) deploys a backup: it needs only gateway.yaml's runtime, and
 * says what it did not check when the other sources are broken.
 */
export function prepare(ctx: CommandContext, flags: { json?: boolean }, mode: 'reload' | 'restore'): TransactionContext | number {
  const checked = checkConfig(ctx.paths, { env: ctx.env, unsetEnvSeverity: mode === 'reload' ? 'error' : 'warning' });
  const gatewayBroken = checked.diagnostics.some((d) => d.severity === 'error' && d.file.endsWith('gateway.yaml'));
  const usable =
    mode === 'reload'
      ? Boolean(checked.compiled && checked.loaded.gateway)
      : Boolean(checked.loaded.gateway && !gatewayBroken && checked.outputUsable);
  if (!usable || !checked.loaded.gateway) {
    reportDiagnostics(ctx, checked);
    const message =
      mode === 'reload'
        ? `nothing changed: the config has ${checked.errors} error${checked.errors === 1 ? '' : 's'}`
        : 'nothing changed: gateway.yaml (the runtime, the output path, the backups) must be valid to restore a backup';
    if (flags.json)
      print(
        ctx.stdout,
        JSON.stringify(
          {
            operation: mode === 'reload' ? 'reload' : 'rollback',
            status: 'invalid',
            exit_code: EXIT.failed,
            message,
            errors: checked.errors,
          },
          null,
          2,
        ),
      );
    else print(ctx.stderr, `${ctx.err.red('✖')} ${message}`);
    return EXIT.failed;
  }
  if (checked.diagnostics.length > 0) reportDiagnostics(ctx, checked);
  const gateway = checked.loaded.gateway;
  const interactive = Boolean(process.stdin.isTTY && ctx.stderr.isTTY);
  const broken = [...new Set(checked.diagnostics.filter((d) => d.severity === 'error').map((d) => d.file))];
  return {
    ...(mode === 'reload' ? { candidate: checked.compiled!.text } : {}),
    ...(mode === 'restore' && checked.errors > 0
      ? {
          skipped: `the sources have ${checked.errors} error${checked.errors === 1 ? '' : 's'} (in ${broken.join(', ')}); they were not needed: a restore deploys a backup that served before, and checks only gateway.yaml`,
        }
      : {}),
    deployedPath: checked.outputPath,
    projectDir: checked.loaded.paths.projectDir,
    gateway,
    runtime: makeRuntime(gateway.runtime, checked.loaded.paths.projectDir, ctx.env, {
      gateway,
      lbConfig: path.join(path.dirname(checked.outputPath), HAPROXY_FILE),
      progress: progress(ctx),
    }),
    env: ctx.env,
    command: ['aibackend', ...process.argv.slice(2)].join(' '),
    progress: progress(ctx),
    ...(interactive ? { confirm: (q: string, diff: string | undefined) => ask(ctx, q, diff) } : {}),
  };
}

export function timeoutOf(flags: { timeout?: number }): { timeoutS?: number } {
  return flags.timeout === undefined ? {} : { timeoutS: flags.timeout };
}

async function ask(ctx: CommandContext, question: string, diff: string | undefined): Promise<boolean> {
  if (diff) print(ctx.stderr, renderDiff(diff, ctx.err));
  const rl = createInterface({ input: process.stdin, output: ctx.stderr });
  try {
    const answer = await rl.question(`${question} [y/N] `);
    return /^y(es)?$/i.test(answer.trim());
  } finally {
    rl.close();
  }
}
