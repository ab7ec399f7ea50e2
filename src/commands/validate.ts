// aibackend validate: every check, nothing written. Exit 1 on errors (or warnings with --strict).
import type { ValidateFlags } from '../cli/specs/config.js';
import type { CommandContext } from './shared/context.js';
import { validateAndReport } from './shared/validation.js';

export async function run(ctx: CommandContext, flags: ValidateFlags): Promise<number> {
  return validateAndReport(ctx, flags);
}
