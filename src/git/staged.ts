// The staged config, materialised in a scratch project laid out like the repository: the sources,
// the generated file, the compose file, and the generated files where the staged gateway.yaml puts
// them. What the pre-commit hook validates, instead of the working tree.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { resolvePaths, type ConfigPaths } from '../config/load/paths.js';
import { indexContents } from './git.js';
import type { HookScope } from './hook-scope.js';

export interface StagedProject {
  /** The staged config directory inside the scratch project. */
  paths: ConfigPaths;
  /** Remove the scratch project. */
  remove(): void;
}

export async function materializeStaged(root: string, scope: HookScope): Promise<StagedProject> {
  const { relConfig, relProject } = scope;
  const compose = path.posix.join(relProject, 'docker-compose.yml');
  const scratch = mkdtempSync(path.join(tmpdir(), 'aibackend-hook-'));
  const remove = () => rmSync(scratch, { recursive: true, force: true });
  try {
    const wanted = ['providers.yaml', 'model-mappings.yaml', 'gateway.yaml', 'ports.yaml', 'litellm-unified.yaml'].map((f) =>
      path.posix.join(relConfig, f),
    );
    const first = await indexContents(root, [...wanted, compose]);
    const staged = await stagedSettings(first.get(wanted[2]!)?.toString('utf8'));
    const more = [staged.output, staged.monitoringDir]
      .filter((p): p is string => p !== undefined)
      .map((p) => path.posix.normalize(path.posix.join(relProject, p)))
      .filter((p) => !first.has(p) && !p.startsWith('..'));
    const blobs = more.length > 0 ? new Map([...first, ...(await indexContents(root, more))]) : first;
    for (const [file, content] of blobs) {
      const target = path.join(scratch, file);
      mkdirSync(path.dirname(target), { recursive: true });
      writeFileSync(target, content);
    }
    mkdirSync(path.join(scratch, relConfig), { recursive: true });
    return { paths: resolvePaths(relConfig || '.', scratch), remove };
  } catch (err) {
    remove();
    throw err;
  }
}

/**
 * The staged gateway.yaml's output key and monitoring directory (when monitoring is on), or nothing
 * (defaults, or a file that does not parse).
 */
async function stagedSettings(gatewayYaml: string | undefined): Promise<{ output?: string; monitoringDir?: string }> {
  if (gatewayYaml === undefined) return {};
  const { parse } = await import('yaml');
  try {
    const data = parse(gatewayYaml, { uniqueKeys: false, logLevel: 'error' }) as {
      output?: unknown;
      monitoring?: { enabled?: unknown; dir?: unknown };
    } | null;
    const out = data?.output;
    const mon = data?.monitoring;
    return {
      ...(typeof out === 'string' ? { output: out } : {}),
      ...(mon?.enabled === true ? { monitoringDir: typeof mon.dir === 'string' ? mon.dir : 'monitoring' } : {}),
    };
  } catch {
    return {};
  }
}
