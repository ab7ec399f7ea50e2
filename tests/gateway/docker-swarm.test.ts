// runtime.kind swarm on a real single-node swarm (Debian's dockerd, `docker swarm init`): the
// shipped docker-stack.yml (its published port moved to a free one), two LiteLLM tasks on an overlay
// network behind HAProxy (server-template over tasks.litellm), the config and secrets as docker
// objects named by content hash. The providers listen on the docker bridge's address, which the
// tasks reach. One wrapper is added around LiteLLM's entrypoint: a task exits at start-up when its
// config has the public name "broken-marker" (a config --validate_config accepts, that never serves).
import { createHash } from 'node:crypto';
import { copyFileSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { ROOT, runCli } from '../helpers/cli.js';
import { requireDocker, wallClock, withJson } from '../helpers/docker.js';
import type { FakeServer } from '../helpers/fake-llm.js';
import { cleanupTempDirs } from '../helpers/fixtures.js';
import {
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
const ALL_NAMES = ['coder', 'llama2-13b', 'llama3.1:8b', 'qwen-coder-vllm', 'qwen2.5-coder:7b'];

const run = (args: string[]) => execa('docker', args, { reject: false, all: true, stdin: 'ignore', timeout: 120_000 });

describe.skipIf(!docker)('runtime.kind swarm on a real single-node swarm (docker-stack.yml)', { timeout: GATEWAY_TEST_MS * 2 }, () => {
  let fakes: Awaited<ReturnType<typeof startFakes>>;
  let gw: GatewayProject;
  const stack = `aib${process.pid}`;
  const service = `${stack}_litellm`;
  const env = { ...GATEWAY_ENV };
  const cli = (args: string[], extra: Record<string, string> = {}) =>
    runCli(args, { cwd: gw.project, env: { ...env, ...extra }, timeout: GATEWAY_TEST_MS * 2 });
  const reload = async (extra: Record<string, string> = {}, ...args: string[]) =>
    withJson(await cli(['reload', '--yes', '--json', ...args], extra));
  const tasks = async () =>
    String((await run(['service', 'ps', service, '--filter', 'desired-state=running', '--format', '{{.ID}} {{.CurrentState}}'])).stdout)
      .trim()
      .split('\n')
      .filter(Boolean);
  const configs = async () =>
    String(
      (await run(['service', 'inspect', service, '--format', '{{range .Spec.TaskTemplate.ContainerSpec.Configs}}{{.ConfigName}} {{end}}']))
        .stdout,
    ).trim();
  /** The reload's wall time, printed with the traffic's figures (the closing note's table). */
  const clock = wallClock('swarm');

  beforeAll(async () => {
    const info = await run(['info', '--format', '{{.Swarm.LocalNodeState}}']);
    if (String(info.stdout).trim() !== 'active') {
      const init = await run(['swarm', 'init', '--advertise-addr', '127.0.0.1']);
      expect(init.exitCode, init.all).toBe(0);
    }
    // The tasks reach the host at the docker bridge's address (127.0.0.1 is the task itself).
    const ifname = String(
      (await run(['network', 'inspect', 'bridge', '-f', '{{index .Options "com.docker.network.bridge.name"}}'])).stdout,
    ).trim();
    // (a bridge with no container attached is down, and Node lists only the interfaces that are up)
    const addr = await execa('ip', ['-4', '-o', 'addr', 'show', ifname || 'docker0'], { reject: false });
    const bridge = /inet (\d+\.\d+\.\d+\.\d+)\//.exec(String(addr.stdout))?.[1];
    expect(bridge, `the address of the docker bridge ${ifname}`).toMatch(/^\d+\.\d+\.\d+\.\d+$/);
    fakes = await startFakes(bridge);
    gw = await makeGatewayProject({ bin: bin!, ...fakes, timeoutS: 120 });
    mkdirSync(path.join(gw.project, 'docker', 'swarm'), { recursive: true });
    copyFileSync(path.join(ROOT, 'docker/swarm/haproxy.cfg'), path.join(gw.project, 'docker/swarm/haproxy.cfg'));
    const shipped = readFileSync(path.join(ROOT, 'docker-stack.yml'), 'utf8');
    const stackFile = shipped
      .replace('published: 4000', `published: ${gw.port}`)
      .replace(
        `'for f in /run/secrets/*;`,
        `'grep -q broken-marker /app/config.yaml && { echo "refusing broken-marker" >&2; exit 3; }; for f in /run/secrets/*;`,
      );
    expect(stackFile).toContain(`published: ${gw.port}`);
    expect(stackFile).toContain('refusing broken-marker');
    writeFileSync(path.join(gw.project, 'docker-stack.yml'), stackFile);
    const gateway = readFileSync(path.join(gw.config, 'gateway.yaml'), 'utf8').replace(
      /runtime:\n(?: {2}.*\n)+/,
      `runtime:\n  kind: swarm\n  stack: ${stack}\n  file: docker-stack.yml\n  service: litellm\n  replicas: 2\n`,
    );
    gw.rebase({ 'gateway.yaml': gateway });
    expect((await cli(['generate'])).exitCode).toBe(0);
  }, GATEWAY_TEST_MS);

  afterAll(async () => {
    if (gw) {
      await run(['stack', 'rm', stack]);
      // configs and secrets go once no task uses them
      await waitFor(
        'the stack to be gone',
        async () => ((await run(['service', 'ls', '-q', '--filter', `name=${stack}_`])).stdout ? undefined : true),
        60_000,
        500,
      ).catch(() => undefined);
      for (const kind of ['config', 'secret']) {
        const names = String(
          (await run([kind, 'ls', '--filter', `label=org.aibackend.stack=${stack}`, '--format', '{{.Name}}'])).stdout,
        ).trim();
        if (names) await run([kind, 'rm', ...names.split('\n')]);
      }
      await run(['network', 'rm', `${stack}_gateway`]);
    }
    await Promise.all(Object.values(fakes ?? {}).map((s: FakeServer) => s.close()));
    cleanupTempDirs();
  });

  test('the first reload deploys the stack: two tasks on the config object, served through HAProxy', async () => {
    const r = await clock.timed(() => reload());
    expect(r.exitCode, `${r.stdout}\n${r.stderr}`).toBe(0);
    expect(r.out.status).toBe('applied');
    expect(await tasks()).toHaveLength(2);
    expect(await configs()).toMatch(new RegExp(`^${stack}_config_[0-9a-f]{12}$`));
    expect(await servedModels(gw.url)).toEqual(ALL_NAMES);
    // the master key is a docker secret, never in the service's spec
    const spec = String((await run(['service', 'inspect', service])).stdout);
    expect(spec).not.toContain(MASTER_KEY);
    expect(spec).toMatch(new RegExp(`${stack}_litellm_master_key_[0-9a-f]{12}`));
    clock.note('first deploy');
  });

  test('a route change rolls task by task under plain and streamed traffic: 0 failed, every task on the new config', async () => {
    await gw.baseline(env);
    const before = await configs();
    gw.write({ 'model-mappings.yaml': MAPPINGS.replace('aliases:\n', 'aliases:\n  rolled: llama3.1:8b\n') });
    const {
      result: r,
      sent,
      failed,
      failures,
    } = await underTraffic(gw.url, () => clock.timed(() => reload()), { streamed: true, workers: 4 });
    clock.figures('route change', sent, failed);
    expect(r.exitCode, `${r.stdout}\n${r.stderr}`).toBe(0);
    expect(sent).toBeGreaterThan(20);
    expect(failed, failures.slice(0, 5).join('\n')).toBe(0);
    const after = await configs();
    expect(after).not.toBe(before);
    const st = await cli(['status', '--json']);
    const swarm = (JSON.parse(st.stdout) as { gateway: { swarm: { update_state: string; tasks: { state: string; config: string }[] } } })
      .gateway.swarm;
    expect(swarm.update_state).toBe('completed');
    expect(swarm.tasks.filter((t) => t.state === 'running').map((t) => t.config)).toEqual([after, after]);
    for (let i = 0; i < 4; i++) expect(await servedModels(gw.url)).toContain('rolled');
  });

  test('a config whose task dies at start-up is rolled back by the engine: exit 3 with its reason and last lines, 0 failed', async () => {
    await gw.baseline(env);
    const before = await configs();
    gw.write({ 'model-mappings.yaml': MAPPINGS.replace('aliases:\n', 'aliases:\n  broken-marker: llama3.1:8b\n') });
    const {
      result: r,
      sent,
      failed,
      failures,
    } = await underTraffic(gw.url, () => clock.timed(() => reload()), { streamed: true, workers: 4 });
    clock.figures('task dies at start-up (engine rollback)', sent, failed);
    expect(r.exitCode, `${r.stdout}\n${r.stderr}`).toBe(3);
    expect(r.out.status).toBe('rolled-back');
    const said = JSON.stringify(r.out);
    expect(said).toMatch(/the engine rolled the update of \S+ back/);
    expect(said).toContain('refusing broken-marker');
    expect(failed, failures.slice(0, 5).join('\n')).toBe(0);
    expect(await configs()).toBe(before);
    expect(await servedModels(gw.url)).toEqual(ALL_NAMES);
  });

  test('a rotated secret is a new secret object and a rolling update: every task recreated, the new key served', async () => {
    await gw.baseline(env);
    const ids = (await tasks()).map((t) => t.split(' ')[0]);
    const rotated = 'sk-e2e-rotated-swarm-22222222';
    const r = await clock.timed(() => reload({ LITELLM_MASTER_KEY: rotated }));
    expect(r.exitCode, `${r.stdout}\n${r.stderr}`).toBe(0);
    clock.note('rotated secret');
    const now = (await tasks()).map((t) => t.split(' ')[0]);
    expect(now.filter((id) => ids.includes(id))).toEqual([]);
    const models = async (key: string) => (await fetch(`${gw.url}/v1/models`, { headers: { authorization: `Bearer ${key}` } })).status;
    for (let i = 0; i < 4; i++) expect(await models(rotated)).toBe(200);
    expect([400, 401]).toContain(await models(MASTER_KEY));
    expect((await reload()).exitCode).toBe(0);
    expect(await models(MASTER_KEY)).toBe(200);
  });

  test('rollback deploys the previous backup as a config object again', async () => {
    await gw.baseline(env);
    gw.write({ 'model-mappings.yaml': MAPPINGS.replace('aliases:\n', 'aliases:\n  extra: llama3.1:8b\n') });
    expect((await reload()).exitCode).toBe(0);
    expect(await servedModels(gw.url)).toContain('extra');
    const r = await cli(['rollback', '--yes', '--json']);
    expect(r.exitCode, `${r.stdout}\n${r.stderr}`).toBe(0);
    for (let i = 0; i < 4; i++) expect(await servedModels(gw.url)).toEqual(ALL_NAMES);
    // Config objects left: the one in use, and those of retained backups; nothing else.
    const dir = path.join(gw.project, 'backups');
    const kept = new Set(
      readdirSync(dir)
        .filter((f) => f.endsWith('.yaml'))
        .map(
          (f) =>
            `${stack}_config_${createHash('sha256')
              .update(readFileSync(path.join(dir, f), 'utf8'))
              .digest('hex')
              .slice(0, 12)}`,
        ),
    );
    const left = String((await run(['config', 'ls', '--filter', `label=org.aibackend.stack=${stack}`, '--format', '{{.Name}}'])).stdout)
      .trim()
      .split('\n');
    const inUse = await configs();
    expect(left).toContain(inUse);
    expect(left.filter((n) => n !== inUse && !kept.has(n))).toEqual([]);
  });

  test('a task killed between reloads is replaced by the engine, and status shows the tasks', async () => {
    await gw.baseline(env);
    const container = String((await run(['ps', '-q', '--filter', `label=com.docker.swarm.service.name=${service}`])).stdout)
      .trim()
      .split('\n')[0]!;
    expect(container).not.toBe('');
    expect((await run(['kill', container])).exitCode).toBe(0);
    await waitFor(
      'the engine to replace the killed task',
      async () => {
        const st = await cli(['status', '--json']);
        const g = (JSON.parse(st.stdout) as { gateway: { swarm: { tasks: { state: string; desired: string }[] } } }).gateway;
        const running = g.swarm.tasks.filter((t) => t.desired === 'running' && t.state === 'running').length;
        return st.exitCode === 0 && running === 2 ? true : undefined;
      },
      120_000,
      1000,
    );
    const st = JSON.parse((await cli(['status', '--json'])).stdout) as { gateway: { swarm: { tasks: { state: string; node: string }[] } } };
    expect(st.gateway.swarm.tasks.some((t) => t.state === 'failed' || t.state === 'shutdown')).toBe(true);
    expect(await servedModels(gw.url)).toEqual(ALL_NAMES);
  });
});
