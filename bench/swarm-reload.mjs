// What a reload costs the applications calling a gateway that runs as a Docker Swarm service
// (runtime.kind swarm, the shipped docker-stack.yml, two tasks behind HAProxy): the sibling of
// reload-under-load.mjs, with the same steady traffic (20 requests/s, half streamed) and the same
// figures, while `aibackend reload` applies (a) a good config, (b) a config whose task dies at
// start-up (the engine rolls the update back: exit 3) and (c) a rotated provider key (a new docker
// secret: every task replaced). Needs a swarm manager (`docker swarm init --advertise-addr
// 127.0.0.1`) and the images of scripts/setup-docker.sh. The provider listens on the docker
// bridge's address, which the tasks reach; the traffic goes to 127.0.0.1 only.
//   node bench/swarm-reload.mjs
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { aibackend, figures, freePort, sleep, startProvider, traffic } from './lib/under-load.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const KEY = 'sk-bench-swarm-reload-0000';
const RATE = 20;
const docker = (...args) => execFileSync('docker', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();
if (docker('info', '--format', '{{.Swarm.LocalNodeState}} {{.Swarm.ControlAvailable}}') !== 'active true') {
  console.error('not a swarm manager here: docker swarm init --advertise-addr 127.0.0.1');
  process.exit(2);
}
const bridge = /inet (\d+\.\d+\.\d+\.\d+)\//.exec(execFileSync('ip', ['-4', '-o', 'addr', 'show', 'docker0'], { encoding: 'utf8' }))?.[1];
if (!bridge) {
  console.error('no address on docker0, where the tasks reach the provider');
  process.exit(2);
}
const provider = await startProvider(bridge);

let providerKey = 'sk-provider-one';
const cli = aibackend(root, () => ({ LITELLM_MASTER_KEY: KEY, PROVIDER_KEY: providerKey }), 900_000);

const dir = mkdtempSync(path.join(tmpdir(), 'aibackend-swarm-bench-'));
const stack = `aibbench${process.pid}`;
const port = await freePort();
mkdirSync(path.join(dir, 'config'));
mkdirSync(path.join(dir, 'docker/swarm'), { recursive: true });
copyFileSync(path.join(root, 'docker/swarm/haproxy.cfg'), path.join(dir, 'docker/swarm/haproxy.cfg'));
// A task dies at start-up when its config has the public name broken-marker.
writeFileSync(
  path.join(dir, 'docker-stack.yml'),
  readFileSync(path.join(root, 'docker-stack.yml'), 'utf8')
    .replace('published: 4000', `published: ${port}`)
    .replace(`'for f in /run/secrets/*;`, `'grep -q broken-marker /app/config.yaml && exit 3; for f in /run/secrets/*;`),
);
writeFileSync(
  path.join(dir, 'config/providers.yaml'),
  `version: 1\nproviders:\n  fake:\n    type: openai_compatible\n    base_url: ${provider.url}\n    api_key: env:PROVIDER_KEY\n    models:\n      - name: m1\n      - name: broken-marker\n`,
);
const mappings = (extra) => `version: 1\nmodels:\n  chat:\n    routes:\n      - { provider: fake, model: m1 }\n${extra}`;
writeFileSync(path.join(dir, 'config/model-mappings.yaml'), mappings(''));
writeFileSync(
  path.join(dir, 'config/gateway.yaml'),
  `version: 1\ngateway:\n  url: http://127.0.0.1:${port}\n  master_key: env:LITELLM_MASTER_KEY\nruntime:\n  kind: swarm\n  stack: ${stack}\n  file: docker-stack.yml\n  service: litellm\n  replicas: 2\nhealth:\n  timeout_s: 120\n  interval_ms: 100\npassthrough:\n  litellm_settings:\n    disable_hf_tokenizer_download: true\n`,
);
const url = `http://127.0.0.1:${port}`;

process.stderr.write('swarm: first deploy\n');
const first = await cli(dir, 'reload', '--yes');
if (first.code !== 0) {
  console.error(first.stderr);
  process.exit(1);
}
const t = traffic(url, KEY, RATE);
await sleep(8000);
const steadyTo = t.now();
const windows = [];
for (const [kind, change, want] of [
  [
    'good config',
    () =>
      writeFileSync(
        path.join(dir, 'config/model-mappings.yaml'),
        mappings('  second:\n    routes:\n      - { provider: fake, model: m1 }\n'),
      ),
    0,
  ],
  [
    'config whose task dies',
    () =>
      writeFileSync(
        path.join(dir, 'config/model-mappings.yaml'),
        mappings('  broken-marker:\n    routes:\n      - { provider: fake, model: broken-marker }\n'),
      ),
    3,
  ],
  [
    'rotated provider key',
    () => {
      // Back to the good config (the engine rolled the broken one back), with a new provider key.
      writeFileSync(
        path.join(dir, 'config/model-mappings.yaml'),
        mappings('  second:\n    routes:\n      - { provider: fake, model: m1 }\n'),
      );
      providerKey = 'sk-provider-two';
    },
    0,
  ],
]) {
  change();
  process.stderr.write(`swarm: reload, ${kind}\n`);
  const from = t.now();
  const r = await cli(dir, 'reload', '--yes');
  const to = t.now();
  if (r.code !== want) process.stderr.write(`  unexpected exit ${r.code}: ${r.stderr.split('\n').slice(-3).join(' ')}\n`);
  await sleep(2000);
  windows.push({ kind, code: r.code, from, to });
}
await t.stop();
const steady = figures(t.samples, 1000, steadyTo);

execFileSync('docker', ['stack', 'rm', stack], { stdio: 'ignore' });
for (let i = 0; i < 60 && docker('service', 'ls', '-q', '--filter', `name=${stack}_`); i++) await sleep(500);
for (const kind of ['config', 'secret']) {
  const names = docker(kind, 'ls', '--filter', `label=org.aibackend.stack=${stack}`, '--format', '{{.Name}}');
  if (names) execFileSync('docker', [kind, 'rm', ...names.split('\n')], { stdio: 'ignore' });
}
provider.server.close();
rmSync(dir, { recursive: true, force: true });

console.log(`swarm reload under load: ${RATE} requests/s through HAProxy (half streamed), two tasks, one provider streaming 10 tokens`);
console.log(
  'topology                reload                         exit  reload s  sent  failed  longest gap  p50 / p99 during  p50 / p99 steady',
);
for (const w of windows) {
  const f = figures(t.samples, w.from, w.to + 2000);
  console.log(
    `${'swarm, two tasks'.padEnd(24)}${w.kind.padEnd(31)}${String(w.code).padEnd(6)}${((w.to - w.from) / 1000).toFixed(1).padEnd(10)}${String(f.sent).padEnd(6)}${String(f.failed).padEnd(8)}${`${f.gap_ms} ms`.padEnd(13)}${`${f.p50} / ${f.p99} ms`.padEnd(18)}${steady.p50} / ${steady.p99} ms`,
  );
}
