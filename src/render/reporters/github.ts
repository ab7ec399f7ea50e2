// GitHub Actions workflow commands: one ::error or ::warning annotation per diagnostic.
// https://docs.github.com/actions/reference/workflow-commands-for-github-actions
import type { Diagnostic } from '../../config/diagnostics/diagnostic.js';

const escapeData = (s: string) => s.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
const escapeProperty = (s: string) => escapeData(s).replace(/:/g, '%3A').replace(/,/g, '%2C');

export function renderGithub(diagnostics: readonly Diagnostic[]): string {
  return diagnostics
    .map((d) => {
      const props = [`file=${escapeProperty(d.file)}`, `line=${d.line}`, `col=${d.column}`];
      if (d.length !== undefined && d.length > 1) props.push(`endColumn=${d.column + d.length}`);
      props.push(`title=${escapeProperty(`aibackend ${d.code}`)}`);
      const help = d.suggestion !== undefined && !d.message.includes(`'${d.suggestion}'`) ? ` (help: ${d.suggestion})` : '';
      return `::${d.severity} ${props.join(',')}::${escapeData(`${d.message}${help} [${d.code}]`)}`;
    })
    .join('\n');
}
