// passthrough: goes to LiteLLM verbatim, so it is checked against what the pinned LiteLLM accepts
// in each section (src/generated/litellm-facts.ts): a key it does not know is silently ignored or
// stops the proxy at start-up. A key that would override what aibackend compiles (fallbacks,
// aliases, the cache connection, the master key, the router settings) is refused with the source
// key to use instead, unless passthrough.overrides names it as intended.
import {
  GENERAL_SETTINGS_KEYS,
  LITELLM_SETTINGS_KEYS,
  ROUTER_SETTINGS_KEYS,
  ROUTER_SETTINGS_REFUSED,
  ROUTING_STRATEGIES,
} from '../../generated/litellm-facts.js';
import { codeLoads } from '../compile/code-loading.js';
import type { GatewayFile } from '../schema/gateway.js';
import type { Suggester } from '../../util/suggest.js';
import type { RuleContext } from './context.js';

type Section = 'router_settings' | 'litellm_settings' | 'general_settings';

const ACCEPTED: Record<Section, readonly string[]> = {
  router_settings: ROUTER_SETTINGS_KEYS,
  litellm_settings: LITELLM_SETTINGS_KEYS,
  general_settings: GENERAL_SETTINGS_KEYS,
};

/** Dotted passthrough keys that aibackend compiles itself, with the source key that sets them. */
function compiledKeys(gw: GatewayFile): Map<string, string> {
  const m = new Map<string, string>([
    ['router_settings.routing_strategy', 'router.strategy in gateway.yaml'],
    ['router_settings.num_retries', 'router.num_retries in gateway.yaml'],
    ['router_settings.timeout', 'router.timeout_s in gateway.yaml'],
    ['router_settings.allowed_fails', 'router.allowed_fails in gateway.yaml'],
    ['router_settings.cooldown_time', 'router.cooldown_s in gateway.yaml'],
    ['router_settings.fallbacks', 'fallbacks: of each public name in model-mappings.yaml'],
    ['general_settings.master_key', 'gateway.master_key in gateway.yaml'],
    ['litellm_settings.json_logs', 'logging.json in gateway.yaml'],
  ]);
  if (gw.cache.enabled) {
    for (const [k, v] of [
      ['redis_host', 'host'],
      ['redis_port', 'port'],
      ['redis_password', 'password'],
    ])
      m.set(`router_settings.${k}`, `cache.${v} in gateway.yaml`);
    m.set('litellm_settings.cache', 'cache.enabled in gateway.yaml');
    for (const [k, v] of [
      ['type', 'enabled'],
      ['host', 'host'],
      ['port', 'port'],
      ['password', 'password'],
      ['namespace', 'namespace'],
      ['ttl', 'ttl_s'],
    ])
      m.set(`litellm_settings.cache_params.${k}`, `cache.${v} in gateway.yaml`);
  }
  return m;
}

export function checkPassthrough(ctx: RuleContext): void {
  const gw = ctx.gateway;
  if (!gw || !ctx.config.sources.gateway) return;
  const intended = new Set(gw.passthrough.overrides ?? []);
  const compiled = compiledKeys(gw);
  for (const load of codeLoads(gw.passthrough)) {
    const dotted = load.path
      .map((p) => (typeof p === 'number' ? `[${p}]` : p))
      .join('.')
      .replace(/\.\[/g, '[');
    ctx.warn(
      'passthrough-loads-code',
      ctx.at('gateway', ['passthrough', ...load.path]),
      `passthrough.${dotted} makes LiteLLM import the Python module '${load.module}' at start-up (from the config's directory first): a change to it is a change of code, run with the gateway's environment; \`validate --deep\` removes it before loading and does not run it`,
    );
  }
  for (const section of ['router_settings', 'litellm_settings', 'general_settings'] as const) {
    const values = gw.passthrough[section];
    if (!values) continue;
    let suggester: Suggester | undefined;
    for (const [key, value] of Object.entries(values)) {
      const path = ['passthrough', section, key];
      const keyAt = ctx.at('gateway', path, true);
      if (section === 'router_settings' && ROUTER_SETTINGS_REFUSED.includes(key)) {
        ctx.error(
          'passthrough-unknown-key',
          keyAt,
          `router_settings.${key} makes LiteLLM refuse to start ("not a valid router_settings parameter"); it belongs in passthrough.general_settings.${key}`,
          `general_settings.${key}`,
        );
        continue;
      }
      if (!ACCEPTED[section].includes(key)) {
        suggester ??= ctx.suggester(ACCEPTED[section]);
        const close = suggester.suggest(key);
        ctx.error(
          'passthrough-unknown-key',
          keyAt,
          `${section}.${key} is not a ${section} key of LiteLLM; it would ${section === 'litellm_settings' ? 'be set on the litellm module and do nothing' : 'be ignored'}${close ? `; did you mean '${close}'?` : ''}`,
          close,
        );
        continue;
      }
      if (section === 'router_settings' && key === 'model_group_alias') {
        ctx.error(
          'passthrough-override',
          keyAt,
          'router_settings.model_group_alias makes names that aibackend does not know: explain cannot show them and reload rejects the served set; write them as aliases: in model-mappings.yaml',
          'aliases: in model-mappings.yaml',
        );
        continue;
      }
      if (
        section === 'router_settings' &&
        key === 'routing_strategy' &&
        typeof value === 'string' &&
        !(ROUTING_STRATEGIES as readonly string[]).includes(value)
      ) {
        const close = ctx.suggester(ROUTING_STRATEGIES).suggest(value);
        ctx.error(
          'invalid-value',
          ctx.at('gateway', path),
          `router_settings.routing_strategy must be one of: ${ROUTING_STRATEGIES.join(', ')}; found '${value}'${close ? `; did you mean '${close}'?` : ''}`,
          close,
        );
      }
      if (
        section === 'litellm_settings' &&
        key === 'callbacks' &&
        gw.metrics.prometheus &&
        Array.isArray(value) &&
        !value.includes('prometheus') &&
        !intended.has('litellm_settings.callbacks')
      ) {
        ctx.error(
          'passthrough-override',
          keyAt,
          "passthrough.litellm_settings.callbacks would drop the 'prometheus' callback that metrics.prometheus compiles; add \"prometheus\" to the list (or list 'litellm_settings.callbacks' under passthrough.overrides)",
          'metrics.prometheus in gateway.yaml',
        );
      }
      overrides(ctx, compiled, intended, [section, key], value);
    }
  }
}

/** A compiled setting that this passthrough key (or a key inside its map) would replace. */
function overrides(ctx: RuleContext, compiled: Map<string, string>, intended: Set<string>, path: string[], value: unknown): void {
  const dotted = path.join('.');
  const instead = compiled.get(dotted);
  if (instead !== undefined) {
    if (intended.has(dotted)) return;
    // A literal secret there is reported already (secret-literal): one mistake, one finding.
    const at = ctx.at('gateway', ['passthrough', ...path]);
    if (ctx.diagnostics.some((d) => d.code === 'secret-literal' && d.file === at.file && d.line === at.line)) return;
    ctx.error(
      'passthrough-override',
      ctx.at('gateway', ['passthrough', ...path], true),
      `passthrough.${dotted} would replace what aibackend compiles from ${instead}; set it there, or list '${dotted}' under passthrough.overrides to mean it`,
      instead,
    );
    return;
  }
  if (value && typeof value === 'object' && !Array.isArray(value)) {
    for (const [k, v] of Object.entries(value)) overrides(ctx, compiled, intended, [...path, k], v);
  }
}
