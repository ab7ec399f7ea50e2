import * as z from 'zod/mini';
import {
  describedString,
  envRef,
  httpUrl,
  nonEmptyString,
  nonNegativeInt,
  nonNegativeNumber,
  portNumber,
  positiveInt,
  positiveNumber,
  secretRef,
  version,
} from './common.js';

// The strategies the pinned LiteLLM accepts (router Literal and RoutingStrategy enum), taken
// from it by scripts/litellm-facts.py: the one place the list lives.
export { ROUTING_STRATEGIES as ROUTER_STRATEGIES } from '../../generated/litellm-facts.js';
import { ROUTING_STRATEGIES } from '../../generated/litellm-facts.js';

const argv = z.array(nonEmptyString).check(z.minLength(1));
const envName = z.string().check(z.regex(/^[A-Za-z_][A-Za-z0-9_]*$/));
const validate = z.optional(
  argv.check(
    z.describe(
      'argv that loads a candidate config into the same LiteLLM without serving, e.g. [litellm, --config, "{config}", --validate_config]; reload runs it before stopping the gateway',
    ),
  ),
);

export const runtimeSchema = z.discriminatedUnion('kind', [
  z.strictObject({
    kind: z.literal('compose'),
    file: z._default(nonEmptyString, 'docker-compose.yml'),
    service: z._default(nonEmptyString, 'litellm'),
    project: z.optional(
      z
        .string()
        .check(
          z.regex(/^[a-z0-9][a-z0-9_-]*$/),
          z.describe("the compose project (docker compose -p): lower-case letters, digits, - and _; default: compose's own choice"),
        ),
    ),
  }),
  z.strictObject({
    kind: z.literal('command'),
    restart: argv.check(z.describe('argv of the restart command, e.g. [systemctl, restart, litellm]')),
    validate,
    log: z.optional(describedString("the gateway's log file, relative to the project directory; `aibackend logs` reads it")),
  }),
  z.strictObject({
    kind: z.literal('swarm'),
    stack: z._default(
      z.string().check(z.regex(/^[a-z0-9][a-z0-9_-]*$/), z.describe('the stack name (docker stack deploy ... STACK)')),
      'aibackend',
    ),
    file: z._default(nonEmptyString, 'docker-stack.yml'),
    service: z._default(nonEmptyString, 'litellm'),
    replicas: z._default(z.int().check(z.minimum(1), z.describe("the gateway service's tasks")), 2),
    secrets: z.optional(z.array(envName).check(z.describe('further variables delivered to the gateway as docker secrets'))),
  }),
  z.strictObject({
    kind: z.literal('process'),
    command: argv.check(z.describe('argv that starts the gateway; "{config}" becomes the deployed file path')),
    state_dir: z._default(describedString('where the pid and log files live'), '.aibackend'),
    stop_grace_s: z._default(positiveNumber, 10),
    env: z.optional(
      z.record(envName, z.string()).check(z.describe('extra environment for the gateway process, e.g. LITELLM_LOCAL_MODEL_COST_MAP')),
    ),
    pass_env: z.optional(
      z.array(envName).check(z.describe("names of further variables of aibackend's environment that the gateway process receives")),
    ),
    validate,
  }),
]);

const passthroughSection = z.record(z.string(), z.unknown());

/** The severities the generated alert rules carry. */
export const ALERT_SEVERITIES = ['critical', 'warning'] as const;
export const RECEIVER_KINDS = ['slack', 'pagerduty', 'webhook'] as const;
export const RECEIVER_NAME_RE = /^[a-z][a-z0-9_-]*$/;
const severities = z._default(
  z
    .array(z.enum(ALERT_SEVERITIES))
    .check(z.minLength(1), z.describe('the alert severities this receiver gets (default: critical and warning)')),
  [...ALERT_SEVERITIES],
);

