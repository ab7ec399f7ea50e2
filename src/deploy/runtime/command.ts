// Any restart command (systemctl restart litellm, a script, ...), run through execa.
import { execa } from 'execa';
import { RuntimeError, substitute, tail, type PreflightCheck, type RuntimeAdapter, type ValidatorPlan } from './adapter.js';
import { findExecutable, urlPort } from './argv.js';
import { definedEnv } from './gateway-env.js';

export class CommandRuntime implements RuntimeAdapter {
  readonly kind = 'command' as const;
  constructor(
    private readonly argv: readonly string[],
    private readonly cwd: string,
    private readonly validate: readonly string[] | undefined,
    private readonly env: NodeJS.ProcessEnv = process.env,
  ) {}

  describe(): string {
    return `run \`${this.argv.join(' ')}\``;
  }

  async restart(deployedPath: string, gatewayUrl?: string): Promise<void> {
    const [cmd, ...args] = substitute(this.argv, deployedPath, gatewayUrl ? urlPort(gatewayUrl) : undefined);
    const r = await execa(cmd!, args, { cwd: this.cwd, reject: false, all: true, timeout: 300_000, stdin: 'ignore', env: this.env });
    if (r.failed) {
      const why =
        r.code === 'ENOENT'
          ? `command not found: ${cmd}`
          : r.timedOut
            ? 'timed out after 300 s'
            : `exited with code ${r.exitCode ?? r.signal ?? '?'}`;
      throw new RuntimeError(`restart command \`${this.argv.join(' ')}\` failed: ${why}`, tail(String(r.all ?? '')));
    }
  }

  exited(): string | undefined {
    return undefined;
  }

  running(): string {
    return `whatever \`${this.argv.join(' ')}\` last started`;
  }

  async preflight(): Promise<PreflightCheck[]> {
    const checks: PreflightCheck[] = [];
    for (const [key, argv] of [
      ['runtime.restart', this.argv],
      ['runtime.validate', this.validate],
    ] as const) {
      if (!argv) continue;
      const exe = argv[0]!;
      const found = findExecutable(exe, this.cwd, this.env);
      checks.push({
        check: 'runtime',
        ok: Boolean(found),
        detail: found ? `${key}: ${exe} is ${found}` : `${key}: ${exe} is not an executable file${exe.includes('/') ? '' : ' on PATH'}`,
      });
    }
    return checks;
  }

  validator(candidate: string): ValidatorPlan {
    if (!this.validate)
      return { unavailable: 'runtime.validate is not set, so the candidate cannot be loaded into LiteLLM before the restart' };
    return { argv: substitute(this.validate, candidate), env: definedEnv(this.env) };
  }
}
