// The harness of tests/e2e/fuzz-untrusted.test.ts, run as a plain Node process (bundled by the
// test with esbuild): the same functions the CLI calls, in-process, so that 10,000 cases fit a CI
// run. It prints one JSON line, { cases, seed, ms } or { failure }, and exits 0 or 1.
//
// Issue 20: a property-based fuzz of the commands CI runs on untrusted pull requests (validate in
// every format, generate --check, generate). fast-check mutates the example project: bytes, lines,
// hostile YAML (deep, huge, aliases, tags, control characters), environment references, paths
// and symlinks out of the project. For every case: no crash (only the CLI's own known errors), an
// exit code of 0, 1 or 2, no value of a planted environment variable or of a file outside the
// project in any output, nothing written outside the project, and a time bound (a hang detector).
//
// The commands run in-process (the same functions the CLI calls), so that 10,000 cases fit a CI
// run; a smaller sample runs the built CLI as a process. Seeded and replayable:
//   AIBACKEND_FUZZ_SEED=<seed> [AIBACKEND_FUZZ_PATH=<path>] [AIBACKEND_FUZZ_RUNS=<n>] npx vitest run tests/e2e/fuzz-untrusted.test.ts
// `npm run fuzz` runs 50,000 cases from a random seed (printed).
import { lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { Writable } from 'node:stream';
import path from 'node:path';
import { Chalk } from 'chalk';
import fc from 'fast-check';
import type { CommandContext } from '../../src/commands/shared/context.js';
import { run as generate } from '../../src/commands/generate.js';
import { validateAndReport as validate } from '../../src/commands/shared/validation.js';
import { CliError, ExitError, UsageError } from '../../src/util/errors.js';
import { resolvePaths } from '../../src/config/load/paths.js';

// A fixed seed in CI (the same 10,000 cases each run); `npm run fuzz` explores new ones.
const ROOT = process.env.AIBACKEND_ROOT ?? process.cwd();
export const SEED =
  process.env.AIBACKEND_FUZZ_SEED === 'random' ? Date.now() % 2 ** 31 : Number(process.env.AIBACKEND_FUZZ_SEED ?? 20261205);
const RUNS = Number(process.env.AIBACKEND_FUZZ_RUNS ?? 10_000);
const PATH_ = process.env.AIBACKEND_FUZZ_PATH;
/** One case may take this long at most: far above the slowest legitimate case, far below a hang. */
const CASE_MS = 8_000;

const PLANTED = 'zzPLANTEDrunnerSECRETvalue9f8e7d';
const OUTSIDE_CONTENT = 'zzOUTSIDEfileCONTENT4c3b2a';
const ENV: NodeJS.ProcessEnv = {
  PLANTED,
  AWS_SECRET_ACCESS_KEY: PLANTED,
  LITELLM_MASTER_KEY: `sk-${PLANTED}`,
  HOME: '/nonexistent',
  PATH: '/usr/bin:/bin',
};

const FILES = [
  'config/providers.yaml',
  'config/model-mappings.yaml',
  'config/gateway.yaml',
  'config/ports.yaml',
  'config/litellm-unified.yaml',
  'docker-compose.yml',
] as const;
const BASELINE: Record<string, string> = Object.fromEntries(
  FILES.map((f) => [f, readFileSync(path.join(ROOT, f.startsWith('config/') ? f : f), 'utf8')]),
);

// The case's world: root/project (what the PR controls) and root/outside (the runner's files).
const root = mkdtempSync(path.join(tmpdir(), 'aibackend-fuzz-'));
const project = path.join(root, 'project');
const outside = path.join(root, 'outside');
mkdirSync(outside);
writeFileSync(path.join(outside, 'secret.txt'), `${OUTSIDE_CONTENT}\nkey: ${OUTSIDE_CONTENT}\n`);
mkdirSync(path.join(outside, 'dir'));

function outsideSnapshot(): string {
  const walk = (d: string): string[] =>
    readdirSync(d, { withFileTypes: true }).flatMap((e) => {
      const p = path.join(d, e.name);
      const st = lstatSync(p);
      return e.isDirectory() ? [`${p}/`, ...walk(p)] : [`${p} ${st.size} ${st.mtimeMs}`];
    });
  return [...walk(outside), ...readdirSync(root).map((n) => `root:${n}`)].join('\n');
}

function resetProject(): void {
  rmSync(project, { recursive: true, force: true });
  mkdirSync(path.join(project, 'config'), { recursive: true });
  for (const f of FILES) writeFileSync(path.join(project, f), BASELINE[f]!);
}
resetProject();
const OUTSIDE_BEFORE = outsideSnapshot();

// ---- mutations ------------------------------------------------------------------------------

const SNIPPETS = [
  '${PLANTED}',
  '"${AWS_SECRET_ACCESS_KEY:-x}"',
  '$PLANTED',
  'env:PLANTED',
  'os.environ/PLANTED',
  `../outside/secret.txt`,
  '../../outside/secret.txt',
  '/dev/zero',
  '/proc/self/environ',
  ':(glob)**',
  'a: &a [x, x, x, x]\nb: &b [*a, *a, *a, *a]\nc: &c [*b, *b, *b, *b]\nd: [*c, *c, *c, *c]',
  '!!python/object/apply:os.system ["id"]',
  '!!binary aGVsbG8=',
  '\u0000',
  '\u001b[31m',
  '\r\n',
  '\t',
  '\uFEFF',
  '\u202E',
  '{',
  ']',
  '? [a, b]\n: c',
  '<<: *nope',
  'callbacks: ["custom.handler", "prometheus"]',
  'passthrough:\n  litellm_settings:\n    callbacks: [evil.mod]\n  general_settings:\n    custom_auth: evil.auth',
  'output: ../outside/out.yaml',
  'output: config/../../outside/out.yaml',
  'runtime:\n  kind: compose\n  file: ../outside/secret.txt\n  service: litellm',
  'runtime:\n  kind: process\n  command: ["./evil", "--config", "{config}"]\n  validate: ["./evil"]',
  'monitoring:\n  enabled: true\n  dir: ../outside/dir',
  'image: "leak/${PLANTED}"',
  'api_key: sk-proj-abcdefghijklmnopqrstuvwx0123456789',
  'base_url: http://user:pass@127.0.0.1:1/v1',
  '- name: x\n  name: y',
  'version: 999',
  '---\nversion: 1',
];

type Mutation =
  | { kind: 'splice'; file: number; at: number; remove: number; text: string }
  | { kind: 'snippet'; file: number; line: number; snippet: number; indent: number }
  | { kind: 'lines'; file: number; op: 'delete' | 'duplicate' | 'swap'; line: number; other: number }
  | { kind: 'huge'; file: number; line: number; unit: string; count: number }
  | { kind: 'deep'; file: number; line: number; depth: number; open: '[' | '{' }
  | { kind: 'symlink'; file: number; to: 'secret' | 'dir' | 'zero' | 'dangling' | 'self' }
  | { kind: 'replace'; file: number; find: number; by: number };

const fileIx = fc.integer({ min: 0, max: FILES.length - 1 });
const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  {
    weight: 4,
    arbitrary: fc.record({
      kind: fc.constant('splice' as const),
      file: fileIx,
      at: fc.nat(),
      remove: fc.nat({ max: 40 }),
      text: fc.oneof(fc.string({ maxLength: 30 }), fc.string({ unit: 'binary', maxLength: 30 }), fc.constantFrom(...SNIPPETS)),
    }),
  },
  {
    weight: 5,
    arbitrary: fc.record({
      kind: fc.constant('snippet' as const),
      file: fileIx,
      line: fc.nat(),
      snippet: fc.nat({ max: SNIPPETS.length - 1 }),
      indent: fc.constantFrom(0, 2, 4, 6, 8),
    }),
  },
  {
    weight: 3,
    arbitrary: fc.record({
      kind: fc.constant('lines' as const),
      file: fileIx,
      op: fc.constantFrom('delete' as const, 'duplicate' as const, 'swap' as const),
      line: fc.nat(),
      other: fc.nat(),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant('huge' as const),
      file: fileIx,
      line: fc.nat(),
      unit: fc.constantFrom('a.', '-eyJaaaa', 'x://', 'sk-', 'aws_secret_access_key ', '@:', 'a', '\\"'),
      count: fc.integer({ min: 1000, max: 150_000 }),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant('deep' as const),
      file: fileIx,
      line: fc.nat(),
      depth: fc.integer({ min: 10, max: 5000 }),
      open: fc.constantFrom('[' as const, '{' as const),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant('symlink' as const),
      file: fileIx,
      to: fc.constantFrom('secret' as const, 'dir' as const, 'zero' as const, 'dangling' as const, 'self' as const),
    }),
  },
  {
    weight: 3,
    arbitrary: fc.record({ kind: fc.constant('replace' as const), file: fileIx, find: fc.nat(), by: fc.nat({ max: SNIPPETS.length - 1 }) }),
  },
);

