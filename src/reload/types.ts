// The data of a reload or rollback: options, context, result, and where its state lives.
import path from 'node:path';
import type { CheckedConfig } from '../core/check-config.js';
import type { RuntimeAdapter } from '../runtime/adapter.js';
import type { GatewayFile } from '../schema/gateway.js';
import type { ConfigChange } from './diff.js';
import type { ProbeResult } from './probe.js';

export type ReloadStatus = 'applied' | 'unchanged' | 'dry-run' | 'validated' | 'rolled-back' | 'rollback-failed' | 'refused' | 'aborted';

export interface ProbeRecord extends ProbeResult {
  phase: 'apply' | 'rollback' | 'recovery';
}

export interface ReloadResult {
  operation: 'reload' | 'rollback';
  status: ReloadStatus;
  exit_code: number;
  message: string;
  deployed: string;
  changes?: Omit<ConfigChange, 'diff'>;
  diff?: string;
  backup: string | null;
  probes: ProbeRecord[];
  rollback: { happened: boolean; reason?: string; restored?: string | null; healthy?: boolean };
  recovery?: { interrupted: string; after: string; action: string; healthy: boolean };
  lock_taken_over?: { pid: number; started: string };
  timings: { total_ms: number; restart_ms: number; ready_ms: number };
  /** For exit 4: what a person needs to know. */
  attention?: { deployed: string; running: string; backup: string | null };
}

export interface TransactionContext {
  checked: CheckedConfig;
  gateway: GatewayFile;
  runtime: RuntimeAdapter;
  env: NodeJS.ProcessEnv;
  command: string;
  progress: (line: string) => void;
  /** Asks the person at the terminal; undefined when there is none. */
  confirm?: (question: string, diff: string | undefined) => Promise<boolean>;
}

export interface ReloadOptions {
  force?: boolean;
  yes?: boolean;
  dryRun?: boolean;
  validateOnly?: boolean;
  restart?: boolean;
  timeoutS?: number;
}

export interface StatePaths {
  deployed: string;
  backups: string;
  journal: string;
  lock: string;
}

export function statePaths(checked: CheckedConfig, gw: GatewayFile): StatePaths {
  const backups = path.resolve(checked.loaded.paths.projectDir, gw.backups.dir);
  return { deployed: checked.outputPath, backups, journal: path.join(backups, 'journal.jsonl'), lock: path.join(backups, 'reload.lock') };
}
