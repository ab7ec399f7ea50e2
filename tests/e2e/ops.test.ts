// status, discover and ports against real loopback servers: some up, some down, one that never
// answers, some serving other models than registered, and a port held by an unknown process.
import net from 'node:net';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { startFakeLLM, type FakeServer } from '../helpers/fake-llm.js';
import { cleanupTempDirs, makeProject } from '../helpers/fixtures.js';
import { freePort } from '../helpers/gateway.js';

let ollama: FakeServer, llama: FakeServer, vllm: FakeServer;
let hang: net.Server;
let hangPort: number;
let downPort: number;
const sockets: net.Socket[] = [];

beforeAll(async () => {
  ollama = await startFakeLLM('ollama', ['llama3.1:8b', 'nomic-embed-text:latest', 'phi3:mini']);
  llama = await startFakeLLM('openai', ['llama-2-13b-chat']);
  vllm = await startFakeLLM('openai', ['Qwen/Qwen2.5-Coder-7B-Instruct', 'other-model']);
  // Accepts connections and never answers: a hung server.
  hang = net.createServer((s) => sockets.push(s));
  await new Promise<void>((r) => hang.listen(0, '127.0.0.1', r));
  hangPort = (hang.address() as net.AddressInfo).port;
  downPort = await freePort();
});

afterAll(async () => {
  for (const s of sockets) s.destroy();
  hang.close();
  await Promise.all([ollama.close(), llama.close(), vllm.close()]);
  cleanupTempDirs();
});

const PROVIDERS = (extra = '') => `version: 1
providers:
  ollama:
    type: ollama
    base_url: ${ollama.url}
    models:
      # the general model
      - name: llama3.1:8b
      - name: nomic-embed-text
        mode: embedding
  llama:
    type: llama_cpp
    base_url: ${llama.url}
    models:
      - name: llama-2-13b-chat
  vllm:
    type: vllm
    base_url: ${vllm.url}   # AWQ build
    models:
      - name: Qwen/Qwen2.5-Coder-7B-Instruct-AWQ
  spare:
    type: openai_compatible
    base_url: http://127.0.0.1:${downPort}/v1
    models:
      - name: spare-model
  hung:
    type: openai_compatible
    base_url: http://127.0.0.1:${hangPort}/v1
    models:
      - name: hung-model
  openai:
    type: openai
    api_key: env:OPENAI_API_KEY
    models:
      - name: gpt-4o-mini
${extra}`;

const MAPPINGS = `version: 1
models:
  llama3.1:8b:
    routes: [{ provider: ollama }]
  llama2:
    routes: [{ provider: llama, model: llama-2-13b-chat }]
`;

function project(providers = PROVIDERS(), mappings = MAPPINGS) {
  return makeProject({
    'providers.yaml': providers,
    'model-mappings.yaml': mappings,
    'ports.yaml': null,
    'gateway.yaml': `version: 1\ngateway:\n  url: http://127.0.0.1:${downPort}\n`,
  });
}

describe('status', () => {
  test('reports each provider: reachable, latency, served, missing and unregistered; hosted APIs only with --remote', async () => {
    const { project: dir } = project();
    const r = await runCli(['status', '--json', '--timeout', '500ms'], { cwd: dir });
    const s = JSON.parse(r.stdout);
    expect(s.gateway).toMatchObject({ url: `http://127.0.0.1:${downPort}`, live: false, ready: false, missing: ['llama2', 'llama3.1:8b'] });
    const by = Object.fromEntries(s.providers.map((p: { id: string }) => [p.id, p]));
    expect(Object.keys(by).sort()).toEqual(['hung', 'llama', 'ollama', 'spare', 'vllm']);
    expect(by.ollama).toMatchObject({
      type: 'ollama',
      url: ollama.url,
      probe_url: `${ollama.url}/api/tags`,
      reachable: true,
      missing: [],
      unregistered: ['phi3:mini'],
    });
    expect(by.vllm).toMatchObject({ url: vllm.url, probe_url: `${vllm.url}/models` });
    expect(by.ollama.served).toEqual(['llama3.1:8b', 'nomic-embed-text:latest', 'phi3:mini']);
    expect(typeof by.ollama.latency_ms).toBe('number');
    expect(by.llama).toMatchObject({ reachable: true, missing: [], unregistered: [] });
    expect(by.vllm).toMatchObject({
      reachable: true,
      missing: ['Qwen/Qwen2.5-Coder-7B-Instruct-AWQ'],
      unregistered: ['Qwen/Qwen2.5-Coder-7B-Instruct', 'other-model'],
    });
    expect(by.spare).toMatchObject({ reachable: false, missing: ['spare-model'] });
    expect(by.hung).toMatchObject({ reachable: false });
    expect(by.hung.error).toContain('no answer within 500 ms');
    expect(s.skipped).toEqual([{ id: 'openai', reason: 'hosted API: probed only with --remote' }]);
    // Every routed provider (ollama, llama) is up and serves its routed models, but the gateway does not
    // answer: that is not a healthy stack (exit 1), and the text says why.
    expect(r.exitCode).toBe(1);
    expect(s.ok).toBe(false);
    const text = await runCli(['status', '--timeout', '500ms'], { cwd: dir, env: { NO_COLOR: '1' } });
    expect(text.exitCode).toBe(1);
    expect(text.stdout).toContain(`✖ the gateway does not answer on http://127.0.0.1:${downPort}`);
    expect(ollama.requests.some((q) => q.path === '/api/tags')).toBe(true);
  });

  test('exit 1 when a provider that a route uses is down or lacks a routed model', async () => {
    const down = project(PROVIDERS(), `${MAPPINGS}  spare:\n    routes: [{ provider: spare, model: spare-model }]\n`);
    expect((await runCli(['status', '--timeout', '500ms'], { cwd: down.project })).exitCode).toBe(1);
    const lacking = project(
      PROVIDERS(),
      `${MAPPINGS}  coder:\n    routes: [{ provider: vllm, model: Qwen/Qwen2.5-Coder-7B-Instruct-AWQ }]\n`,
    );
    const r = await runCli(['status', '--timeout', '500ms'], { cwd: lacking.project, env: { NO_COLOR: '1' } });
    expect(r.exitCode).toBe(1);
    expect(r.stdout).toMatch(/vllm\s+vllm\s+up/);
    expect(r.stdout).toMatch(/hung\s+openai_compatible\s+down/);
  });
});

