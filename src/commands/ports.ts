// aibackend ports: the ports registry against this machine, what listens where and by which process.
import path from 'node:path';
import type { PortsFlags } from '../cli/specs/operate.js';
import { loadConfig } from '../config/load/load-config.js';
import { listeners } from '../deploy/runtime/listeners.js';
import { portsReport } from '../operate/ports.js';
import { formatDiagnostics } from '../render/format-diagnostics.js';
import { renderPorts } from '../render/ops-text.js';
import { sourceLines } from '../render/source-lines.js';
import { EXIT } from '../util/errors.js';
import { fail, print, type CommandContext } from './shared/context.js';

export async function run(ctx: CommandContext, flags: PortsFlags): Promise<number> {
  const port = flags.port;
  const loaded = loadConfig(ctx.paths);
  const errs = loaded.diagnostics.filter((d) => d.severity === 'error' && d.file.endsWith('ports.yaml'));
  if (errs.length) {
    if (!flags.json) print(ctx.stderr, formatDiagnostics(errs, sourceLines(loaded, {}, errs), ctx.err));
    fail(ctx, flags.json, 'ports.yaml does not load', errs);
  }
  if (!loaded.ports) fail(ctx, flags.json, `there is no ports registry (${path.join(ctx.paths.configDir, 'ports.yaml')})`);
  const report = portsReport(loaded.ports, listeners(), {
    ...(flags.required ? { required: true } : {}),
    ...(port !== undefined ? { port } : {}),
  });
  print(ctx.stdout, flags.json ? JSON.stringify(report, null, 2) : renderPorts(report, ctx.out));
  return report.ok ? EXIT.ok : EXIT.failed;
}
