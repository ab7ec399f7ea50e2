// Two reloads at once, a reload killed between write and probe, a stale lock, and the Redis
// cache, against the real LiteLLM gateway.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { BIN, runCli } from '../helpers/cli.js';
import { startFakeLLM, type FakeServer } from '../helpers/fake-llm.js';
import { cleanupTempDirs } from '../helpers/fixtures.js';
import {
  chat,
  freePort,
  GATEWAY_ENV,
  GATEWAY_TEST_MS,
  hasRedis,
  makeGatewayProject,
  MAPPINGS,
  requireLitellm,
  servedModels,
  stopGateway,
  type GatewayProject,
} from '../helpers/gateway.js';

const bin = requireLitellm();
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe.skipIf(!bin)('interrupted and concurrent reloads against the real LiteLLM gateway', { timeout: GATEWAY_TEST_MS }, () => {
  let servers: FakeServer[] = [];
  let gw: GatewayProject;
  const reload = (...args: string[]) =>
    runCli(['reload', '--yes', ...args], { cwd: gw.project, env: GATEWAY_ENV, timeout: GATEWAY_TEST_MS });
  const withAlias = (name: string) => MAPPINGS.replace('  coder: qwen-coder-vllm', `  coder: qwen-coder-vllm\n  ${name}: llama3.1:8b`);

  beforeAll(async () => {
    const [ollama, llamaA, llamaB, vllm] = (servers = [
      await startFakeLLM('ollama', ['llama3.1:8b', 'qwen2.5-coder:7b']),
      await startFakeLLM('openai', ['llama-2-13b-chat']),
      await startFakeLLM('openai', ['llama-2-13b-chat']),
      await startFakeLLM('openai', ['Qwen/Qwen2.5-Coder-7B-Instruct-AWQ']),
    ]);
    gw = await makeGatewayProject({ bin: bin!, ollama: ollama!, llamaA: llamaA!, llamaB: llamaB!, vllm: vllm! });
    const first = await reload();
    expect(first.exitCode, first.stderr).toBe(0);
  }, GATEWAY_TEST_MS);

  afterAll(async () => {
    if (gw) stopGateway(gw.project);
    await Promise.all(servers.map((s) => s.close()));
    cleanupTempDirs();
  });

  test('two concurrent reloads are serialised: the second exits 5 naming the holder', async () => {
    gw.write({ 'model-mappings.yaml': withAlias('first') });
    const a = execa(process.execPath, [BIN, 'reload', '--yes'], { cwd: gw.project, env: { NO_COLOR: '1', ...GATEWAY_ENV }, reject: false });
    const lock = path.join(gw.project, 'backups', 'reload.lock');
    for (let i = 0; i < 100 && !existsSync(lock); i++) await sleep(50);
    expect(existsSync(lock)).toBe(true);
    const b = await reload();
    expect(b.exitCode).toBe(5);
    expect(b.stderr).toContain(`pid ${a.pid}`);
    const ra = await a;
    expect(ra.exitCode, String(ra.stderr)).toBe(0);
    expect(existsSync(lock)).toBe(false);
    expect(await servedModels(gw.url)).toContain('first');
  });

  test('a reload killed between write and probe is detected and repaired by the next one', async () => {
    await gw.baseline();
    const deployedFile = path.join(gw.config, 'litellm-unified.yaml');
    const before = readFileSync(deployedFile, 'utf8');
    gw.write({ 'model-mappings.yaml': withAlias('second') });
    const a = execa(process.execPath, [BIN, 'reload', '--yes'], { cwd: gw.project, env: { NO_COLOR: '1', ...GATEWAY_ENV }, reject: false });
    const journal = path.join(gw.project, 'backups', 'journal.jsonl');
    const written = () =>
      existsSync(journal) &&
      readFileSync(journal, 'utf8')
        .trim()
        .split('\n')
        .some((l) => l.includes(`-${a.pid}"`) && l.includes('"event":"restarted"'));
    for (let i = 0; i < 6000 && !written(); i++) await sleep(25);
    expect(written()).toBe(true);
    a.kill('SIGKILL');
    await a;
    // The kill left the new file deployed, a stale lock, and an unfinished journal entry.
    expect(readFileSync(deployedFile, 'utf8')).not.toBe(before);
    expect(existsSync(path.join(gw.project, 'backups', 'reload.lock'))).toBe(true);

    const r = await reload('--json');
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/stale lock/);
    expect(r.stderr).toMatch(/was interrupted after 'restarted'/);
    const result = JSON.parse(r.stdout);
    expect(result.recovery).toMatchObject({ after: 'restarted', healthy: true });
    expect(result.status).toBe('applied');
    expect(await servedModels(gw.url)).toContain('second');
    const events = readFileSync(journal, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { id: string; event: string });
    const killedId = events.find((e) => e.id.endsWith(`-${a.pid}`))!.id;
    expect(events.filter((e) => e.id === killedId).map((e) => e.event)).toContain('recovered');
  });

  test('a stale lock from a dead process is taken over', async () => {
    await gw.baseline();
    const lock = path.join(gw.project, 'backups', 'reload.lock');
    writeFileSync(
      lock,
      JSON.stringify({
        pid: 2 ** 22 - 7,
        host: (await import('node:os')).hostname(),
        started: '2026-01-01T00:00:00Z',
        command: 'aibackend reload',
      }),
    );
    const r = await reload();
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stderr).toContain('took over a stale lock');
    expect(existsSync(lock)).toBe(false);
  });

  test.skipIf(!hasRedis())('a config with the Redis cache enabled starts and serves', async () => {
    await gw.baseline();
    let redisPort = Number(process.env.AIBACKEND_TEST_REDIS_PORT ?? 0);
    let redis: ReturnType<typeof execa> | undefined;
    if (!redisPort) {
      redisPort = await freePort();
      redis = execa('redis-server', ['--port', String(redisPort), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], {
        reject: false,
      });
      for (let i = 0; i < 100; i++) {
        const ping = await execa('redis-cli', ['-p', String(redisPort), 'ping'], { reject: false });
        if (String(ping.stdout).trim() === 'PONG') break;
        await sleep(50);
      }
    }
    try {
      const gateway = readFileSync(path.join(gw.config, 'gateway.yaml'), 'utf8');
      gw.write({
        'gateway.yaml': `${gateway}cache:\n  enabled: true\n  host: 127.0.0.1\n  port: ${redisPort}\n  namespace: aibackend-e2e\n  ttl_s: 60\n`,
      });
      const r = await reload('--json');
      expect(r.exitCode, r.stderr).toBe(0);
      const deployed = readFileSync(path.join(gw.config, 'litellm-unified.yaml'), 'utf8');
      expect(deployed).toContain('cache: true');
      expect(deployed).toContain(`port: ${redisPort}`);
      const ollama = servers[0]!;
      const before = ollama.chats().length;
      expect((await chat(gw.url, 'llama3.1:8b')).status).toBe(200);
      expect((await chat(gw.url, 'llama3.1:8b')).status).toBe(200);
      // The second identical request is answered from the Redis cache.
      expect(ollama.chats().length - before).toBe(1);
      const keys = await execa('redis-cli', ['-p', String(redisPort), '--scan', '--pattern', 'aibackend-e2e*'], { reject: false });
      expect(String(keys.stdout).trim().length).toBeGreaterThan(0);
    } finally {
      redis?.kill();
    }
  });
});
