// Takes the lock, clears what killed runs left lying around, and, when the journal shows an
// operation that was killed part-way, brings the gateway back to a known state before anything
// else happens. Only verified bytes are deployed: a backup that is missing, or whose content no
// longer matches the sha256 the journal recorded, is a refusal that names it, with
// `aibackend recover --abandon` as the documented way out.
import { readdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { EXIT } from '../util/errors.js';
import { isAlive } from './runtime/proc.js';
import { BackupError, readBackup } from './backups.js';
import type { JournalEntry } from './journal.js';
import { acquireLock, type HeldLock } from './lock.js';
import { appliedRecord, Operation, readIfExists, result } from './operation.js';
import type { ReloadOptions, ReloadResult, StatePaths, TransactionContext } from './types.js';

export interface Begun {
  op: Operation;
  lock: HeldLock;
  recovery?: NonNullable<ReloadResult['recovery']> & { restored?: string };
  failed?: ReloadResult;
}

/** Temp files of killed runs: `.NAME.tmp-PID-xxxxxxxx`, `.NAME.preflight-PID-xxxxxxxx`, `reload.lock.PID-xxxxxxxx`. */
const LEFTOVER = /(?:\.tmp-|\.preflight-|\.lock\.(?:stale-)?)(\d+)-[0-9a-f]{8}$/;

export function removeLeftovers(dirs: string[]): string[] {
  const removed: string[] = [];
  for (const dir of new Set(dirs)) {
    let names: string[] = [];
    try {
      names = readdirSync(dir);
    } catch {
      continue;
    }
    for (const n of names) {
      const m = LEFTOVER.exec(n);
      if (!m || Number(m[1]) === process.pid || isAlive(Number(m[1]))) continue;
      rmSync(path.join(dir, n), { force: true });
      removed.push(path.join(dir, n));
    }
  }
  return removed;
}

/** Takes the lock and brings the gateway back to a known state if an earlier run was killed. */
export async function begin(
  ctx: TransactionContext,
  paths: StatePaths,
  timeoutMs: number,
  opts: Pick<ReloadOptions, 'breakLock'> = {},
  operation: ReloadResult['operation'] = 'reload',
): Promise<Begun> {
  const lock = acquireLock(paths.lock, ctx.command, { breakLock: Boolean(opts.breakLock) });
  const op = new Operation(ctx, paths, timeoutMs);
  if (lock.takenOverFrom)
    ctx.progress(`took over a stale lock left by pid ${lock.takenOverFrom.pid} (started ${lock.takenOverFrom.started})`);
  if (lock.broken)
    ctx.progress(
      `broke the lock held by pid ${lock.broken.pid} on ${lock.broken.host} (since ${lock.broken.started}), as --break-lock asked`,
    );
  const left = removeLeftovers([path.dirname(paths.deployed), paths.backups]);
  if (left.length) ctx.progress(`removed ${left.length} temporary file${left.length === 1 ? '' : 's'} left by a killed run`);
  const open = op.journal.interrupted();
  if (!open) return { op, lock };
  const first = open[0]!;
  const events = new Set(open.map((e) => e.event));
  const after = open[open.length - 1]!.event;
  ctx.progress(
    `an earlier ${String(first.operation ?? 'reload')} (${first.id}) was interrupted after '${after}'; restoring a consistent state first`,
  );
  const rec = (action: string, healthy: boolean, restored?: string) => ({
    interrupted: first.id,
    after,
    action,
    healthy,
    ...(restored ? { restored } : {}),
  });
  if (!events.has('written') && !events.has('writing')) {
    op.journal.append(first.id, 'recovered', { action: 'nothing had been written' });
    return { op, lock, recovery: rec('nothing had been written; nothing to restore', true) };
  }
  const backedUp = open.find((e) => e.event === 'backed-up');
  let text: string | undefined;
  let action: string;
  if (backedUp) {
    const verified = verifiedBackup(backedUp);
    if (typeof verified !== 'string')
      return { op, lock, failed: refuse(op, first, after, verified, operation, typeof backedUp.path === 'string' ? backedUp.path : null) };
    text = verified;
    action = `restored ${String(backedUp.path)} and restarted`;
  } else {
    text = readIfExists(paths.deployed);
    action = 'no backup existed (first deploy): restarted with the deployed file';
  }
  const res =
    text === undefined ? { ok: false, reason: 'nothing to restore' } : await op.deploy(text, 'recovery', backedUp !== undefined, true);
  if (res.ok) {
    op.journal.append(first.id, 'recovered', { action, ...appliedRecord(op.journal, text!, ctx.env) });
    return { op, lock, recovery: rec(action, true, backedUp ? String(backedUp.path) : undefined) };
  }
  op.journal.append(first.id, 'rollback-failed', { action, reason: res.reason });
  const recovery = rec(`${action}, but the gateway is not healthy: ${res.reason}`, false);
  const backup = backedUp ? String(backedUp.path) : null;
  return {
    op,
    lock,
    recovery,
    failed: result(op, {
      operation,
      status: 'rollback-failed',
      exit_code: EXIT.rollbackFailed,
      message: `recovering from the interrupted run ${first.id} failed: ${res.reason}`,
      backup,
      rollback: { happened: true, reason: 'interrupted earlier run', restored: backup, healthy: false },
      recovery,
      attention: { deployed: paths.deployed, running: ctx.runtime.running(), backup },
    }),
  };
}

/** The backup's text if it still holds the bytes the journal recorded, or the error that says why not. */
function verifiedBackup(e: JournalEntry): string | BackupError {
  if (typeof e.path !== 'string' || typeof e.sha256 !== 'string') return new BackupError(`the journal entry of the backup is incomplete`);
  try {
    return readBackup({ path: e.path, sha256: e.sha256 });
  } catch (err) {
    if (err instanceof BackupError) return err;
    throw err;
  }
}

function refuse(
  op: Operation,
  first: JournalEntry,
  after: string,
  why: BackupError,
  operation: ReloadResult['operation'],
  backup: string | null,
): ReloadResult {
  return result(op, {
    operation,
    status: 'refused',
    exit_code: EXIT.rollbackFailed,
    message: `cannot recover the interrupted ${String(first.operation ?? 'reload')} ${first.id} (killed after '${after}'): ${why.message}; unverified bytes are never deployed. Check what ${op.paths.deployed} holds and what the gateway serves, then run \`aibackend recover --abandon\` to record that a person has dealt with it`,
    backup,
    rollback: { happened: false },
    recovery: { interrupted: first.id, after, action: 'refused: the backup does not verify', healthy: false },
    attention: { deployed: `${op.paths.deployed} (possibly the interrupted run's new config)`, running: op.ctx.runtime.running(), backup },
  });
}

/** `aibackend recover --abandon`: record that a person has dealt with an interrupted run, touching nothing else. */
export function abandon(ctx: TransactionContext, paths: StatePaths, opts: Pick<ReloadOptions, 'breakLock'> = {}): ReloadResult {
  const lock = acquireLock(paths.lock, ctx.command, { breakLock: Boolean(opts.breakLock) });
  try {
    const op = new Operation(ctx, paths, 0);
    const open = op.journal.interrupted();
    const base = { operation: 'recover' as const, backup: null, rollback: { happened: false } };
    if (!open)
      return result(op, {
        ...base,
        status: 'unchanged',
        exit_code: EXIT.ok,
        message: 'no interrupted run in the journal; nothing to abandon',
      });
    const first = open[0]!;
    op.journal.append(first.id, 'abandoned', { by: ctx.command, pid: process.pid });
    return result(op, {
      ...base,
      status: 'abandoned',
      exit_code: EXIT.ok,
      message: `recorded that the interrupted run ${first.id} was dealt with by hand; nothing was deployed or restarted. The next reload applies the sources as usual`,
      recovery: { interrupted: first.id, after: open[open.length - 1]!.event, action: 'abandoned', healthy: false },
    });
  } finally {
    lock.release();
  }
}
