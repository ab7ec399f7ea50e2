// One GET with its own deadline, answered as parsed JSON (or text): a dead host costs at most
// the timeout. The reload probe and the status probes share it.
export interface JsonAnswer {
  ok: boolean;
  status?: number;
  body?: unknown;
  error?: string;
  ms: number;
}

export async function getJson(url: string, headers: Record<string, string>, timeoutMs: number): Promise<JsonAnswer> {
  const t0 = performance.now();
  const ms = () => Math.round(performance.now() - t0);
  try {
    const res = await fetch(url, { headers, signal: AbortSignal.timeout(Math.round(timeoutMs)) });
    const text = await res.text();
    let body: unknown = text;
    try {
      body = JSON.parse(text);
    } catch {
      // not JSON: keep the text
    }
    return { ok: res.ok, status: res.status, body, ms: ms() };
  } catch (err) {
    const e = err as Error & { cause?: { code?: string } };
    const error = e.name === 'TimeoutError' ? `no answer within ${Math.round(timeoutMs)} ms` : (e.cause?.code ?? e.message);
    return { ok: false, error, ms: ms() };
  }
}

/** The model ids of an OpenAI-style model list ({ data: [{ id }] }), or undefined if it is not one. */
export function modelIds(body: unknown): string[] | undefined {
  const data = (body as { data?: unknown } | undefined)?.data;
  if (!Array.isArray(data)) return undefined;
  return data.map((d) => String((d as { id?: unknown }).id));
}
