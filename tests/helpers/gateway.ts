// Projects that deploy to a real LiteLLM proxy (from the pinned virtualenv) through the process
// runtime, on free loopback ports, with fake inference servers behind it.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { homedir } from 'node:os';
import path from 'node:path';
import { inject } from 'vitest';
import { ROOT } from './cli.js';
import { makeProject } from './fixtures.js';
import type { FakeServer } from './fake-llm.js';

function litellmVersion(): string {
  const req = readFileSync(path.join(ROOT, 'requirements/litellm.txt'), 'utf8');
  return /^litellm==([\d.]+)/m.exec(req)![1]!;
}

/** The litellm executable that scripts/setup-litellm.sh installs, or AIBACKEND_LITELLM. */
export function litellmBin(): string | undefined {
  const candidates = [
    process.env.AIBACKEND_LITELLM,
    path.join(
      process.env.AIBACKEND_VENV ??
        path.join(process.env.XDG_CACHE_HOME ?? path.join(homedir(), '.cache'), 'aibackend', `litellm-${litellmVersion()}`),
      'bin',
      'litellm',
    ),
  ];
  return candidates.find((c): c is string => Boolean(c && existsSync(c)));
}

/** In CI the gateway tests must run; on a laptop without the venv they are skipped, loudly. */
export function requireLitellm(): string | undefined {
  const bin = litellmBin();
  if (!bin && (process.env.CI || process.env.AIBACKEND_REQUIRE_GATEWAY)) {
    throw new Error('LiteLLM is not installed: run `bash scripts/setup-litellm.sh` (CI requires the gateway tests)');
  }
  if (!bin) console.warn('skipping real-gateway tests: run `bash scripts/setup-litellm.sh` to install LiteLLM');
  return bin;
}

/** redis-server on PATH; required in CI, skipped loudly elsewhere (README: apt-get install redis-server). */
export function hasRedis(): boolean {
  if (process.env.AIBACKEND_TEST_REDIS_PORT) return true;
  const found = (process.env.PATH ?? '').split(path.delimiter).some((d) => d && existsSync(path.join(d, 'redis-server')));
  if (!found && (process.env.CI || process.env.AIBACKEND_REQUIRE_GATEWAY))
    throw new Error('redis-server is not installed (CI requires the Redis cache test)');
  if (!found) console.warn('skipping the Redis cache test: install redis-server (Debian: apt-get install redis-server)');
  return found;
}

function canBind(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.createServer();
    s.unref();
    s.once('error', () => resolve(false));
    s.listen(port, '127.0.0.1', () => s.close(() => resolve(true)));
  });
}

const handedOut = new Set<number>();

/**
 * A port for a gateway, replica or load balancer that a process binds seconds later. Not from
 * listen(0): that is a port of Linux's ephemeral range (32768-60999), which any test's outgoing
 * connection may take as its local end meanwhile (CI saw a replica's port go that way: the replica
 * could not bind, ECONNREFUSED for 90 s). These come from below the range, each vitest worker from
 * its own slice of 1,000 so that two workers never hand out the same one.
 */
export async function freePort(): Promise<number> {
  const slice = Number(process.env.VITEST_POOL_ID ?? 0) % 12;
  const base = 20_000 + slice * 1000;
  for (let i = 0; i < 200; i++) {
    const port = base + Math.floor(Math.random() * 1000);
    if (handedOut.has(port) || !(await canBind(port))) continue;
    handedOut.add(port);
    return port;
  }
  throw new Error(`no free port in ${base}-${base + 999} after 200 tries`);
}

export const MASTER_KEY = 'sk-e2e-master-key-000000000000';
export const GATEWAY_ENV = { LITELLM_MASTER_KEY: MASTER_KEY };

export interface GatewayProject {
  project: string;
  config: string;
  port: number;
  url: string;
  write(files: Record<string, string>): void;
  /**
   * Puts the project back to the files it was made with and makes sure the gateway serves them:
   * a test that starts with this does not depend on what the tests before it left (a failed test
   * cannot knock on). Cheap when nothing changed: the reload finds the deployed config identical.
   */
  baseline(env?: Record<string, string>): Promise<void>;
  /** Writes files and makes them part of the baseline (a test file's own starting point). */
  rebase(files: Record<string, string>): void;
}

/** What the registry needs of an inference server, fake or real: where it is and what it serves. */
export interface Upstream {
  url: string;
  models: string[];
}

export interface GatewaySpec {
  bin: string;
  ollama: Upstream;
  llamaA: Upstream;
  llamaB: Upstream;
  vllm: Upstream;
  /** Extra gateway.yaml content (cache, passthrough, ...). */
  gatewayExtra?: string;
  command?: string[];
  timeoutS?: number;
}

