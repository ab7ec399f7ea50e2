// The reload lock: liveness by pid and start time, atomic take-over of stale locks, and a way out
// (--break-lock) for locks whose holder cannot be judged. Real processes, real /proc.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { CliError } from '../../../src/util/errors.js';
import { acquireLock } from '../../../src/deploy/lock.js';
import { identify } from '../../../src/deploy/runtime/proc.js';
import { cleanupTempDirs, makeProject } from '../../helpers/fixtures.js';

afterAll(cleanupTempDirs);

const lockIn = () => {
  const dir = path.join(makeProject().project, 'backups');
  mkdirSync(dir, { recursive: true });
  return path.join(dir, 'reload.lock');
};
const holder = (pid: number, extra: Record<string, unknown> = {}) =>
  JSON.stringify({ pid, host: hostname(), started: '2026-01-01T00:00:00Z', command: 'aibackend reload', ...extra });
const refusal = (fn: () => unknown): CliError => {
  try {
    fn();
  } catch (err) {
    return err as CliError;
  }
  throw new Error('expected a refusal');
};

describe.skipIf(process.platform !== 'linux')('reload lock', () => {
  test('a lock held by this very process (same pid and start time) refuses with exit 5; released, it can be taken', () => {
    const file = lockIn();
    const first = acquireLock(file, 'aibackend reload');
    const rec = JSON.parse(readFileSync(file, 'utf8'));
    expect(rec.start_time).toBe(identify(process.pid).start_time);
    const err = refusal(() => acquireLock(file, 'aibackend reload'));
    expect(err.exitCode).toBe(5);
    expect(err.message).toContain(`pid ${process.pid}`);
    first.release();
    expect(existsSync(file)).toBe(false);
    acquireLock(file, 'x').release();
    // No temporary files are left beside the lock.
    expect(readdirSync(path.dirname(file))).toEqual([]);
  });

  test('a dead holder, or a reused pid (start time differs), is stale and taken over', () => {
    const file = lockIn();
    writeFileSync(file, holder(2 ** 22 - 3));
    const a = acquireLock(file, 'aibackend reload');
    expect(a.takenOverFrom?.pid).toBe(2 ** 22 - 3);
    a.release();
    writeFileSync(file, holder(process.pid, { start_time: (identify(process.pid).start_time ?? 0) + 1 }));
    const b = acquireLock(file, 'aibackend reload');
    expect(b.takenOverFrom?.pid).toBe(process.pid);
    b.release();
  });

  test('a live process that is not aibackend, or another host, is reported with --break-lock; --break-lock takes it', async () => {
    const sleeper = spawn('sleep', ['30'], { stdio: 'ignore' });
    try {
      const file = lockIn();
      writeFileSync(file, holder(sleeper.pid!));
      const err = refusal(() => acquireLock(file, 'aibackend reload'));
      expect(err.exitCode).toBe(5);
      expect(err.message).toContain('--break-lock');
      expect(err.message).toContain(`pid ${sleeper.pid}`);
      const broken = acquireLock(file, 'aibackend reload', { breakLock: true });
      expect(broken.broken?.pid).toBe(sleeper.pid);
      broken.release();

      writeFileSync(file, holder(1, { host: 'elsewhere.example' }));
      const remote = refusal(() => acquireLock(file, 'aibackend reload'));
      expect(remote.message).toMatch(/another host.*--break-lock/);
    } finally {
      sleeper.kill('SIGKILL');
    }
  });

  test('a torn (unreadable) lock file is stale', () => {
    const file = lockIn();
    writeFileSync(file, '{"pid": 12');
    const l = acquireLock(file, 'aibackend reload');
    expect(l.takenOverFrom?.command).toBe('(unreadable lock file)');
    l.release();
  });
});