function apply(m: Mutation): void {
  const rel = FILES[m.file]!;
  const file = path.join(project, rel);
  if (m.kind === 'symlink') {
    rmSync(file, { force: true });
    const target = {
      secret: path.join(outside, 'secret.txt'),
      dir: path.join(outside, 'dir'),
      zero: '/dev/zero',
      dangling: path.join(outside, 'made-by-aibackend.yaml'),
      self: file,
    }[m.to];
    symlinkSync(target, file);
    return;
  }
  let text: string;
  try {
    if (lstatSync(file).isSymbolicLink()) return;
    text = readFileSync(file, 'utf8');
  } catch {
    return;
  }
  const lines = text.split('\n');
  const pick = (n: number) => (lines.length ? n % lines.length : 0);
  switch (m.kind) {
    case 'splice': {
      const at = text.length ? m.at % text.length : 0;
      text = text.slice(0, at) + m.text + text.slice(at + m.remove);
      break;
    }
    case 'snippet': {
      const pad = ' '.repeat(m.indent);
      lines.splice(pick(m.line), 0, ...SNIPPETS[m.snippet]!.split('\n').map((l) => pad + l));
      text = lines.join('\n');
      break;
    }
    case 'lines': {
      const i = pick(m.line);
      const j = pick(m.other);
      if (m.op === 'delete') lines.splice(i, 1);
      else if (m.op === 'duplicate') lines.splice(i, 0, lines[i] ?? '');
      else [lines[i], lines[j]] = [lines[j] ?? '', lines[i] ?? ''];
      text = lines.join('\n');
      break;
    }
    case 'huge':
      lines.splice(pick(m.line), 0, `# ${m.unit.repeat(m.count)}`, `x${m.line}: "${m.unit.repeat(Math.min(m.count, 20_000))}"`);
      text = lines.join('\n');
      break;
    case 'deep':
      lines.splice(pick(m.line), 0, `deep${m.line}: ${m.open.repeat(m.depth)}${m.open === '[' ? ']' : '}'.repeat(1)}`);
      text = lines.join('\n');
      break;
    case 'replace': {
      // A value of the file replaced by a hostile one: keys keep their place, values go wrong.
      const values = [...text.matchAll(/: ([^\n]+)/g)];
      if (values.length === 0) return;
      const v = values[m.find % values.length]!;
      const snippet = SNIPPETS[m.by]!.split('\n')[0]!;
      text = text.slice(0, v.index + 2) + snippet + text.slice(v.index + 2 + v[1]!.length);
      break;
    }
  }
  writeFileSync(file, text);
}

