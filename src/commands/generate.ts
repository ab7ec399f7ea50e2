// aibackend generate: compile and write litellm-unified.yaml atomically, only when it changed.
// --check reports drift without writing; --stdout prints instead of writing; --json reports
// what happened (or what differs) as one object.
import { checkConfig, type CheckedConfig } from '../config/check-config.js';
import path from 'node:path';
import { syncGenerated, writeGenerated } from '../config/generated-files.js';
import { generatedStatus, outputStatus } from '../config/output-status.js';
import { displayPath } from '../config/load/paths.js';
import { sourceLines } from '../render/source-lines.js';
import type { Diagnostic } from '../config/diagnostics/diagnostic.js';
import { EXIT, UsageError } from '../util/errors.js';
import { formatCounts, formatDiagnostics } from '../render/format-diagnostics.js';
import { diagnosticJson } from '../render/validate-report.js';
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
    else
      print(
        ctx.stderr,
        `${ctx.err.red('✖')} nothing written: fix the errors above first (${formatCounts(checked.errors, checked.warnings, ctx.err)})`,
      );
    return EXIT.failed;
  }
  if (opts.stdout) {
    ctx.stdout.write(checked.compiled.text);
    return EXIT.ok;
  }
  const status = outputStatus(checked);
  const stack = generatedStatus(checked);
  const models = checked.compiled.config.model_list.length;
  const mon = stack.filter((m) => m.file.group === 'monitoring');
  const lb = stack.find((m) => m.file.group === 'load_balancer');
  const deployments = {
    deployments: models,
    ...(mon.length > 0
      ? { monitoring: { dir: monitoringDir(ctx, checked), files: mon.map((m) => ({ file: m.file.display, status: m.state })) } }
      : {}),
    ...(lb ? { load_balancer: { file: lb.file.display, status: lb.state } } : {}),
  };
  const current = (state: string) => state === 'up-to-date' || state === 'header-outdated';
  if (opts.check) {
    const drifted = stack.filter((m) => !current(m.state));
    if (current(status.state) && drifted.length === 0) {
      const note = status.state === 'header-outdated' ? ' (only its provenance header is older; `aibackend generate` rewrites it)' : '';
      const extra = stack.length > 0 ? ` and the ${stack.length} other generated file${stack.length === 1 ? ' is' : 's are'}` : ' is';
      report(
        ctx,
        opts.json,
        result(true, status.state, deployments),
        `${ctx.out.green('✔')} ${checked.outputDisplay}${extra} up to date${note}`,
      );
      return EXIT.ok;
    }
    // What differs, as `kubectl diff` shows it: each file on disk against what the sources compile to.
    const { diffConfigs } = await import('../deploy/diff.js');
    const diffs: string[] = [];
    if (!current(status.state) && status.text !== undefined)
      diffs.push(diffConfigs(checked.outputDisplay, status.text.replace(/\r\n/g, '\n'), checked.compiled.text).diff);
    for (const m of drifted)
      if (m.text !== undefined) diffs.push(diffConfigs(m.file.display, m.text.replace(/\r\n/g, '\n'), m.file.text).diff);
    const diff = diffs.filter(Boolean).join('\n');
    const problems = [...(current(status.state) ? [] : status.diagnostics), ...drifted.flatMap((m) => m.diagnostics)];
    const overall = current(status.state) ? drifted[0]!.state : status.state;
    if (opts.json) {
      print(ctx.stdout, JSON.stringify(result(false, overall, { ...deployments, ...(diff ? { diff } : {}) }, problems), null, 2));
      return EXIT.failed;
    }
    const texts: Record<string, string | undefined> = { [checked.outputDisplay]: status.text };
    for (const m of drifted) texts[m.file.display] = m.text;
    print(ctx.stderr, formatDiagnostics(problems, sourceLines(checked.loaded, texts, problems), ctx.err));
    if (diff) {
      const { renderDiff } = await import('../render/reload-text.js');
      const lines = diff.split('\n');
      print(
        ctx.stderr,
        `${renderDiff(lines.slice(0, 60).join('\n'), ctx.err)}${lines.length > 60 ? `\n… ${lines.length - 60} more diff lines (\`aibackend generate --stdout\` prints the whole compiled file)` : ''}`,
      );
    }
    const names = [
      ...(current(status.state) ? [] : [`${checked.outputDisplay} is ${status.state}`]),
      ...drifted.map((m) => `${m.file.display} is ${m.state}`),
    ];
    print(
      ctx.stderr,
      `${ctx.err.red('✖')} ${names.length > 3 ? `${names.slice(0, 3).join('; ')}; and ${names.length - 3} more` : names.join('; ')}; run \`aibackend generate\``,
    );
    return EXIT.failed;
  }
  // The monitoring stack first: when one of its files cannot be written, the gateway's config,
  // which reload deploys, is left as it was, and nothing claims to be in step.
  const writes = syncGenerated(checked, stack).written;
  const wroteStack =
    writes.length > 0
      ? `; ${writes.length} of the ${stack.length} other generated files written (${writes
          .map((w) => w.file.display)
          .slice(0, 3)
          .join(', ')}${writes.length > 3 ? ', …' : ''})`
      : stack.length > 0
        ? `; the ${stack.length} other generated files are up to date`
        : '';
  if (status.state === 'up-to-date' && status.text?.replace(/\r\n/g, '\n') === checked.compiled.text) {
    report(
      ctx,
      opts.json,
      result(true, 'unchanged', deployments),
      `${ctx.out.green('✔')} ${checked.outputDisplay} is already up to date${wroteStack}${writes.length > 0 ? '' : '; nothing written'}`,
    );
    return EXIT.ok;
  }
  if (status.state === 'hand-edited' && !opts.json) {
    print(ctx.stderr, `${ctx.err.yellow('!')} ${checked.outputDisplay} had hand edits; they are replaced by the compiled config`);
  }
  writeGenerated(checked.loaded.paths, checked.outputPath, checked.outputDisplay, checked.compiled.text);
  const s = models === 1 ? '' : 's';
  if (status.state === 'header-outdated') {
    report(
      ctx,
      opts.json,
      result(true, 'header-rewritten', deployments),
      `${ctx.out.green('✔')} rewrote the provenance header of ${checked.outputDisplay}; its body (${models} deployment${s}) is unchanged${wroteStack}`,
    );
    return EXIT.ok;
  }
  report(
    ctx,
    opts.json,
    result(true, 'written', { ...deployments, replaced: status.state }),
    `${ctx.out.green('✔')} wrote ${checked.outputDisplay} (${models} deployment${s})${wroteStack}`,
  );
  return EXIT.ok;
}

export function monitoringDir(ctx: CommandContext, checked: CheckedConfig): string {
  return displayPath(path.resolve(ctx.paths.projectDir, checked.loaded.gateway!.monitoring.dir), ctx.paths.cwd);
}

/** Diagnostics of a command that is not validate go to stderr: stdout may carry the product. */
export function reportDiagnostics(ctx: CommandContext, checked: CheckedConfig): void {
  if (checked.diagnostics.length === 0) return;
  print(ctx.stderr, `${formatDiagnostics(checked.diagnostics, sourceLines(checked.loaded, {}, checked.diagnostics), ctx.err)}\n`);
}
