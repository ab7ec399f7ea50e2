// Reads one source file as text, refusing what a YAML source can never be: missing, unreadable,
// oversized, binary or non-UTF-8 files. Every refusal is a diagnostic, never an exception.
import { readFileSync, statSync } from 'node:fs';
import { diag, type Diagnostic } from '../diagnostics/diagnostic.js';

/** A hand-edited config larger than this is a mistake or an attack, not a config. */
export const MAX_SOURCE_BYTES = 4 * 1024 * 1024;

export type ReadResult = { ok: true; text: string } | { ok: false; diagnostic: Diagnostic };

const decoder = new TextDecoder('utf-8', { fatal: true });

export function readSource(absPath: string, displayPath: string, required: boolean): ReadResult | undefined {
  const at = { file: displayPath, line: 1, column: 1 };
  let size: number;
  try {
    const st = statSync(absPath);
    if (st.isDirectory()) {
      return { ok: false, diagnostic: diag('file-unreadable', 'error', at, `${displayPath} is a directory, not a file`) };
    }
    if (!st.isFile()) {
      // A device or a pipe (a link to /dev/zero, say) could block or never end.
      return { ok: false, diagnostic: diag('file-unreadable', 'error', at, `${displayPath} is not a regular file`) };
    }
    size = st.size;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') {
      if (!required) return undefined;
      return {
        ok: false,
        diagnostic: diag('file-missing', 'error', at, `required file ${displayPath} does not exist`),
      };
    }
    return { ok: false, diagnostic: diag('file-unreadable', 'error', at, `cannot read ${displayPath}: ${errText(err)}`) };
  }
  if (size > MAX_SOURCE_BYTES) {
    return {
      ok: false,
      diagnostic: diag(
        'file-too-large',
        'error',
        at,
        `${displayPath} is ${size} bytes; source files are limited to ${MAX_SOURCE_BYTES} bytes`,
      ),
    };
  }
  let bytes: Buffer;
  try {
    bytes = readFileSync(absPath);
  } catch (err) {
    return { ok: false, diagnostic: diag('file-unreadable', 'error', at, `cannot read ${displayPath}: ${errText(err)}`) };
  }
  const nul = bytes.indexOf(0);
  if (nul !== -1) {
    return {
      ok: false,
      diagnostic: diag(
        'file-binary',
        'error',
        offsetPos(bytes, nul, displayPath),
        `${displayPath} contains a NUL byte: it is binary, not YAML text`,
      ),
    };
  }
  let text: string;
  try {
    text = decoder.decode(bytes);
  } catch {
    const bad = firstInvalidUtf8(bytes);
    return {
      ok: false,
      diagnostic: diag(
        'file-encoding',
        'error',
        offsetPos(bytes, bad, displayPath),
        `${displayPath} is not valid UTF-8 (bad byte 0x${(bytes[bad] ?? 0).toString(16).padStart(2, '0')})`,
      ),
    };
  }
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  return { ok: true, text };
}

function errText(err: unknown): string {
  const e = err as NodeJS.ErrnoException;
  return e.code ?? e.message ?? String(err);
}

/** Line and column (in bytes) of a byte offset: good enough to point at binary garbage. */
function offsetPos(bytes: Buffer, offset: number, file: string) {
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < offset; i++) {
    if (bytes[i] === 0x0a) {
      line++;
      lineStart = i + 1;
    }
  }
  return { file, line, column: offset - lineStart + 1 };
}

function firstInvalidUtf8(bytes: Buffer): number {
  for (let lo = 0; lo < bytes.length;) {
    const b = bytes[lo]!;
    const n = b < 0x80 ? 1 : b >= 0xc2 && b < 0xe0 ? 2 : b >= 0xe0 && b < 0xf0 ? 3 : b >= 0xf0 && b < 0xf5 ? 4 : 0;
    if (n === 0) return lo;
    try {
      decoder.decode(bytes.subarray(lo, lo + n));
    } catch {
      return lo;
    }
    lo += n;
  }
  return 0;
}
