// The output schemas in schemas/output/, compiled once: a test checks a command's --json object
// against its schema with `expectSchema(name, value)`.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import Ajv2020 from 'ajv/dist/2020.js';
import { expect } from 'vitest';
import { ROOT } from './cli.js';

const ajv = new (Ajv2020 as unknown as typeof import('ajv').default)({ allErrors: true, strict: false });
const validators = Object.fromEntries(
  readdirSync(path.join(ROOT, 'schemas/output')).map((f) => [
    f.replace('.schema.json', ''),
    ajv.compile(JSON.parse(readFileSync(path.join(ROOT, 'schemas/output', f), 'utf8'))),
  ]),
);

export function expectSchema(name: string, value: unknown): void {
  const validate = validators[name];
  if (!validate) throw new Error(`no schemas/output/${name}.schema.json`);
  expect(validate(value), `${name}: ${JSON.stringify(validate.errors)}\n${JSON.stringify(value).slice(0, 2000)}`).toBe(true);
}
