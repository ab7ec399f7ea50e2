// Which config a process was started with, as its record keeps it: the sha256 of the file, and of
// a generated file's body (without the provenance header, which names the sources' hash and so
// changes whenever any source does, even when the file means the same).
import { readFileSync } from 'node:fs';
import { parseGenerated } from '../../config/emit/emit.js';
import { sha256 } from '../../util/canonical.js';

/** The sha256 of a file, or with `body` of a generated file's body; undefined when it cannot be read. */
export function configSha(file: string, body = false): string | undefined {
  try {
    const text = readFileSync(file, 'utf8');
    return sha256(body ? (parseGenerated(text.replace(/\r\n/g, '\n'))?.body ?? text) : text);
  } catch {
    return undefined;
  }
}
