// Turns Zod issues into diagnostics at the right line and column, with our own stable codes and
// messages. Values of secret-bearing keys are never quoted.
import type * as z from 'zod/mini';
import { quote as visible } from '../emit/yaml-writer.js';
import { diag, type Diagnostic } from '../diagnostics/diagnostic.js';
import type { Code } from '../diagnostics/codes.js';
import { ENV_REF_RE, HTTP_URL_RE, PROVIDER_ID_RE, PUBLIC_NAME_RE, SECRET_REF_RE, SUPPORTED_VERSIONS } from '../schema/common.js';
import { suggestOne } from '../../util/suggest.js';
import { positionOf, type PathSegment, type SourceDoc } from './source-doc.js';

export const SECRET_KEYS: ReadonlySet<string> = new Set(['api_key', 'master_key', 'password']);

export function issuesToDiagnostics(source: SourceDoc, schema: z.ZodMiniType, issues: readonly z.core.$ZodIssue[]): Diagnostic[] {
  // A key missing because it was misspelt is one mistake: keep the "unknown key, did you mean"
  // and drop the "missing key" that it explains.
  const misspelt = new Set<string>();
  for (const issue of issues) {
    if (issue.code !== 'unrecognized_keys') continue;
    const known = knownKeys(
      schema,
      issue.path.filter((p): p is PathSegment => typeof p !== 'symbol'),
      source.data,
    );
    for (const k of issue.keys) {
      const s = suggestOne(k, known);
      if (s !== undefined) misspelt.add(JSON.stringify([...issue.path.map(String), s]));
    }
  }
  const out: Diagnostic[] = [];
  for (const issue of issues) {
    const missing =
      (issue.code === 'invalid_type' || issue.code === 'invalid_value' || issue.code === 'invalid_union') &&
      valueAt(
        source.data,
        issue.path.filter((p): p is PathSegment => typeof p !== 'symbol'),
      ) === undefined;
    if (missing && misspelt.has(JSON.stringify(issue.path.map(String)))) continue;
    out.push(...issueToDiagnostics(source, schema, issue));
  }
  return out;
}

