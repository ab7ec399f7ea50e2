import { describe, expect, test } from 'vitest';
import { boundedDistance, Suggester, suggestOne } from '../../../src/util/suggest.js';

describe('boundedDistance', () => {
  test.each([
    ['kitten', 'sitting', 9, 3],
    ['abc', 'abc', 2, 0],
    ['abc', 'acb', 2, 1], // a swap of neighbours counts once
    ['', 'abc', 5, 3],
    ['abcdef', 'uvwxyz', 2, 3], // above the limit: limit + 1
  ])('%s ~ %s (limit %i) = %i', (a, b, limit, d) => {
    expect(boundedDistance(a, b, limit)).toBe(d);
  });
});

describe('Suggester', () => {
  const keys = ['base_url', 'type', 'status', 'description', 'api_key', 'timeout_s', 'models'];
  test.each([
    ['bse_url', 'base_url'],
    ['baseurl', 'base_url'],
    ['typ', 'type'],
    ['Models', 'models'],
    ['api-key', 'api_key'],
    ['timeout', 'timeout_s'],
  ])('%s -> %s', (word, want) => {
    expect(new Suggester(keys).suggest(word)).toBe(want);
  });

  test('shortcuts that edit distance alone would not find: case only, and a prefix', () => {
    // Far by edit distance (7 and 5 edits), found by the prefix fallback, both ways.
    expect(suggestOne('llama3', ['llama3.1:8b-instruct', 'mistral'])).toBe('llama3.1:8b-instruct');
    expect(suggestOne('qwen2.5-coder:7b-instruct-q4', ['qwen2.5-coder', 'phi3'])).toBe('qwen2.5-coder');
    // Case differences win over a nearer spelling.
    expect(suggestOne('BASE_URL', ['base_url', 'BASE_URI'])).toBe('base_url');
    // Ties break alphabetically, whatever the order given.
    expect(suggestOne('modl', ['mode', 'model'])).toBe(suggestOne('modl', ['model', 'mode']));
  });

  test('suggests nothing when nothing is close', () => {
    expect(suggestOne('zzzzzzzz', keys)).toBeUndefined();
    expect(suggestOne('x', ['llama3.1:8b'])).toBeUndefined();
  });

  test('finds the one near name among 20,000', () => {
    const names = Array.from({ length: 20_000 }, (_, i) => `model-${i.toString(36)}-instruct`);
    const s = new Suggester(names);
    expect(s.suggest('model-7ps-instrcut')).toBe('model-7ps-instruct');
    expect(s.suggest('completely-different-name')).toBeUndefined();
  });
});

describe('Suggester: the bounds that decide', () => {
  test.each([
    // [word, candidate, found?] at the edge of the distance each length allows: 1 up to 3 letters, 2 up to 6, then len/4 (at most 4)
    ['abx', 'abc', true],
    ['axy', 'abc', false],
    ['abxy', 'abcd', true],
    ['axyz', 'abcd', false],
    ['abcdxy', 'abcdef', true],
    ['abwxyz', 'abcdef', false],
    ['abcdxyz', 'abcdefg', false], // 7 letters: 2 edits allowed, this is 3
    ['abcdefxyz', 'abcdefghi', true], // 9 letters: 3 allowed
    ['abcdefghijklmnopwxyz', 'abcdefghijklmnopqrst', true], // 20 letters: 4 allowed (not 5)
    ['abcdefghijklmnovwxyz', 'abcdefghijklmnopqrst', false], // 5 edits
  ])('%s near %s: %s', (word, candidate, found) => {
    expect(suggestOne(word, [candidate, 'zzzzzzzzzzzzzzzzzzzzzzzzzzzzzz'])).toBe(found ? candidate : undefined);
  });

  test('the prefix fallback needs at least 4 letters', () => {
    expect(suggestOne('lla', ['llama3.1:8b-instruct'])).toBeUndefined();
    expect(suggestOne('llam', ['llama3.1:8b-instruct'])).toBe('llama3.1:8b-instruct');
  });

  test('a tie goes to the alphabetically first; a nearer length is searched first and wins its ties', () => {
    expect(suggestOne('modl', ['mods', 'mode'])).toBe('mode');
    expect(suggestOne('modl', ['mode', 'mods'])).toBe('mode');
    // 'mode' (same length) and 'mod' (one shorter) are both one edit away: the same length is searched first
    expect(suggestOne('modl', ['mod', 'mode'])).toBe('mode');
    expect(suggestOne('modl', ['model', 'mode'])).toBe('mode');
  });

  test('a nearer candidate beats a farther one met first', () => {
    expect(suggestOne('abcdefgh', ['abcdefgh12', 'abcdefgx'])).toBe('abcdefgx');
  });

  test('the word itself is not a suggestion; of two case variants the first given wins', () => {
    expect(suggestOne('type', ['type'])).toBeUndefined();
    expect(suggestOne('base', ['Base', 'BASE'])).toBe('Base');
  });

  test('the same question twice gets the same answer (cached)', () => {
    const s = new Suggester(['alpha', 'beta']);
    expect(s.suggest('alpah')).toBe('alpha');
    expect(s.suggest('alpah')).toBe('alpha');
    expect(s.suggest('gamma')).toBeUndefined();
    expect(s.suggest('gamma')).toBeUndefined();
  });
});

