// `validate --deep`: a second opinion from LiteLLM itself. It runs in CI on pull requests, so
// what it runs and how is never the config's to say:
// - the LiteLLM is one the operator named outside the repository (--litellm, AIBACKEND_LITELLM),
//   the pinned virtualenv scripts/setup-litellm.sh installs, or `litellm` on PATH; never
//   runtime.command or runtime.validate, and never an executable inside the project;
// - the candidate has the keys that import Python (callbacks, custom_auth, ...) removed, and sits
//   alone in a private temporary directory, so no module of the repository can be imported;
// - the process gets an empty environment but for what Python needs to start, so no secret of the
//   runner (LITELLM_*, cloud credentials, the variables the config references) reaches it.
// What LiteLLM refuses becomes a diagnostic at the source line of the key it names.
import { mkdtempSync, rmSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import path from 'node:path';
import { withoutCodeLoads } from './compile/code-loading.js';
import { diag, type Diagnostic } from './diagnostics/diagnostic.js';
import { renderFile } from './emit/emit.js';
import { LITELLM_FACTS_VERSION } from '../generated/litellm-facts.js';
import { outsideProject } from './load/contain.js';
import { findExecutable } from '../deploy/runtime/argv.js';
import { loadIntoLiteLLM } from '../deploy/runtime/validate-config.js';
import type { CheckedConfig } from './check-config.js';

export interface DeepResult {
  ran: boolean;
  /** The executable that loaded the config. */
  litellm?: string;
  ms?: number;
  ok?: boolean;
  /** Why it did not run. */
  reason?: string;
  /** Settings removed from the candidate because they import Python (dotted paths). */
  removed?: string[];
  /** MCP servers left out of the loaded copy (LiteLLM's --validate_config never exits with them). */
  mcpServersOmitted?: number;
}

export interface DeepOptions {
  /** --litellm: the executable the operator names. */
  litellm?: string;
}

/** The only variables the LiteLLM of --deep sees: enough for Python to start offline. */
export function deepEnv(from: NodeJS.ProcessEnv, home: string): Record<string, string> {
  return {
    PATH: from.PATH ?? '/usr/local/bin:/usr/bin:/bin',
    HOME: home,
    TMPDIR: home,
    LANG: 'C.UTF-8',
    // Offline: without it LiteLLM stalls fetching its price map.
    LITELLM_LOCAL_MODEL_COST_MAP: 'True',
    PYTHONDONTWRITEBYTECODE: '1',
    NO_COLOR: '1',
  };
}

/** Which LiteLLM loads the candidate: the operator's choice, the pinned virtualenv, PATH; none inside the project. */
export function deepExecutable(checked: CheckedConfig, env: NodeJS.ProcessEnv, opts: DeepOptions): { exe: string } | { reason: string } {
  const { paths } = checked.loaded;
  const cache = env.XDG_CACHE_HOME ?? path.join(homedir(), '.cache');
  const venv = path.join(env.AIBACKEND_VENV ?? path.join(cache, 'aibackend', `litellm-${LITELLM_FACTS_VERSION}`), 'bin', 'litellm');
  // Named by the operator: taken as given (relative to the working directory), even inside the project.
  for (const named of [opts.litellm, env.AIBACKEND_LITELLM]) {
    if (!named) continue;
    const exe = findExecutable(named, paths.cwd, env);
    return exe
      ? { exe }
      : {
          reason: `the LiteLLM named by ${named === opts.litellm ? '--litellm' : 'AIBACKEND_LITELLM'} (${named}) is not an executable file`,
        };
  }
  for (const c of [venv, 'litellm']) {
    const exe = findExecutable(c, paths.cwd, env);
    // PATH may hold a relative or project directory: a `litellm` committed in the repository never runs.
    if (exe && outsideProject(paths, exe) !== undefined) return { exe };
  }
  return {
    reason: `no LiteLLM found (--litellm, AIBACKEND_LITELLM, ${venv} from scripts/setup-litellm.sh, or litellm on PATH outside the project); the runtime's own command is never used here`,
  };
}

export async function deepCheck(
  checked: CheckedConfig,
  env: NodeJS.ProcessEnv,
  progress: (line: string) => void,
  opts: DeepOptions = {},
): Promise<{ result: DeepResult; diagnostics: Diagnostic[] }> {
  if (!checked.compiled || !checked.loaded.gateway)
    return { result: { ran: false, reason: 'the config has errors, so there is nothing compiled to load' }, diagnostics: [] };
  const found = deepExecutable(checked, env, opts);
  if ('reason' in found) return { result: { ran: false, reason: found.reason }, diagnostics: [] };
  const { config, removed } = withoutCodeLoads(checked.compiled.config);
  const text = removed.length ? renderFile(config, checked.sourceList, checked.sourceHash ?? '') : checked.compiled.text;
  progress(
    `--deep: loading the compiled config into ${found.exe} (its own --validate_config; about 10 s)${removed.length ? `, without the ${removed.length} setting${removed.length === 1 ? '' : 's'} that import Python` : ''}${/^mcp_servers:/m.test(text) ? ', without mcp_servers (which the pinned LiteLLM never finishes loading there; nothing they name is contacted or run)' : ''}`,
  );
  // A private directory (0700) of its own, outside the project: the candidate is the only file in it.
  const dir = mkdtempSync(path.join(tmpdir(), 'aibackend-deep-'));
  try {
    const r = await loadIntoLiteLLM(
      text,
      path.join(dir, 'config.yaml'),
      (file) => ({ argv: [found.exe, '--config', file, '--validate_config'], env: deepEnv(env, dir) }),
      dir,
    );
    const result: DeepResult = {
      ran: !r.skipped,
      litellm: found.exe,
      ms: r.ms,
      ok: r.ok,
      ...(r.skipped ? { reason: r.skipped } : {}),
      ...(removed.length ? { removed: removed.map((l) => l.path.join('.')) } : {}),
      ...(r.mcpOmitted ? { mcpServersOmitted: r.mcpOmitted } : {}),
    };
    if (r.ok) return { result, diagnostics: [] };
    const said = r.output.split('\n').find((l) => /validation failed|error/i.test(l)) ?? r.output.split('\n').at(-1) ?? '';
    return {
      result,
      diagnostics: [
        diag(
          'litellm-refused',
          'error',
          where(checked, said),
          `LiteLLM refuses the compiled config (${r.why}): ${said.trim() || 'no message'}`,
        ),
      ],
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
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
