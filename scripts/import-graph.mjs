// The import graph of src/ and its cycles, between files and between folders. `node
// scripts/import-graph.mjs` prints the cycles (none: exit 0); tests/unit/architecture.test.ts runs
// the same check. Every import counts: static, re-export, dynamic import() and `import type`,
// because a cycle of types still ties two modules' designs together.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const SPECIFIER = /(?:\bfrom\s*|\bimport\s*\(\s*|^\s*import\s+)['"]([^'"]+)['"]/gm;

/** Files under `root` (relative, POSIX separators) and the relative imports of each. */
export function importGraph(root) {
  return scan(root).graph;
}

/** Each file's imports of packages and Node built-ins (`node:fs`, `yaml`), by file. */
export function externalImports(root) {
  return scan(root).externals;
}

/** Every file reachable from `start` by imports, `start` included. */
export function reachable(graph, start) {
  const seen = new Set([start]);
  const queue = [start];
  while (queue.length) for (const w of graph.get(queue.shift()) ?? []) if (!seen.has(w)) (seen.add(w), queue.push(w));
  return seen;
}

function scan(root) {
  const files = [];
  const walk = (dir) => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (/\.ts$/.test(entry.name) && !entry.name.endsWith('.d.ts')) files.push(full);
    }
  };
  walk(root);
  const rel = (f) => path.relative(root, f).split(path.sep).join('/');
  const known = new Set(files.map(rel));
  const graph = new Map();
  const externals = new Map();
  for (const file of files) {
    const text = fs.readFileSync(file, 'utf8');
    const edges = new Set();
    const outside = new Set();
    for (const m of text.matchAll(SPECIFIER)) {
      const spec = m[1];
      if (!spec.startsWith('.')) {
        outside.add(spec);
        continue;
      }
      const target = rel(path.resolve(path.dirname(file), spec.replace(/\.js$/, '.ts')));
      if (known.has(target)) edges.add(target);
    }
    graph.set(rel(file), [...edges].sort());
    externals.set(rel(file), [...outside].sort());
  }
  return { graph, externals };
}

/** The same graph between folders (each file's directory); edges inside a folder are dropped. */
export function folderGraph(graph) {
  const dir = (f) => path.posix.dirname(f);
  const folders = new Map();
  for (const [file, edges] of graph) {
    const from = dir(file);
    if (!folders.has(from)) folders.set(from, new Set());
    for (const to of edges) if (dir(to) !== from) folders.get(from).add(dir(to));
  }
  return new Map([...folders].map(([k, v]) => [k, [...v].sort()]));
}

/** Strongly connected components with more than one node, or with a self-edge (Tarjan). */
export function cycles(graph) {
  let index = 0;
  const stack = [];
  const on = new Set();
  const idx = new Map();
  const low = new Map();
  const found = [];
  const visit = (v) => {
    idx.set(v, index);
    low.set(v, index);
    index += 1;
    stack.push(v);
    on.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!idx.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v), low.get(w)));
      } else if (on.has(w)) low.set(v, Math.min(low.get(v), idx.get(w)));
    }
    if (low.get(v) === idx.get(v)) {
      const component = [];
      let w;
      do {
        w = stack.pop();
        on.delete(w);
        component.push(w);
      } while (w !== v);
      if (component.length > 1 || (graph.get(v) ?? []).includes(v)) found.push(component.sort());
    }
  };
  for (const v of [...graph.keys()].sort()) if (!idx.has(v)) visit(v);
  return found;
}

/** One shortest path around a component, as "a -> b -> a", to show which imports close it. */
export function describeCycle(graph, component) {
  const members = new Set(component);
  const start = component[0];
  const prev = new Map([[start, null]]);
  const queue = [start];
  while (queue.length) {
    const v = queue.shift();
    for (const w of graph.get(v) ?? []) {
      if (!members.has(w)) continue;
      if (w === start) {
        const around = [];
        for (let u = v; u !== null; u = prev.get(u)) around.unshift(u);
        return [...around, start].join(' -> ');
      }
      if (!prev.has(w)) {
        prev.set(w, v);
        queue.push(w);
      }
    }
  }
  return component.join(' <-> ');
}

export function checkCycles(root) {
  const files = importGraph(root);
  const folders = folderGraph(files);
  return {
    files: files.size,
    folders: folders.size,
    fileCycles: cycles(files).map((c) => `${describeCycle(files, c)} (${c.length} files: ${c.join(', ')})`),
    folderCycles: cycles(folders).map((c) => `${describeCycle(folders, c)} (${c.length} folders: ${c.join(', ')})`),
  };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) {
  const root = path.resolve(process.argv[2] ?? 'src');
  const r = checkCycles(root);
  for (const c of r.fileCycles) console.log(`file cycle: ${c}`);
  for (const c of r.folderCycles) console.log(`folder cycle: ${c}`);
  console.log(`${r.files} files in ${r.folders} folders: ${r.fileCycles.length} file cycles, ${r.folderCycles.length} folder cycles`);
  process.exit(r.fileCycles.length + r.folderCycles.length === 0 ? 0 : 1);
}
