// The shape of src/: no import cycle between files or between folders, and rules, the compiler and
// the emitter that do no I/O (docs/architecture.md). scripts/import-graph.mjs prints the same check.
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { ROOT } from '../helpers/cli.js';
// @ts-expect-error: a plain ES module without types
import { checkCycles, externalImports, importGraph } from '../../scripts/import-graph.mjs';

const SRC = path.join(ROOT, 'src');
const tmp = mkdtempSync(path.join(tmpdir(), 'aibackend-arch-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function tree(name: string, files: Record<string, string>): string {
  const root = path.join(tmp, name);
  for (const [file, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
    writeFileSync(path.join(root, file), text);
  }
  return root;
}

describe('import cycles', () => {
  test('src/ has none, between files or between folders', () => {
    const r = checkCycles(SRC);
    expect(r.files).toBeGreaterThan(100);
    expect(r.fileCycles).toEqual([]);
    expect(r.folderCycles).toEqual([]);
  });

  test('a cycle between two files is found, through a type import and a dynamic import alike', () => {
    const root = tree('files', {
      'a.ts': "import type { B } from './b.js';\nexport type A = B;\n",
      'b.ts': "export type B = string;\nexport const load = () => import('./a.js');\n",
      'c.ts': "import { load } from './b.js';\n",
    });
    const r = checkCycles(root);
    expect(r.fileCycles).toEqual(['a.ts -> b.ts -> a.ts (2 files: a.ts, b.ts)']);
    expect(r.folderCycles).toEqual([]);
  });

  test('a cycle between folders is found even when the files form none', () => {
    const root = tree('folders', {
      'x/one.ts': "import { two } from '../y/two.js';\nexport const one = two;\n",
      'y/two.ts': 'export const two = 2;\n',
      'y/three.ts': "import { four } from '../x/four.js';\nexport const three = four;\n",
      'x/four.ts': 'export const four = 4;\n',
    });
    const r = checkCycles(root);
    expect(r.fileCycles).toEqual([]);
    expect(r.folderCycles).toEqual(['x -> y -> x (2 folders: x, y)']);
  });

  test('imports of packages and built-ins are not edges', () => {
    const root = tree('externals', { 'a.ts': "import fs from 'node:fs';\nimport { parse } from 'yaml';\n" });
    expect(importGraph(root).get('a.ts')).toEqual([]);
    expect(externalImports(root).get('a.ts')).toEqual(['node:fs', 'yaml']);
  });
});

describe('the pure core does no I/O', () => {
  // Rules report on facts the load stage gathered (compose files, symlinks out of the project);
  // the compiler and the emitter turn data into data.
  const IO_MODULE = /^(node:)?(fs|fs\/promises|child_process|net|http|https|dgram|dns)$|^execa$/;
  const IO_FUNCTION = /\b(readBounded|outsideProject|readCompose|composeService|readSource|loadConfig|readFileSync|existsSync)\b/;
  const graph: Map<string, string[]> = importGraph(SRC);
  const externals: Map<string, string[]> = externalImports(SRC);
  const pure = [...graph.keys()].filter((f) => /^config\/(rules|compile|emit)\//.test(f));

  test('there are rules, compiler and emitter files to check', () => {
    expect(pure.filter((f) => f.startsWith('config/rules/')).length).toBeGreaterThan(10);
  });

  test.each(pure)('%s', (file) => {
    expect((externals.get(file) ?? []).filter((s) => IO_MODULE.test(s))).toEqual([]);
    const text = readFileSync(path.join(SRC, file), 'utf8');
    expect(text.match(IO_FUNCTION)?.[0]).toBeUndefined();
  });
});

describe('docs/architecture.md is the map of src/', () => {
  const doc = readFileSync(path.join(ROOT, 'docs/architecture.md'), 'utf8');

  test('every path it names exists', () => {
    const named = [...doc.matchAll(/`(src\/[^`<>* ]+?)`/g)].map((m) => m[1]!.replace(/\/$/, ''));
    expect(named.length).toBeGreaterThan(20);
    expect(named.filter((p) => !existsSync(path.join(ROOT, p)))).toEqual([]);
  });

  test('every folder of src/ has its row', () => {
    const folders = readdirSync(SRC, { withFileTypes: true })
      .filter((e) => e.isDirectory() && e.name !== 'generated')
      .map((e) => e.name);
    expect(folders.filter((f) => !doc.includes(`| \`src/${f}/\``))).toEqual([]);
  });
});
