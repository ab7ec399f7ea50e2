// Any restart command (systemctl restart litellm, a script, ...), run through execa.
import { execa } from 'execa';
import { RuntimeError, substitute, tail, type RuntimeAdapter } from './adapter.js';

export class CommandRuntime implements RuntimeAdapter {
  readonly kind = 'command' as const;
  constructor(
    private readonly argv: readonly string[],
    private readonly cwd: string,
  ) {}

  describe(): string {
    return `run \`${this.argv.join(' ')}\``;
  }

  async restart(deployedPath: string): Promise<void> {
    const [cmd, ...args] = substitute(this.argv, deployedPath);
    const r = await execa(cmd!, args, { cwd: this.cwd, reject: false, all: true, timeout: 300_000, stdin: 'ignore' });
    if (r.failed) {
      const why = r.code === 'ENOENT' ? `command not found: ${cmd}` : r.timedOut ? 'timed out after 300 s' : `exited with code ${r.exitCode ?? r.signal ?? '?'}`;
      throw new RuntimeError(`restart command \`${this.argv.join(' ')}\` failed: ${why}`, tail(String(r.all ?? '')));
    }
  }

  exited(): string | undefined {
    return undefined;
  }

  running(): string {
    return `whatever \`${this.argv.join(' ')}\` last started`;
  }
}
