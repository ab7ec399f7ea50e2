// The reload transaction: lock, recover an interrupted run, validate and compile, diff, confirm,
// back up, write atomically, restart, probe, and commit, or restore the backup, restart and probe
// again. The promise kept is Caddy's and Prometheus's: when this returns after a failure, the
// old config is serving again, or the result says plainly that a person is needed.
import path from 'node:path';
import { EXIT } from '../errors.js';
import { sha256 } from '../util/canonical.js';
import { applyRetention, createBackup, readBackup, type BackupEntry } from './backups.js';
import { diffConfigs, servedNamesOf } from './diff.js';
import { Journal } from './journal.js';
import { aborted, Operation, readIfExists, result } from './operation.js';
import { begin } from './recover.js';
import { statePaths, type ReloadOptions, type ReloadResult, type TransactionContext } from './types.js';

export { statePaths } from './types.js';
export type { ReloadOptions, ReloadResult, TransactionContext } from './types.js';

async function confirmOrRefuse(ctx: TransactionContext, opts: ReloadOptions, question: string, diff: string | undefined): Promise<string | undefined> {
  if (opts.force || opts.yes) return undefined;
  if (!ctx.confirm) return 'refusing to change the gateway without confirmation: there is no terminal to ask; pass --yes (or --force)';
  return (await ctx.confirm(question, diff)) ? undefined : 'cancelled: nothing was changed';
}

