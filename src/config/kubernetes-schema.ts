// validate and generate with kubernetes.enabled: every generated object against the Kubernetes API
// schema. Its validators are large, so they load (dynamic import) only for a project that has the
// manifests; a refusal is an error finding at gateway.yaml's `kubernetes:` and nothing is written.
import { parseAllDocuments } from 'yaml';
import type { CheckedConfig } from './check-config.js';
import { diag, sortDiagnostics } from './diagnostics/diagnostic.js';
import { positionOf } from './load/source-doc.js';

export async function checkKubernetesSchema(checked: CheckedConfig): Promise<CheckedConfig> {
  const file = checked.generated?.find((g) => g.group === 'kubernetes');
  if (!file) return checked;
  const { kubernetesProblems } = await import('../kubernetes/check.js');
  const objects = parseAllDocuments(file.text).map((d) => d.toJS() as Record<string, unknown>);
  const problems = kubernetesProblems(objects);
  if (!problems.length) return checked;
  const source = checked.loaded.sources.gateway;
  const at = source ? positionOf(source, ['kubernetes'], true) : { file: file.display, line: 1, column: 1 };
  const found = problems.map((p) => diag('kubernetes-invalid', 'error', at, `the Kubernetes API schema refuses ${p}`));
  const { compiled: _compiled, generated: _generated, ...rest } = checked;
  return { ...rest, diagnostics: sortDiagnostics([...checked.diagnostics, ...found]), errors: checked.errors + found.length };
}
