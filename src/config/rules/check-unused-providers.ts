// An active provider that nothing routes to is usually a forgotten mapping.
import { isActive } from '../schema/providers.js';
import type { RuleContext } from './context.js';

export function checkUnusedProviders(ctx: RuleContext): void {
  const providers = ctx.providers?.providers;
  const models = ctx.mappings?.models;
  if (!providers || !models) return;
  const used = new Set<string>();
  for (const m of Object.values(models)) for (const r of m.routes) used.add(r.provider);
  for (const [id, p] of Object.entries(providers)) {
    if (isActive(p) && !used.has(id)) {
      ctx.warn('unused-provider', ctx.at('providers', ['providers', id], true), `active provider '${id}' is not used by any route`);
    }
  }
}
