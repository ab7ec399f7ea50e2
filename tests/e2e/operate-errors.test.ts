// The live-stack commands when the stack is not there: clear errors with their exit codes, one
// JSON error object under --json, no stack trace, no secret.
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { cleanupTempDirs, makeProject } from '../helpers/fixtures.js';
import { freePort } from '../helpers/gateway.js';

afterAll(cleanupTempDirs);

async function project(extra: string) {
  const port = await freePort();
  const { project, config } = makeProject();
  const g = path.join(config, 'gateway.yaml');
  writeFileSync(g, readFileSync(g, 'utf8').replace('url: http://127.0.0.1:4000', `url: http://127.0.0.1:${port}`) + extra);
  return project;
}

const ENV = { LITELLM_MASTER_KEY: 'sk-operate-errors-00000000', REDIS_SECRET: 'hunter2-redis-secret' };

describe('try, stats, logs, cache, bench and load without a stack', () => {
  test('the gateway down: try and stats say it cannot be reached (exit 1, JSON error)', async () => {
    const p = await project('');
    const t = await runCli(['try', 'llama3.1:8b', '--json'], { cwd: p, env: ENV });
    expect(t.exitCode).toBe(1);
    expect(JSON.parse(t.stdout)).toMatchObject({
      ok: false,
      exit_code: 1,
      error: { message: expect.stringMatching(/cannot be reached \(ECONNREFUSED\)/) },
    });
    const s = await runCli(['stats', '--interval', '1'], { cwd: p, env: ENV });
    expect(s.exitCode).toBe(1);
    expect(s.stderr).toMatch(/cannot be reached/);
    expect(s.stderr).not.toMatch(/\n\s+at /);
  });

  test('an unknown name is a usage error with the closest name', async () => {
    const p = await project('');
    const t = await runCli(['try', 'llama3.1:8', '--json'], { cwd: p, env: ENV });
    expect(t.exitCode).toBe(2);
    expect(JSON.parse(t.stdout).error.message).toMatch(/did you mean 'llama3\.1:8b'/);
    const b = await runCli(['bench', 'nope'], { cwd: p, env: ENV });
    expect(b.exitCode).toBe(2);
    expect(b.stderr).toMatch(/not a public name or alias: nope/);
    const l = await runCli(['load', '--mix', 'nope=1'], { cwd: p, env: ENV });
    expect(l.exitCode).toBe(2);
    expect(l.stderr).toMatch(/--mix: 'nope' is not a chat public name/);
    const e = await runCli(['load', '--emit', 'locust'], { cwd: p, env: ENV });
    expect(e.exitCode).toBe(2);
    expect(e.stderr).toMatch(/--emit needs a directory/);
  });

  test('logs of a process runtime that never started: says so', async () => {
    const p = await project('runtime:\n  kind: process\n  command: [litellm, --config, "{config}"]\n');
    const g = path.join(p, 'config/gateway.yaml');
    const r = await runCli(['logs', '--json'], { cwd: p, env: ENV });
    expect(r.exitCode).toBe(1);
    expect(JSON.parse(r.stdout).error.message).toMatch(/no gateway log at .*gateway\.log: the gateway has not been started/);
    const c = await runCli(['logs'], { cwd: p, env: ENV });
    expect(c.stderr).toMatch(/no gateway log/);
    writeFileSync(
      g,
      readFileSync(g, 'utf8').replace(/runtime:\n  kind: process\n.*\n/, 'runtime:\n  kind: command\n  restart: ["true"]\n'),
    );
    expect(readFileSync(g, 'utf8')).toContain('kind: command');
    const cmd = await runCli(['logs'], { cwd: p, env: ENV });
    expect(cmd.exitCode).toBe(1);
    expect(cmd.stderr).toMatch(/set runtime\.log/);
  });

  test('cache: off in gateway.yaml, Redis down, and a password that is never printed', async () => {
    const off = await project('');
    expect((await runCli(['cache', 'stats'], { cwd: off, env: ENV })).stderr).toMatch(/cache\.enabled is false/);
    const port = await freePort();
    const down = await project(`cache:\n  enabled: true\n  port: ${port}\n  password: env:REDIS_SECRET\n`);
    const r = await runCli(['cache', 'stats', '--json'], { cwd: down, env: ENV });
    expect(r.exitCode).toBe(1);
    expect(JSON.parse(r.stdout).error.message).toBe(
      `Redis at 127.0.0.1:${port} cannot be reached (connection refused): is the cache Redis running?`,
    );
    expect(r.stdout + r.stderr).not.toContain('hunter2');
    const unset = await runCli(['cache', 'keys'], { cwd: down, env: { LITELLM_MASTER_KEY: 'x' } });
    expect(unset.exitCode).toBe(1);
    expect(unset.stderr).toMatch(/cache\.password names an environment variable that is not set/);
  });
});

// Issue 29: every network operation has a total deadline.
describe('a Redis that accepts connections and never answers', () => {
  test('cache stats --timeout 2 ends with a clear error instead of hanging', async () => {
    const net = await import('node:net');
    const sockets: import('node:net').Socket[] = [];
    const server = net.createServer((s) => void sockets.push(s));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as import('node:net').AddressInfo).port;
    try {
      const p = await project(`cache:\n  enabled: true\n  host: 127.0.0.1\n  port: ${port}\n`);
      const t0 = performance.now();
      const r = await runCli(['cache', 'stats', '--timeout', '2'], { cwd: p, env: ENV, timeout: 30_000 });
      expect(r.exitCode).toBe(1);
      expect(r.stderr).toMatch(/did not answer in time/);
      expect(performance.now() - t0).toBeLessThan(25_000);
    } finally {
      for (const s of sockets) s.destroy();
      server.close();
    }
  });
});

// Issue 29: logs reads the file in chunks; the whole log as one string crashed on a 627 MB file.
describe('a large gateway log', () => {
  test('logs --grep finds a line in a 200 MB log with 96 MB of heap', async () => {
    const p = await project('runtime:\n  kind: process\n  command: [litellm, --config, "{config}"]\n');
    const { mkdirSync, openSync, writeSync, closeSync } = await import('node:fs');
    const dir = path.join(p, '.aibackend');
    mkdirSync(dir, { recursive: true });
    const fd = openSync(path.join(dir, 'gateway.log'), 'w');
    const block = Buffer.from('INFO:     127.0.0.1:1 - "POST /v1/chat/completions HTTP/1.1" 200 OK\n'.repeat(16_000));
    for (let written = 0; written < 200 * 1024 * 1024; written += block.length) writeSync(fd, block);
    writeSync(fd, 'INFO:     the-needle-line\n');
    closeSync(fd);
    const r = await runCli(['logs', '--grep', 'the-needle'], {
      cwd: p,
      env: { ...ENV, NODE_OPTIONS: '--max-old-space-size=96' },
      timeout: 120_000,
    });
    expect(r.exitCode, r.stderr.slice(-500)).toBe(0);
    expect(r.stdout).toContain('the-needle-line');
  }, 180_000);
});
