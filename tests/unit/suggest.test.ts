import { describe, expect, test } from 'vitest';
import { boundedDistance, Suggester, suggestOne } from '../../src/util/suggest.js';

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
