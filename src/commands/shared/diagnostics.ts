// Findings on stderr, with their source lines (secrets blanked), for the commands that check config.
import type { CheckedConfig } from '../../config/check-config.js';
import { formatDiagnostics } from '../../render/format-diagnostics.js';
import { sourceLines } from '../../render/source-lines.js';
import { print, type CommandContext } from './context.js';

export function reportDiagnostics(ctx: CommandContext, checked: CheckedConfig): void {
  if (checked.diagnostics.length === 0) return;
  print(ctx.stderr, `${formatDiagnostics(checked.diagnostics, sourceLines(checked.loaded, {}, checked.diagnostics), ctx.err)}\n`);
}
