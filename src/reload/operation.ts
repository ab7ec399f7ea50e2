// The steps a reload, a rollback and a recovery share once the lock is held: write, restart,
// probe, with each step journalled and timed.
import { readFileSync } from 'node:fs';
import { EXIT } from '../errors.js';
import { RuntimeError } from '../runtime/adapter.js';
import { writeFileAtomic } from '../util/atomic-write.js';
import { envValue } from '../util/env-ref.js';
import { sha256 } from '../util/canonical.js';
import { servedNamesOf } from './diff.js';
import { Journal, newOperationId } from './journal.js';
import { probeGateway, type ProbeStepName } from './probe.js';
import type { ProbeRecord, ReloadResult, StatePaths, TransactionContext } from './types.js';

/** A file's text, or undefined when it does not exist. */
export function readIfExists(file: string): string | undefined {
  try {
    return readFileSync(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}

/** Work shared by reload and rollback once the lock is held. */
export class Operation {
  readonly journal: Journal;
  readonly id = newOperationId();
  readonly probes: ProbeRecord[] = [];
  restartMs = 0;
  readyMs = 0;
  private readonly started = performance.now();

  constructor(
    readonly ctx: TransactionContext,
    readonly paths: StatePaths,
    readonly timeoutMs: number,
  ) {
    this.journal = new Journal(paths.journal);
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
  async deploy(text: string, phase: ProbeRecord['phase'], write = true, probeAnyway = false): Promise<{ ok: boolean; reason?: string; restartFailed?: string; writeFailed?: boolean }> {
    if (write) {
      // Journalled before the write: a run killed in between must still count as having written.
      this.journal.append(this.id, 'writing', { phase });
      try {
        writeFileAtomic(this.paths.deployed, text);
      } catch (err) {
        // The write is atomic: nothing changed on disk and the gateway was not touched.
        return { ok: false, writeFailed: true, reason: `cannot write ${this.paths.deployed}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}` };
      }
      this.journal.append(this.id, 'written', { phase, sha256: sha256(text) });
    }
    this.ctx.progress(`restarting the gateway: ${this.ctx.runtime.describe()}`);
    const t0 = performance.now();
    try {
      await this.ctx.runtime.restart(this.paths.deployed);
    } catch (err) {
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

  private async probe(text: string, phase: ProbeRecord['phase']): Promise<{ ok: boolean; reason?: string }> {
    const expected = servedNamesOf(text);
    this.ctx.progress(`waiting for ${this.ctx.gateway.gateway.url} to serve ${expected.length} names (up to ${Math.round(this.timeoutMs / 1000)} s)`);
    let lastStep: ProbeStepName | undefined;
    const probe = await probeGateway({
      url: this.ctx.gateway.gateway.url,
      masterKey: this.masterKey(),
      expected,
      timeoutMs: this.timeoutMs,
      intervalMs: this.ctx.gateway.health.interval_ms,
      exited: () => this.ctx.runtime.exited(),
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
    const log = this.ctx.runtime.logExcerpt?.();
    if (log) this.ctx.progress(`gateway log:\n${log.replace(/^/gm, '    ')}`);
    return { ok: false, reason: probe.reason ?? 'the gateway is not healthy' };
  }
}

/** A result with the operation's probes and timings filled in. */
/** A write that failed before anything changed: the operation ends there, with nothing to undo. */
export function aborted(op: Operation, r: Omit<ReloadResult, 'probes' | 'timings' | 'deployed' | 'status' | 'exit_code' | 'message'>, reason: string): ReloadResult {
  op.journal.append(op.id, 'aborted', { reason });
  return result(op, { ...r, status: 'aborted', exit_code: EXIT.failed, message: `${reason}; nothing was changed` });
}

export function result(op: Operation | undefined, r: Omit<ReloadResult, 'probes' | 'timings' | 'deployed'> & { deployed?: string }, paths?: StatePaths): ReloadResult {
  const total = op?.elapsed() ?? 0;
  return {
    deployed: r.deployed ?? op?.paths.deployed ?? paths?.deployed ?? '',
    ...r,
    probes: op?.probes ?? [],
    timings: { total_ms: total, restart_ms: Math.round(op?.restartMs ?? 0), ready_ms: Math.round(op?.readyMs ?? 0) },
  };
}
