import * as z from 'zod/mini';
import { ENV_NAME_RE, envRef, httpUrl, nonEmptyString, positiveInt, positiveNumber, PROVIDER_ID_RE, version } from './common.js';

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

/** LiteLLM's MCP transports (litellm.types.mcp.MCPTransport). */
export const MCP_TRANSPORTS = ['http', 'sse', 'stdio'] as const;
/** LiteLLM's MCPAuth values that take one static token; the OAuth and AWS flows need more than a registry entry. */
export const MCP_AUTH_TYPES = ['bearer_token', 'api_key', 'basic', 'authorization', 'token'] as const;

export const mcpServerSchema = z.strictObject({
  transport: z.optional(z.enum(MCP_TRANSPORTS).check(z.describe('http (streamable HTTP, default) | sse | stdio'))),
  url: z.optional(httpUrl.check(z.describe("http and sse: the server's MCP endpoint, e.g. http://127.0.0.1:8765/mcp"))),
  command: z.optional(
    z.array(nonEmptyString).check(z.minLength(1), z.describe('stdio: the argv the gateway runs (no shell); a program on its PATH or an absolute path')),
  ),
  env: z.optional(
    z.record(z.string().check(z.regex(ENV_NAME_RE)), z.string()).check(z.describe('stdio: its environment; secrets only as env:VAR_NAME')),
  ),
  auth: z.optional(
    z.strictObject({
      type: z.enum(MCP_AUTH_TYPES),
      token: envRef,
    }),
  ),
  description: z.optional(z.string()),
  access_groups: z.optional(z.array(nonEmptyString).check(z.describe('LiteLLM MCP access groups that grant this server to keys and teams'))),
  allow_all_keys: z.optional(z.boolean().check(z.describe('true: every virtual key may use it'))),
  timeout_s: z.optional(positiveNumber),
  status: z.optional(z.enum(['active', 'disabled']).check(z.describe('active (default) or disabled'))),
});

export const providersFileSchema = z.strictObject({
  $schema: z.optional(z.string()),
  version,
  providers: z.record(z.string().check(z.regex(PROVIDER_ID_RE)), providerSchema),
  mcp_servers: z.optional(
    z
      .record(z.string().check(z.regex(PROVIDER_ID_RE)), mcpServerSchema)
      .check(z.describe('MCP servers the gateway exposes at /mcp, by id (a-z 0-9 _; no -)')),
  ),
});

export type ProvidersFile = z.infer<typeof providersFileSchema>;
export type Provider = z.infer<typeof providerSchema>;
export type BackendModel = z.infer<typeof backendModelSchema>;
export type McpServer = z.infer<typeof mcpServerSchema>;

/** Active unless disabled. */
export function isActive(entry: { status?: 'active' | 'disabled' | undefined }): boolean {
  return (entry.status ?? 'active') === 'active';
}
