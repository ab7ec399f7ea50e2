// kubernetes.enabled and runtime.kind swarm: what a pod or a task could not reach. A provider on
// loopback works for the host runtimes (the gateway shares the host's network) and for no container.
import { endpointOf } from '../../util/endpoint.js';
import { isActive } from '../schema/providers.js';
import type { RuleContext } from './context.js';

export function checkKubernetes(ctx: RuleContext): void {
  const gw = ctx.gateway;
  const providers = ctx.config.providers;
  if (!gw || !providers || (!gw.kubernetes.enabled && gw.runtime.kind !== 'swarm')) return;
  const where = gw.runtime.kind === 'swarm' ? 'a task of the swarm service' : 'a pod of kubernetes/litellm.yaml';
  for (const [id, p] of Object.entries(providers.providers)) {
    const url = (p as { base_url?: string }).base_url;
    if (!isActive(p) || !url || !endpointOf(url)?.local) continue;
    ctx.warn(
      'loopback-unreachable',
      ctx.at('providers', ['providers', id, 'base_url']),
      `provider '${id}' is at ${url}: from ${where}, that is the container itself`,
    );
  }
}
