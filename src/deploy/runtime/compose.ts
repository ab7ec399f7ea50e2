// Production: the gateway is one service of a docker compose project. `docker compose restart`
// re-reads the mounted config; older installs only have the docker-compose binary.
import { mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { execa } from 'execa';
import { writeFileAtomic } from '../../util/atomic-write.js';
import { composeService } from '../../config/load/compose-image.js';
import { RuntimeError, tail, type PreflightCheck, type RuntimeAdapter, type ValidatorPlan } from './adapter.js';
import { argvPort, LITELLM_DEFAULT_PORT, urlPort } from './argv.js';
import { configSha } from './config-hash.js';
import { definedEnv } from './gateway-env.js';

/** Where a candidate is mounted in the one-off pre-flight container. */
const CANDIDATE_IN_CONTAINER = '/tmp/aibackend-candidate.yaml';

export class ComposeRuntime implements RuntimeAdapter {
  readonly kind = 'compose' as const;
  /** The compose command that works here, once pre-flight has found it. */
  private tool?: string[];

  constructor(
    protected readonly file: string,
    protected readonly service: string,
    protected readonly cwd: string,
    protected readonly env: NodeJS.ProcessEnv = process.env,
  ) {}

  describe(): string {
    return `docker compose -f ${this.file} restart ${this.service}`;
  }

  async restart(_deployedPath?: string, _gatewayUrl?: string): Promise<void> {
    await this.compose(['restart', this.service], `could not restart compose service '${this.service}'`);
  }

  /** Runs `docker compose -f FILE ARGS` (or docker-compose when the plugin is missing); throws RuntimeError with its output on failure. */
  protected async compose(args: string[], failure: string): Promise<void> {
    const attempts: [string, string[]][] = [
      ['docker', ['compose', '-f', this.file, ...args]],
      ['docker-compose', ['-f', this.file, ...args]],
    ];
    const failures: string[] = [];
    for (const [cmd, argv] of attempts) {
      const r = await execa(cmd, argv, { cwd: this.cwd, reject: false, all: true, timeout: 300_000, stdin: 'ignore', env: this.env });
      if (!r.failed) return;
      const out = String(r.all ?? '');
      failures.push(
        `${cmd} ${argv.join(' ')}: ${r.code === 'ENOENT' ? 'not installed' : `exit ${r.exitCode ?? r.signal}`}\n${tail(out, 8)}`,
      );
      // Fall back to docker-compose only when `docker compose` itself is missing.
      if (!composeMissing(r.code, out)) break;
    }
    throw new RuntimeError(failure, failures.join('\n'));
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
      const r = await execa(tool[0]!, [...tool.slice(1), 'version'], {
        cwd: this.cwd,
        reject: false,
        all: true,
        timeout: 20_000,
        stdin: 'ignore',
        env: this.env,
      });
      if (!r.failed) {
        this.tool = tool;
        break;
      }
      if (!composeMissing(r.code, String(r.all ?? ''))) {
        checks.push({
          check: 'runtime',
          ok: false,
          detail: `\`${tool.join(' ')} version\` failed: ${tail(String(r.all ?? ''), 3) || `exit ${r.exitCode}`}`,
        });
        return checks;
      }
    }
    checks.push(
      this.tool
        ? { check: 'runtime', ok: true, detail: `${this.tool.join(' ')} is installed` }
        : {
            check: 'runtime',
            ok: false,
            detail: 'neither the docker compose plugin nor docker-compose is installed: runtime.kind compose cannot restart anything here',
          },
    );
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
        ? {
            check: 'port',
            ok: false,
            detail: `service '${this.service}' publishes no host port for LiteLLM's port ${inside}, and gateway.url expects ${want}`,
          }
        : published === want
          ? { check: 'port', ok: true, detail: `service '${this.service}' and gateway.url agree on port ${want}` }
          : {
              check: 'port',
              ok: false,
              detail: `service '${this.service}' serves on host port ${published}, but gateway.url says ${want}: the probe would ask the wrong port`,
            },
    );
    return checks;
  }

  validator(candidate: string): ValidatorPlan {
    const tool = this.tool ?? ['docker', 'compose'];
    return {
      argv: [
        ...tool,
        '-f',
        this.file,
        'run',
        '--rm',
        '--no-deps',
        '-T',
        '-v',
        `${candidate}:${CANDIDATE_IN_CONTAINER}:ro`,
        this.service,
        '--config',
        CANDIDATE_IN_CONTAINER,
        '--validate_config',
      ],
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

/**
 * One service of a compose project that a rolling reload drives (a gateway replica, or the load
 * balancer): recreated rather than restarted, so that it mounts the files as they are now, and
 * remembered with the hash of the config it was started on (which config each replica runs).
 */
export class ComposeService extends ComposeRuntime {
  constructor(
    file: string,
    service: string,
    cwd: string,
    env: NodeJS.ProcessEnv,
    private readonly stateDir: string,
  ) {
    super(file, service, cwd, env);
  }

  private get recordFile(): string {
    return path.join(this.stateDir, `compose-${this.service}.json`);
  }

  override describe(): string {
    return `docker compose -f ${this.file} up -d --no-deps --force-recreate ${this.service}`;
  }

  override async restart(deployedPath: string, _url?: string): Promise<void> {
    await this.compose(['up', '-d', '--no-deps', '--force-recreate', this.service], `could not recreate compose service '${this.service}'`);
    mkdirSync(this.stateDir, { recursive: true });
    writeFileAtomic(
      this.recordFile,
      `${JSON.stringify({ service: this.service, config: deployedPath, config_sha256: configSha(deployedPath), config_body_sha256: configSha(deployedPath, true), started: new Date().toISOString() })}\n`,
    );
  }

  /** The hash of the config this service was last recreated with (whether it still runs is for the health check to say). */
  runningConfig(): { sha256?: string; body_sha256?: string } | undefined {
    try {
      const rec = JSON.parse(readFileSync(this.recordFile, 'utf8')) as { config_sha256?: string; config_body_sha256?: string };
      return {
        ...(rec.config_sha256 ? { sha256: rec.config_sha256 } : {}),
        ...(rec.config_body_sha256 ? { body_sha256: rec.config_body_sha256 } : {}),
      };
    } catch {
      return undefined;
    }
  }

  impostor(): string | undefined {
    return undefined;
  }

  logExcerpt(): string | undefined {
    return undefined;
  }

  async stop(): Promise<void> {
    await this.compose(['stop', this.service], `could not stop compose service '${this.service}'`);
  }
}
