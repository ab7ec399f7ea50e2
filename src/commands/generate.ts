// aibackend generate: compile and write litellm-unified.yaml atomically, only when it changed.
// --check reports drift without writing; --stdout prints instead of writing.
import { checkConfig, type CheckedConfig } from '../core/check-config.js';
import { outputStatus } from '../core/output-status.js';
import { sourceLines } from '../core/source-lines.js';
import { CliError, EXIT } from '../errors.js';
import { formatCounts, formatDiagnostics } from '../render/format-diagnostics.js';
import { writeFileAtomic } from '../util/atomic-write.js';
import { print, success, type CommandContext } from './context.js';

export interface GenerateOptions {
  check?: boolean;
  stdout?: boolean;
}

export async function generate(ctx: CommandContext, opts: GenerateOptions): Promise<number> {
  const checked = checkConfig(ctx.paths, { env: ctx.env, unsetEnvSeverity: 'warning' });
  reportDiagnostics(ctx, checked);
  if (!checked.compiled) {
    print(ctx.stderr, `${ctx.err.red('✖')} nothing written: fix the errors above first (${formatCounts(checked.errors, checked.warnings, ctx.err)})`);
    return EXIT.failed;
  }
  if (opts.stdout) {
    ctx.stdout.write(checked.compiled.text);
    return EXIT.ok;
  }
  const status = outputStatus(checked);
  if (opts.check) {
    if (status.state === 'up-to-date' || status.state === 'header-outdated') {
      const note = status.state === 'header-outdated' ? ' (only its provenance header is older; `aibackend generate` rewrites it)' : '';
      success(ctx, `${ctx.out.green('✔')} ${checked.outputDisplay} is up to date${note}`);
      return EXIT.ok;
    }
    print(ctx.stderr, formatDiagnostics(status.diagnostics, sourceLines(checked.loaded, { [checked.outputDisplay]: status.text }, status.diagnostics), ctx.err));
    // What differs, as `kubectl diff` shows it: the file on disk against what the sources compile to.
    if (status.text !== undefined) {
      const { diffConfigs } = await import('../reload/diff.js');
      const { renderDiff } = await import('../render/reload-text.js');
      const diff = diffConfigs(checked.outputDisplay, status.text.replace(/\r\n/g, '\n'), checked.compiled.text).diff.split('\n');
      const shown = diff.slice(0, 60).join('\n');
      print(ctx.stderr, `${renderDiff(shown, ctx.err)}${diff.length > 60 ? `\n… ${diff.length - 60} more diff lines (\`aibackend generate --stdout\` prints the whole compiled file)` : ''}`);
    }
    print(ctx.stderr, `${ctx.err.red('✖')} ${checked.outputDisplay} is ${status.state}; run \`aibackend generate\``);
    return EXIT.failed;
  }
  if (status.state === 'up-to-date' && status.text?.replace(/\r\n/g, '\n') === checked.compiled.text) {
    success(ctx, `${ctx.out.green('✔')} ${checked.outputDisplay} is already up to date; nothing written`);
    return EXIT.ok;
  }
  if (status.state === 'hand-edited') {
    print(ctx.stderr, `${ctx.err.yellow('!')} ${checked.outputDisplay} had hand edits; they are replaced by the compiled config`);
  }
  try {
    writeFileAtomic(checked.outputPath, checked.compiled.text);
  } catch (err) {
    throw new CliError(`cannot write ${checked.outputDisplay}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}; the previous file, if any, is unchanged`);
  }
  const models = checked.compiled.config.model_list.length;
  if (status.state === 'header-outdated') {
    success(ctx, `${ctx.out.green('✔')} rewrote the provenance header of ${checked.outputDisplay}; its body (${models} deployment${models === 1 ? '' : 's'}) is unchanged`);
    return EXIT.ok;
  }
  success(ctx, `${ctx.out.green('✔')} wrote ${checked.outputDisplay} (${models} deployment${models === 1 ? '' : 's'})`);
  return EXIT.ok;
}

/** Diagnostics of a command that is not validate go to stderr: stdout may carry the product. */
export function reportDiagnostics(ctx: CommandContext, checked: CheckedConfig): void {
  if (checked.diagnostics.length === 0) return;
  print(ctx.stderr, `${formatDiagnostics(checked.diagnostics, sourceLines(checked.loaded, {}, checked.diagnostics), ctx.err)}\n`);
}
