// What a reload changes: the unified diff of the deployed file against the candidate (secrets
// masked), and the public names it adds and removes.
import { createTwoFilesPatch } from 'diff';
import { parse } from 'yaml';
import { maskSecrets } from '../util/secrets.js';

export interface ConfigChange {
  identical: boolean;
  added: string[];
  removed: string[];
  linesAdded: number;
  linesRemoved: number;
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
  if (deployed === candidate) return { identical: true, added: [], removed: [], linesAdded: 0, linesRemoved: 0, diff: '' };
  const before = new Set(servedNamesOf(deployed));
  const after = new Set(servedNamesOf(candidate));
  const patch = createTwoFilesPatch(deployed === undefined ? '/dev/null' : `${deployedName} (deployed)`, `${deployedName} (candidate)`, deployed ?? '', candidate, undefined, undefined, { context: 3 });
  const lines = patch.split('\n');
  let linesAdded = 0;
  let linesRemoved = 0;
  for (const l of lines) {
    if (l.startsWith('+') && !l.startsWith('+++')) linesAdded++;
    else if (l.startsWith('-') && !l.startsWith('---')) linesRemoved++;
  }
  return {
    identical: false,
    added: [...after].filter((n) => !before.has(n)),
    removed: [...before].filter((n) => !after.has(n)),
    linesAdded,
    linesRemoved,
    diff: lines
      .filter((l) => !l.startsWith('====='))
      .map((l) => maskSecrets(l))
      .join('\n')
      .trimEnd(),
  };
}
