// The reload transaction: lock, recover an interrupted run, diff, pre-flight (the runtime works,
// the port is ours, LiteLLM loads the candidate), confirm, back up, write atomically, restart,
// probe (deployments and identity, not just names), and commit, or restore the backup, restart
// and probe again. When this returns after a failure, the old config is serving again, or the
// result says plainly that a person is needed.
import path from 'node:path';
import { writeFileAtomic } from '../util/atomic-write.js';
import { sha256 } from '../util/canonical.js';
import { abortedWrite, appliedRecord, Attempt, bodyOf, conclude, readIfExists, userFailure, type ResultFields } from './attempt.js';
import { applyRetention, createBackup, findBackup, listBackups, readBackup, type BackupEntry } from './backups.js';
import { diffConfigs, servedNamesOf, type ConfigChange } from '../config/config-diff.js';
import { Journal, runtimeEnvOf } from './journal.js';
import { preflight } from './preflight.js';
import { healTopology } from './heal.js';
import { begin } from './recover.js';
import { statePaths, type ReloadOptions, type ReloadResult, type TransactionContext } from './types.js';
import { CliError } from '../util/errors.js';

export { statePaths } from './types.js';
export type { ReloadOptions, ReloadResult, TransactionContext } from './types.js';

const NO_TERMINAL = 'refusing to change the gateway without confirmation: there is no terminal to ask; pass --yes (or --force)';

/** No terminal to ask and no --yes: the refusal is certain before anything is tried. */
function cannotConfirm(ctx: TransactionContext, opts: ReloadOptions): boolean {
  return !ctx.confirm && !opts.force && !opts.yes;
}

/** Ask before changing the gateway; undefined when it may go ahead, else the refusal. */
async function confirmOrRefuse(
  ctx: TransactionContext,
  opts: ReloadOptions,
  question: string,
  diff: string | undefined,
): Promise<{ outcome: 'refused' | 'unconfirmed'; message: string } | undefined> {
  if (opts.force || opts.yes) return undefined;
  if (!ctx.confirm) return { outcome: 'unconfirmed', message: NO_TERMINAL };
  return (await ctx.confirm(question, diff)) ? undefined : { outcome: 'refused', message: 'cancelled: nothing was changed' };
}

type SecretChange = { name: string; before: string; after: string };

/** What a reload has to do, from the deployed file, the candidate and the journal. */
interface ReloadPlan {
  /** The deployed file's body (without the provenance header) is the candidate's. */
  sameBody: boolean;
  /** Only the provenance header differs: rewrite it, restart nothing. */
  headerOnly: boolean;
  /** The last reload that served recorded this body. */
  applied: boolean;
  /** Referenced secrets whose fingerprints changed since that reload. */
  secretsChanged: SecretChange[];
  /** The gateway must restart (a new body, one never applied, a changed secret, or --restart). */
  restart: boolean;
  diff: string | undefined;
  changes: Omit<ConfigChange, 'diff'>;
}

function planReload(
  journal: Journal,
  deployed: string | undefined,
  candidate: string,
  deployedName: string,
  env: NodeJS.ProcessEnv,
  forceRestart: boolean,
): ReloadPlan {
  const sameBody = deployed !== undefined && bodyOf(deployed) === bodyOf(candidate);
  const last = journal.lastApplied();
  // Older journals recorded the sha256 of whole files, newer ones that of the body.
  const applied =
    sameBody &&
    last !== undefined &&
    (last.body_sha256 !== undefined ? last.body_sha256 === sha256(bodyOf(candidate)) : last.sha256 === sha256(deployed!));
  const fingerprints = journal.fingerprints(candidate, env);
  // A name the last record lacks was unset then when that record covered the runtime's environment;
  // in older records it was simply not looked at.
  const before = (name: string) => last?.env?.[name] ?? (last?.envCoversRuntime ? 'unset' : undefined);
  const secretsChanged = last?.env
    ? [...new Set([...Object.keys(fingerprints), ...(last.envCoversRuntime ? Object.keys(last.env) : [])])]
        .sort()
        .map((name) => ({ name, before: before(name), after: fingerprints[name] ?? 'unset' }))
        .filter((c): c is { name: string; before: string; after: string } => c.before !== undefined && c.before !== c.after)
    : [];
  const { diff, ...changes } = diffConfigs(deployedName, sameBody ? candidate : deployed, candidate);
  return {
    sameBody,
    headerOnly: sameBody && deployed !== candidate,
    applied,
    secretsChanged,
    restart: !sameBody || !applied || secretsChanged.length > 0 || forceRestart,
    diff,
    changes: { ...changes, identical: sameBody },
  };
}

