// Is the generated file what the sources say? Missing, hand-edited (its body no longer matches
// the hash in its own header) and stale (its body differs from what the sources compile to) are
// told apart, because the fix differs: a hand edit is lost by regenerating. A file whose body is
// right but whose provenance header is older (a description or a comment was edited) is not
// stale: `generate` rewrites the header, and nothing needs to restart.
import { outsideProject, readBounded } from './load/contain.js';
import type { ConfigPaths } from './load/paths.js';
import { diag, type Diagnostic, type Severity } from './diagnostics/diagnostic.js';
import { parseGenerated } from './emit/emit.js';
import { parseHeader, parseJsonProvenance, type ParsedGenerated } from './emit/provenance.js';
import { sha256 } from '../util/canonical.js';
import type { CheckedConfig, GeneratedFile } from './check-config.js';

export type OutputState = 'up-to-date' | 'header-outdated' | 'missing' | 'hand-edited' | 'stale' | 'unknown';

export interface OutputStatus {
  state: OutputState;
  diagnostics: Diagnostic[];
  /** The file's current text, when it exists. */
  text?: string;
}

/**
 * A missing file is a warning at `validate` (so that `init` then `validate` works) and an error for
 * `generate --check`, the hook and --strict.
 */
export function outputStatus(checked: CheckedConfig, missing: Severity = 'error'): OutputStatus {
  return compareGenerated(
    {
      path: checked.outputPath,
      display: checked.outputDisplay,
      expected: checked.compiled?.text,
      parse: parseGenerated,
      sourceHash: checked.sourceHash,
      paths: checked.loaded.paths,
    },
    missing,
  );
}

export interface GeneratedStatus extends OutputStatus {
  file: GeneratedFile;
}

/** The same judgement for every other generated file (monitoring stack, load balancer), when the sources compile. */
export function generatedStatus(checked: CheckedConfig, missing: Severity = 'error'): GeneratedStatus[] {
  return (checked.generated ?? []).map((file) => ({
    file,
    ...compareGenerated(
      {
        path: file.path,
        display: file.display,
        expected: file.text,
        parse: file.format === 'json' ? parseJsonProvenance : parseHeader,
        sourceHash: checked.sourceHash,
        paths: checked.loaded.paths,
      },
      missing,
    ),
  }));
}

interface Comparison {
  path: string;
  display: string;
  /** The exact bytes the sources compile to; undefined when they do not compile. */
  expected: string | undefined;
  parse: (text: string) => ParsedGenerated | undefined;
  sourceHash: string | undefined;
  paths: ConfigPaths;
}

/**
 * A generated file is compared, diffed and rewritten by generate: never one behind a link out of the
 * project, nor a device or a huge file.
 */
export const MAX_GENERATED_BYTES = 64 * 1024 * 1024;

function compareGenerated(c: Comparison, missing: Severity): OutputStatus {
  const file = c.display;
  const at = (line = 1) => ({ file, line, column: 1 });
  const away = outsideProject(c.paths, c.path);
  if (away !== undefined) {
    return {
      state: 'unknown',
      diagnostics: [
        diag(
          'path-outside-project',
          'error',
          at(),
          `${file} leads through a symlink to ${away}, outside the project: it is neither read nor written`,
        ),
      ],
    };
  }
  const read = readBounded(c.path, MAX_GENERATED_BYTES);
  if (!read.ok) {
    if (read.reason === 'missing') {
      return {
        state: 'missing',
        diagnostics: [diag('output-missing', missing, at(), `${file} does not exist; run \`aibackend generate\``)],
      };
    }
    return {
      state: 'unknown',
      diagnostics: [
        diag(read.reason === 'too-large' ? 'file-too-large' : 'file-unreadable', 'error', at(), `cannot read ${file}: ${read.detail}`),
      ],
    };
  }
  const text = read.text;
  // A checkout with CRLF line endings (git's autocrlf) holds the same file.
  const normalized = text.includes('\r\n') ? text.replace(/\r\n/g, '\n') : text;
  const parsed = c.parse(normalized);
  if (!parsed) {
    return {
      state: 'hand-edited',
      text,
      diagnostics: [
        diag(
          'output-hand-edited',
          'error',
          at(),
          `${file} has no AUTO-GENERATED ${c.parse === parseJsonProvenance ? 'provenance in its description' : 'header'}: it was written or edited by hand; move the changes into config/ sources, then run \`aibackend generate\``,
        ),
      ],
    };
  }
  const diagnostics: Diagnostic[] = [];
  let state: OutputState = 'up-to-date';
  if (sha256(parsed.body) !== parsed.header.bodyHash) {
    state = 'hand-edited';
    const line = firstDifferentLine(normalized, parsed.headerLines, c.expected);
    diagnostics.push(
      diag(
        'output-hand-edited',
        'error',
        at(line),
        `${file} was edited by hand after it was generated (its body no longer matches the hash in its header); regenerating will discard the edit, so move it into config/ first`,
      ),
    );
  }
  const expected = c.expected === undefined ? undefined : c.parse(c.expected)?.body;
  if (expected !== undefined) {
    // The compiled body decides; the header only says where the file came from.
    if (state === 'up-to-date' && parsed.body !== expected) {
      state = 'stale';
      const moved = parsed.header.sourceHash !== c.sourceHash;
      diagnostics.push(
        diag(
          'output-stale',
          'error',
          at(),
          moved
            ? `${file} is stale: it was compiled from other sources than the ones in config/ now; run \`aibackend generate\``
            : `${file} is stale: it was generated by ${parsed.header.tool} ${parsed.header.version} and differs from what this version generates; run \`aibackend generate\``,
        ),
      );
    } else if (state === 'up-to-date' && c.expected !== normalized) {
      state = 'header-outdated';
    }
  } else if (c.sourceHash !== undefined && parsed.header.sourceHash !== c.sourceHash) {
    // The sources do not compile: their hash is all there is to compare.
    if (state === 'up-to-date') state = 'stale';
    diagnostics.push(
      diag(
        'output-stale',
        'error',
        at(),
        `${file} is stale: it was compiled from other sources than the ones in config/ now; run \`aibackend generate\``,
      ),
    );
  }
  return { state, diagnostics, text };
}

/** 1-based line of the first line after the header that differs from the expected file (a JSON file's provenance line aside). */
function firstDifferentLine(text: string, headerLines: number, expectedFile: string | undefined): number {
  if (expectedFile === undefined) return headerLines + 1;
  const expected = expectedFile.split('\n');
  const actual = text.split('\n');
  for (let i = headerLines; i < actual.length; i++) {
    if (actual[i] !== expected[i] && !/^\s*"description": "AUTO-GENERATED/.test(expected[i] ?? '')) return i + 1;
  }
  return headerLines + 1;
}
