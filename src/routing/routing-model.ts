// What a compiled config does to traffic, per public name and alias: which deployments share it
// (provider, backend model, base_url, share of traffic), the mode, and the effective fallback
// order (explain's walk, through aliases). Two of these are compared by `aibackend diff`; how the
// sources are written (key order, comments, descriptions) is not part of it.
import type { CheckedConfig } from '../config/check-config.js';
import { explainName } from '../config/explain-route.js';

export interface RouteOf {
  provider: string;
  type: string;
  backend_model: string;
  base_url?: string;
  weight: number;
  /** Percent of the name's traffic under simple-shuffle. */
  share: number;
}

export interface NameRouting {
  name: string;
  alias_of?: string;
  mode: string;
  /** Sorted by provider, then backend model: the order routes are written in does not count. */
  routes: RouteOf[];
  /** The names tried after this one fails, in the order the router tries them. */
  fallbacks: string[];
}

export interface RoutingModel {
  names: Map<string, NameRouting>;
  /** Settings that apply to every name, as dotted keys with JSON values (router, cache, timeouts, ...). */
  settings: Map<string, string>;
}

/** A route's identity: which deployment, independent of its weight. */
export function routeKey(r: Pick<RouteOf, 'provider' | 'backend_model'>): string {
  return `${r.provider}/${r.backend_model}`;
}

export function routingModel(checked: CheckedConfig): RoutingModel | undefined {
  const { providers, mappings } = checked.loaded;
  const compiled = checked.compiled?.config;
  if (!providers || !mappings || !compiled) return undefined;
  const names = new Map<string, NameRouting>();
  for (const name of [...Object.keys(mappings.models), ...Object.keys(mappings.aliases ?? {})].sort()) {
    const e = explainName(name, providers, mappings, compiled);
    if (!e) continue;
    const target = e.alias_of ?? name;
    const first = mappings.models[target]?.routes[0];
    const listed = first ? providers.providers[first.provider]?.models?.find((m) => m.name === (first.model ?? target)) : undefined;
    names.set(name, {
      name,
      ...(e.alias_of ? { alias_of: e.alias_of } : {}),
      mode: listed?.mode ?? 'chat',
      routes: e.routes
        .map((r) => ({
          provider: r.provider,
          type: r.type,
          backend_model: r.backend_model,
          ...(r.base_url ? { base_url: r.base_url } : {}),
          weight: r.weight,
          share: r.share,
        }))
        .sort((a, b) => routeKey(a).localeCompare(routeKey(b))),
      fallbacks: e.fallbacks.map((f) => f.name),
    });
  }
  const settings = new Map<string, string>();
  const flatten = (prefix: string, value: unknown) => {
    if (value && typeof value === 'object' && !Array.isArray(value)) {
      for (const [k, v] of Object.entries(value).sort(([a], [b]) => a.localeCompare(b))) flatten(`${prefix}.${k}`, v);
    } else settings.set(prefix, JSON.stringify(value));
  };
  for (const section of ['router_settings', 'litellm_settings', 'general_settings'] as const) {
    for (const [k, v] of Object.entries(compiled[section] ?? {})) {
      // Per-name routing is compared name by name.
      if (section === 'router_settings' && (k === 'fallbacks' || k === 'model_group_alias')) continue;
      flatten(`${section}.${k}`, v);
    }
  }
  return { names, settings };
}
