import * as z from 'zod/mini';
import { nonEmptyString, positiveInt, publicName, version } from './common.js';

export const routeSchema = z.strictObject({
  provider: nonEmptyString,
  model: z.optional(nonEmptyString.check(z.describe('Backend model; defaults to the public name'))),
  weight: z.optional(positiveInt.check(z.describe('Load-balancing weight (default 1)'))),
});

export const mappingSchema = z.strictObject({
  description: z.optional(z.string()),
  routes: z.array(routeSchema).check(z.minLength(1)),
  fallbacks: z.optional(z.array(publicName).check(z.describe('Other public names, tried in order when all routes fail'))),
});

export const mappingsFileSchema = z.strictObject({
  $schema: z.optional(z.string()),
  version,
  models: z.record(publicName, mappingSchema),
  aliases: z.optional(z.record(publicName, publicName)),
});

export type MappingsFile = z.infer<typeof mappingsFileSchema>;
export type Mapping = z.infer<typeof mappingSchema>;
export type Route = z.infer<typeof routeSchema>;
