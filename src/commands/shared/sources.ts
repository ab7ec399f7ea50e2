// The sources the commands that look at the live stack need: providers.yaml and gateway.yaml must
// load; the routes come from model-mappings.yaml when a command asks what a name should reach.
import { routeMap, type RouteMap } from '../../config/route-map.js';
import { loadConfig, type LoadedConfig } from '../../config/load/load-config.js';
import type { GatewayFile } from '../../config/schema/gateway.js';
import type { ProvidersFile } from '../../config/schema/providers.js';
import { unsetKeyVariable } from '../../client/gateway-errors.js';
import { formatDiagnostics } from '../../render/format-diagnostics.js';
import { sourceLines } from '../../render/source-lines.js';
import { envValue } from '../../util/env-ref.js';
import { CliError } from '../../util/errors.js';
import { fail, print, type CommandContext } from './context.js';

export type StackSources = LoadedConfig & { providers: ProvidersFile; gateway: GatewayFile };

/** The loaded sources, or the findings that make them unusable for probing the stack (the command ends). */
export function stackSources(ctx: CommandContext, json: boolean | undefined): StackSources {
  const loaded = loadConfig(ctx.paths);
  const fatal = loaded.diagnostics.filter((d) => d.severity === 'error');
  if (!loaded.providers || !loaded.gateway || fatal.some((d) => d.file.endsWith('providers.yaml') || d.file.endsWith('gateway.yaml'))) {
    if (!json) print(ctx.stderr, formatDiagnostics(fatal, sourceLines(loaded, {}, fatal), ctx.err));
    fail(ctx, json, 'providers.yaml and gateway.yaml must load to probe the stack', fatal);
  }
  return loaded as StackSources;
}

/** What a request through the gateway needs: its settings, what each name should reach, and the master key. */
export interface LiveGateway {
  gateway: GatewayFile;
  providers: ProvidersFile;
  map: RouteMap;
  key: string | undefined;
}

export function liveGateway(ctx: CommandContext, json: boolean | undefined): LiveGateway {
  const loaded = stackSources(ctx, json);
  if (!loaded.mappings) throw new CliError('model-mappings.yaml must load: it says what each name should reach');
  const key = envValue(loaded.gateway.gateway.master_key, ctx.env);
  // An unset key variable would make every request fail (HTTP 500 or 401) and look like every provider's fault.
  const unset = unsetKeyVariable(loaded.gateway.gateway.master_key, key);
  if (unset) throw unset;
  return { gateway: loaded.gateway, providers: loaded.providers, map: routeMap(loaded.providers, loaded.mappings), key };
}

/** What reading the gateway's request records needs: its settings, the routes, and the aliases (an alias's requests carry its target's name). */
export function recordSources(
  ctx: CommandContext,
  json: boolean | undefined,
): { gateway: GatewayFile; map: RouteMap; aliases: Record<string, string> } {
  const loaded = stackSources(ctx, json);
  if (!loaded.mappings) throw new CliError('model-mappings.yaml must load: it says which provider each attempt reached');
  return { gateway: loaded.gateway, map: routeMap(loaded.providers, loaded.mappings), aliases: { ...(loaded.mappings.aliases ?? {}) } };
}
