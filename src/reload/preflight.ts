// Pre-flight: everything that can be checked before the old gateway is stopped. The runtime's own
// checks (it exists, the ports agree, the port is not held by a stranger), then the candidate
// loaded into the very LiteLLM that will run it, with its own --validate_config, which loads the
// config and exits 1 on any error without serving. A candidate it refuses never reaches a restart.
import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import path from 'node:path';
import { execa } from 'execa';
import { tail, type PreflightCheck } from '../runtime/adapter.js';
import { writeFileAtomic } from '../util/atomic-write.js';
import { maskSecrets } from '../util/secrets.js';
import type { TransactionContext } from './types.js';

export interface PreflightReport {
  ok: boolean;
  checks: PreflightCheck[];
}

/** Temp files of a pre-flight sit beside the deployed file, where a compose mount can reach them. */
export function preflightFile(deployed: string): string {
  return path.join(path.dirname(deployed), `.${path.basename(deployed)}.preflight-${process.pid}-${randomBytes(4).toString('hex')}`);
}

export async function preflight(ctx: TransactionContext, deployed: string, candidate: string | undefined): Promise<PreflightReport> {
  ctx.progress('pre-flight: checking the runtime');
  const checks = await ctx.runtime.preflight(ctx.gateway.gateway.url);
  if (candidate !== undefined && checks.every((c) => c.ok)) checks.push(await loadCheck(ctx, deployed, candidate));
  return { ok: checks.every((c) => c.ok), checks };
}

async function loadCheck(ctx: TransactionContext, deployed: string, candidate: string): Promise<PreflightCheck> {
  const file = preflightFile(deployed);
  try {
    writeFileAtomic(file, candidate, 0o600);
  } catch (err) {
    return { check: 'litellm load', ok: false, detail: `cannot write the candidate beside ${deployed} to load it: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}` };
  }
  try {
    const plan = ctx.runtime.validator(file);
    if ('unavailable' in plan) return { check: 'litellm load', ok: true, skipped: true, detail: `not checked: ${plan.unavailable}` };
    ctx.progress(`pre-flight: loading the candidate into LiteLLM (\`${plan.argv.map((a) => (a === file ? '<candidate>' : a)).join(' ')}\`; about 10 s)`);
    const t0 = performance.now();
    const r = await execa(plan.argv[0]!, plan.argv.slice(1), { reject: false, all: true, timeout: 300_000, stdin: 'ignore', cwd: ctx.projectDir, ...(plan.env ? { env: plan.env, extendEnv: false } : {}) });
    const ms = Math.round(performance.now() - t0);
    if (!r.failed) return { check: 'litellm load', ok: true, detail: `LiteLLM loaded the candidate in ${ms} ms` };
    const why = r.code === 'ENOENT' ? `${plan.argv[0]} is not installed` : r.timedOut ? 'timed out after 300 s' : `exit ${r.exitCode ?? r.signal}`;
    const out = maskSecrets(tail(String(r.all ?? '').replace(/\u001b\[[0-9;]*m/g, '').split(file).join('<candidate>'), 6));
    return { check: 'litellm load', ok: false, detail: `LiteLLM refuses the candidate (${why})${out ? `:\n${out}` : ''}` };
  } finally {
    rmSync(file, { force: true });
  }
}
