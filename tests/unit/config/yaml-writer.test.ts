// The output writer must round-trip through a YAML parser, and must quote every string that a
// YAML 1.1 parser (PyYAML, which LiteLLM uses) would read as something else.
import { parse } from 'yaml';
import { describe, expect, test } from 'vitest';
import { scalar, writeYaml } from '../../../src/config/emit/yaml-writer.js';

describe('writeYaml', () => {
  test('round-trips nested data, empty collections and awkward strings', () => {
    const data = {
      model_list: [
        { model_name: 'llama3.1:8b', litellm_params: { model: 'ollama_chat/llama3.1:8b', api_base: 'http://127.0.0.1:11434', weight: 3 } },
        { model_name: 'a b', litellm_params: { model: 'x: y', api_key: 'os.environ/KEY' } },
      ],
      router_settings: { fallbacks: [{ 'llama3.1:8b': ['qwen2.5-coder:7b', 'coder'] }], nested: [[1, 2], [], {}], empty: {} },
      litellm_settings: {
        s: [
          '#hash',
          '- dash',
          "it's",
          'multi\nline',
          '',
          ' lead',
          'trail ',
          '"q"',
          '{a}',
          '[b]',
          '*star',
          '&amp',
          '!bang',
          '%pc',
          '@at',
          '`tick',
          '|',
          '>',
          '?',
          ':',
          'key:',
          'ünïcödé',
          'tab\there',
        ],
      },
      general_settings: { n: null, t: true, f: false, i: 42, x: 1.5, neg: -3, inf: Infinity, ninf: -Infinity },
    };
    expect(parse(writeYaml(data))).toEqual(data);
  });

  test.each([
    'yes',
    'No',
    'on',
    'OFF',
    'y',
    'true',
    'null',
    '~',
    '123',
    '1_000',
    '0755',
    '1:30',
    '8:30',
    '1e5',
    '.5',
    '2026-11-26',
    '2026-11-26T10:00:00Z',
    '2026-11-26 10:00:00',
    '0x1F',
    '1.0',
    '+1',
    '-1',
    '.inf',
    '.nan',
  ])('%s is quoted, because a YAML 1.1 parser would not read it as a string', (s) => {
    expect(scalar(s)).toBe(JSON.stringify(s));
    expect(parse(`v: ${scalar(s)}`)).toEqual({ v: s });
  });

  test.each([
    'llama3.1:8b',
    'qwen2.5-coder:7b',
    'Qwen/Qwen2.5-Coder-7B-Instruct-AWQ',
    'ollama_chat/llama3.1:8b',
    'http://127.0.0.1:11434',
    'os.environ/LITELLM_MASTER_KEY',
    'simple-shuffle',
    '8b',
  ])('%s stays plain', (s) => {
    expect(scalar(s)).toBe(s);
  });

  test.each([
    ['DEL', 'a\u007fb', '"a\\x7fb"'],
    ['C1 control', 'a\u0085b', '"a\\x85b"'],
    ['line separator', 'a\u2028b', '"a\\u2028b"'],
    ['byte order mark', 'a\ufeffb', '"a\\ufeffb"'],
    ['C0 control', 'a\u0001b', '"a\\u0001b"'],
  ])('a %s is escaped, as YAML requires of a double-quoted scalar, and reads back the same', (_what, s, written) => {
    expect(scalar(s)).toBe(written);
    expect(parse(`v: ${scalar(s)}`)).toEqual({ v: s });
  });
});

describe('scalar: every value type and every YAML 1.1 spelling', () => {
  test.each([
    [null, 'null'],
    [undefined, 'null'],
    [true, 'true'],
    [false, 'false'],
    [0, '0'],
    [-2.5, '-2.5'],
    [Number.NaN, '.nan'],
    [Infinity, '.inf'],
    [-Infinity, '-.inf'],
    [12345678901234567890n, '12345678901234567890'],
  ])('%s is written %s', (v, written) => {
    expect(scalar(v)).toBe(written);
  });

  test.each([
    'True',
    'TRUE',
    'False',
    'FALSE',
    'Null',
    'NULL',
    'Y',
    'YES',
    'Yes',
    'n',
    'N',
    'no',
    'NO',
    'On',
    'ON',
    'off',
    'Off',
    '0o17',
    '0b1010',
    '0x_ff',
    '2026-1-5',
    '2026-01-05x',
    '+.5',
    '-.5e3',
    '1__0',
  ])('%s is quoted', (s) => {
    expect(scalar(s)).toBe(JSON.stringify(s));
  });

  test.each(['yesterday', 'only', 'noon', 'offset', 'nullable', 'trueish', 'x2026-11-26', 'v1.0', 'a-1', 'n1', 'model-2026'])(
    '%s stays plain: it only starts like a reserved word or number',
    (s) => {
      expect(scalar(s)).toBe(s);
    },
  );

  test.each([
    ['a lone high surrogate', 'a\ud800b', '"a\\ud800b"'],
    ['a lone low surrogate', 'a\udc00b', '"a\\udc00b"'],
    ['the last C1 control', 'a\u009fb', '"a\\x9fb"'],
    ['U+FFFE', 'a\ufffeb', '"a\\ufffeb"'],
    ['U+FFFF', 'a\uffffb', '"a\\uffffb"'],
    ['paragraph separator', 'a\u2029b', '"a\\u2029b"'],
  ])('%s is escaped', (_what, s, written) => {
    expect(scalar(s)).toBe(written);
  });

  test('a valid surrogate pair (an emoji) and printable non-ASCII stay as they are', () => {
    expect(scalar('a😀b')).toBe('"a😀b"');
    expect(scalar('ÿ')).toBe('"ÿ"');
    expect(parse(`v: ${scalar('a😀b')}`)).toEqual({ v: 'a😀b' });
  });
});
