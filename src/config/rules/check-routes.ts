// Every route must reach an active provider that lists the backend model it asks for.
import type { Suggester } from '../../util/suggest.js';
import type { RuleContext } from './context.js';
import { didYouMean } from './context.js';

export function checkRoutes(ctx: RuleContext): void {
  const providers = ctx.providers?.providers;
  const models = ctx.mappings?.models;
  if (!providers || !models) return;
  if (Object.keys(models).length === 0) {
    ctx.error(
      'no-public-models',
      ctx.at('mappings', ['models'], true),
      'models is empty: define at least one public name, or the gateway serves nothing',
    );
    return;
  }
  const modelSuggesters = new Map<string, Suggester>();
  const modelSets = new Map<string, Set<string>>();
  for (const [id, p] of Object.entries(providers)) modelSets.set(id, new Set((p.models ?? []).map((m) => m.name)));

  for (const [name, mapping] of Object.entries(models)) {
    const seen = new Set<string>();
    mapping.routes.forEach((route, i) => {
      const path = ['models', name, 'routes', i];
      const provider = providers[route.provider];
      if (!provider) {
        const s = ctx.suggestProvider(route.provider);
        ctx.error(
          'unknown-provider',
          ctx.at('mappings', [...path, 'provider']),
          `route ${i + 1} of '${name}' names unknown provider '${route.provider}'${didYouMean(s)}`,
          s,
        );
        return;
      }
      if (provider.status === 'disabled') {
        ctx.error(
          'disabled-provider',
          ctx.at('mappings', [...path, 'provider']),
          `route ${i + 1} of '${name}' names provider '${route.provider}', which is disabled; enable it or remove the route`,
        );
      }
      const backend = route.model ?? name;
      const listed = modelSets.get(route.provider)!;
      if (!listed.has(backend)) {
        let sug = modelSuggesters.get(route.provider);
        if (!sug) modelSuggesters.set(route.provider, (sug = ctx.suggester(listed)));
        const s = sug.suggest(backend);
        const where = route.model !== undefined ? [...path, 'model'] : [...path, 'provider'];
        const implicit = route.model === undefined ? ' (the backend model defaults to the public name; set model: to choose another)' : '';
        ctx.error(
          'unknown-backend-model',
          ctx.at('mappings', where),
          `provider '${route.provider}' does not list backend model '${backend}'${implicit}${didYouMean(s)}`,
          s,
        );
      }
      const key = `${route.provider}\u0000${backend}`;
      if (seen.has(key)) {
        ctx.error(
          'duplicate-route',
          ctx.at('mappings', path),
          `'${name}' routes to ${route.provider}/${backend} twice; use weight: to bias load-balancing`,
        );
      }
      seen.add(key);
    });
  }
}
