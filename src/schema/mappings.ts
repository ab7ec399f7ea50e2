import { z } from 'zod';
import { positiveInt, publicName, version } from './common.js';

export const routeSchema = z.strictObject({
  provider: z.string().min(1),
  model: z.string().min(1).optional().describe('Backend model; defaults to the public name'),
  weight: positiveInt.optional().describe('Load-balancing weight (default 1)'),
});

export const mappingSchema = z.strictObject({
  description: z.string().optional(),
  routes: z.array(routeSchema).min(1),
  fallbacks: z.array(publicName).optional().describe('Other public names, tried in order when all routes fail'),
});

export const mappingsFileSchema = z.strictObject({
  $schema: z.string().optional(),
  version,
  models: z.record(publicName, mappingSchema),
  aliases: z.record(publicName, publicName).optional(),
});

export type MappingsFile = z.infer<typeof mappingsFileSchema>;
export type Mapping = z.infer<typeof mappingSchema>;
export type Route = z.infer<typeof routeSchema>;
