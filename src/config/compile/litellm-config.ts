// The shape of what we emit: the subset of LiteLLM's proxy config that aibackend writes, plus
// whatever passthrough adds. schemas/litellm-config.schema.json is the same contract for ajv.

export interface LiteLLMParams {
  model: string;
  api_base?: string;
  api_key?: string;
  timeout?: number;
  weight?: number;
}

export interface ModelEntry {
  model_name: string;
  litellm_params: LiteLLMParams;
  model_info?: { mode?: 'embedding'; description?: string };
}

/** One entry of LiteLLM's `mcp_servers` (the keys aibackend writes; types/mcp_server config). */
export interface McpServerEntry {
  url?: string;
  command?: string;
  args?: string[];
  env?: Record<string, string>;
  transport?: 'http' | 'sse' | 'stdio';
  description?: string;
  auth_type?: string;
  authentication_token?: string;
  access_groups?: string[];
  allow_all_keys?: boolean;
  timeout?: number;
}

export interface LiteLLMConfig {
  model_list: ModelEntry[];
  router_settings: Record<string, unknown>;
  litellm_settings: Record<string, unknown>;
  general_settings: Record<string, unknown>;
  /** Present only when an MCP server is active, so that configs without any keep their bytes. */
  mcp_servers?: Record<string, McpServerEntry>;
  /** Set by LiteLLM before it loads its callbacks; present only with tracing (the OTel exporter's settings). */
  environment_variables?: Record<string, string>;
}
