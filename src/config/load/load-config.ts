// Loads the four sources of config/: read, parse with positions, check the shape. The result is
// a discriminated set: typed data for every file that passed, diagnostics for every one that did not.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { diag } from '../diagnostics/diagnostic.js';
import type * as z from 'zod/mini';
import type { Diagnostic } from '../diagnostics/diagnostic.js';
import { gatewayFileSchema, type GatewayFile } from '../schema/gateway.js';
import { mappingsFileSchema, type MappingsFile } from '../schema/mappings.js';
import { portsFileSchema, type PortsFile } from '../schema/ports.js';
import { providersFileSchema, type ProvidersFile } from '../schema/providers.js';
import { parseCompose, type ComposeDoc } from './compose-image.js';
import { outsideProject, readBounded } from './contain.js';
import { displayPath, type ConfigPaths } from './paths.js';
import { MAX_SOURCE_BYTES, readSource } from './read-source.js';
import { parseSource, positionOf, type SourceDoc } from './source-doc.js';
import { issuesToDiagnostics } from './zod-issues.js';

export { displayPath, resolvePaths, type ConfigPaths } from './paths.js';

export const SOURCE_FILES = {
  providers: 'providers.yaml',
  mappings: 'model-mappings.yaml',
  gateway: 'gateway.yaml',
  ports: 'ports.yaml',
} as const;
export type SourceKind = keyof typeof SOURCE_FILES;
/** The generated file's name in config/ when gateway.yaml gives no `output`. */
export const DEFAULT_OUTPUT_NAME = 'litellm-unified.yaml';
export const SOURCE_KINDS = Object.keys(SOURCE_FILES) as SourceKind[];
const REQUIRED: ReadonlySet<SourceKind> = new Set(['providers', 'mappings']);

const SCHEMAS: Record<SourceKind, z.ZodMiniType> = {
  providers: providersFileSchema,
  mappings: mappingsFileSchema,
  gateway: gatewayFileSchema,
  ports: portsFileSchema,
};

export interface LoadedConfig {
  paths: ConfigPaths;
  /** Parsed YAML of every source that exists and parses, for positions and secret scanning. */
  sources: Partial<Record<SourceKind, SourceDoc>>;
  /** Raw text of every source that could be read as UTF-8, for the secret scan. */
  texts: Partial<Record<SourceKind, { file: string; text: string }>>;
  /** Sources whose file exists (parsed or not). */
  present: SourceKind[];
  providers?: ProvidersFile;
  mappings?: MappingsFile;
  /** Always set: defaults when gateway.yaml is absent; undefined only when it exists and is invalid. */
  gateway?: GatewayFile;
  ports?: PortsFile;
  /**
   * The compose file of a compose runtime, when it exists; `readable` when it may be read (inside the
   * project, a regular file within the size limit).
   */
  compose?: { path: string; display: string; readable: boolean; parsed?: ComposeDoc };
  /**
   * Paths the rules judge that lead through a symlink out of the project, with where they lead
   * (resolved here, so that rules do no I/O): the generated output and monitoring.dir.
   */
  escapes: { output?: string; monitoringDir?: string };
  diagnostics: Diagnostic[];
}

