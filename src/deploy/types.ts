// The data of a reload or rollback: options, context, result, and where its state lives.
import path from 'node:path';
import { EXIT, type ExitCode } from '../util/errors.js';
import type { PreflightCheck, RollStep, RuntimeAdapter } from './runtime/adapter.js';
import type { GatewayFile } from '../config/schema/gateway.js';
import type { ConfigChange } from '../config/config-diff.js';
import type { ProbeResult } from '../client/probe.js';

export type ReloadStatus =
  | 'applied'
  | 'unchanged'
  | 'healed'
  | 'dry-run'
  | 'validated'
  | 'rolled-back'
  | 'rollback-failed'
  | 'refused'
  | 'aborted'
  | 'recovered'
  | 'abandoned'
  | 'locked'
  | 'error';

/**
 * Every way a reload, rollback or recovery ends, with the status its JSON reports and its exit
 * code: chosen here and nowhere else, so that a status cannot carry the wrong code.
 */
export const OUTCOMES = {
  applied: { status: 'applied', exit: EXIT.ok },
  unchanged: { status: 'unchanged', exit: EXIT.ok },
  /** The config was already deployed, but a part of the topology was not running it (dead, foreign, out of rotation): repaired. */
  healed: { status: 'healed', exit: EXIT.ok },
  /** The config was already deployed, a part was broken, and repairing it failed: a person must look. */
  unhealed: { status: 'error', exit: EXIT.rollbackFailed },
  'dry-run': { status: 'dry-run', exit: EXIT.ok },
  validated: { status: 'validated', exit: EXIT.ok },
  recovered: { status: 'recovered', exit: EXIT.ok },
  abandoned: { status: 'abandoned', exit: EXIT.ok },
  /** A pre-flight failed, a person said no, or there is nothing to restore: nothing changed. */
  refused: { status: 'refused', exit: EXIT.failed },
  /** No terminal to ask and no --yes: refused before anything was tried (a usage error). */
  unconfirmed: { status: 'refused', exit: EXIT.usage },
  /** The write failed; the file on disk and the gateway are as they were. */
  aborted: { status: 'aborted', exit: EXIT.failed },
  /** An error a person can fix (a full disk, a permission) stopped it before anything changed. */
  failed: { status: 'error', exit: EXIT.failed },
  /** An error in how it was asked (a CLI usage error raised inside the transaction). */
  misused: { status: 'error', exit: EXIT.usage },
  'rolled-back': { status: 'rolled-back', exit: EXIT.rolledBack },
  'rollback-failed': { status: 'rollback-failed', exit: EXIT.rollbackFailed },
  /** An interrupted run's backup is missing or altered: unverified bytes are never deployed, a person decides. */
  'unverified-backup': { status: 'refused', exit: EXIT.rollbackFailed },
  /** The deployed file was replaced, then an error stopped the restart: a person must check what runs. */
  'half-applied': { status: 'error', exit: EXIT.rollbackFailed },
  locked: { status: 'locked', exit: EXIT.locked },
} as const satisfies Record<string, { status: ReloadStatus; exit: ExitCode }>;

export type Outcome = keyof typeof OUTCOMES;

export interface ProbeRecord extends ProbeResult {
  phase: 'apply' | 'rollback' | 'recovery' | 'heal';
}

export type RollRecord = RollStep & { phase: ProbeRecord['phase'] };

export interface ReloadResult {
  operation: 'reload' | 'rollback' | 'recover';
  /** From the outcome (OUTCOMES), never set on its own. */
  status: ReloadStatus;
  exit_code: ExitCode;
  message: string;
  deployed: string;
  changes?: Omit<ConfigChange, 'diff'>;
  diff?: string;
  backup: string | null;
  probes: ProbeRecord[];
  rollback: { happened: boolean; reason?: string; restored?: string | null; healthy?: boolean };
  recovery?: { interrupted: string; after: string; action: string; healthy: boolean };
  lock_taken_over?: { pid: number; started: string };
  lock_broken?: { pid: number; host: string; started: string };
  /** The checks made before anything changed. */
  preflight?: PreflightCheck[];
  /** Referenced secrets whose values changed since the last applied reload (names and fingerprints, never values). */
  secrets_changed?: { name: string; before: string; after: string }[];
  /** What the operation noticed but did not stop for. */
  warnings?: string[];
  /** What a rollback did not check because the sources are broken. */
  skipped?: string;
  /** With replicas: what each restart did to each part, in order. */
  roll?: RollRecord[];
  /** Parts found dead, foreign or held out of rotation, and what was done about each. */
  healed?: string[];
  timings: { total_ms: number; preflight_ms: number; restart_ms: number; ready_ms: number };
  /** For exit 4: what a person needs to know. */
  attention?: { deployed: string; running: string; backup: string | null };
}

export interface TransactionContext {
  /** The compiled candidate (reload); absent for a rollback whose sources do not compile. */
  candidate?: string;
  /** Absolute path of the deployed (generated) file. */
  deployedPath: string;
  projectDir: string;
  gateway: GatewayFile;
  runtime: RuntimeAdapter;
  env: NodeJS.ProcessEnv;
  command: string;
  progress: (line: string) => void;
  /** What a restore did not check because the sources are broken. */
  skipped?: string;
  /** Asks the person at the terminal; undefined when there is none. */
  confirm?: (question: string, diff: string | undefined) => Promise<boolean>;
  /** Writes what must be on disk before the restart (the load balancer's config): after the pre-flight passed, never on a refused reload. */
  beforeApply?: () => void;
}

export interface ReloadOptions {
  force?: boolean;
  yes?: boolean;
  dryRun?: boolean;
  validateOnly?: boolean;
  restart?: boolean;
  timeoutS?: number;
  breakLock?: boolean;
}

export interface StatePaths {
  deployed: string;
  backups: string;
  journal: string;
  lock: string;
}

export function statePaths(ctx: Pick<TransactionContext, 'deployedPath' | 'projectDir' | 'gateway'>): StatePaths {
  const backups = path.resolve(ctx.projectDir, ctx.gateway.backups.dir);
  return { deployed: ctx.deployedPath, backups, journal: path.join(backups, 'journal.jsonl'), lock: path.join(backups, 'reload.lock') };
}
