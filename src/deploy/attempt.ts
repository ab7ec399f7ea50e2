// One attempt to change what the gateway serves, once the lock is held: the steps a reload, a
// rollback and a recovery share (write, restart, probe, each journalled and timed), how an attempt
// concludes (its outcome decides the status and the exit code), and how an error the user can fix
// (a full disk, a read-only directory, a tampered backup) becomes a result instead of a crash.
import { readFileSync } from 'node:fs';
import { parseGenerated } from '../config/emit/emit.js';
import { CliError, EXIT } from '../util/errors.js';
import { RuntimeError, type RestartOptions } from './runtime/adapter.js';
import { writeFileAtomic } from '../util/atomic-write.js';
import { envValue } from '../util/env-ref.js';
import { sha256 } from '../util/canonical.js';
import { BackupError } from './backups.js';
import { deploymentsOf, mcpServersOf } from '../client/deployments.js';
import { servedNamesOf } from '../config/config-diff.js';
import { ENV_COVER, FINGERPRINT_SCHEME, Journal, newOperationId, runtimeEnvOf } from './journal.js';
import { probeGateway, type ProbeStepName } from '../client/probe.js';
import {
  OUTCOMES,
  type Outcome,
  type ProbeRecord,
  type ReloadResult,
  type RollRecord,
  type StatePaths,
  type TransactionContext,
} from './types.js';

