// The compose tests run on a real Docker engine with the images scripts/setup-docker.sh builds and
// tags with the names the shipped compose files use. Required in CI (.ci/run runs the set-up and
// sets AIBACKEND_REQUIRE_DOCKER); skipped with a warning elsewhere.
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { execa } from 'execa';
import { ROOT } from './cli.js';

const IMAGES = ['ghcr.io/berriai/litellm:v1.106.12-stable', 'redis:7.4.1-alpine', 'haproxy:2.6.12'];

function missing(): string | undefined {
  try {
    execFileSync('docker', ['compose', 'version'], { stdio: 'ignore', timeout: 20_000 });
  } catch {
    return 'no Docker engine with the compose plugin answers';
  }
  for (const image of IMAGES) {
    try {
      execFileSync('docker', ['image', 'inspect', image], { stdio: 'ignore', timeout: 20_000 });
    } catch {
      return `the image ${image} is missing`;
    }
  }
  return undefined;
}

/** Whether the compose tests can run here; throws in CI when they cannot. */
export function requireDocker(needed = true): boolean {
  if (!needed) return false;
  const why = missing();
  if (why && (process.env.AIBACKEND_REQUIRE_DOCKER || process.env.CI))
    throw new Error(`${why}: run \`bash scripts/setup-docker.sh\` (CI requires the compose tests)`);
  if (why) console.warn(`skipping the compose tests: ${why} (bash scripts/setup-docker.sh)`);
  return !why;
}

/** A shipped compose file with its ports replaced (`from` -> `to`, as they appear in the file). */
export function shippedCompose(name: string, project: string, ports: [string, string][]): string {
  let text = readFileSync(path.join(ROOT, name), 'utf8');
  for (const [from, to] of ports) {
    if (!text.includes(from)) throw new Error(`${name} no longer has ${from}`);
    text = text.split(from).join(to);
  }
  const file = path.join(project, name);
  writeFileSync(file, text);
  return file;
}

/** `docker compose -f FILE ARGS` in the project, never throwing. */
export async function compose(project: string, file: string, args: string[], env: Record<string, string> = {}) {
  return execa('docker', ['compose', '-f', file, ...args], {
    cwd: project,
    env: { ...process.env, ...env },
    reject: false,
    all: true,
    stdin: 'ignore',
    timeout: 300_000,
  });
}

/** The containers of the project, by service: id, state and exit code. */
export async function containers(project: string, file: string, env: Record<string, string> = {}) {
  const r = await compose(project, file, ['ps', '-a', '--format', 'json'], env);
  return String(r.stdout ?? '')
    .trim()
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as { ID: string; Service: string; State: string; ExitCode: number })
    .reduce<Record<string, { id: string; state: string }>>((acc, c) => ({ ...acc, [c.Service]: { id: c.ID, state: c.State } }), {});
}

/** Removes the project's containers, networks and volumes. */
export async function down(project: string, file: string, env: Record<string, string> = {}): Promise<void> {
  await compose(project, file, ['--profile', 'monitoring', 'down', '-v', '--remove-orphans', '-t', '2'], env);
}

/** A CLI result whose stdout is a JSON result (reload, rollback), parsed as `out`. */
export function withJson<R extends { stdout: string }>(r: R): R & { out: Record<string, unknown> & { status: string; message: string } } {
  return { ...r, out: JSON.parse(r.stdout || '{}') as Record<string, unknown> & { status: string; message: string } };
}

/**
 * The wall time of the last `timed` action, printed with a traffic's figures as one line that the
 * closing notes quote: `[LABEL figures] scenario: N requests (plain and streamed), F failed, reload T ms`.
 */
export function wallClock(label: string) {
  let ms = 0;
  return {
    get ms() {
      return ms;
    },
    async timed<T>(fn: () => Promise<T>): Promise<T> {
      const t0 = performance.now();
      const out = await fn();
      ms = Math.round(performance.now() - t0);
      return out;
    },
    figures(scenario: string, sent: number, failed: number): void {
      console.info(`[${label} figures] ${scenario}: ${sent} requests (plain and streamed), ${failed} failed, reload ${ms} ms`);
    },
    note(text: string): void {
      console.info(`[${label} figures] ${text}: reload ${ms} ms`);
    },
  };
}
