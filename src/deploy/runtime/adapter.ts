// How the gateway is restarted. LiteLLM reads its config only at start-up, so applying a config
// is a restart; each runtime knows one way of doing that, how to check before anything changes
// that the restart can work, and how to load a candidate into the same LiteLLM without serving.

/** One check made before the old gateway is stopped. */
export interface PreflightCheck {
  check: string;
  ok: boolean;
  detail: string;
  /** The check could not be made here (said in detail); it does not block. */
  skipped?: boolean;
}

/** How to run LiteLLM's own `--validate_config` on a candidate file, the way this runtime runs the gateway. */
export type ValidatorPlan =
  | {
      argv: string[];
      env?: Record<string, string>;
      /** Output that means the runtime failed to start LiteLLM at all (compose, the engine), not that LiteLLM refused the file. */
      runtimeFailure?: RegExp;
    }
  | { unavailable: string };

/** How a restart goes about it. */
export interface RestartOptions {
  /** Restart every part even when it already runs the deployed bytes: a changed secret, or --restart (a new environment is read only at start). */
  all?: boolean;
  /** How long each probe may wait (--timeout), instead of health.timeout_s. */
  timeoutMs?: number;
}

/** What the last restart did, part by part (replicas and the load balancer), and what it repaired on the way. */
export interface RollReport {
  steps: RollStep[];
  /** Parts found broken or out of rotation, and what was done about each. */
  healed: string[];
}

export interface RollStep {
  /** A replica's name (r1, r2, ...) or `haproxy`. */
  part: string;
  port?: number;
  action: 'skipped' | 'restarted' | 'started' | 'put-back' | 'reloaded';
  ms: number;
  /** Requests still in flight when the drain's limit passed, cut by the restart. */
  cut?: number;
}

export interface RuntimeAdapter {
  readonly kind: 'compose' | 'command' | 'process' | 'swarm';
  /** One line for people: what a restart will do. */
  describe(): string;
  /** Restart the gateway so that it reads the deployed file and serves on gatewayUrl's port. Throws RuntimeError on failure. */
  restart(deployedPath: string, gatewayUrl: string, opts?: RestartOptions): Promise<void>;
  /**
   * How what runs differs from the declared topology with the deployed file (a dead or foreign
   * part, a server held out of rotation, a load balancer config not applied); empty when it does not.
   * A restart repairs all of it.
   */
  drift?(deployedPath: string, gatewayUrl: string): Promise<string[]>;
  /** What the last restart did, part by part. */
  report?(): RollReport;
  /** Whether the gateway is known to have died (the process runtime from its pid, compose from the engine's state). */
  exited(): string | undefined | Promise<string | undefined>;
  /** One line for people: what is running now, as far as this runtime can tell. */
  running(): string;
  /** The end of the gateway's own log, when this runtime keeps one. */
  logExcerpt?(): string | undefined;
  /** Cheap checks that a restart can work at all: the runtime exists, the ports agree, the port is ours. */
  preflight(gatewayUrl: string): Promise<PreflightCheck[]>;
  /** The argv that loads `candidate` into this runtime's LiteLLM with --validate_config. */
  validator(candidate: string): ValidatorPlan;
  /** After a probe passed: why the gateway that answered is not the one this run started, if it is not. */
  impostor?(gatewayUrl: string): string | undefined;
}

export class RuntimeError extends Error {
  constructor(
    message: string,
    readonly detail?: string,
  ) {
    super(message);
    this.name = 'RuntimeError';
  }
}

/** argv with every "{config}" replaced by the deployed file's absolute path, and "{port}" by the gateway's (or replica's) port. */
export function substitute(argv: readonly string[], deployedPath: string, port?: number): string[] {
  return argv.map((a) => {
    const withConfig = a.split('{config}').join(deployedPath);
    return port === undefined ? withConfig : withConfig.split('{port}').join(String(port));
  });
}

/** The lines of a log worth showing after a failure: the last errors, shortened, without colour codes. */
export function excerpt(log: string, lines = 8, width = 240): string {
  const clean = log
    .replace(/\u001b\[[0-9;]*m/g, '')
    .split('\n')
    .filter((l) => l.trim() && !/^#|^\s*#/.test(l.trim()));
  const errors = clean.filter((l) => /error|exception|traceback|failed|refused/i.test(l));
  const pick = (errors.length ? errors : clean).slice(-lines);
  return pick.map((l) => (l.length > width ? `${l.slice(0, width)}…` : l)).join('\n');
}

/** The last lines of a process's output, for error messages. */
export function tail(text: string | undefined, lines = 15): string {
  if (!text) return '';
  return text.trimEnd().split('\n').slice(-lines).join('\n');
}
