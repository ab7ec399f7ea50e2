// One routing comparison, as `aibackend diff` and `hook run --diff` both report it: the compiled
// config of the sources at a revision (or nothing, when there is none or it does not compile)
// against a routing model the caller compiled (the working tree, or the staged change).
import type { ConfigPaths } from '../config/load/paths.js';
import { checkAtRevision } from './at-revision.js';
import { compareRouting, isEmpty, type RoutingDiff } from './compare-routing.js';
import { routingModel, type RoutingModel } from './routing-model.js';

export interface RoutingReport {
  ok: boolean;
  base: { rev: string; commit?: string; sources: boolean; valid: boolean; errors?: number; note?: string };
  head: string;
  changes: RoutingDiff;
  /** True when nothing routes differently. */
  unchanged_routing: boolean;
}

const EMPTY: RoutingModel = { names: new Map(), settings: new Map() };

export async function compareWithRevision(o: {
  root: string;
  rev: string;
  commit?: string;
  note?: string;
  paths: ConfigPaths;
  env: NodeJS.ProcessEnv;
  after: RoutingModel;
  head: string;
}): Promise<RoutingReport> {
  const at = o.commit ? await checkAtRevision(o.root, o.commit, o.paths, o.env) : { exists: false, symlinks: [] };
  const before = at.exists && at.checked ? routingModel(at.checked) : undefined;
  const changes = compareRouting(before ?? EMPTY, o.after);
  const note = at.symlinks.length ? `left out, stored as symlinks at ${o.rev}: ${at.symlinks.join(', ')}` : o.note;
  return {
    ok: true,
    base: {
      rev: o.rev,
      ...(o.commit ? { commit: o.commit } : {}),
      sources: at.exists,
      valid: !at.exists || before !== undefined,
      ...(at.exists && !before ? { errors: at.checked?.errors ?? 0 } : {}),
      ...(note ? { note } : {}),
    },
    head: o.head,
    changes,
    unchanged_routing: isEmpty(changes),
  };
}