/** The tail of a message that says why an identical config still restarts. */
function restartReason(plan: ReloadPlan): string {
  if (plan.secretsChanged.length)
    return `; the gateway's environment changed since the last applied reload: ${plan.secretsChanged.map((s) => `${s.name} (${s.before} -> ${s.after})`).join(', ')}`;
  return plan.sameBody && !plan.applied ? '; no reload has applied it yet' : '';
}

/** What every result of a reload reports about the plan. */
function planFields(plan: ReloadPlan, warnings: string[]): ResultFields {
  return {
    operation: 'reload',
    changes: plan.changes,
    ...(plan.diff ? { diff: plan.diff } : {}),
    backup: null,
    rollback: { happened: false },
    ...(plan.secretsChanged.length ? { secrets_changed: plan.secretsChanged } : {}),
    ...(warnings.length ? { warnings } : {}),
  };
}

/** `reload --validate-only` and `--dry-run`: the pre-flight and what a reload would do, with no lock and no write. */
async function previewReload(
  ctx: TransactionContext,
  opts: ReloadOptions,
  plan: ReloadPlan,
  deployedText: string | undefined,
  warnings: string[],
): Promise<ReloadResult> {
  const paths = statePaths(ctx);
  const candidate = ctx.candidate!;
  const checks = await preflight(ctx, paths.deployed, plan.restart && !plan.sameBody ? candidate : undefined);
  const fields = { ...planFields(plan, warnings), preflight: checks.checks };
  if (!checks.ok)
    return conclude(
      undefined,
      { ...fields, outcome: 'refused', message: `pre-flight failed: ${failedChecks(checks.checks)}; a reload would change nothing` },
      paths,
    );
  if (opts.validateOnly)
    return conclude(
      undefined,
      {
        ...fields,
        outcome: 'validated',
        message: plan.sameBody
          ? `valid; the deployed config is already identical${restartReason(plan)}`
          : 'valid; this is what a reload would change',
      },
      paths,
    );
  if (!plan.restart && !plan.headerOnly) {
    // Nothing to apply; a real reload would still repair what drifted from the declared topology.
    const drift = (await ctx.runtime.drift?.(paths.deployed, ctx.gateway.gateway.url)) ?? [];
    const message = drift.length
      ? `dry run: the deployed config is already identical, but ${drift.join('; ')}: a reload would repair that (status healed)`
      : 'dry run: nothing to do: the deployed config is already identical and every part runs it';
    return conclude(undefined, { ...fields, outcome: 'dry-run', message }, paths);
  }
  const steps = !plan.restart
    ? 'rewrite the provenance header only (no restart)'
    : plan.sameBody
      ? `${ctx.runtime.describe()} to run the deployed file, and probe ${ctx.gateway.gateway.url}`
      : `back up ${deployedText === undefined ? '(nothing deployed yet)' : paths.deployed}, write ${paths.deployed}, ${ctx.runtime.describe()}, probe ${ctx.gateway.gateway.url}`;
  return conclude(undefined, { ...fields, outcome: 'dry-run', message: `dry run: would ${steps}${restartReason(plan)}` }, paths);
}

