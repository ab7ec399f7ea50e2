// A parsed YAML source that remembers where everything came from, so that any later finding
// (schema, cross-file rule, secret scan) can be reported at file:line:column.
import {
  isAlias,
  isMap,
  isPair,
  isScalar,
  isSeq,
  LineCounter,
  parseAllDocuments,
  visit,
  type Document,
  type Node,
  type Pair,
  type YAMLMap,
} from 'yaml';
import { diag, type Diagnostic, type Position } from '../diagnostics/diagnostic.js';

export type PathSegment = string | number;

export interface SourceDoc {
  /** Path as shown to the user. */
  file: string;
  /** Absolute path. */
  absPath: string;
  text: string;
  doc: Document.Parsed;
  lineCounter: LineCounter;
  /** Plain data, or undefined when the document could not be turned into data. */
  data: unknown;
}

/** Aliases are legitimate in YAML, but more than this in a config file is an expansion attack. */
export const MAX_ALIAS_COUNT = 100;

export type ParseResult = { ok: true; source: SourceDoc } | { ok: false; diagnostics: Diagnostic[] };

export function parseSource(text: string, file: string, absPath: string): ParseResult {
  const lineCounter = new LineCounter();
  const pos = (offset: number, length?: number): Position => {
    const p = lineCounter.linePos(offset);
    return { file, line: p.line, column: p.col, ...(length !== undefined ? { length } : {}) };
  };
  // Duplicate keys are found by findDuplicateKeys below: the parser's own check is quadratic.
  const docs = parseAllDocuments(text, { lineCounter, uniqueKeys: false, prettyErrors: false, strict: true, logLevel: 'error' });
  const list = Array.isArray(docs) ? docs : [];
  const diagnostics: Diagnostic[] = [];
  const nonEmpty = list.filter((d) => d.contents !== null);
  if (nonEmpty.length === 0) {
    const errs = list.flatMap((d) => d.errors);
    if (errs.length > 0) return { ok: false, diagnostics: syntaxDiagnostics(errs, text, pos) };
    return {
      ok: false,
      diagnostics: [diag('file-empty', 'error', pos(0), `${file} is empty: expected a mapping that starts with "version: 1"`)],
    };
  }
  if (list.length > 1) {
    const second = list[1]!;
    diagnostics.push(
      diag(
        'yaml-multi-document',
        'error',
        pos(second.range[0]),
        `${file} holds ${list.length} YAML documents; a source file holds exactly one`,
      ),
    );
  }
  const doc = list[0]!;
  diagnostics.push(...syntaxDiagnostics(doc.errors, text, pos));
  for (const k of findDuplicateKeys(doc)) {
    diagnostics.push(
      diag(
        'yaml-duplicate-key',
        'error',
        pos(k.start, k.end - k.start),
        `duplicate key '${k.key}': it already appears earlier in the same mapping`,
      ),
    );
  }
  for (const w of doc.warnings) {
    // Unknown tags would silently become strings or objects; in a config source they are a mistake.
    if (w.code === 'TAG_RESOLVE_FAILED') {
      diagnostics.push(
        diag('yaml-tag', 'error', pos(w.pos[0], w.pos[1] - w.pos[0]), `${firstLine(w.message)}: tags are not allowed in config sources`),
      );
    }
  }
  if (diagnostics.length > 0) return { ok: false, diagnostics };

  if (!isMap(doc.contents)) {
    const node = doc.contents as Node;
    const [start, end] = node.range ?? [0, 1];
    return {
      ok: false,
      diagnostics: [
        diag(
          'not-a-mapping',
          'error',
          pos(start, end - start),
          `the top level of ${file} must be a mapping (key: value pairs), found ${describeNode(node)}`,
        ),
      ],
    };
  }

  let data: unknown;
  try {
    data = doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
  } catch (err) {
    // An alias whose anchor is not set before it: YAML that parses but has no value there.
    if (err instanceof ReferenceError && /^Unresolved alias/.test(err.message)) {
      let at = pos(0);
      let name = '';
      visit(doc, {
        Alias(_k, node) {
          if (node.resolve(doc) !== undefined) return undefined;
          name = node.source;
          if (node.range) at = pos(node.range[0], node.range[1] - node.range[0]);
          return visit.BREAK;
        },
      });
      return {
        ok: false,
        diagnostics: [diag('yaml-syntax', 'error', at, `YAML syntax error: the alias *${name} has no anchor &${name} set before it`)],
      };
    }
    if (err instanceof ReferenceError && /alias/i.test(err.message)) {
      let at = pos(0);
      visit(doc, {
        Alias(_k, node) {
          if (node.range) at = pos(node.range[0], node.range[1] - node.range[0]);
          return visit.BREAK;
        },
      });
      return {
        ok: false,
        diagnostics: [
          diag(
            'yaml-alias-limit',
            'error',
            at,
            `aliases in ${file} expand beyond the limit of ${MAX_ALIAS_COUNT}; this looks like an alias bomb`,
          ),
        ],
      };
    }
    return {
      ok: false,
      diagnostics: [diag('yaml-syntax', 'error', pos(0), `${file} could not be read as data: ${(err as Error).message}`)],
    };
  }
  return { ok: true, source: { file, absPath, text, doc, lineCounter, data } };
}

