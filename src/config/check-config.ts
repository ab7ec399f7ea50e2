// The validate-and-compile pipeline every command shares: load with positions, check the shape,
// run the cross-file rules, and, when nothing is wrong, compile, verify and emit.
import path from 'node:path';
import type { Diagnostic } from './diagnostics/diagnostic.js';
import { diag, sortDiagnostics } from './diagnostics/diagnostic.js';
import { compile } from './compile/compile.js';
import type { LiteLLMConfig } from './compile/litellm-config.js';
import { renderBody, renderFile } from './emit/emit.js';
import { verifyLiteLLMConfig } from './emit/verify-output.js';
import {
  DEFAULT_OUTPUT_NAME,
  displayPath,
  loadConfig,
  SOURCE_FILES,
  SOURCE_KINDS,
  type ConfigPaths,
  type LoadedConfig,
} from './load/load-config.js';
import { withHeader } from './emit/provenance.js';
import { HAPROXY_FILE, haproxyConfig } from '../deploy/rolling/haproxy.js';
import { compileMonitoring, type MonitoringFile } from '../monitoring/compile-monitoring.js';
import { KUBERNETES_FILE, kubernetesFile, kubernetesObjects } from '../kubernetes/manifests.js';
import { referencedVariables } from '../deploy/runtime/gateway-env.js';
import { runRules, type RuleOptions } from './rules/index.js';
import { canonicalJson, sha256 } from '../util/canonical.js';
import { maskSecrets } from '../util/secrets.js';

export { DEFAULT_OUTPUT_NAME };

export interface Compiled {
  config: LiteLLMConfig;
  /** The exact bytes of the generated file. */
  text: string;
}

export interface CheckedConfig {
  loaded: LoadedConfig;
  diagnostics: Diagnostic[];
  errors: number;
  warnings: number;
  /** Set when every present source parsed: a hash of their data, independent of key order and comments. */
  sourceHash?: string;
  /** Source paths relative to the project directory, as the header lists them. */
  sourceList: string[];
  /** Absolute path of the generated file. */
  outputPath: string;
  outputDisplay: string;
  /** False when the output path is outside the project or names a source file. */
  outputUsable: boolean;
  /** Set when there are no errors. */
  compiled?: Compiled;
  /**
   * The generated files besides the LiteLLM config, when there are no errors: the monitoring stack's
   * (monitoring.enabled) and the load balancer's (replicas >= 2).
   */
  generated?: GeneratedFile[];
}

/** A generated file besides the LiteLLM config. */
export interface GeneratedFile extends MonitoringFile {
  group: 'monitoring' | 'load_balancer' | 'kubernetes';
  path: string;
  display: string;
}

