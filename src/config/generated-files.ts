// Brings the other generated files on disk (the monitoring stack's, the load balancer's) to what
// the sources compile to: each file that differs is replaced atomically, the others are left
// alone. Shared by generate and by reload (which deploys the gateway's config and so must not
// leave the dashboards behind).
import { CliError } from '../util/errors.js';
import { outsideProject } from './load/contain.js';
import type { ConfigPaths } from './load/paths.js';
import { writeFileAtomic } from '../util/atomic-write.js';
import type { CheckedConfig } from './check-config.js';
import { generatedStatus, type GeneratedStatus } from './output-status.js';

export interface GeneratedSync {
  all: GeneratedStatus[];
  written: GeneratedStatus[];
}

export function syncGenerated(checked: CheckedConfig, stack: GeneratedStatus[] = generatedStatus(checked)): GeneratedSync {
  const written = stack.filter((m) => m.text?.replace(/\r\n/g, '\n') !== m.file.text);
  // Nothing is written while one of them cannot be: a link out of the project, a device.
  const blocked = stack.find((m) => m.state === 'unknown');
  if (blocked) throw new CliError(`${blocked.diagnostics[0]?.message ?? `cannot read ${blocked.file.display}`}; nothing written`);
  for (const m of written) writeGenerated(checked.loaded.paths, m.file.path, m.file.display, m.file.text);
  return { all: stack, written };
}

/** Writes a generated file atomically, only inside the project (after resolving symlinks). */
export function writeGenerated(paths: ConfigPaths, file: string, display: string, text: string): void {
  const away = outsideProject(paths, file);
  if (away !== undefined) throw new CliError(`not writing ${display}: it leads through a symlink to ${away}, outside the project`);
  try {
    writeFileAtomic(file, text);
  } catch (err) {
    throw new CliError(
      `cannot write ${display}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}; the previous file, if any, is unchanged`,
    );
  }
}
