// What every command receives from the CLI entry: resolved paths, streams and colour choices.
import type { ChalkInstance } from 'chalk';
import type { Diagnostic } from '../../config/diagnostics/diagnostic.js';
import { diagnosticJson } from '../../render/validate-report.js';
import type { ConfigPaths } from '../../config/load/paths.js';
import { EXIT, ExitError, type ExitCode } from '../../util/errors.js';

export interface CommandContext {
  paths: ConfigPaths;
  env: NodeJS.ProcessEnv;
  stdout: NodeJS.WriteStream;
  stderr: NodeJS.WriteStream;
  /** --quiet: say nothing on success (hooks and CI); findings and failures are still printed. */
  quiet?: boolean;
  /** Styles for stdout and stderr, each plain unless that stream is a colour TTY. */
  out: ChalkInstance;
  err: ChalkInstance;
}

export function print(stream: NodeJS.WriteStream, text: string): void {
  stream.write(text.endsWith('\n') ? text : `${text}\n`);
}

/**
 * Progress of something slow, a line at a time on stderr, nothing under --quiet. On a terminal a
 * line also clears what a progress bar left on it.
 */
export function progress(ctx: CommandContext): (line: string) => void {
  if (ctx.quiet) return () => undefined;
  const clear = ctx.stderr.isTTY ? '\r\u001b[K' : '';
  return (line) => print(ctx.stderr, `${clear}${ctx.err.dim(`› ${line}`)}`);
}

/** A success message: printed unless --quiet. */
export function success(ctx: CommandContext, text: string): void {
  if (!ctx.quiet) print(ctx.stdout, text);
}

/** A command's result: one JSON object on stdout under --json, its text otherwise (unless --quiet). */
export function report(ctx: CommandContext, json: boolean | undefined, data: Record<string, unknown>, text: string): void {
  if (json) print(ctx.stdout, JSON.stringify(data, null, 2));
  else success(ctx, text);
}

/**
 * A command that cannot do its job: under --json the same error object the CLI entry prints for
 * thrown errors (schemas/output/error.schema.json), with the findings that explain it; otherwise
 * the message on stderr (the caller has printed the findings). Ends the command with ExitError.
 */
export function fail(
  ctx: CommandContext,
  json: boolean | undefined,
  message: string,
  diagnostics: readonly Diagnostic[] = [],
  exitCode: ExitCode = EXIT.failed,
): never {
  if (json) {
    const list = diagnostics.map(diagnosticJson);
    print(
      ctx.stdout,
      JSON.stringify(
        { ok: false, exit_code: exitCode, error: { kind: 'error', message }, ...(list.length ? { diagnostics: list } : {}) },
        null,
        2,
      ),
    );
  } else print(ctx.stderr, `${ctx.err.red('✖')} ${message}`);
  throw new ExitError(exitCode);
}
