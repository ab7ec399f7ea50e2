// Which settings make LiteLLM import Python (src/config/compile/code-loading.ts): every key it
// knows, what counts as a dotted path, and the copy `validate --deep` loads without them.
import { describe, expect, test } from 'vitest';
import { codeLoads, withoutCodeLoads } from '../../../src/config/compile/code-loading.js';

const DOTTED_LITELLM = [
  'callbacks',
  'success_callback',
  'failure_callback',
  'audit_log_callbacks',
  'service_callback',
  'input_callback',
  'post_call_rules',
  'pre_call_rules',
  'custom_provider_map',
  'guardrails',
];
const ALWAYS_GENERAL = [
  'custom_auth',
  'custom_key_generate',
  'custom_key_update',
  'custom_key_policy',
  'custom_team_metadata_validate',
  'custom_sso',
  'custom_ui_sso_sign_in_handler',
];

describe('codeLoads', () => {
  test.each(DOTTED_LITELLM)('litellm_settings.%s with a dotted path loads code', (key) => {
    expect(codeLoads({ litellm_settings: { [key]: ['prometheus', 'mine.handler'] } })).toEqual([
      { path: ['litellm_settings', key, 1], module: 'mine.handler' },
    ]);
  });

  test('router_settings.plugins with a dotted path loads code', () => {
    expect(codeLoads({ router_settings: { plugins: ['pkg.mod.Plugin'] } })).toEqual([
      { path: ['router_settings', 'plugins', 0], module: 'pkg.mod.Plugin' },
    ]);
  });

  test.each(ALWAYS_GENERAL)('general_settings.%s always loads code, dotted or not', (key) => {
    expect(codeLoads({ general_settings: { [key]: 'handler' } })).toEqual([{ path: ['general_settings', key], module: 'handler' }]);
  });

  test('the same keys in another section load nothing', () => {
    expect(codeLoads({ general_settings: { callbacks: ['mine.handler'], plugins: ['a.b'] } })).toEqual([]);
    expect(codeLoads({ litellm_settings: { custom_auth: 'a.b' }, router_settings: { custom_auth: 'a.b', callbacks: ['a.b'] } })).toEqual(
      [],
    );
  });

  test.each([
    ['prometheus', false],
    ['a.b', true],
    ['_a1.b_2.C3', true],
    [' a.b', false],
    ['a.b ', false],
    ['a.b-c', false],
    ['1a.b', false],
    ['a..b', false],
    ['a.', false],
    ['.a', false],
    ['https://example.com/x.y', false],
  ])('%j is a Python path: %s', (value, code) => {
    expect(codeLoads({ litellm_settings: { callbacks: value } }).length).toBe(code ? 1 : 0);
  });

  test('an always-code key that is empty, null or absent loads nothing; one that is not a string is shown as JSON', () => {
    expect(codeLoads({ general_settings: { custom_auth: '' } })).toEqual([]);
    expect(codeLoads({ general_settings: { custom_auth: null } })).toEqual([]);
    expect(codeLoads({ general_settings: { custom_auth: undefined } })).toEqual([]);
    expect(codeLoads({ general_settings: { custom_auth: { module: 'x' } } })).toEqual([
      { path: ['general_settings', 'custom_auth'], module: '{"module":"x"}' },
    ]);
  });

  test('a section that is not a mapping is skipped', () => {
    expect(codeLoads({ litellm_settings: 'callbacks' as never, general_settings: null as never })).toEqual([]);
  });

  test('dotted paths are found inside mappings and lists, in order, down to 16 levels', () => {
    expect(codeLoads({ litellm_settings: { guardrails: [{ g: { callback: 'a.b' } }, 'c.d'] } })).toEqual([
      { path: ['litellm_settings', 'guardrails', 0, 'g', 'callback'], module: 'a.b' },
      { path: ['litellm_settings', 'guardrails', 1], module: 'c.d' },
    ]);
    const nest = (depth: number): unknown => (depth === 0 ? 'deep.module' : [nest(depth - 1)]);
    expect(codeLoads({ litellm_settings: { callbacks: nest(16) } })).toHaveLength(1);
    expect(codeLoads({ litellm_settings: { callbacks: nest(17) } })).toHaveLength(0);
  });
});

describe('withoutCodeLoads', () => {
  test('removes list entries (the last first), keys that are not lists and always-code keys; the rest stays; the input is untouched', () => {
    const config = {
      model_list: [],
      litellm_settings: { callbacks: ['a.b', 'prometheus', 'c.d', 'e.f'], success_callback: 'g.h', drop_params: true },
      general_settings: { custom_auth: 'x', master_key: 'os.environ/K' },
      router_settings: { plugins: ['p.q'], routing_strategy: 'simple-shuffle' },
    };
    const before = structuredClone(config);
    const { config: safe, removed } = withoutCodeLoads(config);
    expect(safe).toEqual({
      model_list: [],
      litellm_settings: { callbacks: ['prometheus'], drop_params: true },
      general_settings: { master_key: 'os.environ/K' },
      router_settings: { plugins: [], routing_strategy: 'simple-shuffle' },
    });
    expect(removed.map((r) => r.module)).toEqual(['a.b', 'c.d', 'e.f', 'g.h', 'x', 'p.q']);
    expect(config).toEqual(before);
  });

  test('a config that loads no code comes back equal, with nothing removed', () => {
    const config = { litellm_settings: { callbacks: ['prometheus'] } };
    expect(withoutCodeLoads(config)).toEqual({ config, removed: [] });
  });
});
