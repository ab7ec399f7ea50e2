// The reload transaction: lock, recover an interrupted run, diff, pre-flight (the runtime works,
// the port is ours, LiteLLM loads the candidate), confirm, back up, write atomically, restart,
// probe (deployments and identity, not just names), and commit, or restore the backup, restart
// and probe again. The promise kept is Caddy's and Prometheus's: when this returns after a
// failure, the old config is serving again, or the result says plainly that a person is needed.
import path from 'node:path';
import { EXIT } from '../util/errors.js';
import { writeFileAtomic } from '../util/atomic-write.js';
import { sha256 } from '../util/canonical.js';
import { applyRetention, createBackup, readBackup, type BackupEntry } from './backups.js';
import { diffConfigs, servedNamesOf } from './diff.js';
import { Journal } from './journal.js';
import { aborted, appliedRecord, bodyOf, Operation, readIfExists, result, userFailure } from './operation.js';
import { preflight } from './preflight.js';
import { begin } from './recover.js';
import { statePaths, type ReloadOptions, type ReloadResult, type TransactionContext } from './types.js';

export { statePaths } from './types.js';
export type { ReloadOptions, ReloadResult, TransactionContext } from './types.js';

const NO_TERMINAL = 'refusing to change the gateway without confirmation: there is no terminal to ask; pass --yes (or --force)';

/** No terminal to ask and no --yes: the refusal is certain before anything is tried. */
function cannotConfirm(ctx: TransactionContext, opts: ReloadOptions): boolean {
  return !ctx.confirm && !opts.force && !opts.yes;
}

async function confirmOrRefuse(
  ctx: TransactionContext,
  opts: ReloadOptions,
  question: string,
  diff: string | undefined,
): Promise<string | undefined> {
  if (opts.force || opts.yes) return undefined;
  if (!ctx.confirm) return NO_TERMINAL;
  return (await ctx.confirm(question, diff)) ? undefined : 'cancelled: nothing was changed';
}

/** What a reload has to do, from the deployed file, the candidate and the journal. */
function plan(journal: Journal, deployed: string | undefined, candidate: string, env: NodeJS.ProcessEnv) {
  const sameBody = deployed !== undefined && bodyOf(deployed) === bodyOf(candidate);
  const last = journal.lastApplied();
  // Applied: the last reload that served recorded this body (older journals recorded whole files).
  const applied =
    sameBody &&
    last !== undefined &&
    (last.body_sha256 !== undefined ? last.body_sha256 === sha256(bodyOf(candidate)) : last.sha256 === sha256(deployed!));
  const now = journal.fingerprints(candidate, env);
  const secretsChanged = last?.env
    ? Object.entries(now)
        .filter(([n, fp]) => last.env![n] !== undefined && last.env![n] !== fp)
        .map(([name, after]) => ({ name, before: last.env![name]!, after }))
    : [];
  return { sameBody, headerOnly: sameBody && deployed !== candidate, applied, secretsChanged };
}

