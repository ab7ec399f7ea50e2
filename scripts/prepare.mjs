// npm's `prepare`: build dist/ (scripts/build.mjs). Also what makes a git-URL install work (the
// pre-commit framework installs hooks with `npm install -g git+...`): npm prepares the clone with
// an `npm install` that inherits npm_config_prefix, which sends node_modules to that prefix instead
// of the clone, so the build tools are missing there. In that case, and only then, install them
// into the clone itself first.
import { execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(path.join(root, 'package.json'));
const missing = ['esbuild', 'ajv', 'zod', 'yaml'].filter((m) => {
  try {
    require.resolve(m);
    return false;
  } catch {
    return true;
  }
});
if (missing.length) {
  console.error(`aibackend prepare: ${missing.join(', ')} not installed here; installing the build tools into ${root}`);
  const env = Object.fromEntries(
    Object.entries(process.env).filter(([k]) => !/^npm_config_(prefix|global|omit|production|only)$/i.test(k)),
  );
  const npm = process.env.npm_execpath;
  const [cmd, args] = npm ? [process.execPath, [npm]] : ['npm', []];
  execFileSync(cmd, [...args, 'install', '--no-save', '--no-audit', '--no-fund', '--ignore-scripts', '--include=dev', '--prefix', root], {
    cwd: root,
    env,
    stdio: 'inherit',
  });
}
execFileSync(process.execPath, [path.join(root, 'scripts/build.mjs')], { cwd: root, stdio: 'inherit' });
