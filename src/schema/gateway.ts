import { z } from 'zod';
import { envRef, httpUrl, nonNegativeInt, portNumber, positiveInt, positiveNumber, version } from './common.js';

export const ROUTER_STRATEGIES = [
  'simple-shuffle',
  'least-busy',
  'usage-based-routing',
  'usage-based-routing-v2',
  'latency-based-routing',
  'cost-based-routing',
] as const;

const argv = z.array(z.string().min(1)).min(1);

export const runtimeSchema = z.discriminatedUnion('kind', [
  z.strictObject({
    kind: z.literal('compose'),
    file: z.string().min(1).default('docker-compose.yml'),
    service: z.string().min(1).default('litellm'),
  }),
  z.strictObject({
    kind: z.literal('command'),
    restart: argv.describe('argv of the restart command, e.g. [systemctl, restart, litellm]'),
  }),
  z.strictObject({
    kind: z.literal('process'),
    command: argv.describe('argv that starts the gateway; "{config}" becomes the deployed file path'),
    state_dir: z.string().min(1).default('.aibackend').describe('where the pid and log files live'),
    stop_grace_s: positiveNumber.default(10),
  }),
]);

const passthroughSection = z.record(z.string(), z.unknown());

export const gatewayFileSchema = z.strictObject({
  $schema: z.string().optional(),
  version,
  output: z.string().min(1).optional().describe('Generated file, relative to the project directory'),
  gateway: z
    .strictObject({
      url: httpUrl.default('http://127.0.0.1:4000'),
      master_key: envRef.default('env:LITELLM_MASTER_KEY'),
      image: z.string().min(1).optional(),
    })
    .default({ url: 'http://127.0.0.1:4000', master_key: 'env:LITELLM_MASTER_KEY' }),
  runtime: runtimeSchema.default({ kind: 'compose', file: 'docker-compose.yml', service: 'litellm' }),
  health: z
    .strictObject({ timeout_s: positiveNumber.default(90), interval_ms: positiveInt.default(250) })
    .default({ timeout_s: 90, interval_ms: 250 }),
  backups: z
    .strictObject({ dir: z.string().min(1).default('backups'), keep: positiveInt.default(20) })
    .default({ dir: 'backups', keep: 20 }),
  router: z
    .strictObject({
      strategy: z.enum(ROUTER_STRATEGIES).default('simple-shuffle'),
      num_retries: nonNegativeInt.default(2),
      timeout_s: positiveNumber.default(600),
      allowed_fails: nonNegativeInt.default(3),
      cooldown_s: z.number().nonnegative().default(30),
    })
    .default({ strategy: 'simple-shuffle', num_retries: 2, timeout_s: 600, allowed_fails: 3, cooldown_s: 30 }),
  cache: z
    .strictObject({
      enabled: z.boolean().default(false),
      host: z.string().min(1).default('127.0.0.1'),
      port: portNumber.default(6379),
      password: envRef.optional(),
      namespace: z.string().min(1).default('litellm'),
      ttl_s: positiveInt.default(3600),
    })
    .default({ enabled: false, host: '127.0.0.1', port: 6379, namespace: 'litellm', ttl_s: 3600 }),
  logging: z.strictObject({ json: z.boolean().default(true) }).default({ json: true }),
  metrics: z.strictObject({ prometheus: z.boolean().default(false) }).default({ prometheus: false }),
  passthrough: z
    .strictObject({
      litellm_settings: passthroughSection.optional(),
      router_settings: passthroughSection.optional(),
      general_settings: passthroughSection.optional(),
    })
    .default({}),
});

export type GatewayFile = z.output<typeof gatewayFileSchema>;
export type Runtime = GatewayFile['runtime'];
