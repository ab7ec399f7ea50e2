// Steady chat traffic through a gateway (or its load balancer) while something happens to it,
// every answer counted: what a reload costs the applications that call the gateway.
import { MASTER_KEY } from './gateway.js';

/** Chat requests through the load balancer, `workers` at a time, until stopped: every status counted. */
export function traffic(url: string, workers = 2) {
  const statuses: number[] = [];
  let running = true;
  const loop = async (w: number) => {
    for (let i = 0; running && i < 100_000; i++) {
      try {
        const res = await fetch(`${url}/v1/chat/completions`, {
          method: 'POST',
          headers: { authorization: `Bearer ${MASTER_KEY}`, 'content-type': 'application/json' },
          body: JSON.stringify({ model: 'llama3.1:8b', messages: [{ role: 'user', content: `w${w} #${i}` }] }),
          signal: AbortSignal.timeout(30_000),
        });
        await res.text();
        statuses.push(res.status);
      } catch {
        statuses.push(0);
      }
    }
  };
  const done = Promise.all(Array.from({ length: workers }, (_, w) => loop(w)));
  return {
    statuses,
    stop: async () => {
      running = false;
      await done;
      return { sent: statuses.length, failed: statuses.filter((s) => s !== 200).length };
    },
  };
}

/** Runs `action` (a reload) while traffic flows through `url`, and half a second after it; the action's result and the traffic's count. */
export async function underTraffic<T>(url: string, action: () => Promise<T>): Promise<{ result: T; sent: number; failed: number }> {
  const load = traffic(url);
  const result = await action();
  await new Promise((res) => setTimeout(res, 500));
  return { result, ...(await load.stop()) };
}
