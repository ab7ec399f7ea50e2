// Rolling reloads with the compose runtime on a real Docker engine, against the shipped
// docker-compose.replicas.yml (only its ports moved to free ones): two LiteLLM replicas, HAProxy
// (Debian's 2.6.12 under the official image's name and entrypoint) and Redis, with plain and
// streamed traffic through HAProxy while the roll runs.
import { chownSync, readFileSync, statSync } from 'node:fs';
import { execa } from 'execa';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { adminCommand } from '../../src/deploy/rolling/admin.js';
import { runCli } from '../helpers/cli.js';
import { compose, containers, down, requireDocker, shippedCompose, wallClock, withJson } from '../helpers/docker.js';
import type { FakeServer } from '../helpers/fake-llm.js';
import { cleanupTempDirs } from '../helpers/fixtures.js';
import {
  freePort,
  GATEWAY_ENV,
  GATEWAY_TEST_MS,
  makeGatewayProject,
  MAPPINGS,
  MASTER_KEY,
  requireLitellm,
  servedModels,
  startFakes,
  waitFor,
  type GatewayProject,
} from '../helpers/gateway.js';
import { underTraffic } from '../helpers/traffic.js';

const bin = requireLitellm();
const docker = requireDocker(Boolean(bin));

describe.skipIf(!docker)(
  'rolling reloads with the compose runtime on a real engine (docker-compose.replicas.yml)',
  { timeout: GATEWAY_TEST_MS },
  () => {
    let fakes: Awaited<ReturnType<typeof startFakes>>;
    let gw: GatewayProject;
    let file: string;
    let ports: number[];
    let redis: number;
    const env = { ...GATEWAY_ENV };
    const cli = (args: string[]) => runCli(args, { cwd: gw.project, env, timeout: GATEWAY_TEST_MS });
    const reload = async (...args: string[]) => withJson(await cli(['reload', '--yes', '--json', ...args]));
    /** The reload's wall time, printed with the traffic's figures (the closing note's table). */
    const clock = wallClock('compose');
    const ids = async () => containers(gw.project, file, env);
    const socket = () => path.join(gw.project, '.aibackend', 'haproxy', 'admin.sock');
    const workerPid = async () => /^Pid: (\d+)$/m.exec(await adminCommand(socket(), 'show info', 2000))?.[1];
    const chatAt = async (url: string, prompt: string) => {
      const res = await fetch(`${url}/v1/chat/completions`, {
        method: 'POST',
        headers: { authorization: `Bearer ${MASTER_KEY}`, 'content-type': 'application/json' },
        body: JSON.stringify({ model: 'llama3.1:8b', messages: [{ role: 'user', content: prompt }] }),
      });
      return { status: res.status, body: (await res.json()) as { id?: string } };
    };

    beforeAll(async () => {
      fakes = await startFakes();
      ports = [await freePort(), await freePort()];
      redis = await freePort();
      const extra = `replicas: 2\nreplica_ports: [${ports.join(', ')}]\ncache:\n  enabled: true\n  host: 127.0.0.1\n  port: ${redis}\npassthrough:\n  litellm_settings:\n    disable_hf_tokenizer_download: true\n`;
      gw = await makeGatewayProject({ bin: bin!, ...fakes, gatewayExtra: extra, timeoutS: 120 });
      file = shippedCompose('docker-compose.replicas.yml', gw.project, [
        ['"--port", "4001"', `"--port", "${ports[0]}"`],
        ['"--port", "4002"', `"--port", "${ports[1]}"`],
        ['"--port", "6379"', `"--port", "${redis}"`],
      ]);
      const gateway = readFileSync(path.join(gw.config, 'gateway.yaml'), 'utf8').replace(
        /runtime:\n(?: {2}.*\n)+/,
        'runtime:\n  kind: compose\n  file: docker-compose.replicas.yml\n  service: litellm\n',
      );
      gw.rebase({ 'gateway.yaml': gateway });
    }, GATEWAY_TEST_MS);

    afterAll(async () => {
      if (gw && file) await down(gw.project, file, env);
      await Promise.all(Object.values(fakes ?? {}).map((s: FakeServer) => s.close()));
      cleanupTempDirs();
    });

    test("after the user's own generate and docker compose up -d, the first reload keeps HAProxy and drains each replica: 0 failed", async () => {
      expect((await cli(['generate'])).exitCode).toBe(0);
      // generate made the socket directory, as this user, before docker could make it as root
      expect(statSync(path.join(gw.project, '.aibackend', 'haproxy')).uid).toBe(process.getuid!());
      // as a normal user's generate leaves it (this suite runs as root): HAProxy runs as that owner
      const dir = path.join(gw.project, '.aibackend', 'haproxy');
      if (process.getuid!() === 0) chownSync(dir, 1000, 1000);
      const owner = statSync(dir).uid;
      const up = await compose(gw.project, file, ['up', '-d'], env);
      expect(up.exitCode, up.all).toBe(0);
      await waitFor(
        'the stack to serve through HAProxy',
        async () => ((await servedModels(gw.url).catch(() => [])).length ? true : undefined),
        120_000,
        500,
      );
      expect(statSync(socket()).uid).toBe(owner);
      const top = await execa('docker', ['top', (await ids()).haproxy!.id, '-eo', 'pid,uid,comm']);
      const uids = top.stdout
        .split('\n')
        .slice(1)
        .filter((l) => /haproxy/.test(l))
        .map((l) => Number(l.trim().split(/\s+/)[1]));
      expect(uids.length).toBeGreaterThan(0);
      expect(new Set(uids)).toEqual(new Set([owner]));
      const before = await ids();
      gw.write({ 'model-mappings.yaml': MAPPINGS.replace('aliases:\n', 'aliases:\n  first: llama3.1:8b\n') });
      const { result: r, sent, failed, failures } = await underTraffic(gw.url, () => clock.timed(reload), { streamed: true, workers: 4 });
      expect(r.exitCode, `${r.stdout}\n${r.stderr}`).toBe(0);
      expect(sent).toBeGreaterThan(20);
      clock.figures("first reload after the user's up -d", sent, failed);
      expect(failed, failures.slice(0, 5).join('\n')).toBe(0);
      const after = await ids();
      expect(after.haproxy!.id).toBe(before.haproxy!.id);
      expect(after['litellm-r1']!.id).not.toBe(before['litellm-r1']!.id);
      expect(after['litellm-r2']!.id).not.toBe(before['litellm-r2']!.id);
      const roll = (r.out.roll ?? []) as { part: string; action: string }[];
      expect(roll.filter((s) => s.part !== 'haproxy').map((s) => [s.part, s.action])).toEqual([
        ['r1', 'restarted'],
        ['r2', 'restarted'],
      ]);
      for (const p of ports) expect(await servedModels(`http://127.0.0.1:${p}`)).toContain('first');
    });

    test('Redis stopped between reloads is started by the roll, and both replicas share its cache', async () => {
      await gw.baseline(env);
      expect((await compose(gw.project, file, ['stop', 'redis'], env)).exitCode).toBe(0);
      // status no longer stays green with the replicas' shared Redis gone
      const stopped = await cli(['status', '--json']);
      expect(stopped.exitCode).toBe(1);
      expect((JSON.parse(stopped.stdout) as { cache: { up: boolean } }).cache.up).toBe(false);
      gw.write({ 'model-mappings.yaml': MAPPINGS.replace('aliases:\n', 'aliases:\n  cached: llama3.1:8b\n') });
      const r = await reload();
      expect(r.exitCode, `${r.stdout}\n${r.stderr}`).toBe(0);
      expect((await ids()).redis!.state).toBe('running');
      expect((JSON.parse((await cli(['status', '--json'])).stdout) as { cache: { up: boolean } }).cache.up).toBe(true);
      // a reply cached through r1 is the reply r2 gives for the same request
      const [r1, r2] = ports.map((p) => `http://127.0.0.1:${p}`);
      const first = await chatAt(r1!, 'shared cache please');
      expect(first.status).toBe(200);
      let second = await chatAt(r2!, 'shared cache please');
      for (let i = 0; i < 10 && second.body.id !== first.body.id; i++) {
        await new Promise((res) => setTimeout(res, 300));
        second = await chatAt(r2!, 'shared cache please');
      }
      expect(second.body.id).toBe(first.body.id);
    });

    test('a haproxy.cfg change is applied by HAProxy reloading in place (same container, new worker), with 0 failed requests; a refused reload does not write it', async () => {
      await gw.baseline(env);
      const cfg = path.join(gw.config, 'haproxy.cfg');
      const before = readFileSync(cfg, 'utf8');
      const good = readFileSync(path.join(gw.config, 'gateway.yaml'), 'utf8');
      const changed = good.replace('replicas: 2\n', 'replicas: 2\nrouter:\n  timeout_s: 300\n');
      // refused at pre-flight: haproxy.cfg stays as it was
      gw.write({ 'gateway.yaml': `${changed}    callbacks: ["no_such_callback_module"]\n` });
      const refused = await reload();
      expect(refused.exitCode, refused.stdout).toBe(1);
      expect(readFileSync(cfg, 'utf8')).toBe(before);
      gw.write({ 'gateway.yaml': changed });
      const container = (await ids()).haproxy!.id;
      const worker = await workerPid();
      const { result: r, sent, failed, failures } = await underTraffic(gw.url, () => clock.timed(reload), { streamed: true, workers: 4 });
      expect(r.exitCode, `${r.stdout}\n${r.stderr}`).toBe(0);
      expect(readFileSync(cfg, 'utf8')).not.toBe(before);
      expect(sent).toBeGreaterThan(20);
      clock.figures('haproxy.cfg change (in-place reload)', sent, failed);
      expect(failed, failures.slice(0, 5).join('\n')).toBe(0);
      expect((await ids()).haproxy!.id).toBe(container);
      expect(await workerPid()).not.toBe(worker);
      expect(((r.out.roll ?? []) as { part: string; action: string }[]).find((s) => s.part === 'haproxy')?.action).toBe('reloaded');
    });

    test('a replica killed between reloads is started again by the next reload under traffic (0 failed); logs finds a call from before the roll', async () => {
      await gw.baseline(env);
      const tried = await cli(['try', 'coder', '--json', '--prompt', 'before the roll']);
      expect(tried.exitCode, tried.stderr).toBe(0);
      const callId = (JSON.parse(tried.stdout) as { call_id: string }).call_id;
      const r1 = (await ids())['litellm-r1']!.id;
      await compose(gw.project, file, ['kill', 'litellm-r1'], env);
      const st = await cli(['status', '--json']);
      expect(st.exitCode).not.toBe(0);
      gw.write({ 'model-mappings.yaml': MAPPINGS.replace('aliases:\n', 'aliases:\n  after-kill: llama3.1:8b\n') });
      const { result: r, sent, failed, failures } = await underTraffic(gw.url, () => clock.timed(reload), { streamed: true, workers: 4 });
      expect(r.exitCode, `${r.stdout}\n${r.stderr}`).toBe(0);
      expect(sent).toBeGreaterThan(20);
      clock.figures('replica killed, then a reload', sent, failed);
      expect(failed, failures.slice(0, 5).join('\n')).toBe(0);
      expect((r.out.healed as string[]).join('\n')).toMatch(/replica r1 was not serving/);
      expect((await ids())['litellm-r1']!.id).not.toBe(r1);
      expect((await cli(['status'])).exitCode).toBe(0);
      const logs = await cli(['logs', '--call-id', callId, '--json']);
      expect(logs.exitCode, logs.stderr).toBe(0);
      expect((JSON.parse(logs.stdout) as { lines: unknown[] }).lines.length).toBeGreaterThan(0);
    });
  },
);
