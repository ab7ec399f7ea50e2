// Compiled config to the exact bytes of litellm-unified.yaml: an AUTO-GENERATED header that
// names the tool, the sources and two hashes, then the YAML body. No timestamps, ever.
import type { LiteLLMConfig } from '../compile/litellm-config.js';
import { withHeader } from './provenance.js';
import { writeYaml } from './yaml-writer.js';

/** The header fields and the body of a generated file, or undefined when it has no header. */
export { parseHeader as parseGenerated } from './provenance.js';

export function renderBody(config: LiteLLMConfig): string {
  return writeYaml(config as unknown as Record<string, unknown>);
}

export function renderFile(config: LiteLLMConfig, sources: string[], sourceHash: string): string {
  return withHeader(renderBody(config), { sources, sourceHash });
}
