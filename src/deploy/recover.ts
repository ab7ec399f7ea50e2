// Takes the lock, clears what killed runs left lying around, and, when the journal shows an
// operation that was killed part-way, brings the gateway back to a known state before anything
// else happens. Only verified bytes are deployed: a backup that is missing, or whose content no
// longer matches the sha256 the journal recorded, is a refusal that names it, with
// `aibackend recover --abandon` as the documented way out.
import { readdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { isAlive } from './runtime/proc.js';
import { BackupError, readBackup } from './backups.js';
import type { JournalEntry } from './journal.js';
import { acquireLock, type HeldLock } from './lock.js';
import { appliedRecord, Attempt, conclude, readIfExists } from './attempt.js';
import { healTopology } from './heal.js';
import { statePaths, type ReloadOptions, type ReloadResult, type StatePaths, type TransactionContext } from './types.js';

export interface Begun {
  attempt: Attempt;
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
  const attempt = new Attempt(ctx, paths, timeoutMs);
  if (lock.takenOverFrom)
    ctx.progress(`took over a stale lock left by pid ${lock.takenOverFrom.pid} (started ${lock.takenOverFrom.started})`);
  if (lock.broken)
    ctx.progress(
      `broke the lock held by pid ${lock.broken.pid} on ${lock.broken.host} (since ${lock.broken.started}), as --break-lock asked`,
    );
  const left = removeLeftovers([path.dirname(paths.deployed), paths.backups]);
  if (left.length) ctx.progress(`removed ${left.length} temporary file${left.length === 1 ? '' : 's'} left by a killed run`);
  const open = attempt.journal.interrupted();
  if (!open) return { attempt, lock };
  const first = open[0]!;
  const events = new Set(open.map((e) => e.event));
  const after = open[open.length - 1]!.event;
  ctx.progress(
    `an earlier ${String(first.operation ?? 'reload')} (${first.id}) was interrupted after '${after}'; restoring a consistent state first`,
  );
  const recoveryOf = (action: string, healthy: boolean, restored?: string) => ({
    interrupted: first.id,
    after,
    action,
    healthy,
    ...(restored ? { restored } : {}),
  });
  if (!events.has('written') && !events.has('writing')) {
    attempt.journal.append(first.id, 'recovered', { action: 'nothing had been written' });
    return { attempt, lock, recovery: recoveryOf('nothing had been written; nothing to restore', true) };
  }
  const backedUp = open.find((e) => e.event === 'backed-up');
  let text: string | undefined;
  let action: string;
  if (backedUp) {
    const verified = verifiedBackup(backedUp);
    if (typeof verified !== 'string')
      return {
        attempt,
        lock,
        failed: refuse(attempt, first, after, verified, operation, typeof backedUp.path === 'string' ? backedUp.path : null),
      };
    text = verified;
    action = `restored ${String(backedUp.path)} and restarted`;
  } else {
    text = readIfExists(paths.deployed);
    action = 'no backup existed (first deploy): restarted with the deployed file';
  }
  const restarted =
    text === undefined ? { ok: false, reason: 'nothing to restore' } : await attempt.deploy(text, 'recovery', backedUp !== undefined, true);
  if (restarted.ok) {
    attempt.journal.append(first.id, 'recovered', { action, ...appliedRecord(attempt.journal, text!, ctx.env) });
    return { attempt, lock, recovery: recoveryOf(action, true, backedUp ? String(backedUp.path) : undefined) };
  }
  attempt.journal.append(first.id, 'rollback-failed', { action, reason: restarted.reason });
  const recovery = recoveryOf(`${action}, but the gateway is not healthy: ${restarted.reason}`, false);
  const backup = backedUp ? String(backedUp.path) : null;
  return {
    attempt,
    lock,
    recovery,
    failed: conclude(attempt, {
      operation,
      outcome: 'rollback-failed',
      message: `recovering from the interrupted run ${first.id} failed: ${restarted.reason}`,
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
  attempt: Attempt,
  first: JournalEntry,
  after: string,
  why: BackupError,
  operation: ReloadResult['operation'],
  backup: string | null,
): ReloadResult {
  return conclude(attempt, {
    operation,
    outcome: 'unverified-backup',
    message: `cannot recover the interrupted ${String(first.operation ?? 'reload')} ${first.id} (killed after '${after}'): ${why.message}; unverified bytes are never deployed. Check what ${attempt.paths.deployed} holds and what the gateway serves, then run \`aibackend recover --abandon\` to record that a person has dealt with it`,
    backup,
    rollback: { happened: false },
    recovery: { interrupted: first.id, after, action: 'refused: the backup does not verify', healthy: false },
    attention: {
      deployed: `${attempt.paths.deployed} (possibly the interrupted run's new config)`,
      running: attempt.ctx.runtime.running(),
      backup,
    },
  });
}

/** `aibackend recover --abandon`: record that a person has dealt with an interrupted run, touching nothing else. */
export function abandon(ctx: TransactionContext, paths: StatePaths, opts: Pick<ReloadOptions, 'breakLock'> = {}): ReloadResult {
  const lock = acquireLock(paths.lock, ctx.command, { breakLock: Boolean(opts.breakLock) });
  try {
    const attempt = new Attempt(ctx, paths, 0);
    const open = attempt.journal.interrupted();
    const base = { operation: 'recover' as const, backup: null, rollback: { happened: false } };
    if (!open)
      return conclude(attempt, {
        ...base,
        outcome: 'unchanged',
        message: 'no interrupted run in the journal; nothing to abandon',
      });
    const first = open[0]!;
    attempt.journal.append(first.id, 'abandoned', { by: ctx.command, pid: process.pid });
    return conclude(attempt, {
      ...base,
      outcome: 'abandoned',
      message: `recorded that the interrupted run ${first.id} was dealt with by hand; nothing was deployed or restarted. The next reload applies the sources as usual`,
      recovery: { interrupted: first.id, after: open[open.length - 1]!.event, action: 'abandoned', healthy: false },
    });
  } finally {
    lock.release();
  }
}

/** `aibackend recover`: finish what an interrupted reload or rollback left, or say there is nothing to finish. */
export async function runRecover(ctx: TransactionContext, opts: ReloadOptions & { abandon?: boolean }): Promise<ReloadResult> {
  const paths = statePaths(ctx);
  if (opts.abandon) return abandon(ctx, paths, opts);
  const timeoutMs = (opts.timeoutS ?? ctx.gateway.health.timeout_s) * 1000;
  const started = await begin(ctx, paths, timeoutMs, opts, 'recover');
  try {
    if (started.failed) return started.failed;
    const fields = { operation: 'recover' as const, backup: null, rollback: { happened: false } };
    if (!started.recovery) {
      // Nothing was interrupted; what runs may still have drifted from what is deployed (a supervisor's job).
      const healed = await healTopology(started.attempt, readIfExists(paths.deployed), fields);
      if (healed) return healed;
      return conclude(started.attempt, {
        ...fields,
        outcome: 'unchanged',
        message: 'no interrupted run in the journal, and every part runs the deployed config as declared; nothing to recover',
      });
    }
    return conclude(started.attempt, {
      ...fields,
      recovery: started.recovery,
      outcome: 'recovered',
      message: `recovered the interrupted run ${started.recovery.interrupted}: ${started.recovery.action}`,
    });
  } finally {
    started.lock.release();
  }
}
