// What every served name should reach, and who answered a request: the registry's routes as
// LiteLLM deployments (provider id, backend model, LiteLLM model, api_base), so that the headers
// of a gateway response (x-litellm-model-group, -model-name, -model-api-base) map back to a
// provider id and tell a route from a fallback.
import { litellm_model } from './compile/compile-models.js';
import { servedNames } from './compile/compile.js';
import type { MappingsFile } from './schema/mappings.js';
import type { ProvidersFile } from './schema/providers.js';

export interface RouteTarget {
  provider: string;
  backend: string;
  /** LiteLLM's model string, e.g. hosted_vllm/Qwen/... */
  model: string;
  api_base: string | null;
  mode: 'chat' | 'embedding';
}

export interface RouteMap {
  /** Every public name and alias, sorted. */
  names: string[];
  /** Each served name's own routes (an alias has its target's). */
  routes: Map<string, RouteTarget[]>;
  /** Each served name's fallbacks, in order. */
  fallbacks: Map<string, string[]>;
}

export function routeMap(providers: ProvidersFile, mappings: MappingsFile): RouteMap {
  const routes = new Map<string, RouteTarget[]>();
  const fallbacks = new Map<string, string[]>();
  for (const [name, m] of Object.entries(mappings.models)) {
    routes.set(
      name,
      m.routes.map((r) => {
        const p = providers.providers[r.provider]!;
        const backend = r.model ?? name;
        const mode = p.models?.find((x) => x.name === backend)?.mode ?? 'chat';
        return { provider: r.provider, backend, model: litellm_model(p, backend, mode), api_base: p.base_url ?? null, mode };
      }),
    );
    fallbacks.set(name, [...(m.fallbacks ?? [])]);
  }
  for (const [alias, target] of Object.entries(mappings.aliases ?? {})) {
    if (routes.has(alias)) continue;
    routes.set(alias, routes.get(target) ?? []);
    fallbacks.set(alias, fallbacks.get(target) ?? []);
  }
  return { names: servedNames(mappings), routes, fallbacks };
}

const trim = (u: string | null | undefined) => baseOf(u);

/** The route of `group` that a response's model name and api_base designate, if any. */
export function identify(map: RouteMap, group: string | null, model: string | null, apiBase: string | null): RouteTarget | undefined {
  const candidates = group ? (map.routes.get(group) ?? []) : [...map.routes.values()].flat();
  const base = trim(apiBase);
  return (
    candidates.find((r) => r.model === model && trim(r.api_base) === base) ??
    // Hosted APIs: LiteLLM reports its default base, which the registry leaves out.
    candidates.find((r) => r.model === model && r.api_base === null) ??
    (base ? candidates.find((r) => trim(r.api_base) === base && r.backend === model?.split('/').slice(1).join('/')) : undefined)
  );
}

/** An api_base as LiteLLM reports it, without the endpoint path it sometimes appends, and without a trailing slash. */
export function baseOf(url: string | null | undefined): string | null {
  if (!url) return null;
  return url
    .replace(/\/(chat\/completions|completions|embeddings|api\/chat|api\/generate|api\/embed|api\/embeddings)\/?$/, '')
    .replace(/\/+$/, '');
}
