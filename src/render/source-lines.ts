// Source text by displayed file name, for the snippets under diagnostics. Spans that diagnostics
// identify as secrets are blanked out here, before any formatter can print them.
import type { Diagnostic } from '../config/diagnostics/diagnostic.js';
import type { Code } from '../config/diagnostics/codes.js';
import type { SourceLines } from './format-diagnostics.js';
import type { LoadedConfig } from '../config/load/load-config.js';
import { REDACTED } from '../util/secrets.js';

const SECRET_SPANS: ReadonlySet<Code> = new Set(['secret-literal', 'secret-in-source', 'url-credentials']);

export function sourceLines(
  loaded: LoadedConfig,
  extra: Record<string, string | undefined> = {},
  diagnostics: readonly Diagnostic[] = [],
): SourceLines {
  const cache = new Map<string, string[]>();
  const texts = new Map<string, string>();
  for (const t of Object.values(loaded.texts)) texts.set(t.file, t.text);
  for (const [file, text] of Object.entries(extra)) if (text !== undefined) texts.set(file, text);
  const spans = new Map<string, { line: number; column: number; length: number }[]>();
  for (const d of diagnostics) {
    if (!SECRET_SPANS.has(d.code)) continue;
    const list = spans.get(d.file) ?? [];
    list.push({ line: d.line, column: d.column, length: d.length ?? 1 });
    spans.set(d.file, list);
  }
  return (file) => {
    let lines = cache.get(file);
    if (!lines) {
      const text = texts.get(file);
      if (text === undefined) return undefined;
      lines = text.split('\n');
      const secret = (spans.get(file) ?? []).sort((a, b) => b.column - a.column);
      for (const s of secret) {
        const l = lines[s.line - 1];
        if (l === undefined) continue;
        lines[s.line - 1] = l.slice(0, s.column - 1) + REDACTED + l.slice(s.column - 1 + s.length);
      }
      cache.set(file, lines);
    }
    return lines;
  };
}
