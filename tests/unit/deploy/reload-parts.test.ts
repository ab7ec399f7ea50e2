// The pieces of the reload transaction that need no gateway: probe verdicts against small HTTP
// servers, backup retention, the lock, and the compose image check.
import { warmUpTarget } from '../../../src/deploy/rolling/warm-up.js';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { applyRetention, createBackup, listBackups } from '../../../src/deploy/backups.js';
import { Journal } from '../../../src/deploy/journal.js';
import { acquireLock } from '../../../src/deploy/lock.js';
import { probeGateway } from '../../../src/client/probe.js';
import { CliError } from '../../../src/util/errors.js';
import { checkConfig } from '../../../src/config/check-config.js';
import { resolvePaths } from '../../../src/config/load/paths.js';
import { cleanupTempDirs, makeProject, tempDir } from '../../helpers/fixtures.js';
import { freePort } from '../../helpers/gateway.js';

afterAll(cleanupTempDirs);

async function server(
  handler: (path: string, auth: string | undefined) => [number, unknown],
): Promise<{ url: string; close: () => Promise<void>; hits: string[] }> {
  const hits: string[] = [];
  const s = http.createServer((req, res) => {
    hits.push(req.url ?? '');
    const [status, body] = handler(req.url ?? '', req.headers.authorization);
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body));
  });
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(s.address() as AddressInfo).port}`, hits, close: () => new Promise((r) => s.close(() => r())) };
}

const models = (ids: string[]) => ({ data: ids.map((id) => ({ id })) });

describe('probeGateway', () => {
  test('healthy once liveliness, readiness and the served names all check out', async () => {
    let calls = 0;
    const s = await server((p, auth) => {
      if (p === '/health/liveliness') return ++calls < 3 ? [503, {}] : [200, 'I am alive'];
      if (p === '/health/readiness') return [200, { status: 'healthy' }];
      if (p === '/v1/models') return auth === 'Bearer k' ? [200, models(['b', 'a'])] : [401, {}];
      return [404, {}];
    });
    const r = await probeGateway({ url: s.url, masterKey: 'k', expected: ['a', 'b'], timeoutMs: 5000, intervalMs: 50 });
    await s.close();
    expect(r.ok).toBe(true);
    expect(r.steps.map((x) => [x.step, x.ok, x.attempts])).toEqual([
      ['liveliness', true, 3],
      ['readiness', true, 1],
      ['models', true, 1],
    ]);
  });

  test('served names that differ from the compiled ones fail at once, naming the difference', async () => {
    const s = await server((p) => (p === '/v1/models' ? [200, models(['a', 'zzz'])] : [200, {}]));
    const r = await probeGateway({ url: s.url, masterKey: 'k', expected: ['a', 'b'], timeoutMs: 5000, intervalMs: 50 });
    await s.close();
    expect(r).toMatchObject({ ok: false, missing: ['b'], unexpected: ['zzz'] });
    expect(r.total_ms).toBeLessThan(2000);
  });

  test('with MCP servers compiled, /v1/mcp/server must list exactly those (config-loaded), with the key', async () => {
    const list = (names: string[]) => [...names.map((n) => ({ server_name: n, is_config: true })), { server_name: 'db', is_config: false }];
    let registered = ['a'];
    const s = await server((p, auth) => {
      if (p === '/v1/models') return [200, models(['m'])];
      if (p === '/v1/mcp/server') return auth === 'Bearer k' ? [200, list(registered)] : [401, {}];
      return [200, {}];
    });
    const probe = () => probeGateway({ url: s.url, masterKey: 'k', expected: ['m'], mcpServers: ['a'], timeoutMs: 3000, intervalMs: 50 });
    const ok = await probe();
    expect(ok.ok).toBe(true);
    expect(ok.steps.map((x) => x.step)).toEqual(['liveliness', 'readiness', 'models', 'mcp_servers']);
    expect(ok.steps.at(-1)!.detail).toMatch(/1 MCP servers registered as compiled/);
    registered = ['b'];
    const differ = await probe();
    expect(differ).toMatchObject({ ok: false, missing: ['a'], unexpected: ['b'] });
    expect(differ.reason).toMatch(/not registered: a; registered but not compiled: b/);
    const wrongKey = await probeGateway({
      url: s.url,
      masterKey: 'x',
      expected: ['m'],
      mcpServers: ['a'],
      timeoutMs: 3000,
      intervalMs: 50,
    });
    await s.close();
    expect(wrongKey.ok).toBe(false);
    expect(wrongKey.reason).toMatch(/refused the master key on \/v1\/mcp\/server/);
  });

  test('an /v1/mcp/server answer that is not a server list is polled until the timeout', async () => {
    const s = await server((p) =>
      p === '/v1/models' ? [200, models(['m'])] : p === '/v1/mcp/server' ? [200, { detail: 'x' }] : [200, {}],
    );
    const r = await probeGateway({ url: s.url, masterKey: 'k', expected: ['m'], mcpServers: ['a'], timeoutMs: 800, intervalMs: 50 });
    await s.close();
    expect(r.ok).toBe(false);
    expect(r.steps.at(-1)).toMatchObject({ step: 'mcp_servers', ok: false, detail: 'the /v1/mcp/server answer is not a server list' });
    expect(r.steps.at(-1)!.attempts).toBeGreaterThan(2);
  });

  test('a rejected master key fails', async () => {
    const s = await server((p) => (p === '/v1/models' ? [401, {}] : [200, {}]));
    const r = await probeGateway({ url: s.url, masterKey: 'wrong', expected: ['a'], timeoutMs: 5000, intervalMs: 50 });
    await s.close();
    expect(r.ok).toBe(false);
    expect(r.reason).toMatch(/master key/);
  });

  test('nothing listening on the configured port fails after the timeout, not before', async () => {
    const port = await freePort();
    const t0 = Date.now();
    const r = await probeGateway({ url: `http://127.0.0.1:${port}`, masterKey: 'k', expected: ['a'], timeoutMs: 1200, intervalMs: 100 });
    expect(r.ok).toBe(false);
    expect(r.reason).toMatch(/no healthy answer/);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(1000);
    expect(Date.now() - t0).toBeLessThan(4000);
  });

  test('a gateway known to have exited stops the wait early', async () => {
    const port = await freePort();
    const r = await probeGateway({
      url: `http://127.0.0.1:${port}`,
      masterKey: 'k',
      expected: ['a'],
      timeoutMs: 30_000,
      intervalMs: 100,
      exited: () => 'the gateway process exited with code 3',
    });
    expect(r).toMatchObject({ ok: false, reason: 'the gateway process exited with code 3' });
    expect(r.total_ms).toBeLessThan(1000);
  });
});