export async function runReload(ctx: TransactionContext, opts: ReloadOptions): Promise<ReloadResult> {
  const paths = statePaths(ctx);
  const timeoutMs = (opts.timeoutS ?? ctx.gateway.health.timeout_s) * 1000;
  const candidate = ctx.candidate!;
  const deployedText = readIfExists(paths.deployed);
  const journal = new Journal(paths.journal, runtimeEnvOf(ctx.gateway));
  const warnings: string[] = [];
  const lastBootMs = journal.lastBootMs();
  if (opts.timeoutS !== undefined && lastBootMs !== undefined && timeoutMs < lastBootMs) {
    warnings.push(
      `--timeout ${opts.timeoutS} s is shorter than the gateway's last measured boot (${(lastBootMs / 1000).toFixed(1)} s): the new config may be judged unhealthy only because it was not given time; a rollback waits at least ${Math.round((lastBootMs * 1.5 + 15_000) / 1000)} s`,
    );
  }
  warnings.forEach((w) => ctx.progress(`warning: ${w}`));
  const planFor = (deployed: string | undefined) =>
    planReload(journal, deployed, candidate, path.basename(paths.deployed), ctx.env, Boolean(opts.restart));

  let plan = planFor(deployedText);
  plan.secretsChanged.forEach((s) =>
    ctx.progress(
      `${s.name} in the gateway's environment changed since the last applied reload (fingerprint ${s.before} -> ${s.after}); the gateway must restart to read it`,
    ),
  );

  // Read-only modes take no lock and write nothing, not even the journal; they do run the pre-flight.
  if (opts.validateOnly || opts.dryRun) return previewReload(ctx, opts, plan, deployedText, warnings);

  const started = await begin(ctx, paths, timeoutMs, opts);
  const { attempt, lock } = started;
  try {
    const lockFields = {
      ...(started.recovery ? { recovery: started.recovery } : {}),
      ...(lock.takenOverFrom ? { lock_taken_over: { pid: lock.takenOverFrom.pid, started: lock.takenOverFrom.started } } : {}),
      ...(lock.broken ? { lock_broken: { pid: lock.broken.pid, host: lock.broken.host, started: lock.broken.started } } : {}),
    };
    if (started.failed) return { ...started.failed, ...lockFields };
    // Recovery may have restored an older file: plan against what is deployed now.
    const nowDeployed = started.recovery ? readIfExists(paths.deployed) : deployedText;
    if (started.recovery) plan = planFor(nowDeployed);
    const fields = { ...planFields(plan, warnings), ...lockFields };
    // A secret or --restart: every part restarts, so that each reads the new environment.
    attempt.restartAll = plan.secretsChanged.length > 0 || Boolean(opts.restart);
    if (!plan.restart) {
      ctx.beforeApply?.();
      const healed = await healTopology(attempt, nowDeployed, fields);
      if (healed) return healed;
      attempt.journal.append(attempt.id, 'begin', { operation: 'reload', command: ctx.command, pid: process.pid });
      if (plan.headerOnly) writeFileAtomic(paths.deployed, candidate);
      attempt.journal.append(attempt.id, 'unchanged', appliedRecord(attempt.journal, candidate, ctx.env));
      return conclude(attempt, {
        ...fields,
        outcome: 'unchanged',
        message: plan.headerOnly
          ? 'only the provenance header differs (a description or comment changed): rewrote it; the gateway already serves this config, no restart'
          : 'the deployed config is already identical; no restart (use --restart to restart anyway)',
      });
    }
    if (plan.sameBody && !plan.applied)
      ctx.progress('the deployed file matches the sources, but no reload has applied it yet; the gateway will be restarted to run it');
    // Said before the pre-flight, whose LiteLLM start takes seconds.
    if (cannotConfirm(ctx, opts)) return conclude(attempt, { ...fields, outcome: 'unconfirmed', message: NO_TERMINAL });
    const preflightStart = performance.now();
    const checks = await preflight(ctx, paths.deployed, plan.sameBody ? undefined : candidate);
    attempt.preflightMs = performance.now() - preflightStart;
    const checkedFields = { ...fields, preflight: checks.checks };
    if (!checks.ok)
      return conclude(attempt, {
        ...checkedFields,
        outcome: 'refused',
        message: `pre-flight failed: ${failedChecks(checks.checks)}; nothing was written and the gateway was not touched`,
      });
    const refusal = await confirmOrRefuse(
      ctx,
      opts,
      plan.sameBody ? 'Restart the gateway with the same config?' : 'Apply these changes and restart the gateway?',
      plan.diff,
    );
    if (refusal) return conclude(attempt, { ...checkedFields, ...refusal });

    attempt.journal.append(attempt.id, 'begin', {
      operation: 'reload',
      command: ctx.command,
      pid: process.pid,
      candidate: sha256(candidate),
    });
    const backup = await backUp(attempt, nowDeployed);
    const withBackup = { ...checkedFields, backup: backup?.path ?? null };
    ctx.beforeApply?.();
    const write = nowDeployed !== candidate;
    if (write) ctx.progress(`writing ${paths.deployed}`);
    const deployed = await attempt.deploy(candidate, 'apply', write);
    if (deployed.writeFailed) return abortedWrite(attempt, withBackup, deployed.reason!);
    if (deployed.ok) {
      attempt.journal.append(attempt.id, 'committed', {
        ...appliedRecord(attempt.journal, candidate, ctx.env),
        backup: backup?.path ?? null,
      });
      const removed = applyRetention(paths.backups, paths.deployed, ctx.gateway.backups.keep);
      if (removed.length) ctx.progress(`retention: removed ${removed.length} old backup${removed.length === 1 ? '' : 's'}`);
      return conclude(attempt, {
        ...withBackup,
        outcome: 'applied',
        message: `applied: the gateway serves the new config (${servedNamesOf(candidate).length} names, every deployment verified)`,
      });
    }
    ctx.progress(`the new config is not healthy: ${deployed.reason}`);
    return await rollBack(attempt, withBackup, backup, nowDeployed, deployed.reason ?? 'unhealthy');
  } catch (err) {
    return concludeFailure(err, 'reload', attempt);
  } finally {
    lock.release();
  }
}

