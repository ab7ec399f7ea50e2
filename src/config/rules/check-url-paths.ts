// The path of a provider's base_url must be the one LiteLLM expects for its type: LiteLLM calls
// <base_url>/api/chat for Ollama (so a base_url ending in /v1 makes every request 404) and
// <base_url>/chat/completions for vLLM (so a base_url without /v1 hits the server root).
import type { RuleContext } from './context.js';

export function checkUrlPaths(ctx: RuleContext): void {
  for (const [id, p] of Object.entries(ctx.providers?.providers ?? {})) {
    if (!p.base_url) continue;
    let url: URL;
    try {
      url = new URL(p.base_url);
    } catch {
      continue; // invalid-url says so
    }
    const path = url.pathname.replace(/\/+$/, '');
    const at = ctx.at('providers', ['providers', id, 'base_url']);
    const root = `${url.protocol}//${url.host}`;
    if (p.type === 'ollama' && /\/(v1|api)$/.test(path)) {
      ctx.error(
        'url-path',
        at,
        `base_url of Ollama provider '${id}' ends in ${path.slice(path.lastIndexOf('/'))}: LiteLLM calls <base_url>/api/chat, so every request would 404; use the server root`,
        root,
      );
    } else if (p.type === 'vllm' && !path.endsWith('/v1')) {
      ctx.error(
        'url-path',
        at,
        `base_url of vLLM provider '${id}' does not end in /v1: LiteLLM calls <base_url>/chat/completions, which vLLM serves under /v1`,
        `${root}${path}/v1`,
      );
    }
  }
}
