// Source text by displayed file name, for the snippets under diagnostics.
import type { SourceLines } from '../render/format-diagnostics.js';
import type { LoadedConfig } from '../load/load-config.js';

export function sourceLines(loaded: LoadedConfig, extra: Record<string, string | undefined> = {}): SourceLines {
  const cache = new Map<string, string[]>();
  const texts = new Map<string, string>();
  for (const t of Object.values(loaded.texts)) texts.set(t.file, t.text);
  for (const [file, text] of Object.entries(extra)) if (text !== undefined) texts.set(file, text);
  return (file) => {
    let lines = cache.get(file);
    if (!lines) {
      const text = texts.get(file);
      if (text === undefined) return undefined;
      lines = text.split('\n');
      cache.set(file, lines);
    }
    return lines;
  };
}
