// What the reload-under-load benches share: a loopback provider that streams tokens, steady
// traffic through the gateway (half of it streamed) with every request's start, end and outcome,
// and the figures of a window of it (sent, failed, the longest gap without a success, p50/p99).
import { execFile } from 'node:child_process';
import http from 'node:http';
import net from 'node:net';
import path from 'node:path';

export const freePort = () =>
  new Promise((resolve) => {
    const s = net.createServer();
    s.listen(0, '127.0.0.1', () => {
      const p = s.address().port;
      s.close(() => resolve(p));
    });
  });
export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
/** One command on HAProxy's admin socket. */
export const admin = (socket, command) =>
  new Promise((resolve, reject) => {
    const c = net.connect({ path: socket });
    let out = '';
    c.on('connect', () => c.end(`${command}\n`));
    c.on('data', (d) => (out += d));
    c.on('end', () => resolve(out));
    c.on('error', reject);
  });

/** A provider that streams 10 tokens, the first after 50 ms, then one every 20 ms, listening on `host`. */
export async function startProvider(host = '127.0.0.1') {
  const provider = http.createServer((req, res) => {
    let raw = '';
    req.on('data', (c) => (raw += c));
    req.on('end', async () => {
      if (req.url.endsWith('/models')) {
        res.writeHead(200, { 'content-type': 'application/json' });
        return res.end(JSON.stringify({ object: 'list', data: [{ id: 'm1', object: 'model' }] }));
      }
      const body = raw ? JSON.parse(raw) : {};
      const chunk = (delta, finish, extra = {}) =>
        `data: ${JSON.stringify({ id: 'x', object: 'chat.completion.chunk', created: 1, model: 'm1', choices: [{ index: 0, delta, finish_reason: finish }], ...extra })}\n\n`;
      if (body.stream) {
        res.writeHead(200, { 'content-type': 'text/event-stream' });
        for (let i = 0; i < 10; i++) {
          await sleep(i === 0 ? 50 : 20);
          res.write(chunk({ content: `t${i} ` }, null));
        }
        return res.end(`${chunk({}, 'stop', { usage: { prompt_tokens: 3, completion_tokens: 10, total_tokens: 13 } })}data: [DONE]\n\n`);
      }
      await sleep(50 + 9 * 20);
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(
        JSON.stringify({
          id: 'x',
          object: 'chat.completion',
          created: 1,
          model: 'm1',
          choices: [{ index: 0, message: { role: 'assistant', content: 'hi' }, finish_reason: 'stop' }],
          usage: { prompt_tokens: 3, completion_tokens: 10, total_tokens: 13 },
        }),
      );
    });
  });
  await new Promise((r) => provider.listen(0, host, r));
  return { server: provider, url: `http://${host}:${provider.address().port}/v1` };
}

/** Chat requests through `url` at `rate` per second, every other one streamed, until stopped. */
export function traffic(url, key, rate = 20) {
  const samples = [];
  const t0 = performance.now();
  let i = 0;
  const timer = setInterval(() => {
    const stream = i++ % 2 === 1;
    const start = performance.now() - t0;
    const s = { start, end: null, ok: false };
    samples.push(s);
    fetch(`${url}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'chat', stream, messages: [{ role: 'user', content: `r${i}` }] }),
      signal: AbortSignal.timeout(60_000),
    })
      .then(async (res) => {
        const text = await res.text();
        s.status = res.status;
        s.stream = stream;
        s.ok = res.status === 200 && (!stream || text.includes('[DONE]'));
        if (!s.ok && process.env.DEBUG_RUL) console.error('FAIL', Math.round(start), res.status, stream, text.slice(0, 300));
      })
      .catch((e) => {
        s.ok = false;
        if (process.env.DEBUG_RUL) console.error('FAIL', Math.round(start), 'error', e.cause?.code ?? e.message);
      })
      .finally(() => {
        s.end = performance.now() - t0;
      });
  }, 1000 / rate);
  return {
    now: () => performance.now() - t0,
    samples,
    stop: async () => {
      clearInterval(timer);
      while (samples.some((s) => s.end === null)) await sleep(50);
    },
  };
}

/** Sent, failed, the longest time without a successful response, and p50/p99 of the requests started in [from, to). */
export function figures(samples, from, to) {
  const win = samples.filter((s) => s.start >= from && s.start < to);
  const lat = win
    .filter((s) => s.ok)
    .map((s) => s.end - s.start)
    .sort((a, b) => a - b);
  const q = (p) => (lat.length ? Math.round(lat[Math.min(lat.length - 1, Math.ceil(p * lat.length) - 1)]) : null);
  const okEnds = samples
    .filter((s) => s.ok && s.end >= from && s.end <= to)
    .map((s) => s.end)
    .sort((a, b) => a - b);
  let gap = 0;
  let prev = from;
  for (const e of okEnds) {
    gap = Math.max(gap, e - prev);
    prev = e;
  }
  gap = Math.max(gap, to - prev);
  return { sent: win.length, failed: win.filter((s) => !s.ok).length, gap_ms: Math.round(gap), p50: q(0.5), p99: q(0.99) };
}

/** Runs the built CLI (bin/aibackend.js of `root`) in `cwd` with the variables `env()` gives at each call; never rejects. */
export const aibackend =
  (root, env, timeout = 600_000) =>
  (cwd, ...args) =>
    new Promise((resolve) =>
      execFile(
        process.execPath,
        [path.join(root, 'bin/aibackend.js'), ...args],
        { cwd, env: { ...process.env, ...env(), NO_COLOR: '1' }, timeout },
        (err, stdout, stderr) => resolve({ code: err ? (err.code ?? 1) : 0, stdout, stderr }),
      ),
    );
