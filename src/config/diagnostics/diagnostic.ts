// Diagnostics are data: a stable code, a severity, a position and a message.
import type { Code } from './codes.js';

// One formatter (render/format-diagnostics.ts) turns them into text; --json prints them as they are.

export type Severity = 'error' | 'warning';

export interface Diagnostic {
  code: Code;
  severity: Severity;
  message: string;
  /** Path as shown to the user (relative to the working directory when inside it). */
  file: string;
  /** 1-based. */
  line: number;
  /** 1-based. */
  column: number;
  /** Length of the highlighted span on that line (at least 1). */
  length?: number;
  suggestion?: string;
}

/** A position inside one source file. */
export interface Position {
  file: string;
  line: number;
  column: number;
  length?: number;
}

export function diag(code: Code, severity: Severity, at: Position, message: string, suggestion?: string): Diagnostic {
  const d: Diagnostic = { code, severity, message, file: at.file, line: at.line, column: at.column };
  if (at.length !== undefined) d.length = Math.max(1, at.length);
  if (suggestion !== undefined) d.suggestion = suggestion;
  return d;
}

/** Stable order: by file, then position, then code. */
export function sortDiagnostics(diagnostics: Diagnostic[]): Diagnostic[] {
  return diagnostics.sort(
    (a, b) =>
      (a.file < b.file ? -1 : a.file > b.file ? 1 : 0) ||
      a.line - b.line ||
      a.column - b.column ||
      (a.code < b.code ? -1 : a.code > b.code ? 1 : 0),
  );
}
