// Validate and compile a large generated registry, and twice that size, through the built CLI.
// Targets (issue 2): 100 providers, 10,000 backend models, 10,000 public names, 1,000 aliases
// validate < 2 s and compile < 2 s in < 300 MB; twice the size takes at most 2.3x as long.
// Usage: node bench/large-registry.mjs [runs]
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { makeRegistry } from './make-registry.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const bin = path.join(root, 'bin/aibackend.js');
const runs = Number(process.argv[2] ?? 3);

function run(dir, args) {
  const r = spawnSync(process.execPath, [bin, ...args], {
    cwd: dir,
    env: { ...process.env, NO_COLOR: '1', LITELLM_MASTER_KEY: 'bench', AIBACKEND_STATS: '1' },
    stdio: ['ignore', 'ignore', 'pipe'],
    maxBuffer: 64 * 1024 * 1024,
  });
  const m = /aibackend-stats: ms=([\d.]+) maxrss_kb=(\d+)/.exec(String(r.stderr));
  if (r.status !== 0 || !m) throw new Error(`aibackend ${args.join(' ')} exited ${r.status}: ${String(r.stderr).slice(0, 2000)}`);
  return { ms: Number(m[1]), mb: Number(m[2]) / 1024 };
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const results = {};
for (const scale of [1, 2]) {
  const dir = mkdtempSync(path.join(tmpdir(), `aibackend-bench-${scale}-`));
  try {
    const size = makeRegistry(dir, scale);
    const gen = [];
    const val = [];
    for (let i = 0; i < runs; i++) {
      rmSync(path.join(dir, 'config', 'litellm-unified.yaml'), { force: true });
      gen.push(run(dir, ['generate']));
      val.push(run(dir, ['validate']));
    }
    results[scale] = {
      size,
      compile: median(gen.map((g) => g.ms)),
      validate: median(val.map((v) => v.ms)),
      mb: Math.max(...gen.map((g) => g.mb), ...val.map((v) => v.mb)),
    };
    const r = results[scale];
    console.log(
      `scale ${scale}: ${size.providers} providers, ${size.backendModels} backend models, ${size.names} public names, ${size.aliases} aliases`,
    );
    console.log(`  validate (all checks + staleness)  median ${r.validate.toFixed(0)} ms`);
    console.log(`  generate (validate + compile + write) median ${r.compile.toFixed(0)} ms`);
    console.log(`  peak RSS ${r.mb.toFixed(0)} MB`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
console.log(
  `2x size / 1x size: validate ${(results[2].validate / results[1].validate).toFixed(2)}x, generate ${(results[2].compile / results[1].compile).toFixed(2)}x (target <= 2.3x)`,
);
