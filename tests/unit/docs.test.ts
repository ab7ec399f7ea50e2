// The user documentation that is generated must be what the code says: every diagnostic code has
// a troubleshooting entry with its cause and fix, and SARIF rules carry the same help.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { CODES } from '../../src/config/diagnostics/codes.js';
import { HELP } from '../../src/config/diagnostics/help.js';
import { renderSarif } from '../../src/render/reporters/sarif.js';
import { renderTroubleshooting } from '../../src/render/troubleshooting.js';
import { ROOT } from '../helpers/cli.js';

describe('docs/troubleshooting.md', () => {
  test('is exactly what the code registry renders (run `npm run docs` after changing a code)', () => {
    expect(readFileSync(path.join(ROOT, 'docs/troubleshooting.md'), 'utf8')).toBe(renderTroubleshooting());
  });

  test.each(Object.keys(CODES))('%s has an entry with a cause and a fix', (code) => {
    const help = HELP[code as keyof typeof HELP];
    expect(help?.cause.length).toBeGreaterThan(20);
    expect(help?.fix.length).toBeGreaterThan(10);
    expect(renderTroubleshooting()).toContain(`### ${code}\n`);
  });

  test('every SARIF rule has a full description and help', () => {
    const rules = JSON.parse(renderSarif([])).runs[0].tool.driver.rules as {
      id: string;
      fullDescription: { text: string };
      help: { text: string; markdown: string };
    }[];
    expect(rules.map((r) => r.id).sort()).toEqual(Object.keys(CODES).sort());
    for (const r of rules) {
      expect(r.fullDescription.text.length, r.id).toBeGreaterThan(20);
      expect(r.help.text, r.id).toMatch(/^Fix: /);
    }
  });
});
