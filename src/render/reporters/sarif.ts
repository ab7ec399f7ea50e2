// SARIF 2.1.0 for code scanning: every diagnostic code is a rule, every diagnostic a result with
// a physical location relative to the repository root.
import { CODES, WARNING_CODES, type Code } from '../../config/diagnostics/codes.js';
import { HELP } from '../../config/diagnostics/help.js';
import type { Diagnostic } from '../../config/diagnostics/diagnostic.js';
import { PROJECT_URL, TOOL_NAME, TOOL_VERSION } from '../../util/version.js';

const RULE_IDS = Object.keys(CODES) as Code[];

export function renderSarif(diagnostics: readonly Diagnostic[]): string {
  const log = {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: TOOL_NAME,
            version: TOOL_VERSION,
            ...(PROJECT_URL ? { informationUri: PROJECT_URL } : {}),
            rules: RULE_IDS.map((id) => ({
              id,
              name: id.replace(/(^|-)([a-z])/g, (_m, _d, c: string) => c.toUpperCase()),
              shortDescription: { text: CODES[id][1] },
              fullDescription: { text: `${CODES[id][1]}. ${HELP[id].cause}` },
              help: { text: `Fix: ${HELP[id].fix}`, markdown: `**Cause.** ${HELP[id].cause}\n\n**Fix.** ${HELP[id].fix}` },
              ...(PROJECT_URL ? { helpUri: `${PROJECT_URL}/blob/main/docs/troubleshooting.md#${id}` } : {}),
              properties: { category: CODES[id][0] },
              defaultConfiguration: { level: WARNING_CODES.has(id) ? 'warning' : 'error' },
            })),
          },
        },
        columnKind: 'utf16CodeUnits',
        results: diagnostics.map((d) => ({
          ruleId: d.code,
          ruleIndex: RULE_IDS.indexOf(d.code),
          level: d.severity,
          message: {
            text:
              d.suggestion !== undefined && !d.message.includes(`'${d.suggestion}'`) ? `${d.message} (help: ${d.suggestion})` : d.message,
          },
          locations: [
            {
              physicalLocation: {
                artifactLocation: { uri: d.file.split('\\').join('/'), uriBaseId: '%SRCROOT%' },
                region: { startLine: d.line, startColumn: d.column, ...(d.length !== undefined ? { endColumn: d.column + d.length } : {}) },
              },
            },
          ],
        })),
      },
    ],
  };
  return JSON.stringify(log, null, 2);
}
