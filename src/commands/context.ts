// What every command receives from the CLI entry: resolved paths, streams and colour choices.
import type { ChalkInstance } from 'chalk';
import type { ConfigPaths } from '../load/paths.js';

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

/** A success message: printed unless --quiet. */
export function success(ctx: CommandContext, text: string): void {
  if (!ctx.quiet) print(ctx.stdout, text);
}
