// Reading a YAML source: every way it can fail, each at its position, and locate() finding a path's
// key or value with its column and length (what every finding's file:line:column comes from).
import { describe, expect, test } from 'vitest';
import { locate, MAX_ALIAS_COUNT, parseSource, positionOf, type SourceDoc } from '../../../src/config/load/source-doc.js';

const parse = (text: string) => parseSource(text, 'config/x.yaml', '/abs/config/x.yaml');
const fail = (text: string) => {
  const r = parse(text);
  if (r.ok) throw new Error('expected a failure');
  return r.diagnostics.map((d) => ({ code: d.code, severity: d.severity, line: d.line, column: d.column, length: d.length }));
};
const ok = (text: string): SourceDoc => {
  const r = parse(text);
  if (!r.ok) throw new Error(JSON.stringify(r.diagnostics));
  return r.source;
};

describe('parseSource failures', () => {
  test.each([
    ['an empty file', ''],
    ['only comments', '# nothing here\n# at all\n'],
    ['only whitespace', '\n   \n\n'],
  ])('%s is file-empty at 1:1', (_n, text) => {
    expect(fail(text)).toEqual([{ code: 'file-empty', severity: 'error', line: 1, column: 1, length: undefined }]);
  });

  test('an empty document with a syntax error is that error, not file-empty', () => {
    const got = fail('---\n: ]\n');
    expect(got.map((d) => d.code)).not.toContain('file-empty');
    expect(got[0]!.code).toBe('yaml-syntax');
  });

  test('two documents: yaml-multi-document at the second one', () => {
    expect(fail('version: 1\n---\nversion: 2\n')).toEqual([
      { code: 'yaml-multi-document', severity: 'error', line: 2, column: 1, length: undefined },
    ]);
  });

  test('a second document after an empty first one is still two documents', () => {
    // the first document is empty: only the non-empty count decides file-empty, the total decides multi-document
    const got = fail('---\n---\nversion: 1\n');
    expect(got.map((d) => d.code)).toEqual(['yaml-multi-document']);
  });

  test.each([
    ['a list', '- a\n- b\n', 1, 1, 8],
    ['a string', 'hello\n', 1, 1, 5],
    ['a number', '  42\n', 1, 3, 2],
  ])('a top level that is %s is not-a-mapping, spanning the value', (_n, text, line, column, length) => {
    expect(fail(text)).toEqual([{ code: 'not-a-mapping', severity: 'error', line, column, length }]);
  });

  test('duplicate keys: each repetition, at the repeated key with its length', () => {
    expect(fail('version: 1\nmodels: {}\nname: a\nmodels: {}\nname: b\n')).toEqual([
      { code: 'yaml-duplicate-key', severity: 'error', line: 4, column: 1, length: 6 },
      { code: 'yaml-duplicate-key', severity: 'error', line: 5, column: 1, length: 4 },
    ]);
  });

  test('duplicate keys in a nested mapping too', () => {
    expect(fail('version: 1\nmodels:\n  a: 1\n  a: 2\n')).toEqual([
      { code: 'yaml-duplicate-key', severity: 'error', line: 4, column: 3, length: 1 },
    ]);
  });

  test('an unknown tag is yaml-tag at the tagged value', () => {
    const got = fail('version: 1\nname: !secret foo\n');
    expect(got).toHaveLength(1);
    expect(got[0]).toMatchObject({ code: 'yaml-tag', line: 2, column: 7 });
    expect(got[0]!.length).toBeGreaterThan(0);
  });

  test('a never-closed flow list is reported at its opening bracket', () => {
    expect(fail('version: 1\nfallbacks: [a, b\nother: 1\n')).toEqual([
      { code: 'yaml-syntax', severity: 'error', line: 2, column: 12, length: 1 },
    ]);
  });

  test('a never-closed flow mapping is reported at its opening brace', () => {
    expect(fail('version: 1\nroute: { provider: a\nother: 1\n')).toEqual([
      { code: 'yaml-syntax', severity: 'error', line: 2, column: 8, length: 1 },
    ]);
  });

  test('brackets inside quotes and comments do not count as open', () => {
    const got = fail('version: 1\nname: "a [ b"  # { x\nbad: : :\n');
    expect(got).toHaveLength(1);
    expect(got[0]!.code).toBe('yaml-syntax');
    expect(got[0]!.line).toBe(3);
  });

  test('of several syntax errors, only the first is reported', () => {
    const got = fail('version: 1\na: "unterminated\nb: [\nc: }\n');
    expect(got.filter((d) => d.code === 'yaml-syntax')).toHaveLength(1);
  });

  test(`more than ${MAX_ALIAS_COUNT} alias expansions is yaml-alias-limit at the first alias`, () => {
    const text = `version: 1\nbase: &a [x, y]\n${Array.from({ length: MAX_ALIAS_COUNT + 5 }, (_, i) => `k${i}: *a`).join('\n')}\n`;
    expect(fail(text)).toEqual([{ code: 'yaml-alias-limit', severity: 'error', line: 3, column: 5, length: 2 }]);
  });

  test(`up to the limit, aliases are data`, () => {
    const text = `version: 1\nbase: &a [x]\n${Array.from({ length: 3 }, (_, i) => `k${i}: *a`).join('\n')}\n`;
    expect(ok(text).data).toMatchObject({ k0: ['x'], k2: ['x'] });
  });
});

