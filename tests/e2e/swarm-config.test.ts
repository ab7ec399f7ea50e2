// runtime.kind swarm as validate sees it (no engine needed): the shipped docker-stack.yml has the
// service and gateway.image, a missing stack file is an error, and providers on loopback (which no
// task can reach) are warned of. The runtime itself runs on a real swarm in tests/gateway/docker-swarm.test.ts.
import { copyFileSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { ROOT, runCli } from '../helpers/cli.js';
import { cleanupTempDirs, makeProject } from '../helpers/fixtures.js';

afterAll(cleanupTempDirs);

const ENV = { LITELLM_MASTER_KEY: 'x' };
const SWARM = 'runtime:\n  kind: swarm\n  stack: aibackend\n  file: docker-stack.yml\n  service: litellm\n  replicas: 2\n';

function project() {
  const p = makeProject();
  const g = path.join(p.config, 'gateway.yaml');
  const text = readFileSync(g, 'utf8');
  expect(text).not.toContain('runtime:');
  writeFileSync(g, `${text}${SWARM}`);
  copyFileSync(path.join(ROOT, 'docker-stack.yml'), path.join(p.project, 'docker-stack.yml'));
  return p;
}

const diagnostics = async (cwd: string) => {
  const r = await runCli(['validate', '--json'], { cwd, env: ENV });
  return JSON.parse(r.stdout).diagnostics as { code: string; severity: string; message: string; file: string }[];
};

describe('runtime.kind swarm in validate', () => {
  test('the shipped stack file runs gateway.image; providers on loopback are warned of', async () => {
    const p = project();
    const d = await diagnostics(p.project);
    expect(d.filter((x) => x.severity === 'error')).toEqual([]);
    expect(d.some((x) => x.code === 'image-mismatch')).toBe(false);
    const loop = d.filter((x) => x.code === 'loopback-unreachable');
    expect(loop.length).toBeGreaterThan(0);
    expect(loop[0]!.message).toMatch(/from a task of the swarm service, that is the container itself/);
  });

  test('a missing stack file, or one without the service, is an error at runtime.file', async () => {
    const p = project();
    rmSync(path.join(p.project, 'docker-stack.yml'));
    expect((await diagnostics(p.project)).find((x) => x.code === 'compose-file-missing')?.message).toMatch(
      /docker-stack\.yml does not exist/,
    );
    writeFileSync(path.join(p.project, 'docker-stack.yml'), 'services:\n  other:\n    image: x:1\n');
    expect((await diagnostics(p.project)).find((x) => x.code === 'compose-file-missing')?.message).toMatch(/has no service 'litellm'/);
  });

  test('a stack file running another image than gateway.image is found', async () => {
    const p = project();
    const f = path.join(p.project, 'docker-stack.yml');
    writeFileSync(
      f,
      readFileSync(f, 'utf8').replace('ghcr.io/berriai/litellm:v1.106.12-stable', 'ghcr.io/berriai/litellm:v1.106.11-stable'),
    );
    expect((await diagnostics(p.project)).some((x) => x.code === 'image-mismatch')).toBe(true);
  });
});
