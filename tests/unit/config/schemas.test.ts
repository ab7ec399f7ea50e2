// The checked-in JSON Schemas are what editors use; they must be exactly what the Zod source says.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Ajv } from 'ajv';
import { parse } from 'yaml';
import { describe, expect, test } from 'vitest';
import { exportJsonSchemas } from '../../../src/config/schema/json-schema.js';
import { ROOT } from '../../helpers/cli.js';

const exported = exportJsonSchemas();

describe('JSON Schemas', () => {
  test.each(Object.keys(exported))('schemas/%s matches the Zod source (run `npm run schemas` after changing it)', (name) => {
    expect(readFileSync(path.join(ROOT, 'schemas', name), 'utf8')).toBe(exported[name]);
  });

  test.each([
    ['providers.yaml', 'providers.schema.json'],
    ['model-mappings.yaml', 'model-mappings.schema.json'],
    ['gateway.yaml', 'gateway.schema.json'],
    ['ports.yaml', 'ports.schema.json'],
  ])('the example config/%s passes %s and points editors at it', (file, schema) => {
    const text = readFileSync(path.join(ROOT, 'config', file), 'utf8');
    expect(text).toContain(`# yaml-language-server: $schema=../schemas/${schema}`);
    const ajv = new Ajv({ allErrors: true, strict: false });
    const validate = ajv.compile(JSON.parse(exported[schema]!));
    expect(validate(parse(text)), JSON.stringify(validate.errors)).toBe(true);
  });

  test('an unknown key fails the editor schema too', () => {
    const ajv = new Ajv({ allErrors: true, strict: false });
    const validate = ajv.compile(JSON.parse(exported['providers.schema.json']!));
    expect(validate({ version: 1, providers: { a: { type: 'ollama', bse_url: 'http://x' } } })).toBe(false);
  });
});
