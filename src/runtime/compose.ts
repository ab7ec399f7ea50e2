// Production: the gateway is one service of a docker compose project. `docker compose restart`
// re-reads the mounted config; older installs only have the docker-compose binary.
import { execa } from 'execa';
import { composeService } from '../load/compose-image.js';
import { RuntimeError, tail, type PreflightCheck, type RuntimeAdapter, type ValidatorPlan } from './adapter.js';
import { argvPort, LITELLM_DEFAULT_PORT, urlPort } from './argv.js';
import { definedEnv } from './gateway-env.js';

/** Where a candidate is mounted in the one-off pre-flight container. */
const CANDIDATE_IN_CONTAINER = '/tmp/aibackend-candidate.yaml';

export class ComposeRuntime implements RuntimeAdapter {
  readonly kind = 'compose' as const;
  /** The compose command that works here, once pre-flight has found it. */
  private tool?: string[];

  constructor(
    private readonly file: string,
    private readonly service: string,
    private readonly cwd: string,
    private readonly env: NodeJS.ProcessEnv = process.env,
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
      const r = await execa(cmd, args, { cwd: this.cwd, reject: false, all: true, timeout: 300_000, stdin: 'ignore', env: this.env });
      if (!r.failed) return;
      const out = String(r.all ?? '');
      failures.push(`${cmd} ${args.join(' ')}: ${r.code === 'ENOENT' ? 'not installed' : `exit ${r.exitCode ?? r.signal}`}\n${tail(out, 8)}`);
      // Fall back to docker-compose only when `docker compose` itself is missing.
      if (!composeMissing(r.code, out)) break;
    }
    throw new RuntimeError(`could not restart compose service '${this.service}'`, failures.join('\n'));
  }

  exited(): string | undefined {
    return undefined;
  }

  running(): string {
    return `compose service '${this.service}' of ${this.file}`;
  }

  async preflight(gatewayUrl: string): Promise<PreflightCheck[]> {
    const checks: PreflightCheck[] = [];
    for (const tool of [['docker', 'compose'], ['docker-compose']]) {
      const r = await execa(tool[0]!, [...tool.slice(1), 'version'], { cwd: this.cwd, reject: false, all: true, timeout: 20_000, stdin: 'ignore', env: this.env });
      if (!r.failed) {
        this.tool = tool;
        break;
      }
      if (!composeMissing(r.code, String(r.all ?? ''))) {
        checks.push({ check: 'runtime', ok: false, detail: `\`${tool.join(' ')} version\` failed: ${tail(String(r.all ?? ''), 3) || `exit ${r.exitCode}`}` });
        return checks;
      }
    }
    checks.push(this.tool ? { check: 'runtime', ok: true, detail: `${this.tool.join(' ')} is installed` } : { check: 'runtime', ok: false, detail: 'neither the docker compose plugin nor docker-compose is installed: runtime.kind compose cannot restart anything here' });
    const svc = composeService(this.file, this.service);
    if ('problem' in svc) {
      checks.push({ check: 'compose file', ok: false, detail: svc.problem });
      return checks;
    }
    checks.push({ check: 'compose file', ok: true, detail: `${this.file} has service '${this.service}'` });
    const want = urlPort(gatewayUrl);
    const inside = argvPort(svc.command) ?? LITELLM_DEFAULT_PORT;
    const published = svc.hostNetwork ? inside : publishedPort(svc.ports, inside);
    checks.push(
      published === undefined
        ? { check: 'port', ok: false, detail: `service '${this.service}' publishes no host port for LiteLLM's port ${inside}, and gateway.url expects ${want}` }
        : published === want
          ? { check: 'port', ok: true, detail: `service '${this.service}' and gateway.url agree on port ${want}` }
          : { check: 'port', ok: false, detail: `service '${this.service}' serves on host port ${published}, but gateway.url says ${want}: the probe would ask the wrong port` },
    );
    return checks;
  }

  validator(candidate: string): ValidatorPlan {
    const tool = this.tool ?? ['docker', 'compose'];
    return {
      argv: [...tool, '-f', this.file, 'run', '--rm', '--no-deps', '-T', '-v', `${candidate}:${CANDIDATE_IN_CONTAINER}:ro`, this.service, '--config', CANDIDATE_IN_CONTAINER, '--validate_config'],
      env: definedEnv(this.env),
    };
  }
}

function composeMissing(code: string | undefined, out: string): boolean {
  return code === 'ENOENT' || /is not a docker command|unknown command|unknown shorthand flag/i.test(out);
}

/** The host port a service publishes for a container port ("8080:4000", "127.0.0.1:8080:4000/tcp", "4000"). */
function publishedPort(ports: string[], inside: number): number | undefined {
  for (const p of ports) {
    const parts = p.replace(/\/(tcp|udp)$/, '').split(':');
    const target = Number(parts.at(-1));
    if (target !== inside) continue;
    return parts.length >= 2 ? Number(parts.at(-2)) : target;
  }
  return undefined;
}
