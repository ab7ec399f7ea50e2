// Credentials never belong in the sources: scan every line (comments included) for things that
// look like keys, and require env references for secret-bearing keys in the passthrough sections.
import { findSecrets } from '../../util/secrets.js';
import type { RuleContext } from './context.js';

const SECRET_KEY_NAME = /(api_?key|secret|password|passwd|token|credential|master_key|auth)/i;

export function checkSecrets(ctx: RuleContext): void {
  // Lines already reported as holding a secret (by the schema or the URL rule) are not reported twice.
  const literalLines = new Set(
    [...ctx.config.diagnostics, ...ctx.diagnostics]
      .filter((d) => d.code === 'secret-literal' || d.code === 'url-credentials')
      .map((d) => `${d.file}:${d.line}`),
  );
  const passthrough = ctx.config.sources.gateway ? ctx.gateway?.passthrough : undefined;
  if (passthrough) {
    for (const [section, values] of Object.entries(passthrough)) {
      walk(values, ['passthrough', section], (path, key, value) => {
        if (!SECRET_KEY_NAME.test(key) || typeof value !== 'string') return;
        if (value.startsWith('os.environ/') || value === '') return;
        const at = ctx.at('gateway', path);
        if (literalLines.has(`${at.file}:${at.line}`)) return;
        literalLines.add(`${at.file}:${at.line}`);
        ctx.error(
          'secret-literal',
          at,
          `${path.join('.')} holds a literal secret; passthrough values go to LiteLLM verbatim, so write os.environ/VAR_NAME (the value is not shown)`,
          'os.environ/VAR_NAME',
        );
      });
    }
  }
  const runtime = ctx.config.sources.gateway ? ctx.gateway?.runtime : undefined;
  if (runtime?.kind === 'process') {
    for (const [name, value] of Object.entries(runtime.env ?? {})) {
      if (!SECRET_KEY_NAME.test(name) || value === '') continue;
      const at = ctx.at('gateway', ['runtime', 'env', name]);
      literalLines.add(`${at.file}:${at.line}`);
      ctx.error(
        'secret-literal',
        at,
        `runtime.env.${name} holds a literal secret; set ${name} in the environment that runs aibackend (the gateway process inherits it) instead (the value is not shown)`,
      );
    }
  }
  for (const [id, s] of Object.entries(ctx.providers?.mcp_servers ?? {})) {
    for (const [name, value] of Object.entries(s.env ?? {})) {
      if (!SECRET_KEY_NAME.test(name) || value === '' || value.startsWith('env:')) continue;
      const at = ctx.at('providers', ['mcp_servers', id, 'env', name]);
      literalLines.add(`${at.file}:${at.line}`);
      ctx.error(
        'secret-literal',
        at,
        `mcp_servers.${id}.env.${name} holds a literal secret; it would be written into the generated file (the value is not shown)`,
        'env:VAR_NAME',
      );
    }
  }
  for (const { file, text } of Object.values(ctx.config.texts)) {
    let line = 1;
    let lineStart = 0;
    let cursor = 0;
    for (const m of findSecrets(text)) {
      for (; cursor < m.index; cursor++) {
        if (text.charCodeAt(cursor) === 10) {
          line++;
          lineStart = cursor + 1;
        }
      }
      if (literalLines.has(`${file}:${line}`)) continue;
      const lineEnd = text.indexOf('\n', m.index);
      const length = lineEnd === -1 ? m.length : Math.min(m.length, lineEnd - m.index);
      ctx.error(
        'secret-in-source',
        { file, line, column: m.index - lineStart + 1, length },
        `this looks like ${/^[AEIOU]/i.test(m.kind) ? 'an' : 'a'} ${m.kind}; secrets never belong in config sources: reference an environment variable (env:VAR_NAME) and rotate the exposed credential (the value is not shown)`,
      );
    }
  }
}

function walk(value: unknown, path: (string | number)[], visit: (path: (string | number)[], key: string, value: unknown) => void): void {
  if (Array.isArray(value)) value.forEach((v, i) => walk(v, [...path, i], visit));
  else if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      visit([...path, k], k, v);
      walk(v, [...path, k], visit);
    }
  }
}
