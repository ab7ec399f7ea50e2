// What a change to a generated file is: the unified diff of the file on disk against the compiled
// one (secrets masked), and the public names it adds and removes. Reload and generate --check show it.
import { createTwoFilesPatch } from 'diff';
import { parse } from 'yaml';
import { maskSecrets } from '../util/secrets.js';

export interface ConfigChange {
  identical: boolean;
  added: string[];
  removed: string[];
  lines_added: number;
  lines_removed: number;
  /** Unified diff, masked; empty when identical. */
  diff: string;
}

export function servedNamesOf(text: string | undefined): string[] {
  if (!text) return [];
  try {
    const doc = parse(text, { uniqueKeys: false, logLevel: 'error' }) as { model_list?: { model_name?: unknown }[] } | null;
    return [...new Set((doc?.model_list ?? []).map((m) => String(m.model_name)))].sort();
  } catch {
    return [];
  }
}

/**
 * Myers' diff costs (N+M)·D: two wholly different 20,000-line files took seconds. Past this many
 * edits the diff is not computed, and the change says so with the two sizes.
 */
export const MAX_DIFF_EDITS = 2000;

export function diffConfigs(deployedName: string, deployed: string | undefined, candidate: string): ConfigChange {
  if (deployed === candidate) return { identical: true, added: [], removed: [], lines_added: 0, lines_removed: 0, diff: '' };
  const before = new Set(servedNamesOf(deployed));
  const after = new Set(servedNamesOf(candidate));
  const oldName = deployed === undefined ? '/dev/null' : `${deployedName} (deployed)`;
  const patch = createTwoFilesPatch(oldName, `${deployedName} (candidate)`, deployed ?? '', candidate, undefined, undefined, {
    context: 3,
    maxEditLength: MAX_DIFF_EDITS,
  });
  if (patch === undefined) {
    const count = (t: string) => (t === '' ? 0 : t.split('\n').length - (t.endsWith('\n') ? 1 : 0));
    const [was, now] = [count(deployed ?? ''), count(candidate)];
    return {
      identical: false,
      added: [...after].filter((n) => !before.has(n)),
      removed: [...before].filter((n) => !after.has(n)),
      lines_added: now,
      lines_removed: was,
      diff: `--- ${oldName}\n+++ ${deployedName} (candidate)\n@@ not diffed: more than ${MAX_DIFF_EDITS} lines differ (${was} lines against ${now}) @@`,
    };
  }
  const lines = patch.split('\n');
  let plus = 0;
  let minus = 0;
  for (const l of lines) {
    if (l.startsWith('+') && !l.startsWith('+++')) plus++;
    else if (l.startsWith('-') && !l.startsWith('---')) minus++;
  }
  return {
    identical: false,
    added: [...after].filter((n) => !before.has(n)),
    removed: [...before].filter((n) => !after.has(n)),
    lines_added: plus,
    lines_removed: minus,
    diff: lines
      .filter((l) => !l.startsWith('====='))
      .map((l) => maskSecrets(l))
      .join('\n')
      .trimEnd(),
  };
}
