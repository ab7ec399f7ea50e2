// How a request to the gateway failed, from what LiteLLM says: its error body is structured
// ({"error": {"message", "type", "param", "code"}}), so the kind is read from `type` and the
// status, never guessed from the message (a provider's "invalid_request_error" about max_tokens
// is not a refused key). The two failures people act on before anything else: the gateway
// cannot be reached, or it does not accept the master key.
import { CliError } from '../util/errors.js';

export type GatewayErrorKind = 'key-refused' | 'rate-limited' | 'timeout' | 'bad-request' | 'not-found' | 'provider' | 'gateway' | 'http';

export interface GatewayError {
  kind: GatewayErrorKind;
  status: number;
  message: string;
  /** LiteLLM's error type and code, when the body carried them. */
  type?: string;
  code?: string;
}

/** LiteLLM's structured error, when the body is one. */
function structured(body: string): { message?: string; type?: string; code?: string } | undefined {
  try {
    const j = JSON.parse(body) as { error?: { message?: unknown; type?: unknown; code?: unknown } | string; detail?: unknown };
    if (typeof j.error === 'string') return { message: j.error };
    if (j.error && typeof j.error === 'object') {
      return {
        ...(typeof j.error.message === 'string' ? { message: j.error.message } : {}),
        ...(typeof j.error.type === 'string' ? { type: j.error.type } : {}),
        ...(j.error.code !== undefined && j.error.code !== null ? { code: String(j.error.code) } : {}),
      };
    }
    if (typeof j.detail === 'string') return { message: j.detail };
  } catch {
    // not JSON
  }
  return undefined;
}

/**
 * The kind of a failed answer. LiteLLM answers a malformed or wrong key with 401 (type
 * auth_error), and a well-formed key that is not the master key with 400 of type
 * no_db_connection (it would look it up among the virtual keys of a database it does not have).
 */
export function classifyError(status: number, body: string): GatewayError {
  const s = structured(body);
  const message = (s?.message ?? (body.trim().slice(0, 200) || `HTTP ${status}`)).slice(0, 300);
  const base = { status, message, ...(s?.type ? { type: s.type } : {}), ...(s?.code ? { code: s.code } : {}) };
  const kind: GatewayErrorKind =
    s?.type === 'auth_error' || s?.type === 'no_db_connection' || ((status === 401 || status === 403) && !s?.type)
      ? 'key-refused'
      : status === 429 || s?.type === 'rate_limit_error' || s?.type === 'budget_exceeded'
        ? 'rate-limited'
        : status === 408 || status === 504 || s?.type === 'timeout'
          ? 'timeout'
          : status === 404
            ? 'not-found'
            : status === 400 || status === 422
              ? 'bad-request'
              : s !== undefined && status >= 500
                ? 'provider'
                : status >= 500
                  ? 'gateway'
                  : 'http';
  return { kind, ...base };
}

export function gatewayUnreachable(err: unknown, url: string, timeoutMs: number): CliError {
  const e = err as Error & { cause?: { code?: string } };
  const why = e.name === 'TimeoutError' ? `no answer within ${Math.round(timeoutMs / 1000)} s` : (e.cause?.code ?? e.message);
  return new CliError(`the gateway at ${url} cannot be reached (${why}); \`aibackend status\` says more`);
}

/** A key the gateway does not accept, as an error people can act on; undefined for any other failure. */
export function keyRefused(status: number, body: string): CliError | undefined {
  const e = classifyError(status, body);
  if (e.kind !== 'key-refused') return undefined;
  const db = e.type === 'no_db_connection' ? ': it is not the master key, and there is no key database to look it up in' : '';
  return new CliError(`the gateway refused the master key (HTTP ${status}${db}): check the variable gateway.master_key names`);
}

/** Before any request: a master key whose variable is not set, named as such (LiteLLM would answer 500 or 401 to every request). */
export function unsetKeyVariable(masterKey: string | undefined, key: string | undefined): CliError | undefined {
  const variable = masterKey?.startsWith('env:') ? masterKey.slice(4) : undefined;
  if (variable && (key === undefined || key === ''))
    return new CliError(
      `${variable} is not set: gateway.master_key names it, and the gateway accepts no request without it; export it (the value the gateway runs with) and run again`,
    );
  return undefined;
}
