// What a reload costs the applications calling the gateway. Steady traffic (20 requests/s, half of
// them streamed, against a loopback provider that streams tokens with delays) runs through the
// gateway while `aibackend reload` applies (a) a good config and (b) a config LiteLLM's
// --validate_config accepts but whose gateway dies at start-up, once with one gateway (restart)
// and once with two replicas behind HAProxy (rolling reload). Printed per case: requests sent and
// failed, the longest time without a successful response, and p50/p99 latency during the reload
// next to the steady state before it. With two replicas, three fault rows follow: a replica left in
// MAINT by a killed run (then a good config), a rotated provider key (every replica recreated), and
// HAProxy killed between reloads (a reload with nothing to change starts it; the requests refused
// while it was down are counted apart, the row counts those sent from the moment it answers again).
// Real LiteLLM from the pinned virtualenv, all on 127.0.0.1.
//   node bench/reload-under-load.mjs        (RUL_ONLY=1 or 2: one topology; DEBUG_RUL=1: each failure and slow request)
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { admin, aibackend, figures, freePort, sleep, startProvider, traffic } from './lib/under-load.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const version = /^litellm==([\d.]+)/m.exec(readFileSync(path.join(root, 'requirements/litellm.txt'), 'utf8'))[1];
const litellm = process.env.AIBACKEND_LITELLM ?? path.join(homedir(), '.cache/aibackend', `litellm-${version}`, 'bin/litellm');
if (!existsSync(litellm)) {
  console.error(`LiteLLM is not installed (${litellm}): run bash scripts/setup-litellm.sh`);
  process.exit(2);
}
const KEY = 'sk-bench-reload-under-load-0000';
const RATE = 20;

const provider = await startProvider();
const providerUrl = provider.url;

let providerKey = 'sk-provider-one';
const cli = aibackend(root, () => ({ LITELLM_MASTER_KEY: KEY, PROVIDER_KEY: providerKey }), 600_000);

// A replica (or the one gateway) dies at start-up when its config has the public name broken-marker.
const command = [
  'sh',
  '-c',
  'grep -q broken-marker "$0" && exit 3; exec "$2" --config "$0" --host 127.0.0.1 --port "$1"',
  '{config}',
  '{port}',
  litellm,
];

async function project(replicas) {
  const dir = mkdtempSync(path.join(tmpdir(), 'aibackend-rul-'));
  mkdirSync(path.join(dir, 'config'));
  const url = await freePort();
  const ports = replicas > 1 ? [await freePort(), await freePort()] : [];
  writeFileSync(
    path.join(dir, 'config/providers.yaml'),
    `version: 1\nproviders:\n  fake:\n    type: openai_compatible\n    base_url: ${providerUrl}\n    api_key: env:PROVIDER_KEY\n    models:\n      - name: m1\n      - name: broken-marker\n`,
  );
  const mappings = (extra) => `version: 1\nmodels:\n  chat:\n    routes:\n      - { provider: fake, model: m1 }\n${extra}`;
  writeFileSync(path.join(dir, 'config/model-mappings.yaml'), mappings(''));
  writeFileSync(
    path.join(dir, 'config/gateway.yaml'),
    `version: 1\ngateway:\n  url: http://127.0.0.1:${url}\n  master_key: env:LITELLM_MASTER_KEY\nruntime:\n  kind: process\n  command: ${JSON.stringify(replicas > 1 ? command : command.map((a) => (a === '{port}' ? String(url) : a)))}\n  env:\n    LITELLM_LOCAL_MODEL_COST_MAP: "True"\nhealth:\n  timeout_s: 120\n  interval_ms: 100\n${replicas > 1 ? `replicas: 2\nreplica_ports: [${ports.join(', ')}]\n` : ''}passthrough:\n  litellm_settings:\n    disable_hf_tokenizer_download: true\n`,
  );
  return { dir, url: `http://127.0.0.1:${url}`, mappings };
}