// ---- running the commands in-process -------------------------------------------------------------

class Sink extends Writable {
  text = '';
  isTTY = false;
  override _write(chunk: Buffer, _enc: string, done: () => void): void {
    this.text += chunk.toString();
    done();
  }
}

const plain = new Chalk({ level: 0 });

type Command = { name: string; run: (ctx: CommandContext) => Promise<number> };
const COMMANDS: Command[] = [
  { name: 'validate', run: (ctx) => validate(ctx, { format: 'text' }) },
  { name: 'validate --json', run: (ctx) => validate(ctx, { json: true, format: 'text' }) },
  { name: 'validate --format sarif', run: (ctx) => validate(ctx, { format: 'sarif' }) },
  { name: 'validate --format github', run: (ctx) => validate(ctx, { format: 'github' }) },
  { name: 'validate --strict', run: (ctx) => validate(ctx, { strict: true, requireOutput: true, format: 'text' }) },
  { name: 'generate --check', run: (ctx) => generate(ctx, { check: true }) },
  { name: 'generate --check --json', run: (ctx) => generate(ctx, { check: true, json: true }) },
  { name: 'generate', run: (ctx) => generate(ctx, {}) },
];

async function runInProcess(cmd: Command): Promise<{ code: number; out: string }> {
  const stdout = new Sink();
  const stderr = new Sink();
  const ctx: CommandContext = {
    paths: resolvePaths('config', project),
    env: ENV,
    stdout: stdout as unknown as NodeJS.WriteStream,
    stderr: stderr as unknown as NodeJS.WriteStream,
    out: plain,
    err: plain,
  };
  let code: number;
  try {
    code = await cmd.run(ctx);
  } catch (err) {
    // The CLI entry exits with an ExitError's code (the command has printed), prints a CliError as
    // one line and exits 1 or 2; anything else is a crash.
    if (err instanceof ExitError) code = err.exitCode;
    else {
      if (!(err instanceof CliError)) throw err;
      code = err instanceof UsageError ? 2 : 1;
      stderr.text += (err as Error).message;
    }
  }
  return { code, out: stdout.text + stderr.text };
}

