// `aibackend supervise`: the unit that keeps it alive (checked by systemd's own verifier where it
// is installed), and a tick on a project where nothing was ever started (nothing to repair). The
// repairs themselves, on the real HAProxy and LiteLLM, are in tests/gateway/replica-faults.test.ts.
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { BIN, runCli } from '../helpers/cli.js';
import { cleanupTempDirs, makeProject, tempDir } from '../helpers/fixtures.js';

const verifier = spawnSync('systemd-analyze', ['--version'], { encoding: 'utf8' }).status === 0;

afterAll(() => cleanupTempDirs());

describe('aibackend supervise', () => {
  test('--systemd prints a unit for this project that systemd accepts: restarted always, KillMode=process, the project .env', async () => {
    const { project, config } = makeProject();
    const r = await runCli(['supervise', '--systemd', '--interval', '15'], { cwd: project });
    expect(r.exitCode, r.stderr).toBe(0);
    const unit = r.stdout;
    expect(unit).toContain(`WorkingDirectory=${project}\n`);
    expect(unit).toContain(`ExecStart=${process.execPath} ${BIN} --config-dir ${config} supervise --interval 15\n`);
    expect(unit).toContain('Restart=always\n');
    expect(unit).toContain('KillMode=process\n');
    expect(unit).toContain(`EnvironmentFile=-${path.join(project, '.env')}\n`);
    if (!verifier) return;
    const file = path.join(tempDir(), 'aibackend-supervise.service');
    writeFileSync(file, unit);
    const v = spawnSync('systemd-analyze', ['verify', file], { encoding: 'utf8' });
    // systemd-analyze exits 0 even for an unknown setting: any complaint at all is a failure.
    expect([v.status, v.stderr.trim()]).toEqual([0, '']);
    // the check itself works: a bad setting is reported
    writeFileSync(file, unit.replace('KillMode=process', 'KillMode=bogus'));
    expect(spawnSync('systemd-analyze', ['verify', file], { encoding: 'utf8' }).stderr).toMatch(/kill mode/i);
  });

  test('--once where nothing was ever started: nothing to recover or repair, exit 0, nothing on stdout', async () => {
    const { project } = makeProject();
    const r = await runCli(['supervise', '--once', '--json'], { cwd: project });
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stdout).toBe('');
  });

  test("the sources' warnings are said once, not every tick; SIGTERM ends it with exit 0", async () => {
    // Replicas without Redis: a warning (replicas-without-redis). Nothing was ever started: nothing to repair.
    const { project } = makeProject({
      'gateway.yaml': `version: 1
gateway:
  url: http://127.0.0.1:4999
  master_key: env:LITELLM_MASTER_KEY
runtime:
  kind: process
  command: [litellm, --config, "{config}", --port, "{port}"]
replicas: 2
replica_ports: [4998, 4997]
`,
    });
    const { execa } = await import('execa');
    const sup = execa(process.execPath, [BIN, 'supervise', '--interval', '0.2'], {
      cwd: project,
      env: { NO_COLOR: '1', LITELLM_MASTER_KEY: 'sk-test' },
      reject: false,
    });
    await new Promise((res) => setTimeout(res, 2500));
    sup.kill('SIGTERM');
    const r = await sup;
    expect(r.exitCode, r.stderr).toBe(0);
    expect(String(r.stderr).match(/\[replicas-without-redis\]/g)).toHaveLength(1);
    expect(r.stdout).toBe('');
  });

  test('--help says what it repairs, that it never applies the sources, and how to keep it alive', async () => {
    const r = await runCli(['supervise', '--help'], { cwd: tempDir() });
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toMatch(/never applies the sources/);
    expect(r.stdout).toMatch(/KillMode=process/);
  });
});