function issueToDiagnostics(source: SourceDoc, schema: z.ZodMiniType, issue: z.core.$ZodIssue): Diagnostic[] {
  const path = issue.path.filter((p): p is PathSegment => typeof p !== 'symbol');
  const where = describePath(path);
  const last = path[path.length - 1];
  const value = valueAt(source.data, path);
  const at = (p: readonly PathSegment[] = path, key = false) => positionOf(source, p, key);
  const one = (code: Code, message: string, suggestion?: string, p = path, key = false) => [
    diag(code, 'error', at(p, key), message, suggestion),
  ];

  switch (issue.code) {
    case 'unrecognized_keys': {
      const known = knownKeys(schema, path, source.data);
      return issue.keys.map((k) => {
        const s = suggestOne(k, known);
        const expected = known.length > 0 ? `; expected one of: ${known.join(', ')}` : '';
        return diag(
          'unknown-key',
          'error',
          at([...path, k], true),
          `unknown key '${k}'${where ? ` in ${where}` : ''}${s ? `; did you mean '${s}'?` : expected}`,
          s,
        );
      });
    }
    case 'invalid_type': {
      if (value === undefined) {
        const name = String(last);
        if (path.length === 1 && name === 'version') {
          return one('unsupported-version', `missing 'version'; supported versions: ${SUPPORTED_VERSIONS.join(', ')}`, 'version: 1');
        }
        return one('missing-key', `missing required key '${name}'${path.length > 1 ? ` in ${describePath(path.slice(0, -1))}` : ''}`);
      }
      if (path.length === 1 && last === 'version') return versionIssue(value, one);
      return one('invalid-type', `${where || 'value'} must be ${article(issue.expected)}, found ${typeName(value)}`);
    }
    case 'invalid_value': {
      if (path.length === 1 && last === 'version') return versionIssue(value, one);
      if (value === undefined) {
        return one(
          'missing-key',
          `missing required key '${String(last)}' in ${describePath(path.slice(0, -1))}; expected one of: ${issue.values.map(String).join(', ')}`,
        );
      }
      const options = issue.values.map(String);
      const s = typeof value === 'string' ? suggestOne(value, options) : undefined;
      return one(
        'invalid-value',
        `${where} must be one of: ${options.join(', ')}; found ${quote(value)}${s ? `; did you mean '${s}'?` : ''}`,
        s,
      );
    }
    case 'invalid_union': {
      const opts = (issue as { options?: unknown[] }).options;
      if (Array.isArray(opts)) {
        const options = opts.map(String);
        const s = typeof value === 'string' ? suggestOne(value, options) : undefined;
        if (value === undefined)
          return one(
            'missing-key',
            `missing required key '${String(last)}' in ${describePath(path.slice(0, -1))}; expected one of: ${options.join(', ')}`,
          );
        return one(
          'invalid-value',
          `${where} must be one of: ${options.join(', ')}; found ${quote(value)}${s ? `; did you mean '${s}'?` : ''}`,
          s,
        );
      }
      return one('invalid-type', `${where} has an invalid value`);
    }
    case 'invalid_key': {
      const key = String(last);
      const record = path.length >= 2 ? String(path[path.length - 2]) : '';
      if (record === 'providers') {
        return one(
          'invalid-id',
          `provider id ${visible(key)} is invalid: ids match ${PROVIDER_ID_RE.source} (lowercase letter first, then lowercase letters, digits, '_' or '-')`,
          undefined,
          path,
          true,
        );
      }
      if (record === 'models' || record === 'aliases') {
        return one(
          'invalid-public-name',
          `public name ${visible(key)} is invalid: names may not be empty or contain whitespace or control characters`,
          undefined,
          path,
          true,
        );
      }
      return one('invalid-value', `key '${key}' is not allowed in ${describePath(path.slice(0, -1))}`, undefined, path, true);
    }
    case 'invalid_format': {
      const pattern = (issue as { pattern?: string }).pattern ?? '';
      if (pattern === String(SECRET_REF_RE)) {
        if (typeof value === 'string' && value.startsWith('env:')) {
          return one('invalid-env-ref', `${where} must be env:VAR_NAME with VAR_NAME matching ^[A-Z_][A-Z0-9_]*$`);
        }
        return one(
          'secret-literal',
          `${where} holds a literal secret; write it as env:VAR_NAME (set where the program that needs it runs) or file:PATH (a file that program reads); the value is not shown`,
          'env:VAR_NAME',
        );
      }
      if (pattern === String(ENV_REF_RE) || SECRET_KEYS.has(String(last))) {
        if (typeof value === 'string' && value.startsWith('env:')) {
          return one('invalid-env-ref', `${where} must be env:VAR_NAME with VAR_NAME matching ^[A-Z_][A-Z0-9_]*$`);
        }
        return one(
          'secret-literal',
          `${where} holds a literal secret; write it as env:VAR_NAME and set the variable in the environment (the value is not shown)`,
          'env:VAR_NAME',
        );
      }
      if (pattern === String(HTTP_URL_RE)) return one('invalid-url', `${where} must be an http:// or https:// URL; found ${quote(value)}`);
      if (pattern === String(PUBLIC_NAME_RE))
        return one('invalid-public-name', `${where} must be a public name without whitespace; found ${quote(value)}`);
      return one('invalid-value', `${where} has an invalid format`);
    }
    case 'too_small': {
      if (issue.origin === 'array') {
        return one('out-of-range', `${where} must list at least ${String(issue.minimum)} item${Number(issue.minimum) === 1 ? '' : 's'}`);
      }
      if (issue.origin === 'string') return one('invalid-value', `${where} must not be empty`);
      return one(
        'out-of-range',
        `${where} must be ${issue.inclusive ? 'at least' : 'greater than'} ${String(issue.minimum)}; found ${quote(value)}`,
      );
    }
    case 'too_big':
      return one(
        'out-of-range',
        `${where} must be ${issue.inclusive ? 'at most' : 'less than'} ${String(issue.maximum)}; found ${quote(value)}`,
      );
    default:
      return one('invalid-value', `${where || 'value'}: ${issue.message}`);
  }
}

