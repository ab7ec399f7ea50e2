// Takes the lock and, when the journal shows an operation that was killed part-way, brings the
// gateway back to a known state before anything else happens.
import { readFileSync } from 'node:fs';
import { EXIT } from '../errors.js';
import { sha256 } from '../util/canonical.js';
import { acquireLock, type HeldLock } from './lock.js';
import { Operation, readIfExists, result } from './operation.js';
import type { ReloadResult, StatePaths, TransactionContext } from './types.js';

/** Takes the lock and brings the gateway back to a known state if an earlier run was killed. */
export async function begin(ctx: TransactionContext, paths: StatePaths, timeoutMs: number): Promise<{ op: Operation; lock: HeldLock; recovery?: ReloadResult['recovery']; failed?: ReloadResult }> {
  const lock = acquireLock(paths.lock, ctx.command);
  const op = new Operation(ctx, paths, timeoutMs);
  if (lock.takenOverFrom) ctx.progress(`took over a stale lock left by pid ${lock.takenOverFrom.pid} (started ${lock.takenOverFrom.started})`);
  const open = op.journal.interrupted();
  if (!open) return { op, lock };
  const first = open[0]!;
  const events = new Set(open.map((e) => e.event));
  const after = open[open.length - 1]!.event;
  ctx.progress(`an earlier ${String(first.operation ?? 'reload')} (${first.id}) was interrupted after '${after}'; restoring a consistent state first`);
  const backup = open.find((e) => e.event === 'backed-up')?.path as string | undefined;
  const rec = (action: string, healthy: boolean) => ({ interrupted: first.id, after, action, healthy });
  if (!events.has('written') && !events.has('writing')) {
    op.journal.append(first.id, 'recovered', { action: 'nothing had been written' });
    return { op, lock, recovery: rec('nothing had been written; nothing to restore', true) };
  }
  let text: string | undefined;
  let action: string;
  if (backup) {
    text = readFileSync(backup, 'utf8');
    action = `restored ${backup} and restarted`;
  } else {
    text = readIfExists(paths.deployed);
    action = 'no backup existed (first deploy): restarted with the deployed file';
  }
  const res = text === undefined ? { ok: false, reason: 'nothing to restore' } : await op.deploy(text, 'recovery', backup !== undefined, true);
  if (res.ok) {
    op.journal.append(first.id, 'recovered', { action, sha256: sha256(text!) });
    return { op, lock, recovery: rec(action, true) };
  }
  op.journal.append(first.id, 'rollback-failed', { action, reason: res.reason });
  const recovery = rec(`${action}, but the gateway is not healthy: ${res.reason}`, false);
  return {
    op,
    lock,
    recovery,
    failed: result(op, {
      operation: 'reload',
      status: 'rollback-failed',
      exit_code: EXIT.rollbackFailed,
      message: `recovering from the interrupted run ${first.id} failed: ${res.reason}`,
      backup: backup ?? null,
      rollback: { happened: true, reason: 'interrupted earlier run', restored: backup ?? null, healthy: false },
      recovery,
    }),
  };
}
