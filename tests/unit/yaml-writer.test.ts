// The output writer must round-trip through a YAML parser, and must quote every string that a
// YAML 1.1 parser (PyYAML, which LiteLLM uses) would read as something else.
import { parse } from 'yaml';
import { describe, expect, test } from 'vitest';
import { scalar, writeYaml } from '../../src/emit/yaml-writer.js';

describe('writeYaml', () => {
  test('round-trips nested data, empty collections and awkward strings', () => {
    const data = {
      model_list: [
        { model_name: 'llama3.1:8b', litellm_params: { model: 'ollama_chat/llama3.1:8b', api_base: 'http://127.0.0.1:11434', weight: 3 } },
        { model_name: 'a b', litellm_params: { model: 'x: y', api_key: 'os.environ/KEY' } },
      ],
      router_settings: { fallbacks: [{ 'llama3.1:8b': ['qwen2.5-coder:7b', 'coder'] }], nested: [[1, 2], [], {}], empty: {} },
      litellm_settings: { s: ['#hash', '- dash', "it's", 'multi\nline', '', ' lead', 'trail ', '"q"', '{a}', '[b]', '*star', '&amp', '!bang', '%pc', '@at', '`tick', '|', '>', '?', ':', 'key:', 'ünïcödé', 'tab\there'] },
      general_settings: { n: null, t: true, f: false, i: 42, x: 1.5, neg: -3, inf: Infinity, ninf: -Infinity },
    };
    expect(parse(writeYaml(data))).toEqual(data);
  });

  test.each(['yes', 'No', 'on', 'OFF', 'y', 'true', 'null', '~', '123', '1_000', '0755', '1:30', '8:30', '1e5', '.5', '2026-11-26', '2026-11-26T10:00:00Z', '2026-11-26 10:00:00', '0x1F', '1.0', '+1', '-1', '.inf', '.nan'])(
    '%s is quoted, because a YAML 1.1 parser would not read it as a string',
    (s) => {
      expect(scalar(s)).toBe(JSON.stringify(s));
      expect(parse(`v: ${scalar(s)}`)).toEqual({ v: s });
    },
  );

  test.each(['llama3.1:8b', 'qwen2.5-coder:7b', 'Qwen/Qwen2.5-Coder-7B-Instruct-AWQ', 'ollama_chat/llama3.1:8b', 'http://127.0.0.1:11434', 'os.environ/LITELLM_MASTER_KEY', 'simple-shuffle', '8b'])(
    '%s stays plain',
    (s) => {
      expect(scalar(s)).toBe(s);
    },
  );

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
