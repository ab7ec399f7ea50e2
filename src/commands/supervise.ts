// aibackend supervise [--interval S] [--once] [--systemd]: every interval, `recover` (finish an
// interrupted run, repair what drifted from the declared topology); or print the systemd unit that
// runs it.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { SuperviseFlags } from '../cli/specs/deploy.js';
import { userFailure } from '../deploy/attempt.js';
import { runRecover } from '../deploy/recover.js';
import { statePaths } from '../deploy/types.js';
import { DEFAULT_INTERVAL_S, superviseLoop, systemdUnit } from '../deploy/supervise.js';
import { renderReload } from '../render/reload-text.js';
import { EXIT, ExitError } from '../util/errors.js';
import { print, type CommandContext } from './shared/context.js';
import { prepareTransaction, timeoutOf } from './shared/transaction.js';

export async function run(ctx: CommandContext, flags: SuperviseFlags): Promise<number> {
  const intervalS = flags.interval ?? DEFAULT_INTERVAL_S;
  if (flags.systemd) {
    const cli = path.resolve(process.argv[1] ?? fileURLToPath(new URL('../../bin/aibackend.js', import.meta.url)));
    print(ctx.stdout, systemdUnit({ node: process.execPath, cli, configDir: ctx.paths.configDir, intervalS }));
    return EXIT.ok;
  }
  let stop = false;
  const onSignal = () => (stop = true);
  process.once('SIGTERM', onSignal);
  process.once('SIGINT', onSignal);
  if (!flags.once && !ctx.quiet)
    print(ctx.stderr, ctx.err.dim(`› supervising ${ctx.paths.projectDir} every ${intervalS} s (SIGTERM or Ctrl-C stops)`));
  let worst: number = EXIT.ok;
  let ticks = 0;
  await superviseLoop({
    intervalMs: intervalS * 1000,
    once: Boolean(flags.once),
    stopped: () => stop,
    tick: async () => {
      // The sources' warnings are said on the first tick only, not every interval.
      const tx = prepareTransaction(ctx, { json: false }, 'restore', ticks++ > 0);
      try {
        return await runRecover(tx, { yes: true, ...timeoutOf(flags) });
      } catch (err) {
        // A held lock (a reload runs: this tick is skipped) or an error of the machine, as a result.
        const failure = userFailure(err, 'recover', undefined, statePaths(tx));
        if (!failure) throw err;
        return failure;
      }
    },
    report: (r) => {
      worst = Math.max(worst, r.exit_code);
      print(
        ctx.stdout,
        flags.json
          ? JSON.stringify({ time: new Date().toISOString(), ...r })
          : `${new Date().toISOString()} ${renderReload(r, ctx.out, false)}`,
      );
    },
    failed: (err) => {
      // The sources are unusable (already reported) or the machine refused: say so, try again next tick.
      if (!(err instanceof ExitError)) print(ctx.stderr, `${ctx.err.red('✖')} ${(err as Error).message}`);
      worst = Math.max(worst, EXIT.failed);
    },
  });
  process.off('SIGTERM', onSignal);
  process.off('SIGINT', onSignal);
  return flags.once ? worst : EXIT.ok;
}