export async function runReload(ctx: TransactionContext, opts: ReloadOptions): Promise<ReloadResult> {
  const paths = statePaths(ctx);
  const timeoutMs = (opts.timeoutS ?? ctx.gateway.health.timeout_s) * 1000;
  const candidate = ctx.candidate!;
  const deployedText = readIfExists(paths.deployed);
  const journal = new Journal(paths.journal);
  const warnings: string[] = [];
  const boot = journal.lastBootMs();
  if (opts.timeoutS !== undefined && boot !== undefined && timeoutMs < boot) {
    warnings.push(
      `--timeout ${opts.timeoutS} s is shorter than the gateway's last measured boot (${(boot / 1000).toFixed(1)} s): the new config may be judged unhealthy only because it was not given time; a rollback waits at least ${Math.round((boot * 1.5 + 15_000) / 1000)} s`,
    );
  }
  warnings.forEach((w) => ctx.progress(`warning: ${w}`));

  const describe = (deployed: string | undefined) => {
    const p = plan(journal, deployed, candidate, ctx.env);
    const change = diffConfigs(path.basename(paths.deployed), p.sameBody ? candidate : deployed, candidate);
    const { diff, ...changes } = change;
    const restart = !p.sameBody || !p.applied || p.secretsChanged.length > 0 || Boolean(opts.restart);
    return { p, diff, changes: { ...changes, identical: p.sameBody }, restart };
  };
  let d = describe(deployedText);
  const secrets = (s: typeof d.p.secretsChanged) => (s.length ? { secrets_changed: s } : {});
  const note = (x: typeof d) =>
    x.p.secretsChanged.length
      ? `; referenced secrets changed since the last applied reload: ${x.p.secretsChanged.map((s) => `${s.name} (${s.before} -> ${s.after})`).join(', ')}`
      : x.p.sameBody && !x.p.applied
        ? '; no reload has applied it yet'
        : '';
  const base = (x: typeof d) => ({
    operation: 'reload' as const,
    changes: x.changes,
    ...(x.diff ? { diff: x.diff } : {}),
    backup: null,
    rollback: { happened: false },
    ...secrets(x.p.secretsChanged),
    ...(warnings.length ? { warnings } : {}),
  });
  d.p.secretsChanged.forEach((s) =>
    ctx.progress(
      `secret ${s.name} changed since the last applied reload (fingerprint ${s.before} -> ${s.after}); the gateway must restart to read it`,
    ),
  );

  // Read-only modes take no lock and write nothing, not even the journal; they do run the pre-flight.
  if (opts.validateOnly || opts.dryRun) {
    const pre = await preflight(ctx, paths.deployed, d.restart && !d.p.sameBody ? candidate : undefined);
    const b = { ...base(d), preflight: pre.checks };
    if (!pre.ok)
      return result(
        undefined,
        {
          ...b,
          status: 'refused',
          exit_code: EXIT.failed,
          message: `pre-flight failed: ${failedChecks(pre.checks)}; a reload would change nothing`,
        },
        paths,
      );
    if (opts.validateOnly)
      return result(
        undefined,
        {
          ...b,
          status: 'validated',
          exit_code: EXIT.ok,
          message: d.p.sameBody ? `valid; the deployed config is already identical${note(d)}` : 'valid; this is what a reload would change',
        },
        paths,
      );
    const steps = !d.restart
      ? d.p.headerOnly
        ? 'rewrite the provenance header only (no restart)'
        : 'nothing (identical)'
      : d.p.sameBody
        ? `${ctx.runtime.describe()} to run the deployed file, and probe ${ctx.gateway.gateway.url}`
        : `back up ${deployedText === undefined ? '(nothing deployed yet)' : paths.deployed}, write ${paths.deployed}, ${ctx.runtime.describe()}, probe ${ctx.gateway.gateway.url}`;
    return result(undefined, { ...b, status: 'dry-run', exit_code: EXIT.ok, message: `dry run: would ${steps}${note(d)}` }, paths);
  }

  const started = await begin(ctx, paths, timeoutMs, opts);
  const { op, lock } = started;
  try {
    const extra = {
      ...(started.recovery ? { recovery: started.recovery } : {}),
      ...(lock.takenOverFrom ? { lock_taken_over: { pid: lock.takenOverFrom.pid, started: lock.takenOverFrom.started } } : {}),
      ...(lock.broken ? { lock_broken: { pid: lock.broken.pid, host: lock.broken.host, started: lock.broken.started } } : {}),
    };
    if (started.failed) return { ...started.failed, ...extra };
    // Recovery may have restored an older file: plan against what is deployed now.
    const nowDeployed = started.recovery ? readIfExists(paths.deployed) : deployedText;
    if (started.recovery) d = describe(nowDeployed);
    const b = { ...base(d), ...extra };
    if (!d.restart) {
      op.journal.append(op.id, 'begin', { operation: 'reload', command: ctx.command, pid: process.pid });
      if (d.p.headerOnly) {
        writeFileAtomic(paths.deployed, candidate);
        op.journal.append(op.id, 'unchanged', appliedRecord(op.journal, candidate, ctx.env));
        return result(op, {
          ...b,
          status: 'unchanged',
          exit_code: EXIT.ok,
          message:
            'only the provenance header differs (a description or comment changed): rewrote it; the gateway already serves this config, no restart',
        });
      }
      op.journal.append(op.id, 'unchanged', appliedRecord(op.journal, candidate, ctx.env));
      return result(op, {
        ...b,
        status: 'unchanged',
        exit_code: EXIT.ok,
        message: 'the deployed config is already identical; no restart (use --restart to restart anyway)',
      });
    }
    if (d.p.sameBody && !d.p.applied)
      ctx.progress('the deployed file matches the sources, but no reload has applied it yet; the gateway will be restarted to run it');
    // Said before the pre-flight, whose LiteLLM start takes seconds (a minute on a loaded machine).
    if (cannotConfirm(ctx, opts)) return result(op, { ...b, status: 'refused', exit_code: EXIT.usage, message: NO_TERMINAL });
    const t0 = performance.now();
    const pre = await preflight(ctx, paths.deployed, d.p.sameBody ? undefined : candidate);
    op.preflightMs = performance.now() - t0;
    const bp = { ...b, preflight: pre.checks };
    if (!pre.ok)
      return result(op, {
        ...bp,
        status: 'refused',
        exit_code: EXIT.failed,
        message: `pre-flight failed: ${failedChecks(pre.checks)}; nothing was written and the gateway was not touched`,
      });
    const refusal = await confirmOrRefuse(
      ctx,
      opts,
      d.p.sameBody ? 'Restart the gateway with the same config?' : 'Apply these changes and restart the gateway?',
      d.diff,
    );
    if (refusal) return result(op, { ...bp, status: 'refused', exit_code: ctx.confirm ? EXIT.failed : EXIT.usage, message: refusal });

    op.journal.append(op.id, 'begin', { operation: 'reload', command: ctx.command, pid: process.pid, candidate: sha256(candidate) });
    let backup: BackupEntry | undefined;
    if (nowDeployed !== undefined) {
      backup = await createBackup(paths.backups, paths.deployed, nowDeployed, ctx.command, ctx.projectDir);
      op.journal.append(op.id, 'backed-up', { path: backup.path, sha256: backup.sha256 });
      ctx.progress(`backed up the deployed config to ${backup.path}`);
    }
    const write = nowDeployed !== candidate;
    if (write) ctx.progress(`writing ${paths.deployed}`);
    const applied = await op.deploy(candidate, 'apply', write);
    if (applied.writeFailed) return aborted(op, { ...bp, backup: backup?.path ?? null }, applied.reason!);
    if (applied.ok) {
      op.journal.append(op.id, 'committed', { ...appliedRecord(op.journal, candidate, ctx.env), backup: backup?.path ?? null });
      const removed = applyRetention(paths.backups, paths.deployed, ctx.gateway.backups.keep);
      if (removed.length) ctx.progress(`retention: removed ${removed.length} old backup${removed.length === 1 ? '' : 's'}`);
      return result(op, {
        ...bp,
        status: 'applied',
        exit_code: EXIT.ok,
        message: `applied: the gateway serves the new config (${servedNamesOf(candidate).length} names, every deployment verified)`,
        backup: backup?.path ?? null,
      });
    }
    ctx.progress(`the new config is not healthy: ${applied.reason}`);
    return await rollBack(op, ctx, { ...bp, backup: backup?.path ?? null }, backup, nowDeployed, applied.reason ?? 'unhealthy');
  } catch (err) {
    const failure = userFailure(err, 'reload', op, paths);
    if (!failure) throw err;
    op.journal.append(op.id, 'aborted', { reason: failure.message });
    return failure;
  } finally {
    lock.release();
  }
}