export const receiverSchema = z.discriminatedUnion('kind', [
  z.strictObject({
    kind: z.literal('slack'),
    webhook_url: secretRef.check(z.describe("the Slack incoming webhook's URL, a secret: env:VAR or file:PATH")),
    channel: z.optional(describedString('channel override, e.g. "#llm-alerts"')),
    severities,
  }),
  z.strictObject({
    kind: z.literal('pagerduty'),
    routing_key: secretRef.check(z.describe('the PagerDuty Events API v2 integration (routing) key, a secret: env:VAR or file:PATH')),
    severities,
  }),
  z.strictObject({
    kind: z.literal('webhook'),
    url: httpUrl.check(z.describe('where Alertmanager POSTs its JSON notifications; not a secret (put the secret in token)')),
    token: z.optional(secretRef.check(z.describe('bearer token sent as Authorization, a secret: env:VAR or file:PATH'))),
    severities,
  }),
]);

const alertingDefaults = {
  enabled: false,
  alertmanager: { url: 'http://127.0.0.1:9093' },
  group_by: ['alertname', 'severity'],
  group_wait_s: 30,
  group_interval_s: 300,
  repeat_interval_s: 14400,
  receivers: {},
};

const alertingSchema = z._default(
  z.strictObject({
    enabled: z._default(z.boolean(), false),
    alertmanager: z._default(
      z.strictObject({ url: z._default(httpUrl, 'http://127.0.0.1:9093'), image: z.optional(nonEmptyString) }),
      { url: 'http://127.0.0.1:9093' },
    ),
    group_by: z._default(
      z.array(nonEmptyString).check(z.minLength(1), z.describe('labels that make one notification of several alerts')),
      ['alertname', 'severity'],
    ),
    group_wait_s: z._default(positiveInt.check(z.describe('wait before the first notification of a new group')), 30),
    group_interval_s: z._default(positiveInt.check(z.describe('wait before notifying of new alerts in a group')), 300),
    repeat_interval_s: z._default(positiveInt.check(z.describe('resend a still-firing alert after this long')), 14400),
    receivers: z._default(
      z.record(z.string().check(z.regex(RECEIVER_NAME_RE)), receiverSchema).check(z.describe('who is told, by name')),
      {},
    ),
  }),
  alertingDefaults,
);

export const tracingDefaults = {
  enabled: false,
  endpoint: 'http://127.0.0.1:4318',
  query_url: 'http://127.0.0.1:16686',
  service_name: 'litellm',
  capture_content: false,
  max_traces: 100000,
};

/** A DNS-1123 label (namespaces, object names that are also labels). */
const dnsLabel = z.string().check(z.regex(/^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/));
/** A DNS-1123 subdomain (Secret names). */
const dnsSubdomain = z.string().check(z.maxLength(253), z.regex(/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/));
/** A Kubernetes resource quantity: 500m, 2, 512Mi, 1Gi, 1e3. */
const quantity = z.string().check(z.regex(/^[0-9]+(\.[0-9]+)?(m|k|M|G|T|P|E|Ki|Mi|Gi|Ti|Pi|Ei|e[0-9]+)?$/), z.describe('a Kubernetes quantity, e.g. 500m, 512Mi, 1Gi'));

