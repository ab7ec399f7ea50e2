// What `aibackend generate` prints: its JSON object, and the text for each way it ends.
import type { ChalkInstance } from 'chalk';
import type { CheckedConfig } from '../config/check-config.js';
import type { Diagnostic } from '../config/diagnostics/diagnostic.js';
import type { Drift, GeneratedFiles, Written } from '../config/generate.js';
import { formatCounts, formatDiagnostics } from './format-diagnostics.js';
import { renderDiff } from './reload-text.js';
import { sourceLines } from './source-lines.js';
import { diagnosticJson } from './validate-report.js';

/** Diff lines shown under a drift; `generate --stdout` prints the whole compiled file. */
const DIFF_LINES_SHOWN = 60;

/** The JSON object generate prints (schemas/output/generate.schema.json); `more`: findings beyond the check's own. */
export function generateJson(
  checked: CheckedConfig,
  ok: boolean,
  status: string,
  extra: Record<string, unknown> = {},
  more: readonly Diagnostic[] = [],
): Record<string, unknown> {
  return {
    ok,
    status,
    file: checked.outputDisplay,
    ...extra,
    errors: checked.errors + more.filter((d) => d.severity === 'error').length,
    warnings: checked.warnings + more.filter((d) => d.severity === 'warning').length,
    diagnostics: [...checked.diagnostics, ...more].map(diagnosticJson),
  };
}

export function renderNothingWritten(checked: CheckedConfig, s: ChalkInstance): string {
  return `${s.red('✖')} nothing written: fix the errors above first (${formatCounts(checked.errors, checked.warnings, s)})`;
}

export function renderUpToDate(checked: CheckedConfig, files: GeneratedFiles, s: ChalkInstance): string {
  const n = files.others.length;
  const note = files.output.state === 'header-outdated' ? ' (only its provenance header is older; `aibackend generate` rewrites it)' : '';
  const others = n > 0 ? ` and the ${n} other generated file${n === 1 ? ' is' : 's are'}` : ' is';
  return `${s.green('✔')} ${checked.outputDisplay}${others} up to date${note}`;
}

/** The findings with their snippets, the diff (its first lines), and the files to regenerate. */
export function renderDrift(checked: CheckedConfig, d: Drift, s: ChalkInstance): string {
  const parts = [formatDiagnostics(d.problems, sourceLines(checked.loaded, d.texts, d.problems), s)];
  if (d.diff) {
    const lines = d.diff.split('\n');
    const more =
      lines.length > DIFF_LINES_SHOWN
        ? `\n… ${lines.length - DIFF_LINES_SHOWN} more diff lines (\`aibackend generate --stdout\` prints the whole compiled file)`
        : '';
    parts.push(`${renderDiff(lines.slice(0, DIFF_LINES_SHOWN).join('\n'), s)}${more}`);
  }
  const names = d.drifted.length > 3 ? `${d.drifted.slice(0, 3).join('; ')}; and ${d.drifted.length - 3} more` : d.drifted.join('; ');
  parts.push(`${s.red('✖')} ${names}; run \`aibackend generate\``);
  return parts.join('\n');
}

export function renderHandEdited(checked: CheckedConfig, s: ChalkInstance): string {
  return `${s.yellow('!')} ${checked.outputDisplay} had hand edits; they are replaced by the compiled config`;
}

export function renderWritten(checked: CheckedConfig, files: GeneratedFiles, w: Written, s: ChalkInstance): string {
  const { written, of } = w.others;
  const others =
    written.length > 0
      ? `; ${written.length} of the ${of} other generated files written (${written.slice(0, 3).join(', ')}${written.length > 3 ? ', …' : ''})`
      : of > 0
        ? `; the ${of} other generated files are up to date`
        : '';
  const models = files.summary.deployments;
  const deployments = `${models} deployment${models === 1 ? '' : 's'}`;
  if (w.status === 'unchanged')
    return `${s.green('✔')} ${checked.outputDisplay} is already up to date${others}${written.length > 0 ? '' : '; nothing written'}`;
  if (w.status === 'header-rewritten')
    return `${s.green('✔')} rewrote the provenance header of ${checked.outputDisplay}; its body (${deployments}) is unchanged${others}`;
  return `${s.green('✔')} wrote ${checked.outputDisplay} (${deployments})${others}`;
}
