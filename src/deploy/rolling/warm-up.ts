// A LiteLLM that has just started answers its first completion several times slower than the next
// ones, and every request that arrives meanwhile queues behind it (bench/reload-under-load.mjs with
// DEBUG_RUL=1 shows it). So a roll sends each restarted replica one small completion, plain and
// streamed (max_tokens 1), directly on its own port, before HAProxy sends it traffic: that cost is
// paid off rotation. Only a deployment on a loopback provider is used, never a hosted API (a request
// there costs money); without one the warm-up is skipped, and it never fails a roll.
import type { Deployment } from '../../client/deployments.js';
import { endpointOf } from '../../util/endpoint.js';

/** The public name to warm up with: the first chat deployment (in name order) whose provider listens on loopback. */
export function warmUpTarget(deployments: readonly Deployment[]): string | undefined {
  const local = deployments.filter((d) => d.api_base !== null && endpointOf(d.api_base)?.local === true && !d.model.startsWith('ollama/'));
  return local.map((d) => d.model_name).sort()[0];
}

export interface WarmUpResult {
  model?: string;
  ok: boolean;
  ms: number;
  detail: string;
}

/** One plain and one streamed completion of one token to `url`; never throws. */
export async function warmUp(
  url: string,
  masterKey: string | undefined,
  deployments: readonly Deployment[],
  timeoutMs: number,
): Promise<WarmUpResult> {
  const model = warmUpTarget(deployments);
  if (!model) return { ok: true, ms: 0, detail: 'skipped: no deployment on a loopback provider (hosted APIs are never called to warm up)' };
  const t0 = performance.now();
  for (const stream of [false, true]) {
    try {
      const res = await fetch(`${url}/v1/chat/completions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(masterKey ? { authorization: `Bearer ${masterKey}` } : {}) },
        body: JSON.stringify({ model, stream, max_tokens: 1, messages: [{ role: 'user', content: 'aibackend warm-up' }] }),
        signal: AbortSignal.timeout(timeoutMs),
      });
      await res.text();
      if (!res.ok) return { model, ok: false, ms: Math.round(performance.now() - t0), detail: `'${model}' answered HTTP ${res.status}` };
    } catch (err) {
      return { model, ok: false, ms: Math.round(performance.now() - t0), detail: `'${model}' did not answer: ${(err as Error).message}` };
    }
  }
  return { model, ok: true, ms: Math.round(performance.now() - t0), detail: `'${model}' answered, plain and streamed` };
}
