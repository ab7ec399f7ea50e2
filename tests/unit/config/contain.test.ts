// What "inside the project" means after resolving symlinks (issue 20): links out are found,
// dangling ones are followed as the kernel would, a linked config/ counts as the project.
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { outsideProject, readBounded, realPath } from '../../../src/config/load/contain.js';
import { cleanupTempDirs, tempDir } from '../../helpers/fixtures.js';

afterAll(cleanupTempDirs);

function layout() {
  const root = tempDir();
  const project = path.join(root, 'project');
  const configDir = path.join(project, 'config');
  mkdirSync(configDir, { recursive: true });
  mkdirSync(path.join(project, 'generated'));
  mkdirSync(path.join(root, 'outside'));
  return { root, project, configDir, paths: { projectDir: project, configDir } };
}

describe('outsideProject', () => {
  test('files, links inside, links out, dangling links and a linked config/', () => {
    const { root, project, configDir, paths } = layout();
    writeFileSync(path.join(configDir, 'providers.yaml'), 'x');
    expect(outsideProject(paths, path.join(configDir, 'providers.yaml'))).toBeUndefined();
    expect(outsideProject(paths, path.join(configDir, 'missing.yaml'))).toBeUndefined();
    symlinkSync(path.join(project, 'generated'), path.join(configDir, 'out'));
    expect(outsideProject(paths, path.join(configDir, 'out', 'litellm-unified.yaml'))).toBeUndefined();
    symlinkSync(path.join(root, 'outside', 'secret'), path.join(configDir, 'dangling.yaml'));
    expect(outsideProject(paths, path.join(configDir, 'dangling.yaml'))).toBe(path.join(root, 'outside', 'secret'));
    // A relative dangling link resolves against the directory it really sits in.
    symlinkSync('../../outside/x', path.join(project, 'generated', 'rel.yaml'));
    expect(realPath(path.join(configDir, 'out', 'rel.yaml'))).toBe(path.join(root, 'outside', 'x'));
    expect(outsideProject(paths, path.join(configDir, 'out', 'rel.yaml'))).toBe(path.join(root, 'outside', 'x'));
    // A loop of links ends.
    symlinkSync(path.join(configDir, 'b'), path.join(configDir, 'a'));
    symlinkSync(path.join(configDir, 'a'), path.join(configDir, 'b'));
    expect(() => outsideProject(paths, path.join(configDir, 'a'))).not.toThrow();
    // config/ kept elsewhere and linked into place: its directory counts as the project.
    const elsewhere = path.join(root, 'outside', 'config');
    mkdirSync(elsewhere);
    const linked = path.join(root, 'p2');
    mkdirSync(linked);
    symlinkSync(elsewhere, path.join(linked, 'config'));
    expect(
      outsideProject({ projectDir: linked, configDir: path.join(linked, 'config') }, path.join(linked, 'config', 'gateway.yaml')),
    ).toBeUndefined();
  });

  test('readBounded reads regular files only, within the limit', () => {
    const { configDir } = layout();
    writeFileSync(path.join(configDir, 'small'), 'hello');
    expect(readBounded(path.join(configDir, 'small'), 10)).toEqual({ ok: true, text: 'hello' });
    expect(readBounded(path.join(configDir, 'small'), 3)).toMatchObject({ ok: false, reason: 'too-large' });
    expect(readBounded(configDir, 10)).toMatchObject({ ok: false, reason: 'not-regular' });
    expect(readBounded('/dev/zero', 10)).toMatchObject({ ok: false, reason: 'not-regular' });
    expect(readBounded(path.join(configDir, 'none'), 10)).toMatchObject({ ok: false, reason: 'missing' });
  });
});
