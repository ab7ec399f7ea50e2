// Production: the gateway is one service of a docker compose project (v2 or later: the plugin, or a
// standalone v2 docker-compose). A reload recreates the service (`up -d --no-deps
// --force-recreate`, its dependencies started first), so that the container reads the new config,
// a new image and a rotated secret in its environment; the engine's own state says when the new
// container dies, and the replaced container's log is kept for `aibackend logs`.
import { appendFileSync, existsSync, mkdirSync, readFileSync, renameSync, statSync } from 'node:fs';
import path from 'node:path';
import { execa } from 'execa';
import { writeFileAtomic } from '../../util/atomic-write.js';
import { maskSecrets } from '../../util/secrets.js';
import { composeService } from '../../config/load/compose-image.js';
import { excerpt, RuntimeError, tail, type PreflightCheck, type RuntimeAdapter, type ValidatorPlan } from './adapter.js';
import { argvPort, LITELLM_DEFAULT_PORT, urlPort } from './argv.js';
import { configSha } from './config-hash.js';
import { definedEnv } from './gateway-env.js';

/** Where a candidate is mounted in the one-off pre-flight container. */
const CANDIDATE_IN_CONTAINER = '/tmp/aibackend-candidate.yaml';
/** Below the state directory: the logs of containers a reload replaced, one file per service. */
export const COMPOSE_LOG_DIR = 'compose-logs';
/** An archived log is rotated to `.1` beyond this size (one old copy is kept). */
const LOG_ARCHIVE_MAX = 16 * 1024 * 1024;
/** How often the engine is asked about the new container while the probe waits. */
const ENGINE_POLL_MS = 1500;

export const COMPOSE_V1 =
  'only Compose v1 (docker-compose 1.x) is installed; it is end of life and cannot read the shipped compose files (secrets from the environment, host networking with depends_on): install the compose plugin (Docker Compose v2 or later; without a registry, scripts/setup-docker.sh builds it from the Go module proxy)';

/** How compose is run here, found once per process. */
interface Tool {
  argv: string[];
  version: string;
}
const tools = new Map<string, Promise<Tool | { problem: string }>>();

async function findTool(env: NodeJS.ProcessEnv): Promise<Tool | { problem: string }> {
  const key = `${env.PATH ?? ''}\0${env.DOCKER_CONFIG ?? ''}\0${env.HOME ?? ''}`;
  let found = tools.get(key);
  if (!found) {
    found = (async () => {
      let failure: string | undefined;
      for (const argv of [['docker', 'compose'], ['docker-compose']]) {
        const r = await execa(argv[0]!, [...argv.slice(1), 'version', '--short'], {
          reject: false,
          all: true,
          timeout: 20_000,
          stdin: 'ignore',
          env,
        });
        const out = String(r.all ?? '').trim();
        if (!r.failed) {
          const version = out.split('\n').at(-1)!.replace(/^v/, '');
          if (/^1\./.test(version)) return { problem: `${COMPOSE_V1} (found docker-compose ${version})` };
          return { argv, version };
        }
        if (!composeMissing(r.code, out)) failure ??= `\`${argv.join(' ')} version\` failed: ${tail(out, 3) || `exit ${r.exitCode}`}`;
      }
      return {
        problem:
          failure ??
          'neither the docker compose plugin nor docker-compose is installed: runtime.kind compose cannot restart anything here (scripts/setup-docker.sh installs Docker and the plugin)',
      };
    })();
    tools.set(key, found);
  }
  return found;
}

function composeMissing(code: string | undefined, out: string): boolean {
  return code === 'ENOENT' || /is not a docker command|unknown command|unknown shorthand flag/i.test(out);
}

/** One container of a service, as `docker compose ps --format json` reports it. */
export interface ContainerState {
  id: string;
  name: string;
  state: string;
  exitCode: number;
  project: string;
}

/** What compose makes of the file: the project's name and each service's dependencies. */
interface ComposeModel {
  name: string;
  dependsOn: (service: string) => string[];
  /** The host paths a service bind-mounts. */
  binds: (service: string) => string[];
}

