// The corpus of malformed and hostile inputs: every case must produce its diagnostic code at its
// exact position, exit non-zero, never crash, and never print a secret from its input.
import path from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { cleanupTempDirs, FIXTURES, listCases, materializeCase } from '../helpers/fixtures.js';

const cases = listCases();
afterAll(cleanupTempDirs);

describe('invalid-input corpus', () => {
  test('holds at least 60 cases', () => {
    expect(cases.length).toBeGreaterThanOrEqual(60);
  });

  test.concurrent.each(cases)('%s', async (name) => {
    const { project, spec } = materializeCase(path.join(FIXTURES, 'invalid', name));
    const json = await runCli(['validate', '--json'], { cwd: project });
    const text = await runCli(['validate'], { cwd: project });

    const report = JSON.parse(json.stdout) as {
      ok: boolean;
      diagnostics: { code: string; severity: string; file: string; line: number; column: number }[];
    };
    const found = report.diagnostics.map((d) => ({ code: d.code, file: path.basename(d.file), line: d.line, column: d.column }));
    for (const e of spec.expect) expect(found).toContainEqual(e);

    // No other errors than the ones the case is about (the generated file is absent in most cases).
    const allowed = new Set([...spec.expect.map((e) => e.code), ...(spec.allow ?? []), 'output-missing']);
    const unexpected = report.diagnostics.filter((d) => d.severity === 'error' && !allowed.has(d.code));
    expect(unexpected).toEqual([]);

    const expectsError = spec.expect.some((e) => report.diagnostics.find((d) => d.code === e.code)?.severity === 'error');
    if (expectsError) {
      expect(json.exitCode).toBe(1);
      expect(report.ok).toBe(false);
    }
    expect(text.exitCode).toBe(json.exitCode);
    for (const e of spec.expect) expect(text.stdout).toContain(`${e.file}:${e.line}:${e.column}`);

    for (const out of [json.stdout, json.stderr, text.stdout, text.stderr]) {
      expect(out).not.toMatch(/at .*\(.*:\d+:\d+\)|internal error/);
      for (const secret of spec.secrets ?? []) expect(out).not.toContain(secret);
    }
  });
});
