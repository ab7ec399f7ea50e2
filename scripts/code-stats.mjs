// The figures a reviewer asks of src/: files and lines, the longest lines, and the longest
// functions (by lines, from TypeScript's own parser). `node scripts/code-stats.mjs [N]`.
import fs from 'node:fs';
import path from 'node:path';
import ts from 'typescript';

const top = Number(process.argv[2] ?? 5);
const files = [];
const walk = (dir) => {
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, e.name);
    if (e.isDirectory()) {
      if (e.name !== 'generated') walk(full);
    } else if (e.name.endsWith('.ts') && !e.name.endsWith('.d.ts')) files.push(full);
  }
};
walk('src');
let lines = 0;
const longLines = [];
const functions = [];
for (const file of files) {
  const text = fs.readFileSync(file, 'utf8');
  const all = text.split('\n');
  lines += all.length;
  all.forEach((l, i) => longLines.push({ at: `${file}:${i + 1}`, length: l.length }));
  const sf = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true);
  const visit = (node) => {
    if (ts.isFunctionLike(node) && node.body) {
      const start = sf.getLineAndCharacterOfPosition(node.getStart(sf)).line;
      const end = sf.getLineAndCharacterOfPosition(node.end).line;
      const name = node.name?.getText(sf) ?? (ts.isVariableDeclaration(node.parent) ? node.parent.name.getText(sf) : '(anonymous)');
      functions.push({ at: `${file}:${start + 1}`, name, lines: end - start + 1 });
    }
    ts.forEachChild(node, visit);
  };
  visit(sf);
}
longLines.sort((a, b) => b.length - a.length);
functions.sort((a, b) => b.lines - a.lines);
console.log(`${files.length} files, ${lines} lines in src/ (without src/generated/)`);
console.log(
  `lines over 140 characters: ${longLines.filter((l) => l.length > 140).length}; over 160: ${longLines.filter((l) => l.length > 160).length}`,
);
console.log('longest lines:');
for (const l of longLines.slice(0, top)) console.log(`  ${l.length} chars  ${l.at}`);
console.log('longest functions:');
for (const f of functions.slice(0, top)) console.log(`  ${f.lines} lines  ${f.name}  ${f.at}`);
