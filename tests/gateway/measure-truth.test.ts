// Issue 29: measurements and live checks that cannot mislead, against the real LiteLLM with
// providers that misbehave on purpose: a stream that breaks off, a provider that answers 400 about
// a parameter, one that fails a third of its requests, one that is slow; the response cache on.
import { writeFileSync } from 'node:fs';
import { execa } from 'execa';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { BIN, runCli } from '../helpers/cli.js';
import { startFakeLLM, type FakeServer } from '../helpers/fake-llm.js';
import { cleanupTempDirs, tempDir } from '../helpers/fixtures.js';
import {
  GATEWAY_ENV,
  GATEWAY_TEST_MS,
  hasRedis,
  makeGatewayProject,
  requireLitellm,
  startFakes,
  stopGateway,
  type GatewayProject,
} from '../helpers/gateway.js';

const bin = requireLitellm();
const redis = hasRedis();
const redisPort = Number(process.env.AIBACKEND_TEST_REDIS_PORT ?? 6379);

describe.skipIf(!bin)('measurements that cannot mislead (issue 29)', { timeout: GATEWAY_TEST_MS }, () => {
  let steady: FakeServer, dropper: FakeServer, flaky: FakeServer, bad: FakeServer, slow: FakeServer, drip: FakeServer;
  let fakes: Awaited<ReturnType<typeof startFakes>>;
  let gw: GatewayProject;
  const cli = (args: string[], env: Record<string, string | undefined> = GATEWAY_ENV) =>
    runCli(args, { cwd: gw.project, env, timeout: GATEWAY_TEST_MS });

  beforeAll(async () => {
    fakes = await startFakes();
    steady = await startFakeLLM('openai', ['steady-model'], 'steady', { ttftMs: 20, tokens: 4, chunkDelayMs: 5 });
    dropper = await startFakeLLM('openai', ['cut-model'], 'dropper', { dropStreamAfter: 3 });
    flaky = await startFakeLLM('openai', ['flaky-model'], 'flaky', { ttftMs: 5, tokens: 2, failEvery: 3 });
    bad = await startFakeLLM('openai', ['bad-model'], 'bad', { badRequest: true });
    slow = await startFakeLLM('openai', ['slow-model'], 'slow', { ttftMs: 4000, tokens: 2, chunkDelayMs: 10 });
    // A token every 1.5 s for 9 s: never idle for long, long in all.
    drip = await startFakeLLM('openai', ['drip-model'], 'drip', { ttftMs: 100, tokens: 7, chunkDelayMs: 1500 });
    const provider = (id: string, f: FakeServer) =>
      `  ${id}:\n    type: vllm\n    base_url: ${f.url}\n    models:\n      - name: ${f.models[0]}\n`;
    const providers = `version: 1\nproviders:\n${provider('steady', steady)}${provider('dropper', dropper)}${provider('flaky', flaky)}${provider('bad', bad)}${provider('slow', slow)}${provider('drip', drip)}`;
    const name = (n: string, p: string, m: string) => `  ${n}:\n    routes:\n      - { provider: ${p}, model: ${m} }\n`;
    const mappings = `version: 1\nmodels:\n${name('steady', 'steady', 'steady-model')}${name('cut', 'dropper', 'cut-model')}${name('flaky', 'flaky', 'flaky-model')}${name('bad', 'bad', 'bad-model')}${name('slow', 'slow', 'slow-model')}${name('drip', 'drip', 'drip-model')}`;
    // No retries, no cooldowns: what a provider does reaches the client once. The cache on, so that a
    // benchmark that repeated its prompts would be answered by it.
    // A namespace with glob characters: SCAN must match it literally.
    const cache = redis
      ? `cache:\n  enabled: true\n  host: 127.0.0.1\n  port: ${redisPort}\n  namespace: "op[x]-${process.pid}"\n  ttl_s: 300\n`
      : '';
    const extra = `metrics:\n  prometheus: true\nlogging:\n  json: true\nrouter:\n  num_retries: 0\n  allowed_fails: 100000\n${cache}passthrough:\n  litellm_settings:\n    disable_hf_tokenizer_download: true\n`;
    gw = await makeGatewayProject({ bin: bin!, ...fakes, gatewayExtra: extra });
    gw.rebase({ 'providers.yaml': providers, 'model-mappings.yaml': mappings });
    await gw.baseline();
  }, GATEWAY_TEST_MS);

  afterAll(async () => {
    if (gw) stopGateway(gw.project);
    await Promise.all([steady, dropper, flaky, bad, slow, drip, ...Object.values(fakes ?? {})].map((s) => s?.close()));
    cleanupTempDirs();
  });

  test.skipIf(!redis)(
    "every prompt of every run is new: a second identical bench still reaches the provider, and nothing is counted as the cache's",
    async () => {
      const args = ['bench', 'steady', '--concurrency', '1', '--requests', '5', '--json'];
      const first = await cli(args);
      expect(first.exitCode, first.stderr).toBe(0);
      const before = steady.chats().length;
      const second = await cli(args);
      expect(second.exitCode, second.stderr).toBe(0);
      expect(steady.chats().length - before).toBe(5);
      const f = JSON.parse(second.stdout).names[0].levels[0].figures;
      expect(f).toMatchObject({ requests: 5, ok: 5, cached: 0, errors: 0 });
      // A repeated prompt is what the cache answers: try marks it, so the header is the cache's.
      const a = JSON.parse((await cli(['try', 'steady', '--prompt', 'same prompt twice', '--json'])).stdout);
      const b = JSON.parse((await cli(['try', 'steady', '--prompt', 'same prompt twice', '--json'])).stdout);
      expect([a.cache_hit, b.cache_hit]).toEqual([false, true]);
    },
  );

  test('a stream that breaks off is a failure with its kind, in try, bench and load', async () => {
    const t = await cli(['try', 'cut', '--stream', '--json']);
    expect(t.exitCode).toBe(1);
    const tr = JSON.parse(t.stdout);
    expect(tr.ok).toBe(false);
    expect(tr.error.kind).toMatch(/^stream-(error|cut)$/);
    const b = await cli(['bench', 'cut', '--stream', '--concurrency', '1', '--requests', '4', '--json']);
    expect(b.exitCode).toBe(1);
    const f = JSON.parse(b.stdout).names[0].levels[0].figures;
    expect(f).toMatchObject({ ok: 0, errors: 4, error_rate: 1, requests_per_s: 0 });
    expect(Object.keys(f.error_kinds).every((k) => /^stream-(error|cut)$/.test(k))).toBe(true);
    const l = await cli(['load', '--scenario', 'smoke', '--users', '2', '--duration', '2', '--mix', 'cut=1', '--stream', '--json']);
    const lr = JSON.parse(l.stdout);
    expect(lr.total.ok).toBe(0);
    expect(lr.total.error_rate).toBe(1);
    expect(lr.passed).toBe(false);
    expect(l.exitCode).toBe(1);
    // The text says what kind of failure it was.
    const text = await cli(['bench', 'cut', '--stream', '--concurrency', '1', '--requests', '2']);
    expect(text.stdout).toMatch(/2 × stream-(error|cut)/);
  });

  test('failures are not throughput: a third failing fails the level, and a rise in the error rate is a regression against a clean baseline', async () => {
    const b = await cli(['bench', 'flaky', '--concurrency', '1', '--requests', '9', '--json']);
    expect(b.exitCode).toBe(1);
    const out = JSON.parse(b.stdout);
    const f = out.names[0].levels[0].figures;
    expect(f.errors).toBe(3);
    expect(f.ok).toBe(6);
    expect(f.attempts_per_s).toBeGreaterThan(f.requests_per_s);
    // A clean baseline of the same name: the error rate rose by a third.
    const clean = structuredClone(out);
    Object.assign(clean.names[0].levels[0].figures, { ok: 9, errors: 0, error_rate: 0, error_kinds: {}, error_examples: {} });
    const file = path.join(tempDir(), 'clean.json');
    writeFileSync(file, JSON.stringify(clean));
    const again = await cli([
      'bench',
      'flaky',
      '--concurrency',
      '1',
      '--requests',
      '9',
      '--baseline',
      file,
      '--threshold',
      '0.99',
      '--max-error-rate',
      '0.5',
      '--json',
    ]);
    expect(again.exitCode).toBe(1);
    const reg = JSON.parse(again.stdout).baseline.regressions;
    expect(reg.map((r: { metric: string }) => r.metric)).toContain('error_rate');
  });

  test("a provider's 400 about a parameter is that, not a refused master key; verify checks every name past it", async () => {
    const t = await cli(['try', 'bad', '--json']);
    expect(t.exitCode).toBe(1);
    const tr = JSON.parse(t.stdout);
    expect(tr.error.kind).toBe('bad-request');
    expect(tr.error.message).toMatch(/max_tokens/);
    expect(t.stdout + t.stderr).not.toMatch(/master key/);
    const v = await cli(['verify', '--json']);
    expect(v.exitCode).toBe(1);
    const vr = JSON.parse(v.stdout);
    expect(vr.names.map((n: { name: string }) => n.name).sort()).toEqual(['bad', 'cut', 'drip', 'flaky', 'slow', 'steady']);
    expect(vr.names.find((n: { name: string }) => n.name === 'steady').findings).toEqual([]);
    expect(vr.names.find((n: { name: string }) => n.name === 'bad').findings[0].message).toMatch(/bad-request/);
  });

  test('an unset key variable, a refused key and a dead gateway stop bench, load, try and verify at once, before any provider is asked', async () => {
    const before = steady.chats().length;
    for (const args of [
      ['try', 'steady'],
      ['verify'],
      ['bench', 'steady', '--requests', '50'],
      ['load', '--scenario', 'smoke', '--duration', '2', '--mix', 'steady=1'],
    ]) {
      const unset = await cli(args, { LITELLM_MASTER_KEY: undefined });
      expect(unset.exitCode, args.join(' ')).toBe(1);
      expect(unset.stderr).toMatch(/LITELLM_MASTER_KEY is not set/);
    }
    const t0 = performance.now();
    const wrong = await cli(['bench', 'steady', '--requests', '200', '--concurrency', '4'], {
      LITELLM_MASTER_KEY: 'sk-not-the-master-key-0123456789',
    });
    expect(wrong.exitCode).toBe(1);
    expect(wrong.stderr).toMatch(/refused the master key.*nothing was measured/);
    expect(steady.chats().length, 'no provider was asked').toBe(before);
    // A gateway that is down: a port nothing listens on.
    const g = path.join(gw.config, 'gateway.yaml');
    const { readFileSync } = await import('node:fs');
    const text = readFileSync(g, 'utf8');
    writeFileSync(g, text.replace(`url: ${gw.url}`, 'url: http://127.0.0.1:9'));
    try {
      const down = await cli(['bench', 'steady', '--requests', '200']);
      expect(down.exitCode).toBe(1);
      expect(down.stderr).toMatch(/cannot be reached.*nothing was measured/);
    } finally {
      writeFileSync(g, text);
    }
    expect(performance.now() - t0).toBeLessThan(GATEWAY_TEST_MS);
  });

  test('--timeout is a deadline for the whole request, not an idle timeout: a stream that drips a token every 1.5 s ends at 3 s', async () => {
    const t0 = performance.now();
    const b = await cli(['bench', 'drip', '--stream', '--concurrency', '1', '--requests', '1', '--timeout', '3', '--json']);
    const f = JSON.parse(b.stdout).names[0].levels[0].figures;
    expect(f.error_kinds).toEqual({ deadline: 1 });
    expect(b.exitCode).toBe(1);
    expect(performance.now() - t0).toBeLessThan(GATEWAY_TEST_MS);
  });

  test('load --duration ends at its time: streams still in flight are cut and counted, not waited for', async () => {
    const r = await cli([
      'load',
      '--scenario',
      'smoke',
      '--users',
      '2',
      '--duration',
      '2',
      '--mix',
      'slow=1',
      '--stream',
      '--json',
      '--timeout',
      '60',
    ]);
    const out = JSON.parse(r.stdout);
    // Each request takes 4 s: none finished within the 2 s, both users' requests were cut.
    expect(out.total.cut).toBe(2);
    expect(out.total.requests).toBe(0);
    expect(out.seconds).toBeLessThan(3.5);
  });

  test.skipIf(!redis)(
    'cache stats and flush find the entries of a namespace with glob characters; flush says what it cannot clear',
    async () => {
      await cli(['try', 'steady', '--prompt', `cache this ${Date.now()}`]);
      const stats = JSON.parse((await cli(['cache', 'stats', '--json'])).stdout);
      expect(stats.keys).toBeGreaterThanOrEqual(1);
      const flush = await cli(['cache', 'flush', '--yes', '--json']);
      expect(flush.exitCode, flush.stderr).toBe(0);
      const out = JSON.parse(flush.stdout);
      expect(out.deleted).toBe(stats.keys);
      expect(out.in_process_copy).toMatch(/in memory/);
    },
  );

  test("logs --since reads the gateway's timestamps in the gateway's zone, not the CLI's", async () => {
    await cli(['try', 'steady']);
    const tokyo = await cli(['logs', '--since', '10m', '--json'], { ...GATEWAY_ENV, TZ: 'Asia/Tokyo' });
    expect(tokyo.exitCode, tokyo.stderr).toBe(0);
    const r = JSON.parse(tokyo.stdout);
    expect(r.lines.length).toBeGreaterThan(0);
    const utc = JSON.parse((await cli(['logs', '--since', '10m', '--json'], { ...GATEWAY_ENV, TZ: 'UTC' })).stdout);
    expect(r.lines.length).toBe(utc.lines.length);
  });

  test("stats --watch survives a restart: failed reads are lines of their own, and the counters' reset is said, not clamped away", async () => {
    const watch = execa(process.execPath, [BIN, 'stats', '--watch', '2', '--json'], {
      cwd: gw.project,
      env: { ...GATEWAY_ENV, NO_COLOR: '1' },
      reject: false,
    });
    let seen = '';
    watch.stdout!.on('data', (d: Buffer) => (seen += d.toString()));
    try {
      // The watch has read the gateway before it restarts: its first figures are out.
      const ready = Date.now() + 60_000;
      while (!/"window_s"/.test(seen) && Date.now() < ready) await new Promise((r) => setTimeout(r, 200));
      expect(seen).toMatch(/"window_s"/);
      for (let i = 0; i < 3; i++) await cli(['try', 'steady']);
      await new Promise((r) => setTimeout(r, 2500));
      const restart = await cli(['reload', '--yes', '--restart']);
      expect(restart.exitCode, restart.stderr).toBe(0);
      await cli(['try', 'steady']);
      await new Promise((r) => setTimeout(r, 5000));
    } finally {
      watch.kill('SIGTERM');
    }
    await watch;
    // JSON Lines: every line one object, the failed reads included.
    const objects = seen
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { ok?: boolean; restarted?: boolean; names?: { name: string; requests: number }[] });
    expect(objects.length).toBeGreaterThan(2);
    const reset = objects.find((o) => o.restarted === true);
    expect(reset, seen).toBeDefined();
    expect(reset!.names!.find((n) => n.name === 'steady')!.requests).toBeGreaterThanOrEqual(0);
  });
});
