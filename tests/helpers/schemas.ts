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

/** A command run with --json: its object, checked against the command's output schema, and its exit code. */
export async function jsonOf(
  run: (...args: string[]) => Promise<{ stdout: string; stderr: string; exitCode?: number }>,
  schema: string,
  ...args: string[]
): Promise<{ code: number | undefined; out: Record<string, any>; stderr: string }> {
  const r = await run(...args, '--json');
  let out: Record<string, any>;
  try {
    out = JSON.parse(r.stdout) as Record<string, any>;
  } catch {
    throw new Error(`${args.join(' ')}: no JSON (exit ${r.exitCode}): ${r.stdout}\n${r.stderr}`);
  }
  expectSchema(schema, out);
  return { code: r.exitCode, out, stderr: r.stderr };
}
