// JSON Schemas for editors (yaml-language-server), exported from the Zod schemas so that the
// two can never disagree; tests/schemas.test.ts fails when the checked-in files drift.
import * as z from 'zod/mini';
import { gatewayFileSchema } from './gateway.js';
import { mappingsFileSchema } from './mappings.js';
import { portsFileSchema } from './ports.js';
import { providersFileSchema } from './providers.js';

const FILES = {
  'providers.schema.json': { schema: providersFileSchema, title: 'aibackend provider registry (config/providers.yaml)' },
  'model-mappings.schema.json': { schema: mappingsFileSchema, title: 'aibackend model routing (config/model-mappings.yaml)' },
  'gateway.schema.json': { schema: gatewayFileSchema, title: 'aibackend gateway settings (config/gateway.yaml)' },
  'ports.schema.json': { schema: portsFileSchema, title: 'aibackend port registry (config/ports.yaml)' },
} as const;

/** File name to JSON text, exactly as checked in under schemas/. */
export function exportJsonSchemas(): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, { schema, title }] of Object.entries(FILES)) {
    const json = z.toJSONSchema(schema, { target: 'draft-7', io: 'input', unrepresentable: 'any' }) as Record<string, unknown>;
    const { $schema, ...rest } = json;
    out[name] = `${JSON.stringify({ $schema, $id: `https://aibackend.dev/schemas/${name}`, title, ...rest }, null, 2)}\n`;
  }
  return out;
}
