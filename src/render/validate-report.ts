// The validate report as data (what --json prints) and as text; both from the same object.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ChalkInstance } from 'chalk';
import { CHECKS, checkOf, type CheckName } from '../config/diagnostics/codes.js';
import type { Diagnostic } from '../config/diagnostics/diagnostic.js';
import { formatCounts, formatDiagnostics, type SourceLines } from './format-diagnostics.js';

export interface CheckSummary {
  name: CheckName;
  status: 'passed' | 'warned' | 'failed' | 'skipped';
  errors: number;
  warnings: number;
}

export interface JsonDiagnostic {
  code: string;
  severity: 'error' | 'warning';
  message: string;
  file: string;
  line: number;
  column: number;
  suggestion?: string;
}

export interface ValidateReport {
  ok: boolean;
  errors: number;
  warnings: number;
  diagnostics: JsonDiagnostic[];
  checks: CheckSummary[];
}

export function buildValidateReport(diagnostics: readonly Diagnostic[], strict: boolean, skipped: ReadonlySet<CheckName>): ValidateReport {
  let errors = 0;
  let warnings = 0;
  const checks = CHECKS.map((name): CheckSummary => ({ name, status: 'passed', errors: 0, warnings: 0 }));
  const byName = new Map(checks.map((c) => [c.name, c]));
  for (const d of diagnostics) {
    const c = byName.get(checkOf(d.code))!;
    if (d.severity === 'error') {
      errors++;
      c.errors++;
    } else {
      warnings++;
      c.warnings++;
    }
  }
  for (const c of checks) {
    c.status = c.errors > 0 ? 'failed' : c.warnings > 0 ? 'warned' : skipped.has(c.name) ? 'skipped' : 'passed';
  }
  return {
    ok: errors === 0 && (!strict || warnings === 0),
    errors,
    warnings,
    diagnostics: diagnostics.map(diagnosticJson),
    checks,
  };
}

export function diagnosticJson(d: Diagnostic): JsonDiagnostic {
  const j: JsonDiagnostic = { code: d.code, severity: d.severity, message: d.message, file: d.file, line: d.line, column: d.column };
  if (d.suggestion !== undefined) j.suggestion = d.suggestion;
  return j;
}

export function renderValidateText(
  report: ValidateReport,
  diagnostics: readonly Diagnostic[],
  lines: SourceLines,
  s: ChalkInstance,
  strict: boolean,
  what: string,
): string {
  const parts: string[] = [];
  if (diagnostics.length > 0)
    parts.push(formatDiagnostics(diagnostics, lines, s), '', s.dim(`each [code]'s cause and fix: ${troubleshootingPage()}`));
  const counts = formatCounts(report.errors, report.warnings, s);
  if (report.ok) parts.push(`${s.green('✔')} ${what} is valid (${counts})`);
  else if (report.errors === 0 && strict) parts.push(`${s.red('✖')} ${what} has warnings, and --strict makes them fail (${counts})`);
  else parts.push(`${s.red('✖')} ${what} is invalid (${counts})`);
  return parts.join('\n');
}

/** docs/troubleshooting.md of this installation (beside dist/ in the package, beside src/ in a checkout). */
export function troubleshootingPage(): string {
  const here = path.dirname(fileURLToPath(import.meta.url));
  for (const up of ['..', '../..']) {
    const page = path.resolve(here, up, 'docs/troubleshooting.md');
    if (existsSync(page)) return page;
  }
  return 'docs/troubleshooting.md in the aibackend package';
}
