// The CLI entry: build the command tree, run the one command asked for, and turn how it ended into
// an exit code. Known errors map to their codes here and only here; anything else is a bug, said as one.
import { CommanderError } from '@commander-js/extra-typings';
import { CliError, EXIT, ExitError } from '../util/errors.js';
import { buildProgram } from './program.js';

/** The first word of argv that is not an option or an option's value: the command asked for. */
function commandWord(argv: string[]): string | undefined {
  for (let i = 2; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--') return argv[i + 1];
    if (a === '-C' || a === '--config-dir') i++;
    else if (!a.startsWith('-')) return a;
  }
  return undefined;
}

export async function main(argv: string[]): Promise<number> {
  const { program, result } = buildProgram();
  // Under --json every exit path prints one JSON object on stdout; a command that did not print
  // its own result ended in one of the errors below, which print this one (schemas/output/error.schema.json).
  const json = argv.slice(2).includes('--json');
  const fail = (code: number, message: string, kind: 'usage' | 'error' | 'internal') => {
    if (json) process.stdout.write(`${JSON.stringify({ ok: false, exit_code: code, error: { kind, message } }, null, 2)}\n`);
    return code;
  };
  // `aibackend nosuchcommand --help` is a mistake, not a request for the main help.
  const word = commandWord(argv);
  if (word !== undefined && word !== 'help' && !program.commands.some((c) => c.name() === word || c.aliases().includes(word))) {
    const names = program.commands.map((c) => c.name());
    const { Suggester } = await import('../util/suggest.js');
    const close = new Suggester(names).suggest(word);
    const message = `unknown command '${word}'${close ? `; did you mean '${close}'?` : ''} (commands: ${names.join(', ')})`;
    process.stderr.write(`aibackend: ${message}\n`);
    return fail(EXIT.usage, message, 'usage');
  }
  try {
    await program.parseAsync(argv);
    return result.code;
  } catch (err) {
    // The command already said what went wrong.
    if (err instanceof ExitError) return err.exitCode;
    if (err instanceof CommanderError) {
      // --help and --version end through here with exit code 0; commander already said what was wrong.
      return err.exitCode === 0 ? EXIT.ok : fail(EXIT.usage, err.message.replace(/^error: /, ''), 'usage');
    }
    if (err instanceof CliError) {
      process.stderr.write(`aibackend: ${err.message}\n`);
      return fail(err.exitCode, err.message, err.exitCode === EXIT.usage ? 'usage' : 'error');
    }
    const e = err as Error;
    process.stderr.write(`aibackend: internal error: ${e?.message ?? String(err)}\n`);
    if (process.env.AIBACKEND_DEBUG) process.stderr.write(`${e?.stack ?? ''}\n`);
    else process.stderr.write('(set AIBACKEND_DEBUG=1 for a stack trace, and please report it)\n');
    return fail(EXIT.failed, `internal error: ${e?.message ?? String(err)}`, 'internal');
  }
}

// A closed stdout (`aibackend validate --help | head -3`) ends the process quietly, as Unix tools do.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw err;
  });
}

/**
 * Once the command is done and nothing is left to wait for but V8's background work (compile and
 * GC jobs that Node drains before exiting: 5-15 ms after a validate), exit. Only when stdout and
 * stderr have nothing buffered (where stdio is asynchronous, a pending write is never cut off) and
 * no handle, child, socket or timer is still active: a command that left work running keeps the
 * normal ending.
 */
function exitWhenIdle(): void {
  setImmediate(() => {
    const busy = process.getActiveResourcesInfo().some((r) => r !== 'TTYWrap' && r !== 'PipeWrap');
    if (!busy && process.stdout.writableLength === 0 && process.stderr.writableLength === 0) process.exit();
  });
}

const started = process.hrtime.bigint();
main(process.argv).then(
  (code) => {
    process.exitCode = code;
    // For bench/: wall time and peak memory of this run, on stderr, only when asked.
    if (process.env.AIBACKEND_STATS) {
      process.stderr.write(
        `aibackend-stats: ms=${(Number(process.hrtime.bigint() - started) / 1e6).toFixed(1)} maxrss_kb=${process.resourceUsage().maxRSS}\n`,
      );
    }
    exitWhenIdle();
  },
  () => {
    process.exitCode = EXIT.failed;
  },
);
