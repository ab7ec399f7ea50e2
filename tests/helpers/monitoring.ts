// Grafana's own substitutions, for running a dashboard expression outside Grafana: the rate
// interval and range, and "All" for the public-name and provider variables.
export function grafanaExpr(expr: string): string {
  return expr
    .replace(/\$__rate_interval/g, '1m')
    .replace(/\$__range/g, '1h')
    .replace(/\$public_name|\$provider/g, '.*');
}

export interface Series {
  metric: Record<string, string>;
  value: [number, string];
}

/** An instant query against Prometheus' HTTP API; throws with Prometheus' error when it refuses the expression. */
export async function promQuery(promUrl: string, expr: string): Promise<Series[]> {
  const res = await fetch(`${promUrl}/api/v1/query?query=${encodeURIComponent(expr)}`);
  const body = (await res.json()) as { status: string; error?: string; data?: { result: Series[] } };
  if (body.status !== 'success') throw new Error(`${expr}: ${body.error}`);
  return body.data!.result;
}

/** Every panel of every dashboard in `dir`, queried: how many panels, and the queries that returned no number. */
export async function emptyPanels(promUrl: string, dir: string): Promise<{ files: string[]; panels: number; empty: string[] }> {
  const { readdirSync, readFileSync } = await import('node:fs');
  const path = await import('node:path');
  const files = readdirSync(dir).sort();
  const empty: string[] = [];
  let panels = 0;
  for (const f of files) {
    const d = JSON.parse(readFileSync(path.join(dir, f), 'utf8')) as { panels: { title: string; targets: { expr: string }[] }[] };
    for (const p of d.panels) {
      panels++;
      for (const t of p.targets) {
        const result = await promQuery(promUrl, grafanaExpr(t.expr));
        if (!result.some((s) => Number.isFinite(Number(s.value[1]))))
          empty.push(`${f} / ${p.title}: ${t.expr} -> ${JSON.stringify(result).slice(0, 200)}`);
      }
    }
  }
  return { files, panels, empty };
}

/**
 * Traffic that gives every panel something to show, in two rounds a few scrapes apart (rate() of a
 * series that appeared once is 0, and a quantile of zero rates is NaN): plain, cached, streamed,
 * failed (llama2-13b has no fallback) and fallen back (qwen-coder-vllm to Ollama), then scrapes of
 * the real llama-server, which is stopped for the failures and started again on its port.
 */
export async function trafficForPanels(
  url: string,
  s: { llamaA: { url: string; stop(): Promise<void>; start(): Promise<void> }; llamaB: { failing: boolean }; vllm: { failing: boolean } },
): Promise<void> {
  const { expect } = await import('vitest');
  const { chat, MASTER_KEY } = await import('./gateway.js');
  const stream = async (model: string, content: string) => {
    const res = await fetch(`${url}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${MASTER_KEY}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model, stream: true, messages: [{ role: 'user', content }] }),
    });
    await res.text();
    return res.status;
  };
  for (let round = 0; round < 2; round++) {
    expect((await chat(url, 'llama3.1:8b')).status).toBe(200);
    expect((await chat(url, 'llama3.1:8b')).status).toBe(200); // the same request again: a cache hit
    expect(await stream('qwen-coder-vllm', `stream round ${round}`)).toBe(200);
    expect((await chat(url, 'llama2-13b')).status).toBe(200);
    await new Promise((r) => setTimeout(r, 2500));
  }
  await s.llamaA.stop();
  s.llamaB.failing = s.vllm.failing = true;
  try {
    for (let round = 0; round < 2; round++) {
      const body = (m: string) => ({
        method: 'POST',
        headers: { authorization: `Bearer ${MASTER_KEY}`, 'content-type': 'application/json' },
        body: JSON.stringify({ model: m, messages: [{ role: 'user', content: `fail ${round}` }] }),
      });
      expect((await fetch(`${url}/v1/chat/completions`, body('llama2-13b'))).status).toBeGreaterThanOrEqual(400);
      expect((await fetch(`${url}/v1/chat/completions`, body('qwen-coder-vllm'))).status).toBe(200);
      await new Promise((r) => setTimeout(r, 2500));
    }
  } finally {
    s.llamaB.failing = s.vllm.failing = false;
    await s.llamaA.start();
  }
  // A few scrapes of the restarted server, and traffic it serves (out of its 60 s cooldown, the
  // gateway routes llama2-13b to the Python one; the server is asked directly).
  for (let i = 0; i < 2; i++) {
    const direct = await fetch(`${s.llamaA.url}/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'llama-2-13b-chat', messages: [{ role: 'user', content: `direct ${i}` }], max_tokens: 8 }),
    });
    expect(direct.status).toBe(200);
    await new Promise((r) => setTimeout(r, 1500));
  }
  await new Promise((r) => setTimeout(r, 2000));
}
