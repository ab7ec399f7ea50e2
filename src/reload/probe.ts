// Is the gateway up, and serving what we compiled? /health/liveliness (sic), then
// /health/readiness (no key), then /v1/models with the master key, whose ids must equal the
// compiled public names and aliases. Polled every interval until the timeout; a gateway that
// never answers on its configured port (LiteLLM may move to a random one when it is busy) fails.
import { getJson, modelIds } from '../util/http-json.js';

export type ProbeStepName = 'liveliness' | 'readiness' | 'models';

export interface ProbeStep {
  step: ProbeStepName;
  ok: boolean;
  /** Milliseconds since the probe started when this step passed or finally failed. */
  at_ms: number;
  attempts: number;
  status?: number;
  detail?: string;
}

export interface ProbeResult {
  ok: boolean;
  steps: ProbeStep[];
  total_ms: number;
  reason?: string;
  missing?: string[];
  unexpected?: string[];
}

export interface ProbeOptions {
  url: string;
  masterKey: string | undefined;
  expected: readonly string[];
  timeoutMs: number;
  intervalMs: number;
  /** Returns a reason when the gateway is known to be dead, to stop waiting early. */
  exited?: () => string | undefined;
  onProgress?: (step: ProbeStepName, elapsedMs: number) => void;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function probeGateway(o: ProbeOptions): Promise<ProbeResult> {
  const start = performance.now();
  const elapsed = () => Math.round(performance.now() - start);
  const deadline = start + o.timeoutMs;
  const base = o.url.replace(/\/+$/, '');
  const steps: ProbeStep[] = [];
  const fail = (reason: string, extra: Partial<ProbeResult> = {}): ProbeResult => ({ ok: false, steps, total_ms: elapsed(), reason, ...extra });

  for (const step of ['liveliness', 'readiness', 'models'] as const) {
    let attempts = 0;
    let last: { status?: number; detail?: string } = {};
    for (;;) {
      attempts++;
      o.onProgress?.(step, elapsed());
      const dead = o.exited?.();
      if (dead) {
        steps.push({ step, ok: false, at_ms: elapsed(), attempts, detail: dead });
        return fail(dead);
      }
      const remaining = deadline - performance.now();
      const key = step === 'models' ? o.masterKey : undefined;
      const res = await getJson(`${base}${step === 'models' ? '/v1/models' : `/health/${step}`}`, key ? { authorization: `Bearer ${key}` } : {}, Math.max(200, Math.min(5000, remaining)));
      if (res.ok) {
        if (step !== 'models') {
          steps.push({ step, ok: true, at_ms: elapsed(), attempts, status: res.status });
          break;
        }
        const served = modelIds(res.body);
        if (!served) {
          last = { status: res.status, detail: 'the /v1/models answer is not a model list' };
        } else {
          const want = new Set(o.expected);
          const have = new Set(served);
          const missing = [...want].filter((n) => !have.has(n)).sort();
          const unexpected = [...have].filter((n) => !want.has(n)).sort();
          if (missing.length === 0 && unexpected.length === 0) {
            steps.push({ step, ok: true, at_ms: elapsed(), attempts, status: res.status, detail: `${served.length} names served` });
            return { ok: true, steps, total_ms: elapsed() };
          }
          // LiteLLM reads its whole config before it serves: a different list is final.
          const detail = `served names differ from the compiled ones${missing.length ? `; missing: ${missing.join(', ')}` : ''}${unexpected.length ? `; unexpected: ${unexpected.join(', ')}` : ''}`;
          steps.push({ step, ok: false, at_ms: elapsed(), attempts, status: res.status, detail });
          return fail(detail, { missing, unexpected });
        }
      } else {
        last = { ...(res.status ? { status: res.status } : {}), detail: res.error ?? `HTTP ${res.status}` };
        if (step === 'models' && (res.status === 401 || res.status === 403)) {
          steps.push({ step, ok: false, at_ms: elapsed(), attempts, ...last });
          return fail(`the gateway refused the master key on /v1/models (HTTP ${res.status})`);
        }
      }
      if (performance.now() + o.intervalMs > deadline) {
        steps.push({ step, ok: false, at_ms: elapsed(), attempts, ...last });
        return fail(`no healthy answer on ${base} ${step === 'models' ? '/v1/models' : `/health/${step}`} within ${Math.round(o.timeoutMs / 1000)} s (last: ${last.detail ?? 'nothing'})`);
      }
      await sleep(o.intervalMs);
    }
  }
  return fail('unreachable');
}
