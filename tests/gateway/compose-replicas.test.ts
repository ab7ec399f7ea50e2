// Rolling reloads with the compose runtime, against the shipped docker-compose.replicas.yml. This
// machine has no Docker engine, so `docker` is tests/helpers/fake-docker.mjs, which carries out the
// compose commands by starting what the compose file says as processes: the real LiteLLM replicas
// and the real HAProxy, with the file's commands, environment, stop grace periods and bind mounts.
// What is tested is what aibackend asks of compose (which service, in which order, recreated, with
// the admin socket on the bind mount) and that applications see no failed request.
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { ROOT, runCli } from '../helpers/cli.js';
import type { FakeServer } from '../helpers/fake-llm.js';
import { cleanupTempDirs, tempDir } from '../helpers/fixtures.js';
import {
  freePort,
  GATEWAY_ENV,
  GATEWAY_TEST_MS,
  makeGatewayProject,
  MAPPINGS,
  MASTER_KEY,
  requireLitellm,
  startFakes,
  type GatewayProject,
} from '../helpers/gateway.js';
import { requireTool } from '../helpers/tools.js';
import { underTraffic } from '../helpers/traffic.js';

const bin = requireLitellm();
const haproxy = () => Boolean(requireTool('haproxy', 'Debian: apt-get install haproxy', Boolean(bin)));

