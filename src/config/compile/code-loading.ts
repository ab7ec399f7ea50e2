// Settings that make LiteLLM import Python when it starts. The proxy resolves a dotted path
// ("custom_callbacks.proxy_handler_instance") with get_instance_fn, which imports the module from
// the config file's directory first: a config is then code, with the gateway's environment.
// Built-in names ("prometheus", "otel", "langfuse") have no dot and load nothing of the user's.
// Read from the pinned LiteLLM's proxy_server.py and common_utils/callback_utils.py.

type Section = 'litellm_settings' | 'general_settings' | 'router_settings';

/** Keys whose dotted-path strings (anywhere inside the value) are imported. */
const DOTTED: Record<Section, readonly string[]> = {
  litellm_settings: [
    'callbacks',
    'success_callback',
    'failure_callback',
    'audit_log_callbacks',
    'service_callback',
    'input_callback',
    'post_call_rules',
    'pre_call_rules',
    'custom_provider_map',
    'guardrails',
  ],
  router_settings: ['plugins'],
  general_settings: [],
};

/** Keys whose value is always a Python path to import. */
const ALWAYS: Record<Section, readonly string[]> = {
  litellm_settings: [],
  router_settings: [],
  general_settings: [
    'custom_auth',
    'custom_key_generate',
    'custom_key_update',
    'custom_key_policy',
    'custom_team_metadata_validate',
    'custom_sso',
    'custom_ui_sso_sign_in_handler',
  ],
};

const PYTHON_PATH = /^[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)+$/;

export interface CodeLoad {
  /** Where, from the section: ['litellm_settings', 'callbacks', 1]. */
  path: (string | number)[];
  /** The Python path LiteLLM would import. */
  module: string;
}

type Sections = Partial<Record<Section, Record<string, unknown> | undefined>>;

/** Every place in these settings that loads code, in order. */
export function codeLoads(settings: Sections): CodeLoad[] {
  const out: CodeLoad[] = [];
  for (const section of ['litellm_settings', 'general_settings', 'router_settings'] as const) {
    const values = settings[section];
    if (!values || typeof values !== 'object') continue;
    for (const [key, value] of Object.entries(values)) {
      if (ALWAYS[section].includes(key) && value !== null && value !== undefined && value !== '') {
        out.push({ path: [section, key], module: typeof value === 'string' ? value : JSON.stringify(value) });
      } else if (DOTTED[section].includes(key)) {
        walk(value, [section, key], out, 0);
      }
    }
  }
  return out;
}

function walk(value: unknown, at: (string | number)[], out: CodeLoad[], depth: number): void {
  if (depth > 16) return;
  if (typeof value === 'string') {
    if (PYTHON_PATH.test(value)) out.push({ path: at, module: value });
  } else if (Array.isArray(value)) {
    value.forEach((v, i) => walk(v, [...at, i], out, depth + 1));
  } else if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) walk(v, [...at, k], out, depth + 1);
  }
}

/**
 * A copy of a compiled config without what loads code: the key itself for the always-code keys,
 * the list entry (or the key, when it is not a list) for the others. `validate --deep` loads this.
 */
export function withoutCodeLoads<T extends object>(config: T): { config: T; removed: CodeLoad[] } {
  const copy = structuredClone(config) as Record<string, unknown>;
  const removed = codeLoads(copy as Sections);
  // Deepest and last first, so that removing a list entry does not shift the ones still to remove.
  const order = [...removed].sort(
    (a, b) => b.path.length - a.path.length || String(b.path.at(-1)).localeCompare(String(a.path.at(-1)), undefined, { numeric: true }),
  );
  for (const { path } of order) {
    const [section, key] = path as [string, string];
    const container = copy[section] as Record<string, unknown>;
    if (path.length === 2) {
      delete container[key];
      continue;
    }
    const top = container[key];
    if (Array.isArray(top) && path.length === 3) top.splice(path[2] as number, 1);
    else delete container[key];
  }
  return { config: copy as T, removed };
}
