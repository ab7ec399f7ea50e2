// env:VAR references, the only way sources may name a secret.

/** The variable an env:VAR reference names, or undefined for anything else. */
export function envVarOf(ref: string | undefined): string | undefined {
  return ref?.startsWith('env:') ? ref.slice(4) : undefined;
}

/** The value of the variable an env:VAR reference names, in this environment. */
export function envValue(ref: string | undefined, env: NodeJS.ProcessEnv): string | undefined {
  const name = envVarOf(ref);
  return name === undefined ? undefined : env[name];
}
