// The two ways a request to the gateway fails before it says anything useful, as the errors
// people can act on: the gateway cannot be reached, or it does not accept the master key.
import { CliError } from '../errors.js';

export function gatewayUnreachable(err: unknown, url: string, timeoutMs: number): CliError {
  const e = err as Error & { cause?: { code?: string } };
  const why = e.name === 'TimeoutError' ? `no answer within ${Math.round(timeoutMs / 1000)} s` : (e.cause?.code ?? e.message);
  return new CliError(`the gateway at ${url} cannot be reached (${why}); \`aibackend status\` says more`);
}

/**
 * A key the gateway does not accept. LiteLLM answers 401 for a malformed key, and 400 "No connected
 * db." for a well-formed key that is not the master key (it would look it up among the virtual
 * keys of a database it does not have).
 */
export function keyRefused(status: number, body: string): CliError | undefined {
  if (status === 401 || status === 403 || (status === 400 && /No connected db|Authentication Error|invalid.*(key|token)/i.test(body))) {
    return new CliError(`the gateway refused the master key (HTTP ${status}${status === 400 ? ': it is not the master key, and there is no key database to look it up in' : ''}): check the variable gateway.master_key names`);
  }
  return undefined;
}