export class ComposeRuntime implements RuntimeAdapter {
  readonly kind = 'compose' as const;
  /** The container the last restart created, while the probe watches it. */
  protected watched?: { id: string; checkedAt: number; verdict?: string };
  /** The compose command pre-flight found (the plugin, or a standalone v2 docker-compose). */
  private toolArgv = ['docker', 'compose'];

  constructor(
    protected readonly file: string,
    protected readonly service: string,
    protected readonly cwd: string,
    protected readonly env: NodeJS.ProcessEnv = process.env,
    protected readonly stateDir: string = path.join(cwd, '.aibackend'),
    protected readonly project?: string,
  ) {}

  describe(): string {
    return ['docker compose', ...this.projectArgs(), '-f', this.file, 'up -d --no-deps --force-recreate', this.service].join(' ');
  }

  private projectArgs(): string[] {
    return this.project ? ['-p', this.project] : [];
  }

  async restart(_deployedPath?: string, _gatewayUrl?: string): Promise<void> {
    await this.recreate();
  }

  /** Starts the service's dependencies when they do not run, keeps the old container's log, and recreates the service. */
  protected async recreate(): Promise<string | undefined> {
    const model = await this.model();
    const deps = model.dependsOn(this.service);
    if (deps.length)
      await this.compose(['up', '-d', '--no-recreate', ...deps], `could not start ${deps.join(', ')} (what '${this.service}' depends on)`);
    await this.archiveLogs();
    await this.compose(['up', '-d', '--no-deps', '--force-recreate', this.service], `could not recreate compose service '${this.service}'`);
    const now = (await this.containers())[0];
    this.watched = now ? { id: now.id, checkedAt: 0 } : undefined;
    return now?.id;
  }

  /** Runs compose with ARGS on this file and project; throws RuntimeError with its output on failure. */
  protected async compose(args: string[], failure: string, timeout = 300_000): Promise<string> {
    const tool = await findTool(this.env);
    if ('problem' in tool) throw new RuntimeError(failure, tool.problem);
    const argv = [...tool.argv.slice(1), ...this.projectArgs(), '-f', this.file, ...args];
    const r = await execa(tool.argv[0]!, argv, { cwd: this.cwd, reject: false, all: true, timeout, stdin: 'ignore', env: this.env });
    if (r.failed)
      throw new RuntimeError(
        failure,
        `${tool.argv[0]} ${argv.join(' ')}: exit ${r.exitCode ?? r.signal}\n${maskSecrets(tail(String(r.all ?? ''), 8))}`,
      );
    return String(r.stdout ?? '');
  }

  /** compose's own reading of the file (`config --format json`): it interpolates and validates as `up` would. */
  private async model(): Promise<ComposeModel> {
    const out = await this.compose(['config', '--format', 'json'], `compose cannot read ${this.file}`, 60_000);
    let data: {
      name?: string;
      services?: Record<string, { depends_on?: Record<string, unknown> | string[]; volumes?: { type?: string; source?: string }[] }>;
    };
    try {
      data = JSON.parse(out) as typeof data;
    } catch {
      throw new RuntimeError(`compose cannot read ${this.file}`, '`docker compose config --format json` did not print JSON');
    }
    return {
      name: data.name ?? '',
      dependsOn: (svc) => {
        const d = data.services?.[svc]?.depends_on;
        return Array.isArray(d) ? d : d ? Object.keys(d) : [];
      },
      binds: (svc) => (data.services?.[svc]?.volumes ?? []).filter((v) => v.type === 'bind' && v.source).map((v) => v.source!),
    };
  }

  /** The service's containers in this project, running ones first. */
  protected async containers(service = this.service): Promise<ContainerState[]> {
    const out = await this.compose(['ps', '-a', '--format', 'json', service], `could not list the containers of '${service}'`, 60_000);
    return parseContainers(out).sort((a, b) => Number(b.state === 'running') - Number(a.state === 'running'));
  }

