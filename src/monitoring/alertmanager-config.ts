// Alertmanager's configuration compiled from monitoring.alerting, as plain data (the emitter writes
// it): one route per receiver (matched on the severities it takes, `continue` so that every
// matching receiver hears), grouping and repeat intervals, and the inhibition of the provider
// alerts while the gateway itself is down. No secret is ever written: each is a file Alertmanager
// reads, either the file a `file:` reference names or, for `env:VAR`, secrets/VAR beside the
// config (docker-compose.yml mounts it from the environment as a compose secret; the generated
// .gitignore keeps secrets/ out of git). Checked against Debian's Alertmanager 0.25 (amtool
// check-config), which has no url_file for webhooks: a webhook's secret is its bearer token.
import type { GatewayFile } from '../config/schema/gateway.js';

export const ALERTMANAGER_FILE = 'alertmanager.yml';
/** The route's root receiver: alerts no receiver takes end here (a name a receiver id cannot have). */
export const UNROUTED_RECEIVER = '_unrouted';

/** The alerts that say a provider or a name is unwell, which say nothing new while the gateway is down. */
export const INHIBITED_BY_GATEWAY_DOWN = [
  'AibackendDeploymentOutage',
  'AibackendHighErrorRate',
  'AibackendHighLatencyP95',
  'AibackendProviderMetricsDown',
] as const;

type Alerting = GatewayFile['monitoring']['alerting'];
type Receiver = Alerting['receivers'][string];

export interface AlertSecret {
  /** Where gateway.yaml names it, e.g. monitoring.alerting.receivers.oncall.routing_key. */
  key: string;
  /** The environment variable (env:VAR), or undefined for file:PATH. */
  variable?: string;
  /** The file Alertmanager reads, relative to its config's directory unless absolute. */
  file: string;
}

/** Every secret the receivers use, in order, with the file Alertmanager reads it from. */
export function alertSecrets(alerting: Alerting): AlertSecret[] {
  const out: AlertSecret[] = [];
  for (const [name, r] of Object.entries(alerting.receivers)) {
    for (const [field, ref] of secretFields(r)) {
      const key = `monitoring.alerting.receivers.${name}.${field}`;
      if (ref.startsWith('env:')) out.push({ key, variable: ref.slice(4), file: `secrets/${ref.slice(4)}` });
      else out.push({ key, file: ref.slice('file:'.length) });
    }
  }
  return out;
}

function secretFields(r: Receiver): [string, string][] {
  switch (r.kind) {
    case 'slack':
      return [['webhook_url', r.webhook_url]];
    case 'pagerduty':
      return [['routing_key', r.routing_key]];
    case 'webhook':
      return r.token ? [['token', r.token]] : [];
  }
}

const fileOf = (ref: string): string => (ref.startsWith('env:') ? `secrets/${ref.slice(4)}` : ref.slice('file:'.length));

function receiverConfig(name: string, r: Receiver): Record<string, unknown> {
  switch (r.kind) {
    case 'slack':
      return {
        name,
        slack_configs: [
          {
            api_url_file: fileOf(r.webhook_url),
            ...(r.channel ? { channel: r.channel } : {}),
            send_resolved: true,
            title: '{{ .Status | toUpper }}: {{ .CommonLabels.alertname }}',
            text: '{{ range .Alerts }}{{ .Annotations.summary }}\n{{ .Annotations.description }}\n{{ end }}',
          },
        ],
      };
    case 'pagerduty':
      return {
        name,
        pagerduty_configs: [{ routing_key_file: fileOf(r.routing_key), send_resolved: true }],
      };
    case 'webhook':
      return {
        name,
        webhook_configs: [
          {
            url: r.url,
            send_resolved: true,
            ...(r.token ? { http_config: { authorization: { type: 'Bearer', credentials_file: fileOf(r.token) } } } : {}),
          },
        ],
      };
  }
}

export function alertmanagerConfig(gw: GatewayFile): Record<string, unknown> {
  const a = gw.monitoring.alerting;
  const names = Object.keys(a.receivers).sort();
  return {
    route: {
      receiver: UNROUTED_RECEIVER,
      group_by: a.group_by,
      group_wait: `${a.group_wait_s}s`,
      group_interval: `${a.group_interval_s}s`,
      repeat_interval: `${a.repeat_interval_s}s`,
      routes: names.map((name) => ({
        receiver: name,
        matchers: [`severity=~"${[...a.receivers[name]!.severities].sort().join('|')}"`],
        continue: true,
      })),
    },
    inhibit_rules: [
      {
        source_matchers: ['alertname="AibackendGatewayDown"'],
        target_matchers: [`alertname=~"${INHIBITED_BY_GATEWAY_DOWN.join('|')}"`],
        // Every alert carries the stack's external label (prometheus.yml), so one gateway-down
        // alert silences the provider alerts of the same stack only.
        equal: ['stack'],
      },
    ],
    receivers: [{ name: UNROUTED_RECEIVER }, ...names.map((name) => receiverConfig(name, a.receivers[name]!))],
  };
}
