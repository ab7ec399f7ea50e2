// The one text formatter for diagnostics: file:line:col, severity, message, code, the source line
// with a caret under the span, and the suggestion. Source lines are masked for secrets.
import type { ChalkInstance } from 'chalk';
import type { Diagnostic } from '../config/diagnostics/diagnostic.js';
import { maskWithMap } from '../util/secrets.js';

export type SourceLines = (file: string) => readonly string[] | undefined;

const MAX_SNIPPET = 160;

export function formatDiagnostic(d: Diagnostic, lines: SourceLines, s: ChalkInstance): string {
  const sev = d.severity === 'error' ? s.red.bold('error') : s.yellow.bold('warning');
  const out = [`${s.bold(`${d.file}:${d.line}:${d.column}`)}: ${sev}: ${d.message} ${s.dim(`[${d.code}]`)}`];
  const src = lines(d.file)?.[d.line - 1];
  if (src !== undefined && d.code !== 'file-binary' && d.code !== 'file-encoding') {
    const masked = maskWithMap(src.replace(/\t/g, ' ').replace(/\r$/, ''));
    let text = masked.text;
    if (text.length > MAX_SNIPPET) text = `${text.slice(0, MAX_SNIPPET)}…`;
    const gutter = String(d.line).length;
    // The span as it stands in the masked line.
    const start = masked.at(d.column - 1);
    const stop = masked.at(d.column - 1 + (d.length ?? 1));
    const col = Math.min(start + 1, text.length + 1);
    const len = Math.max(1, Math.min(stop - start, text.length - col + 1));
    const caret = d.severity === 'error' ? s.red : s.yellow;
    out.push(`${s.dim(`${String(d.line)} |`)} ${text}`);
    out.push(`${' '.repeat(gutter)} ${s.dim('|')} ${' '.repeat(col - 1)}${caret('^'.repeat(len))}`);
  }
  if (d.suggestion !== undefined && !d.message.includes(`'${d.suggestion}'`)) {
    out.push(`  ${s.cyan('help:')} ${d.suggestion}`);
  }
  return out.join('\n');
}

export function formatDiagnostics(diagnostics: readonly Diagnostic[], lines: SourceLines, s: ChalkInstance): string {
  return diagnostics.map((d) => formatDiagnostic(d, lines, s)).join('\n\n');
}

export function formatCounts(errors: number, warnings: number, s: ChalkInstance): string {
  const e = `${errors} error${errors === 1 ? '' : 's'}`;
  const w = `${warnings} warning${warnings === 1 ? '' : 's'}`;
  return `${errors > 0 ? s.red.bold(e) : e}, ${warnings > 0 ? s.yellow.bold(w) : w}`;
}
