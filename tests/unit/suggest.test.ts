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