describe.skipIf(!bin || !haproxy())(
  'rolling reloads with the compose runtime (docker-compose.replicas.yml)',
  { timeout: GATEWAY_TEST_MS },
  () => {
    let fakes: Awaited<ReturnType<typeof startFakes>>;
    let gw: GatewayProject;
    let ports: number[];
    let env: Record<string, string>;
    const calls = () =>
      readFileSync(env.FAKE_DOCKER_LOG!, 'utf8')
        .trim()
        .split('\n')
        .map((l) => (JSON.parse(l) as string[]).join(' '));
    const pid = (svc: string) => readFileSync(path.join(gw.project, '.fake-docker', `${svc}.pid`), 'utf8');
    const reload = (...args: string[]) => runCli(['reload', '--yes', ...args], { cwd: gw.project, env, timeout: GATEWAY_TEST_MS });

    beforeAll(async () => {
      fakes = await startFakes();
      ports = [await freePort(), await freePort()];
      const extra = `replicas: 2\nreplica_ports: [${ports.join(', ')}]\npassthrough:\n  litellm_settings:\n    disable_hf_tokenizer_download: true\n`;
      gw = await makeGatewayProject({ bin: bin!, ...fakes, gatewayExtra: extra });
      // The project runs the shipped file, on this test's free ports.
      const shipped = readFileSync(path.join(ROOT, 'docker-compose.replicas.yml'), 'utf8');
      writeFileSync(
        path.join(gw.project, 'docker-compose.replicas.yml'),
        shipped.replace('"--port", "4001"', `"--port", "${ports[0]}"`).replace('"--port", "4002"', `"--port", "${ports[1]}"`),
      );
      const gateway = readFileSync(path.join(gw.config, 'gateway.yaml'), 'utf8').replace(
        /runtime:\n(?: {2}.*\n)+/,
        'runtime:\n  kind: compose\n  file: docker-compose.replicas.yml\n  service: litellm\n',
      );
      gw.rebase({ 'gateway.yaml': gateway });
      const shim = tempDir();
      writeFileSync(
        path.join(shim, 'docker'),
        `#!/bin/sh\nexec "${process.execPath}" "${path.join(ROOT, 'tests/helpers/fake-docker.mjs')}" "$@"\n`,
      );
      chmodSync(path.join(shim, 'docker'), 0o755);
      mkdirSync(path.join(gw.project, '.fake-docker'), { recursive: true });
      env = {
        ...GATEWAY_ENV,
        PATH: `${shim}${path.delimiter}${process.env.PATH}`,
        FAKE_DOCKER_LITELLM: bin!,
        FAKE_DOCKER_LOG: path.join(gw.project, '.fake-docker', 'calls.log'),
      };
      writeFileSync(env.FAKE_DOCKER_LOG!, '');
    }, GATEWAY_TEST_MS);

    afterAll(async () => {
      if (gw && env) {
        const { execa } = await import('execa');
        for (const svc of ['litellm-r1', 'litellm-r2', 'haproxy'])
          await execa('docker', ['compose', '-f', path.join(gw.project, 'docker-compose.replicas.yml'), 'stop', svc], {
            env,
            reject: false,
          });
      }
      await Promise.all(Object.values(fakes ?? {}).map((s: FakeServer) => s.close()));
      cleanupTempDirs();
    });

    test('validate accepts the shipped topology; the first reload recreates haproxy, then each replica, and serves on gateway.url', async () => {
      const v = await runCli(['validate', '--json'], { cwd: gw.project, env });
      const codes = (JSON.parse(v.stdout).diagnostics as { code: string }[]).map((d) => d.code);
      expect(codes.filter((c) => ['compose-file-missing', 'replica-ports', 'not-implemented', 'image-mismatch'].includes(c))).toEqual([]);
      const r = await reload();
      expect(r.exitCode, `${r.stdout}\n${r.stderr}`).toBe(0);
      const ups = calls().filter((c) => c.includes(' up '));
      expect(ups.map((c) => c.split(' ').at(-1))).toEqual(['haproxy', 'litellm-r1', 'litellm-r2']);
      expect(ups.every((c) => c.includes('up -d --no-deps --force-recreate'))).toBe(true);
      // the pre-flight loaded the candidate into a replica's LiteLLM with compose run
      expect(
        calls().some((c) => / run --rm --no-deps -T -v .* litellm-r1 --config \/tmp\/aibackend-candidate\.yaml --validate_config$/.test(c)),
      ).toBe(true);
      // HAProxy's admin socket is on the bind mount, where aibackend drives it
      expect(existsSync(path.join(gw.project, '.aibackend', 'haproxy', 'admin.sock'))).toBe(true);
      for (const url of [gw.url, ...ports.map((p) => `http://127.0.0.1:${p}`)]) {
        const res = await fetch(`${url}/v1/models`, { headers: { authorization: `Bearer ${MASTER_KEY}` } });
        expect(res.status, url).toBe(200);
      }
      const st = await runCli(['status', '--json'], { cwd: gw.project, env });
      const replicas = JSON.parse(st.stdout).gateway.replicas as { name: string; live: boolean; ready: boolean; runs_deployed: boolean }[];
      expect(replicas.map((x) => [x.name, x.live, x.ready, x.runs_deployed])).toEqual([
        ['r1', true, true, true],
        ['r2', true, true, true],
      ]);
    });

    test('a rolling reload under traffic recreates one replica at a time and loses no request', async () => {
      await gw.baseline(env);
      const before = [pid('litellm-r1'), pid('litellm-r2'), pid('haproxy')];
      const mark = calls().length;
      gw.write({ 'model-mappings.yaml': MAPPINGS.replace('aliases:\n', 'aliases:\n  rolled: llama3.1:8b\n') });
      const { result: r, sent, failed } = await underTraffic(gw.url, () => reload());
      expect(r.exitCode, `${r.stdout}\n${r.stderr}`).toBe(0);
      expect(sent).toBeGreaterThan(20);
      expect(failed).toBe(0);
      // HAProxy kept running; each replica was recreated, r1 before r2
      expect(
        calls()
          .slice(mark)
          .filter((c) => c.includes(' up '))
          .map((c) => c.split(' ').at(-1)),
      ).toEqual(['litellm-r1', 'litellm-r2']);
      expect(pid('haproxy')).toBe(before[2]);
      expect(pid('litellm-r1')).not.toBe(before[0]);
      expect(pid('litellm-r2')).not.toBe(before[1]);
      for (const p of ports) {
        const res = await fetch(`http://127.0.0.1:${p}/v1/models`, { headers: { authorization: `Bearer ${MASTER_KEY}` } });
        expect(((await res.json()) as { data: { id: string }[] }).data.map((d) => d.id)).toContain('rolled');
      }
    });
  },
);
