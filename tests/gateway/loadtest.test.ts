// bench and load through the real LiteLLM gateway, against fake providers that behave like LLMs
// (a configured time to first token, inter-token delay and token count, and errors on demand): the
// figures are checked against what the fakes were told to do, not against timings of our own.
// Also: the HTML report in real headless Chromium, and the emitted locustfile run by real Locust.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { ROOT, runCli } from '../helpers/cli.js';
import { startFakeLLM, type FakeServer } from '../helpers/fake-llm.js';
import { cleanupTempDirs, tempDir } from '../helpers/fixtures.js';
import { expectSchema } from '../helpers/schemas.js';
import { requireTool } from '../helpers/tools.js';
import { GATEWAY_ENV, GATEWAY_TEST_MS, makeGatewayProject, requireLitellm, stopGateway, type GatewayProject } from '../helpers/gateway.js';

const bin = requireLitellm();

const chromium = () => requireTool(['chromium', 'chromium-browser'], 'Debian: apt-get install chromium', Boolean(bin));

function locust(): string | undefined {
  if (process.env.AIBACKEND_LOCUST && existsSync(process.env.AIBACKEND_LOCUST)) return process.env.AIBACKEND_LOCUST;
  const req = readFileSync(path.join(ROOT, 'requirements/locust.txt'), 'utf8');
  const version = /^locust==([\d.]+)/m.exec(req)![1];
  const p = path.join(
    process.env.AIBACKEND_LOCUST_VENV ??
      path.join(process.env.XDG_CACHE_HOME ?? path.join(homedir(), '.cache'), 'aibackend', `locust-${version}`),
    'bin',
    'locust',
  );
  if (!existsSync(p) && bin && (process.env.CI || process.env.AIBACKEND_REQUIRE_GATEWAY))
    throw new Error('Locust is not installed: run `bash scripts/setup-locust.sh` (CI requires it)');
  return existsSync(p) ? p : undefined;
}

const TTFT = 200;
const ITL = 20;
const TOKENS = 50;
/** Percentiles come from a log-linear histogram: a value is reported within 1% of itself. */
const PRECISION = 0.99;

