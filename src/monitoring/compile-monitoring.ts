// The monitoring stack compiled from the registry, as the exact bytes of each file under
// monitoring.dir: Prometheus' config and rules, Grafana's provisioning and five dashboards,
// Alertmanager's config (monitoring.alerting), the trace backend's (tracing), and a .gitignore for
// the secrets they read. Pure: no I/O, deterministic, every file with its AUTO-GENERATED provenance.
import { withHeader, withJsonProvenance, type Provenance } from '../config/emit/provenance.js';
import { writeYaml } from '../config/emit/yaml-writer.js';
import type { GatewayFile } from '../config/schema/gateway.js';
import type { MappingsFile } from '../config/schema/mappings.js';
import type { ProvidersFile } from '../config/schema/providers.js';
import { ALERTMANAGER_FILE, alertmanagerConfig } from './alertmanager-config.js';
import { dashboardSpecs, grafanaDashboard } from './dashboards.js';
import { JAEGER_FILE, jaegerConfig } from './jaeger-config.js';
import { MASTER_KEY_FILE, prometheusConfig, prometheusRules, RULES_FILE } from './prometheus-config.js';
import { scrapeTargets } from './targets.js';

export interface MonitoringFile {
  /** Path inside monitoring.dir, with '/'. */
  rel: string;
  format: 'text' | 'json';
  text: string;
}

export const DASHBOARDS_DIR = 'grafana/dashboards';
/** Where docker-compose.yml mounts the dashboards in the Grafana container. */
export const GRAFANA_DASHBOARDS_PATH = '/var/lib/grafana/dashboards/aibackend';

export function compileMonitoring(
  input: { providers: ProvidersFile; mappings: MappingsFile; gateway: GatewayFile },
  provenance: Provenance,
): MonitoringFile[] {
  const gw = input.gateway;
  const targets = scrapeTargets(input.providers, gw);
  const yaml = (rel: string, data: Record<string, unknown>): MonitoringFile => ({
    rel,
    format: 'text',
    text: withHeader(writeYaml(data), provenance),
  });
  const gitignore: MonitoringFile = {
    rel: '.gitignore',
    format: 'text',
    text: withHeader(
      `# The secrets Prometheus and Alertmanager read (the gateway's master key, the receivers' keys): never commit them.\n${MASTER_KEY_FILE.split('/')[0]}/\n`,
      provenance,
    ),
  };
  const files: MonitoringFile[] = [gitignore];
  // Tracing alone (monitoring off) writes the trace backend's config only.
  if (gw.tracing.enabled) files.push(yaml(JAEGER_FILE, jaegerConfig(gw)));
  if (!gw.monitoring.enabled) return files;
  if (gw.monitoring.alerting.enabled) files.push(yaml(ALERTMANAGER_FILE, alertmanagerConfig(gw)));
  files.push(
    yaml('prometheus.yml', prometheusConfig(gw, targets)),
    yaml(RULES_FILE, prometheusRules(gw, targets)),
    yaml('grafana/provisioning/datasources/aibackend.yml', {
      apiVersion: 1,
      datasources: [
        {
          name: 'Prometheus (aibackend)',
          uid: 'aibackend-prometheus',
          type: 'prometheus',
          access: 'proxy',
          url: gw.monitoring.prometheus.url,
          isDefault: true,
          editable: false,
        },
      ],
    }),
    yaml('grafana/provisioning/dashboards/aibackend.yml', {
      apiVersion: 1,
      providers: [
        {
          name: 'aibackend',
          folder: 'aibackend',
          type: 'file',
          disableDeletion: true,
          allowUiUpdates: false,
          options: { path: GRAFANA_DASHBOARDS_PATH },
        },
      ],
    }),
  );
  for (const spec of dashboardSpecs(gw, targets)) {
    files.push({
      rel: `${DASHBOARDS_DIR}/${spec.file}`,
      format: 'json',
      text: withJsonProvenance(grafanaDashboard(spec, input.mappings, input.providers), provenance),
    });
  }
  return files;
}
