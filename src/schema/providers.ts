import { z } from 'zod';
import { envRef, httpUrl, positiveInt, positiveNumber, PROVIDER_ID_RE, version } from './common.js';

export const PROVIDER_TYPES = ['ollama', 'llama_cpp', 'vllm', 'openai_compatible', 'openai', 'anthropic'] as const;
/** Types that talk to a well-known hosted API and so need no base_url. */
export const HOSTED_TYPES: ReadonlySet<string> = new Set(['openai', 'anthropic']);

export const backendModelSchema = z.strictObject({
  name: z.string().min(1).describe('Backend model id, exactly as the provider knows it'),
  context_window: positiveInt.optional(),
  capabilities: z.array(z.string()).optional(),
  mode: z.enum(['chat', 'embedding']).optional().describe('chat (default) or embedding'),
  description: z.string().optional(),
});

export const providerSchema = z.strictObject({
  type: z.enum(PROVIDER_TYPES),
  base_url: httpUrl.optional(),
  status: z.enum(['active', 'disabled']).optional().describe('active (default) or disabled'),
  description: z.string().optional(),
  api_key: envRef.optional(),
  timeout_s: positiveNumber.optional(),
  models: z.array(backendModelSchema).optional(),
});

export const providersFileSchema = z.strictObject({
  $schema: z.string().optional(),
  version,
  providers: z.record(z.string().regex(PROVIDER_ID_RE), providerSchema),
});

export type ProvidersFile = z.infer<typeof providersFileSchema>;
export type Provider = z.infer<typeof providerSchema>;
export type BackendModel = z.infer<typeof backendModelSchema>;