function failedChecks(checks: { ok: boolean; check: string; detail: string }[]): string {
  return checks
    .filter((c) => !c.ok)
    .map((c) => `${c.check}: ${c.detail}`)
    .join('; ');
}

async function rollBack(
  op: Operation,
  ctx: TransactionContext,
  b: Omit<ReloadResult, 'probes' | 'timings' | 'deployed' | 'status' | 'exit_code' | 'message'>,
  backup: BackupEntry | undefined,
  previous: string | undefined,
  reason: string,
): Promise<ReloadResult> {
  op.journal.append(op.id, 'rollback', { reason });
  if (!backup || previous === undefined) {
    op.journal.append(op.id, 'rollback-failed', { reason: 'no previous config to restore' });
    return result(op, {
      ...b,
      status: 'rollback-failed',
      exit_code: EXIT.rollbackFailed,
      message: `the new config is not healthy (${reason}), and there was no previous config to restore`,
      rollback: { happened: false, reason, restored: null, healthy: false },
      attention: { deployed: `${op.paths.deployed} (the new, unhealthy config)`, running: ctx.runtime.running(), backup: null },
    });
  }
  ctx.progress(`rolling back to ${backup.path} (waiting up to ${Math.round(op.restoreTimeoutMs / 1000)} s for it)`);
  const text = readBackup(backup);
  const restored = await op.deploy(text, 'rollback', true, true);
  if (restored.ok) {
    op.journal.append(op.id, 'rolled-back', {
      ...appliedRecord(op.journal, text, ctx.env),
      restored: backup.path,
      reason,
      ...(restored.restartFailed ? { restart_failed: restored.restartFailed } : {}),
    });
    const note = restored.restartFailed ? ' (its restart failed too, but the gateway kept serving it)' : '';
    return result(op, {
      ...b,
      status: 'rolled-back',
      exit_code: EXIT.rolledBack,
      message: `the new config failed (${reason}); the previous config was restored and is healthy${note}`,
      rollback: { happened: true, reason, restored: backup.path, healthy: true },
    });
  }
  op.journal.append(op.id, 'rollback-failed', { reason: restored.reason, restored: backup.path });
  return result(op, {
    ...b,
    status: 'rollback-failed',
    exit_code: EXIT.rollbackFailed,
    message: `the new config failed (${reason}), and so did the rollback (${restored.reason})`,
    rollback: { happened: true, reason, restored: backup.path, healthy: false },
    attention: {
      deployed: `${op.paths.deployed} (restored from ${backup.path}, sha256 ${backup.sha256.slice(0, 12)})`,
      running: ctx.runtime.running(),
      backup: backup.path,
    },
  });
}