/** Keys that repeat within one mapping, in one pass per mapping. */
function findDuplicateKeys(doc: Document.Parsed): { key: string; start: number; end: number }[] {
  const out: { key: string; start: number; end: number }[] = [];
  visit(doc, {
    Map(_k, map) {
      const seen = new Set<string>();
      for (const pair of map.items) {
        if (!isScalar(pair.key)) continue;
        const key = String(pair.key.value);
        if (seen.has(key)) {
          const [start, end] = pair.key.range ?? [0, 1];
          out.push({ key: key.length > 60 ? `${key.slice(0, 57)}...` : key, start, end });
        }
        seen.add(key);
      }
    },
  });
  return out;
}

/**
 * The parser's errors as diagnostics: duplicate keys each, but of the syntax errors only the
 * first, since the rest are usually its cascade; and when that first error comes from a flow
 * collection that was never closed, it is reported at the opening bracket, where the mistake is.
 */
function syntaxDiagnostics(
  errors: readonly { code: string; message: string; pos: [number, number] }[],
  text: string,
  pos: (o: number, l?: number) => Position,
): Diagnostic[] {
  const dup = errors.filter((e) => e.code === 'DUPLICATE_KEY').map((e) => yamlErrorToDiag(e, pos));
  const first = [...errors].filter((e) => e.code !== 'DUPLICATE_KEY').sort((a, b) => a.pos[0] - b.pos[0])[0];
  if (!first) return dup;
  const open = unclosedBracket(text, first.pos[0]);
  if (open !== undefined) {
    const close = text[open] === '[' ? ']' : '}';
    return [
      ...dup,
      diag(
        'yaml-syntax',
        'error',
        pos(open, 1),
        `YAML syntax error: this ${text[open]} is never closed (expected ${close} before the next key)`,
      ),
    ];
  }
  return [...dup, yamlErrorToDiag(first, pos)];
}