export async function runReload(ctx: TransactionContext, opts: ReloadOptions): Promise<ReloadResult> {
  const { checked, gateway } = ctx;
  const paths = statePaths(checked, gateway);
  const timeoutMs = (opts.timeoutS ?? gateway.health.timeout_s) * 1000;
  const candidate = checked.compiled!.text;
  const deployedText = readIfExists(paths.deployed);
  const change = diffConfigs(path.basename(paths.deployed), deployedText, candidate);
  const { diff, ...changes } = change;
  const base = { operation: 'reload' as const, changes, ...(diff ? { diff } : {}), backup: null, rollback: { happened: false } };

  // Read-only modes take no lock and write nothing, not even the journal.
  const unapplied = change.identical && new Journal(paths.journal).lastApplied() !== sha256(candidate);
  const note = unapplied ? ', but no reload has applied it yet (a reload would restart the gateway)' : '';
  if (opts.validateOnly) return result(undefined, { ...base, status: 'validated', exit_code: EXIT.ok, message: change.identical ? `valid; the deployed file is already identical${note}` : 'valid; this is what a reload would change' }, paths);
  if (opts.dryRun) {
    const steps = change.identical && !opts.restart && !unapplied ? 'nothing (identical)' : change.identical ? `${ctx.runtime.describe()} to run the deployed file, and probe ${gateway.gateway.url}` : `back up ${deployedText === undefined ? '(nothing deployed yet)' : paths.deployed}, write ${paths.deployed}, ${ctx.runtime.describe()}, probe ${gateway.gateway.url}`;
    return result(undefined, { ...base, status: 'dry-run', exit_code: EXIT.ok, message: `dry run: would ${steps}` }, paths);
  }

  const started = await begin(ctx, paths, timeoutMs);
  const { op, lock } = started;
  try {
    const extra = {
      ...(started.recovery ? { recovery: started.recovery } : {}),
      ...(lock.takenOverFrom ? { lock_taken_over: { pid: lock.takenOverFrom.pid, started: lock.takenOverFrom.started } } : {}),
    };
    if (started.failed) return { ...started.failed, ...extra };
    // Recovery may have restored an older file: diff against what is deployed now.
    const nowDeployed = started.recovery ? readIfExists(paths.deployed) : deployedText;
    const c = started.recovery ? diffConfigs(path.basename(paths.deployed), nowDeployed, candidate) : change;
    const { diff: d, ...cs } = c;
    const b = { ...base, changes: cs, ...(d ? { diff: d } : { diff: undefined }), ...extra };
    // A deployed file that matches the sources but that no reload applied (written by
    // `aibackend generate`, or by hand) may not be what the gateway runs: restart to be sure.
    const unapplied = c.identical && op.journal.lastApplied() !== sha256(candidate);
    if (unapplied) ctx.progress('the deployed file matches the sources, but no reload has applied it yet; the gateway will be restarted to run it');
    if (c.identical && !opts.restart && !unapplied) {
      op.journal.append(op.id, 'begin', { operation: 'reload', command: ctx.command, pid: process.pid });
      op.journal.append(op.id, 'unchanged', { sha256: sha256(candidate) });
      return result(op, { ...b, status: 'unchanged', exit_code: EXIT.ok, message: 'the deployed config is already identical; no restart (use --restart to restart anyway)' });
    }
    const refusal = await confirmOrRefuse(ctx, opts, c.identical ? 'Restart the gateway with the same config?' : 'Apply these changes and restart the gateway?', d);
    if (refusal) return result(op, { ...b, status: 'refused', exit_code: ctx.confirm ? EXIT.failed : EXIT.usage, message: refusal });

    op.journal.append(op.id, 'begin', { operation: 'reload', command: ctx.command, pid: process.pid, candidate: sha256(candidate), deployed: nowDeployed === undefined ? null : sha256(nowDeployed) });
    let backup: BackupEntry | undefined;
    if (nowDeployed !== undefined) {
      backup = await createBackup(paths.backups, paths.deployed, nowDeployed, ctx.command, checked.loaded.paths.projectDir);
      op.journal.append(op.id, 'backed-up', { path: backup.path, sha256: backup.sha256 });
      ctx.progress(`backed up the deployed config to ${backup.path}`);
    }
    if (!c.identical) ctx.progress(`writing ${paths.deployed}`);
    const applied = await op.deploy(candidate, 'apply', !c.identical);
    if (applied.writeFailed) return aborted(op, { ...b, backup: backup?.path ?? null }, applied.reason!);
    if (applied.ok) {
      op.journal.append(op.id, 'committed', { sha256: sha256(candidate), backup: backup?.path ?? null });
      const removed = applyRetention(paths.backups, paths.deployed, gateway.backups.keep);
      if (removed.length) ctx.progress(`retention: removed ${removed.length} old backup${removed.length === 1 ? '' : 's'}`);
      return result(op, { ...b, status: 'applied', exit_code: EXIT.ok, message: `applied: the gateway serves the new config (${servedNamesOf(candidate).length} names)`, backup: backup?.path ?? null });
    }
    ctx.progress(`the new config is not healthy: ${applied.reason}`);
    return await rollBack(op, ctx, { ...b, backup: backup?.path ?? null }, backup, nowDeployed, applied.reason ?? 'unhealthy');
  } finally {
    lock.release();
  }
}

