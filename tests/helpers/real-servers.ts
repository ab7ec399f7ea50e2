// Real inference servers on loopback: llama.cpp's native llama-server and llama-cpp-python's
// server (scripts/setup-llama-cpp.sh, from the pinned llama-cpp-python sdist) and Ollama
// (scripts/setup-ollama.sh, from the pinned Go module), all serving the tiny random-weight model.
// Required in CI (AIBACKEND_LLAMA_CPP and AIBACKEND_OLLAMA, set by .ci/run); skipped with a warning
// elsewhere when they were never built.
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import path from 'node:path';
import { execa, type ResultPromise } from 'execa';
import { ROOT } from './cli.js';
import { tempDir } from './fixtures.js';
import { freePort, waitFor } from './gateway.js';

export interface LlamaCpp {
  dir: string;
  llamaServer: string;
  pythonServer: string;
  model: string;
}

const cacheDir = () => path.join(process.env.XDG_CACHE_HOME ?? path.join(homedir(), '.cache'), 'aibackend');

/** A setup script's directory: the name it computes, `<name>-<version>-<hash of its inputs>`. */
function builtDir(name: string, version: string, inputs: string[]): string {
  const h = createHash('sha256');
  for (const f of inputs) h.update(readFileSync(path.join(ROOT, f)));
  return path.join(cacheDir(), `${name}-${version}-${h.digest('hex').slice(0, 16)}`);
}

function llamaCppDir(): string {
  const version = /^llama-cpp-python==([\d.]+)/m.exec(readFileSync(path.join(ROOT, 'requirements/llama-cpp.txt'), 'utf8'))![1]!;
  return builtDir('llama-cpp', version, ['requirements/llama-cpp.txt', 'scripts/setup-llama-cpp.sh', 'scripts/make-tiny-gguf.py']);
}

function ollamaDir(): string {
  const version = / (v[\d.]+)/.exec(
    readFileSync(path.join(ROOT, 'tools/ollama/go.mod'), 'utf8')
      .split('\n')
      .find((l) => l.includes('github.com/ollama/ollama v'))!,
  )![1]!;
  return builtDir('ollama', version, ['tools/ollama/go.mod', 'tools/ollama/go.sum', 'scripts/setup-ollama.sh']);
}

export function llamaCpp(): LlamaCpp | undefined {
  const dir = process.env.AIBACKEND_LLAMA_CPP || llamaCppDir();
  const found = {
    dir,
    llamaServer: path.join(dir, 'bin', 'llama-server'),
    pythonServer: path.join(dir, 'bin', 'llama-cpp-python-server'),
    model: path.join(dir, 'models', 'tiny.gguf'),
  };
  return [found.llamaServer, found.pythonServer, found.model].every((p) => existsSync(p)) ? found : undefined;
}

/** In CI the real-server tests must run; elsewhere they are skipped, loudly, until the servers are built. */
function required<T>(found: T | undefined, needed: boolean, what: string, script: string): T | undefined {
  if (!found && needed && (process.env.CI || process.env.AIBACKEND_REQUIRE_GATEWAY))
    throw new Error(`${what} not built: run \`bash ${script}\` (CI requires the real-server tests)`);
  if (!found && needed) console.warn(`skipping the real-server tests: ${what} not built (bash ${script})`);
  return found;
}

export const requireLlamaCpp = (needed = true) => required(llamaCpp(), needed, 'the llama.cpp servers are', 'scripts/setup-llama-cpp.sh');

export interface RealServer {
  kind: 'llama-server' | 'llama-cpp-python';
  port: number;
  /** The OpenAI-compatible base URL, as the registry's base_url (…/v1). */
  url: string;
  /** The model name it serves (its alias). */
  models: string[];
  /** The root, where /health and /metrics live. */
  root: string;
  /** The server's output so far (both streams). */
  output(): string;
  /** Stops it (SIGTERM, then SIGKILL after 5 s). */
  stop(): Promise<void>;
  /** Starts it again on the same port, with the same arguments; resolves when it serves. */
  start(): Promise<void>;
  running(): boolean;
}

export interface ServeOptions {
  /** The model name the server answers to (--alias / --model_alias). */
  alias: string;
  /** llama-server only: serve /v1/embeddings (--embeddings, mean pooling) instead of completions. */
  embeddings?: boolean;
  /** Extra arguments. */
  args?: string[];
}

/**
 * Starts a real server on a free loopback port and waits until it answers /v1/models with the
 * model loaded. Small context and one thread: several run beside LiteLLM on a 2-core machine.
 */