  /** Appends the logs of the service's containers to its archive, before a recreation throws them away. */
  protected async archiveLogs(): Promise<void> {
    let ids: string[];
    try {
      ids = (await this.containers()).map((c) => c.id);
    } catch {
      return;
    }
    const dir = path.join(this.stateDir, COMPOSE_LOG_DIR);
    const file = path.join(dir, `${this.service}.log`);
    for (const id of ids) {
      const r = await execa('docker', ['logs', id], {
        reject: false,
        all: true,
        timeout: 60_000,
        stdin: 'ignore',
        env: this.env,
        stripFinalNewline: false,
      });
      const text = String(r.all ?? '');
      if (r.failed || !text) continue;
      mkdirSync(dir, { recursive: true });
      try {
        if (statSync(file).size > LOG_ARCHIVE_MAX) renameSync(file, `${file}.1`);
      } catch {
        // no archive yet
      }
      // Only this user reads the gateway's log (it can carry request details).
      appendFileSync(file, text.endsWith('\n') ? text : `${text}\n`, { mode: 0o600 });
    }
  }

  /**
   * Whether the container the last restart created has died, from the engine's own state: exited,
   * restarting, or restarted since (a restart policy hides a crash loop). Asked at most every 1.5 s.
   */
  exited(): string | undefined | Promise<string | undefined> {
    return this.engineVerdict();
  }

