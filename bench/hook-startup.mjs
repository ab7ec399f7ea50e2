// The pre-commit hook on a commit that touches nothing under config/ (`aibackend hook run` with
// only an unrelated file staged) against a bare `node -e 0`, interleaved in the same run.
// Target (issue 13): at most 1.5x node -e 0.   Usage: node bench/hook-startup.mjs [runs]
import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const runs = Number(process.argv[2] ?? 30);
const dir = mkdtempSync(path.join(tmpdir(), 'aibackend-bench-hookrun-'));
const env = {
  ...process.env,
  NO_COLOR: '1',
  LITELLM_MASTER_KEY: 'bench',
  GIT_AUTHOR_NAME: 'b',
  GIT_AUTHOR_EMAIL: 'b@example.com',
  GIT_COMMITTER_NAME: 'b',
  GIT_COMMITTER_EMAIL: 'b@example.com',
};
const git = (...args) => execFileSync('git', args, { cwd: dir, env, stdio: 'ignore' });
cpSync(path.join(root, 'config'), path.join(dir, 'config'), { recursive: true });
// The example's gateway.yaml names docker-compose.yml as its runtime file: validate checks it exists.
for (const f of ['docker-compose.yml', 'docker-compose.replicas.yml']) cpSync(path.join(root, f), path.join(dir, f));
git('init', '-q');
git('add', '.');
git('commit', '-qm', 'init');
writeFileSync(path.join(dir, 'NOTES.md'), 'unrelated\n');
git('add', 'NOTES.md');

function time(args) {
  const t = process.hrtime.bigint();
  const r = spawnSync(process.execPath, args, { cwd: dir, env, stdio: ['ignore', 'ignore', 'pipe'] });
  const ms = Number(process.hrtime.bigint() - t) / 1e6;
  if (r.status !== 0) throw new Error(`${args.join(' ')} exited ${r.status}: ${r.stderr}`);
  return ms;
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const bin = path.join(root, 'bin/aibackend.js');
const bare = [];
const hook = [];
time(['-e', '0']);
time([bin, 'hook', 'run']);
for (let i = 0; i < runs; i++) {
  bare.push(time(['-e', '0']));
  hook.push(time([bin, 'hook', 'run']));
}
const b = median(bare);
const h = median(hook);
console.log(`node -e 0                         median ${b.toFixed(1)} ms (${runs} runs)`);
console.log(`aibackend hook run (no config/)   median ${h.toFixed(1)} ms`);
console.log(`ratio                             ${(h / b).toFixed(2)}x (target <= 1.5x)`);
rmSync(dir, { recursive: true, force: true });