export function checkConfig(paths: ConfigPaths, options: RuleOptions): CheckedConfig {
  const loaded = loadConfig(paths);
  const diagnostics = [...loaded.diagnostics, ...runRules(loaded, options)];
  const outputPath = resolveOutput(loaded);
  const sourceList = loaded.present.map((k) => toPosix(path.relative(paths.projectDir, path.join(paths.configDir, SOURCE_FILES[k]))));
  const allParsed = loaded.present.every((k) => loaded.sources[k] !== undefined);
  const sourceHash = allParsed ? hashSources(loaded) : undefined;

  let compiled: Compiled | undefined;
  let generated: GeneratedFile[] | undefined;
  if (!diagnostics.some((d) => d.severity === 'error') && loaded.providers && loaded.mappings && loaded.gateway) {
    const config = compile({ providers: loaded.providers, mappings: loaded.mappings, gateway: loaded.gateway });
    const problems = verifyLiteLLMConfig(config);
    if (problems.length > 0) {
      // A compiler bug or a passthrough value of the wrong shape: never write such a file.
      const at = loaded.sources.gateway
        ? { file: loaded.sources.gateway.file, line: 1, column: 1 }
        : { file: displayPath(outputPath, paths.cwd), line: 1, column: 1 };
      for (const p of problems)
        diagnostics.push(diag('output-invalid', 'error', at, `the compiled config breaks the LiteLLM config schema at ${p}`));
    } else {
      compiled = { config, text: renderFile(config, sourceList, sourceHash!) };
    }
    if (compiled) {
      const provenance = { sources: sourceList, sourceHash: sourceHash! };
      const at = (group: GeneratedFile['group'], dir: string, f: MonitoringFile): GeneratedFile => {
        const abs = path.join(dir, ...f.rel.split('/'));
        return { ...f, group, path: abs, display: displayPath(abs, paths.cwd) };
      };
      generated = [];
      if (loaded.gateway.monitoring.enabled || loaded.gateway.tracing.enabled) {
        const dir = path.resolve(paths.projectDir, loaded.gateway.monitoring.dir);
        generated.push(
          ...compileMonitoring({ providers: loaded.providers, mappings: loaded.mappings, gateway: loaded.gateway }, provenance).map((f) =>
            at('monitoring', dir, f),
          ),
        );
      }
      if (loaded.gateway.kubernetes.enabled) {
        // Checked against the Kubernetes API schema by checkKubernetesSchema (validate, generate):
        // the schema's validators load only when asked for.
        const body = renderBody(config);
        generated.push(
          at('kubernetes', path.resolve(paths.projectDir, loaded.gateway.kubernetes.dir), {
            rel: KUBERNETES_FILE,
            format: 'text',
            text: withHeader(kubernetesFile(kubernetesObjects(loaded.gateway, body, referencedVariables(body))), provenance),
          }),
        );
      }
      if (loaded.gateway.replicas >= 2 && loaded.gateway.load_balancer.kind === 'haproxy') {
        generated.push(
          at('load_balancer', path.dirname(outputPath), {
            rel: HAPROXY_FILE,
            format: 'text',
            text: withHeader(haproxyConfig(loaded.gateway), provenance),
          }),
        );
      }
    }
  }
  const masked = sortDiagnostics(diagnostics.map(maskDiagnostic));
  let errors = 0;
  for (const d of masked) if (d.severity === 'error') errors++;
  return {
    loaded,
    diagnostics: masked,
    errors,
    warnings: masked.length - errors,
    ...(sourceHash !== undefined ? { sourceHash } : {}),
    sourceList,
    outputPath,
    outputDisplay: displayPath(outputPath, paths.cwd),
    // A bad output path was reported already, and without a config directory there is nothing to compare.
    outputUsable: loaded.present.length > 0 && !masked.some((d) => d.code === 'output-outside-project' || d.code === 'output-is-source'),
    ...(compiled ? { compiled } : {}),
    ...(generated && generated.length > 0 ? { generated } : {}),
  };
}

export function resolveOutput(loaded: LoadedConfig): string {
  const out = loaded.gateway?.output;
  if (out === undefined) return path.join(loaded.paths.configDir, DEFAULT_OUTPUT_NAME);
  return path.resolve(loaded.paths.projectDir, out);
}

/** Hash of what the sources mean, not how they are written: key order and comments do not count. */
function hashSources(loaded: LoadedConfig): string {
  const parts = SOURCE_KINDS.filter((k) => loaded.sources[k]).map((k) => `${k}\u0000${canonicalJson(loaded.sources[k]!.data)}`);
  return sha256(parts.join('\n'));
}

function toPosix(p: string): string {
  return p.split(path.sep).join('/');
}

/** Last line of defence: no message or suggestion ever carries a credential. */
function maskDiagnostic(d: Diagnostic): Diagnostic {
  const message = maskSecrets(d.message);
  const suggestion = d.suggestion === undefined ? undefined : maskSecrets(d.suggestion);
  if (message === d.message && suggestion === d.suggestion) return d;
  return { ...d, message, ...(suggestion !== undefined ? { suggestion } : {}) };
}
