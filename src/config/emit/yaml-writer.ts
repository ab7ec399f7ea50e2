// A YAML writer for plain data (mappings, lists, strings, numbers, booleans, null), in the block
// style of the yaml library's stringify with indent 2. The yaml library's own stringify builds a
// node tree first and takes seconds on a 10,000-model config; this writes text directly.
// Strings are written plain only when that cannot change their meaning; everything else is
// double-quoted JSON, which is valid YAML. tests/unit/config/yaml-writer.test.ts checks that the yaml
// library parses every output back to the same data.

// Plain when: starts with a letter, digit or '/', has no spaces, no flow or comment indicators,
// does not end with ':', contains no ': ' or ' #', and does not read as another type.
const PLAIN = /^[A-Za-z0-9_/][A-Za-z0-9_./:@+=~-]*$/;
// LiteLLM reads the file with PyYAML, a YAML 1.1 parser: besides 1.2's true/false/null and
// numbers, it reads yes/no/on/off as booleans, 1_000 and 0755 and 1:30 as integers, and dates as
// timestamps. Anything that could read as one of those is quoted.
const NOT_STRING =
  /^(?:true|True|TRUE|false|False|FALSE|null|Null|NULL|~|y|Y|yes|Yes|YES|n|N|no|No|NO|on|On|ON|off|Off|OFF|0x[0-9a-fA-F_]+|0o[0-7]+|0b[01_]+)$/;
const NUMBER_LIKE = /^[-+]?[\d.][\d_.:eE+-]*$|^\d{4}-\d\d?-\d\d?/;

export function scalar(value: unknown): string {
  if (value === null || value === undefined) return 'null';
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (typeof value === 'number') {
    if (Number.isNaN(value)) return '.nan';
    if (value === Infinity) return '.inf';
    if (value === -Infinity) return '-.inf';
    return String(value);
  }
  if (typeof value === 'bigint') return String(value);
  const s = String(value);
  if (PLAIN.test(s) && !NOT_STRING.test(s) && !NUMBER_LIKE.test(s) && !s.endsWith(':')) return s;
  return quote(s);
}

// Characters YAML does not allow raw in a double-quoted scalar (outside its printable set, or
// read as line breaks by YAML 1.1 parsers such as PyYAML), which JSON.stringify leaves as they are.
const NON_PRINTABLE =
  /[\u007f-\u009f\u2028\u2029\ufeff\ufffe\uffff]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

/** Double-quoted, with every non-printable character escaped as YAML requires (also how messages show such names). */
export function quote(s: string): string {
  return JSON.stringify(s).replace(NON_PRINTABLE, (c) => {
    const code = c.charCodeAt(0);
    return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
  });
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

function isEmptyCollection(v: unknown): boolean {
  return (Array.isArray(v) && v.length === 0) || (isPlainObject(v) && Object.keys(v).length === 0);
}

function inline(v: unknown): string {
  if (Array.isArray(v)) return '[]';
  if (isPlainObject(v)) return '{}';
  return scalar(v);
}

/** The document text for a mapping at the top level; ends with a newline. */
export function writeYaml(data: Record<string, unknown>): string {
  const out: string[] = [];
  writeMap(data, 0, out);
  return `${out.join('\n')}\n`;
}

function writeMap(map: Record<string, unknown>, indent: number, out: string[], firstPrefix?: string): void {
  const pad = ' '.repeat(indent);
  let first = true;
  for (const [k, v] of Object.entries(map)) {
    const lead = first && firstPrefix !== undefined ? firstPrefix : pad;
    first = false;
    const key = scalar(k);
    if (isEmptyCollection(v) || (!Array.isArray(v) && !isPlainObject(v))) {
      out.push(`${lead}${key}: ${inline(v)}`);
    } else if (Array.isArray(v)) {
      out.push(`${lead}${key}:`);
      writeSeq(v, indent + 2, out);
    } else {
      out.push(`${lead}${key}:`);
      writeMap(v as Record<string, unknown>, indent + 2, out);
    }
  }
}

function writeSeq(seq: unknown[], indent: number, out: string[]): void {
  const pad = ' '.repeat(indent);
  for (const item of seq) {
    if (isEmptyCollection(item) || (!Array.isArray(item) && !isPlainObject(item))) {
      out.push(`${pad}- ${inline(item)}`);
    } else if (Array.isArray(item)) {
      // A list inside a list starts on the dash line, as the yaml library writes it.
      const nested: string[] = [];
      writeSeq(item, indent + 2, nested);
      nested[0] = `${pad}- ${nested[0]!.slice(indent + 2)}`;
      out.push(...nested);
    } else {
      writeMap(item as Record<string, unknown>, indent + 2, out, `${pad}- `);
    }
  }
}