describe('parseSource success', () => {
  test('keeps the file, the absolute path, the text and the data', () => {
    const s = ok('version: 1\nmodels:\n  a: [1, 2]\n');
    expect(s).toMatchObject({
      file: 'config/x.yaml',
      absPath: '/abs/config/x.yaml',
      text: 'version: 1\nmodels:\n  a: [1, 2]\n',
      data: { version: 1, models: { a: [1, 2] } },
    });
  });

  test('a leading document marker and comments are fine', () => {
    expect(ok('# head\n---\nversion: 1\n').data).toEqual({ version: 1 });
  });
});

describe('locate', () => {
  const text = [
    'version: 1',
    'models:',
    '  llama:',
    '    routes:',
    '      - provider: vllmm',
    '        model: x',
    '    fallbacks: [a, bb]',
    '  empty:',
    'name: "quoted"',
    '',
  ].join('\n');
  const s = ok(text);
  const at = (path: (string | number)[], key = false) => {
    const l = locate(s, path, key);
    return [l.position.line, l.position.column, l.position.length, l.exact];
  };

  test("a value inside a list of mappings: line, column and the value's length", () => {
    expect(at(['models', 'llama', 'routes', 0, 'provider'])).toEqual([5, 19, 5, true]);
  });

  test('the key instead of the value', () => {
    expect(at(['models', 'llama', 'routes', 0, 'provider'], true)).toEqual([5, 9, 8, true]);
  });

  test('an item of a flow list', () => {
    expect(at(['models', 'llama', 'fallbacks', 1])).toEqual([7, 20, 2, true]);
  });

  test('a quoted value spans its quotes', () => {
    expect(at(['name'])).toEqual([9, 7, 8, true]);
  });

  test('a value that spans lines is cut at the end of its first line', () => {
    expect(at(['models', 'llama', 'routes'])).toEqual([5, 7, 17, true]);
  });

  test('an empty value points at its key', () => {
    expect(at(['models', 'empty'])).toEqual([8, 3, 5, true]);
  });

  test('a missing key points at the key of the deepest mapping that exists', () => {
    // in a list item: the item itself (its first line)
    expect(at(['models', 'llama', 'routes', 0, 'weight'])).toEqual([5, 9, 15, false]);
    expect(at(['models', 'llama', 'nothing'])).toEqual([3, 3, 5, false]);
  });

  test("a missing list index points at the list's key", () => {
    expect(at(['models', 'llama', 'fallbacks', 5])).toEqual([7, 5, 9, false]);
  });

  test('a path through a scalar stops there', () => {
    expect(at(['version', 'deeper'])).toEqual([1, 1, 7, false]);
  });

  test('the empty path is the whole document, from its start', () => {
    const l = locate(s, []);
    expect([l.position.line, l.position.column, l.exact]).toEqual([1, 1, true]);
  });

  test("positionOf is locate's position", () => {
    expect(positionOf(s, ['models', 'llama', 'fallbacks', 0])).toEqual({ file: 'config/x.yaml', line: 7, column: 17, length: 1 });
  });

  test('the first of two equal keys wins (a duplicate is reported elsewhere)', () => {
    const dup = parseSource('a: 1\nb: 2\n', 'f', '/f');
    if (!dup.ok) throw new Error('parse');
    expect(positionOf(dup.source, ['b'])).toMatchObject({ line: 2, column: 4 });
  });
});

describe('the never-closed bracket, found past what only looks like one', () => {
  const at = (text: string) =>
    fail(text)
      .filter((d) => d.code === 'yaml-syntax')
      .map((d) => [d.line, d.column, d.length]);
  const msg = (text: string) => (parse(text).ok ? '' : (parse(text) as { diagnostics: { message: string }[] }).diagnostics[0]!.message);
  test('a closed list before the open one', () => {
    expect(at('a: [x]\nb: [y\nc: 1\n')).toEqual([[2, 4, 1]]);
  });
  test('brackets inside double and single quotes, and after an escaped quote', () => {
    expect(at('a: "[{"\nb: [y\nc: 1\n')).toEqual([[2, 4, 1]]);
    expect(at("a: '[{'\nb: [y\nc: 1\n")).toEqual([[2, 4, 1]]);
    expect(at('a: "x\\"["\nb: [y\nc: 1\n')).toEqual([[2, 4, 1]]);
  });
  test('a bracket in a comment, and a comment running to the end of the file', () => {
    expect(at('a: 1 # [\nb: [y\nc: 1\n')).toEqual([[2, 4, 1]]);
    expect(at('a: [x, y  # no newline after this')).toEqual([[1, 4, 1]]);
  });
  test('the message names the bracket to close', () => {
    expect(msg('a: [x\nb: 1\n')).toContain('expected ]');
    expect(msg('a: {x: 1\nb: 1\n')).toContain('expected }');
  });
});

