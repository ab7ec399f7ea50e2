// Two routing models compared as a reviewer reads a routing change: names added, removed or
// renamed (same routing, other name); per name, deployments added and removed (or moved, when
// one replaces one), traffic shares, base_urls of the providers it uses, mode, alias target and
// the fallback order; settings that apply to every name. Pure: data in, data out.
import { routeKey, type NameRouting, type RouteOf, type RoutingModel } from './routing-model.js';

export interface RouteRef {
  provider: string;
  backend_model: string;
  share: number;
}

export interface NameChange {
  name: string;
  /** Set when the name is an alias (after the change, or before when it was removed). */
  alias_of?: { before?: string; after?: string };
  routes_added: RouteRef[];
  routes_removed: RouteRef[];
  /** One deployment replaced by another (provider or backend model changed). */
  moved?: { from: RouteRef; to: RouteRef };
  shares: { route: string; before: number; after: number }[];
  base_urls: { provider: string; before?: string; after?: string }[];
  mode?: { before: string; after: string };
  fallbacks?: { before: string[]; after: string[] };
}

export interface RoutingDiff {
  added: NameRouting[];
  removed: string[];
  renamed: { from: string; to: string }[];
  changed: NameChange[];
  /** Names present on both sides whose routing is the same (however their lines moved). */
  unchanged: number;
  settings: { key: string; before?: string; after?: string }[];
}

const ref = (r: RouteOf): RouteRef => ({ provider: r.provider, backend_model: r.backend_model, share: r.share });

/** What a name does, without its own name: two names with the same signature route alike. */
function signature(n: NameRouting): string {
  return JSON.stringify([n.alias_of ?? null, n.mode, n.routes, n.fallbacks]);
}

export function compareRouting(before: RoutingModel, after: RoutingModel): RoutingDiff {
  const added: NameRouting[] = [];
  const removed: string[] = [];
  const changed: NameChange[] = [];
  let unchanged = 0;
  for (const [name, a] of after.names) {
    const b = before.names.get(name);
    if (!b) {
      added.push(a);
      continue;
    }
    const change = compareName(b, a);
    if (change) changed.push(change);
    else unchanged++;
  }
  for (const name of before.names.keys()) if (!after.names.has(name)) removed.push(name);
  // A removed and an added name that route alike: a rename, said once.
  const renamed: { from: string; to: string }[] = [];
  for (const gone of [...removed]) {
    const sig = signature(before.names.get(gone)!);
    const i = added.findIndex((n) => signature(n) === sig);
    if (i < 0) continue;
    renamed.push({ from: gone, to: added[i]!.name });
    added.splice(i, 1);
    removed.splice(removed.indexOf(gone), 1);
  }
  const settings: RoutingDiff['settings'] = [];
  for (const key of [...new Set([...before.settings.keys(), ...after.settings.keys()])].sort()) {
    const [x, y] = [before.settings.get(key), after.settings.get(key)];
    if (x !== y) settings.push({ key, ...(x !== undefined ? { before: x } : {}), ...(y !== undefined ? { after: y } : {}) });
  }
  return { added, removed, renamed, changed, unchanged, settings };
}

function compareName(b: NameRouting, a: NameRouting): NameChange | undefined {
  const keysB = new Map(b.routes.map((r) => [routeKey(r), r]));
  const keysA = new Map(a.routes.map((r) => [routeKey(r), r]));
  let routes_added = a.routes.filter((r) => !keysB.has(routeKey(r))).map(ref);
  let routes_removed = b.routes.filter((r) => !keysA.has(routeKey(r))).map(ref);
  let moved: NameChange['moved'];
  if (routes_added.length === 1 && routes_removed.length === 1) {
    moved = { from: routes_removed[0]!, to: routes_added[0]! };
    routes_added = [];
    routes_removed = [];
  }
  const shares = a.routes
    .filter((r) => keysB.has(routeKey(r)) && keysB.get(routeKey(r))!.share !== r.share)
    .map((r) => ({ route: routeKey(r), before: keysB.get(routeKey(r))!.share, after: r.share }));
  const urlsB = new Map(b.routes.map((r) => [r.provider, r.base_url]));
  const base_urls = a.routes
    .filter(
      (r, i, all) => all.findIndex((x) => x.provider === r.provider) === i && urlsB.has(r.provider) && urlsB.get(r.provider) !== r.base_url,
    )
    .map((r) => ({
      provider: r.provider,
      ...(urlsB.get(r.provider) !== undefined ? { before: urlsB.get(r.provider)! } : {}),
      ...(r.base_url !== undefined ? { after: r.base_url } : {}),
    }));
  const fallbacksChanged = JSON.stringify(b.fallbacks) !== JSON.stringify(a.fallbacks);
  const aliasChanged = b.alias_of !== a.alias_of;
  const change: NameChange = {
    name: a.name,
    ...(a.alias_of !== undefined || b.alias_of !== undefined
      ? {
          alias_of: {
            ...(b.alias_of !== undefined ? { before: b.alias_of } : {}),
            ...(a.alias_of !== undefined ? { after: a.alias_of } : {}),
          },
        }
      : {}),
    routes_added,
    routes_removed,
    ...(moved ? { moved } : {}),
    shares,
    base_urls,
    ...(b.mode !== a.mode ? { mode: { before: b.mode, after: a.mode } } : {}),
    ...(fallbacksChanged ? { fallbacks: { before: b.fallbacks, after: a.fallbacks } } : {}),
  };
  const any =
    aliasChanged ||
    routes_added.length ||
    routes_removed.length ||
    moved ||
    shares.length ||
    base_urls.length ||
    change.mode ||
    fallbacksChanged;
  return any ? change : undefined;
}

/** True when nothing routes differently. */
export function isEmpty(d: RoutingDiff): boolean {
  return !d.added.length && !d.removed.length && !d.renamed.length && !d.changed.length && !d.settings.length;
}
