import { parse } from 'yaml';
import { describe, expect, test } from 'vitest';
import { discover } from '../../../src/operate/discover.js';
import type { ProviderStatus } from '../../../src/operate/status.js';

const st = (id: string, unregistered: string[], reachable = true): ProviderStatus => ({
  id,
  type: 'ollama',
  url: '',
  probe_url: '',
  reachable,
  latency_ms: 1,
  served: unregistered,
  missing: [],
  unregistered,
  routed: [],
});

describe('discover', () => {
  const text =
    'version: 1\nproviders:\n  a:\n    type: ollama\n    base_url: http://127.0.0.1:1   # note\n    models:\n      - name: x\n        capabilities: [chat]\n\n  b:\n    type: ollama\n    base_url: http://127.0.0.1:2\n    status: disabled\n';

  test('splices new entries after the last model, leaving every other byte alone', () => {
    const d = discover(text, [st('a', ['mistral', 'yes'])]);
    expect(d.text).toBe(
      text.replace('        capabilities: [chat]\n', '        capabilities: [chat]\n      - name: mistral\n      - name: "yes"\n'),
    );
  });

  test('a provider without a model list gets one (the document is re-serialised), others are kept', () => {
    const d = discover(text, [st('a', ['y']), st('b', ['z'])]);
    const data = parse(d.text);
    expect(data.providers.a.models.map((m: { name: string }) => m.name)).toEqual(['x', 'y']);
    expect(data.providers.b.models).toEqual([{ name: 'z' }]);
    expect(d.text).toContain('# note');
  });

  test('unreachable providers and nothing new: no change', () => {
    expect(discover(text, [st('a', ['y'], false), st('b', [])]).text).toBe(text);
  });
});
