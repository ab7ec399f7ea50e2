// ajv's check of the compiled config against schemas/litellm-config.schema.json. The validator
// is generated at build time (ajv standalone), so no schema is compiled when the CLI runs.
import type { LiteLLMConfig } from '../compile/litellm-config.js';
import validate from '../../generated/validate-litellm-config.js';

/** Problems as "instancePath: message", empty when the config matches the schema. */
export function verifyLiteLLMConfig(config: LiteLLMConfig): string[] {
  if (validate(config)) return [];
  return (validate.errors ?? []).map((e) => `${e.instancePath || '/'}: ${e.message ?? 'invalid'}`);
}