  private async engineVerdict(): Promise<string | undefined> {
    const w = this.watched;
    if (!w) return undefined;
    if (w.verdict || Date.now() - w.checkedAt < ENGINE_POLL_MS) return w.verdict;
    w.checkedAt = Date.now();
    const r = await execa('docker', ['inspect', '-f', '{{.State.Status}} {{.State.ExitCode}} {{.RestartCount}} {{.Name}}', w.id], {
      reject: false,
      all: true,
      timeout: 20_000,
      stdin: 'ignore',
      env: this.env,
    });
    if (r.failed) {
      w.verdict = /no such (object|container)/i.test(String(r.all)) ? `the container of '${this.service}' was removed` : undefined;
      return w.verdict;
    }
    const [status, code, restarts, name] = String(r.stdout).trim().split(' ');
    const count = Number(restarts);
    if (status === 'running' && count === 0) return undefined;
    if (status === 'created') return undefined;
    const container = name!.replace(/^\//, '');
    const times = `${count} time${count === 1 ? '' : 's'}`;
    // Once restarted, the engine keeps only the current run's exit code (0 while it runs).
    const what =
      status === 'running'
        ? `the container ${container} exited and was restarted ${times} by its restart policy`
        : status === 'restarting'
          ? `the container ${container} exited with code ${code} and is being restarted by its restart policy (${times} so far)`
          : `the container ${container} ${status} with code ${code}`;
    const logs = await execa('docker', ['logs', '--tail', '40', w.id], {
      reject: false,
      all: true,
      timeout: 20_000,
      stdin: 'ignore',
      env: this.env,
    });
    const last = maskSecrets(excerpt(String(logs.all ?? ''), 6));
    w.verdict = `${what}${last ? `; its last lines:\n${last}` : ''}`;
    return w.verdict;
  }

  running(): string {
    return `compose service '${this.service}' of ${this.file}${this.project ? ` (project ${this.project})` : ''}`;
  }

  /** The service without a running container (stopped, exited, restart-looping, removed): a reload with nothing to change recreates it. */
  async drift(): Promise<string[]> {
    let found: ContainerState[];
    try {
      found = await this.containers();
    } catch {
      return [];
    }
    const now = found[0];
    if (now?.state === 'running') return [];
    return [
      now
        ? `compose service '${this.service}' is not running (container ${now.name}: ${now.state}${now.state === 'exited' ? `, exit code ${now.exitCode}` : ''})`
        : `compose service '${this.service}' has no container`,
    ];
  }

  async preflight(gatewayUrl: string): Promise<PreflightCheck[]> {
    const checks: PreflightCheck[] = [];
    const tool = await findTool(this.env);
    if ('problem' in tool) return [{ check: 'runtime', ok: false, detail: tool.problem }];
    this.toolArgv = tool.argv;
    checks.push({ check: 'runtime', ok: true, detail: `${tool.argv.join(' ')} ${tool.version} is installed` });
    const svc = composeService(this.file, this.service);
    if ('problem' in svc) {
      checks.push({ check: 'compose file', ok: false, detail: svc.problem });
      return checks;
    }
    let model: ComposeModel;
    try {
      model = await this.model();
    } catch (err) {
      const e = err as RuntimeError;
      checks.push({ check: 'compose file', ok: false, detail: `${e.message}: ${lastLine(e.detail)}` });
      return checks;
    }
    // Docker makes a missing bind source a directory, as root: the config file could never be written there again.
    const absent = model.binds(this.service).filter((src) => !existsSync(src));
    if (absent.length) {
      checks.push({
        check: 'compose file',
        ok: false,
        detail: `service '${this.service}' bind-mounts ${absent.join(', ')}, which does not exist: docker would create it as a directory owned by root; run \`aibackend generate\` first`,
      });
      return checks;
    }
    checks.push({ check: 'compose file', ok: true, detail: `${this.file} has service '${this.service}' (compose project ${model.name})` });
    checks.push(await this.projectCheck(model.name));
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

  /** The service has a container in this project, or none anywhere (the reload creates it); one under another project name stops the reload. */
  private async projectCheck(project: string): Promise<PreflightCheck> {
    let mine: ContainerState[];
    try {
      mine = await this.containers();
    } catch (err) {
      return { check: 'container', ok: false, detail: `${(err as Error).message}: ${lastLine((err as RuntimeError).detail)}` };
    }
    if (mine.length)
      return {
        check: 'container',
        ok: true,
        detail: `'${this.service}' has a container in compose project ${project} (${mine[0]!.state})`,
      };
    const r = await execa(
      'docker',
      [
        'ps',
        '-a',
        '--filter',
        `label=com.docker.compose.service=${this.service}`,
        '--format',
        '{{.Label "com.docker.compose.project"}}\t{{.Label "com.docker.compose.project.config_files"}}\t{{.Names}}',
      ],
      { reject: false, all: true, timeout: 20_000, stdin: 'ignore', env: this.env },
    );
    const elsewhere = String(r.stdout ?? '')
      .split('\n')
      .map((l) => l.split('\t'))
      .filter(([p, files]) => p && p !== project && (files ?? '').split(',').some((f) => path.resolve(this.cwd, f) === this.file));
    if (elsewhere.length) {
      const other = elsewhere[0]![0]!;
      return {
        check: 'container',
        ok: false,
        detail: `service '${this.service}' of ${this.file} runs in compose project '${other}' (container ${elsewhere[0]![2]}), not in '${project}', the project aibackend drives: set runtime.project: ${other} in gateway.yaml (or COMPOSE_PROJECT_NAME=${other}), or stop that stack with \`docker compose -p ${other} down\``,
      };
    }
    return {
      check: 'container',
      ok: true,
      detail: `'${this.service}' has no container in compose project ${project} (the stack is not up): the reload creates it (docker compose up -d)`,
    };
  }

  validator(candidate: string): ValidatorPlan {
    return {
      argv: [
        ...this.toolArgv,
        ...this.projectArgs(),
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
      runtimeFailure: COMPOSE_FAILURE,
    };
  }
}

/** What compose or the engine says when the one-off container never ran LiteLLM. */
const COMPOSE_FAILURE =
  /Error response from daemon|Cannot connect to the Docker daemon|no such service|required variable|pull access denied|No such image|manifest unknown|OCI runtime|service "[^"]*" (refers|depends)|invalid compose project|is not a docker command|unknown (shorthand )?flag/i;

/** `docker compose ps --format json`: one object per line (v2.21 and later), or one array (earlier v2). */
export function parseContainers(out: string): ContainerState[] {
  const text = out.trim();
  if (!text) return [];
  const rows: Record<string, unknown>[] = text.startsWith('[')
    ? (JSON.parse(text) as Record<string, unknown>[])
    : text.split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
  return rows.map((r) => ({
    id: String(r.ID ?? ''),
    name: String(r.Name ?? ''),
    state: String(r.State ?? '').toLowerCase(),
    exitCode: Number(r.ExitCode ?? 0),
    project: String(r.Project ?? ''),
  }));
}

function lastLine(text: string | undefined): string {
  return (text ?? '').trim().split('\n').filter(Boolean).at(-1) ?? '';
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

/** What a compose service of a roll was last recreated with, and in which container. */
interface ServiceRecord {
  config_sha256?: string;
  config_body_sha256?: string;
  container?: string;
}

/**
 * One service of a compose project that a rolling reload drives (a gateway replica, or the load
 * balancer): recreated rather than restarted, so that it mounts the files as they are now, and
 * remembered with the hash of the config it was started on and its container (which config each
 * replica runs). A container the roll did not create (the user's own `docker compose up -d`) is
 * taken as running the file as it was when the container started.
 */
export class ComposeService extends ComposeRuntime {
  private readonly recordFile: string;

  constructor(file: string, service: string, cwd: string, env: NodeJS.ProcessEnv, stateDir: string, project?: string) {
    super(file, service, cwd, env, stateDir, project);
    this.recordFile = path.join(stateDir, `compose-${service}.json`);
  }

  override async restart(deployedPath: string, _url?: string): Promise<void> {
    const id = await this.recreate();
    this.watched = undefined;
    this.record(deployedPath, id);
  }

  private record(configPath: string, container: string | undefined): void {
    mkdirSync(this.stateDir, { recursive: true });
    writeFileAtomic(
      this.recordFile,
      `${JSON.stringify({ service: this.service, config: configPath, config_sha256: configSha(configPath), config_body_sha256: configSha(configPath, true), container, started: new Date().toISOString() })}\n`,
    );
  }

  /** HAProxy in master-worker mode (the official image's entrypoint): SIGUSR2 makes it re-read its config, seamlessly. */
  async reloadInPlace(configPath: string): Promise<void> {
    await this.compose(['kill', '-s', 'SIGUSR2', this.service], `could not signal compose service '${this.service}' to reload`);
    const now = (await this.containers())[0];
    this.record(configPath, now?.id);
  }

  /**
   * The hash of the config this service runs, when its container runs: from the record of the
   * roll that created it, or, for a container the roll did not create, the file's own when the
   * container started after the file last changed (else a hash that matches nothing: stale).
   */
  async runningConfig(configPath?: string): Promise<{ sha256?: string; body_sha256?: string } | undefined> {
    let now: ContainerState | undefined;
    try {
      now = (await this.containers()).find((c) => c.state === 'running');
    } catch {
      return undefined;
    }
    if (!now) return undefined;
    try {
      const rec = JSON.parse(readFileSync(this.recordFile, 'utf8')) as ServiceRecord;
      if (rec.container === now.id || (rec.container === undefined && (rec.config_sha256 || rec.config_body_sha256)))
        return {
          ...(rec.config_sha256 ? { sha256: rec.config_sha256 } : {}),
          ...(rec.config_body_sha256 ? { body_sha256: rec.config_body_sha256 } : {}),
        };
    } catch {
      // no record: a container the roll did not create
    }
    if (!configPath) return { sha256: 'unknown' };
    const r = await execa('docker', ['inspect', '-f', '{{.State.StartedAt}}', now.id], {
      reject: false,
      timeout: 20_000,
      stdin: 'ignore',
      env: this.env,
    });
    const started = Date.parse(String(r.stdout ?? '').trim());
    let changed: number;
    try {
      changed = statSync(configPath).mtimeMs;
    } catch {
      return { sha256: 'unknown' };
    }
    return Number.isFinite(started) && started >= changed ? { sha256: configSha(configPath) } : { sha256: 'stale' };
  }

  /** Whether the roll ever created this service (a container that died, rather than one never started). */
  wasStarted(): boolean {
    try {
      statSync(this.recordFile);
      return true;
    } catch {
      return false;
    }
  }

  override exited(): string | undefined {
    return undefined;
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
