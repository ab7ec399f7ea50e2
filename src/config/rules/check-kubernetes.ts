// kubernetes.enabled: what a pod could not reach. A provider on loopback works for the host
// runtimes (the gateway shares the host's network) and for no pod.
import { isActive } from '../schema/providers.js';
import type { RuleContext } from './context.js';

const LOOPBACK = /^https?:\/\/(127\.\d+\.\d+\.\d+|localhost|\[::1\])(:\d+)?(\/|$)/i;

export function checkKubernetes(ctx: RuleContext): void {
  const gw = ctx.gateway;
  const providers = ctx.config.providers;
  if (!gw?.kubernetes.enabled || !providers) return;
  for (const [id, p] of Object.entries(providers.providers)) {
    const url = (p as { base_url?: string }).base_url;
    if (!isActive(p) || !url || !LOOPBACK.test(url)) continue;
    ctx.warn(
      'kubernetes-loopback',
      ctx.at('providers', ['providers', id, 'base_url']),
      `provider '${id}' is at ${url}: from a pod of kubernetes/litellm.yaml, that is the pod itself`,
    );
  }
}
