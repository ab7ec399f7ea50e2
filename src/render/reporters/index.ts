// One reporter per output format, behind one registry: every format renders the same data.
import type { ChalkInstance } from 'chalk';
import type { Diagnostic } from '../../diagnostics/diagnostic.js';
import type { SourceLines } from '../format-diagnostics.js';
import { renderValidateText, type ValidateReport } from '../validate-report.js';
import { renderGithub } from './github.js';
import { renderSarif } from './sarif.js';

export interface ReportInput {
  report: ValidateReport;
  diagnostics: readonly Diagnostic[];
  lines: SourceLines;
  style: ChalkInstance;
  strict: boolean;
  /** What was validated, for the summary line ("config/"). */
  what: string;
}

export const REPORTERS = {
  text: (i: ReportInput) => renderValidateText(i.report, i.diagnostics, i.lines, i.style, i.strict, i.what),
  json: (i: ReportInput) => JSON.stringify(i.report, null, 2),
  github: (i: ReportInput) => renderGithub(i.diagnostics),
  sarif: (i: ReportInput) => renderSarif(i.diagnostics),
} as const;

export type ReportFormat = keyof typeof REPORTERS;
export const REPORT_FORMATS = Object.keys(REPORTERS) as ReportFormat[];