export function loadConfig(paths: ConfigPaths): LoadedConfig {
  const result: LoadedConfig = { paths, sources: {}, texts: {}, present: [], diagnostics: [], escapes: {} };
  if (!existsSync(paths.configDir)) {
    const shown = displayPath(paths.configDir, paths.cwd);
    result.diagnostics.push(
      diag(
        'file-missing',
        'error',
        { file: shown, line: 1, column: 1 },
        `config directory ${shown} does not exist; run aibackend where config/ is, or point --config-dir at it`,
      ),
    );
    return result;
  }
  for (const kind of SOURCE_KINDS) {
    const abs = path.join(paths.configDir, SOURCE_FILES[kind]);
    const shown = displayPath(abs, paths.cwd);
    const away = outsideProject(paths, abs);
    if (away !== undefined) {
      // A link out of the project (to ~/.ssh/id_rsa, say) is named, never read.
      result.present.push(kind);
      result.diagnostics.push(
        diag(
          'path-outside-project',
          'error',
          { file: shown, line: 1, column: 1 },
          `${shown} is a link to ${away}, outside the project: sources are read only inside it`,
        ),
      );
      continue;
    }
    const read = readSource(abs, shown, REQUIRED.has(kind));
    if (read === undefined) continue;
    if (!read.ok) {
      if (read.diagnostic.code !== 'file-missing') result.present.push(kind);
      result.diagnostics.push(read.diagnostic);
      continue;
    }
    result.present.push(kind);
    result.texts[kind] = { file: shown, text: read.text };
    const parsed = parseSource(read.text, shown, abs);
    if (!parsed.ok) {
      result.diagnostics.push(...parsed.diagnostics);
      continue;
    }
    result.sources[kind] = parsed.source;
    const checked = SCHEMAS[kind].safeParse(parsed.source.data);
    if (!checked.success) {
      result.diagnostics.push(...issuesToDiagnostics(parsed.source, SCHEMAS[kind], checked.error.issues));
      continue;
    }
    (result as unknown as Record<string, unknown>)[kind] = checked.data;
  }
  if (!result.present.includes('gateway')) result.gateway = gatewayFileSchema.parse({ version: 1 });
  loadCompose(result);
  resolveEscapes(result);
  return result;
}

/** Where the output file and monitoring.dir lead, when a symlink takes them out of the project. */
function resolveEscapes(result: LoadedConfig): void {
  const gw = result.gateway;
  if (!gw) return;
  const { projectDir, configDir } = result.paths;
  const output = gw.output !== undefined ? path.resolve(projectDir, gw.output) : path.join(configDir, DEFAULT_OUTPUT_NAME);
  result.escapes.output = outsideProject(result.paths, output);
  if (gw.monitoring.enabled || gw.tracing.enabled) result.escapes.monitoringDir = outsideProject(result.paths, path.resolve(projectDir, gw.monitoring.dir));
}

/**
 * The compose file is read by rules (its image, its services): it must be the project's own file.
 * A link out of the project, a device (`runtime.file: /dev/zero`) or an oversized file is a
 * diagnostic here and is never read; a missing one is the gateway rule's to report.
 */
function loadCompose(result: LoadedConfig): void {
  const gw = result.gateway;
  // The swarm runtime's stack file is a compose file too (the same format plus deploy:).
  if (gw?.runtime.kind !== 'compose' && gw?.runtime.kind !== 'swarm') return;
  const { paths } = result;
  const abs = path.resolve(paths.projectDir, gw.runtime.file);
  const shown = displayPath(abs, paths.cwd);
  const source = result.sources.gateway;
  const declared = (source?.data as { runtime?: { file?: unknown } } | undefined)?.runtime?.file !== undefined;
  const at = source ? positionOf(source, declared ? ['runtime', 'file'] : ['runtime']) : { file: shown, line: 1, column: 1 };
  const away = outsideProject(paths, abs);
  if (away !== undefined) {
    result.compose = { path: abs, display: shown, readable: false };
    result.diagnostics.push(
      diag(
        'path-outside-project',
        'error',
        at,
        `runtime.file ${shown} resolves to ${away}, outside the project: the compose file is read only inside it`,
      ),
    );
    return;
  }
  const read = readBounded(abs, MAX_SOURCE_BYTES);
  if (read.ok || read.reason === 'missing') {
    if (read.ok) result.compose = { path: abs, display: shown, readable: true, parsed: parseCompose(read.text) };
    return;
  }
  result.compose = { path: abs, display: shown, readable: false };
  if (read.reason === 'not-regular')
    result.diagnostics.push(diag('file-unreadable', 'error', at, `runtime.file ${shown} is ${read.detail}, not a compose file`));
  else if (read.reason === 'too-large')
    result.diagnostics.push(diag('file-too-large', 'error', at, `runtime.file ${shown} is ${read.detail}`));
  else if (read.reason === 'unreadable')
    result.diagnostics.push(diag('file-unreadable', 'error', at, `cannot read runtime.file ${shown}: ${read.detail}`));
}
