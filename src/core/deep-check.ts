// `validate --deep`: a second opinion from LiteLLM itself. The compiled config is loaded by the
// installed LiteLLM's --validate_config (the one the process runtime runs, runtime.validate, the
// pinned virtualenv, or litellm on PATH), and what it refuses becomes a diagnostic, at the source
// line of the key it names where that can be found. Without a LiteLLM it says so and passes.
import { homedir } from 'node:os';
import path from 'node:path';
import { diag, type Diagnostic } from '../diagnostics/diagnostic.js';
import { LITELLM_FACTS_VERSION } from '../generated/litellm-facts.js';
import { makeRuntime, type ValidatorPlan } from '../runtime/adapter.js';
import { findExecutable } from '../runtime/argv.js';
import { gatewayEnv } from '../runtime/gateway-env.js';
import { loadIntoLiteLLM } from '../runtime/validate-config.js';
import type { CheckedConfig } from './check-config.js';

export interface DeepResult {
  ran: boolean;
  /** The executable (or argv[0]) that loaded the config. */
  litellm?: string;
  ms?: number;
  ok?: boolean;
  /** Why it did not run. */
  reason?: string;
}

/** How to run --validate_config here: the runtime's own LiteLLM first, then the usual places. */
function planFor(checked: CheckedConfig, env: NodeJS.ProcessEnv): ((file: string) => ValidatorPlan) | string {
  const gw = checked.loaded.gateway!;
  if (gw.runtime.kind !== 'compose') {
    const runtime = makeRuntime(gw.runtime, checked.loaded.paths.projectDir, env);
    const probe = runtime.validator(checked.outputPath);
    if (!('unavailable' in probe)) return (file) => runtime.validator(file);
  }
  const cache = env.XDG_CACHE_HOME ?? path.join(homedir(), '.cache');
  const candidates = [env.AIBACKEND_LITELLM, path.join(env.AIBACKEND_VENV ?? path.join(cache, 'aibackend', `litellm-${LITELLM_FACTS_VERSION}`), 'bin', 'litellm'), 'litellm'];
  for (const c of candidates) {
    const exe = c ? findExecutable(c, checked.loaded.paths.projectDir, env) : undefined;
    if (!exe) continue;
    return (file) => ({ argv: [exe, '--config', file, '--validate_config'], env: gatewayEnv(checked.compiled!.text, { LITELLM_LOCAL_MODEL_COST_MAP: 'True' }, [], env) });
  }
  return `no LiteLLM found (not in runtime.command or runtime.validate, AIBACKEND_LITELLM, ${path.join(cache, 'aibackend', `litellm-${LITELLM_FACTS_VERSION}`)} from scripts/setup-litellm.sh, nor on PATH)`;
}

export async function deepCheck(checked: CheckedConfig, env: NodeJS.ProcessEnv, progress: (line: string) => void): Promise<{ result: DeepResult; diagnostics: Diagnostic[] }> {
  if (!checked.compiled || !checked.loaded.gateway) return { result: { ran: false, reason: 'the config has errors, so there is nothing compiled to load' }, diagnostics: [] };
  const plan = planFor(checked, env);
  if (typeof plan === 'string') return { result: { ran: false, reason: plan }, diagnostics: [] };
  progress('--deep: loading the compiled config into LiteLLM (its own --validate_config; about 10 s)');
  let argv0 = '';
  const r = await loadIntoLiteLLM(checked.compiled.text, checked.outputPath, (file) => {
    const p = plan(file);
    if (!('unavailable' in p)) argv0 = p.argv[0]!;
    return p;
  }, checked.loaded.paths.projectDir);
  const result: DeepResult = { ran: !r.skipped, litellm: argv0, ms: r.ms, ok: r.ok, ...(r.skipped ? { reason: r.skipped } : {}) };
  if (r.ok) return { result, diagnostics: [] };
  const said = r.output.split('\n').find((l) => /validation failed|error/i.test(l)) ?? r.output.split('\n').at(-1) ?? '';
  return { result, diagnostics: [diag('litellm-refused', 'error', where(checked, said), `LiteLLM refuses the compiled config (${r.why}): ${said.trim() || 'no message'}`)] };
}

/** The source line of the key LiteLLM's message names ('key'), in gateway.yaml; else its first line. */
function where(checked: CheckedConfig, message: string) {
  const gw = checked.loaded.texts.gateway;
  const file = gw?.file ?? checked.outputDisplay;
  for (const m of message.matchAll(/'([A-Za-z_][A-Za-z0-9_]*)'/g)) {
    const lines = gw?.text.split('\n') ?? [];
    const i = lines.findIndex((l) => new RegExp(`^\\s*${m[1]}\\s*:`).test(l));
    if (i >= 0) return { file, line: i + 1, column: lines[i]!.search(/\S/) + 1 };
  }
  return { file, line: 1, column: 1 };
}
