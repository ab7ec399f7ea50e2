// Public names and aliases to LiteLLM deployments. An alias is compiled as a copy of its target's
// deployments under its own name, not as model_group_alias: LiteLLM ignores fallbacks for names
// reached through model_group_alias (BerriAI/litellm#10317), and copies keep them.
import type { MappingsFile } from '../schema/mappings.js';
import type { Provider, ProvidersFile } from '../schema/providers.js';
import { byCodePoint } from '../../util/canonical.js';
import { envVarOf } from '../../util/env-ref.js';
import type { LiteLLMParams, ModelEntry } from './litellm-config.js';

/** What an OpenAI-compatible server without authentication gets as its api_key. */
export const NO_KEY = 'no-key-required';

/** LiteLLM's provider prefix for each provider type. */
export function litellm_model(provider: Provider, backend: string, mode: 'chat' | 'embedding'): string {
  switch (provider.type) {
    case 'ollama':
      // ollama_chat speaks /api/chat; embeddings go through the plain ollama provider.
      return mode === 'embedding' ? `ollama/${backend}` : `ollama_chat/${backend}`;
    case 'vllm':
      return `hosted_vllm/${backend}`;
    case 'llama_cpp':
    case 'openai_compatible':
    case 'openai':
      return `openai/${backend}`;
    case 'anthropic':
      return `anthropic/${backend}`;
  }
}

/** env:VAR becomes LiteLLM's os.environ/VAR: the secret is read where the gateway runs. */
export function envToLiteLLM(ref: string): string {
  const variable = envVarOf(ref);
  return variable === undefined ? ref : `os.environ/${variable}`;
}

export function compileModels(providers: ProvidersFile, mappings: MappingsFile): ModelEntry[] {
  const byName = new Map<string, ModelEntry[]>();
  for (const name of Object.keys(mappings.models).sort(byCodePoint)) {
    const mapping = mappings.models[name]!;
    const weighted = mapping.routes.length > 1 && mapping.routes.some((r) => (r.weight ?? 1) !== 1);
    const entries = mapping.routes.map((route): ModelEntry => {
      const provider = providers.providers[route.provider]!;
      const backend = route.model ?? name;
      const mode = provider.models?.find((m) => m.name === backend)?.mode ?? 'chat';
      const params: LiteLLMParams = { model: litellm_model(provider, backend, mode) };
      if (provider.base_url) params.api_base = provider.base_url;
      if (provider.api_key) params.api_key = envToLiteLLM(provider.api_key);
      // LiteLLM's openai client refuses to send a request without some key; local
      // OpenAI-compatible servers (llama.cpp, ...) ignore it. A fixed placeholder, not a secret.
      else if (provider.type === 'llama_cpp' || provider.type === 'openai_compatible') params.api_key = NO_KEY;
      if (provider.timeout_s !== undefined) params.timeout = provider.timeout_s;
      if (weighted) params.weight = route.weight ?? 1;
      const entry: ModelEntry = { model_name: name, litellm_params: params };
      if (mode === 'embedding') entry.model_info = { mode: 'embedding' };
      return entry;
    });
    byName.set(name, entries);
  }
  const aliases = mappings.aliases ?? {};
  for (const alias of Object.keys(aliases).sort(byCodePoint)) {
    const target = byName.get(aliases[alias]!) ?? [];
    byName.set(
      alias,
      target.map((e) => ({ ...e, model_name: alias })),
    );
  }
  return [...byName.keys()].sort(byCodePoint).flatMap((n) => byName.get(n)!);
}

/** Fallbacks in the shape LiteLLM reads: a list of single-key maps. Aliases inherit their target's. */
export function compileFallbacks(mappings: MappingsFile): Record<string, string[]>[] {
  const table = new Map<string, string[]>();
  for (const [name, m] of Object.entries(mappings.models)) if (m.fallbacks?.length) table.set(name, [...m.fallbacks]);
  for (const [alias, target] of Object.entries(mappings.aliases ?? {})) {
    const fb = table.get(target);
    if (fb && !Object.hasOwn(mappings.models, alias)) table.set(alias, [...fb]);
  }
  return [...table.keys()].sort(byCodePoint).map((k) => ({ [k]: table.get(k)! }));
}
