// Is the gateway up, and serving what we compiled? /health/liveliness (sic), then
// /health/readiness (no key), then /v1/models with the master key, whose ids must equal the
// compiled public names and aliases, then /v1/model/info, whose deployments (name, provider
// model, api_base, weight) must equal the compiled ones: a changed route is proven, not assumed.
// With MCP servers compiled, /v1/mcp/server must list exactly those, as loaded from the config.
// Polled every interval until the timeout. Last, the runtime says whether the process that
// answered is the one it started: an old or foreign gateway holding the port proves nothing.
import { getJson, modelIds } from './http-json.js';
import { compareDeployments, servedDeployments, servedMcpServers, type Deployment } from './deployments.js';
import { sleep } from '../util/sleep.js';

export type ProbeStepName = 'liveliness' | 'readiness' | 'models' | 'deployments' | 'mcp_servers' | 'identity';

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
  /** The compiled deployments; without them the deployments step is not run. */
  deployments?: Deployment[];
  /** The compiled MCP server names; without them the mcp_servers step is not run. */
  mcpServers?: string[];
  timeoutMs: number;
  intervalMs: number;
  /** Returns a reason when the gateway is known to be dead, to stop waiting early. */
  exited?: () => string | undefined | Promise<string | undefined>;
  /** Returns a reason when the process answering is not the gateway just started. */
  impostor?: () => string | undefined;
  onProgress?: (step: ProbeStepName, elapsedMs: number) => void;
}

export async function probeGateway(o: ProbeOptions): Promise<ProbeResult> {
  const start = performance.now();
  const elapsed = () => Math.round(performance.now() - start);
  const deadline = start + o.timeoutMs;
  const base = o.url.replace(/\/+$/, '');
  const steps: ProbeStep[] = [];
  const fail = (reason: string, extra: Partial<ProbeResult> = {}): ProbeResult => ({
    ok: false,
    steps,
    total_ms: elapsed(),
    reason,
    ...extra,
  });

  const sequence: ProbeStepName[] = [
    'liveliness',
    'readiness',
    'models',
    ...(o.deployments ? (['deployments'] as const) : []),
    ...(o.mcpServers ? (['mcp_servers'] as const) : []),
  ];
  for (const step of sequence) {
    let attempts = 0;
    let last: { status?: number; detail?: string } = {};
    for (;;) {
      attempts++;
      o.onProgress?.(step, elapsed());
      const dead = await o.exited?.();
      if (dead) {
        steps.push({ step, ok: false, at_ms: elapsed(), attempts, detail: dead });
        return fail(dead);
      }
      const remaining = deadline - performance.now();
      const keyed = step === 'models' || step === 'deployments' || step === 'mcp_servers';
      const key = keyed ? o.masterKey : undefined;
      const res = await getJson(
        `${base}${endpoint(step)}`,
        key ? { authorization: `Bearer ${key}` } : {},
        Math.max(200, Math.min(5000, remaining)),
      );
      if (res.ok) {
        const list = step === 'deployments' || step === 'mcp_servers' ? listCheck(step, o, res.body) : undefined;
        if (list) {
          if ('notAList' in list) last = { status: res.status, detail: list.notAList };
          else if (list.missing.length === 0 && list.unexpected.length === 0) {
            steps.push({ step, ok: true, at_ms: elapsed(), attempts, status: res.status, detail: list.ok });
            break;
          } else {
            steps.push({ step, ok: false, at_ms: elapsed(), attempts, status: res.status, detail: list.differ });
            return fail(list.differ, { missing: list.missing, unexpected: list.unexpected });
          }
        } else if (step !== 'models') {
          steps.push({ step, ok: true, at_ms: elapsed(), attempts, status: res.status });
          break;
        } else {
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
              break;
            }
            // LiteLLM reads its whole config before it serves: a different list is final.
            const detail = `served names differ from the compiled ones${missing.length ? `; missing: ${missing.join(', ')}` : ''}${unexpected.length ? `; unexpected: ${unexpected.join(', ')}` : ''}`;
            steps.push({ step, ok: false, at_ms: elapsed(), attempts, status: res.status, detail });
            return fail(detail, { missing, unexpected });
          }
        }
      } else {
        last = { ...(res.status ? { status: res.status } : {}), detail: res.error ?? `HTTP ${res.status}` };
        if (keyed && (res.status === 401 || res.status === 403)) {
          steps.push({ step, ok: false, at_ms: elapsed(), attempts, ...last });
          return fail(`the gateway refused the master key on ${endpoint(step)} (HTTP ${res.status})`);
        }
      }
      if (performance.now() + o.intervalMs > deadline) {
        steps.push({ step, ok: false, at_ms: elapsed(), attempts, ...last });
        return fail(
          `no healthy answer on ${base} ${endpoint(step)} within ${Math.round(o.timeoutMs / 1000)} s (last: ${last.detail ?? 'nothing'})`,
        );
      }
      await sleep(o.intervalMs);
    }
  }
  // Names and deployments match; prove that the process answering is the one just started.
  const dead = await o.exited?.();
  const stranger = dead ?? o.impostor?.();
  if (stranger) {
    steps.push({ step: 'identity', ok: false, at_ms: elapsed(), attempts: 1, detail: stranger });
    return fail(stranger);
  }
  if (o.impostor)
    steps.push({ step: 'identity', ok: true, at_ms: elapsed(), attempts: 1, detail: 'the gateway that answered is the one just started' });
  return { ok: true, steps, total_ms: elapsed() };
}

type ListCheck = { notAList: string } | { missing: string[]; unexpected: string[]; ok: string; differ: string };

/** The deployments (/v1/model/info) or MCP servers (/v1/mcp/server) served, against the compiled ones. */
function listCheck(step: 'deployments' | 'mcp_servers', o: ProbeOptions, body: unknown): ListCheck {
  if (step === 'deployments') {
    const served = servedDeployments(body);
    if (!served) return { notAList: 'the /v1/model/info answer is not a deployment list' };
    const { missing, unexpected } = compareDeployments(o.deployments!, served);
    return {
      missing,
      unexpected,
      ok: `${served.length} deployments served as compiled`,
      differ: `the deployments served differ from the compiled ones${missing.length ? `; not served: ${short(missing)}` : ''}${unexpected.length ? `; served but not compiled: ${short(unexpected)}` : ''}`,
    };
  }
  const served = servedMcpServers(body);
  if (!served) return { notAList: 'the /v1/mcp/server answer is not a server list' };
  const missing = o.mcpServers!.filter((n) => !served.includes(n));
  const unexpected = served.filter((n) => !o.mcpServers!.includes(n));
  return {
    missing,
    unexpected,
    ok: `${served.length} MCP servers registered as compiled`,
    differ: `the MCP servers registered differ from the compiled ones${missing.length ? `; not registered: ${missing.join(', ')}` : ''}${unexpected.length ? `; registered but not compiled: ${unexpected.join(', ')}` : ''}`,
  };
}

function endpoint(step: ProbeStepName): string {
  return step === 'models'
    ? '/v1/models'
    : step === 'deployments'
      ? '/v1/model/info'
      : step === 'mcp_servers'
        ? '/v1/mcp/server'
        : `/health/${step}`;
}

function short(list: string[]): string {
  return list.length > 5 ? `${list.slice(0, 5).join('; ')}; and ${list.length - 5} more` : list.join('; ');
}