/** `aibackend rollback`: restore a backup (the previous config by default), restart, probe. */
export async function runRollback(
  ctx: TransactionContext,
  opts: ReloadOptions & { to?: BackupEntry; pick: () => BackupEntry | undefined },
): Promise<ReloadResult> {
  const paths = statePaths(ctx);
  const timeoutMs = (opts.timeoutS ?? ctx.gateway.health.timeout_s) * 1000;
  const started = await begin(ctx, paths, timeoutMs, opts, 'rollback');
  const { op, lock } = started;
  const skipped = ctx.skipped ? { skipped: ctx.skipped } : {};
  try {
    if (started.failed) return { ...started.failed, operation: 'rollback', ...skipped };
    const recovery = started.recovery ? { recovery: started.recovery } : {};
    const base = { operation: 'rollback' as const, backup: null, rollback: { happened: false }, ...recovery, ...skipped };
    // Recovery already went back to the last config that served: that is what a rollback means.
    if (started.recovery?.restored && !opts.to) {
      return result(op, {
        ...base,
        status: 'recovered',
        exit_code: EXIT.ok,
        message: `the interrupted run was recovered: ${started.recovery.restored}, the last config that served, is deployed and healthy; nothing further was rolled back (use --to to go further back)`,
      });
    }
    const target = opts.to ?? opts.pick();
    if (!target)
      return result(op, { ...base, status: 'refused', exit_code: EXIT.failed, message: `no backup to roll back to in ${paths.backups}` });
    const text = readBackup(target);
    const current = readIfExists(paths.deployed);
    const change = diffConfigs(path.basename(paths.deployed), current, text);
    const { diff, ...changes } = change;
    const b = { ...base, changes, ...(diff ? { diff } : {}) };
    if (!opts.dryRun && cannotConfirm(ctx, opts))
      return result(op, { ...b, status: 'refused', exit_code: EXIT.usage, message: NO_TERMINAL });
    const pre = await preflight(ctx, paths.deployed, undefined);
    const bp = { ...b, preflight: pre.checks };
    if (!pre.ok)
      return result(op, {
        ...bp,
        status: 'refused',
        exit_code: EXIT.failed,
        message: `pre-flight failed: ${failedChecks(pre.checks)}; nothing was changed`,
      });
    if (opts.dryRun) return result(op, { ...bp, status: 'dry-run', exit_code: EXIT.ok, message: `dry run: would restore ${target.path}` });
    const refusal = await confirmOrRefuse(ctx, opts, `Restore ${target.file} and restart the gateway?`, diff);
    if (refusal) return result(op, { ...bp, status: 'refused', exit_code: ctx.confirm ? EXIT.failed : EXIT.usage, message: refusal });
    op.journal.append(op.id, 'begin', { operation: 'rollback', command: ctx.command, pid: process.pid, target: target.path });
    let backup: BackupEntry | undefined;
    if (current !== undefined) {
      backup = await createBackup(paths.backups, paths.deployed, current, ctx.command, ctx.projectDir);
      op.journal.append(op.id, 'backed-up', { path: backup.path, sha256: backup.sha256 });
    }
    const res = await op.deploy(text, 'apply', !change.identical);
    if (res.writeFailed) return aborted(op, { ...bp, backup: backup?.path ?? null }, res.reason!);
    if (res.ok) {
      op.journal.append(op.id, 'committed', { ...appliedRecord(op.journal, text, ctx.env), restored: target.path });
      return result(op, {
        ...bp,
        backup: backup?.path ?? null,
        status: 'applied',
        exit_code: EXIT.ok,
        message: `rolled back to ${target.file}; the gateway is healthy`,
      });
    }
    return await rollBack(op, ctx, { ...bp, backup: backup?.path ?? null }, backup, current, res.reason ?? 'unhealthy');
  } catch (err) {
    const failure = userFailure(err, 'rollback', op, paths);
    if (!failure) throw err;
    op.journal.append(op.id, 'aborted', { reason: failure.message });
    return { ...failure, ...skipped };
  } finally {
    lock.release();
  }
}