describe.skipIf(!bin)('bench and load through the real gateway', { timeout: GATEWAY_TEST_MS }, () => {
  let ollama: FakeServer, llamaA: FakeServer, llamaB: FakeServer, vllm: FakeServer;
  let gw: GatewayProject;
  const cli = (...args: string[]) => runCli(args, { cwd: gw.project, env: GATEWAY_ENV, timeout: GATEWAY_TEST_MS });

  beforeAll(async () => {
    ollama = await startFakeLLM('ollama', ['llama3.1:8b', 'qwen2.5-coder:7b'], 'ollama');
    llamaA = await startFakeLLM('openai', ['llama-2-13b-chat'], 'llama-native', { ttftMs: 80, tokens: 1, failEvery: 5 });
    llamaB = await startFakeLLM('openai', ['llama-2-13b-chat'], 'llama-python', { ttftMs: 80, tokens: 1 });
    vllm = await startFakeLLM('openai', ['Qwen/Qwen2.5-Coder-7B-Instruct-AWQ'], 'vllm', {
      ttftMs: TTFT,
      chunkDelayMs: ITL,
      tokens: TOKENS,
    });
    // No retries and no cooldowns: every error a fake returns reaches the client once. Offline,
    // LiteLLM would try to download a llama tokenizer from Hugging Face for every failed request to
    // a llama-named model and stall it for 24 s (5 retries): disable_hf_tokenizer_download.
    const extra =
      'router:\n  num_retries: 0\n  allowed_fails: 100000\npassthrough:\n  litellm_settings:\n    disable_hf_tokenizer_download: true\n';
    gw = await makeGatewayProject({ bin: bin!, ollama, llamaA, llamaB, vllm, gatewayExtra: extra });
    const r = await cli('reload', '--yes');
    expect(r.exitCode, r.stderr).toBe(0);
  }, GATEWAY_TEST_MS);

  afterAll(async () => {
    if (gw) stopGateway(gw.project);
    await Promise.all([ollama, llamaA, llamaB, vllm].map((s) => s?.close()));
    cleanupTempDirs();
  });

  test(`bench --stream: TTFT and inter-token latency match the fake's ${TTFT} ms and ${ITL} ms; the overhead comes from --compare`, async () => {
    const r = await cli('bench', 'qwen-coder-vllm', '--stream', '--concurrency', '1,2', '--requests', '6', '--compare', '--json');
    expect(r.exitCode, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout);
    expectSchema('bench', out);
    const [one, two] = out.names[0].levels;
    expect([one.concurrency, two.concurrency]).toEqual([1, 2]);
    expect(one.figures).toMatchObject({ requests: 6, ok: 6, errors: 0 });
    const ov = out.overhead.find((o: { provider: string }) => o.provider === 'vllm');
    expect(ov.direct_e2e_p50_ms).toBeGreaterThanOrEqual((TTFT + (TOKENS - 1) * ITL) * PRECISION);
    const overheadMs = Math.max(0, ov.overhead_p50_ms);
    for (const l of [one, two]) {
      expect(l.figures.ttft_ms.p50).toBeGreaterThanOrEqual(TTFT * PRECISION);
      expect(l.figures.ttft_ms.p50).toBeLessThanOrEqual(TTFT + overheadMs + 100);
      expect(Math.abs(l.figures.itl_ms.p50 - ITL)).toBeLessThanOrEqual(10);
      expect(l.figures.output_tokens_per_s).toBeGreaterThan(0);
    }
    // the fake saw every request: 6 + 12 through the gateway, 6 directly
    expect(vllm.chats().length).toBe(18);
    // and a baseline far better than now is a regression (exit 1)
    const base = path.join(tempDir(), 'base.json');
    const better = structuredClone(out);
    for (const l of better.names[0].levels) l.figures.e2e_ms.p95 = 10;
    (await import('node:fs')).writeFileSync(base, JSON.stringify(better));
    const again = await cli('bench', 'qwen-coder-vllm', '--stream', '--concurrency', '1', '--requests', '3', '--baseline', base);
    expect(again.exitCode).toBe(1);
    expect(again.stdout).toMatch(/regressed beyond 20%: qwen-coder-vllm at concurrency 1: e2e_p95_ms 10 ->/);
  });

  test('load --scenario smoke: the requests its shape implies, every error the fake returned, the thresholds decide, a report', async () => {
    const before = { a: llamaA.chats().length, b: llamaB.chats().length, errors: llamaA.errorsReturned };
    const report = path.join(tempDir(), 'report.html');
    const r = await cli(
      'load',
      '--scenario',
      'smoke',
      '--users',
      '4',
      '--duration',
      '6',
      '--mix',
      'llama2-13b=1',
      '--report',
      report,
      '--json',
    );
    const out = JSON.parse(r.stdout);
    expectSchema('load', out);
    const sent = llamaA.chats().length - before.a + (llamaB.chats().length - before.b);
    const errors = llamaA.errorsReturned - before.errors;
    // At the run's time requests in flight are cut and counted apart (issue 29), not waited for.
    // Every finished request reached a fake once; a cut one may or may not have reached it yet
    // (one fresh-clone CI run: 157 chats at the fakes for 157 finished and 4 cut).
    console.log(
      `load smoke: ${sent} chats at the fakes (${errors} failed there); ${out.total.requests} finished (${out.total.errors} failed), ${out.total.cut} cut`,
    );
    expect(sent).toBeGreaterThanOrEqual(out.total.requests);
    expect(sent).toBeLessThanOrEqual(out.total.requests + out.total.cut);
    expect(out.total.errors).toBeLessThanOrEqual(errors);
    expect(errors).toBeLessThanOrEqual(out.total.errors + out.total.cut);
    expect(errors).toBeGreaterThan(0);
    // closed loop: users x duration / mean latency
    const implied = (4 * 6000) / out.total.e2e_ms.mean;
    expect(Math.abs(out.total.requests - implied) / implied).toBeLessThanOrEqual(0.1);
    // about one in ten failed (every 5th on one of two routes): above the default 5% threshold
    expect(out.passed).toBe(false);
    expect(r.exitCode).toBe(1);
    expect(out.failures[0]).toMatch(/error rate .* is above 5\.00%/);
    expect(out.timeline.length).toBeGreaterThanOrEqual(6);
    expect(out.timeline.slice(1, 5).every((p: { users: number }) => p.users === 4)).toBe(true);
    const html = readFileSync(report, 'utf8');
    expect(html).toMatch(/^<!doctype html>/);
    expect(html).not.toMatch(/<script|src="http|href="http/);
    expect((html.match(/<svg /g) ?? []).length).toBe(3);
    const browser = chromium();
    if (browser) {
      const png = path.join(tempDir(), 'report.png');
      spawnSync(
        browser,
        ['--headless', '--no-sandbox', '--disable-gpu', `--screenshot=${png}`, '--window-size=1280,1400', `file://${report}`],
        { timeout: 60_000 },
      );
      expect(existsSync(png)).toBe(true);
      const buf = readFileSync(png);
      expect(buf.subarray(1, 4).toString()).toBe('PNG');
      expect(buf.readUInt32BE(16)).toBe(1280);
      // a blank page compresses to a few KB; charts and tables do not
      expect(statSync(png).size).toBeGreaterThan(30_000);
      if (process.env.AIBACKEND_KEEP_SCREENSHOT) execFileSync('cp', [png, process.env.AIBACKEND_KEEP_SCREENSHOT]);
    }
  });

  test('load --emit locust: real Locust runs the emitted file against the gateway; --emit k6 writes a script that parses', async () => {
    const dir = tempDir();
    const e = await cli(
      'load',
      '--emit',
      'locust',
      dir,
      '--scenario',
      'smoke',
      '--users',
      '2',
      '--duration',
      '4',
      '--mix',
      'llama3.1:8b=1',
    );
    expect(e.exitCode, e.stderr).toBe(0);
    const k6 = await cli('load', '--emit', 'k6', dir, '--scenario', 'spike', '--duration', '20');
    expect(k6.exitCode).toBe(0);
    const script = path.join(dir, 'k6.js');
    expect(readFileSync(script, 'utf8')).toMatch(/executor: 'ramping-vus'/);
    execFileSync(process.execPath, ['--check', '--input-type=module'], { input: readFileSync(script, 'utf8') });
    const bin = locust();
    if (!bin) return;
    const before = ollama.chats().length;
    // Not spawnSync: the fake providers answer from this process's event loop.
    const { execa } = await import('execa');
    const r = await execa(bin, ['-f', path.join(dir, 'locustfile.py'), '--headless', '--csv', path.join(dir, 'run'), '--only-summary'], {
      env: GATEWAY_ENV,
      reject: false,
      timeout: 60_000,
    });
    expect(r.exitCode, String(r.stderr)).toBe(0);
    const stats = readFileSync(path.join(dir, 'run_stats.csv'), 'utf8').split('\n');
    const row = stats.find((l) => l.includes('llama3.1:8b'))!.split(',');
    const count = Number(row[2]);
    const failures = Number(row[3]);
    expect(count).toBeGreaterThan(0);
    expect(failures).toBe(0);
    // Locust stops its users mid-request at the end of the shape, and writes its CSV as it stops:
    // a few requests per user reach the fake unrecorded (2 users: up to 3 seen in CI). A count off by
    // more than two per user would be a miscount, not an ending.
    const reached = ollama.chats().length - before;
    expect(reached).toBeGreaterThanOrEqual(count);
    expect(reached).toBeLessThanOrEqual(count + 2 * 2);
  });
});