/** The offset of the last [ or { before `limit` that is still open there (outside quotes and comments). */
function unclosedBracket(text: string, limit: number): number | undefined {
  const stack: number[] = [];
  let quote: string | undefined;
  for (let i = 0; i < limit && i < text.length; i++) {
    const c = text[i]!;
    if (quote) {
      if (c === '\\' && quote === '"') i++;
      else if (c === quote) quote = undefined;
      else if (c === '\n' && stack.length === 0) quote = undefined;
      continue;
    }
    if (c === '#' && (i === 0 || /\s/.test(text[i - 1]!))) {
      const nl = text.indexOf('\n', i);
      if (nl === -1) break;
      i = nl;
    } else if ((c === '"' || c === "'") && (i === 0 || /[\s\[{,:]/.test(text[i - 1]!))) quote = c;
    else if (c === '[' || c === '{') stack.push(i);
    else if ((c === ']' || c === '}') && stack.length) stack.pop();
  }
  return stack.at(-1);
}

function yamlErrorToDiag(
  e: { code: string; message: string; pos: [number, number] },
  pos: (o: number, l?: number) => Position,
): Diagnostic {
  const length = Math.max(1, e.pos[1] - e.pos[0]);
  if (e.code === 'DUPLICATE_KEY')
    return diag(
      'yaml-duplicate-key',
      'error',
      pos(e.pos[0], length),
      'duplicate key: this key already appears earlier in the same mapping',
    );
  return diag('yaml-syntax', 'error', pos(e.pos[0], length), `YAML syntax error: ${firstLine(e.message)}`);
}

function firstLine(s: string): string {
  const i = s.indexOf('\n');
  return (i === -1 ? s : s.slice(0, i)).replace(/ at line \d+, column \d+:?$/, '');
}

function describeNode(node: Node | null): string {
  if (node === null) return 'nothing';
  if (isSeq(node)) return 'a list';
  if (isScalar(node)) return node.value === null ? 'null' : `the ${typeof node.value} ${JSON.stringify(String(node.value)).slice(0, 40)}`;
  if (isAlias(node)) return 'an alias';
  return 'a value';
}

export interface Located {
  position: Position;
  /** True when the whole path was found; false when the position is the deepest existing parent. */
  exact: boolean;
}

/**
 * Position of the node at `path` (`key: true` points at the key instead of the value).
 * A path that does not exist resolves to its deepest existing ancestor, so that "missing key"
 * findings point at the mapping that lacks it.
 */
export function locate(source: SourceDoc, path: readonly PathSegment[], key = false): Located {
  let node: unknown = source.doc.contents;
  let keyNode: Node | undefined;
  let exact = true;
  for (let i = 0; i < path.length; i++) {
    const seg = path[i];
    let next: unknown;
    keyNode = undefined;
    if (isMap(node)) {
      const pair = pairOf(node, String(seg));
      if (pair) {
        next = pair.value ?? pair.key;
        keyNode = pair.key as Node;
      }
    } else if (isSeq(node) && typeof seg === 'number') {
      next = node.items[seg];
    }
    if (next === undefined || next === null) {
      exact = false;
      break;
    }
    node = next;
  }
  // An empty value ("models:" with nothing after it) has no text of its own: point at its key.
  const emptyValue = exact && keyNode && isScalar(node) && node.value === null && node.range && node.range[0] === node.range[1];
  const target = (exact && (key || emptyValue) && keyNode) || (exact ? (node as Node) : (keyOfParent(source, path) ?? (node as Node)));
  const range = (target as Node | undefined)?.range;
  if (!range) return { position: { file: source.file, line: 1, column: 1 }, exact: false };
  const p = source.lineCounter.linePos(range[0]);
  let length = range[1] - range[0];
  const lineEnd = source.text.indexOf('\n', range[0]);
  if (lineEnd !== -1 && range[0] + length > lineEnd) length = lineEnd - range[0];
  return { position: { file: source.file, line: p.line, column: p.col, length: Math.max(1, length) }, exact };
}

/** For a missing key, point at the key of the deepest existing mapping (more readable than its first child). */
function keyOfParent(source: SourceDoc, path: readonly PathSegment[]): Node | undefined {
  let node: unknown = source.doc.contents;
  let lastKey: Node | undefined;
  for (const seg of path) {
    if (isMap(node)) {
      const pair = pairOf(node, String(seg));
      if (!pair || pair.value === null || pair.value === undefined) break;
      lastKey = pair.key as Node;
      node = pair.value;
    } else if (isSeq(node) && typeof seg === 'number' && node.items[seg]) {
      node = node.items[seg];
      lastKey = node as Node;
    } else break;
  }
  return lastKey;
}

/** Pairs of a mapping by key, indexed on first use: registries have tens of thousands of keys. */
const pairIndex = new WeakMap<YAMLMap, Map<string, Pair>>();
function pairOf(map: YAMLMap, key: string): Pair | undefined {
  let index = pairIndex.get(map);
  if (!index) {
    index = new Map();
    for (const p of map.items) {
      if (isPair(p) && isScalar(p.key)) {
        const k = String(p.key.value);
        if (!index.has(k)) index.set(k, p as Pair);
      }
    }
    pairIndex.set(map, index);
  }
  return index.get(key);
}

export function positionOf(source: SourceDoc, path: readonly PathSegment[], key = false): Position {
  return locate(source, path, key).position;
}
