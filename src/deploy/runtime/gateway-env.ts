// The environment a gateway process gets: explicit, not whatever the shell that ran aibackend
// happened to hold. It is the runtime's own `env:`, the variables the deployed config references
// (os.environ/VAR), the variables named in `pass_env`, LiteLLM's own LITELLM_* settings, and the
// few a process needs to run at all (PATH, HOME, locale, proxies, CA bundles).

const BASE = [
  'PATH',
  'HOME',
  'USER',
  'LOGNAME',
  'SHELL',
  'LANG',
  'LANGUAGE',
  'TZ',
  'TMPDIR',
  'VIRTUAL_ENV',
  'HTTP_PROXY',
  'HTTPS_PROXY',
  'NO_PROXY',
  'http_proxy',
  'https_proxy',
  'no_proxy',
  'SSL_CERT_FILE',
  'SSL_CERT_DIR',
  'REQUESTS_CA_BUNDLE',
];

/** The variables a LiteLLM config reads through os.environ/VAR, sorted and unique. */
export function referencedVariables(configText: string): string[] {
  const out = new Set<string>();
  for (const m of configText.matchAll(/os\.environ\/([A-Za-z_][A-Za-z0-9_]*)/g)) out.add(m[1]!);
  return [...out].sort();
}

export function gatewayEnv(
  configText: string,
  own: Record<string, string>,
  passEnv: readonly string[],
  from: NodeJS.ProcessEnv,
): Record<string, string> {
  const env: Record<string, string> = {};
  const take = (name: string) => {
    const v = from[name];
    if (v !== undefined) env[name] = v;
  };
  BASE.forEach(take);
  for (const name of Object.keys(from)) if (name.startsWith('LC_') || name.startsWith('LITELLM_')) take(name);
  passEnv.forEach(take);
  referencedVariables(configText).forEach(take);
  return { ...env, ...own };
}

/** An environment with its unset entries dropped: the string map a child process takes. */
export function definedEnv(from: NodeJS.ProcessEnv): Record<string, string> {
  return Object.fromEntries(Object.entries(from).filter((e): e is [string, string] => e[1] !== undefined));
}
