import { z } from 'zod';
import { portNumber, version } from './common.js';

export const portEntrySchema = z.strictObject({
  port: portNumber,
  required: z.boolean().optional(),
  description: z.string().optional(),
});

export const portsFileSchema = z.strictObject({
  $schema: z.string().optional(),
  version,
  ports: z.record(z.string().min(1), portEntrySchema),
  reserved: z.array(portNumber).optional(),
});

export type PortsFile = z.infer<typeof portsFileSchema>;
