// Errors the CLI expects, each with its exit code. Anything else is a bug and is reported as one.

export const EXIT = {
  ok: 0,
  failed: 1,
  usage: 2,
  rolledBack: 3,
  rollbackFailed: 4,
  locked: 5,
} as const;

export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

/** An error whose message the CLI entry prints on stderr (and in the JSON error object under --json). */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: ExitCode = EXIT.failed,
  ) {
    super(message);
    this.name = 'CliError';
  }
}

export class UsageError extends CliError {
  constructor(message: string) {
    super(message, EXIT.usage);
    this.name = 'UsageError';
  }
}

/**
 * The command has already said what went wrong (its findings, or its JSON result on stdout): the
 * CLI entry exits with this code and prints nothing more.
 */
export class ExitError extends Error {
  constructor(readonly exitCode: ExitCode) {
    super(`exit ${exitCode}`);
    this.name = 'ExitError';
  }
}
