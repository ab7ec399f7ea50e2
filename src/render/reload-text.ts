// Human rendering of a reload or rollback result, and of a diff.
import type { ChalkInstance } from 'chalk';
import type { ReloadResult } from '../deploy/transaction.js';

export function renderDiff(diff: string, s: ChalkInstance): string {
  return diff
    .split('\n')
    .map((l) =>
      l.startsWith('+++') || l.startsWith('---')
        ? s.bold(l)
        : l.startsWith('+')
          ? s.green(l)
          : l.startsWith('-')
            ? s.red(l)
            : l.startsWith('@@')
              ? s.cyan(l)
              : l,
    )
    .join('\n');
}

export function renderReload(r: ReloadResult, s: ChalkInstance, showDiff: boolean): string {
  const out: string[] = [];
  if (showDiff && r.diff) out.push(renderDiff(r.diff, s), '');
  if (r.changes && !r.changes.identical) {
    const parts = [`${r.changes.lines_added} line${r.changes.lines_added === 1 ? '' : 's'} added, ${r.changes.lines_removed} removed`];
    if (r.changes.added.length) parts.push(`new names: ${r.changes.added.join(', ')}`);
    if (r.changes.removed.length) parts.push(`removed names: ${r.changes.removed.join(', ')}`);
    out.push(`changes: ${parts.join('; ')}`);
  }
  for (const w of r.warnings ?? []) out.push(`${s.yellow('warning:')} ${w}`);
  if (r.skipped) out.push(`${s.yellow('skipped:')} ${r.skipped}`);
  for (const x of r.secrets_changed ?? [])
    out.push(`${x.name} in the gateway's environment changed since the last applied reload (fingerprint ${x.before} -> ${x.after})`);
  if (r.lock_broken)
    out.push(`${s.yellow('broke the lock')} of pid ${r.lock_broken.pid} on ${r.lock_broken.host} (since ${r.lock_broken.started})`);
  for (const c of r.preflight ?? [])
    out.push(
      `pre-flight ${c.check}: ${c.skipped ? s.yellow('skipped') : c.ok ? s.green('ok') : s.red('failed')}: ${c.detail.replace(/\n/g, '\n    ')}`,
    );
  if (r.recovery)
    out.push(`${s.yellow('recovered')} interrupted run ${r.recovery.interrupted} (after '${r.recovery.after}'): ${r.recovery.action}`);
  if (r.backup) out.push(`backup: ${r.backup}`);
  for (const h of r.healed ?? []) out.push(`${s.yellow('healed:')} ${h}`);
  if (r.roll?.length)
    out.push(
      `roll: ${r.roll
        .map(
          (x) =>
            `${x.part} ${x.action}${x.action === 'skipped' ? '' : ` in ${x.ms} ms`}${x.cut ? s.red(` (${x.cut} cut)`) : ''}${x.phase === 'apply' ? '' : ` (${x.phase})`}`,
        )
        .join(', ')}`,
    );
  for (const p of r.probes) {
    const steps = p.steps.map((st) => `${st.step} ${st.ok ? s.green('ok') : s.red('failed')} at ${st.at_ms} ms`).join(', ');
    out.push(`probe (${p.phase}): ${p.ok ? s.green('healthy') : s.red('unhealthy')} in ${p.total_ms} ms: ${steps}`);
  }
  const mark = r.exit_code === 0 ? s.green('✔') : r.exit_code === 3 ? s.yellow('↩') : s.red('✖');
  out.push(`${mark} ${r.message}`);
  if (r.attention) {
    out.push(
      s.red.bold('The gateway needs a person:'),
      `  deployed: ${r.attention.deployed}`,
      `  running:  ${r.attention.running}`,
      `  backup:   ${r.attention.backup ?? '(none)'}`,
    );
  }
  if (r.status === 'applied' || r.status === 'rolled-back' || r.status === 'healed')
    out.push(
      s.dim(
        `took ${r.timings.total_ms} ms (pre-flight ${r.timings.preflight_ms} ms, restart ${r.timings.restart_ms} ms, waiting for health ${r.timings.ready_ms} ms)`,
      ),
    );
  return out.join('\n');
}
