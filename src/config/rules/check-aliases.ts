// Aliases point at public names, never at other aliases, and never hide a public name.
import type { RuleContext } from './context.js';
import { didYouMean } from './context.js';

export function checkAliases(ctx: RuleContext): void {
  const models = ctx.mappings?.models ?? {};
  const aliases = ctx.mappings?.aliases ?? {};
  for (const [alias, target] of Object.entries(aliases)) {
    if (Object.hasOwn(models, alias)) {
      ctx.error(
        'alias-shadows-model',
        ctx.at('mappings', ['aliases', alias], true),
        `alias '${alias}' has the same name as a public model; rename one of them`,
      );
      continue;
    }
    if (Object.hasOwn(models, target)) continue;
    const at = ctx.at('mappings', ['aliases', alias]);
    if (Object.hasOwn(aliases, target)) {
      const final = aliases[target]!;
      ctx.error(
        'alias-to-alias',
        at,
        `alias '${alias}' points at alias '${target}'; aliases must point at a public name${Object.hasOwn(models, final) ? ` (here: '${final}')` : ''}`,
        Object.hasOwn(models, final) ? final : undefined,
      );
      continue;
    }
    const s = ctx.suggestPublicName(target);
    ctx.error('unknown-alias-target', at, `alias '${alias}' points at unknown public name '${target}'${didYouMean(s)}`, s);
  }
}