/** Back up what is deployed (nothing to back up on a first deploy), journalled. */
async function backUp(attempt: Attempt, deployed: string | undefined): Promise<BackupEntry | undefined> {
  if (deployed === undefined) return undefined;
  const { ctx, paths } = attempt;
  const backup = await createBackup(paths.backups, paths.deployed, deployed, ctx.command, ctx.projectDir);
  attempt.journal.append(attempt.id, 'backed-up', { path: backup.path, sha256: backup.sha256 });
  ctx.progress(`backed up the deployed config to ${backup.path}`);
  return backup;
}

/** An error a person can act on ends the attempt as a result, journalled; anything else is a bug and is re-thrown. */
function concludeFailure(err: unknown, operation: ReloadResult['operation'], attempt: Attempt): ReloadResult {
  const failure = userFailure(err, operation, attempt, attempt.paths);
  if (!failure) throw err;
  attempt.journal.append(attempt.id, 'aborted', { reason: failure.message });
  return failure;
}

function failedChecks(checks: { ok: boolean; check: string; detail: string }[]): string {
  return checks
    .filter((c) => !c.ok)
    .map((c) => `${c.check}: ${c.detail}`)
    .join('; ');
}

async function rollBack(
  attempt: Attempt,
  fields: ResultFields,
  backup: BackupEntry | undefined,
  previous: string | undefined,
  reason: string,
): Promise<ReloadResult> {
  const { ctx } = attempt;
  attempt.journal.append(attempt.id, 'rollback', { reason });
  if (!backup || previous === undefined) {
    attempt.journal.append(attempt.id, 'rollback-failed', { reason: 'no previous config to restore' });
    return conclude(attempt, {
      ...fields,
      outcome: 'rollback-failed',
      message: `the new config is not healthy (${reason}), and there was no previous config to restore`,
      rollback: { happened: false, reason, restored: null, healthy: false },
      attention: { deployed: `${attempt.paths.deployed} (the new, unhealthy config)`, running: ctx.runtime.running(), backup: null },
    });
  }
  ctx.progress(`rolling back to ${backup.path} (waiting up to ${Math.round(attempt.restoreTimeoutMs / 1000)} s for it)`);
  const text = readBackup(backup);
  const restored = await attempt.deploy(text, 'rollback', true, true);
  if (restored.ok) {
    attempt.journal.append(attempt.id, 'rolled-back', {
      ...appliedRecord(attempt.journal, text, ctx.env),
      restored: backup.path,
      reason,
      ...(restored.restartFailed ? { restart_failed: restored.restartFailed } : {}),
    });
    const note = restored.restartFailed ? ' (its restart failed too, but the gateway kept serving it)' : '';
    return conclude(attempt, {
      ...fields,
      outcome: 'rolled-back',
      message: `the new config failed (${reason}); the previous config was restored and is healthy${note}`,
      rollback: { happened: true, reason, restored: backup.path, healthy: true },
    });
  }
  attempt.journal.append(attempt.id, 'rollback-failed', { reason: restored.reason, restored: backup.path });
  return conclude(attempt, {
    ...fields,
    outcome: 'rollback-failed',
    message: `the new config failed (${reason}), and so did the rollback (${restored.reason})`,
    rollback: { happened: true, reason, restored: backup.path, healthy: false },
    attention: {
      deployed: `${attempt.paths.deployed} (restored from ${backup.path}, sha256 ${backup.sha256.slice(0, 12)})`,
      running: ctx.runtime.running(),
      backup: backup.path,
    },
  });
}

