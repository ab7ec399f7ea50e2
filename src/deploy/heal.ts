// A reload with nothing to change, and `recover`, still bring the declared topology back: when the
// runtime finds a part that does not run the deployed file as declared (HAProxy dead or deaf, a
// replica dead, foreign or held out of rotation by a killed roll), the deployed file is restarted
// where needed and probed through gateway.url. Nothing is written: the file that served stays.
import { conclude, type Attempt, type ResultFields } from './attempt.js';
import type { ReloadResult } from './types.js';

/** undefined when every part runs the deployed file as declared; else the result of repairing it. */
export async function healTopology(
  attempt: Attempt,
  deployed: string | undefined,
  fields: ResultFields,
): Promise<ReloadResult | undefined> {
  const { ctx, paths } = attempt;
  if (deployed === undefined || !ctx.runtime.drift) return undefined;
  const drift = await ctx.runtime.drift(paths.deployed, ctx.gateway.gateway.url);
  if (!drift.length) return undefined;
  drift.forEach((d) => ctx.progress(`not as declared: ${d}`));
  attempt.journal.append(attempt.id, 'begin', { operation: 'heal', command: ctx.command, pid: process.pid, drift });
  const healed = await attempt.deploy(deployed, 'heal', false);
  if (healed.ok) {
    attempt.journal.append(attempt.id, 'healed', { drift });
    return conclude(attempt, {
      ...fields,
      outcome: 'healed',
      message: `the deployed config was already the one to serve, but ${drift.join('; ')}: repaired, and every part serves it again`,
    });
  }
  attempt.journal.append(attempt.id, 'aborted', { reason: `healing failed: ${healed.reason}` });
  return conclude(attempt, {
    ...fields,
    outcome: 'unhealed',
    message: `the deployed config was already the one to serve, but ${drift.join('; ')}, and repairing it failed: ${healed.reason}`,
    attention: { deployed: `${paths.deployed} (unchanged)`, running: ctx.runtime.running(), backup: null },
  });
}
