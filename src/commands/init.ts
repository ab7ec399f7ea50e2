// aibackend init: a starter config/ from templates/, for a new stack. Never overwrites a file.
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { CliError, EXIT } from '../util/errors.js';
import type { InitFlags } from '../cli/specs/config.js';
import { report, type CommandContext } from './shared/context.js';

/** templates/ beside dist/ (the bundle) or beside src/ (tests). */
function templatesDir(): string {
  const here = path.dirname(fileURLToPath(import.meta.url));
  for (const up of ['..', '../..']) {
    const dir = path.resolve(here, up, 'templates/config');
    if (existsSync(dir)) return dir;
  }
  throw new CliError('the templates/ directory of aibackend is missing from this installation');
}

export async function run(ctx: CommandContext, opts: InitFlags): Promise<number> {
  const from = templatesDir();
  const to = ctx.paths.configDir;
  const files = readdirSync(from)
    .filter((f) => f.endsWith('.yaml'))
    .sort();
  const existing = files.filter((f) => existsSync(path.join(to, f)));
  if (existing.length > 0) {
    throw new CliError(`${path.relative(ctx.paths.cwd, to) || to} already holds ${existing.join(', ')}; init never overwrites a file`);
  }
  mkdirSync(to, { recursive: true });
  // Point the editor schema comments at this installation's schemas/.
  const schemas = path.relative(to, path.resolve(from, '../../schemas')).split(path.sep).join('/');
  for (const f of files) {
    const text = readFileSync(path.join(from, f), 'utf8').replace('$schema=../schemas/', `$schema=${schemas}/`);
    writeFileSync(path.join(to, f), text, { flag: 'wx' });
  }
  const shown = path.relative(ctx.paths.cwd, to) || '.';
  const written = files.map((f) => `${shown}/${f}`);
  // The starter gateway.yaml restarts the compose service of docker-compose.yml beside config/.
  const compose = path.join(ctx.paths.projectDir, 'docker-compose.yml');
  if (!existsSync(compose)) {
    writeFileSync(compose, readFileSync(path.resolve(from, '../docker-compose.yml'), 'utf8'), { flag: 'wx' });
    written.push(path.relative(ctx.paths.cwd, compose) || compose);
  }
  report(
    ctx,
    opts.json,
    { ok: true, written },
    `${ctx.out.green('✔')} wrote ${written.join(', ')}\nnext: edit them, then \`aibackend validate\` and \`aibackend generate\``,
  );
  return EXIT.ok;
}