/** The four fake providers the example-like registry routes to (Ollama, two llama.cpp, vLLM). */
export async function startFakes(host?: string): Promise<{ ollama: FakeServer; llamaA: FakeServer; llamaB: FakeServer; vllm: FakeServer }> {
  const { startFakeLLM } = await import('./fake-llm.js');
  const at = host ? { host } : {};
  return {
    ollama: await startFakeLLM('ollama', ['llama3.1:8b', 'qwen2.5-coder:7b'], 'ollama', at),
    llamaA: await startFakeLLM('openai', ['llama-2-13b-chat'], 'llama-native', at),
    llamaB: await startFakeLLM('openai', ['llama-2-13b-chat'], 'llama-python', at),
    vllm: await startFakeLLM('openai', ['Qwen/Qwen2.5-Coder-7B-Instruct-AWQ'], 'vllm', at),
  };
}

export function providersYaml(s: Pick<GatewaySpec, 'ollama' | 'llamaA' | 'llamaB' | 'vllm'>, extraModels: string[] = []): string {
  return `version: 1
providers:
  ollama:
    type: ollama
    base_url: ${s.ollama.url}
    models:
${[...s.ollama.models, ...extraModels].map((m) => `      - name: ${m}`).join('\n')}
  llama_cpp_native:
    type: llama_cpp
    base_url: ${s.llamaA.url}
    models:
      - name: llama-2-13b-chat
  llama_cpp_python:
    type: llama_cpp
    base_url: ${s.llamaB.url}
    models:
      - name: llama-2-13b-chat
  vllm:
    type: vllm
    base_url: ${s.vllm.url}
    models:
      - name: Qwen/Qwen2.5-Coder-7B-Instruct-AWQ
`;
}

export const MAPPINGS = `version: 1
models:
  llama3.1:8b:
    routes:
      - provider: ollama
    fallbacks: [qwen2.5-coder:7b]
  qwen2.5-coder:7b:
    routes:
      - provider: ollama
  qwen-coder-vllm:
    routes:
      - provider: vllm
        model: Qwen/Qwen2.5-Coder-7B-Instruct-AWQ
    fallbacks: [qwen2.5-coder:7b]
  llama2-13b:
    routes:
      - { provider: llama_cpp_native, model: llama-2-13b-chat, weight: 1 }
      - { provider: llama_cpp_python, model: llama-2-13b-chat, weight: 1 }
aliases:
  coder: qwen-coder-vllm
`;

export function gatewayYaml(bin: string, port: number, extra = '', command?: string[], timeoutS = 90): string {
  const argv = command ?? [bin, '--config', '{config}', '--host', '127.0.0.1', '--port', String(port)];
  return `version: 1
gateway:
  url: http://127.0.0.1:${port}
  master_key: env:LITELLM_MASTER_KEY
runtime:
  kind: process
  command: [${argv.map((a) => JSON.stringify(a)).join(', ')}]
  stop_grace_s: 10
  env:
    LITELLM_LOCAL_MODEL_COST_MAP: "True"
    HF_HUB_OFFLINE: "1"
health:
  timeout_s: ${timeoutS}
  interval_ms: 200
backups:
  dir: backups
  keep: 20
${extra}`;
}

export async function makeGatewayProject(spec: GatewaySpec): Promise<GatewayProject> {
  const port = await freePort();
  const initial: Record<string, string> = {
    'providers.yaml': providersYaml(spec),
    'model-mappings.yaml': MAPPINGS,
    'gateway.yaml': gatewayYaml(spec.bin, port, spec.gatewayExtra, spec.command, spec.timeoutS),
  };
  const { project, config } = makeProject({ ...initial, 'ports.yaml': null }, '');
  const url = `http://127.0.0.1:${port}`;
  const write = (files: Record<string, string>) => {
    for (const [f, t] of Object.entries(files)) writeFileSync(path.join(config, f), t);
  };
  return {
    project,
    config,
    port,
    url,
    write,
    rebase(files) {
      Object.assign(initial, files);
      write(files);
    },
    async baseline(env = GATEWAY_ENV) {
      write(initial);
      const { runCli } = await import('./cli.js');
      const reload = (...args: string[]) => runCli(['reload', '--yes', '--json', ...args], { cwd: project, env, timeout: GATEWAY_TEST_MS });
      const r = await reload();
      const status = r.stdout ? (JSON.parse(r.stdout) as { status?: string }).status : undefined;
      if (status === 'applied' || status === 'healed') return;
      if (status === 'unchanged' && (await live(url))) return;
      const again = await reload('--restart');
      if (again.exitCode !== 0) throw new Error(`could not restore the baseline gateway: ${again.stdout}\n${again.stderr}`);
    },
  };
}

