// Errors the CLI expects, each with its exit code. Anything else is a bug and is reported as one.

export const EXIT = {
  ok: 0,
  failed: 1,
  usage: 2,
  rolledBack: 3,
  rollbackFailed: 4,
  locked: 5,
} as const;

export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: number = EXIT.failed,
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
