// Issue 20: a property-based fuzz (fast-check) of the commands CI runs on untrusted pull requests.
// The cases and their checks live in tests/fuzz/untrusted.ts: it mutates the example project
// (bytes, lines, hostile YAML, environment references, paths and symlinks out of the project) and
// runs validate in every format, generate --check and generate on each case, asserting no crash,
// exit 0/1/2, no planted environment value or outside file's content in any output, nothing
// written outside the project, and a time bound.
//
// It runs as a plain Node process, bundled here with esbuild from the TypeScript sources: 10,000
// in-process cases inside a vitest worker ended in a V8 "RegExpCompiler Allocation failed" abort
// at case 9,109 of one seed that neither a plain Node process running the same cases nor the CLI
// reproduces, so the worker is not where they run. A smaller sample runs the built CLI here.
//
// Seeded and replayable: AIBACKEND_FUZZ_SEED=<seed|random> AIBACKEND_FUZZ_RUNS=<n> [AIBACKEND_FUZZ_PATH=<path>].
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { build } from 'esbuild';
import { execa } from 'execa';
import fc from 'fast-check';
import { afterAll, describe, expect, test } from 'vitest';
import { ROOT, runCli } from '../helpers/cli.js';
import { cleanupTempDirs, tempDir } from '../helpers/fixtures.js';

afterAll(cleanupTempDirs);

const RUNS = Number(process.env.AIBACKEND_FUZZ_RUNS ?? 10_000);

describe('fuzz: untrusted config in CI', () => {
  test(`${RUNS} seeded cases: no crash, exit 0/1/2, no planted value, nothing written outside, bounded time`, async () => {
    const dir = tempDir('aibackend-fuzz-build-');
    const harness = path.join(dir, 'untrusted.mjs');
    await build({
      entryPoints: [path.join(ROOT, 'tests/fuzz/untrusted.ts')],
      bundle: true,
      platform: 'node',
      format: 'esm',
      target: 'node20',
      outfile: harness,
      logLevel: 'error',
      // CommonJS dependencies (yaml) require node built-ins.
      banner: { js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);" },
    });
    const trace = path.join(dir, 'trace.json');
    const r = await execa(process.execPath, [harness], {
      cwd: ROOT,
      reject: false,
      env: { AIBACKEND_ROOT: ROOT, AIBACKEND_FUZZ_RUNS: String(RUNS), AIBACKEND_FUZZ_TRACE: trace },
      timeout: 1_500_000,
    });
    const last = String(r.stdout).trim().split('\n').at(-1) ?? '';
    let summary: { cases?: number; seed?: number; ms?: number; failure?: string } = {};
    try {
      summary = JSON.parse(last);
    } catch {
      // The process died without a summary: the trace names the case it was running.
      let running = '';
      try {
        running = readFileSync(trace, 'utf8');
      } catch {
        // none
      }
      throw new Error(
        `the fuzz harness died (exit ${r.exitCode}, ${r.signal ?? 'no signal'}) during ${running}\n${String(r.stderr).slice(-2000)}`,
      );
    }
    expect(summary.failure, summary.failure).toBeUndefined();
    expect(r.exitCode).toBe(0);
    expect(summary.cases).toBeGreaterThanOrEqual(RUNS);
    console.log(`fuzz: ${summary.cases} cases (seed ${summary.seed}) in ${Math.round((summary.ms ?? 0) / 1000)} s`);
    rmSync(dir, { recursive: true, force: true });
  }, 1_600_000);

  test('a sample as the built CLI process: exit 0/1/2, no stack trace, no planted value, nothing written outside', async () => {
    const PLANTED = 'zzPLANTEDrunnerSECRETvalue9f8e7d';
    const root = tempDir('aibackend-fuzz-cli-');
    const project = path.join(root, 'project');
    const outside = path.join(root, 'secret.txt');
    writeFileSync(outside, `${PLANTED}\n`);
    const files = [
      'config/providers.yaml',
      'config/model-mappings.yaml',
      'config/gateway.yaml',
      'config/ports.yaml',
      'config/litellm-unified.yaml',
      'docker-compose.yml',
    ];
    const reset = async () => {
      const { mkdirSync } = await import('node:fs');
      rmSync(project, { recursive: true, force: true });
      mkdirSync(path.join(project, 'config'), { recursive: true });
      for (const f of files) writeFileSync(path.join(project, f), readFileSync(path.join(ROOT, f)));
    };
    const hostile = [
      '${PLANTED}',
      'image: "x/${PLANTED}"',
      'output: ../secret.txt',
      '  file: ../secret.txt',
      '{',
      '\u0000',
      'a: *nope',
      '[[[[[[[[[[',
    ];
    const commands = [
      ['validate'],
      ['validate', '--json'],
      ['validate', '--format', 'sarif'],
      ['generate', '--check', '--json'],
      ['generate'],
    ];
    let n = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 0, max: files.length - 1 }),
        fc.nat(),
        fc.integer({ min: 0, max: hostile.length - 1 }),
        fc.boolean(),
        fc.integer({ min: 0, max: commands.length - 1 }),
        async (f, line, h, link, c) => {
          n++;
          await reset();
          const file = path.join(project, files[f]!);
          if (link) {
            rmSync(file);
            const { symlinkSync } = await import('node:fs');
            symlinkSync(outside, file);
          } else {
            const lines = readFileSync(file, 'utf8').split('\n');
            lines.splice(line % lines.length, 0, hostile[h]!);
            writeFileSync(file, lines.join('\n'));
          }
          const r = await runCli(commands[c]!, { cwd: project, env: { PLANTED, AWS_SECRET_ACCESS_KEY: PLANTED }, timeout: 30_000 });
          const out = r.stdout + r.stderr;
          if (![0, 1, 2].includes(r.exitCode)) throw new Error(`${commands[c]!.join(' ')}: exit ${r.exitCode}\n${r.stderr}`);
          if (out.includes(PLANTED)) throw new Error(`${commands[c]!.join(' ')}: printed the planted value`);
          if (/\n\s+at .*:\d+:\d+\)?\n|internal error/i.test(out)) throw new Error(`${commands[c]!.join(' ')}: a stack trace`);
          if (readFileSync(outside, 'utf8') !== `${PLANTED}\n`) throw new Error('the file outside the project changed');
        },
      ),
      { seed: 20261205, numRuns: 40, endOnFailure: true },
    );
    expect(n).toBe(40);
  }, 600_000);
});
