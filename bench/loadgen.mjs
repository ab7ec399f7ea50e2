// Is aibackend's load generator the bottleneck? Against a loopback HTTP server that answers an
// OpenAI chat completion at once (in its own process, so that it has a core of its own), run the
// generator that `aibackend bench` and `aibackend load` use, non-streaming, then autocannon with
// the same connections, duration and request, in the same run. Target: at least 2,000 requests/s.
//   node bench/loadgen.mjs [seconds=8] [connections=32]
import { fork } from 'node:child_process';
import { rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import autocannon from 'autocannon';
import { build } from 'esbuild';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const seconds = Number(process.argv[2] ?? 8);
const connections = Number(process.argv[3] ?? 32);

if (process.argv[2] === '--server') {
  const http = await import('node:http');
  const body = JSON.stringify({
    id: 'x',
    object: 'chat.completion',
    created: 0,
    model: 'm',
    choices: [{ index: 0, message: { role: 'assistant', content: 'hi' }, finish_reason: 'stop' }],
    usage: { prompt_tokens: 3, completion_tokens: 1, total_tokens: 4 },
  });
  const server = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
      res.end(body);
    });
  });
  server.keepAliveTimeout = 60_000;
  server.listen(0, '127.0.0.1', () => process.send({ port: server.address().port }));
} else {
  const server = fork(fileURLToPath(import.meta.url), ['--server']);
  const port = await new Promise((resolve) => server.on('message', (m) => resolve(m.port)));
  const base = `http://127.0.0.1:${port}`;

  // The generator as the CLI bundles it.
  const out = path.join(tmpdir(), `aibackend-loadgen-${process.pid}.mjs`);
  await build({
    entryPoints: [path.join(root, 'src/bench/index.ts')],
    bundle: true,
    platform: 'node',
    format: 'esm',
    outfile: out,
    logLevel: 'warning',
  });
  const { run, figures, makeTarget } = await import(pathToFileURL(out).href);
  rmSync(out, { force: true });

  const request = { model: 'm', max_tokens: 16, messages: [{ role: 'user', content: 'hello' }] };
  const target = makeTarget(base, '/v1/chat/completions', {}, connections);
  const r = await run({
    target,
    users: () => connections,
    maxUsers: connections,
    pick: () => 'm',
    body: () => request,
    stream: false,
    durationMs: seconds * 1000,
    timeoutMs: 10_000,
  });
  target.agent.destroy();
  const ours = figures(r.total, r.seconds);

  const ac = await autocannon({
    url: `${base}/v1/chat/completions`,
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(request),
    connections,
    duration: seconds,
  });
  server.kill();

  const acRps = ac.requests.total / seconds;
  console.log(`load generator against a loopback server answering at once: ${connections} connections, ${seconds} s each, non-streaming`);
  console.log(
    `  aibackend : ${ours.requests_per_s.toFixed(0)} requests/s (${ours.requests} requests, ${ours.errors} errors), p50 ${ours.e2e_ms.p50} ms, p99 ${ours.e2e_ms.p99} ms`,
  );
  console.log(
    `  autocannon: ${acRps.toFixed(0)} requests/s (${ac.requests.total} requests, ${ac.errors + ac.non2xx} errors), p50 ${ac.latency.p50} ms, p99 ${ac.latency.p99} ms`,
  );
  console.log(
    `  target >= 2000 requests/s: ${ours.requests_per_s >= 2000 ? 'met' : 'NOT met'}; aibackend/autocannon = ${(ours.requests_per_s / acRps).toFixed(2)}`,
  );
}
