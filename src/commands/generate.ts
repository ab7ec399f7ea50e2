// aibackend generate: compile and write litellm-unified.yaml atomically, only when it changed.
// --check reports drift without writing; --stdout prints instead of writing; --json reports
// what happened (or what differs) as one object.
import { checkConfig, type CheckedConfig } from '../core/check-config.js';
import { outputStatus } from '../core/output-status.js';
import { sourceLines } from '../core/source-lines.js';
import type { Diagnostic } from '../diagnostics/diagnostic.js';
import { CliError, EXIT, UsageError } from '../errors.js';
import { formatCounts, formatDiagnostics } from '../render/format-diagnostics.js';
import { diagnosticJson } from '../render/validate-report.js';
import { writeFileAtomic } from '../util/atomic-write.js';
import { print, report, type CommandContext } from './context.js';

export interface GenerateOptions {
  check?: boolean;
  stdout?: boolean;
  json?: boolean;
}

export async function generate(ctx: CommandContext, opts: GenerateOptions): Promise<number> {
  if (opts.stdout && opts.json) throw new UsageError('--stdout prints the compiled file itself; it cannot be combined with --json');
  const checked = checkConfig(ctx.paths, { env: ctx.env, unsetEnvSeverity: 'warning' });
  if (!opts.json) reportDiagnostics(ctx, checked);
  const result = (ok: boolean, status: string, extra: Record<string, unknown> = {}, more: Diagnostic[] = []) => ({
    ok,
    status,
    file: checked.outputDisplay,
    ...extra,
    errors: checked.errors + more.filter((d) => d.severity === 'error').length,
    warnings: checked.warnings + more.filter((d) => d.severity === 'warning').length,
    diagnostics: [...checked.diagnostics, ...more].map(diagnosticJson),
  });
  if (!checked.compiled) {
    if (opts.json) print(ctx.stdout, JSON.stringify(result(false, 'invalid'), null, 2));
    else print(ctx.stderr, `${ctx.err.red('✖')} nothing written: fix the errors above first (${formatCounts(checked.errors, checked.warnings, ctx.err)})`);
    return EXIT.failed;
  }
  if (opts.stdout) {
    ctx.stdout.write(checked.compiled.text);
    return EXIT.ok;
  }
  const status = outputStatus(checked);
  const models = checked.compiled.config.model_list.length;
  const deployments = { deployments: models };
  if (opts.check) {
    if (status.state === 'up-to-date' || status.state === 'header-outdated') {
      const note = status.state === 'header-outdated' ? ' (only its provenance header is older; `aibackend generate` rewrites it)' : '';
      report(ctx, opts.json, result(true, status.state, deployments), `${ctx.out.green('✔')} ${checked.outputDisplay} is up to date${note}`);
      return EXIT.ok;
    }
    // What differs, as `kubectl diff` shows it: the file on disk against what the sources compile to.
    let diff: string | undefined;
    if (status.text !== undefined) {
      const { diffConfigs } = await import('../reload/diff.js');
      diff = diffConfigs(checked.outputDisplay, status.text.replace(/\r\n/g, '\n'), checked.compiled.text).diff;
    }
    if (opts.json) {
      print(ctx.stdout, JSON.stringify(result(false, status.state, { ...deployments, ...(diff ? { diff } : {}) }, status.diagnostics), null, 2));
      return EXIT.failed;
    }
    print(ctx.stderr, formatDiagnostics(status.diagnostics, sourceLines(checked.loaded, { [checked.outputDisplay]: status.text }, status.diagnostics), ctx.err));
    if (diff) {
      const { renderDiff } = await import('../render/reload-text.js');
      const lines = diff.split('\n');
      print(ctx.stderr, `${renderDiff(lines.slice(0, 60).join('\n'), ctx.err)}${lines.length > 60 ? `\n… ${lines.length - 60} more diff lines (\`aibackend generate --stdout\` prints the whole compiled file)` : ''}`);
    }
    print(ctx.stderr, `${ctx.err.red('✖')} ${checked.outputDisplay} is ${status.state}; run \`aibackend generate\``);
    return EXIT.failed;
  }
  if (status.state === 'up-to-date' && status.text?.replace(/\r\n/g, '\n') === checked.compiled.text) {
    report(ctx, opts.json, result(true, 'unchanged', deployments), `${ctx.out.green('✔')} ${checked.outputDisplay} is already up to date; nothing written`);
    return EXIT.ok;
  }
  if (status.state === 'hand-edited' && !opts.json) {
    print(ctx.stderr, `${ctx.err.yellow('!')} ${checked.outputDisplay} had hand edits; they are replaced by the compiled config`);
  }
  try {
    writeFileAtomic(checked.outputPath, checked.compiled.text);
  } catch (err) {
    throw new CliError(`cannot write ${checked.outputDisplay}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}; the previous file, if any, is unchanged`);
  }
  const s = models === 1 ? '' : 's';
  if (status.state === 'header-outdated') {
    report(ctx, opts.json, result(true, 'header-rewritten', deployments), `${ctx.out.green('✔')} rewrote the provenance header of ${checked.outputDisplay}; its body (${models} deployment${s}) is unchanged`);
    return EXIT.ok;
  }
  report(ctx, opts.json, result(true, 'written', { ...deployments, replaced: status.state }), `${ctx.out.green('✔')} wrote ${checked.outputDisplay} (${models} deployment${s})`);
  return EXIT.ok;
}

/** Diagnostics of a command that is not validate go to stderr: stdout may carry the product. */
export function reportDiagnostics(ctx: CommandContext, checked: CheckedConfig): void {
  if (checked.diagnostics.length === 0) return;
  print(ctx.stderr, `${formatDiagnostics(checked.diagnostics, sourceLines(checked.loaded, {}, checked.diagnostics), ctx.err)}\n`);
}