export const gatewayFileSchema = z.strictObject({
  $schema: z.optional(z.string()),
  version,
  output: z.optional(describedString('Generated file, relative to the project directory')),
  gateway: z._default(
    z.strictObject({
      url: z._default(httpUrl, 'http://127.0.0.1:4000'),
      master_key: z._default(envRef, 'env:LITELLM_MASTER_KEY'),
      image: z.optional(nonEmptyString),
    }),
    { url: 'http://127.0.0.1:4000', master_key: 'env:LITELLM_MASTER_KEY' },
  ),
  runtime: z._default(runtimeSchema, { kind: 'compose', file: 'docker-compose.yml', service: 'litellm' }),
  health: z._default(z.strictObject({ timeout_s: z._default(positiveNumber, 90), interval_ms: z._default(positiveInt, 250) }), {
    timeout_s: 90,
    interval_ms: 250,
  }),
  backups: z._default(z.strictObject({ dir: z._default(nonEmptyString, 'backups'), keep: z._default(positiveInt, 20) }), {
    dir: 'backups',
    keep: 20,
  }),
  router: z._default(
    z.strictObject({
      strategy: z._default(z.enum(ROUTING_STRATEGIES), 'simple-shuffle'),
      num_retries: z._default(nonNegativeInt, 2),
      timeout_s: z._default(positiveNumber, 600),
      allowed_fails: z._default(nonNegativeInt, 3),
      cooldown_s: z._default(nonNegativeNumber, 30),
    }),
    { strategy: 'simple-shuffle', num_retries: 2, timeout_s: 600, allowed_fails: 3, cooldown_s: 30 },
  ),
  cache: z._default(
    z.strictObject({
      enabled: z._default(z.boolean(), false),
      host: z._default(nonEmptyString, '127.0.0.1'),
      port: z._default(portNumber, 6379),
      password: z.optional(envRef),
      namespace: z._default(nonEmptyString, 'litellm'),
      ttl_s: z._default(positiveInt, 3600),
    }),
    { enabled: false, host: '127.0.0.1', port: 6379, namespace: 'litellm', ttl_s: 3600 },
  ),
  logging: z._default(z.strictObject({ json: z._default(z.boolean(), true) }), { json: true }),
  metrics: z._default(z.strictObject({ prometheus: z._default(z.boolean(), false) }), { prometheus: false }),
  replicas: z._default(positiveInt.check(z.describe('gateway replicas; 2 or more: rolling reloads behind the load balancer')), 1),
  replica_ports: z.optional(
    z.array(portNumber).check(z.describe("one port per replica (required when replicas >= 2); gateway.url is then the load balancer's")),
  ),
  load_balancer: z._default(
    z.strictObject({
      kind: z._default(z.enum(['haproxy', 'caddy']), 'haproxy'),
      image: z.optional(nonEmptyString),
      drain_timeout_s: z.optional(
        positiveNumber.check(
          z.describe(
            'how long a roll waits for the requests a replica is serving to finish before restarting it anyway; by default router.timeout_s + 10',
          ),
        ),
      ),
    }),
    { kind: 'haproxy' },
  ),
  monitoring: z._default(
    z.strictObject({
      enabled: z._default(z.boolean(), false),
      dir: z._default(nonEmptyString, 'monitoring'),
      scrape_interval_s: z._default(positiveInt, 15),
      retention: z._default(z.string().check(z.regex(/^\d+(ms|s|m|h|d|w|y)$/), z.describe('Prometheus retention, e.g. 30d')), '30d'),
      prometheus: z._default(z.strictObject({ url: z._default(httpUrl, 'http://127.0.0.1:9090'), image: z.optional(nonEmptyString) }), {
        url: 'http://127.0.0.1:9090',
      }),
      grafana: z._default(
        z.strictObject({
          url: z._default(httpUrl, 'http://127.0.0.1:3000'),
          image: z.optional(nonEmptyString),
          admin_password: z.optional(envRef),
        }),
        { url: 'http://127.0.0.1:3000' },
      ),
      redis_exporter: z._default(z.strictObject({ url: z._default(httpUrl, 'http://127.0.0.1:9121'), image: z.optional(nonEmptyString) }), {
        url: 'http://127.0.0.1:9121',
      }),
      alerts: z._default(
        z.strictObject({
          error_rate: z._default(z.number().check(z.positive(), z.maximum(1)), 0.05),
          p95_latency_s: z._default(positiveNumber, 30),
        }),
        { error_rate: 0.05, p95_latency_s: 30 },
      ),
      alerting: alertingSchema,
    }),
    {
      enabled: false,
      dir: 'monitoring',
      scrape_interval_s: 15,
      retention: '30d',
      prometheus: { url: 'http://127.0.0.1:9090' },
      grafana: { url: 'http://127.0.0.1:3000' },
      redis_exporter: { url: 'http://127.0.0.1:9121' },
      alerts: { error_rate: 0.05, p95_latency_s: 30 },
      alerting: alertingDefaults,
    },
  ),
  tracing: z._default(
    z.strictObject({
      enabled: z._default(z.boolean(), false),
      endpoint: z._default(httpUrl.check(z.describe("the trace backend's OTLP/HTTP endpoint the gateway exports spans to")), tracingDefaults.endpoint),
      query_url: z._default(
        httpUrl.check(z.describe("the trace backend's (Jaeger's) query API, which `aibackend requests` and `trace` read")),
        tracingDefaults.query_url,
      ),
      service_name: z._default(nonEmptyString, tracingDefaults.service_name),
      capture_content: z._default(
        z.boolean().check(z.describe('put prompts and answers into the spans (default false: they hold user data)')),
        false,
      ),
      max_traces: z._default(positiveInt.check(z.describe("traces Jaeger's memory store keeps; the oldest go first")), 100000),
      image: z.optional(nonEmptyString),
    }),
    tracingDefaults,
  ),
  kubernetes: z._default(
    z.strictObject({
      enabled: z._default(z.boolean(), false),
      dir: z._default(describedString('where `generate` writes litellm.yaml, relative to the project directory'), 'kubernetes'),
      namespace: z._default(dnsLabel.check(z.describe('the namespace of every object (a DNS-1123 label)')), 'aibackend'),
      name: z._default(
        dnsLabel.check(z.describe('the Deployment, Service, PodDisruptionBudget and HPA; the ConfigMap is NAME-config-HASH')),
        'litellm',
      ),
      replicas: z.optional(z.int().check(z.minimum(2), z.describe('pods; default gateway.replicas, at least 2'))),
      secret: z._default(
        dnsSubdomain.check(z.describe('an existing Secret holding every variable the config reads, LITELLM_MASTER_KEY included')),
        'litellm-secrets',
      ),
      port: z._default(portNumber, 4000),
      run_as_user: z._default(z.int().check(z.minimum(1), z.describe('the non-root user the pod runs as')), 1000),
      resources: z._default(
        z.strictObject({
          requests: z._default(z.strictObject({ cpu: z._default(quantity, '500m'), memory: z._default(quantity, '512Mi') }), {
            cpu: '500m',
            memory: '512Mi',
          }),
          limits: z._default(z.strictObject({ cpu: z.optional(quantity), memory: z._default(quantity, '1Gi') }), { memory: '1Gi' }),
        }),
        { requests: { cpu: '500m', memory: '512Mi' }, limits: { memory: '1Gi' } },
      ),
      hpa: z.optional(
        z.strictObject({
          min_replicas: z._default(z.int().check(z.minimum(1)), 2),
          max_replicas: z.int().check(z.minimum(1)),
          cpu_percent: z._default(z.int().check(z.minimum(1), z.maximum(100)), 70),
        }),
      ),
    }),
    {
      enabled: false,
      dir: 'kubernetes',
      namespace: 'aibackend',
      name: 'litellm',
      secret: 'litellm-secrets',
      port: 4000,
      run_as_user: 1000,
      resources: { requests: { cpu: '500m', memory: '512Mi' }, limits: { memory: '1Gi' } },
    },
  ),
  passthrough: z._default(
    z.strictObject({
      litellm_settings: z.optional(passthroughSection),
      router_settings: z.optional(passthroughSection),
      general_settings: z.optional(passthroughSection),
      overrides: z.optional(
        z
          .array(z.string().check(z.regex(/^(litellm|router|general)_settings\.[A-Za-z0-9_.]+$/)))
          .check(
            z.describe('dotted keys, e.g. router_settings.num_retries, that passthrough may override although aibackend compiles them'),
          ),
      ),
    }),
    {},
  ),
});

export type GatewayFile = z.output<typeof gatewayFileSchema>;
export type Runtime = GatewayFile['runtime'];
