// The cross-file rules, in the order their findings read best. Each is one concern.
import { checkAliases } from './check-aliases.js';
import { checkEnv } from './check-env.js';
import { checkFallbacks } from './check-fallbacks.js';
import { checkGateway } from './check-gateway.js';
import { checkKubernetes } from './check-kubernetes.js';
import { checkMcp } from './check-mcp.js';
import { checkModes } from './check-modes.js';
import { checkPassthrough } from './check-passthrough.js';
import { checkPorts } from './check-ports.js';
import { checkProviders } from './check-providers.js';
import { checkRoutes } from './check-routes.js';
import { checkSecrets } from './check-secrets.js';
import { checkTopology } from './check-topology.js';
import { checkUnusedProviders } from './check-unused-providers.js';
import { checkUrlPaths } from './check-url-paths.js';
import { checkUrls } from './check-urls.js';
import { RuleContext, type Rule, type RuleOptions } from './context.js';
import type { LoadedConfig } from '../load/load-config.js';
import type { Diagnostic } from '../diagnostics/diagnostic.js';

export const RULES: readonly Rule[] = [
  checkProviders,
  checkUrls,
  checkUrlPaths,
  checkMcp,
  checkRoutes,
  checkFallbacks,
  checkAliases,
  checkModes,
  checkUnusedProviders,
  checkSecrets,
  checkEnv,
  checkPorts,
  checkGateway,
  checkPassthrough,
  checkTopology,
  checkKubernetes,
];

export function runRules(config: LoadedConfig, options: RuleOptions): Diagnostic[] {
  const ctx = new RuleContext(config, options);
  for (const rule of RULES) rule(ctx);
  return ctx.diagnostics;
}

export { RuleContext } from './context.js';
export type { RuleOptions } from './context.js';