export async function serve(lc: LlamaCpp, kind: RealServer['kind'], opts: ServeOptions): Promise<RealServer> {
  const port = await freePort();
  const argv =
    kind === 'llama-server'
      ? [
          '-m',
          lc.model,
          '--host',
          '127.0.0.1',
          '--port',
          String(port),
          '--alias',
          opts.alias,
          '--metrics',
          '-c',
          '1024',
          '-np',
          '2',
          '-t',
          '1',
          // Every answer runs to its max_tokens: the random model could say its end token at any
          // point (about once in 32,000 tokens), and the tests count tokens.
          '--ignore-eos',
          ...(opts.embeddings ? ['--embeddings', '--pooling', 'mean'] : []),
          ...(opts.args ?? []),
        ]
      : [
          '--model',
          lc.model,
          '--model_alias',
          opts.alias,
          '--host',
          '127.0.0.1',
          '--port',
          String(port),
          '--n_ctx',
          '1024',
          '--n_threads',
          '1',
          ...(opts.args ?? []),
        ];
  const bin = kind === 'llama-server' ? lc.llamaServer : lc.pythonServer;
  let child: ResultPromise | undefined;
  let log = '';
  const root = `http://127.0.0.1:${port}`;
  const server: RealServer = {
    kind,
    port,
    url: `${root}/v1`,
    models: [opts.alias],
    root,
    output: () => log,
    running: () => Boolean(child && child.exitCode === null && !child.killed),
    async start() {
      child = execa(bin, argv, { reject: false, all: true, buffer: false });
      child.all?.on('data', (d: Buffer) => (log = (log + d.toString('utf8')).slice(-200_000)));
      const proc = child;
      const ready = await waitFor(
        `${kind} on :${port} to serve ${opts.alias}`,
        async () => {
          if (proc.exitCode !== null) return 'exited';
          const res = await fetch(`${root}/v1/models`, { signal: AbortSignal.timeout(2000) });
          if (!res.ok) return undefined;
          const body = (await res.json()) as { data?: { id: string }[] };
          return body.data?.some((m) => m.id === opts.alias) ? 'serving' : undefined;
        },
        60_000,
        100,
      ).catch((e: Error) => e.message);
      if (ready !== 'serving') throw new Error(`${kind} on :${port} did not start (${ready}):\n${log.slice(-2000)}`);
    },
    stop: () => stopProcess(child),
  };
  await server.start();
  return server;
}

export interface OllamaBuild {
  dir: string;
  bin: string;
  /** The directory with tiny.gguf and its Modelfile. */
  models: string;
}

export function ollamaBuild(): OllamaBuild | undefined {
  const dir = process.env.AIBACKEND_OLLAMA || ollamaDir();
  const found = { dir, bin: path.join(dir, 'bin', 'ollama'), models: path.join(dir, 'models') };
  return existsSync(found.bin) && existsSync(path.join(found.models, 'Modelfile')) ? found : undefined;
}

export const requireOllama = (needed = true) => required(ollamaBuild(), needed, 'Ollama is', 'scripts/setup-ollama.sh');

/** SIGTERM, then SIGKILL after 5 s; resolves once the process is gone. */
async function stopProcess(proc: ResultPromise | undefined): Promise<void> {
  if (!proc || proc.exitCode !== null) return;
  proc.kill('SIGTERM');
  const timer = setTimeout(() => proc.kill('SIGKILL'), 5000);
  await proc.catch(() => undefined);
  clearTimeout(timer);
}

export interface RealOllama {
  port: number;
  /** The registry's base_url (Ollama's root). */
  url: string;
  models: string[];
  output(): string;
  stop(): Promise<void>;
}

/**
 * `ollama serve` on a free loopback port, with its own model store and HOME (it writes a key pair
 * there), and the tiny model created under each of `names` (`ollama create NAME -f Modelfile`).
 */
export async function serveOllama(build: OllamaBuild, names: string[]): Promise<RealOllama> {
  const port = await freePort();
  const home = tempDir();
  const env = { HOME: home, OLLAMA_HOST: `127.0.0.1:${port}`, OLLAMA_MODELS: path.join(home, 'models'), OLLAMA_KEEP_ALIVE: '1h' };
  let log = '';
  const child = execa(build.bin, ['serve'], { env, reject: false, all: true, buffer: false });
  child.all?.on('data', (d: Buffer) => (log = (log + d.toString('utf8')).slice(-200_000)));
  const url = `http://127.0.0.1:${port}`;
  const up = await waitFor(
    `ollama on :${port}`,
    async () =>
      child.exitCode !== null ? 'exited' : (await fetch(`${url}/api/version`, { signal: AbortSignal.timeout(2000) })).ok ? 'up' : undefined,
    60_000,
    100,
  ).catch((e: Error) => e.message);
  if (up !== 'up') throw new Error(`ollama serve did not start (${up}):\n${log.slice(-2000)}`);
  for (const name of names) {
    const r = await execa(build.bin, ['create', name, '-f', 'Modelfile'], { cwd: build.models, env, reject: false, all: true });
    if (r.exitCode !== 0) throw new Error(`ollama create ${name} failed: ${String(r.all).slice(-2000)}`);
  }
  return {
    port,
    url,
    models: names,
    output: () => log,
    stop: () => stopProcess(child),
  };
}
