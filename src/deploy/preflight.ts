// Pre-flight: everything that can be checked before the old gateway is stopped. The runtime's own
// checks (it exists, the ports agree, the port is not held by a stranger), then the candidate
// loaded into the very LiteLLM that will run it, with its own --validate_config, which loads the
// config and exits 1 on any error without serving. A candidate it refuses never reaches a restart.
import path from 'node:path';
import type { PreflightCheck } from './runtime/adapter.js';
import { loadIntoLiteLLM } from './runtime/validate-config.js';
import { statePaths, type TransactionContext } from './types.js';
import { freeSpaceCheck } from './free-space.js';

/** Where a reload writes: the deployed file's directory, the backups (and journal), and the process runtime's state. */
function writtenDirs(ctx: TransactionContext, deployed: string): Record<string, string> {
  const dirs: Record<string, string> = { config: path.dirname(deployed), backups: statePaths(ctx).backups };
  const rt = ctx.gateway.runtime;
  if (rt.kind === 'process') dirs.state = path.resolve(ctx.projectDir, rt.state_dir);
  return dirs;
}

export interface PreflightReport {
  ok: boolean;
  checks: PreflightCheck[];
}

export async function preflight(ctx: TransactionContext, deployed: string, candidate: string | undefined): Promise<PreflightReport> {
  ctx.progress('pre-flight: checking the runtime');
  const checks = await ctx.runtime.preflight(ctx.gateway.gateway.url);
  checks.push(freeSpaceCheck(writtenDirs(ctx, deployed), Buffer.byteLength(candidate ?? '')));
  if (candidate !== undefined && checks.every((c) => c.ok)) checks.push(await loadCheck(ctx, deployed, candidate));
  return { ok: checks.every((c) => c.ok), checks };
}

async function loadCheck(ctx: TransactionContext, deployed: string, candidate: string): Promise<PreflightCheck> {
  ctx.progress('pre-flight: loading the candidate into LiteLLM (its own --validate_config; about 10 s)');
  let r;
  try {
    r = await loadIntoLiteLLM(candidate, deployed, (file) => ctx.runtime.validator(file), ctx.projectDir);
  } catch (err) {
    return {
      check: 'litellm load',
      ok: false,
      detail: `cannot write the candidate beside ${deployed} to load it: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`,
    };
  }
  if (r.skipped) return { check: 'litellm load', ok: true, skipped: true, detail: `not checked: ${r.skipped}` };
  const without = r.mcpOmitted
    ? ` (without its ${r.mcpOmitted} MCP server${r.mcpOmitted === 1 ? '' : 's'}: their presence is probed after the restart)`
    : '';
  if (r.ok) return { check: 'litellm load', ok: true, detail: `LiteLLM loaded the candidate in ${r.ms} ms${without}` };
  return {
    check: 'litellm load',
    ok: false,
    detail: r.notLoaded
      ? `the runtime could not start LiteLLM to load the candidate (${r.why}; the candidate itself was not judged)${r.output ? `:\n${r.output}` : ''}`
      : `LiteLLM refuses the candidate${without} (${r.why})${r.output ? `:\n${r.output}` : ''}`,
  };
}