const rows = [];
for (const replicas of process.env.RUL_ONLY ? [Number(process.env.RUL_ONLY)] : [1, 2]) {
  const p = await project(replicas);
  const label = replicas === 1 ? 'one gateway (restart)' : 'two replicas (rolling)';
  process.stderr.write(`${label}: starting\n`);
  const first = await cli(p.dir, 'reload', '--yes');
  if (first.code !== 0) {
    console.error(first.stderr);
    process.exit(1);
  }
  const t = traffic(p.url, KEY, RATE);
  await sleep(8000);
  const steadyTo = t.now();
  const windows = [];
  for (const [kind, extra, want] of [
    ['good config', '  second:\n    routes:\n      - { provider: fake, model: m1 }\n', 0],
    ['config whose gateway dies', '  broken-marker:\n    routes:\n      - { provider: fake, model: broken-marker }\n', 3],
  ]) {
    writeFileSync(path.join(p.dir, 'config/model-mappings.yaml'), p.mappings(extra));
    process.stderr.write(`${label}: reload, ${kind}\n`);
    const from = t.now();
    const r = await cli(p.dir, 'reload', '--yes');
    const to = t.now();
    if (r.code !== want) process.stderr.write(`  unexpected exit ${r.code}: ${r.stderr.split('\n').slice(-3).join(' ')}\n`);
    await sleep(2000);
    windows.push({ kind, code: r.code, from, to });
  }
  if (replicas > 1) {
    const socket = path.join(p.dir, '.aibackend', 'haproxy.sock');
    const pidOf = (name) => JSON.parse(readFileSync(path.join(p.dir, '.aibackend', `${name}.pid`), 'utf8')).pid;
    const faults = [
      [
        'r2 left in MAINT, good config',
        async () => {
          await admin(socket, 'set server litellm/r2 state maint');
          writeFileSync(
            path.join(p.dir, 'config/model-mappings.yaml'),
            p.mappings('  third:\n    routes:\n      - { provider: fake, model: m1 }\n'),
          );
        },
        0,
      ],
      ['rotated provider key', async () => void (providerKey = 'sk-provider-two'), 0],
      [
        'HAProxy killed, then reload',
        async () => {
          // The previous row's requests end first: those in flight at the kill belong to no reload.
          await sleep(1000);
          killedAt = t.now();
          process.kill(pidOf('haproxy'), 'SIGKILL');
          await sleep(1000);
        },
        0,
      ],
    ];
    let killedAt = 0;
    for (const [kind, fault, want] of faults) {
      process.stderr.write(`${label}: ${kind}\n`);
      await fault();
      const from = t.now();
      // For HAProxy killed: when it answers again (requests before that were refused by the kill, not by the reload).
      let back = from;
      const watch = kind.startsWith('HAProxy')
        ? (async () => {
            while (
              !(await admin(socket, 'show info').then(
                () => true,
                () => false,
              ))
            )
              await sleep(20);
            back = t.now();
          })()
        : Promise.resolve();
      const r = await cli(p.dir, 'reload', '--yes');
      const to = t.now();
      await watch;
      if (r.code !== want) process.stderr.write(`  unexpected exit ${r.code}: ${r.stderr.split('\n').slice(-3).join(' ')}\n`);
      await sleep(2000);
      windows.push({
        kind,
        code: r.code,
        from,
        countFrom: back,
        to,
        ...(back > from
          ? {
              down: t.samples.filter((x) => x.start >= killedAt - 1000 && x.start < back && !x.ok).length,
              down_ms: Math.round(back - killedAt),
            }
          : {}),
      });
    }
  }
  // Figures once every request has ended: one still in flight is neither a success nor a failure yet.
  await t.stop();
  const steady = figures(t.samples, 1000, steadyTo);
  // DEBUG_RUL=1: the slow requests (start ms, latency ms) and the reload windows, to see when they happen.
  if (process.env.DEBUG_RUL)
    console.error(
      'slow:',
      JSON.stringify(t.samples.filter((x) => x.ok && x.end - x.start > 600).map((x) => [Math.round(x.start), Math.round(x.end - x.start)])),
      'reloads:',
      JSON.stringify(windows.map((w) => [Math.round(w.from), Math.round(w.to)])),
    );
  for (const w of windows)
    rows.push({
      topology: label,
      reload: w.kind,
      exit: w.code,
      reload_s: ((w.to - w.from) / 1000).toFixed(1),
      ...(w.down !== undefined ? { down: w.down, down_ms: w.down_ms } : {}),
      ...figures(t.samples, w.countFrom ?? w.from, w.to + 2000),
      steady_p50: steady.p50,
      steady_p99: steady.p99,
    });
  // Tear down: every process the runtime started.
  for (const f of ['gateway', 'gateway-r1', 'gateway-r2', 'haproxy']) {
    try {
      process.kill(-JSON.parse(readFileSync(path.join(p.dir, '.aibackend', `${f}.pid`), 'utf8')).pgid, 'SIGKILL');
    } catch {
      /* not running */
    }
  }
  rmSync(p.dir, { recursive: true, force: true });
}
provider.server.close();

console.log(
  `reload under load: ${RATE} requests/s through the gateway (half streamed), LiteLLM ${version}, one loopback provider streaming 10 tokens`,
);
console.log(
  'topology                reload                         exit  reload s  sent  failed  longest gap  p50 / p99 during  p50 / p99 steady',
);
for (const r of rows) {
  if (r.down !== undefined)
    console.log(
      `  (${r.reload}: HAProxy was down ${r.down_ms} ms until the reload brought it back; ${r.down} requests in flight at the kill or sent meanwhile failed; the row counts from its return)`,
    );
  console.log(
    `${r.topology.padEnd(24)}${r.reload.padEnd(31)}${String(r.exit).padEnd(6)}${r.reload_s.padEnd(10)}${String(r.sent).padEnd(6)}${String(r.failed).padEnd(8)}${`${r.gap_ms} ms`.padEnd(13)}${`${r.p50} / ${r.p99} ms`.padEnd(18)}${r.steady_p50} / ${r.steady_p99} ms`,
  );
}
const two = rows.filter((r) => r.topology.startsWith('two'));
console.log(
  `goal: 0 failed requests with two replicas in every reload and fault: ${two.every((r) => r.failed === 0) ? 'met' : 'NOT met'}; p99 during within 2x of steady: ${two.every((r) => r.p99 !== null && r.p99 <= 2 * r.steady_p99) ? 'met' : 'NOT met'}`,
);
