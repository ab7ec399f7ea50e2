// One OpenAI-style chat request over a kept-alive connection, timed as vllm bench serve and
// GuideLLM time it: time to first token (first content chunk), inter-token latency (the gaps
// between content chunks after the first), end-to-end latency and output tokens (the usage the
// server reports, else the content chunks counted). node:http rather than fetch: a loopback
// server answering at once must not make the generator the bottleneck (bench/loadgen.mjs).
import http from 'node:http';
import https from 'node:https';

export interface Target {
  /** Base URL, e.g. http://127.0.0.1:4000 (the gateway) or a provider's OpenAI-compatible base. */
  base: string;
  path: string;
  headers: Record<string, string>;
  agent: http.Agent;
}

export interface Sample {
  ok: boolean;
  status: number;
  /** ms since the generator started, when the request was sent. */
  start_ms: number;
  ttft_ms: number | null;
  itl_ms: number[];
  e2e_ms: number;
  output_tokens: number;
  error?: string;
}

export function makeTarget(base: string, path: string, headers: Record<string, string>, concurrency: number): Target {
  const secure = base.startsWith('https:');
  const Agent = secure ? https.Agent : http.Agent;
  return { base: base.replace(/\/+$/, ''), path, headers, agent: new Agent({ keepAlive: true, maxSockets: concurrency, maxFreeSockets: concurrency }) };
}

export function send(t: Target, body: Record<string, unknown>, stream: boolean, epoch: number, timeoutMs: number): Promise<Sample> {
  const payload = JSON.stringify(stream ? { ...body, stream: true, stream_options: { include_usage: true } } : body);
  const url = new URL(t.base + t.path);
  const t0 = performance.now();
  const start_ms = t0 - epoch;
  return new Promise((resolve) => {
    let settled = false;
    const done = (s: Omit<Sample, 'start_ms' | 'e2e_ms'>) => {
      if (settled) return;
      settled = true;
      resolve({ ...s, start_ms, e2e_ms: performance.now() - t0 });
    };
    const lib = url.protocol === 'https:' ? https : http;
    const req = lib.request(
      url,
      { method: 'POST', agent: t.agent, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload), ...t.headers }, timeout: timeoutMs },
      (res) => {
        const status = res.statusCode ?? 0;
        let ttft: number | null = null;
        let last = 0;
        const itl: number[] = [];
        let chunks = 0;
        let usage: number | undefined;
        let buf = '';
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (d: string) => {
          if (!stream || status !== 200) {
            text += d;
            return;
          }
          buf += d;
          let nl: number;
          while ((nl = buf.indexOf('\n')) >= 0) {
            const line = buf.slice(0, nl).trim();
            buf = buf.slice(nl + 1);
            if (!line.startsWith('data:') || line === 'data: [DONE]') continue;
            let event: { choices?: { delta?: { content?: string } }[]; usage?: { completion_tokens?: number } };
            try {
              event = JSON.parse(line.slice(5));
            } catch {
              continue;
            }
            if (event.usage?.completion_tokens !== undefined) usage = event.usage.completion_tokens;
            if (event.choices?.[0]?.delta?.content) {
              const now = performance.now();
              if (ttft === null) ttft = now - t0;
              else itl.push(now - last);
              last = now;
              chunks++;
            }
          }
        });
        res.on('end', () => {
          if (status !== 200) return done({ ok: false, status, ttft_ms: null, itl_ms: [], output_tokens: 0, error: errorText(text, status) });
          if (!stream) {
            let tokens = 0;
            try {
              tokens = (JSON.parse(text) as { usage?: { completion_tokens?: number } }).usage?.completion_tokens ?? 0;
            } catch {
              return done({ ok: false, status, ttft_ms: null, itl_ms: [], output_tokens: 0, error: 'the answer is not JSON' });
            }
            const e2e = performance.now() - t0;
            return done({ ok: true, status, ttft_ms: e2e, itl_ms: [], output_tokens: tokens });
          }
          done({ ok: ttft !== null, status, ttft_ms: ttft, itl_ms: itl, output_tokens: usage ?? chunks, ...(ttft === null ? { error: 'the stream carried no content' } : {}) });
        });
        res.on('error', (err) => done({ ok: false, status, ttft_ms: null, itl_ms: [], output_tokens: 0, error: err.message }));
      },
    );
    req.on('timeout', () => req.destroy(new Error(`no answer within ${Math.round(timeoutMs / 1000)} s`)));
    req.on('error', (err) => done({ ok: false, status: 0, ttft_ms: null, itl_ms: [], output_tokens: 0, error: (err as NodeJS.ErrnoException).code ?? err.message }));
    req.end(payload);
  });
}

function errorText(text: string, status: number): string {
  try {
    const j = JSON.parse(text) as { error?: { message?: string } | string };
    const m = typeof j.error === 'string' ? j.error : j.error?.message;
    if (m) return `HTTP ${status}: ${m.slice(0, 200)}`;
  } catch {
    // not JSON
  }
  return `HTTP ${status}`;
}
