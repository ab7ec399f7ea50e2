// Deterministic ordering and hashing: the same data gives the same bytes whatever the order of
// keys in the sources and whatever the machine's locale.
import { createHash } from 'node:crypto';

export function byCodePoint(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** A copy with every mapping's keys sorted; lists keep their order (it carries meaning). */
export function sortKeysDeep<T>(value: T): T {
  if (Array.isArray(value)) return value.map(sortKeysDeep) as T;
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(value).sort(byCodePoint)) out[k] = sortKeysDeep((value as Record<string, unknown>)[k]);
    return out as T;
  }
  return value;
}

export function canonicalJson(value: unknown): string {
  return JSON.stringify(sortKeysDeep(value));
}

export function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}
