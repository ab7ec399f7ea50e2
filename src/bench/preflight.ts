// Before bench or load send hundreds of requests: one that says whether they can work at all,
// without costing a provider anything (GET /v1/models with the master key). A master key whose
// variable is unset, a gateway that refuses connections, or one that refuses the key would
// otherwise turn into thousands of instant failures.
import { CliError } from '../util/errors.js';
import { classifyError, unsetKeyVariable } from '../client/gateway-errors.js';

export async function preflight(o: {
  gatewayUrl: string;
  key: string | undefined;
  masterKey: string | undefined;
  timeoutMs: number;
}): Promise<void> {
  const unset = unsetKeyVariable(o.masterKey, o.key);
  if (unset) throw unset;
  let res: Response;
  try {
    res = await fetch(`${o.gatewayUrl.replace(/\/+$/, '')}/v1/models`, {
      headers: o.key ? { authorization: `Bearer ${o.key}` } : {},
      signal: AbortSignal.timeout(Math.min(o.timeoutMs, 30_000)),
    });
  } catch (err) {
    const e = err as Error & { cause?: { code?: string } };
    throw new CliError(
      `the gateway at ${o.gatewayUrl} cannot be reached (${e.name === 'TimeoutError' ? 'no answer' : (e.cause?.code ?? e.message)}): nothing was measured; \`aibackend status\` says more`,
    );
  }
  if (res.ok) {
    await res.body?.cancel();
    return;
  }
  const e = classifyError(res.status, await res.text().catch(() => ''));
  if (e.kind === 'key-refused')
    throw new CliError(
      `the gateway refused the master key (HTTP ${res.status}: ${e.message}): nothing was measured; check the variable gateway.master_key names`,
    );
  throw new CliError(`the gateway answers GET /v1/models with HTTP ${res.status} (${e.message}): nothing was measured`);
}
