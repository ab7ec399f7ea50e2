// aibackend discover: the change to providers.yaml that registers what the providers serve but the
// registry lacks, shown as a diff, written with --write (comments and formatting kept).
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { createTwoFilesPatch } from 'diff';
import type { DiscoverFlags } from '../cli/specs/operate.js';
import { discover } from '../operate/discover.js';
import { renderDiff } from '../render/reload-text.js';
import { writeFileAtomic } from '../util/atomic-write.js';
import { EXIT } from '../util/errors.js';
import { print, type CommandContext } from './shared/context.js';
import { stackStatus } from './shared/status.js';

export async function run(ctx: CommandContext, flags: DiscoverFlags): Promise<number> {
  const r = await stackStatus(ctx, flags);
  const file = path.join(ctx.paths.configDir, 'providers.yaml');
  const before = readFileSync(file, 'utf8');
  const found = discover(before, r.report.providers);
  const shown = path.relative(ctx.paths.cwd, file) || file;
  const unreachable = r.report.providers.filter((p) => !p.reachable).map((p) => p.id);
  if (found.additions.length === 0) {
    // Nothing answered: that is not "everything is registered".
    if (r.report.providers.length > 0 && unreachable.length === r.report.providers.length) {
      const message = `no provider could be reached (${unreachable.join(', ')}); nothing was discovered`;
      print(
        flags.json ? ctx.stdout : ctx.stderr,
        flags.json
          ? JSON.stringify({ ok: false, additions: [], written: false, unreachable, message }, null, 2)
          : `${ctx.err.red('✖')} ${message}`,
      );
      return EXIT.failed;
    }
    const note = unreachable.length ? ` (not reached: ${unreachable.join(', ')})` : '';
    print(
      ctx.stdout,
      flags.json
        ? JSON.stringify({ ok: true, additions: [], written: false, unreachable }, null, 2)
        : `${ctx.out.green('✔')} every model the reachable providers serve is registered${note}`,
    );
    return EXIT.ok;
  }
  const patch = createTwoFilesPatch(shown, shown, before, found.text, undefined, undefined, { context: 3 })
    .split('\n')
    .filter((l) => !l.startsWith('====='))
    .join('\n')
    .trimEnd();
  if (flags.write) writeFileAtomic(file, found.text);
  if (flags.json)
    print(
      ctx.stdout,
      JSON.stringify({ ok: true, additions: found.additions, diff: patch, written: Boolean(flags.write), unreachable }, null, 2),
    );
  else {
    print(ctx.stdout, renderDiff(patch, ctx.out));
    print(
      ctx.stdout,
      flags.write
        ? `${ctx.out.green('✔')} registered ${found.additions.reduce((n, a) => n + a.models.length, 0)} model(s) in ${shown}; route to them in model-mappings.yaml, then run \`aibackend generate\``
        : ctx.out.dim('(not written: run with --write to apply)'),
    );
  }
  return EXIT.ok;
}
