// One table per rule: inputs that must trigger it (with the code and the line) and inputs that
// must not. Positions are asserted as line numbers; prose is not asserted.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import type { CheckedConfig } from '../../../src/config/check-config.js';
import type { Diagnostic } from '../../../src/config/diagnostics/diagnostic.js';
import { endpointOf } from '../../../src/util/endpoint.js';
import { SECRET_PATTERNS } from '../../../src/util/secrets.js';
import { checkFiles } from '../../helpers/check.js';
import { BASE, cleanupTempDirs } from '../../helpers/fixtures.js';

afterAll(cleanupTempDirs);

const base = (f: string) => readFileSync(path.join(BASE, f), 'utf8');
const P = base('providers.yaml');
const M = base('model-mappings.yaml');
const G = base('gateway.yaml');
const PO = base('ports.yaml');

interface Row {
  name: string;
  files: Record<string, string | null>;
  /** [code, file, line] or [code, file, line, column] that must appear; empty means the rule's codes must not appear at all. */
  expect: ([string, string, number] | [string, string, number, number] | [string, string, number, number, number])[];
  /** The did-you-mean of each finding, when the row pins it. */
  suggest?: (string | undefined)[];
}

/**
 * A finding names what it points at: its message carries the text under its span, a part of it (the
 * port of a URL, the provider of a route) or the key on that line. A secret's finding is the
 * opposite: it never carries the value. Prose is not pinned; the data is.
 */
