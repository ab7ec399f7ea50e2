// Steady chat traffic through a gateway (or its load balancer) while something happens to it,
// every answer counted: what a reload costs the applications that call the gateway.
import { MASTER_KEY } from './gateway.js';

/**
 * Chat requests through the load balancer, `workers` at a time, until stopped: every status counted.
 * With `streamed`, every other worker streams, and a stream counts as served only when it ends
 * with `data: [DONE]` (a stream cut mid-way still has status 200).
 */
export function traffic(url: string, workers = 2, opts: { streamed?: boolean } = {}) {
  const statuses: number[] = [];
  const failures: string[] = [];
  /** When the first and the last failed request ended (ms, performance.now()). */
  const outage: { from?: number; to?: number } = {};
  let running = true;
  // A client that failed waits a little before its next request, as a real one would, instead of
  // counting thousands of refused connections a second while the gateway is down.
  const failedAt = async () => {
    const now = performance.now();
    outage.from ??= now;
    outage.to = now;
    await new Promise((r) => setTimeout(r, 20));
  };
  const loop = async (w: number) => {
    const stream = Boolean(opts.streamed) && w % 2 === 1;
    for (let i = 0; running && i < 100_000; i++) {
      try {
        const res = await fetch(`${url}/v1/chat/completions`, {
          method: 'POST',
          headers: { authorization: `Bearer ${MASTER_KEY}`, 'content-type': 'application/json' },
          body: JSON.stringify({ model: 'llama3.1:8b', stream, messages: [{ role: 'user', content: `w${w} #${i}` }] }),
          signal: AbortSignal.timeout(30_000),
        });
        const body = await res.text();
        const whole = !stream || body.trimEnd().endsWith('data: [DONE]');
        statuses.push(res.status === 200 && !whole ? -1 : res.status);
        if (res.status !== 200 || !whole) {
          failures.push(`${stream ? 'stream' : 'plain'} #${i}: HTTP ${res.status}${whole ? '' : ' without [DONE]'}`);
          await failedAt();
        }
      } catch (err) {
        statuses.push(0);
        failures.push(`${stream ? 'stream' : 'plain'} #${i}: ${(err as Error).message}`);
        await failedAt();
      }
    }
  };
  const done = Promise.all(Array.from({ length: workers }, (_, w) => loop(w)));
  return {
    statuses,
    failures,
    stop: async () => {
      running = false;
      await done;
      return {
        sent: statuses.length,
        failed: statuses.filter((s) => s !== 200).length,
        failures,
        /** From the first failed request to the last, ms (0 without failures). */
        outageMs: outage.from === undefined ? 0 : Math.round(outage.to! - outage.from),
      };
    },
  };
}

/** Runs `action` (a reload) while traffic flows through `url`, and half a second after it; the action's result and the traffic's count. */
export async function underTraffic<T>(
  url: string,
  action: () => Promise<T>,
  opts: { streamed?: boolean; workers?: number } = {},
): Promise<{ result: T; sent: number; failed: number; failures: string[]; outageMs: number }> {
  const load = traffic(url, opts.workers ?? 2, opts);
  const result = await action();
  await new Promise((res) => setTimeout(res, 500));
  return { result, ...(await load.stop()) };
}
