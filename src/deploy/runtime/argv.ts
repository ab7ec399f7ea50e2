// What a runtime's argv says about the gateway it starts: which litellm executable, and which
// port. Wrappers count: in `[sh, -c, "exec litellm --config {config} --port 4000"]` the words
// of the shell string are read too. LiteLLM listens on 4000 when no --port is given.
import { accessSync, constants, statSync } from 'node:fs';
import path from 'node:path';

export const LITELLM_DEFAULT_PORT = 4000;

/** Every word of an argv, with shell strings split on white space and quotes dropped. */
function words(argv: readonly string[]): string[] {
  return argv.flatMap((a) => (/\s/.test(a) ? a.split(/\s+/).map((w) => w.replace(/^['"]|['"]$/g, '')) : [a])).filter(Boolean);
}

/** The litellm executable the argv runs, if one of its words names it. */
export function litellmExecutable(argv: readonly string[]): string | undefined {
  return words(argv).find((w) => path.basename(w) === 'litellm');
}

/** The port the argv gives LiteLLM: its --port, or LiteLLM's default when it names litellm; undefined when it cannot tell. */
export function argvPort(argv: readonly string[]): number | undefined {
  const w = words(argv);
  for (let i = 0; i < w.length; i++) {
    const m = /^--port(?:=(\d+))?$/.exec(w[i]!);
    if (m) {
      const v = Number(m[1] ?? w[i + 1]);
      return Number.isInteger(v) ? v : undefined;
    }
  }
  return litellmExecutable(argv) ? LITELLM_DEFAULT_PORT : undefined;
}

/** The port of a URL, with the scheme's default. */
export function urlPort(url: string): number {
  const u = new URL(url);
  return u.port ? Number(u.port) : u.protocol === 'https:' ? 443 : 80;
}

/** Where an executable named in an argv is found (relative names through PATH), or undefined. */
export function findExecutable(cmd: string, cwd: string, env: NodeJS.ProcessEnv = process.env): string | undefined {
  const runnable = (p: string) => {
    try {
      accessSync(p, constants.X_OK);
      return statSync(p).isFile();
    } catch {
      return false;
    }
  };
  if (cmd.includes('/')) {
    const abs = path.resolve(cwd, cmd);
    return runnable(abs) ? abs : undefined;
  }
  for (const dir of (env.PATH ?? '').split(path.delimiter)) {
    if (!dir) continue;
    const p = path.join(dir, cmd);
    if (runnable(p)) return p;
  }
  return undefined;
}
