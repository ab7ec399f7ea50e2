// Building blocks shared by the source schemas. Patterns are exported so that rules and the
// JSON Schema export use the very same definitions. zod/mini, not classic zod: its functions
// tree-shake, which keeps `aibackend validate` quick to start.
import * as z from 'zod/mini';

export const SUPPORTED_VERSIONS = [1] as const;
export const PROVIDER_ID_RE = /^[a-z][a-z0-9_-]*$/;
// No white space, and no control, format, surrogate or private-use characters (DEL, zero-width
// spaces, ...): LiteLLM's YAML loader refuses some of them, and none can be typed by a client.
export const PUBLIC_NAME_RE = /^[^\s\p{Cc}\p{Cf}\p{Cs}\p{Co}]+$/u;
export const ENV_REF_RE = /^env:[A-Z_][A-Z0-9_]*$/;
/** An environment variable's name, as a key. */
export const ENV_NAME_RE = /^[A-Za-z_][A-Za-z0-9_]*$/;
/** A secret read by another program than the gateway: from the environment or from a file. */
export const SECRET_REF_RE = /^(env:[A-Z_][A-Z0-9_]*|file:\S+)$/;
export const HTTP_URL_RE = /^https?:\/\/\S+$/;

export const version = z.literal(1).check(z.describe('Format version; only 1 is supported'));
export const envRef = z.string().check(z.regex(ENV_REF_RE), z.describe('A secret, only as env:VAR_NAME'));
export const secretRef = z.string().check(z.regex(SECRET_REF_RE), z.describe('A secret, as env:VAR_NAME or file:PATH, never literal'));
export const httpUrl = z.string().check(z.regex(HTTP_URL_RE), z.describe('http:// or https:// URL, without credentials'));
export const positiveInt = z.int().check(z.positive());
export const positiveNumber = z.number().check(z.positive());
export const nonNegativeInt = z.int().check(z.nonnegative());
export const nonNegativeNumber = z.number().check(z.nonnegative());
export const portNumber = z.int().check(z.minimum(1), z.maximum(65535));
export const publicName = z.string().check(z.regex(PUBLIC_NAME_RE));
export const nonEmptyString = z.string().check(z.minLength(1));

/** A string with a description, for editors. */
export function describedString(description: string) {
  return z.string().check(z.minLength(1), z.describe(description));
}
