// Rolling reloads under the faults operators meet, over two real LiteLLM replicas behind the real
// HAProxy, with plain and streamed traffic through the load balancer the whole time: a replica left
// out of rotation by a killed run, a rotated secret, HAProxy or a replica killed between reloads, a
// stranger on a replica's port, HAProxy killed mid-roll, a stream longer than the drain, a changed
// haproxy.cfg, a full state directory and --timeout. Each asserts the failed requests, the exit
// code, the JSON result and the final state (HAProxy's server states, and which config and which
// environment each replica runs).
import { execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { BIN, runCli } from '../helpers/cli.js';
import type { FakeServer } from '../helpers/fake-llm.js';
import { cleanupTempDirs } from '../helpers/fixtures.js';
import { requireTool } from '../helpers/tools.js';
import { traffic, underTraffic } from '../helpers/traffic.js';
import {
  freePort,
  GATEWAY_ENV,
  GATEWAY_TEST_MS,
  makeGatewayProject,
  MAPPINGS,
  MASTER_KEY,
  providersYaml,
  requireLitellm,
  waitFor,
  type GatewayProject,
} from '../helpers/gateway.js';
import { expectSchema } from '../helpers/schemas.js';

const bin = requireLitellm();
const haproxy = () => Boolean(requireTool('haproxy', 'Debian: apt-get install haproxy', Boolean(bin)));

/** The registry with a provider key the gateway reads from its environment: what a rotation changes. */
const withKey = (s: Parameters<typeof providersYaml>[0]) =>
  providersYaml(s).replace(/(  vllm:\n    type: vllm\n)/, '$1    api_key: env:FAKE_API_KEY\n');

describe.skipIf(!bin || !haproxy())('rolling reloads under faults, with plain and streamed traffic', { timeout: GATEWAY_TEST_MS }, () => {
  let ollama: FakeServer, llamaA: FakeServer, llamaB: FakeServer, vllm: FakeServer;
  let gw: GatewayProject;
  let ports: number[];
  let key = 'sk-fake-one';
  const env = () => ({ ...GATEWAY_ENV, FAKE_API_KEY: key });
  const cli = (args: string[]) => runCli(args, { cwd: gw.project, env: env(), timeout: GATEWAY_TEST_MS });
  const reload = async (...args: string[]) => {
    const r = await cli(['reload', '--yes', '--json', ...args]);
    const result = r.stdout ? JSON.parse(r.stdout) : undefined;
    if (result) expectSchema('reload', result);
    return { ...r, result };
  };
  const status = async () => {
    const r = await cli(['status', '--json', '--timeout', '3s']);
    return { exitCode: r.exitCode, report: JSON.parse(r.stdout) };
  };
  const socket = () => path.join(gw.project, '.aibackend', 'haproxy.sock');
  const admin = (command: string) =>
    new Promise<string>((resolve, reject) => {
      const c = net.connect({ path: socket() });
      let out = '';
      c.setEncoding('utf8');
      c.on('connect', () => c.end(`${command}\n`));
      c.on('data', (d: string) => (out += d));
      c.on('end', () => resolve(out));
      c.on('error', reject);
    });
  /** HAProxy's state of each replica's server: { r1: 'UP', r2: 'MAINT' }. */
  const states = async () => {
    const lines = (await admin('show stat')).split('\n').filter(Boolean);
    const header = lines.shift()!.replace(/^# /, '').split(',');
    const at = (n: string) => header.indexOf(n);
    return Object.fromEntries(
      lines
        .map((l) => l.split(','))
        .filter((f) => f[at('pxname')] === 'litellm' && /^r\d$/.test(f[at('svname')]!))
        .map((f) => [f[at('svname')], f[at('status')]]),
    ) as Record<string, string>;
  };
  const record = (name: string) => {
    try {
      return JSON.parse(readFileSync(path.join(gw.project, '.aibackend', `${name}.pid`), 'utf8')) as {
        pid: number;
        config_sha256?: string;
      };
    } catch {
      return undefined;
    }
  };
  const pid = (name: string) => record(name)?.pid;
  const alive = (p: number | undefined) => {
    if (p === undefined) return false;
    try {
      process.kill(p, 0);
      return true;
    } catch {
      return false;
    }
  };
  /** The value a running process got for an environment variable: what the replica really reads. */
  const environ = (p: number, name: string) =>
    readFileSync(`/proc/${p}/environ`, 'utf8')
      .split('\0')
      .find((e) => e.startsWith(`${name}=`))
      ?.slice(name.length + 1);
  const deployedSha = () =>
    createHash('sha256')
      .update(readFileSync(path.join(gw.config, 'litellm-unified.yaml'), 'utf8'))
      .digest('hex');
  const modelsAt = async (url: string) =>
    (
      (await (await fetch(`${url}/v1/models`, { headers: { authorization: `Bearer ${MASTER_KEY}` } })).json()) as { data: { id: string }[] }
    ).data.map((d) => d.id);
  /** Both replicas UP in HAProxy, each its own verified process on the deployed file, and status exit 0. */
  const expectWhole = async () => {
    await waitFor('both servers UP', async () => ((s) => (s.r1 === 'UP' && s.r2 === 'UP' ? s : undefined))(await states()), 15_000);
    const sha = deployedSha();
    for (const r of ['gateway-r1', 'gateway-r2']) {
      expect(alive(pid(r)), r).toBe(true);
      expect(record(r)!.config_sha256, r).toBe(sha);
    }
    const st = await status();
    expect(st.report.gateway.replicas.map((x: { process: string; haproxy: string }) => [x.process, x.haproxy])).toEqual([
      ['verified', 'UP'],
      ['verified', 'UP'],
    ]);
    expect(st.exitCode, JSON.stringify(st.report.gateway)).toBe(0);
  };

  beforeAll(async () => {
    const { startFakeLLM } = await import('../helpers/fake-llm.js');
    // The llama.cpp fakes stream slowly (four words, one every 5 s): long requests for the drain tests.
    ollama = await startFakeLLM('ollama', ['llama3.1:8b', 'qwen2.5-coder:7b'], 'ollama');
    llamaA = await startFakeLLM('openai', ['llama-2-13b-chat'], 'llama-native', { chunkDelayMs: 5000 });
    llamaB = await startFakeLLM('openai', ['llama-2-13b-chat'], 'llama-python', { chunkDelayMs: 5000 });
    vllm = await startFakeLLM('openai', ['Qwen/Qwen2.5-Coder-7B-Instruct-AWQ'], 'vllm');
    ports = [await freePort(), await freePort()];
    const extra = `replicas: 2\nreplica_ports: [${ports.join(', ')}]\npassthrough:\n  litellm_settings:\n    disable_hf_tokenizer_download: true\n`;
    gw = await makeGatewayProject({
      bin: bin!,
      ollama,
      llamaA,
      llamaB,
      vllm,
      gatewayExtra: extra,
      // A replica whose config has the public name "never-ready-marker" never becomes ready: a process
      // that listens on its port and answers 404 to every health check.
      command: [
        'sh',
        '-c',
        'grep -q never-ready-marker "$0" && exec python3 -m http.server "$1" --bind 127.0.0.1; exec "$2" --config "$0" --host 127.0.0.1 --port "$1"',
        '{config}',
        '{port}',
        bin!,
      ],
    });
    gw.rebase({ 'providers.yaml': withKey({ ollama, llamaA, llamaB, vllm }) });
    const first = await reload();
    expect(first.exitCode, first.stderr).toBe(0);
  }, GATEWAY_TEST_MS);

  afterAll(async () => {
    for (const name of ['gateway-r1', 'gateway-r2', 'haproxy']) {
      const p = pid(name);
      if (p !== undefined) {
        try {
          process.kill(-p, 'SIGKILL');
        } catch {
          // gone
        }
      }
    }
    // Every HAProxy of this project, recorded or not (a predecessor still finishing, the older one a test started).
    if (gw) spawnSync('pkill', ['-KILL', '-f', `haproxy -f ${gw.project}/`]);
    await Promise.all([ollama, llamaA, llamaB, vllm].map((s) => s?.close()));
    cleanupTempDirs();
  });

  test('a replica left in MAINT by a killed run is put back before the roll, which then loses nothing (it used to drain the only UP server)', async () => {
    expect(await admin('set server litellm/r2 state maint')).toBe('\n');
    expect((await states()).r2).toBe('MAINT');
    // status says so, and exits 1
    const before = await status();
    expect(before.exitCode).toBe(1);
    expect(before.report.gateway.replicas[1]).toMatchObject({ name: 'r2', haproxy: 'MAINT', process: 'verified' });
    gw.write({ 'model-mappings.yaml': MAPPINGS.replace('aliases:\n', 'aliases:\n  after-maint: llama3.1:8b\n') });
    const { result: r, sent, failed, failures } = await underTraffic(gw.url, () => reload(), { streamed: true });
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.result.status).toBe('applied');
    expect(sent).toBeGreaterThan(20);
    expect(failed, failures.join('\n')).toBe(0);
    expect(r.result.healed).toEqual([
      expect.stringMatching(/^replica r2 was held out of rotation in HAProxy \(MAINT\) although it answers/),
    ]);
    expect(r.result.roll.map((s: { part: string; action: string }) => `${s.part} ${s.action}`)).toEqual([
      'r2 put-back',
      'r1 restarted',
      'r2 restarted',
    ]);
    for (const p of ports) expect(await modelsAt(`http://127.0.0.1:${p}`)).toContain('after-maint');
    await expectWhole();
  });

  test('a replica left in DRAIN with nothing to change: the reload heals it (exit 0, status "healed") instead of saying "unchanged"', async () => {
    const r1 = pid('gateway-r1');
    expect(await admin('set server litellm/r1 state drain')).toBe('\n');
    const r = await reload();
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.result.status).toBe('healed');
    expect(r.result.message).toMatch(/replica r1 \(port \d+\) is held out of rotation in HAProxy \(DRAIN\)/);
    expect(r.result.healed).toEqual([expect.stringMatching(/^replica r1 was held out of rotation/)]);
    expect(pid('gateway-r1')).toBe(r1);
    await expectWhole();
    // and then there is nothing left to heal
    expect((await reload()).result.status).toBe('unchanged');
  });

  test('a rotated secret reaches every replica: each is recreated with the new value, under traffic, and the next reload says unchanged', async () => {
    const before = [pid('gateway-r1')!, pid('gateway-r2')!];
    expect(before.map((p) => environ(p, 'FAKE_API_KEY'))).toEqual(['sk-fake-one', 'sk-fake-one']);
    key = 'sk-fake-two';
    const { result: r, sent, failed, failures } = await underTraffic(gw.url, () => reload(), { streamed: true });
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.result.status).toBe('applied');
    expect(r.result.secrets_changed.map((s: { name: string }) => s.name)).toEqual(['FAKE_API_KEY']);
    expect(r.result.roll.map((s: { part: string; action: string }) => `${s.part} ${s.action}`)).toEqual(['r1 restarted', 'r2 restarted']);
    expect(sent).toBeGreaterThan(10);
    expect(failed, failures.join('\n')).toBe(0);
    const after = [pid('gateway-r1')!, pid('gateway-r2')!];
    expect(after[0]).not.toBe(before[0]);
    expect(after[1]).not.toBe(before[1]);
    expect(after.map((p) => environ(p, 'FAKE_API_KEY'))).toEqual(['sk-fake-two', 'sk-fake-two']);
    expect((await reload()).result.status).toBe('unchanged');
    // --restart rolls every replica too (it used to restart nothing with replicas)
    const forced = await reload('--restart');
    expect(forced.exitCode, forced.stderr).toBe(0);
    expect(forced.result.roll.map((s: { part: string; action: string }) => `${s.part} ${s.action}`)).toEqual([
      'r1 restarted',
      'r2 restarted',
    ]);
    expect(pid('gateway-r1')).not.toBe(after[0]);
    await expectWhole();
  });

  test('HAProxy killed between reloads: status exits 1 and says so; a reload with nothing to change starts it (status "healed")', async () => {
    const lb = pid('haproxy')!;
    process.kill(lb, 'SIGKILL');
    await waitFor('HAProxy gone', async () => (alive(lb) ? undefined : true), 5000);
    const st = await status();
    expect(st.exitCode).toBe(1);
    expect(st.report.gateway).toMatchObject({ live: false, load_balancer: { running: false, admin: false } });
    const text = await cli(['status', '--timeout', '3s']);
    expect(text.stdout).toContain(`✖ the gateway does not answer on ${gw.url}`);
    // a dry run says what a reload would repair, and repairs nothing
    const dry = await reload('--dry-run');
    expect(dry.exitCode, dry.stderr).toBe(0);
    expect(dry.result.message).toMatch(
      /^dry run: the deployed config is already identical, but HAProxy is not running: a reload would repair that/,
    );
    expect(pid('haproxy')).toBe(lb);
    const r = await reload();
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.result.status).toBe('healed');
    expect(r.result.healed).toEqual([`HAProxy was not running: started it on ${gw.url}`]);
    expect(pid('haproxy')).not.toBe(lb);
    await expectWhole();
  });

  test('a replica killed between reloads is started again by a reload with nothing to change, while the other serves every request', async () => {
    const r2 = pid('gateway-r2')!;
    process.kill(-r2, 'SIGKILL');
    await waitFor('r2 gone', async () => (alive(r2) ? undefined : true), 5000);
    // From here on (what it was serving when it was killed is lost with it): HAProxy resends a refused
    // connection to r1, and the reload starts r2 off rotation.
    const load = traffic(gw.url, 2, { streamed: true });
    const st = await status();
    expect(st.exitCode).toBe(1);
    expect(st.report.gateway.replicas[1]).toMatchObject({ process: 'dead', runs_deployed: false });
    const r = await reload();
    await new Promise((res) => setTimeout(res, 500));
    const { sent, failed, failures } = await load.stop();
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.result.status).toBe('healed');
    expect(r.result.healed).toEqual([
      expect.stringMatching(/^replica r2 was not serving \(not running\): started it with the deployed file/),
    ]);
    expect(sent).toBeGreaterThan(10);
    expect(failed, failures.join('\n')).toBe(0);
    await expectWhole();
  });

  test("a stranger on a replica's port: status names it (exit 1); the reload refuses to start a second one there and says so (exit 4)", async () => {
    const r1 = pid('gateway-r1')!;
    process.kill(-r1, 'SIGKILL');
    await waitFor('r1 gone', async () => (alive(r1) ? undefined : true), 5000);
    const stranger: ChildProcess = spawn('python3', ['-m', 'http.server', String(ports[0]), '--bind', '127.0.0.1'], { stdio: 'ignore' });
    try {
      await waitFor(
        'the stranger listens',
        async () => ((await fetch(`http://127.0.0.1:${ports[0]}/`).catch(() => undefined))?.status === 200 ? true : undefined),
        10_000,
      );
      const st = await status();
      expect(st.exitCode).toBe(1);
      expect(st.report.gateway.replicas[0].foreign).toMatch(/pid \d+ \(\S*python3? -m http.server/);
      expect(st.report.gateway.replicas[0].runs_deployed).toBe(false);
      const r = await reload();
      expect(r.exitCode, r.stderr).toBe(4);
      expect(r.result.message).toMatch(/port \d+ is held by pid \d+ \(\S*python3? -m http.server[^)]*\), which this runtime did not start/);
      expect(r.result.attention.running).toMatch(/replica r1/);
      // r2 kept serving through the load balancer all along
      expect((await fetch(`${gw.url}/health/readiness`)).status).toBe(200);
    } finally {
      stranger.kill('SIGKILL');
    }
    await waitFor(
      'the stranger gone',
      async () => ((await fetch(`http://127.0.0.1:${ports[0]}/`).catch(() => undefined)) ? undefined : true),
      5000,
    );
    const healed = await reload();
    expect(healed.result.status, healed.stderr).toBe('healed');
    await expectWhole();
  });

  test('HAProxy killed mid-roll: the result is a rollback (exit 3) with what runs where, never "internal error"; the gateway serves again', async () => {
    const r1 = pid('gateway-r1')!;
    gw.write({ 'model-mappings.yaml': MAPPINGS.replace('aliases:\n', 'aliases:\n  mid-roll: llama3.1:8b\n') });
    const { execa } = await import('execa');
    const child = execa(process.execPath, [BIN, 'reload', '--yes', '--json'], {
      cwd: gw.project,
      env: { NO_COLOR: '1', ...env() },
      reject: false,
    });
    await waitFor('r1 restarted', async () => (pid('gateway-r1') !== r1 ? true : undefined), GATEWAY_TEST_MS / 2, 25);
    process.kill(pid('haproxy')!, 'SIGKILL');
    const done = await child;
    expect(done.exitCode, done.stderr).toBe(3);
    expect(done.stderr).not.toMatch(/internal error/i);
    const result = JSON.parse(String(done.stdout));
    expectSchema('reload', result);
    expect(result.rollback).toMatchObject({ happened: true, healthy: true });
    expect(result.rollback.reason).toMatch(/HAProxy/);
    expect(result.healed).toEqual(expect.arrayContaining([`HAProxy was not running: started it on ${gw.url}`]));
    expect(result.roll.some((s: { phase: string }) => s.phase === 'rollback')).toBe(true);
    for (const p of ports) expect(await modelsAt(`http://127.0.0.1:${p}`)).not.toContain('mid-roll');
    gw.write({ 'model-mappings.yaml': MAPPINGS });
    await expectWhole();
  });

  test('a stream longer than a roll is waited for (drained, not cut); with a short drain_timeout_s it is cut, counted and reported', async () => {
    const stream = async () => {
      const res = await fetch(`${gw.url}/v1/chat/completions`, {
        method: 'POST',
        headers: { authorization: `Bearer ${MASTER_KEY}`, 'content-type': 'application/json' },
        body: JSON.stringify({ model: 'llama2-13b', stream: true, messages: [{ role: 'user', content: 'a long answer' }] }),
      });
      const body = await res.text().catch((err: Error) => `(cut: ${err.message})`);
      return { status: res.status, done: body.trimEnd().endsWith('data: [DONE]') };
    };
    // The default limit covers the router's timeout: the 20 s stream finishes, then its replica restarts.
    const long = stream();
    await new Promise((res) => setTimeout(res, 1000));
    const r = await reload('--restart');
    expect(r.exitCode, r.stderr).toBe(0);
    expect(await long).toEqual({ status: 200, done: true });
    expect(r.result.roll.some((s: { cut?: number }) => s.cut)).toBe(false);
    expect(r.result.warnings ?? []).toEqual([]);
    // drain_timeout_s: 1 cuts it, and the result says how many requests were cut where
    const gatewayFile = readFileSync(path.join(gw.config, 'gateway.yaml'), 'utf8');
    gw.write({ 'gateway.yaml': gatewayFile.replace('load_balancer:\n', '') + 'load_balancer:\n  drain_timeout_s: 1\n' });
    try {
      const cut = stream();
      await new Promise((res) => setTimeout(res, 1000));
      const c = await reload('--restart');
      expect(c.exitCode, c.stderr).toBe(0);
      expect(await cut).toMatchObject({ done: false });
      const steps = c.result.roll.filter((s: { cut?: number }) => s.cut);
      expect(steps).toEqual([expect.objectContaining({ phase: 'apply', action: 'restarted', cut: 1 })]);
      expect(c.result.warnings).toEqual([
        expect.stringMatching(/^replica r\d: 1 request was still in flight when load_balancer.drain_timeout_s passed/),
      ]);
      expect(c.stderr).toMatch(/1 request was still in flight after the drain's limit \(1 s, load_balancer.drain_timeout_s\)/);
    } finally {
      gw.write({ 'gateway.yaml': gatewayFile });
    }
    await expectWhole();
  });

  test('a changed haproxy.cfg is applied by a seamless HAProxy reload (a new process takes the port over), under traffic, with no failed request', async () => {
    const lb = pid('haproxy')!;
    const gatewayFile = readFileSync(path.join(gw.config, 'gateway.yaml'), 'utf8');
    // router.timeout_s sets HAProxy's client and server timeouts (and LiteLLM's own)
    gw.write({ 'gateway.yaml': `${gatewayFile}router:\n  timeout_s: 300\n` });
    const gen = await cli(['generate']);
    expect(gen.exitCode, gen.stderr).toBe(0);
    expect(readFileSync(path.join(gw.config, 'haproxy.cfg'), 'utf8')).toContain('timeout server 330s');
    const st = await status();
    expect(st.report.gateway.load_balancer.config_current).toBe(false);
    const { result: r, sent, failed, failures } = await underTraffic(gw.url, () => reload(), { streamed: true, workers: 4 });
    expect(r.exitCode, r.stderr).toBe(0);
    expect(sent).toBeGreaterThan(20);
    expect(failed, failures.join('\n')).toBe(0);
    expect(r.result.roll[0]).toMatchObject({ part: 'haproxy', action: 'reloaded' });
    expect(r.stderr).toMatch(/a new HAProxy takes its port over seamlessly/);
    expect(pid('haproxy')).not.toBe(lb);
    await waitFor('the old HAProxy left', async () => (alive(lb) ? undefined : true), 10_000);
    expect((await status()).report.gateway.load_balancer.config_current).toBe(true);
    await expectWhole();
  });

  test('a HAProxy started without `expose-fd listeners` (by an older aibackend) is still succeeded: the new one binds the port beside it', async () => {
    await gw.baseline(env());
    const current = pid('haproxy')!;
    const generated = readFileSync(path.join(gw.config, 'haproxy.cfg'), 'utf8');
    const older = path.join(gw.project, '.aibackend', 'older-haproxy.cfg');
    writeFileSync(older, generated.replace(' expose-fd listeners', ''));
    // The older HAProxy takes over from the current one (which can hand its sockets over), and is
    // recorded as the process runtime records HAProxy, minus the body hash older records lacked.
    const log = openSync(path.join(gw.project, '.aibackend', 'older-haproxy.log'), 'a');
    const old = spawn('/usr/sbin/haproxy', ['-f', older, '-db', '-x', socket(), '-sf', String(current)], {
      cwd: gw.project,
      detached: true,
      stdio: ['ignore', log, log],
    });
    old.unref();
    const info = () => admin('show info').catch(() => '');
    await waitFor(
      'the older HAProxy answers',
      async () => (new RegExp(`^Pid: ${old.pid}$`, 'm').test(await info()) ? true : undefined),
      10_000,
    );
    const stat = readFileSync(`/proc/${old.pid}/stat`, 'utf8');
    const startTime = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19]);
    writeFileSync(
      path.join(gw.project, '.aibackend', 'haproxy.pid'),
      `${JSON.stringify({ pid: old.pid, pgid: old.pid, start_time: startTime, argv: ['/usr/sbin/haproxy', '-f', older, '-db'], config: older, config_sha256: createHash('sha256').update(readFileSync(older, 'utf8')).digest('hex'), started: new Date().toISOString(), log: path.join(gw.project, '.aibackend', 'older-haproxy.log') })}\n`,
    );
    expect((await status()).report.gateway.load_balancer.config_current).toBe(false);
    const r = await reload();
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.result.status).toBe('healed');
    expect(r.result.message).toMatch(/haproxy\.cfg changed since HAProxy started/);
    expect(r.stderr).toMatch(/the running HAProxy does not hand its listening sockets over; the new one binds the port beside it instead/);
    expect(r.result.roll[0]).toMatchObject({ part: 'haproxy', action: 'reloaded' });
    expect(pid('haproxy')).not.toBe(old.pid);
    await waitFor('the older HAProxy left', async () => (alive(old.pid) ? undefined : true), 10_000);
    expect((await status()).report.gateway.load_balancer.config_current).toBe(true);
    await expectWhole();
  });

  test('--timeout bounds each replica probe, and a full state directory is refused at pre-flight with nothing changed', async () => {
    // A config whose replica never becomes ready: only --timeout bounds its probe (health.timeout_s is 90 s).
    gw.write({
      'model-mappings.yaml': MAPPINGS.replace('models:\n', 'models:\n  never-ready-marker:\n    routes:\n      - provider: ollama\n'),
      'providers.yaml': withKey({ ollama, llamaA, llamaB, vllm }).replace(
        '      - name: qwen2.5-coder:7b\n',
        '      - name: qwen2.5-coder:7b\n      - name: never-ready-marker\n',
      ),
    });
    const r = await reload('--timeout', '5');
    expect(r.exitCode, r.stderr).toBe(3);
    expect(r.result.rollback.reason).toMatch(
      /replica r1 \(port \d+\) is not healthy with this config: no healthy answer on \S+ \S+ within 5 s/,
    );
    gw.write({ 'model-mappings.yaml': MAPPINGS, 'providers.yaml': withKey({ ollama, llamaA, llamaB, vllm }) });
    await gw.baseline(env());
    if (process.getuid?.() !== 0) return;
    const state = path.join(gw.project, 'backups');
    mkdirSync(state, { recursive: true });
    const pids = [pid('gateway-r1'), pid('gateway-r2')];
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=1m', 'tmpfs', state]);
    try {
      gw.write({ 'model-mappings.yaml': MAPPINGS.replace('aliases:\n', 'aliases:\n  full-disk: llama3.1:8b\n') });
      const full = await reload();
      expect(full.exitCode, full.stderr).toBe(1);
      expect(full.result.status).toBe('refused');
      expect(full.result.preflight).toEqual(expect.arrayContaining([expect.objectContaining({ check: 'free space', ok: false })]));
      expect(full.result.message).toMatch(/backups .* has \d+\.\d MiB free/);
      expect([pid('gateway-r1'), pid('gateway-r2')]).toEqual(pids);
    } finally {
      execFileSync('umount', [state]);
      gw.write({ 'model-mappings.yaml': MAPPINGS });
    }
  });

  test('`aibackend supervise` keeps the topology up between reloads: a killed HAProxy and a killed replica are started again, then SIGTERM stops it and nothing else', async () => {
    await gw.baseline(env());
    const { execa } = await import('execa');
    const sup = execa(process.execPath, [BIN, 'supervise', '--interval', '1', '--json'], {
      cwd: gw.project,
      env: { NO_COLOR: '1', ...env() },
      reject: false,
    });
    let out = '';
    sup.stdout?.on('data', (d: Buffer) => (out += d.toString('utf8')));
    const reported = (n: number) => async () => (out.split('\n').filter(Boolean).length >= n ? true : undefined);
    try {
      const lb = pid('haproxy')!;
      process.kill(lb, 'SIGKILL');
      await waitFor('HAProxy started again', async () => ((p) => (p !== lb && alive(p) ? p : undefined))(pid('haproxy')), 30_000);
      // That tick's result first: a replica killed while it still runs would be repaired by the same tick.
      await waitFor('the first repair reported', reported(1), 30_000);
      const r1 = pid('gateway-r1')!;
      process.kill(-r1, 'SIGKILL');
      await waitFor(
        'r1 started again',
        async () => ((p) => (p !== r1 && alive(p) ? p : undefined))(pid('gateway-r1')),
        GATEWAY_TEST_MS / 2,
      );
      await waitFor('the second repair reported', reported(2), GATEWAY_TEST_MS / 2);
      await expectWhole();
    } finally {
      sup.kill('SIGTERM');
    }
    const done = await sup;
    expect(done.exitCode, done.stderr).toBe(0);
    const lines = String(done.stdout)
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    for (const l of lines) expectSchema('reload', (({ time: _t, ...rest }) => rest)(l));
    expect(lines.map((l) => l.status)).toEqual(['healed', 'healed']);
    expect(lines[0].healed).toEqual([`HAProxy was not running: started it on ${gw.url}`]);
    expect(lines[1].healed).toEqual([expect.stringMatching(/^replica r1 was not serving \(not running\)/)]);
    // what it supervised keeps serving after it stopped
    expect((await fetch(`${gw.url}/health/readiness`)).status).toBe(200);
  });
});
