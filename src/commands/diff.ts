// aibackend diff: what a change does to routing, per public name and alias. The sources at a git
// revision (--base; by default HEAD when the working tree's sources differ from it, else the
// merge base with the default branch) against the working tree's, both compiled by the pipeline
// every command shares. Reads git's object store only; executes nothing.
import { checkConfig } from '../config/check-config.js';
import { EXIT, UsageError } from '../util/errors.js';
import { defaultBranch, mergeBase, repoRoot, resolveCommit } from '../git/git.js';
import { sourcesDiffer } from '../routing/at-revision.js';
import { routingModel } from '../routing/routing-model.js';
import { compareWithRevision } from '../routing/routing-report.js';
import type { DiffFlags } from '../cli/specs/config.js';
import { fail, print, type CommandContext } from './shared/context.js';
import { reportDiagnostics } from './shared/diagnostics.js';

export async function run(ctx: CommandContext, opts: DiffFlags): Promise<number> {
  const format = opts.json ? 'json' : opts.format;
  let root: string;
  try {
    root = await repoRoot(ctx.paths.projectDir);
  } catch (err) {
    throw new UsageError(`diff compares with a git revision: ${(err as Error).message}`);
  }
  const head = checkConfig(ctx.paths, { env: ctx.env, unsetEnvSeverity: 'warning' });
  const after = routingModel(head);
  if (!after) {
    if (format !== 'json') reportDiagnostics(ctx, head);
    fail(
      ctx,
      format === 'json',
      "cannot compare routing: the working tree's config has errors",
      head.diagnostics.filter((d) => d.severity === 'error'),
    );
  }
  const base = await chooseBase(root, ctx, opts.base);
  const report = await compareWithRevision({ root, ...base, paths: ctx.paths, env: ctx.env, after, head: 'working tree' });
  if (format === 'json') print(ctx.stdout, JSON.stringify(report, null, 2));
  else if (format === 'markdown') ctx.stdout.write((await import('../render/routing-diff.js')).renderRoutingMarkdown(report));
  else print(ctx.stdout, (await import('../render/routing-diff.js')).renderRoutingText(report, ctx.out));
  return EXIT.ok;
}

/** --base, or HEAD for a working-tree change, or the merge base with the default branch. */
async function chooseBase(
  root: string,
  ctx: CommandContext,
  named: string | undefined,
): Promise<{ rev: string; commit?: string; note?: string }> {
  if (named !== undefined) {
    const commit = await resolveCommit(root, named);
    if (!commit) throw new UsageError(`--base ${named} is not a commit of this repository`);
    return { rev: named, commit };
  }
  const headCommit = await resolveCommit(root, 'HEAD');
  if (!headCommit) return { rev: 'HEAD', note: 'the repository has no commit yet' };
  if (await sourcesDiffer(root, headCommit, ctx.paths)) return { rev: 'HEAD', commit: headCommit };
  const branch = await defaultBranch(root);
  const mb = branch ? await mergeBase(root, 'HEAD', branch) : undefined;
  if (branch && mb && mb !== headCommit) return { rev: `merge-base with ${branch}`, commit: mb };
  return { rev: 'HEAD', commit: headCommit };
}