async function rollBack(op: Operation, ctx: TransactionContext, b: Omit<ReloadResult, 'probes' | 'timings' | 'deployed' | 'status' | 'exit_code' | 'message'>, backup: BackupEntry | undefined, previous: string | undefined, reason: string): Promise<ReloadResult> {
  op.journal.append(op.id, 'rollback', { reason });
  if (!backup || previous === undefined) {
    op.journal.append(op.id, 'rollback-failed', { reason: 'no previous config to restore' });
    return result(op, {
      ...b,
      status: 'rollback-failed',
      exit_code: EXIT.rollbackFailed,
      message: `the new config is not healthy (${reason}), and there was no previous config to restore`,
      rollback: { happened: false, reason, restored: null, healthy: false },
      attention: { deployed: `${op.paths.deployed} (the new, unhealthy config)`, running: ctx.runtime.running(), backup: null },
    });
  }
  ctx.progress(`rolling back to ${backup.path}`);
  const text = readBackup(backup);
  const restored = await op.deploy(text, 'rollback', true, true);
  if (restored.ok) {
    op.journal.append(op.id, 'rolled-back', { sha256: sha256(text), restored: backup.path, reason, ...(restored.restartFailed ? { restart_failed: restored.restartFailed } : {}) });
    const note = restored.restartFailed ? ' (its restart failed too, but the gateway kept serving it)' : '';
    return result(op, { ...b, status: 'rolled-back', exit_code: EXIT.rolledBack, message: `the new config failed (${reason}); the previous config was restored and is healthy${note}`, rollback: { happened: true, reason, restored: backup.path, healthy: true } });
  }
  op.journal.append(op.id, 'rollback-failed', { reason: restored.reason, restored: backup.path });
  return result(op, {
    ...b,
    status: 'rollback-failed',
    exit_code: EXIT.rollbackFailed,
    message: `the new config failed (${reason}), and so did the rollback (${restored.reason})`,
    rollback: { happened: true, reason, restored: backup.path, healthy: false },
    attention: { deployed: `${op.paths.deployed} (restored from ${backup.path}, sha256 ${backup.sha256.slice(0, 12)})`, running: ctx.runtime.running(), backup: backup.path },
  });
}

/** `aibackend rollback`: restore a backup (the previous config by default), restart, probe. */
export async function runRollback(ctx: TransactionContext, opts: ReloadOptions & { to?: BackupEntry; pick: () => BackupEntry | undefined }): Promise<ReloadResult> {
  const paths = statePaths(ctx.checked, ctx.gateway);
  const timeoutMs = (opts.timeoutS ?? ctx.gateway.health.timeout_s) * 1000;
  const started = await begin(ctx, paths, timeoutMs);
  const { op, lock } = started;
  try {
    if (started.failed) return { ...started.failed, operation: 'rollback' };
    const target = opts.to ?? opts.pick();
    const base = { operation: 'rollback' as const, backup: null, rollback: { happened: false } };
    if (!target) return result(op, { ...base, status: 'refused', exit_code: EXIT.failed, message: `no backup to roll back to in ${paths.backups}` });
    const text = readBackup(target);
    const current = readIfExists(paths.deployed);
    const change = diffConfigs(path.basename(paths.deployed), current, text);
    const { diff, ...changes } = change;
    const b = { ...base, changes, ...(diff ? { diff } : {}) };
    if (opts.dryRun) return result(op, { ...b, status: 'dry-run', exit_code: EXIT.ok, message: `dry run: would restore ${target.path}` });
    const refusal = await confirmOrRefuse(ctx, opts, `Restore ${target.file} and restart the gateway?`, diff);
    if (refusal) return result(op, { ...b, status: 'refused', exit_code: ctx.confirm ? EXIT.failed : EXIT.usage, message: refusal });
    op.journal.append(op.id, 'begin', { operation: 'rollback', command: ctx.command, pid: process.pid, target: target.path });
    let backup: BackupEntry | undefined;
    if (current !== undefined) {
      backup = await createBackup(paths.backups, paths.deployed, current, ctx.command, ctx.checked.loaded.paths.projectDir);
      op.journal.append(op.id, 'backed-up', { path: backup.path, sha256: backup.sha256 });
    }
    const res = await op.deploy(text, 'apply', !change.identical);
    if (res.writeFailed) return aborted(op, { ...b, backup: backup?.path ?? null }, res.reason!);
    if (res.ok) {
      op.journal.append(op.id, 'committed', { sha256: sha256(text), restored: target.path });
      return result(op, { ...b, backup: backup?.path ?? null, status: 'applied', exit_code: EXIT.ok, message: `rolled back to ${target.file}; the gateway is healthy` });
    }
    return await rollBack(op, ctx, { ...b, backup: backup?.path ?? null }, backup, current, res.reason ?? 'unhealthy');
  } finally {
    lock.release();
  }
}