/**
 * `aibackend rollback`: restore a backup (`to`: a file name, path or unique prefix; by default the
 * newest one that differs from what is deployed), restart, probe.
 */
export async function runRollback(ctx: TransactionContext, opts: ReloadOptions & { to?: string }): Promise<ReloadResult> {
  const paths = statePaths(ctx);
  let chosen: BackupEntry | undefined;
  if (opts.to !== undefined) {
    chosen = findBackup(paths.backups, paths.deployed, opts.to);
    if (!chosen) throw new CliError(`no backup matches '${opts.to}' in ${paths.backups}; \`aibackend backups\` lists them`);
  }
  const timeoutMs = (opts.timeoutS ?? ctx.gateway.health.timeout_s) * 1000;
  const started = await begin(ctx, paths, timeoutMs, opts, 'rollback');
  const { attempt, lock } = started;
  const skipped = ctx.skipped ? { skipped: ctx.skipped } : {};
  try {
    if (started.failed) return { ...started.failed, operation: 'rollback', ...skipped };
    const recovery = started.recovery ? { recovery: started.recovery } : {};
    const baseFields = { operation: 'rollback' as const, backup: null, rollback: { happened: false }, ...recovery, ...skipped };
    // Recovery already went back to the last config that served: that is what a rollback means.
    if (started.recovery?.restored && !chosen) {
      return conclude(attempt, {
        ...baseFields,
        outcome: 'recovered',
        message: `the interrupted run was recovered: ${started.recovery.restored}, the last config that served, is deployed and healthy; nothing further was rolled back (use --to to go further back)`,
      });
    }
    const target = chosen ?? listBackups(paths.backups, paths.deployed).find((b) => !b.deployed);
    if (!target) return conclude(attempt, { ...baseFields, outcome: 'refused', message: `no backup to roll back to in ${paths.backups}` });
    const text = readBackup(target);
    const current = readIfExists(paths.deployed);
    const { diff, ...changes } = diffConfigs(path.basename(paths.deployed), current, text);
    const fields = { ...baseFields, changes, ...(diff ? { diff } : {}) };
    if (!opts.dryRun && cannotConfirm(ctx, opts)) return conclude(attempt, { ...fields, outcome: 'unconfirmed', message: NO_TERMINAL });
    const preflightStart = performance.now();
    const checks = await preflight(ctx, paths.deployed, undefined);
    attempt.preflightMs = performance.now() - preflightStart;
    const checkedFields = { ...fields, preflight: checks.checks };
    if (!checks.ok)
      return conclude(attempt, {
        ...checkedFields,
        outcome: 'refused',
        message: `pre-flight failed: ${failedChecks(checks.checks)}; nothing was changed`,
      });
    if (opts.dryRun) return conclude(attempt, { ...checkedFields, outcome: 'dry-run', message: `dry run: would restore ${target.path}` });
    const refusal = await confirmOrRefuse(ctx, opts, `Restore ${target.file} and restart the gateway?`, diff);
    if (refusal) return conclude(attempt, { ...checkedFields, ...refusal });
    attempt.journal.append(attempt.id, 'begin', { operation: 'rollback', command: ctx.command, pid: process.pid, target: target.path });
    const backup = await backUp(attempt, current);
    const withBackup = { ...checkedFields, backup: backup?.path ?? null };
    const deployed = await attempt.deploy(text, 'apply', !changes.identical);
    if (deployed.writeFailed) return abortedWrite(attempt, withBackup, deployed.reason!);
    if (deployed.ok) {
      attempt.journal.append(attempt.id, 'committed', { ...appliedRecord(attempt.journal, text, ctx.env), restored: target.path });
      return conclude(attempt, { ...withBackup, outcome: 'applied', message: `rolled back to ${target.file}; the gateway is healthy` });
    }
    return await rollBack(attempt, withBackup, backup, current, deployed.reason ?? 'unhealthy');
  } catch (err) {
    return { ...concludeFailure(err, 'rollback', attempt), ...skipped };
  } finally {
    lock.release();
  }
}