describe('backups', () => {
  test('retention keeps the newest N and never deletes the deployed one', async () => {
    const dir = tempDir();
    const deployed = path.join(dir, 'litellm-unified.yaml');
    const made: Awaited<ReturnType<typeof createBackup>>[] = [];
    for (let i = 0; i < 5; i++) {
      made.push(await createBackup(path.join(dir, 'backups'), deployed, `model_list: [] # ${i}\n`, 'test', dir));
      await new Promise((r) => setTimeout(r, 5));
    }
    writeFileSync(deployed, 'model_list: [] # 0\n'); // the oldest backup is what is deployed
    const removed = applyRetention(path.join(dir, 'backups'), deployed, 2);
    const left = listBackups(path.join(dir, 'backups'), deployed);
    expect(removed.length).toBe(2);
    expect(left.map((b) => b.path)).toEqual([made[4]!.path, made[3]!.path, made[0]!.path]);
    expect(left.find((b) => b.path === made[0]!.path)!.deployed).toBe(true);
    const meta = JSON.parse(readFileSync(`${made[4]!.path}.meta.json`, 'utf8'));
    expect(Object.keys(meta).sort()).toEqual(['command', 'created', 'file', 'from', 'sha256', 'size']);
  });
});

describe('lock and journal', () => {
  test('a second holder is refused with exit 5 and the holder named; release frees it', () => {
    const file = path.join(tempDir(), 'reload.lock');
    const a = acquireLock(file, 'first');
    let err: unknown;
    try {
      acquireLock(file, 'second');
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(CliError);
    expect((err as CliError).exitCode).toBe(5);
    expect((err as CliError).message).toContain(`pid ${process.pid}`);
    a.release();
    expect(existsSync(file)).toBe(false);
    acquireLock(file, 'third').release();
  });

  test('an unfinished operation is found; a finished one is not; a torn last line is ignored', () => {
    const dir = tempDir();
    const j = new Journal(path.join(dir, 'journal.jsonl'));
    j.append('a', 'begin');
    j.append('a', 'committed');
    j.append('b', 'begin');
    j.append('b', 'written');
    writeFileSync(j.file, `${readFileSync(j.file, 'utf8')}{"time":"x","id":"c","ev`);
    expect(j.interrupted()?.map((e) => e.event)).toEqual(['begin', 'written']);
    j.append('b', 'recovered');
    expect(j.interrupted()).toBeUndefined();
  });
});

describe('compose image', () => {
  const check = (compose: string | undefined) => {
    const { project } = makeProject();
    if (compose !== undefined) writeFileSync(path.join(project, 'docker-compose.yml'), compose);
    return checkConfig(resolvePaths('config', project), {
      env: { LITELLM_MASTER_KEY: 'x' },
      unsetEnvSeverity: 'warning',
    }).diagnostics.filter((d) => d.code === 'image-mismatch');
  };
  test('no compose file: nothing to compare', () => {
    expect(check(undefined)).toEqual([]);
  });
  test('the same image: fine', () => {
    expect(check('services:\n  litellm:\n    image: ghcr.io/berriai/litellm:v1.106.12-stable\n')).toEqual([]);
  });
  test('another image: an error at gateway.image', () => {
    const d = check('services:\n  litellm:\n    image: ghcr.io/berriai/litellm:main-stable\n');
    expect(d.map((x) => [x.code, x.line, x.column])).toEqual([['image-mismatch', 5, 10]]);
    expect(d[0]!.message).toContain('main-stable');
  });
});

describe('ProcessRuntime', () => {
  const zombie = (state: (pid: number) => string | undefined, pid: number) => {
    // Busy-wait without yielding to the event loop: the child must be dead but not yet reaped.
    const until = Date.now() + 5000;
    while (Date.now() < until) {
      const s = state(pid);
      if (s === 'Z' || s === undefined) return s === 'Z';
    }
    return false;
  };

  test.skipIf(process.platform !== 'linux')(
    'a gateway stopped earlier in the run is never reported as the current one having exited',
    async () => {
      const { ProcessRuntime, processState } = await import('../../../src/deploy/runtime/process.js');
      const dir = tempDir();
      const rt = new ProcessRuntime(
        { command: [process.execPath, '-e', 'setInterval(() => {}, 1000)', '{config}'], stop_grace_s: 2 },
        path.join(dir, 'state'),
        dir,
        {},
      );
      await rt.restart(path.join(dir, 'a.yaml'));
      const first = JSON.parse(readFileSync(rt.pidFile, 'utf8')) as { pid: number };
      // The first gateway dies and is a zombie when the next restart begins, so its exit is only
      // noticed after the second gateway has started.
      process.kill(first.pid, 'SIGKILL');
      expect(zombie(processState, first.pid)).toBe(true);
      await rt.restart(path.join(dir, 'b.yaml'));
      const second = JSON.parse(readFileSync(rt.pidFile, 'utf8')) as { pid: number };
      try {
        await new Promise((r) => setTimeout(r, 300));
        expect(second.pid).not.toBe(first.pid);
        expect(rt.exited()).toBeUndefined();
      } finally {
        // The current gateway's own exit is still reported.
        process.kill(second.pid, 'SIGKILL');
      }
      for (let i = 0; i < 50 && !rt.exited(); i++) await new Promise((r) => setTimeout(r, 20));
      expect(rt.exited()).toMatch(/exited with signal SIGKILL/);
    },
  );
});

describe('errors the user can fix, as results', () => {
  test('ENOSPC after the deployed file was replaced says which config the file on disk is (exit 4), before it says nothing changed (exit 1)', async () => {
    const { userFailure } = await import('../../../src/deploy/attempt.js');
    const enospc = Object.assign(new Error('no space'), { code: 'ENOSPC', path: '/x/backups/journal.jsonl' });
    const paths = {
      deployed: '/x/config/litellm-unified.yaml',
      backups: '/x/backups',
      journal: '/x/backups/journal.jsonl',
      lock: '/x/backups/reload.lock',
    };
    const op = (wrote: boolean, restoredOnDisk = false) =>
      ({
        wrote,
        restoredOnDisk,
        roll: [],
        healed: [],
        paths,
        probes: [],
        restartMs: 0,
        readyMs: 0,
        preflightMs: 0,
        elapsed: () => 5,
        ctx: { runtime: { running: () => 'gateway process 1' } },
      }) as unknown as Parameters<typeof userFailure>[2];
    const after = userFailure(enospc, 'reload', op(true), paths)!;
    expect(after).toMatchObject({ status: 'error', exit_code: 4, attention: { deployed: expect.stringContaining('the new config') } });
    expect(after.message).toContain('ENOSPC (no space left on device)');
    expect(after.message).toContain('the file on disk is now the new config');
    // A rollback that wrote the backup back and then hit the full disk: the file is the restored one, and it says so.
    const restoring = userFailure(enospc, 'reload', op(true, true), paths)!;
    expect(restoring).toMatchObject({ exit_code: 4, attention: { deployed: expect.stringContaining('the restored previous config') } });
    expect(restoring.message).not.toContain('the new config');
    const before = userFailure(enospc, 'reload', op(false), paths)!;
    expect(before).toMatchObject({ status: 'error', exit_code: 1 });
    expect(before.message).toContain('were not changed');
    expect(userFailure(new TypeError('a bug'), 'reload', op(false), paths)).toBeUndefined();
  });
});

describe('warmUpTarget: a replica is warmed up on a local deployment only', () => {
  const d = (model_name: string, model: string, api_base: string | null) => ({ model_name, model, api_base, weight: null });
  test('the first chat deployment on loopback, by name', () => {
    expect(
      warmUpTarget([
        d('zz', 'ollama_chat/a', 'http://127.0.0.1:11434'),
        d('bb', 'hosted_vllm/b', 'http://localhost:8001/v1'),
        d('aa', 'openai/gpt-4o', null),
      ]),
    ).toBe('bb');
    expect(warmUpTarget([d('x', 'openai/m', 'http://[::1]:8080/v1')])).toBe('x');
  });
  test('never a hosted API, a remote host or an embedding model', () => {
    expect(
      warmUpTarget([
        d('a', 'openai/gpt-4o', null),
        d('b', 'anthropic/claude', null),
        d('c', 'hosted_vllm/m', 'https://vllm.internal.example/v1'),
        d('e', 'ollama/nomic-embed-text', 'http://127.0.0.1:11434'),
      ]),
    ).toBeUndefined();
  });
});

describe('how a transaction ends: one outcome, its status and exit code', () => {
  // Written out here rather than read from OUTCOMES, so that a changed code in the table fails.
  const expected: [string, string, number][] = [
    ['applied', 'applied', 0],
    ['unchanged', 'unchanged', 0],
    ['dry-run', 'dry-run', 0],
    ['validated', 'validated', 0],
    ['recovered', 'recovered', 0],
    ['abandoned', 'abandoned', 0],
    ['refused', 'refused', 1],
    ['unconfirmed', 'refused', 2],
    ['aborted', 'aborted', 1],
    ['failed', 'error', 1],
    ['misused', 'error', 2],
    ['rolled-back', 'rolled-back', 3],
    ['rollback-failed', 'rollback-failed', 4],
    ['unverified-backup', 'refused', 4],
    ['half-applied', 'error', 4],
    ['healed', 'healed', 0],
    ['unhealed', 'error', 4],
    ['locked', 'locked', 5],
  ];
  test.each(expected)('%s: status %s, exit %i', async (outcome, status, exit) => {
    const { conclude } = await import('../../../src/deploy/attempt.js');
    const r = conclude(
      undefined,
      { operation: 'reload', outcome: outcome as never, message: 'm', backup: null, rollback: { happened: false } },
      { deployed: '/x/d.yaml', backups: '/x/b', journal: '/x/b/j', lock: '/x/b/l' },
    );
    expect([r.status, r.exit_code, r.deployed]).toEqual([status, exit, '/x/d.yaml']);
    expect(r).not.toHaveProperty('outcome');
  });

  test('every outcome is in the table above', async () => {
    const { OUTCOMES } = await import('../../../src/deploy/types.js');
    expect(Object.keys(OUTCOMES).sort()).toEqual(expected.map((e) => e[0]).sort());
  });

  test('a lock held by another run, and a usage error inside a run, keep their codes', async () => {
    const { userFailure } = await import('../../../src/deploy/attempt.js');
    expect(userFailure(new CliError('held', 5), 'reload', undefined, undefined)).toMatchObject({ status: 'locked', exit_code: 5 });
    expect(userFailure(new CliError('bad', 2), 'rollback', undefined, undefined)).toMatchObject({ status: 'error', exit_code: 2 });
    expect(userFailure(new CliError('no backup matches'), 'rollback', undefined, undefined)).toMatchObject({
      status: 'error',
      exit_code: 1,
    });
    expect(userFailure(new Error('a bug'), 'reload', undefined, undefined)).toBeUndefined();
  });
});
