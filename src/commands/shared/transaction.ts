// What reload, rollback and recover share on the command side: the transaction's context from the
// checked sources (or the findings that refuse it), and printing the one result of a run.
import { checkConfig } from '../../config/check-config.js';
import { userFailure } from '../../deploy/attempt.js';
import { transactionContext, type TransactionMode } from '../../deploy/context.js';
import { statePaths, type ReloadResult, type TransactionContext } from '../../deploy/types.js';
import { renderDiff, renderReload } from '../../render/reload-text.js';
import { EXIT, ExitError } from '../../util/errors.js';
import { askYesNo, canAsk } from '../../util/prompt.js';
import { print, progress, type CommandContext } from './context.js';
import { reportDiagnostics } from './diagnostics.js';

/** The context of a transaction, or (the command ends) the findings that make the sources unusable for it. */
export function prepareTransaction(
  ctx: CommandContext,
  flags: { json?: boolean },
  mode: TransactionMode,
  /** Leave out findings that do not stop it (supervise: said once, not every tick). */
  quietFindings = false,
): TransactionContext {
  const checked = checkConfig(ctx.paths, { env: ctx.env, unsetEnvSeverity: mode === 'reload' ? 'error' : 'warning' });
  const prepared = transactionContext(checked, mode, {
    env: ctx.env,
    command: ['aibackend', ...process.argv.slice(2)].join(' '),
    progress: progress(ctx),
    ...(canAsk(ctx.stderr) ? { confirm: (question: string, diff: string | undefined) => confirm(ctx, question, diff) } : {}),
  });
  if ('unusable' in prepared) {
    reportDiagnostics(ctx, checked);
    const message = prepared.unusable;
    if (flags.json)
      print(
        ctx.stdout,
        JSON.stringify(
          {
            operation: mode === 'reload' ? 'reload' : 'rollback',
            status: 'invalid',
            exit_code: EXIT.failed,
            message,
            errors: checked.errors,
          },
          null,
          2,
        ),
      );
    else print(ctx.stderr, `${ctx.err.red('✖')} ${message}`);
    throw new ExitError(EXIT.failed);
  }
  if (!quietFindings) reportDiagnostics(ctx, checked);
  return prepared;
}

/**
 * Runs a transaction and prints its one result: an error the person can act on (a held lock, a
 * full disk, a permission) is a result with its exit code too, on stdout as JSON under --json.
 */
export async function settle(
  ctx: CommandContext,
  flags: { json?: boolean },
  tx: TransactionContext,
  operation: ReloadResult['operation'],
  run: () => Promise<ReloadResult>,
): Promise<ReloadResult> {
  let r: ReloadResult;
  try {
    r = await run();
  } catch (err) {
    const failure = userFailure(err, operation, undefined, statePaths(tx));
    if (!failure) throw err;
    r = failure;
  }
  // A held lock or an error of the machine is not a result people pipe: text goes to stderr.
  if (flags.json) print(ctx.stdout, JSON.stringify(r, null, 2));
  else if (r.status === 'locked' || r.status === 'error') print(ctx.stderr, renderReload(r, ctx.err, false));
  else if (!(ctx.quiet && r.exit_code === EXIT.ok)) print(ctx.stdout, renderReload(r, ctx.out, !tx.confirm || r.status === 'validated'));
  return r;
}

/** --timeout in seconds, as the transaction's option. */
export function timeoutOf(flags: { timeout?: number }): { timeoutS?: number } {
  return flags.timeout === undefined ? {} : { timeoutS: flags.timeout };
}

async function confirm(ctx: CommandContext, question: string, diff: string | undefined): Promise<boolean> {
  if (diff) print(ctx.stderr, renderDiff(diff, ctx.err));
  return askYesNo(question, ctx.stderr);
}
