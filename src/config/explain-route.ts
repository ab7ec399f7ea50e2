// How the compiled config will treat one name: which deployments share its traffic, and the
// order in which LiteLLM walks fallbacks. The walk mirrors LiteLLM's router: depth first (a
// fallback's own fallbacks are tried before the next sibling), never the same group twice, and
// no deeper once max_fallbacks attempts have been made on the path (ROUTER_MAX_FALLBACKS, 5).
import type { LiteLLMConfig } from './compile/litellm-config.js';
import type { MappingsFile } from './schema/mappings.js';
import type { ProvidersFile } from './schema/providers.js';

export const DEFAULT_MAX_FALLBACKS = 5;

export interface RouteView {
  provider: string;
  type: string;
  base_url?: string;
  backend_model: string;
  litellm_model: string;
  weight: number;
  /** Share of traffic under simple-shuffle, in percent. */
  share: number;
}

export interface FallbackStep {
  name: string;
  /** How many fallbacks deep this attempt is (1 = a direct fallback). */
  depth: number;
  /** The name whose fallback list led here. */
  from: string;
  routes: RouteView[];
}

export interface Explanation {
  name: string;
  alias_of?: string;
  description?: string;
  routes: RouteView[];
  fallbacks: FallbackStep[];
  max_fallbacks: number;
  /** router_settings.routing_strategy: weights only steer simple-shuffle. */
  strategy: string;
  /** Fallback names listed but never reached because max_fallbacks stops the walk first. */
  unreachable: string[];
}

export function explainName(
  name: string,
  providers: ProvidersFile,
  mappings: MappingsFile,
  compiled: LiteLLMConfig,
): Explanation | undefined {
  const aliases = mappings.aliases ?? {};
  const isModel = Object.hasOwn(mappings.models, name);
  if (!isModel && !Object.hasOwn(aliases, name)) return undefined;
  const fbTable = new Map<string, string[]>();
  for (const entry of (compiled.router_settings.fallbacks as Record<string, string[]>[] | undefined) ?? []) {
    for (const [k, v] of Object.entries(entry)) fbTable.set(k, v);
  }
  const maxFallbacks = numberOr(
    compiled.router_settings.max_fallbacks,
    numberOr(compiled.litellm_settings.max_fallbacks, DEFAULT_MAX_FALLBACKS),
  );
  const routesOf = (n: string) => routeViews(n, providers, mappings, compiled);

  const steps: FallbackStep[] = [];
  const attempted = new Set<string>([name]);
  const walk = (group: string, depth: number) => {
    if (depth >= maxFallbacks) return;
    let d = depth;
    for (const mg of fbTable.get(group) ?? []) {
      if (mg === group || attempted.has(mg)) continue;
      attempted.add(mg);
      d += 1;
      steps.push({ name: mg, depth: d, from: group, routes: routesOf(mg) });
      walk(mg, d);
    }
  };
  walk(name, 0);
  const listed = new Set<string>();
  const collect = (n: string, seen: Set<string>) => {
    for (const f of fbTable.get(n) ?? []) if (!seen.has(f)) (seen.add(f), listed.add(f), collect(f, seen));
  };
  collect(name, new Set([name]));
  const reached = new Set(steps.map((s) => s.name));
  const mapping = mappings.models[isModel ? name : aliases[name]!];
  return {
    name,
    ...(isModel ? {} : { alias_of: aliases[name]! }),
    ...(mapping?.description ? { description: mapping.description } : {}),
    routes: routesOf(name),
    fallbacks: steps,
    max_fallbacks: maxFallbacks,
    strategy: String(compiled.router_settings.routing_strategy ?? 'simple-shuffle'),
    unreachable: [...listed].filter((n) => !reached.has(n) && n !== name),
  };
}

function routeViews(name: string, providers: ProvidersFile, mappings: MappingsFile, compiled: LiteLLMConfig): RouteView[] {
  const target = Object.hasOwn(mappings.models, name) ? name : (mappings.aliases?.[name] ?? name);
  const mapping = mappings.models[target];
  if (!mapping) return [];
  const deployments = compiled.model_list.filter((m) => m.model_name === name);
  const total = mapping.routes.reduce((s, r) => s + (r.weight ?? 1), 0);
  return mapping.routes.map((r, i) => {
    const p = providers.providers[r.provider]!;
    const weight = r.weight ?? 1;
    return {
      provider: r.provider,
      type: p.type,
      ...(p.base_url ? { base_url: p.base_url } : {}),
      backend_model: r.model ?? target,
      litellm_model: deployments[i]?.litellm_params.model ?? '',
      weight,
      share: Math.round((weight / total) * 1000) / 10,
    };
  });
}

function numberOr(v: unknown, fallback: number): number {
  return typeof v === 'number' && Number.isInteger(v) && v >= 0 ? v : fallback;
}
