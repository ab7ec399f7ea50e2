import * as z from 'zod/mini';
import { nonEmptyString, portNumber, version } from './common.js';

export const portEntrySchema = z.strictObject({
  port: portNumber,
  required: z.optional(z.boolean()),
  description: z.optional(z.string()),
});

export const portsFileSchema = z.strictObject({
  $schema: z.optional(z.string()),
  version,
  ports: z.record(nonEmptyString, portEntrySchema),
  reserved: z.optional(z.array(portNumber)),
});

export type PortsFile = z.infer<typeof portsFileSchema>;
