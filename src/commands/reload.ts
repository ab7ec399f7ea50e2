// aibackend reload: bring the running gateway to what the sources say, never leaving it broken.
import { createInterface } from 'node:readline/promises';
import { checkConfig } from '../core/check-config.js';
import { EXIT } from '../errors.js';
import { renderDiff, renderReload } from '../render/reload-text.js';
import { runReload, type ReloadOptions, type TransactionContext } from '../reload/transaction.js';
import { makeRuntime } from '../runtime/adapter.js';
import { print, type CommandContext } from './context.js';
import { reportDiagnostics } from './generate.js';

export interface ReloadFlags extends ReloadOptions {
  json?: boolean;
  /** --timeout, in seconds (the CLI parses it). */
  timeout?: number;
}

export async function reload(ctx: CommandContext, flags: ReloadFlags): Promise<number> {
  const tx = prepare(ctx, flags);
  if (typeof tx === 'number') return tx;
  const r = await runReload(tx, { ...flags, ...timeoutOf(flags) });
  print(ctx.stdout, flags.json ? JSON.stringify(r, null, 2) : renderReload(r, ctx.out, !tx.confirm || r.status === 'validated'));
  return r.exit_code;
}

/** Validation with unset env: variables as errors, the runtime, and the terminal hooks. */
export function prepare(ctx: CommandContext, flags: { json?: boolean }): TransactionContext | number {
  const checked = checkConfig(ctx.paths, { env: ctx.env, unsetEnvSeverity: 'error' });
  if (!checked.compiled || !checked.loaded.gateway) {
    reportDiagnostics(ctx, checked);
    const message = `nothing changed: the config has ${checked.errors} error${checked.errors === 1 ? '' : 's'}`;
    if (flags.json) print(ctx.stdout, JSON.stringify({ status: 'invalid', exit_code: EXIT.failed, message, errors: checked.errors }, null, 2));
    else print(ctx.stderr, `${ctx.err.red('✖')} ${message}`);
    return EXIT.failed;
  }
  if (checked.warnings > 0) reportDiagnostics(ctx, checked);
  const gateway = checked.loaded.gateway;
  const interactive = Boolean(process.stdin.isTTY && ctx.stderr.isTTY);
  return {
    checked,
    gateway,
    runtime: makeRuntime(gateway.runtime, checked.loaded.paths.projectDir),
    env: ctx.env,
    command: ['aibackend', ...process.argv.slice(2)].join(' '),
    progress: (line) => print(ctx.stderr, ctx.err.dim(`› ${line}`)),
    ...(interactive ? { confirm: (q: string, diff: string | undefined) => ask(ctx, q, diff) } : {}),
  };
}

export function timeoutOf(flags: { timeout?: number }): { timeoutS?: number } {
  return flags.timeout === undefined ? {} : { timeoutS: flags.timeout };
}

async function ask(ctx: CommandContext, question: string, diff: string | undefined): Promise<boolean> {
  if (diff) print(ctx.stderr, renderDiff(diff, ctx.err));
  const rl = createInterface({ input: process.stdin, output: ctx.stderr });
  try {
    const answer = await rl.question(`${question} [y/N] `);
    return /^y(es)?$/i.test(answer.trim());
  } finally {
    rl.close();
  }
}
