// Brings the other generated files on disk (the monitoring stack's, the load balancer's) to what
// the sources compile to: each file that differs is replaced atomically, the others are left
// alone. Shared by generate and by reload (which deploys the gateway's config and so must not
// leave the dashboards behind).
import { CliError } from '../errors.js';
import { writeFileAtomic } from '../util/atomic-write.js';
import type { CheckedConfig } from './check-config.js';
import { generatedStatus, type GeneratedStatus } from './output-status.js';

export interface GeneratedSync {
  all: GeneratedStatus[];
  written: GeneratedStatus[];
}

export function syncGenerated(checked: CheckedConfig, stack: GeneratedStatus[] = generatedStatus(checked)): GeneratedSync {
  const written = stack.filter((m) => m.text?.replace(/\r\n/g, '\n') !== m.file.text);
  for (const m of written) writeGenerated(m.file.path, m.file.display, m.file.text);
  return { all: stack, written };
}

export function writeGenerated(file: string, display: string, text: string): void {
  try {
    writeFileAtomic(file, text);
  } catch (err) {
    throw new CliError(`cannot write ${display}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}; the previous file, if any, is unchanged`);
  }
}