async function live(url: string): Promise<boolean> {
  try {
    const res = await fetch(`${url}/health/readiness`, { signal: AbortSignal.timeout(5000) });
    return res.ok;
  } catch {
    return false;
  }
}

/** Stops the gateway a project's process runtime started, whatever state the test left. */
export function stopGateway(project: string): void {
  try {
    const rec = JSON.parse(readFileSync(path.join(project, '.aibackend', 'gateway.pid'), 'utf8')) as { pid: number };
    try {
      process.kill(-rec.pid, 'SIGKILL');
    } catch {
      process.kill(rec.pid, 'SIGKILL');
    }
  } catch {
    // nothing running
  }
}

export async function servedModels(url: string): Promise<string[]> {
  const res = await fetch(`${url}/v1/models`, { headers: { authorization: `Bearer ${MASTER_KEY}` } });
  const body = (await res.json()) as { data: { id: string }[] };
  return body.data.map((d) => d.id).sort();
}

export async function chat(url: string, model: string): Promise<{ status: number; content?: string }> {
  const res = await fetch(`${url}/v1/chat/completions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${MASTER_KEY}`, 'content-type': 'application/json' },
    body: JSON.stringify({ model, messages: [{ role: 'user', content: 'hi' }] }),
  });
  const body = (await res.json()) as { choices?: { message: { content: string } }[] };
  return { status: res.status, ...(body.choices?.[0] ? { content: body.choices[0].message.content } : {}) };
}

/** The probe steps of a reload verified end to end, each passed: [step, ok]. */
export const ALL_PROBE_STEPS_OK: [string, boolean][] = [
  ['liveliness', true],
  ['readiness', true],
  ['models', true],
  ['deployments', true],
  ['identity', true],
];

/**
 * How long the pinned LiteLLM took to boot here at the start of this run (tests/setup/litellm-boot.ts),
 * or 20 s when it was not measured.
 */
export const BOOT_MS = measuredBoot() ?? 20_000;

function measuredBoot(): number | undefined {
  try {
    return inject('litellmBootMs');
  } catch {
    return undefined; // outside a test worker (the global setup itself imports this module)
  }
}

/**
 * Time limit for a real-gateway step that starts LiteLLM `starts` times: each start is a pre-flight
 * load and a boot (about two boots), times 3 for a 2-core machine running two gateway files and
 * both suites' neighbours at once, plus a minute for everything else.
 */
export function gatewayMs(starts: number): number {
  return 60_000 + Math.ceil(starts * 2 * BOOT_MS * 3);
}

/** Time limit for one real-gateway test; the heaviest (a roll, a rollback and a recovery) starts LiteLLM about 8 times. */
export const GATEWAY_TEST_MS = gatewayMs(8);

/** Starts `aibackend ARGS` and SIGKILLs it once its journal shows `event` for its own run; resolves when it is dead. */
export async function killAfter(
  project: string,
  args: string[],
  event: string,
  env: Record<string, string> = GATEWAY_ENV,
): Promise<number> {
  const { execa } = await import('execa');
  const { BIN } = await import('./cli.js');
  const child = execa(process.execPath, [BIN, ...args], { cwd: project, env: { NO_COLOR: '1', ...env }, reject: false });
  const journal = path.join(project, 'backups', 'journal.jsonl');
  const seen = () =>
    existsSync(journal) &&
    readFileSync(journal, 'utf8')
      .split('\n')
      .some((l) => l.includes(`-${child.pid}"`) && l.includes(`"event":"${event}"`));
  for (let i = 0; i < 6000 && !seen() && child.exitCode === null; i++) await new Promise((r) => setTimeout(r, 25));
  if (!seen()) {
    child.kill('SIGKILL');
    const r = await child;
    throw new Error(`the run never reached '${event}': ${String(r.stderr)}`);
  }
  child.kill('SIGKILL');
  await child;
  return child.pid!;
}

/** The pid the process runtime recorded for the gateway, or undefined. */
export function gatewayPid(project: string): number | undefined {
  try {
    return (JSON.parse(readFileSync(path.join(project, '.aibackend', 'gateway.pid'), 'utf8')) as { pid: number }).pid;
  } catch {
    return undefined;
  }
}

/** The backend model a chat for `name` reached on `server`. */
export async function reached(url: string, name: string, server: FakeServer): Promise<string | undefined> {
  const before = server.chats().length;
  const res = await chat(url, name);
  if (res.status !== 200) return undefined;
  return server.chats().slice(before).at(-1)?.model;
}

/** Polls fn until it gives a value (a throw counts as not yet), or fails after ms with what it waited for. */
export async function waitFor<T>(what: string, fn: () => Promise<T | undefined>, ms: number, everyMs = 250): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn().catch(() => undefined);
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}