describe('boundedDistance: transpositions and the cut-off', () => {
  test.each([
    ['ab', 'ba', 2, 1],
    ['abc', 'bac', 2, 1],
    ['abcd', 'abdc', 2, 1],
    ['abc', 'cba', 3, 2],
    ['abc', 'xyz', 3, 3], // exactly the limit: the distance, not limit + 1
    ['abc', 'xyz', 2, 3],
    ['a', 'abcd', 2, 3], // lengths too far apart: limit + 1 at once
    ['ab', 'cd', 1, 2],
    ['abcdef', 'abcdxy', 2, 2],
    ['abcdef', 'abcxyz', 2, 3],
  ])('%s ~ %s (limit %i) = %i', (a, b, limit, d) => {
    expect(boundedDistance(a, b, limit)).toBe(d);
  });
});

// Issue 20: the banded computation must give exactly what the full table gives, within the limit.
describe('boundedDistance: the band of 2k+1 is exact', () => {
  function fullOsa(a: string, b: string): number {
    const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) => [i]);
    for (let j = 0; j <= b.length; j++) d[0]![j] = j;
    for (let i = 1; i <= a.length; i++) {
      for (let j = 1; j <= b.length; j++) {
        const c = a[i - 1] === b[j - 1] ? 0 : 1;
        let v = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + c);
        if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) v = Math.min(v, d[i - 2]![j - 2]! + 1);
        d[i]![j] = v;
      }
    }
    return d[a.length]![b.length]!;
  }
  test('20,000 seeded random pairs over a small alphabet', () => {
    let seed = 7;
    const r = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
    const word = () => Array.from({ length: Math.floor(r() * 10) }, () => 'abc'[Math.floor(r() * 3)]).join('');
    for (let t = 0; t < 20_000; t++) {
      const a = word();
      const b = word();
      const k = Math.floor(r() * 5);
      const full = fullOsa(a, b);
      expect(boundedDistance(a, b, k), `${a} ${b} ${k}`).toBe(full <= k ? full : k + 1);
    }
  });
});

describe('Suggester: a shared budget bounds the work of one run', () => {
  test('once spent, lookups offer nothing; before, they are exact', async () => {
    const { SuggestBudget } = await import('../../../src/util/suggest.js');
    const names = Array.from({ length: 2000 }, (_, i) => `model-${String(i).padStart(5, '0')}-instruct-q4`);
    const budget = new SuggestBudget(5_000_000);
    const s = new Suggester(names, budget);
    expect(s.suggest('model-00042-instruct-q5')).toBe('model-00042-instruct-q4');
    // Four edits away from their own name: found exactly while the budget lasts, then not at all.
    const offered = names.map((n) => s.suggest(`zz${n.slice(2, -3)}xq9`));
    const last = offered.findIndex((o) => o === undefined);
    expect(last).toBeGreaterThan(0);
    expect(offered.slice(0, last)).toEqual(names.slice(0, last));
    expect(offered.slice(last).every((o) => o === undefined)).toBe(true);
    expect(budget.exhausted).toBe(true);
    expect(new Suggester(names, budget).suggest('model-00043-instruct-q5')).toBeUndefined();
    // A fresh run has its own budget.
    expect(new Suggester(names).suggest('model-00043-instruct-q5')).toBe('model-00043-instruct-q4');
  });
});
