// The reload's own overhead: its total wall time minus the gateway's start-to-ready time, both
// measured in the same run, against the real LiteLLM proxy (scripts/setup-litellm.sh) behind
// which a tiny OpenAI-compatible server runs on loopback. Also: how long after the gateway is
// really ready (seen by an independent 10 ms poller) the reload notices it.
// Targets (issue 3): overhead < 500 ms; readiness noticed within one probe interval.
// Usage: node bench/reload-overhead.mjs [runs]
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const runs = Number(process.argv[2] ?? 3);
const litellm =
  process.env.AIBACKEND_LITELLM ??
  execFileSync('bash', [path.join(root, 'scripts/setup-litellm.sh')], { encoding: 'utf8' })
    .trim()
    .split('\n')
    .pop();
const INTERVAL = 250;

const freePort = () =>
  new Promise((resolve) => {
    const s = net.createServer();
    s.listen(0, '127.0.0.1', () => {
      const p = s.address().port;
      s.close(() => resolve(p));
    });
  });
const upstream = http.createServer((req, res) => {
  res.writeHead(200, { 'content-type': 'application/json' });
  res.end(
    JSON.stringify(
      req.url.endsWith('/models')
        ? { data: [{ id: 'm' }] }
        : {
            id: 'x',
            object: 'chat.completion',
            choices: [{ index: 0, message: { role: 'assistant', content: 'ok' }, finish_reason: 'stop' }],
          },
    ),
  );
});
await new Promise((r) => upstream.listen(0, '127.0.0.1', r));
const up = upstream.address().port;
const port = await freePort();
const dir = mkdtempSync(path.join(tmpdir(), 'aibackend-bench-reload-'));
const config = path.join(dir, 'config');
mkdirSync(config);
writeFileSync(
  path.join(config, 'providers.yaml'),
  `version: 1\nproviders:\n  local:\n    type: openai_compatible\n    base_url: http://127.0.0.1:${up}/v1\n    models:\n      - name: m\n`,
);
writeFileSync(
  path.join(config, 'gateway.yaml'),
  `version: 1\ngateway:\n  url: http://127.0.0.1:${port}\nruntime:\n  kind: process\n  command: [${JSON.stringify(litellm)}, --config, "{config}", --host, 127.0.0.1, --port, "${port}"]\n  env: { LITELLM_LOCAL_MODEL_COST_MAP: "True" }\nhealth:\n  timeout_s: 120\n  interval_ms: ${INTERVAL}\n`,
);
const env = { ...process.env, NO_COLOR: '1', LITELLM_MASTER_KEY: 'sk-bench-master-key-0000000000' };

async function readyPoller(signal) {
  for (;;) {
    if (signal.aborted) return undefined;
    try {
      const r = await fetch(`http://127.0.0.1:${port}/health/readiness`, { signal: AbortSignal.timeout(500) });
      if (r.ok) return Date.now();
    } catch {}
    await new Promise((r) => setTimeout(r, 10));
  }
}

const rows = [];
for (let i = 0; i <= runs; i++) {
  // Alternate between two configs so that every run really changes something.
  writeFileSync(
    path.join(config, 'model-mappings.yaml'),
    `version: 1\nmodels:\n  m:\n    routes:\n      - provider: local\naliases:\n  alias-${i}: m\n`,
  );
  const t0 = Date.now();
  const cli = spawn(process.execPath, [path.join(root, 'bin/aibackend.js'), 'reload', '--yes', '--json'], {
    cwd: dir,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  cli.stdout.on('data', (d) => (out += d));
  const code = await new Promise((r) => cli.on('close', r));
  const wall = Date.now() - t0;
  if (code !== 0) throw new Error(`reload exited ${code}: ${out}`);
  const result = JSON.parse(out);
  const journal = readFileSync(path.join(dir, 'backups/journal.jsonl'), 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l));
  const mine = journal.filter((e) => e.event === 'restarted').at(-1);
  const healthy = journal.filter((e) => e.event === 'healthy').at(-1);
  rows.push({ wall, restartedAt: Date.parse(mine.time), healthyAt: Date.parse(healthy.time), result });
}

// Readiness latency: start the gateway once more with an independent poller running alongside.
writeFileSync(
  path.join(config, 'model-mappings.yaml'),
  `version: 1\nmodels:\n  m:\n    routes:\n      - provider: local\naliases:\n  final: m\n`,
);
const ac = new AbortController();
const cli = spawn(process.execPath, [path.join(root, 'bin/aibackend.js'), 'reload', '--yes', '--json'], {
  cwd: dir,
  env,
  stdio: ['ignore', 'pipe', 'pipe'],
});
let last = '';
cli.stdout.on('data', (d) => (last += d));
// Poll only once the old gateway is stopped and the new one spawned (after the pre-flight).
const restartedCount = () =>
  existsSync(path.join(dir, 'backups/journal.jsonl'))
    ? readFileSync(path.join(dir, 'backups/journal.jsonl'), 'utf8').split('"event":"restarted"').length
    : 0;
const before = restartedCount();
while (restartedCount() === before && cli.exitCode === null) await new Promise((r) => setTimeout(r, 10));
const readyAt = readyPoller(ac.signal);
await new Promise((r) => cli.on('close', r));
ac.abort();
const trueReady = await readyAt;
const journal = readFileSync(path.join(dir, 'backups/journal.jsonl'), 'utf8')
  .trim()
  .split('\n')
  .map((l) => JSON.parse(l));
const noticed = Date.parse(journal.filter((e) => e.event === 'healthy').at(-1).time);

// The first run starts from nothing (no gateway to stop); keep it out of the figures.
const sample = rows.slice(1);
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const startToReady = sample.map((r) => r.healthyAt - r.restartedAt);
const preflight = sample.map((r) => r.result.timings.preflight_ms);
const overhead = sample.map((r) => r.wall - (r.healthyAt - r.restartedAt) - r.result.timings.preflight_ms);
console.log(`LiteLLM ${path.basename(path.dirname(path.dirname(litellm)))}, ${sample.length} reloads, probe interval ${INTERVAL} ms`);
console.log(`reload wall time        median ${median(sample.map((r) => r.wall))} ms`);
console.log(`gateway start-to-ready  median ${median(startToReady)} ms (restart spawned -> probe healthy)`);
console.log(
  `pre-flight (LiteLLM --validate_config and runtime checks) median ${median(preflight)} ms (the old gateway keeps serving meanwhile)`,
);
console.log(`reload overhead (excluding pre-flight) median ${median(overhead)} ms, max ${Math.max(...overhead)} ms (target < 500 ms)`);
if (trueReady)
  console.log(`readiness noticed ${noticed - trueReady} ms after the gateway was ready (target <= one interval, ${INTERVAL} ms)`);

try {
  const pid = JSON.parse(readFileSync(path.join(dir, '.aibackend/gateway.pid'), 'utf8')).pid;
  process.kill(-pid, 'SIGTERM');
} catch {}
upstream.close();
rmSync(dir, { recursive: true, force: true });