function assertClean(out: string, what: string): void {
  if (out.includes(PLANTED)) throw new Error(`${what}: printed the planted environment value`);
  if (out.includes(OUTSIDE_CONTENT)) throw new Error(`${what}: printed the content of a file outside the project`);
  if (/\n\s+at .*:\d+:\d+\)?\n/.test(out) || /internal error/i.test(out))
    throw new Error(`${what}: printed a stack trace or an internal error`);
}

let cases = 0;

async function main(): Promise<void> {
  const commandIx = fc.integer({ min: 0, max: COMMANDS.length - 1 });
  const property = fc.asyncProperty(fc.array(mutation, { minLength: 1, maxLength: 3 }), commandIx, async (mutations, c) => {
    cases++;
    // A case that kills the process (out of memory) leaves no report: this file names it.
    if (process.env.AIBACKEND_FUZZ_TRACE)
      writeFileSync(process.env.AIBACKEND_FUZZ_TRACE, JSON.stringify({ seed: SEED, case: cases, mutations, command: c }));
    resetProject();
    for (const m of mutations) apply(m);
    const cmd = COMMANDS[c]!;
    const t0 = performance.now();
    const { code, out } = await runInProcess(cmd);
    const ms = performance.now() - t0;
    if (![0, 1, 2].includes(code)) throw new Error(`${cmd.name}: exit ${code}`);
    assertClean(out, cmd.name);
    if (ms > CASE_MS) throw new Error(`${cmd.name}: took ${Math.round(ms)} ms`);
    if (outsideSnapshot() !== OUTSIDE_BEFORE) throw new Error(`${cmd.name}: something outside the project changed`);
  });
  const started = performance.now();
  const details = await fc.check(property, { seed: SEED, numRuns: RUNS, ...(PATH_ ? { path: PATH_ } : {}), endOnFailure: true });
  rmSync(root, { recursive: true, force: true });
  if (details.failed) {
    const failure = fc.defaultReportMessage(details) ?? 'failed';
    process.stdout.write(`${JSON.stringify({ failure, seed: SEED, cases })}\n`);
    process.exitCode = 1;
    return;
  }
  process.stdout.write(`${JSON.stringify({ cases, seed: SEED, ms: Math.round(performance.now() - started) })}\n`);
}

await main();
