// Production: the gateway is one service of a docker compose project. `docker compose restart`
// re-reads the mounted config; older installs only have the docker-compose binary.
import { execa } from 'execa';
import { RuntimeError, tail, type RuntimeAdapter } from './adapter.js';

export class ComposeRuntime implements RuntimeAdapter {
  readonly kind = 'compose' as const;
  constructor(
    private readonly file: string,
    private readonly service: string,
    private readonly cwd: string,
  ) {}

  describe(): string {
    return `docker compose -f ${this.file} restart ${this.service}`;
  }

  async restart(): Promise<void> {
    const attempts: [string, string[]][] = [
      ['docker', ['compose', '-f', this.file, 'restart', this.service]],
      ['docker-compose', ['-f', this.file, 'restart', this.service]],
    ];
    const failures: string[] = [];
    for (const [cmd, args] of attempts) {
      const r = await execa(cmd, args, { cwd: this.cwd, reject: false, all: true, timeout: 300_000, stdin: 'ignore' });
      if (!r.failed) return;
      const out = String(r.all ?? '');
      failures.push(`${cmd} ${args.join(' ')}: ${r.code === 'ENOENT' ? 'not installed' : `exit ${r.exitCode ?? r.signal}`}\n${tail(out, 8)}`);
      // Fall back to docker-compose only when `docker compose` itself is missing.
      const missing = r.code === 'ENOENT' || /is not a docker command|unknown command|unknown shorthand flag/i.test(out);
      if (!missing) break;
    }
    throw new RuntimeError(`could not restart compose service '${this.service}'`, failures.join('\n'));
  }

  exited(): string | undefined {
    return undefined;
  }

  running(): string {
    return `compose service '${this.service}' of ${this.file}`;
  }
}