function versionIssue(value: unknown, one: (c: Code, m: string, s?: string) => Diagnostic[]): Diagnostic[] {
  return one(
    'unsupported-version',
    `unsupported version ${quote(value)}; supported versions: ${SUPPORTED_VERSIONS.join(', ')}`,
    'version: 1',
  );
}

export function describePath(path: readonly PathSegment[]): string {
  let s = '';
  for (const seg of path) s += typeof seg === 'number' ? `[${seg}]` : s === '' ? seg : `.${seg}`;
  return s;
}

export function valueAt(data: unknown, path: readonly PathSegment[]): unknown {
  let v: unknown = data;
  for (const seg of path) {
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Record<string | number, unknown>)[seg];
  }
  return v;
}

function typeName(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'object') return 'a mapping';
  return `${article(typeof v)} (${quote(v)})`;
}

function article(t: string): string {
  if (t === 'object') return 'a mapping';
  if (t === 'array') return 'a list';
  if (t === 'int') return 'an integer';
  return /^[aeiou]/.test(t) ? `an ${t}` : `a ${t}`;
}

/** Quotes a user value for a message, shortened so that a pasted blob cannot flood the output. */
export function quote(v: unknown): string {
  const s = typeof v === 'string' ? v : (JSON.stringify(v) ?? String(v));
  const short = s.length > 60 ? `${s.slice(0, 57)}...` : s;
  return `'${short}'`;
}

type Def = {
  type: string;
  shape?: Record<string, z.ZodMiniType>;
  innerType?: z.ZodMiniType;
  valueType?: z.ZodMiniType;
  element?: z.ZodMiniType;
  options?: z.ZodMiniType[];
  discriminator?: string;
  in?: z.ZodMiniType;
};

/** The keys a strict object accepts at `path`, found by walking the schema alongside the data. */
export function knownKeys(schema: z.ZodMiniType, path: readonly PathSegment[], data: unknown): string[] {
  let s: z.ZodMiniType | undefined = schema;
  let d: unknown = data;
  const unwrap = (x: z.ZodMiniType | undefined, value: unknown): z.ZodMiniType | undefined => {
    for (let i = 0; x && i < 10; i++) {
      const def = (x as unknown as { _zod: { def: Def } })._zod.def;
      if ((def.type === 'optional' || def.type === 'default' || def.type === 'nullable' || def.type === 'prefault') && def.innerType)
        x = def.innerType;
      else if (def.type === 'pipe' && def.in) x = def.in;
      else if (def.type === 'union' && def.options) {
        const disc = def.discriminator;
        const kind = disc && value && typeof value === 'object' ? (value as Record<string, unknown>)[disc] : undefined;
        const match = def.options.find((o) => {
          const sh = (o as unknown as { _zod: { def: Def } })._zod.def.shape;
          const lit = disc && sh?.[disc] ? (sh[disc] as unknown as { _zod: { def: { values?: unknown[] } } })._zod.def.values : undefined;
          return lit?.includes(kind);
        });
        x = match ?? def.options[0];
      } else return x;
    }
    return x;
  };
  for (const seg of path) {
    s = unwrap(s, d);
    if (!s) return [];
    const def = (s as unknown as { _zod: { def: Def } })._zod.def;
    if (def.type === 'object' && def.shape) s = def.shape[String(seg)];
    else if (def.type === 'record') s = def.valueType;
    else if (def.type === 'array') s = def.element;
    else return [];
    d = d && typeof d === 'object' ? (d as Record<string | number, unknown>)[seg] : undefined;
  }
  s = unwrap(s, d);
  const def = s ? (s as unknown as { _zod: { def: Def } })._zod.def : undefined;
  return def?.type === 'object' && def.shape ? Object.keys(def.shape).filter((k) => k !== '$schema') : [];
}
