// One reporter per output format, behind one registry: every format renders the same data.
import type { ChalkInstance } from 'chalk';
import type { Diagnostic } from '../../config/diagnostics/diagnostic.js';
import type { SourceLines } from '../format-diagnostics.js';
import { renderValidateText, type ValidateReport } from '../validate-report.js';
import { renderGithub } from './github.js';

export interface ReportInput {
  report: ValidateReport;
  diagnostics: readonly Diagnostic[];
  lines: SourceLines;
  style: ChalkInstance;
  strict: boolean;
  /** What was validated, for the summary line ("config/"). */
  what: string;
}

export const REPORTERS: Record<'text' | 'json' | 'github' | 'sarif', (i: ReportInput) => string | Promise<string>> = {
  text: (i) => renderValidateText(i.report, i.diagnostics, i.lines, i.style, i.strict, i.what),
  json: (i) => JSON.stringify(i.report, null, 2),
  github: (i) => renderGithub(i.diagnostics),
  // Loaded only when asked for: its rule help (every code's cause and fix) is not small.
  sarif: async (i) => (await import('./sarif.js')).renderSarif(i.diagnostics),
};

export type ReportFormat = keyof typeof REPORTERS;
export const REPORT_FORMATS = Object.keys(REPORTERS) as ReportFormat[];
