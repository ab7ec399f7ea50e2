// env:VAR references that the gateway will need must be set where the gateway runs. At validate
// time this is a warning (CI rarely holds production secrets); reload makes it an error.
import path from 'node:path';
import { displayPath, SOURCE_FILES, type SourceKind } from '../load/load-config.js';
import type { PathSegment } from '../load/source-doc.js';
import { envVarOf } from '../../util/env-ref.js';
import { isActive } from '../schema/providers.js';
import { alertSecrets } from '../../monitoring/alertmanager-config.js';
import type { RuleContext } from './context.js';

interface EnvRef {
  kind: SourceKind;
  path: PathSegment[];
  variable: string;
  /** Who reads it, and when. */
  needs: string;
}

const GATEWAY_NEEDS = 'the gateway needs it at start-up';

export function envRefsInUse(ctx: RuleContext): EnvRef[] {
  const refs: EnvRef[] = [];
  const add = (kind: SourceKind, path: PathSegment[], ref: string | undefined, needs = GATEWAY_NEEDS) => {
    const variable = envVarOf(ref);
    if (variable !== undefined) refs.push({ kind, path, variable, needs });
  };
  for (const [id, p] of Object.entries(ctx.providers?.providers ?? {})) {
    if (isActive(p)) add('providers', ['providers', id, 'api_key'], p.api_key);
  }
  for (const [id, s] of Object.entries(ctx.providers?.mcp_servers ?? {})) {
    if (!isActive(s)) continue;
    add('providers', ['mcp_servers', id, 'auth', 'token'], s.auth?.token);
    for (const [name, value] of Object.entries(s.env ?? {})) add('providers', ['mcp_servers', id, 'env', name], value);
  }
  const gw = ctx.gateway;
  if (gw) {
    add('gateway', ['gateway', 'master_key'], gw.gateway.master_key);
    if (gw.cache.enabled) add('gateway', ['cache', 'password'], gw.cache.password);
    if (gw.monitoring.enabled) add('gateway', ['monitoring', 'grafana', 'admin_password'], gw.monitoring.grafana.admin_password);
    if (gw.monitoring.enabled && gw.monitoring.alerting.enabled) {
      for (const secret of alertSecrets(gw.monitoring.alerting)) {
        if (!secret.variable) continue;
        const at = secret.key.split('.');
        add('gateway', at, `env:${secret.variable}`, `Alertmanager reads it from ${gw.monitoring.dir}/${secret.file} (docker-compose.yml mounts it from the environment)`);
      }
    }
  }
  return refs;
}

export function checkEnv(ctx: RuleContext): void {
  for (const ref of envRefsInUse(ctx)) {
    const value = ctx.options.env[ref.variable];
    if (value !== undefined && value !== '') continue;
    // Reload makes an unset variable of the gateway an error; one another program reads stays a warning.
    const severity = ref.needs === GATEWAY_NEEDS ? ctx.options.unsetEnvSeverity : 'warning';
    const declared = ctx.config.sources[ref.kind] !== undefined;
    const at = declared
      ? ctx.at(ref.kind, ref.path)
      : {
          file:
            ctx.config.texts[ref.kind]?.file ??
            displayPath(path.join(ctx.config.paths.configDir, SOURCE_FILES[ref.kind]), ctx.config.paths.cwd),
          line: 1,
          column: 1,
        };
    const why = declared ? '' : ` (${ref.path.join('.')} defaults to env:${ref.variable})`;
    ctx.report(
      'env-unset',
      severity,
      at,
      `environment variable ${ref.variable} is not set${why}; ${ref.needs}`,
    );
  }
}
