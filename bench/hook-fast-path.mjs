// How long the pre-commit hook adds to a commit that touches nothing under config/, and to one
// that does (target, issue 4: the first well under a second). Real git, a temp repository.
// Usage: node bench/hook-fast-path.mjs [runs]
import { execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync, writeFileSync, appendFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const runs = Number(process.argv[2] ?? 10);
const dir = mkdtempSync(path.join(tmpdir(), 'aibackend-bench-hook-'));
const env = {
  ...process.env,
  GIT_AUTHOR_NAME: 'b',
  GIT_AUTHOR_EMAIL: 'b@example.com',
  GIT_COMMITTER_NAME: 'b',
  GIT_COMMITTER_EMAIL: 'b@example.com',
  LITELLM_MASTER_KEY: 'bench',
  NO_COLOR: '1',
};
const git = (...args) => execFileSync('git', args, { cwd: dir, env, stdio: ['ignore', 'pipe', 'pipe'] });
cpSync(path.join(root, 'config'), path.join(dir, 'config'), { recursive: true });
// The example's gateway.yaml names docker-compose.yml as its runtime file: validate checks it exists.
for (const f of ['docker-compose.yml', 'docker-compose.replicas.yml']) cpSync(path.join(root, f), path.join(dir, f));
git('init', '-q');
git('add', '.');
git('commit', '-qm', 'init');
const time = (fn) => {
  const t = process.hrtime.bigint();
  fn();
  return Number(process.hrtime.bigint() - t) / 1e6;
};
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

function commits(label) {
  const other = [];
  const config = [];
  for (let i = 0; i < runs; i++) {
    writeFileSync(path.join(dir, 'NOTES.md'), `${i}\n`);
    git('add', 'NOTES.md');
    other.push(time(() => git('commit', '-qm', `notes ${i}`)));
    appendFileSync(path.join(dir, 'config/providers.yaml'), `# note ${i}\n`);
    git('add', 'config/providers.yaml');
    config.push(time(() => git('commit', '-qm', `config ${i}`)));
  }
  return { other: median(other), config: median(config) };
}

const bare = commits('no hook');
execFileSync(process.execPath, [path.join(root, 'bin/aibackend.js'), 'hook', 'install'], { cwd: dir, env });
const hooked = commits('hook');
console.log(
  `git commit, no hook:          unrelated ${bare.other.toFixed(0)} ms, config/ change ${bare.config.toFixed(0)} ms (median of ${runs})`,
);
console.log(`git commit, aibackend hook:   unrelated ${hooked.other.toFixed(0)} ms, config/ change ${hooked.config.toFixed(0)} ms`);
console.log(
  `hook cost: unrelated commit +${(hooked.other - bare.other).toFixed(0)} ms (target: well under 1000 ms), config/ commit +${(hooked.config - bare.config).toFixed(0)} ms`,
);
rmSync(dir, { recursive: true, force: true });
