// Chat and embedding do not mix: a public name's routes must all reach backend models of one mode
// (providers.yaml `mode:`, default chat), and a fallback (or an alias used as one) must be of the
// same mode as the name it stands in for; LiteLLM would send a chat request to an embedding model.
import type { RuleContext } from './context.js';

type Mode = 'chat' | 'embedding';

export function checkModes(ctx: RuleContext): void {
  const providers = ctx.providers?.providers;
  const mappings = ctx.mappings;
  if (!providers || !mappings) return;
  const backendMode = (provider: string, model: string): Mode | undefined => {
    const p = providers[provider];
    if (!p) return undefined;
    return p.models?.find((m) => m.name === model)?.mode ?? (p.models?.some((m) => m.name === model) ? 'chat' : undefined);
  };
  const modes = new Map<string, Mode>();
  for (const [name, mapping] of Object.entries(mappings.models)) {
    let first: Mode | undefined;
    mapping.routes.forEach((r, i) => {
      const mode = backendMode(r.provider, r.model ?? name);
      if (!mode) return;
      if (!first) first = mode;
      else if (mode !== first)
        ctx.error(
          'backend-mode-mismatch',
          ctx.at('mappings', ['models', name, 'routes', i]),
          `'${name}' routes to ${first} and ${mode} models at once: route ${i + 1} (${r.provider}/${r.model ?? name}) is an ${mode} model`,
        );
    });
    if (first) modes.set(name, first);
  }
  const aliases = mappings.aliases ?? {};
  const modeOf = (n: string) => modes.get(n) ?? (Object.hasOwn(aliases, n) ? modes.get(aliases[n]!) : undefined);
  for (const [name, mapping] of Object.entries(mappings.models)) {
    const mine = modes.get(name);
    if (!mine) continue;
    (mapping.fallbacks ?? []).forEach((fb, i) => {
      const theirs = modeOf(fb);
      if (theirs && theirs !== mine) {
        const via = Object.hasOwn(aliases, fb) ? ` (alias of '${aliases[fb]}')` : '';
        ctx.error(
          'fallback-mode-mismatch',
          ctx.at('mappings', ['models', name, 'fallbacks', i]),
          `'${name}' serves ${mine} requests, but its fallback '${fb}'${via} is an ${theirs} model: LiteLLM would send it requests it cannot answer`,
        );
      }
    });
  }
}