/** A file's text, or undefined when it does not exist. */
export function readIfExists(file: string): string | undefined {
  try {
    return readFileSync(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}

/** The body of a generated file (without its provenance header); other text as it is. */
export function bodyOf(text: string): string {
  return parseGenerated(text.replace(/\r\n/g, '\n'))?.body ?? text;
}

/** What the journal records of a config that now serves. */
export function appliedRecord(journal: Journal, text: string, env: NodeJS.ProcessEnv): Record<string, unknown> {
  return {
    sha256: sha256(text),
    body_sha256: sha256(bodyOf(text)),
    env: journal.fingerprints(text, env),
    env_scheme: FINGERPRINT_SCHEME,
    env_cover: ENV_COVER,
  };
}

/** How long a restore may take: never less than the last measured boot plus a margin. */
export function restoreTimeoutMs(timeoutMs: number, lastBootMs: number | undefined, healthTimeoutS: number): number {
  const floor = lastBootMs !== undefined ? Math.round(lastBootMs * 1.5) + 15_000 : healthTimeoutS * 1000;
  return Math.max(timeoutMs, floor);
}

/** The state of one attempt: its journal id, probes and timings, and whether it replaced the deployed file. */
export class Attempt {
  readonly journal: Journal;
  readonly id = newOperationId();
  readonly probes: ProbeRecord[] = [];
  restartMs = 0;
  readyMs = 0;
  preflightMs = 0;
  /** Set once the deployed file was replaced by this operation. */
  wrote = false;
  /** Set once the file written last was a restored one (a rollback's or a recovery's), not the new config. */
  restoredOnDisk = false;
  /** Restart every part, not only those running other bytes: a secret changed, or --restart. */
  restartAll = false;
  /** What each restart did to each part (replicas), and what it repaired. */
  readonly roll: RollRecord[] = [];
  readonly healed: string[] = [];
  /** The probe timeout of a rollback or recovery. */
  readonly restoreTimeoutMs: number;
  private readonly started = performance.now();

  constructor(
    readonly ctx: TransactionContext,
    readonly paths: StatePaths,
    readonly timeoutMs: number,
  ) {
    this.journal = new Journal(paths.journal, runtimeEnvOf(ctx.gateway));
    this.restoreTimeoutMs = restoreTimeoutMs(timeoutMs, this.journal.lastBootMs(), ctx.gateway.health.timeout_s);
  }

  elapsed(): number {
    return Math.round(performance.now() - this.started);
  }

  masterKey(): string | undefined {
    return envValue(this.ctx.gateway.gateway.master_key, this.ctx.env);
  }

  /**
   * Write (when asked), restart, probe. With `probeAnyway`, a failed restart is still followed by
   * a probe: when restoring, a gateway that never went down may well be serving the old config.
   */
  async deploy(
    text: string,
    phase: ProbeRecord['phase'],
    write = true,
    probeAnyway = false,
  ): Promise<{ ok: boolean; reason?: string; restartFailed?: string; writeFailed?: boolean }> {
    if (write) {
      // Journalled before the write: a run killed in between must still count as having written.
      this.journal.append(this.id, 'writing', { phase });
      try {
        writeFileAtomic(this.paths.deployed, text);
      } catch (err) {
        // The write is atomic: nothing changed on disk and the gateway was not touched.
        return { ok: false, writeFailed: true, reason: `cannot write ${this.paths.deployed}: ${errnoText(err)}` };
      }
      this.wrote = true;
      this.restoredOnDisk = phase !== 'apply';
      this.journal.append(this.id, 'written', { phase, sha256: sha256(text) });
    }
    this.ctx.progress(`restarting the gateway: ${this.ctx.runtime.describe()}`);
    const t0 = performance.now();
    const opts: RestartOptions = {
      all: this.restartAll,
      timeoutMs: phase === 'apply' || phase === 'heal' ? this.timeoutMs : this.restoreTimeoutMs,
    };
    try {
      await this.ctx.runtime.restart(this.paths.deployed, this.ctx.gateway.gateway.url, opts);
      this.noteRoll(phase);
    } catch (err) {
      this.noteRoll(phase);
      if (!(err instanceof RuntimeError)) throw err;
      this.restartMs += performance.now() - t0;
      const reason = `${err.message}${err.detail ? `\n${err.detail}` : ''}`;
      this.journal.append(this.id, 'restarted', { phase, ok: false, reason: err.message });
      if (!probeAnyway) return { ok: false, reason };
      this.ctx.progress(`the restart failed (${err.message}); checking whether the gateway still serves the restored config`);
      const still = await this.probe(text, phase);
      return still.ok ? { ok: true, restartFailed: err.message } : { ok: false, reason: `${reason}; ${still.reason}` };
    }
    this.restartMs += performance.now() - t0;
    this.journal.append(this.id, 'restarted', { phase, ok: true });
    return this.probe(text, phase);
  }

  /** Keeps what the runtime's last restart did, part by part (the drain said itself what it cut; conclude() warns of it). */
  private noteRoll(phase: ProbeRecord['phase']): void {
    const report = this.ctx.runtime.report?.();
    if (!report) return;
    this.roll.push(...report.steps.map((s) => ({ phase, ...s })));
    for (const h of report.healed) {
      this.healed.push(h);
      this.ctx.progress(`healed: ${h}`);
    }
  }

  private async probe(text: string, phase: ProbeRecord['phase']): Promise<{ ok: boolean; reason?: string }> {
    const expected = servedNamesOf(text);
    const mcp = mcpServersOf(text);
    const timeoutMs = phase === 'apply' ? this.timeoutMs : this.restoreTimeoutMs;
    this.ctx.progress(
      `waiting for ${this.ctx.gateway.gateway.url} to serve ${expected.length} names (up to ${Math.round(timeoutMs / 1000)} s)`,
    );
    let lastStep: ProbeStepName | undefined;
    const runtime = this.ctx.runtime;
    const probe = await probeGateway({
      url: this.ctx.gateway.gateway.url,
      masterKey: this.masterKey(),
      expected,
      deployments: deploymentsOf(text),
      ...(mcp ? { mcpServers: mcp } : {}),
      timeoutMs,
      intervalMs: this.ctx.gateway.health.interval_ms,
      exited: () => runtime.exited(),
      ...(runtime.impostor ? { impostor: () => runtime.impostor!(this.ctx.gateway.gateway.url) } : {}),
      onProgress: (step) => {
        if (step !== lastStep) this.ctx.progress(`  probe: ${step}`);
        lastStep = step;
      },
    });
    this.probes.push({ phase, ...probe });
    this.readyMs += probe.total_ms;
    if (probe.ok) {
      this.journal.append(this.id, 'healthy', { phase, ms: probe.total_ms });
      return { ok: true };
    }
    const log = runtime.logExcerpt?.();
    if (log) this.ctx.progress(`gateway log:\n${log.replace(/^/gm, '    ')}`);
    return { ok: false, reason: probe.reason ?? 'the gateway is not healthy' };
  }
}

/** What a result says besides its outcome; the probes and timings come from the attempt. */
export type ResultFields = Omit<ReloadResult, 'probes' | 'timings' | 'deployed' | 'status' | 'exit_code' | 'message'> & {
  deployed?: string;
};

/** A write that failed before anything changed: the attempt ends there, with nothing to undo. */
export function abortedWrite(attempt: Attempt, fields: ResultFields, reason: string): ReloadResult {
  attempt.journal.append(attempt.id, 'aborted', { reason });
  return conclude(attempt, { ...fields, outcome: 'aborted', message: `${reason}; nothing was changed` });
}

/** The result of an attempt (or of a refusal before one began): status and exit code follow from the outcome. */
export function conclude(
  attempt: Attempt | undefined,
  r: ResultFields & { outcome: Outcome; message: string },
  paths?: StatePaths,
): ReloadResult {
  const { outcome, ...fields } = r;
  const total = attempt?.elapsed() ?? 0;
  const cut = (attempt?.roll ?? []).filter((s) => s.cut);
  const warnings = [
    ...(fields.warnings ?? []),
    ...cut.map(
      (s) =>
        `replica ${s.part}: ${s.cut} request${s.cut === 1 ? ' was' : 's were'} still in flight when load_balancer.drain_timeout_s passed, and ${s.cut === 1 ? 'was' : 'were'} cut by its restart (${s.phase})`,
    ),
  ];
  return {
    deployed: fields.deployed ?? attempt?.paths.deployed ?? paths?.deployed ?? '',
    ...fields,
    ...(warnings.length ? { warnings } : {}),
    ...(attempt?.roll.length ? { roll: attempt.roll } : {}),
    ...(attempt?.healed.length ? { healed: attempt.healed } : {}),
    status: OUTCOMES[outcome].status,
    exit_code: OUTCOMES[outcome].exit,
    probes: attempt?.probes ?? [],
    timings: {
      total_ms: total,
      preflight_ms: Math.round(attempt?.preflightMs ?? 0),
      restart_ms: Math.round(attempt?.restartMs ?? 0),
      ready_ms: Math.round(attempt?.readyMs ?? 0),
    },
  };
}

const USER_ERRNO: Record<string, string> = {
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  ENOSPC: 'no space left on device',
  EDQUOT: 'disk quota exceeded',
  EROFS: 'read-only file system',
  ENOTDIR: 'a path component is not a directory',
  EISDIR: 'is a directory',
  EMFILE: 'too many open files',
  EIO: 'input/output error',
};

function errnoText(err: unknown): string {
  const e = err as NodeJS.ErrnoException;
  const code = e?.code;
  if (code && USER_ERRNO[code]) return `${code} (${USER_ERRNO[code]})${e.path ? `: ${e.path}` : ''}`;
  return code ?? (e as Error)?.message ?? String(err);
}

/**
 * An error the person can act on (a full disk, a permission, a tampered backup, a held lock), as a
 * result with its exit code and what it left behind; undefined for anything else (a bug).
 */
export function userFailure(
  err: unknown,
  operation: ReloadResult['operation'],
  attempt: Attempt | undefined,
  paths: StatePaths | undefined,
): ReloadResult | undefined {
  const base = { operation, backup: null, rollback: { happened: false } };
  if (err instanceof CliError) {
    const outcome = err.exitCode === EXIT.locked ? 'locked' : err.exitCode === EXIT.usage ? 'misused' : 'failed';
    return conclude(attempt, { ...base, outcome, message: err.message }, paths);
  }
  if (err instanceof BackupError) {
    return conclude(
      attempt,
      {
        ...base,
        outcome: 'refused',
        message: `${err.message}; it is never deployed. Pick another with \`aibackend backups\` and \`rollback --to\``,
      },
      paths,
    );
  }
  const code = (err as NodeJS.ErrnoException)?.code;
  if (!code || !USER_ERRNO[code]) return undefined;
  const what = `${operation} stopped: ${errnoText(err)}`;
  if (attempt?.wrote && attempt.restoredOnDisk) {
    return conclude(
      attempt,
      {
        ...base,
        outcome: 'half-applied',
        message: `${what}, while restoring: ${attempt.paths.deployed} holds the restored previous config, but the gateway may not run it`,
        attention: {
          deployed: `${attempt.paths.deployed} (the restored previous config)`,
          running: attempt.ctx.runtime.running(),
          backup: null,
        },
      },
      paths,
    );
  }
  if (attempt?.wrote) {
    // The deployed file is already the new one; say so, plainly, with what is running.
    return conclude(
      attempt,
      {
        ...base,
        outcome: 'half-applied',
        message: `${what}, after ${attempt.paths.deployed} had been replaced: the file on disk is now the new config, but the gateway may still run the previous one`,
        attention: { deployed: `${attempt.paths.deployed} (the new config)`, running: attempt.ctx.runtime.running(), backup: null },
      },
      paths,
    );
  }
  return conclude(attempt, { ...base, outcome: 'failed', message: `${what}; the deployed config and the gateway were not changed` }, paths);
}