describe('discover', () => {
  test('shows the registration of served-but-unregistered models; --write applies it keeping comments', async () => {
    const { project: dir, config } = project();
    const file = path.join(config, 'providers.yaml');
    const before = readFileSync(file, 'utf8');
    const show = await runCli(['discover', '--timeout', '500ms'], { cwd: dir });
    expect(show.exitCode).toBe(0);
    expect(show.stdout).toContain('+      - name: phi3:mini');
    expect(show.stdout).toContain('+      - name: other-model');
    expect(readFileSync(file, 'utf8')).toBe(before);

    const w = await runCli(['discover', '--write', '--json', '--timeout', '500ms'], { cwd: dir });
    expect(w.exitCode).toBe(0);
    expect(JSON.parse(w.stdout).additions).toEqual([
      { provider: 'ollama', models: ['phi3:mini'] },
      { provider: 'vllm', models: ['Qwen/Qwen2.5-Coder-7B-Instruct', 'other-model'] },
    ]);
    const after = readFileSync(file, 'utf8');
    // Every original line is still there, in order; only model entries were added.
    const added = after.split('\n').filter((l) => !before.split('\n').includes(l));
    expect(added.sort()).toEqual(
      ['      - name: Qwen/Qwen2.5-Coder-7B-Instruct', '      - name: other-model', '      - name: phi3:mini'].sort(),
    );
    let i = 0;
    const lines = after.split('\n');
    for (const l of before.split('\n')) {
      while (i < lines.length && lines[i] !== l) i++;
      expect(i, `line lost: ${l}`).toBeLessThan(lines.length);
    }
    expect(after).toContain('# the general model');
    expect(after).toContain('# AWQ build');
    const again = await runCli(['discover', '--timeout', '500ms'], { cwd: dir });
    expect(again.stdout).toContain('every model the reachable providers serve is registered');
    const v = await runCli(['validate', '--json'], { cwd: dir });
    expect(JSON.parse(v.stdout).diagnostics.filter((d: { code: string }) => d.code.startsWith('yaml') || d.code === 'unknown-key')).toEqual(
      [],
    );
  });
});

describe('ports', () => {
  const registry = (a: number, b: number, extra = '') =>
    `version: 1\nports:\n  gateway: { port: ${a}, required: true }\n  llama_cpp_python: { port: ${b} }\n${extra}`;

  test('registered ports: listening and by which process; required ones down exit 1', async () => {
    const held = await freePort();
    const free = await freePort();
    const listener = net.createServer();
    await new Promise<void>((r) => listener.listen(held, '127.0.0.1', r));
    try {
      const { project: dir } = makeProject({ 'ports.yaml': registry(free, held) });
      const r = await runCli(['ports', '--json'], { cwd: dir });
      const rep = JSON.parse(r.stdout);
      const row = rep.ports.find((p: { name: string }) => p.name === 'llama_cpp_python');
      expect(row).toMatchObject({ port: held, listening: true });
      expect(row.holders[0]).toMatchObject({ address: '127.0.0.1', pid: process.pid });
      expect(rep.down).toEqual(['gateway']);
      expect(r.exitCode).toBe(1);
      const req = await runCli(['ports', '--required'], { cwd: dir, env: { NO_COLOR: '1' } });
      expect(req.exitCode).toBe(1);
      expect(req.stdout).toContain('required but not listening: gateway');
      expect(req.stdout).not.toContain('llama_cpp_python');
    } finally {
      listener.close();
    }
  });

  test('--port names the holder of a port the registry does not know, and kills nothing', async () => {
    const port = await freePort();
    const listener = net.createServer();
    await new Promise<void>((r) => listener.listen(port, '127.0.0.1', r));
    try {
      const { project: dir } = makeProject({ 'ports.yaml': registry(await freePort(), await freePort()) });
      const r = await runCli(['ports', '--port', String(port), '--json'], { cwd: dir });
      const q = JSON.parse(r.stdout).query;
      expect(q).toMatchObject({ port, registered: [], reserved: false, listening: true });
      expect(q.holders[0].pid).toBe(process.pid);
      expect(listener.listening).toBe(true);
      const text = await runCli(['ports', '--port', String(port)], { cwd: dir, env: { NO_COLOR: '1' } });
      expect(text.stdout).toContain(`port ${port}: not in the registry; listening (127.0.0.1 pid ${process.pid}`);
    } finally {
      listener.close();
    }
  });

  test('conflicts inside the registry exit 1', async () => {
    const p = await freePort();
    const { project: dir } = makeProject({
      'ports.yaml': `version: 1\nports:\n  a: { port: ${p} }\n  b: { port: ${p} }\nreserved: [${p}]\n`,
    });
    const r = await runCli(['ports', '--json'], { cwd: dir });
    expect(r.exitCode).toBe(1);
    expect(JSON.parse(r.stdout).conflicts.map((c: { reason: string }) => c.reason)).toEqual([
      'registered more than once',
      'in the reserved list',
      'in the reserved list',
    ]);
    const bad = await runCli(['ports', '--port', 'http'], { cwd: dir });
    expect(bad.exitCode).toBe(2);
  });
});
