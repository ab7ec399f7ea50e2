// Provider entries that parse but cannot work: no base_url where one is needed, an active
// provider with no models, the same backend model listed twice.
import { HOSTED_TYPES, isActive } from '../schema/providers.js';
import type { RuleContext } from './context.js';

export function checkProviders(ctx: RuleContext): void {
  for (const [id, p] of Object.entries(ctx.providers?.providers ?? {})) {
    if (!p.base_url && !HOSTED_TYPES.has(p.type)) {
      ctx.error(
        'missing-base-url',
        ctx.at('providers', ['providers', id], true),
        `provider '${id}' of type ${p.type} needs a base_url`,
        'base_url: http://127.0.0.1:PORT',
      );
    }
    const models = p.models ?? [];
    if (isActive(p) && models.length === 0) {
      ctx.error(
        'provider-without-models',
        ctx.at('providers', ['providers', id], true),
        `active provider '${id}' lists no models; add models or set status: disabled`,
      );
    }
    const seen = new Set<string>();
    models.forEach((m, i) => {
      if (seen.has(m.name)) {
        ctx.error(
          'duplicate-backend-model',
          ctx.at('providers', ['providers', id, 'models', i, 'name']),
          `provider '${id}' lists backend model '${m.name}' more than once`,
        );
      }
      seen.add(m.name);
    });
  }
}