describe('long and tagged keys', () => {
  test('a duplicate key longer than 60 characters is shortened in the message, not in the span', () => {
    const key = 'k'.repeat(70);
    const r = parse(`${key}: 1\n${key}: 2\n`);
    if (r.ok) throw new Error('expected a failure');
    expect(r.diagnostics.map((d) => [d.code, d.line, d.column, d.length])).toEqual([['yaml-duplicate-key', 2, 1, 70]]);
    expect(r.diagnostics[0]!.message).toContain(`'${'k'.repeat(57)}...'`);
    expect(r.diagnostics[0]!.message).not.toContain('k'.repeat(58));
  });
  test('a duplicate key of 60 characters is shown whole', () => {
    const key = 'k'.repeat(60);
    const r = parse(`${key}: 1\n${key}: 2\n`);
    if (r.ok) throw new Error('expected a failure');
    expect(r.diagnostics[0]!.message).toContain(`'${key}'`);
  });
  test('an unknown tag is marked over the tag itself', () => {
    expect(fail('version: 1\nname: !secret foo\n')).toEqual([{ code: 'yaml-tag', severity: 'error', line: 2, column: 7, length: 7 }]);
  });
});

describe('what each failure says, word for word', () => {
  const said = (text: string) => {
    const r = parse(text);
    if (r.ok) throw new Error('expected a failure');
    return r.diagnostics.map((d) => [d.code, d.line, d.column, d.length ?? null, d.message]);
  };
  const TOP = 'the top level of config/x.yaml must be a mapping (key: value pairs), found';
  test.each([
    ['an empty file', '', [['file-empty', 1, 1, null, 'config/x.yaml is empty: expected a mapping that starts with "version: 1"']]],
    [
      'two documents',
      'version: 1\n---\nversion: 2\n',
      [['yaml-multi-document', 2, 1, null, 'config/x.yaml holds 2 YAML documents; a source file holds exactly one']],
    ],
    ['a list', '- a\n- b\n', [['not-a-mapping', 1, 1, 8, `${TOP} a list`]]],
    ['a string', 'hello\n', [['not-a-mapping', 1, 1, 5, `${TOP} the string "hello"`]]],
    ['a number', '42\n', [['not-a-mapping', 1, 1, 2, `${TOP} the number "42"`]]],
    ['a boolean', 'true\n', [['not-a-mapping', 1, 1, 4, `${TOP} the boolean "true"`]]],
    ['null', '~\n', [['not-a-mapping', 1, 1, 1, `${TOP} null`]]],
    [
      'a tag',
      'a: !!python/object x\n',
      [['yaml-tag', 1, 4, 15, 'Unresolved tag: tag:yaml.org,2002:python/object: tags are not allowed in config sources']],
    ],
    ['a repeated key', 'a: 1\na: 2\n', [['yaml-duplicate-key', 2, 1, 1, "duplicate key 'a': it already appears earlier in the same mapping"]]],
    [
      'a compact nested mapping (the position suffix of the parser is dropped)',
      'a: b: c\n',
      [['yaml-syntax', 1, 4, 1, 'YAML syntax error: Nested mappings are not allowed in compact mappings']],
    ],
    ['an unclosed quote', '"abc\n', [['yaml-syntax', 2, 1, 1, 'YAML syntax error: Missing closing "quote']]],
    [
      'an alias with no anchor before it (not an alias bomb)',
      'x: &a [1]\ny: *b\n',
      [['yaml-syntax', 2, 4, 2, 'YAML syntax error: the alias *b has no anchor &b set before it']],
    ],
    [
      'an alias used before its anchor',
      'y: *a\nx: &a [1]\n',
      [['yaml-syntax', 1, 4, 2, 'YAML syntax error: the alias *a has no anchor &a set before it']],
    ],
  ])('%s', (_what, text, expected) => {
    expect(said(text as string)).toEqual(expected);
  });

  test('an apostrophe inside a word opens no quote: the bracket after it is found', () => {
    expect(parse("a: don't stop\nb: [1\nc: 2\n").ok).toBe(false);
    expect(said("a: don't stop\nb: [1\nc: 2\n")).toEqual([
      ['yaml-syntax', 2, 4, 1, 'YAML syntax error: this [ is never closed (expected ] before the next key)'],
    ]);
  });

  test('a nested list closed inside an open one leaves the outer one open', () => {
    expect(said('a: [1, [2]\nb: 1\n')).toEqual([
      ['yaml-syntax', 1, 4, 1, 'YAML syntax error: this [ is never closed (expected ] before the next key)'],
    ]);
  });
});
