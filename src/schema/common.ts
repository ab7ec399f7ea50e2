// Building blocks shared by the source schemas. Patterns are exported so that rules and the
// JSON Schema export use the very same definitions.
import { z } from 'zod';

export const SUPPORTED_VERSIONS = [1] as const;
export const PROVIDER_ID_RE = /^[a-z][a-z0-9_-]*$/;
export const PUBLIC_NAME_RE = /^\S+$/;
export const ENV_REF_RE = /^env:[A-Z_][A-Z0-9_]*$/;
export const HTTP_URL_RE = /^https?:\/\/\S+$/;

export const version = z.literal(1).describe('Format version; only 1 is supported');
export const envRef = z.string().regex(ENV_REF_RE).describe('A secret, only as env:VAR_NAME');
export const httpUrl = z.string().regex(HTTP_URL_RE).describe('http:// or https:// URL, without credentials');
export const positiveInt = z.int().positive();
export const positiveNumber = z.number().positive();
export const nonNegativeInt = z.int().nonnegative();
export const portNumber = z.int().min(1).max(65535);
export const publicName = z.string().regex(PUBLIC_NAME_RE);
