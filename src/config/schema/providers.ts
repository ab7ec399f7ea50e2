import * as z from 'zod/mini';
import { envRef, httpUrl, nonEmptyString, positiveInt, positiveNumber, PROVIDER_ID_RE, version } from './common.js';

export const PROVIDER_TYPES = ['ollama', 'llama_cpp', 'vllm', 'openai_compatible', 'openai', 'anthropic'] as const;
/** Types that talk to a well-known hosted API and so need no base_url. */
export const HOSTED_TYPES: ReadonlySet<string> = new Set(['openai', 'anthropic']);

export const backendModelSchema = z.strictObject({
  name: nonEmptyString.check(z.describe('Backend model id, exactly as the provider knows it')),
  context_window: z.optional(positiveInt),
  capabilities: z.optional(z.array(z.string())),
  mode: z.optional(z.enum(['chat', 'embedding']).check(z.describe('chat (default) or embedding'))),
  description: z.optional(z.string()),
});

export const providerSchema = z.strictObject({
  type: z.enum(PROVIDER_TYPES),
  base_url: z.optional(httpUrl),
  status: z.optional(z.enum(['active', 'disabled']).check(z.describe('active (default) or disabled'))),
  description: z.optional(z.string()),
  api_key: z.optional(envRef),
  timeout_s: z.optional(positiveNumber),
  metrics: z.optional(
    z
      .union([z.literal(false), z.string().check(z.regex(/^\/\S*$/))])
      .check(
        z.describe(
          "where it exposes Prometheus metrics: a path on its base URL's host and port (e.g. /metrics), or false; default: vllm /metrics, the others none",
        ),
      ),
  ),
  models: z.optional(z.array(backendModelSchema)),
});

export const providersFileSchema = z.strictObject({
  $schema: z.optional(z.string()),
  version,
  providers: z.record(z.string().check(z.regex(PROVIDER_ID_RE)), providerSchema),
});

export type ProvidersFile = z.infer<typeof providersFileSchema>;
export type Provider = z.infer<typeof providerSchema>;
export type BackendModel = z.infer<typeof backendModelSchema>;
