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

export interface LiteLLMConfig {
  model_list: ModelEntry[];
  router_settings: Record<string, unknown>;
  litellm_settings: Record<string, unknown>;
  general_settings: Record<string, unknown>;
}
