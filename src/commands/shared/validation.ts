// Validation with its report, as `aibackend validate` and the pre-commit hook print it: every
// check, nothing written. Exit 1 on errors (or warnings with --strict).
import { checkKubernetesSchema } from '../../config/kubernetes-schema.js';
import { checkConfig } from '../../config/check-config.js';
import { generatedStatus, outputStatus } from '../../config/output-status.js';
import { sourceLines } from '../../render/source-lines.js';
import type { CheckName } from '../../config/diagnostics/codes.js';
import { sortDiagnostics } from '../../config/diagnostics/diagnostic.js';
import { EXIT, UsageError } from '../../util/errors.js';
import { displayPath } from '../../config/load/paths.js';
import { REPORT_FORMATS, REPORTERS, type ReportFormat } from '../../render/reporters/index.js';
import { formatDiagnostics } from '../../render/format-diagnostics.js';
import { buildValidateReport } from '../../render/validate-report.js';
import { print, progress, type CommandContext } from './context.js';

export interface ValidateOptions {
  json?: boolean;
  format?: string;
  strict?: boolean;
  /** A missing generated file is an error (the hook), not the warning it is at plain `validate`. */
  requireOutput?: boolean;
  /** Also load the compiled config into the installed LiteLLM (--validate_config). */
  deep?: boolean;
  /** --litellm: the executable --deep loads the candidate into. */
  litellm?: string;
}

export async function validateAndReport(ctx: CommandContext, opts: ValidateOptions): Promise<number> {
  const format = (opts.json ? 'json' : (opts.format ?? 'text')) as ReportFormat;
  if (!REPORT_FORMATS.includes(format)) {
    throw new UsageError(`unknown format '${format}'; expected one of: ${REPORT_FORMATS.join(', ')}`);
  }
  const checked = await checkKubernetesSchema(checkConfig(ctx.paths, { env: ctx.env, unsetEnvSeverity: 'warning' }));
  // A bad output path was reported already; reading whatever is there would only add noise.
  const missing = opts.strict || opts.requireOutput ? 'error' : 'warning';
  const output = checked.outputUsable ? outputStatus(checked, missing) : { diagnostics: [], text: undefined };
  const stack = generatedStatus(checked, missing);
  let deep: Awaited<ReturnType<typeof import('../../config/deep-check.js').deepCheck>> | undefined;
  if (opts.litellm && !opts.deep) throw new UsageError('--litellm names the LiteLLM that --deep uses; add --deep');
  if (opts.deep) {
    const { deepCheck } = await import('../../config/deep-check.js');
    deep = await deepCheck(checked, ctx.env, progress({ ...ctx, quiet: false }), opts.litellm ? { litellm: opts.litellm } : {});
    if (!deep.result.ran) print(ctx.stderr, `${ctx.err.yellow('note:')} --deep did not run: ${deep.result.reason}`);
  }
  const diagnostics = sortDiagnostics([
    ...checked.diagnostics,
    ...output.diagnostics,
    ...stack.flatMap((m) => m.diagnostics),
    ...(deep?.diagnostics ?? []),
  ]);
  const skipped = new Set<CheckName>();
  if (!checked.loaded.providers || !checked.loaded.mappings) skipped.add('references');
  // Nothing loaded (no config directory): no other check ran, so none passed.
  if (checked.loaded.present.length === 0)
    for (const c of ['shape', 'references', 'secrets', 'ports', 'gateway', 'output'] as const) skipped.add(c);
  const report = { ...buildValidateReport(diagnostics, Boolean(opts.strict), skipped), ...(deep ? { deep: deep.result } : {}) };
  const generated: Record<string, string | undefined> = { [checked.outputDisplay]: output.text };
  for (const m of stack) generated[m.file.display] = m.text;
  const lines = sourceLines(checked.loaded, generated, diagnostics);
  // --quiet: a clean pass prints nothing; warnings that pass are still shown.
  const quiet = ctx.quiet && report.ok && format === 'text';
  const text = quiet
    ? diagnostics.length
      ? formatDiagnostics(diagnostics, lines, ctx.out)
      : ''
    : await REPORTERS[format]({ report, diagnostics, lines, style: ctx.out, strict: Boolean(opts.strict), what: displayDir(ctx) });
  if (text) print(ctx.stdout, text);
  if (deep?.result.ran && deep.result.ok && format === 'text' && !ctx.quiet)
    print(
      ctx.stdout,
      ctx.out.dim(
        `--deep: ${deep.result.litellm} loaded the compiled config in ${deep.result.ms} ms${deep.result.mcpServersOmitted ? ` (without mcp_servers: checked by aibackend, proven by reload on the gateway)` : ''}`,
      ),
    );
  return report.ok ? EXIT.ok : EXIT.failed;
}

function displayDir(ctx: CommandContext): string {
  return `${displayPath(ctx.paths.configDir, ctx.paths.cwd)}/`;
}
