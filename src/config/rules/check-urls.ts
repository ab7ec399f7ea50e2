// URLs must parse, use http(s), name a host and carry no credentials (those belong in env:).
import type { SourceKind } from '../load/load-config.js';
import type { PathSegment } from '../load/source-doc.js';
import type { RuleContext } from './context.js';

export function checkUrls(ctx: RuleContext): void {
  for (const [id, p] of Object.entries(ctx.providers?.providers ?? {})) {
    if (p.base_url) checkUrl(ctx, 'providers', ['providers', id, 'base_url'], p.base_url, `base_url of provider '${id}'`);
  }
  for (const [id, s] of Object.entries(ctx.providers?.mcp_servers ?? {})) {
    if (s.url) checkUrl(ctx, 'providers', ['mcp_servers', id, 'url'], s.url, `url of MCP server '${id}'`, 'auth.token: env:VAR_NAME');
  }
  const gw = ctx.config.sources.gateway ? ctx.gateway?.gateway.url : undefined;
  if (gw) checkUrl(ctx, 'gateway', ['gateway', 'url'], gw, 'gateway.url');
}

function checkUrl(ctx: RuleContext, kind: SourceKind, path: PathSegment[], raw: string, what: string, keyAt = 'api_key: env:VAR_NAME'): void {
  const at = ctx.at(kind, path);
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    ctx.error('invalid-url', at, `${what} is not a valid URL`);
    return;
  }
  if (url.username || url.password) {
    ctx.error('url-credentials', at, `${what} carries credentials; put the key in ${keyAt} instead (the value is not shown)`);
  }
  if (!url.hostname) ctx.error('invalid-url', at, `${what} has no host`);
  if (url.search || url.hash) ctx.error('invalid-url', at, `${what} must not carry a query string or fragment`);
}
