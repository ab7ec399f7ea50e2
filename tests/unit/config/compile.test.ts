// The compiler: the example's output is pinned by a golden file, output is byte-identical
// whatever the key order of the sources, and each mapping rule of the spec holds.
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { isMap, parseDocument, type Document } from 'yaml';
import { afterAll, describe, expect, test } from 'vitest';
import { checkConfig } from '../../../src/config/check-config.js';
import { parseGenerated } from '../../../src/config/emit/emit.js';
import { resolvePaths } from '../../../src/config/load/paths.js';
import { sha256 } from '../../../src/util/canonical.js';
import { ROOT } from '../../helpers/cli.js';
import { checkFiles } from '../../helpers/check.js';
import { BASE, cleanupTempDirs, makeProject } from '../../helpers/fixtures.js';

afterAll(cleanupTempDirs);
const GOLDEN = path.join(ROOT, 'tests/golden/example.litellm-unified.yaml');
const env = { LITELLM_MASTER_KEY: 'x' };

function compileDir(configDir: string, cwd = ROOT) {
  const checked = checkConfig(resolvePaths(configDir, cwd), { env, unsetEnvSeverity: 'warning' });
  expect(checked.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
  return checked.compiled!;
}

describe('golden output', () => {
  test('the example config compiles to tests/golden/example.litellm-unified.yaml (UPDATE_GOLDEN=1 rewrites it)', () => {
    const { text } = compileDir('config');
    if (process.env.UPDATE_GOLDEN) writeFileSync(GOLDEN, text);
    expect(text).toBe(readFileSync(GOLDEN, 'utf8'));
  });

  test('the header names the tool, the sources and both hashes, and the body hash is right', () => {
    const { text } = compileDir('config');
    const parsed = parseGenerated(text)!;
    expect(parsed.header.tool).toBe('aibackend');
    expect(parsed.header.sources).toEqual([
      'config/providers.yaml',
      'config/model-mappings.yaml',
      'config/gateway.yaml',
      'config/ports.yaml',
    ]);
    expect(parsed.header.sourceHash).toMatch(/^[0-9a-f]{64}$/);
    expect(parsed.header.bodyHash).toBe(sha256(parsed.body));
    expect(text).not.toMatch(/20\d\d-\d\d-\d\d/); // no timestamps
  });
});

/** Rewrites every mapping of a YAML text with its keys in reverse order, comments dropped. */
function reverseKeys(text: string): string {
  const doc = parseDocument(text) as Document;
  const visit = (node: unknown) => {
    if (isMap(node)) {
      node.items.reverse();
      for (const p of node.items) visit(p.value);
    } else if (node && typeof node === 'object' && 'items' in node) {
      for (const i of (node as { items: unknown[] }).items) visit(i);
    }
  };
  visit(doc.contents);
  return doc.toString();
}

describe('determinism', () => {
  test('the same sources in another key order give byte-identical output', () => {
    const a = compileDir('config').text;
    const files: Record<string, string> = {};
    for (const f of ['providers.yaml', 'model-mappings.yaml', 'gateway.yaml', 'ports.yaml']) {
      files[f] = reverseKeys(readFileSync(path.join(ROOT, 'config', f), 'utf8'));
    }
    expect(files['providers.yaml']!.indexOf('anthropic')).toBeLessThan(files['providers.yaml']!.indexOf('ollama'));
    const { project } = makeProject(files, path.join(ROOT, 'config'));
    const b = compileDir('config', project).text;
    expect(b).toBe(a);
  });

  test('two compiles of the same sources are identical', () => {
    expect(compileDir('config').text).toBe(compileDir('config').text);
  });
});

describe('mapping rules', () => {
  const P = readFileSync(path.join(BASE, 'providers.yaml'), 'utf8');
  const M = readFileSync(path.join(BASE, 'model-mappings.yaml'), 'utf8');
  const G = readFileSync(path.join(BASE, 'gateway.yaml'), 'utf8');

  test.each([
    ['ollama', 'http://127.0.0.1:11434', 'ollama_chat/m'],
    ['vllm', 'http://127.0.0.1:8001/v1', 'hosted_vllm/m'],
    ['llama_cpp', 'http://127.0.0.1:8080/v1', 'openai/m'],
    ['openai_compatible', 'http://127.0.0.1:8080/v1', 'openai/m'],
    ['openai', undefined, 'openai/m'],
    ['anthropic', undefined, 'anthropic/m'],
  ])('%s becomes %s', (type, base, model) => {
    const providers = `version: 1\nproviders:\n  p:\n    type: ${type}\n${base ? `    base_url: ${base}\n` : ''}    api_key: env:P_KEY\n    models:\n      - name: m\n`;
    const mappings = 'version: 1\nmodels:\n  m:\n    routes:\n      - provider: p\n';
    const c = checkFiles(
      { 'providers.yaml': providers, 'model-mappings.yaml': mappings, 'ports.yaml': null },
      { LITELLM_MASTER_KEY: 'x', P_KEY: 'y' },
    );
    expect(c.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
    const entry = c.compiled!.config.model_list[0]!;
    expect(entry.litellm_params.model).toBe(model);
    expect(entry.litellm_params.api_base).toBe(base);
    expect(entry.litellm_params.api_key).toBe('os.environ/P_KEY');
  });

  test('ollama embedding models use the ollama provider, with mode embedding', () => {
    const c = checkFiles({
      'providers.yaml': P.replace(
        '      - name: qwen2.5-coder:7b\n',
        '      - name: qwen2.5-coder:7b\n      - name: nomic-embed-text\n        mode: embedding\n',
      ),
      'model-mappings.yaml': M.replace('aliases:', '  nomic-embed-text:\n    routes:\n      - provider: ollama\naliases:'),
    });
    const e = c.compiled!.config.model_list.find((m) => m.model_name === 'nomic-embed-text')!;
    expect(e.litellm_params.model).toBe('ollama/nomic-embed-text');
    expect(e.model_info).toEqual({ mode: 'embedding' });
  });

  test('weights are emitted for every route of a weighted load-balanced name, and only there', () => {
    const c = checkFiles({
      'providers.yaml': `${P}  vllm2:\n    type: vllm\n    base_url: http://127.0.0.1:8003/v1\n    models:\n      - name: Qwen/Qwen2.5-Coder-7B-Instruct-AWQ\n`,
      'model-mappings.yaml': M.replace(
        '        model: Qwen/Qwen2.5-Coder-7B-Instruct-AWQ\n',
        '        model: Qwen/Qwen2.5-Coder-7B-Instruct-AWQ\n        weight: 3\n      - provider: vllm2\n        model: Qwen/Qwen2.5-Coder-7B-Instruct-AWQ\n',
      ),
      'ports.yaml': null,
    });
    const lb = c.compiled!.config.model_list.filter((m) => m.model_name === 'qwen-coder-vllm');
    expect(lb.map((m) => [m.litellm_params.api_base, m.litellm_params.weight])).toEqual([
      ['http://127.0.0.1:8001/v1', 3],
      ['http://127.0.0.1:8003/v1', 1],
    ]);
    expect(c.compiled!.config.model_list.find((m) => m.model_name === 'llama3.1:8b')!.litellm_params).not.toHaveProperty('weight');
  });

  test('no weights for a load-balanced name whose routes are all unweighted; no empty fallbacks; no api_base for hosted APIs', () => {
    const c = checkFiles({
      'providers.yaml': `${P.replace('    status: disabled\n', '')}  vllm2:\n    type: vllm\n    base_url: http://127.0.0.1:8003/v1\n    models:\n      - name: Qwen/Qwen2.5-Coder-7B-Instruct-AWQ\n`,
      'model-mappings.yaml': M.replace(
        '        model: Qwen/Qwen2.5-Coder-7B-Instruct-AWQ\n',
        '        model: Qwen/Qwen2.5-Coder-7B-Instruct-AWQ\n      - provider: vllm2\n        model: Qwen/Qwen2.5-Coder-7B-Instruct-AWQ\n',
      ).replace('aliases:', '  gpt-4o-mini:\n    routes:\n      - provider: openai\naliases:'),
      'ports.yaml': null,
    });
    const cfg = c.compiled!.config;
    for (const m of cfg.model_list.filter((d) => d.model_name === 'qwen-coder-vllm')) expect(m.litellm_params).not.toHaveProperty('weight');
    expect(cfg.model_list.find((m) => m.model_name === 'gpt-4o-mini')!.litellm_params).not.toHaveProperty('api_base');
    const names = (cfg.router_settings.fallbacks as Record<string, string[]>[]).flatMap((f) => Object.keys(f));
    expect(names).not.toContain('gpt-4o-mini');
    const none = checkFiles({ 'model-mappings.yaml': 'version: 1\nmodels:\n  llama3.1:8b:\n    routes:\n      - provider: ollama\n' });
    expect(none.compiled!.config.router_settings).not.toHaveProperty('fallbacks');
  });

  test('aliases are served as their own model group and keep their target fallbacks', () => {
    const c = checkFiles({});
    const cfg = c.compiled!.config;
    const coder = cfg.model_list.filter((m) => m.model_name === 'coder');
    const target = cfg.model_list.filter((m) => m.model_name === 'qwen-coder-vllm');
    expect(coder.map((m) => m.litellm_params)).toEqual(target.map((m) => m.litellm_params));
    expect(cfg.router_settings.fallbacks).toEqual([
      { coder: ['qwen2.5-coder:7b'] },
      { 'llama3.1:8b': ['qwen2.5-coder:7b'] },
      { 'qwen-coder-vllm': ['qwen2.5-coder:7b'] },
    ]);
    expect(cfg.router_settings).not.toHaveProperty('model_group_alias');
  });

  test('router, Redis cache, JSON logs, Prometheus and passthrough settings', () => {
    const c = checkFiles(
      {
        'gateway.yaml': `${G}router:\n  strategy: least-busy\n  num_retries: 4\n  timeout_s: 30\n  allowed_fails: 1\n  cooldown_s: 5\ncache:\n  enabled: true\n  host: 127.0.0.1\n  port: 6380\n  password: env:REDIS_PASSWORD\n  ttl_s: 60\nmetrics:\n  prometheus: true\nlogging:\n  json: false\npassthrough:\n  overrides: [router_settings.num_retries]\n  litellm_settings:\n    drop_params: true\n  router_settings:\n    num_retries: 7\n  general_settings:\n    disable_spend_logs: true\n`,
        'ports.yaml': null,
      },
      { LITELLM_MASTER_KEY: 'x', REDIS_PASSWORD: 'y' },
    );
    const cfg = c.compiled!.config;
    expect(cfg.router_settings).toMatchObject({
      routing_strategy: 'least-busy',
      num_retries: 7,
      timeout: 30,
      allowed_fails: 1,
      cooldown_time: 5,
      redis_host: '127.0.0.1',
      redis_port: 6380,
      redis_password: 'os.environ/REDIS_PASSWORD',
    });
    expect(cfg.litellm_settings).toEqual({
      callbacks: ['prometheus'],
      cache: true,
      cache_params: { type: 'redis', host: '127.0.0.1', port: 6380, namespace: 'litellm', ttl: 60, password: 'os.environ/REDIS_PASSWORD' },
      drop_params: true,
    });
    expect(cfg.general_settings).toEqual({ master_key: 'os.environ/LITELLM_MASTER_KEY', disable_spend_logs: true });
    expect(c.compiled!.text).not.toContain('json_logs');
  });

  test('a passthrough value of the wrong shape is caught by the output schema, and nothing compiles', () => {
    const c = checkFiles({
      'gateway.yaml': `${G}passthrough:\n  overrides: [router_settings.num_retries]\n  router_settings:\n    num_retries: many\n`,
    });
    expect(c.compiled).toBeUndefined();
    expect(c.diagnostics.map((d) => d.code)).toContain('output-invalid');
  });

  test('passthrough maps merge deeply: cache_params keeps the compiled connection', () => {
    const c = checkFiles({
      'gateway.yaml': `${G}cache:\n  enabled: true\npassthrough:\n  litellm_settings:\n    cache_params:\n      supported_call_types: [acompletion]\n`,
    });
    expect(c.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
    expect(c.compiled!.config.litellm_settings.cache_params).toEqual({
      type: 'redis',
      host: '127.0.0.1',
      port: 6379,
      namespace: 'litellm',
      ttl: 3600,
      supported_call_types: ['acompletion'],
    });
  });

  test('passthrough.overrides lets a listed key replace a compiled one, and is not emitted', () => {
    const c = checkFiles({
      'gateway.yaml': `${G}passthrough:\n  overrides: [router_settings.num_retries]\n  router_settings:\n    num_retries: 7\n`,
    });
    expect(c.compiled!.config.router_settings.num_retries).toBe(7);
    expect(c.compiled!.text).not.toContain('overrides');
  });
});

describe('compile: keys, placeholders and aliases', () => {
  const P = readFileSync(path.join(BASE, 'providers.yaml'), 'utf8');
  const M = readFileSync(path.join(BASE, 'model-mappings.yaml'), 'utf8');
  const providers = (extra: string) => `${P}${extra}`;
  test('llama.cpp and OpenAI-compatible servers without a key get the placeholder; with one, os.environ', () => {
    const c = checkFiles(
      {
        'providers.yaml': providers(
          '  lc:\n    type: llama_cpp\n    base_url: http://127.0.0.1:8080/v1\n    models:\n      - name: m1\n  oc:\n    type: openai_compatible\n    base_url: http://127.0.0.1:8081/v1\n    models:\n      - name: m2\n  ok:\n    type: openai_compatible\n    base_url: http://127.0.0.1:8082/v1\n    api_key: env:OK_KEY\n    models:\n      - name: m3\n',
        ),
        'model-mappings.yaml': M.replace(
          'aliases:',
          '  m1:\n    routes:\n      - provider: lc\n  m2:\n    routes:\n      - provider: oc\n  m3:\n    routes:\n      - provider: ok\naliases:',
        ),
        'ports.yaml': null,
      },
      { LITELLM_MASTER_KEY: 'x', OK_KEY: 'y' },
    );
    const key = (n: string) => c.compiled!.config.model_list.find((m) => m.model_name === n)!.litellm_params.api_key;
    expect([key('m1'), key('m2'), key('m3')]).toEqual(['no-key-required', 'no-key-required', 'os.environ/OK_KEY']);
    // Ollama and vLLM need no key at all
    expect(c.compiled!.config.model_list.find((m) => m.model_name === 'llama3.1:8b')!.litellm_params).not.toHaveProperty('api_key');
  });

  test('a single route with a weight is not load-balanced: no weight', () => {
    const c = checkFiles({ 'model-mappings.yaml': M.replace('      - provider: vllm\n', '      - provider: vllm\n        weight: 3\n') });
    expect(c.compiled!.config.model_list.find((m) => m.model_name === 'qwen-coder-vllm')!.litellm_params).not.toHaveProperty('weight');
  });

  test('names are emitted in code-point order, however the sources order them', () => {
    const c = checkFiles({
      'model-mappings.yaml':
        'version: 1\nmodels:\n  zeta:\n    routes:\n      - { provider: ollama, model: llama3.1:8b }\n  Alpha:\n    routes:\n      - { provider: ollama, model: llama3.1:8b }\n  beta:\n    routes:\n      - { provider: ollama, model: llama3.1:8b }\n    fallbacks: [zeta]\n  alpha:\n    routes:\n      - { provider: ollama, model: llama3.1:8b }\n    fallbacks: [zeta]\naliases:\n  zz: beta\n  aa: beta\n',
    });
    expect(c.compiled!.config.model_list.map((m) => m.model_name)).toEqual(['Alpha', 'aa', 'alpha', 'beta', 'zeta', 'zz']);
    expect((c.compiled!.config.router_settings.fallbacks as Record<string, string[]>[]).map((f) => Object.keys(f)[0])).toEqual([
      'aa',
      'alpha',
      'beta',
      'zz',
    ]);
  });

  test('an alias of a name without fallbacks has none either', () => {
    const c = checkFiles({
      'model-mappings.yaml': M.replace('  coder: qwen-coder-vllm', '  coder: qwen-coder-vllm\n  small: qwen2.5-coder:7b'),
    });
    const names = (c.compiled!.config.router_settings.fallbacks as Record<string, string[]>[]).flatMap((f) => Object.keys(f));
    expect(names).not.toContain('small');
    expect(c.compiled!.config.model_list.filter((m) => m.model_name === 'small').map((m) => m.litellm_params.model)).toEqual([
      'ollama_chat/qwen2.5-coder:7b',
    ]);
  });

  test('a provider timeout is passed on; a model without mode is chat (no model_info)', () => {
    const c = checkFiles({ 'providers.yaml': P.replace('    type: vllm\n', '    type: vllm\n    timeout_s: 42\n') });
    const e = c.compiled!.config.model_list.find((m) => m.model_name === 'qwen-coder-vllm')!;
    expect(e.litellm_params.timeout).toBe(42);
    expect(e).not.toHaveProperty('model_info');
  });

  test('the cache password goes to the cache and the router as os.environ; none without one', () => {
    const G = readFileSync(path.join(BASE, 'gateway.yaml'), 'utf8');
    const withPw = checkFiles(
      { 'gateway.yaml': `${G}cache:\n  enabled: true\n  password: env:REDIS_PW\n` },
      { LITELLM_MASTER_KEY: 'x', REDIS_PW: 'y' },
    ).compiled!.config;
    expect((withPw.litellm_settings.cache_params as Record<string, unknown>).password).toBe('os.environ/REDIS_PW');
    expect(withPw.router_settings.redis_password).toBe('os.environ/REDIS_PW');
    const without = checkFiles({ 'gateway.yaml': `${G}cache:\n  enabled: true\n` }).compiled!.config;
    expect(without.litellm_settings.cache_params).not.toHaveProperty('password');
    expect(without.router_settings).not.toHaveProperty('redis_password');
  });

  test('passthrough maps replace a list and a scalar, and merge only map into map', () => {
    const G = readFileSync(path.join(BASE, 'gateway.yaml'), 'utf8');
    const c = checkFiles({
      'gateway.yaml': `${G}passthrough:\n  litellm_settings:\n    success_callback: [a]\n    default_fallbacks: [x]\n  router_settings:\n    routing_strategy_args: { ttl: 5 }\n`,
    }).compiled!.config;
    expect(c.litellm_settings.success_callback).toEqual(['a']);
    expect(c.router_settings.routing_strategy_args).toEqual({ ttl: 5 });
  });
});

describe('compile: MCP servers', () => {
  const P = readFileSync(path.join(BASE, 'providers.yaml'), 'utf8');
  const withMcp = (body: string) => checkFiles({ 'providers.yaml': `${P}mcp_servers:\n${body}` }, { LITELLM_MASTER_KEY: 'x', TOOLS_TOKEN: 't', FILES_KEY: 'k' });

  test('active servers only, sorted by id, keys in a fixed order; secrets as os.environ/; stdio as command and args', () => {
    const c = withMcp(
      [
        '  zeta:',
        '    timeout_s: 30',
        '    allow_all_keys: true',
        '    access_groups: [dev, ops]',
        '    auth: { token: env:TOOLS_TOKEN, type: bearer_token }',
        '    description: Zeta tools',
        '    url: http://127.0.0.1:8765/mcp',
        '  alpha:',
        '    transport: stdio',
        '    env: { Z_LEVEL: info, API_KEY: env:FILES_KEY }',
        '    command: [mcp-server-filesystem, /srv/shared, --read-only]',
        '  off:',
        '    url: http://127.0.0.1:8766/mcp',
        '    status: disabled',
        '',
      ].join('\n'),
    );
    expect(c.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
    const mcp = c.compiled!.config.mcp_servers!;
    expect(Object.keys(mcp)).toEqual(['alpha', 'zeta']);
    expect(Object.keys(mcp.zeta!)).toEqual(['url', 'transport', 'description', 'auth_type', 'authentication_token', 'access_groups', 'allow_all_keys', 'timeout']);
    expect(mcp.zeta).toMatchObject({ transport: 'http', auth_type: 'bearer_token', authentication_token: 'os.environ/TOOLS_TOKEN', timeout: 30 });
    expect(mcp.alpha).toEqual({
      command: 'mcp-server-filesystem',
      args: ['/srv/shared', '--read-only'],
      env: { API_KEY: 'os.environ/FILES_KEY', Z_LEVEL: 'info' },
      transport: 'stdio',
    });
    expect(c.compiled!.text).toContain('mcp_servers:\n  alpha:\n');
    expect(c.compiled!.text).not.toMatch(/\boff:|8766|secret|\bt\b\n/);
  });

  test('no active server: no mcp_servers key, so a config without MCP keeps its bytes', () => {
    const none = checkFiles({});
    const disabled = withMcp('  off:\n    url: http://127.0.0.1:8766/mcp\n    status: disabled\n');
    expect(none.compiled!.config.mcp_servers).toBeUndefined();
    expect(disabled.compiled!.text.replace(/^#.*\n/gm, '')).toBe(none.compiled!.text.replace(/^#.*\n/gm, ''));
  });
});