const DID_YOU_MEAN = new Set([
  'unknown-provider',
  'unknown-backend-model',
  'unknown-fallback',
  'unknown-alias-target',
  'passthrough-unknown-key',
  'invalid-value',
]);
const SECRET_CODES = new Set(['secret-in-source', 'secret-literal']);
function namesWhatItPointsAt(d: Diagnostic, checked: CheckedConfig): boolean {
  const source = Object.values(checked.loaded.texts).find((t) => t?.file === d.file);
  const line = source?.text.split('\n')[d.line - 1] ?? '';
  const token = line.slice(d.column - 1, d.column - 1 + (d.length ?? 1));
  const text = `${d.message} ${d.suggestion ?? ''}`;
  if (!d.message) return false;
  if (SECRET_CODES.has(d.code))
    return (
      token.length > 4 &&
      !text.includes(token.replace(/^["'#\s]+|["']$/g, '')) &&
      (d.code !== 'secret-in-source' || SECRET_PATTERNS.some((p) => text.includes(p.kind)))
    );
  const key = /^\s*(?:-\s*)?([^:#\s][^:#]*?)\s*:/.exec(line)?.[1]?.replace(/^["']|["']$/g, '');
  const parts = [
    token.replace(/^["']|["']$/g, ''),
    ...token.split(/[^A-Za-z0-9._-]+/).filter((x) => x.length >= 2 && !/^(https?|v1)$/.test(x)),
    ...(key ? [key] : []),
  ];
  return parts.some((p) => text.includes(p));
}

function table(rule: string, ruleCodes: string[], rows: Row[]) {
  describe(rule, () => {
    test.each(rows.map((r) => [r.name, r] as const))('%s', (_n, row) => {
      const checked = checkFiles(row.files);
      const mine = checked.diagnostics.filter((d) => ruleCodes.includes(d.code));
      const got = mine.map((d, i) =>
        [d.code, path.basename(d.file), d.line, d.column, d.length].slice(0, Math.max(3, row.expect[i]?.length ?? 3)),
      );
      expect(got).toEqual(row.expect);
      if (row.suggest) expect(mine.map((d) => d.suggestion)).toEqual(row.suggest);
      // A did-you-mean is said in the message too, not only carried as data.
      for (const d of mine) if (d.suggestion !== undefined && DID_YOU_MEAN.has(d.code)) expect(d.message).toContain(d.suggestion);
      // and no "did you mean" without a suggestion
      for (const d of mine) if (d.suggestion === undefined) expect(d.message).not.toMatch(/did you mean/);
      for (const d of mine) expect(namesWhatItPointsAt(d, checked), `${d.code} at ${d.line}:${d.column}: "${d.message}"`).toBe(true);
    });
  });
}

const withModel = (extra: string) => M.replace('aliases:\n', `${extra}aliases:\n`);

table(
  'check-routes',
  ['unknown-provider', 'disabled-provider', 'unknown-backend-model', 'duplicate-route'],
  [
    { name: 'the base config routes cleanly', files: {}, expect: [] },
    {
      name: 'unknown provider, at the value',
      files: { 'model-mappings.yaml': M.replace('provider: vllm', 'provider: vllmm') },
      expect: [['unknown-provider', 'model-mappings.yaml', 12, 19]],
      suggest: ['vllm'],
    },
    {
      name: 'disabled provider',
      files: { 'model-mappings.yaml': withModel('  gpt-4o-mini:\n    routes:\n      - provider: openai\n') },
      expect: [['disabled-provider', 'model-mappings.yaml', 17]],
    },
    {
      name: 'backend model not listed (explicit)',
      files: { 'model-mappings.yaml': M.replace('Instruct-AWQ', 'Instruct') },
      expect: [['unknown-backend-model', 'model-mappings.yaml', 13]],
      suggest: ['Qwen/Qwen2.5-Coder-7B-Instruct-AWQ'],
    },
    {
      name: 'backend model not listed (defaults to public name)',
      files: { 'model-mappings.yaml': withModel('  phi3:\n    routes:\n      - provider: ollama\n') },
      expect: [['unknown-backend-model', 'model-mappings.yaml', 17]],
    },
    {
      name: 'explicit backend model on another public name is fine',
      files: { 'model-mappings.yaml': withModel('  fast:\n    routes:\n      - provider: ollama\n        model: llama3.1:8b\n') },
      expect: [],
    },
    {
      name: 'same provider and model twice',
      files: {
        'model-mappings.yaml': withModel(
          '  lb:\n    routes:\n      - { provider: ollama, model: llama3.1:8b }\n      - { provider: ollama, model: llama3.1:8b }\n',
        ),
      },
      expect: [['duplicate-route', 'model-mappings.yaml', 18]],
    },
    {
      name: 'two providers, same backend model: load-balanced, fine',
      files: {
        'providers.yaml':
          P +
          '  vllm2:\n    type: vllm\n    base_url: http://127.0.0.1:8005/v1\n    models:\n      - name: Qwen/Qwen2.5-Coder-7B-Instruct-AWQ\n',
        'model-mappings.yaml': M.replace(
          '        model: Qwen/Qwen2.5-Coder-7B-Instruct-AWQ\n',
          '        model: Qwen/Qwen2.5-Coder-7B-Instruct-AWQ\n      - provider: vllm2\n        model: Qwen/Qwen2.5-Coder-7B-Instruct-AWQ\n',
        ),
      },
      expect: [],
    },
  ],
);

table(
  'check-fallbacks',
  ['unknown-fallback', 'self-fallback', 'fallback-cycle', 'duplicate-fallback'],
  [
    { name: 'a chain without a loop', files: {}, expect: [] },
    {
      name: 'a fallback to an alias is fine',
      files: { 'model-mappings.yaml': M.replace('fallbacks: [qwen2.5-coder:7b]', 'fallbacks: [coder]') },
      expect: [],
    },
    {
      name: 'unknown name',
      files: { 'model-mappings.yaml': M.replace('fallbacks: [qwen2.5-coder:7b]', 'fallbacks: [gpt-5]') },
      expect: [['unknown-fallback', 'model-mappings.yaml', 6]],
      suggest: [undefined],
    },
    {
      name: 'a misspelt name, and an alias among the candidates',
      files: { 'model-mappings.yaml': M.replace('fallbacks: [qwen2.5-coder:7b]', 'fallbacks: [qwen2.5-coder:7bb, codr]') },
      expect: [
        ['unknown-fallback', 'model-mappings.yaml', 6, 17],
        ['unknown-fallback', 'model-mappings.yaml', 6, 36],
      ],
      suggest: ['qwen2.5-coder:7b', 'coder'],
    },
    {
      name: 'itself',
      files: { 'model-mappings.yaml': M.replace('fallbacks: [qwen2.5-coder:7b]\n  qwen2.5', 'fallbacks: [llama3.1:8b]\n  qwen2.5') },
      expect: [['self-fallback', 'model-mappings.yaml', 6]],
    },
    {
      name: 'a two-step cycle',
      files: {
        'model-mappings.yaml': M.replace(
          '  qwen2.5-coder:7b:\n    routes:\n      - provider: ollama\n',
          '  qwen2.5-coder:7b:\n    routes:\n      - provider: ollama\n    fallbacks: [llama3.1:8b]\n',
        ),
      },
      expect: [['fallback-cycle', 'model-mappings.yaml', 6]],
    },
    {
      name: 'a cycle through an alias',
      files: {
        'model-mappings.yaml': M.replace(
          '  qwen2.5-coder:7b:\n    routes:\n      - provider: ollama\n',
          '  qwen2.5-coder:7b:\n    routes:\n      - provider: ollama\n    fallbacks: [coder]\n',
        ),
      },
      expect: [['fallback-cycle', 'model-mappings.yaml', 15]],
    },
    {
      name: 'a three-model cycle, reported on the edge that closes it',
      files: {
        'model-mappings.yaml': M.replace(
          '  qwen2.5-coder:7b:\n    routes:\n      - provider: ollama\n',
          '  qwen2.5-coder:7b:\n    routes:\n      - provider: ollama\n    fallbacks: [qwen-coder-vllm]\n',
        ).replace('    fallbacks: [qwen2.5-coder:7b]\naliases', '    fallbacks: [llama3.1:8b]\naliases'),
      },
      expect: [['fallback-cycle', 'model-mappings.yaml', 6, 17]],
    },
    {
      name: 'listed twice',
      files: { 'model-mappings.yaml': M.replace('fallbacks: [qwen2.5-coder:7b]', 'fallbacks: [qwen2.5-coder:7b, qwen2.5-coder:7b]') },
      expect: [['duplicate-fallback', 'model-mappings.yaml', 6]],
    },
  ],
);

table(
  'check-aliases',
  ['unknown-alias-target', 'alias-to-alias', 'alias-shadows-model'],
  [
    { name: 'an alias of a public name', files: {}, expect: [] },
    {
      name: 'unknown target',
      files: { 'model-mappings.yaml': M.replace('coder: qwen-coder-vllm', 'coder: qwen-coder') },
      expect: [['unknown-alias-target', 'model-mappings.yaml', 16]],
      suggest: ['qwen-coder-vllm'],
    },
    {
      name: 'alias of an alias',
      files: { 'model-mappings.yaml': `${M}  dev: coder\n` },
      expect: [['alias-to-alias', 'model-mappings.yaml', 17]],
    },
    {
      name: 'shadows a public name',
      files: { 'model-mappings.yaml': `${M}  llama3.1:8b: qwen-coder-vllm\n` },
      expect: [['alias-shadows-model', 'model-mappings.yaml', 17]],
    },
  ],
);

table(
  'check-providers',
  ['missing-base-url', 'provider-without-models', 'duplicate-backend-model'],
  [
    { name: 'hosted types need no base_url', files: {}, expect: [] },
    {
      name: 'local type without base_url',
      files: { 'providers.yaml': P.replace('    base_url: http://127.0.0.1:11434\n', '') },
      expect: [['missing-base-url', 'providers.yaml', 3]],
    },
    {
      name: 'disabled provider without models is fine',
      files: { 'providers.yaml': `${P}  spare:\n    type: anthropic\n    status: disabled\n` },
      expect: [],
    },
    {
      name: 'active provider without models',
      files: { 'providers.yaml': `${P}  spare:\n    type: anthropic\n` },
      expect: [['provider-without-models', 'providers.yaml', 20]],
    },
    {
      name: 'backend model listed twice',
      files: {
        'providers.yaml': P.replace('      - name: qwen2.5-coder:7b\n', '      - name: qwen2.5-coder:7b\n      - name: qwen2.5-coder:7b\n'),
      },
      expect: [['duplicate-backend-model', 'providers.yaml', 9]],
    },
  ],
);

table(
  'check-urls',
  ['invalid-url', 'url-credentials'],
  [
    { name: 'plain http URLs', files: {}, expect: [] },
    {
      name: 'https with a path',
      files: { 'providers.yaml': P.replace('http://127.0.0.1:8001/v1', 'https://vllm.internal.example:8443/v1') },
      expect: [],
    },
    {
      name: 'credentials',
      files: { 'providers.yaml': P.replace('http://127.0.0.1:8001/v1', 'http://u:p@127.0.0.1:8001/v1') },
      expect: [['url-credentials', 'providers.yaml', 11]],
    },
    {
      name: 'bad port',
      files: { 'providers.yaml': P.replace('http://127.0.0.1:8001/v1', 'http://127.0.0.1:99999/v1') },
      expect: [['invalid-url', 'providers.yaml', 11]],
    },
  ],
);

table(
  'check-secrets',
  ['secret-in-source', 'secret-literal'],
  [
    { name: 'env references only', files: {}, expect: [] },
    {
      name: 'a key in a comment, at its column',
      files: { 'ports.yaml': `${PO}# sk-abcdefghijklmnopqrstuvwx\n` },
      expect: [['secret-in-source', 'ports.yaml', 7, 3]],
    },
    {
      name: 'two keys in one file: both reported',
      files: { 'ports.yaml': `${PO}# sk-abcdefghijklmnopqrstuvwx\n# and ghp_${'a1B2'.repeat(9)}\n` },
      expect: [
        ['secret-in-source', 'ports.yaml', 7, 3],
        ['secret-in-source', 'ports.yaml', 8, 7],
      ],
    },
    {
      name: 'os.environ in passthrough is fine',
      files: {
        'gateway.yaml': `${G}passthrough:\n  general_settings:\n    database_url: os.environ/DATABASE_URL\n    alerting_token: os.environ/ALERT_TOKEN\n`,
      },
      expect: [],
    },
    {
      name: 'a literal token in passthrough',
      files: { 'gateway.yaml': `${G}passthrough:\n  litellm_settings:\n    slack_token: not-an-env-ref\n` },
      expect: [['secret-literal', 'gateway.yaml', 8]],
    },
    {
      name: 'a secret in the process runtime environment',
      files: {
        'gateway.yaml': `${G}runtime:\n  kind: process\n  command: [litellm]\n  env:\n    LITELLM_LOCAL_MODEL_COST_MAP: "True"\n    LITELLM_MASTER_KEY: hunter22\n`,
      },
      expect: [['secret-literal', 'gateway.yaml', 11]],
    },
    {
      name: 'words that merely mention keys are fine',
      files: {
        'providers.yaml': P.replace(
          '    type: vllm\n',
          '    type: vllm\n    description: "set api_key via env; sk- prefix keys go in the vault; sk-learn is a library"\n',
        ),
      },
      expect: [],
    },
  ],
);

table(
  'check-env',
  ['env-unset'],
  [
    { name: 'master key set', files: {}, expect: [] },
    {
      name: 'master key variable unset',
      files: { 'gateway.yaml': G.replace('LITELLM_MASTER_KEY', 'SOME_OTHER_UNSET_KEY') },
      expect: [['env-unset', 'gateway.yaml', 4]],
    },
    {
      name: 'disabled provider keys are not needed',
      files: { 'providers.yaml': P.replace('OPENAI_API_KEY', 'UNSET_OPENAI_KEY_FOR_TEST') },
      expect: [],
    },
    {
      name: "an active provider's key variable unset",
      files: {
        'providers.yaml': P.replace('OPENAI_API_KEY', 'UNSET_OPENAI_KEY_FOR_TEST').replace('    status: disabled\n', ''),
        'model-mappings.yaml': withModel('  gpt-4o-mini:\n    routes:\n      - provider: openai\n'),
      },
      expect: [['env-unset', 'providers.yaml', 16, 14]],
    },
  ],
);

table(
  'check-ports',
  ['port-conflict', 'port-reserved', 'port-unregistered'],
  [
    { name: 'every port registered once', files: {}, expect: [] },
    {
      name: 'registry double-booking',
      files: { 'ports.yaml': PO.replace('vllm: { port: 8001 }', 'vllm: { port: 11434 }') },
      expect: [
        ['port-conflict', 'ports.yaml', 5],
        ['port-unregistered', 'providers.yaml', 11],
      ],
    },
    {
      name: 'reserved port',
      files: { 'providers.yaml': P.replace(':8001/', ':8002/') },
      expect: [['port-reserved', 'providers.yaml', 11]],
    },
    {
      name: 'unregistered port is a warning',
      files: { 'providers.yaml': P.replace(':8001/', ':8009/') },
      expect: [['port-unregistered', 'providers.yaml', 11]],
    },
    {
      name: 'remote https provider needs no registry entry',
      files: { 'providers.yaml': P.replace('http://127.0.0.1:8001/v1', 'https://api.example.com/v1') },
      expect: [],
    },
    {
      name: 'a provider on a port the registry gives to another provider',
      files: {
        'ports.yaml': PO.replace('  vllm: { port: 8001 }', '  vllm: { port: 8001 }\n  llama: { port: 8009 }'),
        'providers.yaml': `${P.replace(':8001/', ':8009/')}  llama:\n    type: llama_cpp\n    base_url: http://127.0.0.1:8010/v1\n    status: disabled\n`,
      },
      expect: [['port-conflict', 'providers.yaml', 11]],
    },
    {
      name: 'registry names that are not provider ids are not compared',
      files: { 'ports.yaml': PO.replace('vllm: { port: 8001 }', 'inference: { port: 8001 }') },
      expect: [],
    },
    {
      name: 'localhost and 127.0.0.1 are one host: two providers on one loopback port',
      files: {
        'providers.yaml': P.replace('http://127.0.0.1:8001/v1', 'http://localhost:11434/v1').replace(
          'http://127.0.0.1:11434',
          'http://127.0.0.1:11434',
        ),
      },
      expect: [['port-conflict', 'providers.yaml', 11]],
    },
    {
      name: 'a registry entry on a reserved port',
      files: { 'ports.yaml': PO.replace('reserved: [8002]', 'reserved: [8002, 8001]') },
      expect: [
        ['port-reserved', 'ports.yaml', 5, 17],
        ['port-reserved', 'providers.yaml', 11, 15],
      ],
    },
    {
      name: 'the gateway on a reserved port',
      files: { 'gateway.yaml': G.replace('127.0.0.1:4000', '127.0.0.1:8002') },
      expect: [['port-reserved', 'gateway.yaml', 3, 8]],
    },
    {
      name: "the gateway on a provider's port",
      files: { 'gateway.yaml': G.replace('127.0.0.1:4000', 'localhost:11434') },
      expect: [['port-conflict', 'gateway.yaml', 3, 8]],
    },
    {
      name: 'a remote gateway host is not a loopback port',
      files: { 'gateway.yaml': G.replace('http://127.0.0.1:4000', 'http://gateway.internal.example:11434') },
      expect: [],
    },
    {
      name: "the Redis cache on localhost, on a provider's port",
      files: { 'gateway.yaml': `${G}cache:\n  enabled: true\n  host: localhost\n  port: 8001\n` },
      expect: [['port-conflict', 'gateway.yaml', 9, 9]],
    },
    {
      name: 'the Redis cache on another host may share a port number',
      files: { 'gateway.yaml': `${G}cache:\n  enabled: true\n  host: redis.internal.example\n  port: 8001\n` },
      expect: [],
    },
    {
      name: 'two services on one port of a remote host',
      files: {
        'gateway.yaml': `${G}cache:\n  enabled: true\n  host: shared.example\n  port: 8443\n`,
        'providers.yaml': P.replace('http://127.0.0.1:8001/v1', 'https://shared.example:8443/v1'),
      },
      expect: [['port-conflict', 'gateway.yaml', 9, 9]],
    },
    { name: 'a disabled cache uses no port', files: { 'gateway.yaml': `${G}cache:\n  enabled: false\n  port: 8001\n` }, expect: [] },
    {
      name: "replica ports: one on a provider's port, one unregistered",
      files: { 'gateway.yaml': `${G}replicas: 2\nreplica_ports: [8001, 4005]\ncache: { enabled: true }\n` },
      expect: [
        ['port-conflict', 'gateway.yaml', 7, 17],
        ['port-unregistered', 'gateway.yaml', 7, 23],
        ['port-unregistered', 'gateway.yaml', 8, 1],
      ],
    },
    { name: 'one replica: replica_ports are not in use', files: { 'gateway.yaml': `${G}replica_ports: [8001]\n` }, expect: [] },
    {
      name: "Grafana on a provider's port, when monitoring is on",
      files: {
        'gateway.yaml': `${G}metrics: { prometheus: true }\nmonitoring:\n  enabled: true\n  grafana: { url: "http://127.0.0.1:11434" }\n  prometheus: { url: "http://127.0.0.1:4000" }\n`,
      },
      expect: [
        ['port-conflict', 'gateway.yaml', 9, 19],
        ['port-conflict', 'gateway.yaml', 10, 22],
      ],
    },
    {
      name: 'monitoring off: its URLs use no port',
      files: { 'gateway.yaml': `${G}monitoring:\n  grafana: { url: "http://127.0.0.1:11434" }\n` },
      expect: [],
    },
    {
      name: 'no ports.yaml: no registry checks',
      files: { 'ports.yaml': null, 'providers.yaml': P.replace(':8001/', ':8009/') },
      expect: [],
    },
  ],
);

describe('severity', () => {
  test('warnings alone compile; errors do not', () => {
    const warn = checkFiles({ 'providers.yaml': P.replace(':8001/', ':8009/') });
    expect(warn.errors).toBe(0);
    expect(warn.warnings).toBe(1);
    expect(warn.compiled).toBeDefined();
    const err = checkFiles({ 'providers.yaml': P.replace(':8001/', ':8002/') });
    expect(err.errors).toBe(1);
    expect(err.compiled).toBeUndefined();
    // Both at once: errors and warnings are counted apart.
    const both = checkFiles({ 'providers.yaml': P.replace(':8001/', ':8002/').replace(':11434', ':11439') });
    expect([both.errors, both.warnings]).toEqual([1, 1]);
  });
});

// gateway.yaml lines below: 1 version, 2 gateway, 3 url, 4 master_key, 5 image, then what a row adds from line 6.
const PORTS = PO.replace(
  'reserved:',
  '  replica_a: { port: 4001 }\n  replica_b: { port: 4002 }\n  prometheus: { port: 9090 }\n  grafana: { port: 3000 }\nreserved:',
);
table(
  'check-topology: replicas',
  ['replica-ports', 'replica-port-placeholder', 'replicas-without-redis', 'not-implemented'],
  [
    { name: 'one replica (the default) needs nothing', files: {}, expect: [] },
    {
      name: 'two replicas with their ports and Redis: nothing to say',
      files: {
        'gateway.yaml': `${G}replicas: 2\nreplica_ports: [4001, 4002]\ncache:\n  enabled: true\n`,
        'ports.yaml': `${PORTS}  redis: { port: 6379 }\n`.replace('reserved: [8002]\n  redis', '  redis').concat(''),
      },
      expect: [],
    },
    {
      name: 'replicas without replica_ports',
      files: { 'gateway.yaml': `${G}replicas: 2\n`, 'ports.yaml': PORTS },
      expect: [
        ['replica-ports', 'gateway.yaml', 6],
        ['replicas-without-redis', 'gateway.yaml', 6],
      ],
    },
    {
      name: 'fewer ports than replicas',
      files: {
        'gateway.yaml': `${G}replicas: 3\nreplica_ports: [4001, 4002]\npassthrough:\n  router_settings:\n    redis_host: 127.0.0.1\n`,
        'ports.yaml': PORTS,
      },
      expect: [['replica-ports', 'gateway.yaml', 7]],
    },
    {
      name: "a replica on the load balancer's port, and a port twice",
      files: { 'gateway.yaml': `${G}replicas: 3\nreplica_ports: [4000, 4001, 4001]\ncache: { enabled: true }\n`, 'ports.yaml': PORTS },
      expect: [
        ['replica-ports', 'gateway.yaml', 7],
        ['replica-ports', 'gateway.yaml', 7],
      ],
    },
    {
      name: 'process runtime replicas without {port} (the process runtime rolls: no not-implemented)',
      files: {
        'gateway.yaml': `${G}replicas: 2\nreplica_ports: [4001, 4002]\ncache: { enabled: true }\nruntime:\n  kind: process\n  command: [litellm, --config, "{config}", --port, "4001"]\n`,
        'ports.yaml': PORTS,
      },
      expect: [['replica-port-placeholder', 'gateway.yaml', 11]],
    },
  ],
);

table(
  'check-topology: monitoring',
  [
    'monitoring-needs-metrics',
    'monitoring-dir-conflict',
    'output-outside-project',
    'not-implemented',
    'image-floating-tag',
    'env-unset',
    'port-unregistered',
  ],
  [
    {
      name: 'monitoring off (the default): only a declared unpinned image is flagged',
      files: { 'gateway.yaml': `${G}monitoring:\n  grafana: { image: grafana/grafana }\n` },
      expect: [['image-floating-tag', 'gateway.yaml', 7]],
    },
    {
      name: 'enabled without metrics.prometheus, an unpinned image, unregistered ports and an unset password',
      files: {
        'gateway.yaml': `${G}monitoring:\n  enabled: true\n  grafana: { image: grafana/grafana, admin_password: env:AIBACKEND_TEST_UNSET_GRAFANA }\n`,
      },
      expect: [
        ['port-unregistered', 'gateway.yaml', 6],
        ['monitoring-needs-metrics', 'gateway.yaml', 7],
        ['port-unregistered', 'gateway.yaml', 8],
        ['image-floating-tag', 'gateway.yaml', 8],
        ['env-unset', 'gateway.yaml', 8],
      ],
    },
    {
      name: 'enabled with metrics on, pinned images, registered ports: nothing (it is compiled, not "not implemented")',
      files: {
        'gateway.yaml': `${G}metrics: { prometheus: true }\nmonitoring:\n  enabled: true\n  prometheus: { image: "prom/prometheus:v3.5.0" }\n`,
        'ports.yaml': PORTS,
      },
      expect: [],
    },
    {
      name: 'monitoring.dir outside the project',
      files: {
        'gateway.yaml': `${G}metrics: { prometheus: true }\nmonitoring:\n  enabled: true\n  dir: ../elsewhere\n`,
        'ports.yaml': PORTS,
      },
      expect: [['output-outside-project', 'gateway.yaml', 9, 8]],
    },
    {
      name: 'monitoring.dir is the project directory',
      files: { 'gateway.yaml': `${G}metrics: { prometheus: true }\nmonitoring:\n  enabled: true\n  dir: .\n`, 'ports.yaml': PORTS },
      expect: [['monitoring-dir-conflict', 'gateway.yaml', 9, 8]],
    },
    {
      name: 'monitoring.dir inside the config directory',
      files: {
        'gateway.yaml': `${G}metrics: { prometheus: true }\nmonitoring:\n  enabled: true\n  dir: config/mon\n`,
        'ports.yaml': PORTS,
      },
      expect: [['monitoring-dir-conflict', 'gateway.yaml', 9, 8]],
    },
    {
      name: 'a monitoring.dir of its own is fine, and off it is not checked',
      files: { 'gateway.yaml': `${G}metrics: { prometheus: true }\nmonitoring:\n  enabled: false\n  dir: .\n`, 'ports.yaml': PORTS },
      expect: [],
    },
  ],
);

table(
  'provider metrics key',
  ['invalid-value', 'invalid-type', 'unknown-key'],
  [
    {
      name: 'a path or false is accepted',
      files: {
        'providers.yaml': P.replace('    type: vllm\n', '    type: vllm\n    metrics: /metrics\n').replace(
          '    type: ollama\n',
          '    type: ollama\n    metrics: false\n',
        ),
      },
      expect: [],
    },
  ],
);

table(
  'check-unused-providers',
  ['unused-provider'],
  [
    { name: 'every active provider is routed to', files: {}, expect: [] },
    {
      name: 'an active provider nothing routes to is a warning, at its id',
      files: { 'providers.yaml': `${P}  spare:\n    type: anthropic\n    models:\n      - name: claude-3-haiku\n` },
      expect: [['unused-provider', 'providers.yaml', 20, 3]],
    },
    {
      name: 'a disabled one is not',
      files: { 'providers.yaml': `${P}  spare:\n    type: anthropic\n    status: disabled\n    models:\n      - name: claude-3-haiku\n` },
      expect: [],
    },
  ],
);

// gateway.yaml lines: 1 version, 2 gateway, 3 url, 4 master_key, 5 image; a row's text starts at line 6.
const PT = (body: string) => ({ 'gateway.yaml': `${G}passthrough:\n${body}` });
// Issue 20: a passthrough key that makes LiteLLM import Python is code from the repository.
table(
  'check-passthrough: settings that load code',
  ['passthrough-loads-code'],
  [
    {
      name: "built-in callback names load nothing of the user's",
      files: PT('  litellm_settings:\n    callbacks: ["prometheus", "otel"]\n    success_callback: ["langfuse"]\n'),
      expect: [],
    },
    {
      name: 'a dotted callback path, at its entry; each callback list',
      files: PT(
        '  litellm_settings:\n    callbacks: ["prometheus", "custom_callbacks.handler"]\n    success_callback:\n      - my_logger.log_success\n    failure_callback: [alerts.on_failure]\n',
      ),
      expect: [
        ['passthrough-loads-code', 'gateway.yaml', 8, 31],
        ['passthrough-loads-code', 'gateway.yaml', 10, 9],
        ['passthrough-loads-code', 'gateway.yaml', 11, 24],
      ],
    },
    {
      name: 'custom auth, key generation and SSO hooks, at the value',
      files: PT('  general_settings:\n    custom_key_generate: hooks.keygen\n    custom_sso: hooks.sso\n'),
      expect: [
        ['passthrough-loads-code', 'gateway.yaml', 8, 26],
        ['passthrough-loads-code', 'gateway.yaml', 9, 17],
      ],
    },
    {
      name: 'a custom provider handler and a routing plugin',
      files: PT(
        '  litellm_settings:\n    custom_provider_map:\n      - { provider: my-llm, custom_handler: handlers.my_llm }\n  router_settings:\n    plugins: [routing.cheapest]\n',
      ),
      expect: [
        ['passthrough-loads-code', 'gateway.yaml', 9, 45],
        ['passthrough-loads-code', 'gateway.yaml', 11, 15],
      ],
    },
  ],
);

table(
  'check-passthrough',
  ['passthrough-unknown-key', 'passthrough-override', 'invalid-value'],
  [
    {
      name: 'keys LiteLLM accepts, none of them compiled',
      files: PT(
        '  litellm_settings:\n    disable_hf_tokenizer_download: true\n  router_settings:\n    retry_after: 5\n  general_settings:\n    max_parallel_requests: 10\n',
      ),
      expect: [],
    },
    {
      name: 'a router_settings key LiteLLM refuses to start with, at the key',
      files: PT('  router_settings:\n    health_check_interval: 30\n'),
      expect: [['passthrough-unknown-key', 'gateway.yaml', 8, 5]],
      suggest: ['general_settings.health_check_interval'],
    },
    {
      name: 'an unknown key in each section, with a suggestion where one is close',
      files: PT(
        '  router_settings:\n    num_retrys: 3\n  litellm_settings:\n    drop_parms: true\n  general_settings:\n    zzz_nothing_like_it: 1\n',
      ),
      expect: [
        ['passthrough-unknown-key', 'gateway.yaml', 8, 5],
        ['passthrough-unknown-key', 'gateway.yaml', 10, 5],
        ['passthrough-unknown-key', 'gateway.yaml', 12, 5],
      ],
      suggest: ['num_retries', 'drop_params', undefined],
    },
    {
      name: 'model_group_alias makes names aibackend does not know',
      files: PT('  router_settings:\n    model_group_alias: { gpt: llama3.1:8b }\n'),
      expect: [['passthrough-override', 'gateway.yaml', 8, 5]],
    },
    {
      name: 'a routing strategy LiteLLM does not have, at the value; the compiled one is overridden too',
      files: PT('  router_settings:\n    routing_strategy: least-bussy\n'),
      expect: [
        ['passthrough-override', 'gateway.yaml', 8, 5],
        ['invalid-value', 'gateway.yaml', 8, 23],
      ],
      suggest: ['router.strategy in gateway.yaml', 'least-busy'],
    },
    {
      name: 'each compiled router setting is refused with its source key',
      files: PT('  router_settings:\n    num_retries: 1\n    timeout: 5\n    allowed_fails: 2\n    cooldown_time: 9\n    fallbacks: []\n'),
      expect: [8, 9, 10, 11, 12].map((l) => ['passthrough-override', 'gateway.yaml', l, 5] as [string, string, number, number]),
      suggest: [
        'router.num_retries in gateway.yaml',
        'router.timeout_s in gateway.yaml',
        'router.allowed_fails in gateway.yaml',
        'router.cooldown_s in gateway.yaml',
        'fallbacks: of each public name in model-mappings.yaml',
      ],
    },
    {
      name: 'the master key and JSON logs are compiled too',
      files: PT('  general_settings:\n    master_key: os.environ/LITELLM_MASTER_KEY\n  litellm_settings:\n    json_logs: true\n'),
      expect: [
        ['passthrough-override', 'gateway.yaml', 8, 5],
        ['passthrough-override', 'gateway.yaml', 10, 5],
      ],
      suggest: ['gateway.master_key in gateway.yaml', 'logging.json in gateway.yaml'],
    },
    {
      name: 'listed under overrides: meant, not refused',
      files: PT('  router_settings:\n    num_retries: 1\n  overrides: [router_settings.num_retries]\n'),
      expect: [],
    },
    {
      name: 'without the cache, its settings are not compiled: passing them is fine',
      files: PT(
        '  litellm_settings:\n    cache: true\n    cache_params: { type: redis, host: redis.internal }\n  router_settings:\n    redis_host: redis.internal\n',
      ),
      expect: [],
    },
    {
      name: 'with the cache, its connection is compiled: each key is refused, inside cache_params too',
      files: {
        'gateway.yaml': `${G}cache:\n  enabled: true\npassthrough:\n  litellm_settings:\n    cache: true\n    cache_params: { namespace: other, ttl: 5, supported_call_types: [acompletion] }\n  router_settings:\n    redis_port: 6380\n`,
      },
      expect: [
        ['passthrough-override', 'gateway.yaml', 10, 5],
        ['passthrough-override', 'gateway.yaml', 11, 21],
        ['passthrough-override', 'gateway.yaml', 11, 39],
        ['passthrough-override', 'gateway.yaml', 13, 5],
      ],
      suggest: [
        'cache.enabled in gateway.yaml',
        'cache.namespace in gateway.yaml',
        'cache.ttl_s in gateway.yaml',
        'cache.port in gateway.yaml',
      ],
    },
    {
      name: 'with the cache: every key of its connection, each with the source key to use',
      files: {
        'gateway.yaml': `${G}cache:\n  enabled: true\npassthrough:\n  litellm_settings:\n    cache_params:\n      type: redis\n      host: h\n      port: 1\n      password: os.environ/P\n  router_settings:\n    redis_host: h\n    redis_password: os.environ/P\n`,
      },
      expect: [11, 12, 13, 14]
        .map((l) => ['passthrough-override', 'gateway.yaml', l, 7] as [string, string, number, number])
        .concat([16, 17].map((l) => ['passthrough-override', 'gateway.yaml', l, 5] as [string, string, number, number])),
      suggest: [
        'cache.enabled in gateway.yaml',
        'cache.host in gateway.yaml',
        'cache.port in gateway.yaml',
        'cache.password in gateway.yaml',
        'cache.host in gateway.yaml',
        'cache.password in gateway.yaml',
      ],
    },
    {
      name: 'callbacks without prometheus while metrics.prometheus compiles it',
      files: { 'gateway.yaml': `${G}metrics: { prometheus: true }\npassthrough:\n  litellm_settings:\n    callbacks: [otel]\n` },
      expect: [['passthrough-override', 'gateway.yaml', 9, 5]],
    },
    {
      name: 'callbacks that keep prometheus, or metrics off, are fine',
      files: {
        'gateway.yaml': `${G}metrics: { prometheus: true }\npassthrough:\n  litellm_settings:\n    callbacks: [otel, prometheus]\n`,
      },
      expect: [],
    },
    { name: 'callbacks with metrics off', files: PT('  litellm_settings:\n    callbacks: [otel]\n'), expect: [] },
    {
      name: 'callbacks listed under overrides',
      files: {
        'gateway.yaml': `${G}metrics: { prometheus: true }\npassthrough:\n  litellm_settings:\n    callbacks: [otel]\n  overrides: [litellm_settings.callbacks]\n`,
      },
      expect: [],
    },
  ],
);

// providers.yaml: ollama at 3-8 (base_url line 5), vllm at 9-13 (base_url line 11, model line 13), openai 14-19.
const EMBED = P.replace(
  '      - name: qwen2.5-coder:7b\n',
  '      - name: qwen2.5-coder:7b\n      - name: nomic-embed-text\n        mode: embedding\n',
);
table(
  'check-modes',
  ['backend-mode-mismatch', 'fallback-mode-mismatch'],
  [
    { name: 'chat names falling back to chat names', files: { 'providers.yaml': EMBED }, expect: [] },
    {
      name: 'an embedding name of its own is fine',
      files: {
        'providers.yaml': EMBED,
        'model-mappings.yaml': withModel('  embed:\n    routes:\n      - { provider: ollama, model: nomic-embed-text }\n'),
      },
      expect: [],
    },
    {
      name: 'routes to a chat and an embedding model at once, at the second route',
      files: {
        'providers.yaml': EMBED,
        'model-mappings.yaml': withModel(
          '  mixed:\n    routes:\n      - { provider: ollama, model: llama3.1:8b }\n      - { provider: ollama, model: nomic-embed-text }\n',
        ),
      },
      expect: [['backend-mode-mismatch', 'model-mappings.yaml', 18, 9]],
    },
    {
      name: 'a chat name falling back to an embedding name, at the fallback',
      files: {
        'providers.yaml': EMBED,
        'model-mappings.yaml': withModel('  embed:\n    routes:\n      - { provider: ollama, model: nomic-embed-text }\n').replace(
          'fallbacks: [qwen2.5-coder:7b]\n  qwen2.5',
          'fallbacks: [qwen2.5-coder:7b, embed]\n  qwen2.5',
        ),
      },
      expect: [['fallback-mode-mismatch', 'model-mappings.yaml', 6, 35]],
    },
    {
      name: 'through an alias of an embedding name',
      files: {
        'providers.yaml': EMBED,
        'model-mappings.yaml': `${withModel('  embed:\n    routes:\n      - { provider: ollama, model: nomic-embed-text }\n').replace('fallbacks: [qwen2.5-coder:7b]\n  qwen2.5', 'fallbacks: [vectors]\n  qwen2.5')}  vectors: embed\n`,
      },
      expect: [['fallback-mode-mismatch', 'model-mappings.yaml', 6, 17]],
    },
    {
      name: 'an embedding name falling back to a chat name',
      files: {
        'providers.yaml': EMBED,
        'model-mappings.yaml': withModel(
          '  embed:\n    routes:\n      - { provider: ollama, model: nomic-embed-text }\n    fallbacks: [llama3.1:8b]\n',
        ),
      },
      expect: [['fallback-mode-mismatch', 'model-mappings.yaml', 18, 17]],
    },
    {
      name: 'a route to a model the provider does not list has no mode to compare',
      files: {
        'providers.yaml': EMBED,
        'model-mappings.yaml': withModel(
          '  mixed:\n    routes:\n      - { provider: ollama, model: nomic-embed-text }\n      - { provider: ollama, model: not-listed }\n      - { provider: nobody, model: x }\n',
        ),
      },
      expect: [],
    },
  ],
);

table(
  'check-url-paths',
  ['url-path'],
  [
    { name: 'Ollama at its root, vLLM under /v1', files: {}, expect: [] },
    {
      name: 'Ollama under /v1',
      files: { 'providers.yaml': P.replace('http://127.0.0.1:11434', 'http://127.0.0.1:11434/v1') },
      expect: [['url-path', 'providers.yaml', 5, 15]],
      suggest: ['http://127.0.0.1:11434'],
    },
    {
      name: 'Ollama under /api/',
      files: { 'providers.yaml': P.replace('http://127.0.0.1:11434', 'http://127.0.0.1:11434/api/') },
      expect: [['url-path', 'providers.yaml', 5, 15]],
    },
    {
      name: 'Ollama under another path is its business',
      files: { 'providers.yaml': P.replace('http://127.0.0.1:11434', 'http://127.0.0.1:11434/ollama') },
      expect: [],
    },
    {
      name: 'vLLM without /v1',
      files: { 'providers.yaml': P.replace('http://127.0.0.1:8001/v1', 'http://127.0.0.1:8001') },
      expect: [['url-path', 'providers.yaml', 11, 15]],
      suggest: ['http://127.0.0.1:8001/v1'],
    },
    {
      name: 'vLLM under another path: /v1 added to it',
      files: { 'providers.yaml': P.replace('http://127.0.0.1:8001/v1', 'http://127.0.0.1:8001/vllm/') },
      expect: [['url-path', 'providers.yaml', 11, 15]],
      suggest: ['http://127.0.0.1:8001/vllm/v1'],
    },
    {
      name: 'vLLM under /v1x is not under /v1',
      files: { 'providers.yaml': P.replace('http://127.0.0.1:8001/v1', 'http://127.0.0.1:8001/v1x') },
      expect: [['url-path', 'providers.yaml', 11, 15]],
    },
    {
      name: 'Ollama under /api/v1beta is its business',
      files: { 'providers.yaml': P.replace('http://127.0.0.1:11434', 'http://127.0.0.1:11434/apiv1') },
      expect: [],
    },
    {
      name: 'vLLM with /v1/ (a trailing slash is fine)',
      files: { 'providers.yaml': P.replace('http://127.0.0.1:8001/v1', 'http://127.0.0.1:8001/v1/') },
      expect: [],
    },
    {
      name: 'an invalid URL is left to check-urls',
      files: { 'providers.yaml': P.replace('http://127.0.0.1:8001/v1', 'not a url') },
      expect: [],
    },
  ],
);

table(
  'check-urls: more',
  ['invalid-url', 'url-credentials'],
  [
    {
      name: 'a user without a password is credentials too',
      files: { 'providers.yaml': P.replace('http://127.0.0.1:8001/v1', 'http://token@127.0.0.1:8001/v1') },
      expect: [['url-credentials', 'providers.yaml', 11, 15]],
    },
    {
      name: 'a query string',
      files: { 'providers.yaml': P.replace('http://127.0.0.1:8001/v1', 'http://127.0.0.1:8001/v1?x=1') },
      expect: [['invalid-url', 'providers.yaml', 11, 15]],
    },
    {
      name: 'a URL without a host',
      files: { 'providers.yaml': P.replace('http://127.0.0.1:8001/v1', 'file:///srv/model') },
      expect: [['invalid-url', 'providers.yaml', 11, 15]],
    },
    {
      name: 'a fragment',
      files: { 'providers.yaml': P.replace('http://127.0.0.1:8001/v1', 'http://127.0.0.1:8001/v1#top') },
      expect: [['invalid-url', 'providers.yaml', 11, 15]],
    },
    {
      name: 'the gateway URL is checked too',
      files: { 'gateway.yaml': G.replace('http://127.0.0.1:4000', 'http://admin:pw@127.0.0.1:4000') },
      expect: [['url-credentials', 'gateway.yaml', 3, 8]],
    },
    {
      name: 'a gateway URL that does not parse',
      files: { 'gateway.yaml': G.replace('http://127.0.0.1:4000', 'http://[::1') },
      expect: [['invalid-url', 'gateway.yaml', 3, 8]],
    },
  ],
);

const COMPOSE = (image: string) =>
  `services:\n  litellm:\n    image: ${image}\n    command: ["--config", "/app/config.yaml", "--port", "4000"]\n`;
const RUNTIME = (extra = '') => `${G}runtime:\n  kind: compose\n${extra}`;
table(
  'check-gateway',
  ['image-floating-tag', 'image-compromised', 'compose-file-missing', 'image-mismatch', 'output-outside-project', 'output-is-source'],
  [
    { name: 'a pinned image, the default runtime and output', files: {}, expect: [] },
    {
      name: 'a floating tag, at the image',
      files: { 'gateway.yaml': G.replace('v1.106.12-stable', 'main-latest') },
      expect: [['image-floating-tag', 'gateway.yaml', 5, 10]],
    },
    {
      name: 'a compromised release',
      files: { 'gateway.yaml': G.replace('v1.106.12-stable', 'v1.82.7') },
      expect: [['image-compromised', 'gateway.yaml', 5, 10]],
    },
    {
      name: 'compose runtime: its file missing, at runtime.file',
      files: { 'gateway.yaml': RUNTIME('  file: config/nope.yml\n') },
      expect: [['compose-file-missing', 'gateway.yaml', 8, 9]],
    },
    {
      name: 'compose runtime: the default file missing, at runtime.kind',
      files: { 'gateway.yaml': RUNTIME() },
      expect: [['compose-file-missing', 'gateway.yaml', 7, 9]],
    },
    {
      name: 'compose runtime: the service missing',
      files: {
        'gateway.yaml': RUNTIME('  file: config/compose.yml\n  service: gateway\n'),
        'compose.yml': COMPOSE('ghcr.io/berriai/litellm:v1.106.12-stable'),
      },
      expect: [['compose-file-missing', 'gateway.yaml', 8, 9]],
    },
    {
      name: 'compose runtime: the same image, fine',
      files: {
        'gateway.yaml': RUNTIME('  file: config/compose.yml\n'),
        'compose.yml': COMPOSE('ghcr.io/berriai/litellm:v1.106.12-stable'),
      },
      expect: [],
    },
    {
      name: 'compose runtime: another image than gateway.image, at gateway.image',
      files: {
        'gateway.yaml': RUNTIME('  file: config/compose.yml\n'),
        'compose.yml': COMPOSE('ghcr.io/berriai/litellm:v1.106.11-stable'),
      },
      expect: [['image-mismatch', 'gateway.yaml', 5, 10]],
    },
    { name: 'output inside the project', files: { 'gateway.yaml': `${G}output: build/litellm.yaml\n` }, expect: [] },
    {
      name: 'output above the project',
      files: { 'gateway.yaml': `${G}output: ../litellm.yaml\n` },
      expect: [['output-outside-project', 'gateway.yaml', 6, 9]],
    },
    {
      name: 'output is the project directory itself',
      files: { 'gateway.yaml': `${G}output: .\n` },
      expect: [['output-outside-project', 'gateway.yaml', 6, 9]],
    },
    {
      name: 'output at an absolute path elsewhere',
      files: { 'gateway.yaml': `${G}output: /tmp/litellm.yaml\n` },
      expect: [['output-outside-project', 'gateway.yaml', 6, 9]],
    },
    {
      name: 'output over a source file',
      files: { 'gateway.yaml': `${G}output: config/providers.yaml\n` },
      expect: [['output-is-source', 'gateway.yaml', 6, 9]],
    },
  ],
);

const KEY = `sk-${'abcdefghijklmnopqrstuvwx'}`;
table(
  'check-secrets: once per line, every place',
  ['secret-in-source', 'secret-literal', 'url-credentials'],
  [
    {
      name: 'a literal key in passthrough is secret-literal only, not also secret-in-source',
      files: PT(`  litellm_settings:\n    slack_token: ${KEY}\n`),
      expect: [['secret-literal', 'gateway.yaml', 8, 18]],
    },
    {
      name: 'a key as a URL password is url-credentials only',
      files: { 'providers.yaml': P.replace('http://127.0.0.1:8001/v1', `http://u:${KEY}@127.0.0.1:8001/v1`) },
      expect: [['url-credentials', 'providers.yaml', 11, 15]],
    },
    {
      name: 'apikey, password and auth keys, nested in a map and in a list',
      files: PT(
        '  litellm_settings:\n    vendor_apikey: abc123\n    cache_params: { password: hunter2 }\n    success_callback_args: [{ auth: xyz789 }]\n',
      ),
      expect: [
        ['secret-literal', 'gateway.yaml', 8, 20],
        ['secret-literal', 'gateway.yaml', 9, 31],
        ['secret-literal', 'gateway.yaml', 10, 37],
      ],
    },
    {
      name: 'os.environ references, empty values and non-secret keys are fine',
      files: PT(
        '  litellm_settings:\n    slack_token: os.environ/SLACK\n    webhook_secret: ""\n    drop_params: true\n    max_tokens: 5\n',
      ),
      expect: [],
    },
    {
      name: 'an empty secret in the process runtime env is not a secret',
      files: {
        'gateway.yaml': `${G}runtime:\n  kind: process\n  command: [litellm]\n  env:\n    LITELLM_MASTER_KEY: ""\n    OTHER_SETTING: plain\n`,
      },
      expect: [],
    },
    {
      name: 'a key on the last line with no newline: its whole length',
      files: { 'ports.yaml': `${PO}# ${KEY}` },
      expect: [['secret-in-source', 'ports.yaml', 7, 3, KEY.length]],
    },
    {
      name: 'a key followed by more text: only the key',
      files: { 'ports.yaml': `${PO}# ${KEY} is old\n` },
      expect: [['secret-in-source', 'ports.yaml', 7, 3, KEY.length]],
    },
    {
      name: 'a private key block: marked up to the end of its first line',
      files: { 'ports.yaml': `${PO}# -----BEGIN RSA PRIVATE KEY-----\n# MIIEowIBAAKCAQEA\n` },
      expect: [['secret-in-source', 'ports.yaml', 7, 3, 31]],
    },
    {
      name: 'a key in the second file too, on its own line numbers',
      files: { 'ports.yaml': `${PO}# ${KEY}\n`, 'providers.yaml': `# ${KEY}\n${P}` },
      expect: [
        ['secret-in-source', 'ports.yaml', 7, 3],
        ['secret-in-source', 'providers.yaml', 1, 3],
      ],
    },
  ],
);

const STACK = `services:\n  litellm:\n    image: ghcr.io/berriai/litellm:v1.106.12-stable\n  haproxy:\n    image: haproxy:2.6.12\n  prometheus:\n    image: prom/prometheus:v3.5.0\n  grafana:\n    image: grafana/grafana:12.1.1\n  redis_exporter:\n    image: oliver006/redis_exporter:v1.74.0\n`;
// gateway.yaml lines 6-8: runtime; then the row's own keys from line 9.
const COMPOSED = (extra: string) => ({
  'gateway.yaml': `${G}runtime:\n  kind: compose\n  file: config/stack.yml\n${extra}`,
  'stack.yml': STACK,
  'ports.yaml': PORTS,
});
table(
  'check-topology: images against the compose file',
  ['image-mismatch', 'image-floating-tag', 'not-implemented'],
  [
    {
      name: 'every image the compose file runs, pinned alike',
      files: COMPOSED(
        'load_balancer:\n  image: haproxy:2.6.12\nmonitoring:\n  prometheus: { image: "prom/prometheus:v3.5.0" }\n  grafana: { image: "grafana/grafana:12.1.1" }\n  redis_exporter: { image: "oliver006/redis_exporter:v1.74.0" }\n',
      ),
      expect: [],
    },
    {
      name: 'each image that differs from its service, at its own key',
      files: COMPOSED(
        'load_balancer:\n  image: haproxy:2.6.11\nmonitoring:\n  prometheus: { image: "prom/prometheus:v3.4.0" }\n  grafana: { image: "grafana/grafana:12.0.0" }\n  redis_exporter: { image: "oliver006/redis_exporter:v1.73.0" }\n',
      ),
      expect: [
        ['image-mismatch', 'gateway.yaml', 10, 10],
        ['image-mismatch', 'gateway.yaml', 12, 24],
        ['image-mismatch', 'gateway.yaml', 13, 21],
        ['image-mismatch', 'gateway.yaml', 14, 28],
      ],
    },
    {
      name: 'a floating load balancer image',
      files: COMPOSED('load_balancer:\n  image: haproxy:latest\n'),
      expect: [
        ['image-floating-tag', 'gateway.yaml', 10, 10],
        ['image-mismatch', 'gateway.yaml', 10, 10],
      ],
    },
    {
      name: 'images are not compared without a compose runtime',
      files: { 'gateway.yaml': `${G}load_balancer:\n  image: haproxy:2.6.11\n` },
      expect: [],
    },
    {
      name: 'a compose file that does not exist compares nothing (the gateway rule reports it)',
      files: { 'gateway.yaml': `${G}runtime:\n  kind: compose\n  file: config/none.yml\nload_balancer:\n  image: haproxy:2.6.11\n` },
      expect: [],
    },
    {
      name: 'replicas with Caddy: not compiled yet',
      files: COMPOSED('replicas: 2\nreplica_ports: [4001, 4002]\ncache: { enabled: true }\nload_balancer:\n  kind: caddy\n'),
      expect: [['not-implemented', 'gateway.yaml', 9]],
    },
  ],
);

table(
  'check-topology: replica counts',
  ['replica-ports'],
  [
    {
      name: 'one port for two replicas, said with its count',
      files: { 'gateway.yaml': `${G}replicas: 2\nreplica_ports: [4001]\ncache: { enabled: true }\n`, 'ports.yaml': PORTS },
      expect: [['replica-ports', 'gateway.yaml', 7, 16]],
    },
    {
      name: 'three ports for two replicas',
      files: { 'gateway.yaml': `${G}replicas: 2\nreplica_ports: [4001, 4002, 4003]\ncache: { enabled: true }\n`, 'ports.yaml': PORTS },
      expect: [['replica-ports', 'gateway.yaml', 7, 16]],
    },
    {
      name: 'a {port} inside a longer argument counts',
      files: {
        'gateway.yaml': `${G}replicas: 2\nreplica_ports: [4001, 4002]\ncache: { enabled: true }\nruntime:\n  kind: process\n  command: [litellm, "--port={port}"]\n`,
        'ports.yaml': PORTS,
      },
      expect: [],
    },
  ],
);

// Four public names a..d on ollama's llama3.1:8b; each row gives their fallbacks.
const CHAIN = (fb: Record<string, string[]>, aliases = '') =>
  `version: 1\nmodels:\n${['a', 'b', 'c', 'd'].map((n) => `  ${n}:\n    routes:\n      - { provider: ollama, model: llama3.1:8b }\n${fb[n] ? `    fallbacks: [${fb[n]!.join(', ')}]\n` : ''}`).join('')}aliases:\n  coder: a\n${aliases}`;
const cycles = (fb: Record<string, string[]>, aliases = '') =>
  checkFiles({ 'model-mappings.yaml': CHAIN(fb, aliases) })
    .diagnostics.filter((d) => ['fallback-cycle', 'self-fallback'].includes(d.code))
    .map((d) => [d.code, d.line, d.message.replace(/^fallback cycle: /, '')]);
describe('check-fallbacks: cycles, each once, with its path', () => {
  test('a -> b -> c -> a, entered from d: one cycle, from its first member, shortest way round', () => {
    expect(cycles({ a: ['b'], b: ['c'], c: ['a'], d: ['a'] })).toEqual([['fallback-cycle', 6, 'a -> b -> c -> a']]);
  });
  test('two separate cycles are both reported', () => {
    expect(cycles({ a: ['b'], b: ['a'], c: ['d'], d: ['c'] })).toEqual([
      ['fallback-cycle', 6, 'a -> b -> a'],
      ['fallback-cycle', 14, 'c -> d -> c'],
    ]);
  });
  test('a component with a shortcut: the shortest cycle through its first member', () => {
    expect(cycles({ a: ['b', 'c'], b: ['c'], c: ['a'] })).toEqual([['fallback-cycle', 6, 'a -> c -> a']]);
  });
  test('a chain without a loop, even a long one, is no cycle', () => {
    expect(cycles({ a: ['b', 'c', 'd'], b: ['c', 'd'], c: ['d'] })).toEqual([]);
  });
  test('a fallback to itself through an alias is self-fallback, naming the alias', () => {
    const got = cycles({ b: ['self'] }, '  self: b\n');
    expect(got.map((g) => g.slice(0, 2))).toEqual([['self-fallback', 9]]);
    expect(got[0]![2]).toContain("'self'");
  });
  test('a fallback to an alias whose target does not exist closes no cycle', () => {
    const c = checkFiles({ 'model-mappings.yaml': CHAIN({ a: ['ghost'] }, '  ghost: nowhere\n') });
    expect(c.diagnostics.filter((d) => d.code === 'fallback-cycle')).toEqual([]);
    expect(c.diagnostics.map((d) => d.code)).toContain('unknown-alias-target');
  });
  test('a cycle through an alias is found on the names behind it', () => {
    expect(cycles({ a: ['b'], b: ['coder'] })).toEqual([['fallback-cycle', 6, 'a -> b -> a']]);
  });
});

table(
  'check-env: every reference the gateway needs',
  ['env-unset'],
  [
    {
      name: 'the cache password, when the cache is on',
      files: { 'gateway.yaml': `${G}cache:\n  enabled: true\n  password: env:AIBACKEND_TEST_UNSET_REDIS\n` },
      expect: [['env-unset', 'gateway.yaml', 8, 13]],
    },
    {
      name: 'not when the cache is off',
      files: { 'gateway.yaml': `${G}cache:\n  enabled: false\n  password: env:AIBACKEND_TEST_UNSET_REDIS\n` },
      expect: [],
    },
    {
      name: 'an empty value is unset',
      files: { 'gateway.yaml': G.replace('LITELLM_MASTER_KEY', 'AIBACKEND_TEST_EMPTY') },
      expect: [['env-unset', 'gateway.yaml', 4, 15]],
    },
  ],
);

describe('check-env: the default master key without gateway.yaml', () => {
  test('reported at gateway.yaml:1:1, saying where the default comes from', () => {
    const c = checkFiles({ 'gateway.yaml': null }, { AIBACKEND_TEST_EMPTY: '' });
    const d = c.diagnostics.filter((x) => x.code === 'env-unset');
    expect(d.map((x) => [path.basename(x.file), x.line, x.column])).toEqual([['gateway.yaml', 1, 1]]);
    expect(d[0]!.message).toContain('gateway.master_key defaults to env:LITELLM_MASTER_KEY');
    expect(checkFiles({ 'gateway.yaml': null }, { LITELLM_MASTER_KEY: 'x' }).diagnostics.filter((x) => x.code === 'env-unset')).toEqual([]);
  });
  test('an empty string counts as unset', () => {
    expect(checkFiles({}, { LITELLM_MASTER_KEY: '' }).diagnostics.map((x) => x.code)).toContain('env-unset');
  });
});

describe('rules with a source missing or broken: no crash, only the source is reported', () => {
  test.each([
    ['providers.yaml missing', { 'providers.yaml': null }],
    ['model-mappings.yaml missing', { 'model-mappings.yaml': null }],
    ['providers.yaml of the wrong shape', { 'providers.yaml': 'version: 1\nproviders: [a, b]\n' }],
    ['model-mappings.yaml of the wrong shape', { 'model-mappings.yaml': 'version: 1\nmodels: 5\n' }],
    ['gateway.yaml of the wrong shape', { 'gateway.yaml': 'version: 1\ngateway: nope\n' }],
    ['gateway.yaml missing (defaults)', { 'gateway.yaml': null }],
  ])('%s', (_n, files) => {
    const c = checkFiles(files as Record<string, string | null>);
    const broken = Object.keys(files)[0]!;
    const fromRules = c.diagnostics.filter(
      (d) =>
        ![
          'missing-file',
          'file-missing',
          'source-missing',
          'invalid-type',
          'invalid-value',
          'unknown-key',
          'missing-key',
          'required',
        ].includes(d.code) && path.basename(d.file) !== broken,
    );
    // Cross-file rules stay quiet about the sources that did load: no finding blames them for the broken one.
    expect(fromRules.filter((d) => d.severity === 'error')).toEqual([]);
  });
});

table(
  'check-routes: more',
  ['no-public-models', 'unknown-provider', 'disabled-provider'],
  [
    {
      name: 'no public names at all',
      files: { 'model-mappings.yaml': 'version: 1\nmodels: {}\n' },
      expect: [['no-public-models', 'model-mappings.yaml', 2, 1]],
    },
  ],
);

describe('check-routes: which route', () => {
  test('the message numbers the route from 1', () => {
    const c = checkFiles({
      'model-mappings.yaml': M.replace(
        '      - provider: vllm\n',
        '      - provider: ollama\n        model: llama3.1:8b\n      - provider: vllmm\n',
      ),
    });
    const d = c.diagnostics.find((x) => x.code === 'unknown-provider')!;
    expect(d.message).toContain('route 2 ');
    const dis = checkFiles({
      'model-mappings.yaml': withModel(
        '  gpt-4o-mini:\n    routes:\n      - provider: ollama\n        model: llama3.1:8b\n      - provider: openai\n',
      ),
    }).diagnostics.find((x) => x.code === 'disabled-provider')!;
    expect(dis.message).toContain('route 2 ');
  });
  test('an implicit backend model is reported at the provider, an explicit one at the model', () => {
    const implicit = checkFiles({ 'model-mappings.yaml': withModel('  phi3:\n    routes:\n      - provider: ollama\n') }).diagnostics.find(
      (x) => x.code === 'unknown-backend-model',
    )!;
    const explicit = checkFiles({
      'model-mappings.yaml': withModel('  phi3:\n    routes:\n      - provider: ollama\n        model: phi3\n'),
    }).diagnostics.find((x) => x.code === 'unknown-backend-model')!;
    expect([implicit.line, implicit.column]).toEqual([17, 19]);
    expect([explicit.line, explicit.column]).toEqual([18, 16]);
    expect(implicit.message.length).toBeGreaterThan(explicit.message.length);
  });
});

const REPLICA_STACK = (r2port = 4002, lb = true, image = 'ghcr.io/berriai/litellm:v1.106.12-stable') =>
  `services:\n  litellm-r1:\n    image: ghcr.io/berriai/litellm:v1.106.12-stable\n    command: ["--config", "/app/config.yaml", "--port", "4001"]\n  litellm-r2:\n    image: ${image}\n    command: ["--config", "/app/config.yaml", "--port", "${r2port}"]\n${lb ? '  haproxy:\n    image: haproxy:2.6.12\n' : ''}`;
// gateway.yaml: 6 replicas, 7 replica_ports, 8 cache, 9 runtime, 10 kind, 11 file
const ROLLED = (runtime: string, stack?: string) => ({
  'gateway.yaml': `${G}replicas: 2\nreplica_ports: [4001, 4002]\ncache: { enabled: true }\nruntime:\n${runtime}`,
  'ports.yaml': PORTS,
  ...(stack ? { 'stack.yml': stack } : {}),
});
table(
  'check-topology: the compose services a roll drives',
  ['compose-file-missing', 'replica-ports', 'image-mismatch', 'not-implemented'],
  [
    {
      name: 'a service per replica on its port, and haproxy',
      files: ROLLED('  kind: compose\n  file: config/stack.yml\n', REPLICA_STACK()),
      expect: [],
    },
    {
      name: 'a replica service listening on another port, at that replica port',
      files: ROLLED('  kind: compose\n  file: config/stack.yml\n', REPLICA_STACK(4009)),
      expect: [['replica-ports', 'gateway.yaml', 7, 23]],
    },
    {
      name: 'no load balancer service',
      files: ROLLED('  kind: compose\n  file: config/stack.yml\n', REPLICA_STACK(4002, false)),
      expect: [['compose-file-missing', 'gateway.yaml', 11, 9]],
    },
    {
      name: 'no service for the second replica',
      files: ROLLED('  kind: compose\n  file: config/stack.yml\n  service: gateway\n', REPLICA_STACK()),
      expect: [
        ['compose-file-missing', 'gateway.yaml', 11, 9],
        ['compose-file-missing', 'gateway.yaml', 11, 9],
      ],
    },
    {
      name: 'a replica running another image than gateway.image',
      files: ROLLED('  kind: compose\n  file: config/stack.yml\n', REPLICA_STACK(4002, true, 'ghcr.io/berriai/litellm:v1.106.11-stable')),
      expect: [['image-mismatch', 'gateway.yaml', 5, 10]],
    },
    {
      name: 'the command runtime does not roll: said plainly',
      files: ROLLED('  kind: command\n  restart: [systemctl, restart, litellm]\n'),
      expect: [['not-implemented', 'gateway.yaml', 6]],
    },
  ],
);

describe('endpointOf: host and port, loopback folded', () => {
  test.each([
    ['http://127.0.0.1:8001/v1', { host: 'loopback', port: 8001, explicit: true, local: true }],
    ['http://127.1.2.3:80', { host: 'loopback', port: 80, explicit: false, local: true }],
    ['http://LOCALHOST:11434', { host: 'loopback', port: 11434, explicit: true, local: true }],
    ['http://[::1]:4000', { host: 'loopback', port: 4000, explicit: true, local: true }],
    ['http://0.0.0.0:9090', { host: 'loopback', port: 9090, explicit: true, local: true }],
    ['https://api.example.com/v1', { host: 'api.example.com', port: 443, explicit: false, local: false }],
    ['http://Gateway.Internal', { host: 'gateway.internal', port: 80, explicit: false, local: false }],
    ['http://[2001:db8::1]:8080', { host: '2001:db8::1', port: 8080, explicit: true, local: false }],
    ['http://x127.0.0.1.example:81', { host: 'x127.0.0.1.example', port: 81, explicit: true, local: false }],
  ])('%s', (url, want) => {
    expect(endpointOf(url)).toEqual(want);
  });
  test('a URL that does not parse has no endpoint', () => {
    expect(endpointOf('not a url')).toBeUndefined();
  });
});

// MCP servers: providers.yaml has 19 lines, so `mcp_servers:` is line 20 and the first id line 21.
const MCP = (body: string) => ({
  'providers.yaml': `${P}mcp_servers:\n${body}`,
  'ports.yaml': PO.replace('reserved:', '  tools: { port: 8765 }\nreserved:'),
});

table(
  'check-mcp',
  ['mcp-server-id', 'mcp-transport', 'mcp-url-path', 'mcp-stdio'],
  [
    { name: 'an http server with its /mcp url is fine', files: MCP('  tools:\n    url: http://127.0.0.1:8765/mcp\n'), expect: [] },
    { name: 'an sse server at /sse is fine', files: MCP('  tools:\n    transport: sse\n    url: http://127.0.0.1:8765/sse\n'), expect: [] },
    {
      name: "an id with '-' (LiteLLM's tool separator), at the key, with the '_' spelling",
      files: MCP('  demo-tools:\n    url: http://127.0.0.1:8765/mcp\n'),
      expect: [['mcp-server-id', 'providers.yaml', 21, 3]],
      suggest: ['demo_tools'],
    },
    {
      name: 'http without a url',
      files: MCP('  tools:\n    description: no url\n'),
      expect: [['mcp-transport', 'providers.yaml', 21]],
    },
    {
      name: 'http with a command and an env, each at its key',
      files: MCP('  tools:\n    url: http://127.0.0.1:8765/mcp\n    command: [server]\n    env: { A: b }\n'),
      expect: [
        ['mcp-transport', 'providers.yaml', 23],
        ['mcp-transport', 'providers.yaml', 24],
      ],
    },
    {
      name: 'stdio with a url and without a command; its warning at the transport',
      files: MCP('  tools:\n    transport: stdio\n    url: http://127.0.0.1:8765/mcp\n'),
      expect: [
        ['mcp-transport', 'providers.yaml', 21],
        ['mcp-stdio', 'providers.yaml', 22],
        ['mcp-transport', 'providers.yaml', 23],
      ],
    },
    {
      name: 'no stdio warning when the process runtime starts the gateway with LITELLM_ENABLE_MCP_STDIO=true',
      files: {
        ...MCP('  tools:\n    transport: stdio\n    command: [mcp-server-time]\n'),
        'gateway.yaml': `${G}runtime:\n  kind: process\n  command: [litellm, --config, "{config}"]\n  env: { LITELLM_ENABLE_MCP_STDIO: "true" }\n`,
      },
      expect: [],
    },
    ...(
      [
        ['a map', '    environment:\n      LITELLM_ENABLE_MCP_STDIO: "true"\n', []],
        ['a list', '    environment:\n      - LITELLM_ENABLE_MCP_STDIO=true\n', []],
        ['neither', '    environment:\n      LITELLM_ENABLE_MCP_STDIO: "false"\n', [['mcp-stdio', 'providers.yaml', 22]]],
      ] as const
    ).map(([form, env, expect]) => ({
      name: `compose: LITELLM_ENABLE_MCP_STDIO=true in the gateway service's environment as ${form}`,
      files: {
        ...MCP('  tools:\n    transport: stdio\n    command: [mcp-server-time]\n'),
        'gateway.yaml': RUNTIME('  file: config/compose.yml\n'),
        'compose.yml': `${COMPOSE('ghcr.io/berriai/litellm:v1.106.12-stable')}${env}`,
      },
      expect: expect as unknown as Row['expect'],
    })),
    {
      name: 'stdio naming a relative program; a PATH name and an absolute path are fine',
      files: MCP(
        '  a:\n    transport: stdio\n    command: [./server.py]\n    status: disabled\n  b:\n    transport: stdio\n    command: [mcp-server-time]\n    status: disabled\n  c:\n    transport: stdio\n    command: [/usr/bin/srv, ./arg/is/fine]\n    status: disabled\n',
      ),
      expect: [['mcp-transport', 'providers.yaml', 23, 15]],
    },
    {
      name: 'the other HTTP transport: /sse with http, /mcp with sse',
      files: MCP('  a:\n    url: http://127.0.0.1:8765/sse\n  b:\n    transport: sse\n    url: http://127.0.0.1:8766/mcp/\n'),
      expect: [
        ['mcp-url-path', 'providers.yaml', 22],
        ['mcp-url-path', 'providers.yaml', 25],
      ],
      suggest: ['transport: sse', 'transport: http'],
    },
  ],
);

table(
  'MCP servers in the shared rules (shape, urls, secrets, env, ports)',
  [
    'unknown-key',
    'invalid-value',
    'invalid-url',
    'url-credentials',
    'secret-literal',
    'invalid-env-ref',
    'env-unset',
    'port-conflict',
    'port-unregistered',
    'port-reserved',
  ],
  [
    {
      name: 'a misspelt key, with the key it meant; an unknown transport',
      files: MCP('  tools:\n    transprot: sse\n    url: http://127.0.0.1:8765/sse\n  more:\n    transport: websocket\n    url: http://127.0.0.1:8765/mcp\n'),
      expect: [
        ['unknown-key', 'providers.yaml', 22],
        ['invalid-value', 'providers.yaml', 25],
      ],
      suggest: ['transport', undefined],
    },
    {
      name: 'credentials in the url',
      files: MCP('  tools:\n    url: http://u:hunter2xx@127.0.0.1:8765/mcp\n'),
      expect: [['url-credentials', 'providers.yaml', 22]],
    },
    {
      name: 'a literal secret in a stdio env; a plain value and an env: ref are fine',
      files: MCP('  tools:\n    transport: stdio\n    command: [srv]\n    env: { API_TOKEN: abcdefgh, LEVEL: info, KEY: env:TOOLS_KEY }\n'),
      expect: [
        ['secret-literal', 'providers.yaml', 24],
        ['env-unset', 'providers.yaml', 24],
      ],
    },
    {
      name: 'auth.token is only env:VAR: a literal is a secret, never shown',
      files: MCP('  tools:\n    url: http://127.0.0.1:8765/mcp\n    auth: { type: bearer_token, token: abcdefgh }\n'),
      expect: [['secret-literal', 'providers.yaml', 23]],
    },
    {
      name: 'an unset auth variable, not for a disabled server',
      files: MCP(
        '  tools:\n    url: http://127.0.0.1:8765/mcp\n    auth: { type: bearer_token, token: env:TOOLS_TOKEN }\n  off:\n    url: http://127.0.0.1:8766/mcp\n    status: disabled\n    auth: { type: api_key, token: env:OFF_TOKEN }\n',
      ),
      expect: [['env-unset', 'providers.yaml', 23]],
    },
    {
      name: 'an MCP port against ports.yaml: unregistered, reserved, shared with a provider',
      files: MCP('  a:\n    url: http://127.0.0.1:8766/mcp\n  b:\n    url: http://127.0.0.1:8002/mcp\n  c:\n    url: http://localhost:8001/mcp\n'),
      expect: [
        ['port-unregistered', 'providers.yaml', 22],
        ['port-reserved', 'providers.yaml', 24],
        ['port-conflict', 'providers.yaml', 26],
      ],
    },
  ],
);
