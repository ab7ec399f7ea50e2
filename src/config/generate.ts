// `aibackend generate` as operations on a checked config: what the generated files hold against
// what the sources compile to (--check), and writing them (the gateway's config last, so that a
// monitoring file that cannot be written leaves the file reload deploys as it was).
import path from 'node:path';
import { diffConfigs } from './config-diff.js';
import type { CheckedConfig } from './check-config.js';
import type { Diagnostic } from './diagnostics/diagnostic.js';
import { syncGenerated, writeGenerated } from './generated-files.js';
import { displayPath } from './load/paths.js';
import { generatedStatus, outputStatus, type GeneratedStatus, type OutputState, type OutputStatus } from './output-status.js';

/** What generate reports about the files besides the gateway's config. */
export type GeneratedSummary = {
  deployments: number;
  monitoring?: { dir: string; files: { file: string; status: OutputState }[] };
  load_balancer?: { file: string; status: OutputState };
  kubernetes?: { file: string; status: OutputState };
};

/** The gateway's config and every other generated file, each with its state on disk. */
export interface GeneratedFiles {
  output: OutputStatus;
  others: GeneratedStatus[];
  summary: GeneratedSummary;
}

export function generatedFiles(checked: CheckedConfig): GeneratedFiles {
  const others = generatedStatus(checked);
  const monitoring = others.filter((m) => m.file.group === 'monitoring');
  const lb = others.find((m) => m.file.group === 'load_balancer');
  const k8s = others.find((m) => m.file.group === 'kubernetes');
  const { paths, gateway } = checked.loaded;
  return {
    output: outputStatus(checked),
    others,
    summary: {
      deployments: checked.compiled?.config.model_list.length ?? 0,
      ...(monitoring.length > 0
        ? {
            monitoring: {
              dir: displayPath(path.resolve(paths.projectDir, gateway!.monitoring.dir), paths.cwd),
              files: monitoring.map((m) => ({ file: m.file.display, status: m.state })),
            },
          }
        : {}),
      ...(lb ? { load_balancer: { file: lb.file.display, status: lb.state } } : {}),
      ...(k8s ? { kubernetes: { file: k8s.file.display, status: k8s.state } } : {}),
    },
  };
}

/** Up to date, or only the provenance header is older: nothing a reload would deploy differs. */
export function isCurrent(state: OutputState): boolean {
  return state === 'up-to-date' || state === 'header-outdated';
}

/** What differs between the files on disk and what the sources compile to (`generate --check`). */
export interface Drift {
  /** The state generate reports: the gateway config's when it drifted, else the first other file's. */
  state: OutputState;
  /** `<file> is <state>` for each file that drifted. */
  drifted: string[];
  /** Each drifted file on disk against its compiled text, as `kubectl diff` shows it. */
  diff: string;
  problems: Diagnostic[];
  /** The texts on disk by displayed name, for the snippets under the problems. */
  texts: Record<string, string | undefined>;
}

export function drift(checked: CheckedConfig, files: GeneratedFiles): Drift | undefined {
  const { output } = files;
  const others = files.others.filter((m) => !isCurrent(m.state));
  const outputDrifted = !isCurrent(output.state);
  if (!outputDrifted && others.length === 0) return undefined;
  const diffs: string[] = [];
  if (outputDrifted && output.text !== undefined)
    diffs.push(diffConfigs(checked.outputDisplay, output.text.replace(/\r\n/g, '\n'), checked.compiled!.text).diff);
  for (const m of others) if (m.text !== undefined) diffs.push(diffConfigs(m.file.display, m.text.replace(/\r\n/g, '\n'), m.file.text).diff);
  const texts: Record<string, string | undefined> = { [checked.outputDisplay]: output.text };
  for (const m of others) texts[m.file.display] = m.text;
  return {
    state: outputDrifted ? output.state : others[0]!.state,
    drifted: [...(outputDrifted ? [`${checked.outputDisplay} is ${output.state}`] : []), ...others.map((m) => `${m.file.display} is ${m.state}`)],
    diff: diffs.filter(Boolean).join('\n'),
    problems: [...(outputDrifted ? output.diagnostics : []), ...others.flatMap((m) => m.diagnostics)],
    texts,
  };
}

/** What writing did: the gateway's config, and the other generated files written. */
export interface Written {
  status: 'unchanged' | 'header-rewritten' | 'written';
  /** The state the gateway's config was in before (hand-edited, stale, missing, ...). */
  replaced: OutputState;
  others: { written: string[]; of: number };
}

/** Write what changed: the other generated files first, then the gateway's config. */
export function writeGeneratedFiles(checked: CheckedConfig, files: GeneratedFiles): Written {
  const { output } = files;
  const writes = syncGenerated(checked, files.others).written;
  const others = { written: writes.map((w) => w.file.display), of: files.others.length };
  if (output.state === 'up-to-date' && output.text?.replace(/\r\n/g, '\n') === checked.compiled!.text)
    return { status: 'unchanged', replaced: output.state, others };
  writeGenerated(checked.loaded.paths, checked.outputPath, checked.outputDisplay, checked.compiled!.text);
  return { status: output.state === 'header-outdated' ? 'header-rewritten' : 'written', replaced: output.state, others };
}
