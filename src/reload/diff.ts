// What a reload changes: the unified diff of the deployed file against the candidate (secrets
// masked), and the public names it adds and removes.
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
    const doc = parse(text) as { model_list?: { model_name?: unknown }[] } | null;
    return [...new Set((doc?.model_list ?? []).map((m) => String(m.model_name)))].sort();
  } catch {
    return [];
  }
}

export function diffConfigs(deployedName: string, deployed: string | undefined, candidate: string): ConfigChange {
  if (deployed === candidate) return { identical: true, added: [], removed: [], lines_added: 0, lines_removed: 0, diff: '' };
  const before = new Set(servedNamesOf(deployed));
  const after = new Set(servedNamesOf(candidate));
  const patch = createTwoFilesPatch(deployed === undefined ? '/dev/null' : `${deployedName} (deployed)`, `${deployedName} (candidate)`, deployed ?? '', candidate, undefined, undefined, { context: 3 });
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
