// aibackend generate: compile and write litellm-unified.yaml atomically, only when it changed.
// --check reports drift without writing; --stdout prints instead of writing; --json reports
// what happened (or what differs) as one object.
import { checkKubernetesSchema } from '../config/kubernetes-schema.js';
import type { GenerateFlags } from '../cli/specs/config.js';
import { checkConfig } from '../config/check-config.js';
import { drift, generatedFiles, writeGeneratedFiles } from '../config/generate.js';
import {
  generateJson,
  renderDrift,
  renderHandEdited,
  renderNothingWritten,
  renderUpToDate,
  renderWritten,
} from '../render/generate-text.js';
import { ensureComposeSocketDir } from '../deploy/rolling/haproxy.js';
import { EXIT, UsageError } from '../util/errors.js';
import { print, report, type CommandContext } from './shared/context.js';
import { reportDiagnostics } from './shared/diagnostics.js';

export async function run(ctx: CommandContext, opts: GenerateFlags): Promise<number> {
  if (opts.stdout && opts.json) throw new UsageError('--stdout prints the compiled file itself; it cannot be combined with --json');
  const checked = await checkKubernetesSchema(checkConfig(ctx.paths, { env: ctx.env, unsetEnvSeverity: 'warning' }));
  if (!opts.json) reportDiagnostics(ctx, checked);
  if (!checked.compiled) {
    if (opts.json) print(ctx.stdout, JSON.stringify(generateJson(checked, false, 'invalid'), null, 2));
    else print(ctx.stderr, renderNothingWritten(checked, ctx.err));
    return EXIT.failed;
  }
  if (opts.stdout) {
    ctx.stdout.write(checked.compiled.text);
    return EXIT.ok;
  }
  const files = generatedFiles(checked);
  if (opts.check) {
    const found = drift(checked, files);
    if (!found) {
      report(ctx, opts.json, generateJson(checked, true, files.output.state, files.summary), renderUpToDate(checked, files, ctx.out));
      return EXIT.ok;
    }
    if (opts.json) {
      const extra = { ...files.summary, ...(found.diff ? { diff: found.diff } : {}) };
      print(ctx.stdout, JSON.stringify(generateJson(checked, false, found.state, extra, found.problems), null, 2));
    } else print(ctx.stderr, renderDrift(checked, found, ctx.err));
    return EXIT.failed;
  }
  if (files.output.state === 'hand-edited' && !opts.json) print(ctx.stderr, renderHandEdited(checked, ctx.err));
  const written = writeGeneratedFiles(checked, files);
  // Before `docker compose up -d` could make it as root: HAProxy's admin socket directory.
  if (checked.loaded.gateway) ensureComposeSocketDir(checked.loaded.gateway, ctx.paths.projectDir);
  const extra = { ...files.summary, ...(written.status === 'written' ? { replaced: written.replaced } : {}) };
  report(ctx, opts.json, generateJson(checked, true, written.status, extra), renderWritten(checked, files, written, ctx.out));
  return EXIT.ok;
}
