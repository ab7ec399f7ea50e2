// Docker Swarm: the gateway is a replicated service that the engine schedules, supervises, rolls
// and rolls back. A reload delivers the compiled config as a docker config and the secrets as
// docker secrets, each named by its content hash (immutable objects: a change is a new object,
// hence a new service spec and a rolling update), deploys the stack file with them, follows the
// engine's UpdateStatus and tasks, and leaves the proof of what serves to the probe through the
// load balancer. The engine's own rollback (failure_action: rollback) is reported as such.
import { existsSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { execa } from 'execa';
import { parseDocument } from 'yaml';
import { writeFileAtomic } from '../../util/atomic-write.js';
import { sha256 } from '../../util/canonical.js';
import { maskSecrets } from '../../util/secrets.js';
import { sleep } from '../../util/sleep.js';
import {
  excerpt,
  RuntimeError,
  tail,
  type PreflightCheck,
  type RestartOptions,
  type RuntimeAdapter,
  type ValidatorPlan,
} from './adapter.js';
import { urlPort } from './argv.js';
import { referencedVariables } from './gateway-env.js';

export interface SwarmSpec {
  stack: string;
  file: string;
  service: string;
  replicas: number;
  secrets?: string[];
}

/** Labels every object aibackend creates, so that it removes only its own. */
const LABEL = 'org.aibackend.stack';
const CONFIG_TARGET = '/app/config.yaml';
const CANDIDATE_IN_CONTAINER = '/tmp/aibackend-candidate.yaml';
const POLL_MS = 1000;

/** The engine's states of an update that has ended badly. */
const ROLLED_BACK = new Set(['rollback_completed', 'rollback_paused', 'paused', 'rollback_started']);

interface ServiceState {
  version: number;
  updateState?: string;
  updateStartedAt?: string;
  updateMessage?: string;
  image?: string;
  configs: string[];
  secrets: string[];
}

export interface SwarmTask {
  id: string;
  node: string;
  desired: string;
  state: string;
  error: string;
  config?: string;
}

/** The gateway service as `status` shows it. */
export interface SwarmSnapshot {
  service: string;
  exists: boolean;
  replicas: number;
  update_state: string | null;
  update_message: string | null;
  tasks: SwarmTask[];
}

export class SwarmRuntime implements RuntimeAdapter {
  readonly kind = 'swarm' as const;
  private readonly file: string;
  private readonly rendered: string;

  constructor(
    private readonly spec: SwarmSpec,
    private readonly projectDir: string,
    private readonly env: NodeJS.ProcessEnv,
    /** gateway.master_key's variable, delivered as a secret too. */
    private readonly masterKeyVar: string | undefined,
    /** The backups directory: the configs of retained backups are kept. */
    private readonly backupsDir: string,
    private readonly progress: (line: string) => void = () => undefined,
  ) {
    this.file = path.resolve(projectDir, spec.file);
    this.rendered = path.resolve(projectDir, '.aibackend', 'swarm', `${spec.stack}.yml`);
  }

  /** The gateway service's name as docker knows it. */
  get serviceName(): string {
    return `${this.spec.stack}_${this.spec.service}`;
  }

  describe(): string {
    return `docker stack deploy ${this.spec.stack}: the engine rolls ${this.serviceName} (${this.spec.replicas} tasks) one task at a time, start-first, and rolls back a failed update`;
  }

  running(): string {
    return `swarm service ${this.serviceName} (stack ${this.spec.stack})`;
  }

  exited(): undefined {
    return undefined;
  }

  /** `docker ARGS`, never throwing: its result, for the questions whose failure is an answer. */
  private ask(args: string[], timeout = 20_000) {
    return execa('docker', args, { cwd: this.projectDir, env: this.env, reject: false, all: true, stdin: 'ignore', timeout });
  }

  private async docker(args: string[], failure: string, input?: string, timeout = 120_000): Promise<string> {
    const r = await execa('docker', args, {
      cwd: this.projectDir,
      env: this.env,
      reject: false,
      all: true,
      timeout,
      ...(input !== undefined ? { input } : { stdin: 'ignore' as const }),
    });
    if (r.failed)
      throw new RuntimeError(
        failure,
        `docker ${args.join(' ')}: exit ${r.exitCode ?? r.code}\n${maskSecrets(tail(String(r.all ?? ''), 8))}`,
      );
    return String(r.stdout ?? '');
  }

  async preflight(gatewayUrl: string): Promise<PreflightCheck[]> {
    const checks: PreflightCheck[] = [];
    const info = await this.ask(['info', '--format', '{{.Swarm.LocalNodeState}} {{.Swarm.ControlAvailable}}']);
    if (info.failed) return [{ check: 'runtime', ok: false, detail: `no Docker engine answers: ${tail(String(info.all ?? ''), 2)}` }];
    const [state, manager] = String(info.stdout).trim().split(' ');
    if (state !== 'active')
      return [{ check: 'runtime', ok: false, detail: `this Docker engine is not in a swarm (${state}): \`docker swarm init\` makes one` }];
    if (manager !== 'true')
      return [{ check: 'runtime', ok: false, detail: 'this node is a swarm worker: deploy from a manager (`docker node ls` names them)' }];
    checks.push({ check: 'runtime', ok: true, detail: 'this node is a manager of an active swarm' });
    const stack = this.readStack();
    if ('problem' in stack) {
      checks.push({ check: 'stack file', ok: false, detail: stack.problem });
      return checks;
    }
    checks.push({ check: 'stack file', ok: true, detail: `${this.file} has service '${this.spec.service}'` });
    const image = await this.ask(['image', 'inspect', stack.image]);
    checks.push(
      image.failed
        ? {
            check: 'image',
            ok: false,
            detail: `the image ${stack.image} is not on this node (docker pull it, or build it: scripts/setup-docker.sh)`,
          }
        : { check: 'image', ok: true, detail: `${stack.image} is on this node` },
    );
    const want = urlPort(gatewayUrl);
    checks.push(
      stack.published.includes(want)
        ? { check: 'port', ok: true, detail: `the stack publishes gateway.url's port ${want}` }
        : {
            check: 'port',
            ok: false,
            detail: `the stack publishes ${stack.published.length ? `port ${stack.published.join(', ')}` : 'no port'}, but gateway.url says ${want}`,
          },
    );
    return checks;
  }

  /** The stack file as data, with the gateway service's image and the ports the stack publishes. */
  private readStack(): { doc: Record<string, unknown>; image: string; published: number[] } | { problem: string } {
    if (!existsSync(this.file)) return { problem: `the stack file ${this.file} does not exist` };
    const doc = parseDocument(readFileSync(this.file, 'utf8'));
    if (doc.errors.length) return { problem: `${this.file} is not valid YAML: ${doc.errors[0]!.message.split('\n')[0]}` };
    const data = doc.toJS({ maxAliasCount: 100 }) as Record<string, unknown> | null;
    const services = (data?.services ?? {}) as Record<string, Record<string, unknown>>;
    const svc = services[this.spec.service];
    if (!svc) return { problem: `${this.file} has no service '${this.spec.service}'` };
    if (typeof svc.image !== 'string') return { problem: `service '${this.spec.service}' of ${this.file} names no image` };
    const published: number[] = [];
    for (const s of Object.values(services))
      for (const p of (s.ports ?? []) as unknown[]) {
        const n = typeof p === 'object' && p ? Number((p as { published?: unknown }).published) : Number(String(p).split(':').at(-2));
        if (Number.isFinite(n)) published.push(n);
      }
    return { doc: data!, image: svc.image, published };
  }

  validator(candidate: string): ValidatorPlan {
    const stack = this.readStack();
    if ('problem' in stack) return { unavailable: stack.problem };
    // A one-off container of the service's image; the variables the config reads come from this
    // environment by name (`-e VAR`), never on the command line.
    const vars = this.secretVars(readFileSync(candidate, 'utf8'));
    return {
      argv: [
        'docker',
        'run',
        '--rm',
        '--network',
        'none',
        '--entrypoint',
        'litellm',
        ...vars.flatMap((v) => ['-e', v]),
        '-v',
        `${candidate}:${CANDIDATE_IN_CONTAINER}:ro`,
        stack.image,
        '--config',
        CANDIDATE_IN_CONTAINER,
        '--validate_config',
      ],
      env: Object.fromEntries(Object.entries(this.env).filter((e): e is [string, string] => e[1] !== undefined)),
      runtimeFailure: /Error response from daemon|Cannot connect to the Docker daemon|Unable to find image|docker: /i,
    };
  }

  /** The variables delivered as secrets: the master key's, those the config reads that are set, and spec.secrets. */
  private secretVars(configText: string): string[] {
    const vars = new Set<string>([...(this.masterKeyVar ? [this.masterKeyVar] : []), ...(this.spec.secrets ?? [])]);
    for (const v of referencedVariables(configText)) if (this.env[v]) vars.add(v);
    return [...vars].filter((v) => this.env[v] !== undefined && this.env[v] !== '').sort();
  }

  private objectName(kind: string, content: string): string {
    return `${this.spec.stack}_${kind}_${sha256(content).slice(0, 12)}`;
  }

  /** The docker config holding `text`, created when missing. */
  private async ensureConfig(text: string): Promise<string> {
    const name = this.objectName('config', text);
    const have = await this.ask(['config', 'inspect', name]);
    if (have.failed)
      await this.docker(
        ['config', 'create', '--label', `${LABEL}=${this.spec.stack}`, name, '-'],
        `could not create the docker config ${name}`,
        text,
      );
    return name;
  }

  /** The docker secret holding VAR's value, created when missing; the value goes through stdin and is never shown. */
  private async ensureSecret(v: string): Promise<string> {
    const value = this.env[v]!;
    const name = this.objectName(v.toLowerCase(), `${v}\0${value}`);
    const have = await this.ask(['secret', 'inspect', name]);
    if (have.failed)
      await this.docker(
        ['secret', 'create', '--label', `${LABEL}=${this.spec.stack}`, name, '-'],
        `could not create the docker secret for ${v}`,
        value,
      );
    return name;
  }

  /** The stack file with the config and the secrets added to the gateway service, as deployed. */
  private render(configName: string, secrets: [string, string][]): string {
    const stack = this.readStack();
    if ('problem' in stack) throw new RuntimeError(stack.problem);
    const data = structuredClone(stack.doc) as Record<string, Record<string, unknown>>;
    const svc = (data.services as Record<string, Record<string, unknown>>)[this.spec.service]!;
    svc.configs = [...((svc.configs as unknown[]) ?? []), { source: 'aibackend_config', target: CONFIG_TARGET }];
    svc.secrets = [...((svc.secrets as unknown[]) ?? []), ...secrets.map(([v]) => ({ source: `aibackend_${v}`, target: v }))];
    svc.deploy = { ...((svc.deploy as Record<string, unknown>) ?? {}), replicas: this.spec.replicas };
    data.configs = { ...(data.configs ?? {}), aibackend_config: { external: true, name: configName } };
    if (secrets.length)
      data.secrets = {
        ...(data.secrets ?? {}),
        ...Object.fromEntries(secrets.map(([v, n]) => [`aibackend_${v}`, { external: true, name: n }])),
      };
    // Relative paths (the load balancer's config file) stay relative to the stack file's directory.
    for (const c of Object.values((data.configs ?? {}) as Record<string, { file?: string }>))
      if (c.file && !path.isAbsolute(c.file)) c.file = path.resolve(path.dirname(this.file), c.file);
    return `# Written by aibackend reload from ${this.spec.file}: deploy it with \`aibackend reload\`.\n${JSON.stringify(data, null, 2)}\n`;
  }

  private async serviceState(): Promise<ServiceState | undefined> {
    const r = await this.ask(['service', 'inspect', this.serviceName, '--format', '{{json .}}']);
    if (r.failed) return undefined;
    const s = JSON.parse(String(r.stdout)) as {
      Version: { Index: number };
      UpdateStatus?: { State?: string; Message?: string; StartedAt?: string };
      Spec: { TaskTemplate: { ContainerSpec: { Image?: string; Configs?: { ConfigName: string }[]; Secrets?: { SecretName: string }[] } } };
    };
    const c = s.Spec.TaskTemplate.ContainerSpec;
    return {
      version: s.Version.Index,
      ...(s.UpdateStatus?.State ? { updateState: s.UpdateStatus.State } : {}),
      ...(s.UpdateStatus?.Message ? { updateMessage: s.UpdateStatus.Message } : {}),
      ...(s.UpdateStatus?.StartedAt ? { updateStartedAt: s.UpdateStatus.StartedAt } : {}),
      ...(c.Image ? { image: c.Image } : {}),
      configs: (c.Configs ?? []).map((x) => x.ConfigName),
      secrets: (c.Secrets ?? []).map((x) => x.SecretName),
    };
  }

  /** The gateway service's tasks, newest first: node, desired and current state, and the config each runs. */
  async tasks(): Promise<SwarmTask[]> {
    const r = await this.ask(['service', 'ps', this.serviceName, '--no-trunc', '--format', '{{json .}}']);
    if (r.failed) return [];
    const rows = String(r.stdout)
      .trim()
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as { ID: string; Node: string; DesiredState: string; CurrentState: string; Error: string });
    // Which config each task runs: one `docker inspect` for all of them (this is polled every second during an update).
    const configs = new Map<string, string>();
    if (rows.length) {
      const t = await this.ask([
        'inspect',
        ...rows.map((x) => x.ID),
        '--format',
        '{{.ID}} {{range .Spec.ContainerSpec.Configs}}{{.ConfigName}} {{end}}',
      ]);
      for (const line of String(t.stdout ?? '').split('\n')) {
        const [id, ...names] = line.trim().split(' ');
        const config = names.find((n) => n.startsWith(`${this.spec.stack}_config_`));
        if (id && config) configs.set(id, config);
      }
    }
    return rows.map((t) => {
      const config = configs.get(t.ID);
      return {
        id: t.ID.slice(0, 12),
        node: t.Node,
        desired: t.DesiredState.toLowerCase(),
        state: t.CurrentState.split(' ')[0]!.toLowerCase(),
        error: t.Error,
        ...(config ? { config } : {}),
      };
    });
  }

  async restart(deployedPath: string, _gatewayUrl: string, opts: RestartOptions = {}): Promise<void> {
    const text = readFileSync(deployedPath, 'utf8');
    const configName = await this.ensureConfig(text);
    const secrets: [string, string][] = [];
    for (const v of this.secretVars(text)) secrets.push([v, await this.ensureSecret(v)]);
    mkdirSync(path.dirname(this.rendered), { recursive: true });
    writeFileAtomic(this.rendered, this.render(configName, secrets));
    const before = await this.serviceState();
    this.progress(`deploying stack ${this.spec.stack} with config ${configName}${before ? '' : ' (the service does not exist yet)'}`);
    await this.docker(
      ['stack', 'deploy', '--resolve-image', 'never', '-c', this.rendered, this.spec.stack],
      `docker stack deploy ${this.spec.stack} failed`,
      undefined,
      300_000,
    );
    let after = await this.serviceState();
    if (before && after && after.version === before.version && opts.all) {
      // Same spec, but every task must start again (--restart): the engine's own forced update.
      this.progress(`forcing a rolling restart of ${this.serviceName} (--restart)`);
      await this.docker(['service', 'update', '--detach', '--force', this.serviceName], `could not restart ${this.serviceName}`);
      after = await this.serviceState();
    }
    const timeoutMs = (opts.timeoutMs ?? 90_000) * Math.max(1, this.spec.replicas) + 60_000;
    if (before && after && after.version !== before.version) await this.followUpdate(before.updateStartedAt, timeoutMs);
    await this.waitRunning(configName, timeoutMs);
    await this.prune();
  }

  /** Follows the engine's UpdateStatus until it completes; a rollback by the engine is a RuntimeError with its reason. */
  private async followUpdate(previousStart: string | undefined, timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    // The engine starts an update only when the tasks' spec changed; an UpdateStatus left by an
    // earlier update (its StartedAt) says nothing about this one.
    const noUpdateBy = Date.now() + 10_000;
    let said = '';
    for (;;) {
      const s = await this.serviceState();
      if (!s?.updateStartedAt || s.updateStartedAt === previousStart) {
        if (Date.now() > noUpdateBy) return;
        await sleep(POLL_MS);
        continue;
      }
      const state = s.updateState ?? 'updating';
      const line = `update of ${this.serviceName}: ${state}${s?.updateMessage ? ` (${s.updateMessage})` : ''}`;
      if (line !== said) this.progress((said = line));
      if (state === 'completed') return;
      if (ROLLED_BACK.has(state)) {
        // The engine may still be rolling back: let it finish before the probe asks the old tasks.
        if (state === 'rollback_started') await this.waitState(['rollback_completed', 'rollback_paused'], deadline);
        throw new RuntimeError(
          `the engine rolled the update of ${this.serviceName} back: ${s?.updateMessage ?? state}`,
          await this.failedTaskLog(),
        );
      }
      if (Date.now() > deadline)
        throw new RuntimeError(`the update of ${this.serviceName} did not complete within ${Math.round(timeoutMs / 1000)} s (${state})`);
      await sleep(POLL_MS);
    }
  }

  private async waitState(states: string[], deadline: number): Promise<void> {
    while (Date.now() < deadline) {
      const s = await this.serviceState();
      if (s?.updateState && states.includes(s.updateState)) return;
      await sleep(POLL_MS);
    }
  }

  /** Every desired task running; with `configName`, each on that config. */
  private async waitRunning(configName: string | undefined, timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    let said = '';
    for (;;) {
      const live = (await this.tasks()).filter((t) => t.desired === 'running');
      const ready = live.filter((t) => t.state === 'running' && (!configName || t.config === configName));
      const line = `${this.serviceName}: ${ready.length}/${this.spec.replicas} tasks running${configName ? ' the new config' : ''}`;
      if (line !== said) this.progress((said = line));
      if (ready.length >= this.spec.replicas && live.length === ready.length) return;
      if (Date.now() > deadline) throw new RuntimeError(`${line} after ${Math.round(timeoutMs / 1000)} s`, await this.failedTaskLog());
      await sleep(POLL_MS);
    }
  }

  /** The last lines of the newest task that failed, for the error. */
  private async failedTaskLog(): Promise<string | undefined> {
    const failed = (await this.tasks()).find((t) => t.state === 'failed' || t.error);
    if (!failed) return undefined;
    const r = await this.ask(['service', 'logs', '--no-task-ids', '--raw', '--tail', '30', failed.id]);
    const last = maskSecrets(excerpt(String(r.all ?? ''), 6));
    return `task ${failed.id} on ${failed.node}: ${failed.state}${failed.error ? ` (${failed.error})` : ''}${last ? `; its last lines:\n${last}` : ''}`;
  }

  /** Removes this stack's configs and secrets that no service uses, keeping the configs of retained backups. */
  private async prune(): Promise<void> {
    const keep = new Set<string>();
    if (existsSync(this.backupsDir))
      for (const f of readdirSync(this.backupsDir)) {
        if (!f.endsWith('.yaml')) continue;
        try {
          keep.add(this.objectName('config', readFileSync(path.join(this.backupsDir, f), 'utf8')));
        } catch {
          // not a file
        }
      }
    const inUse = new Set<string>();
    const services = (await this.docker(['service', 'ls', '-q'], 'could not list services')).split('\n').filter(Boolean);
    if (services.length) {
      const r = await this.ask([
        'service',
        'inspect',
        ...services,
        '--format',
        '{{range .Spec.TaskTemplate.ContainerSpec.Configs}}{{.ConfigName}} {{end}}{{range .Spec.TaskTemplate.ContainerSpec.Secrets}}{{.SecretName}} {{end}}',
      ]);
      for (const n of String(r.stdout ?? '').split(/\s+/)) if (n) inUse.add(n);
    }
    for (const kind of ['config', 'secret'] as const) {
      const names = (
        await this.docker([kind, 'ls', '--filter', `label=${LABEL}=${this.spec.stack}`, '--format', '{{.Name}}'], `could not list ${kind}s`)
      )
        .split('\n')
        .filter(Boolean);
      const gone = names.filter((n) => !inUse.has(n) && !keep.has(n));
      if (gone.length) {
        await this.ask([kind, 'rm', ...gone], 60_000);
        this.progress(`removed ${gone.length} unused docker ${kind}${gone.length === 1 ? '' : 's'}`);
      }
    }
  }

  /** What `status` shows: the engine's update state and every task (node, state, config). */
  async snapshot(): Promise<SwarmSnapshot> {
    const s = await this.serviceState();
    return {
      service: this.serviceName,
      exists: Boolean(s),
      replicas: this.spec.replicas,
      update_state: s?.updateState ?? null,
      update_message: s?.updateMessage ?? null,
      tasks: s ? await this.tasks() : [],
    };
  }

  /** A service that does not exist, or fewer tasks running than declared: a reload with nothing to change deploys again. */
  async drift(): Promise<string[]> {
    const s = await this.serviceState();
    if (!s) return [`swarm service ${this.serviceName} does not exist`];
    const running = (await this.tasks()).filter((t) => t.desired === 'running' && t.state === 'running').length;
    return running < this.spec.replicas ? [`swarm service ${this.serviceName} runs ${running} of ${this.spec.replicas} tasks`] : [];
  }
}
