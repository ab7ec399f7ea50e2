// Validated sources to a LiteLLM proxy config: a pure function, no I/O.
import type { GatewayFile } from '../schema/gateway.js';
import type { MappingsFile } from '../schema/mappings.js';
import type { ProvidersFile } from '../schema/providers.js';
import { compileMcpServers } from './compile-mcp.js';
import { compileFallbacks, compileModels } from './compile-models.js';
import { compileEnvironment, compileGeneralSettings, compileLiteLLMSettings, compileRouterSettings } from './compile-settings.js';
import type { LiteLLMConfig } from './litellm-config.js';

export interface CompileInput {
  providers: ProvidersFile;
  mappings: MappingsFile;
  gateway: GatewayFile;
}

export function compile(input: CompileInput): LiteLLMConfig {
  const mcp = compileMcpServers(input.providers);
  const environment = compileEnvironment(input.gateway);
  return {
    model_list: compileModels(input.providers, input.mappings),
    router_settings: compileRouterSettings(input.gateway, compileFallbacks(input.mappings)),
    litellm_settings: compileLiteLLMSettings(input.gateway),
    general_settings: compileGeneralSettings(input.gateway),
    ...(mcp ? { mcp_servers: mcp } : {}),
    ...(environment ? { environment_variables: environment } : {}),
  };
}

/** Every name a client can put in "model": public names and aliases, sorted. */
export function servedNames(mappings: MappingsFile): string[] {
  return [...new Set([...Object.keys(mappings.models), ...Object.keys(mappings.aliases ?? {})])].sort();
}
