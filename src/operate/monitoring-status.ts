// Is the monitoring stack watching what it should? Asks Prometheus (GET /api/v1/targets) for its
// active targets and compares them with the targets the registry compiles into prometheus.yml:
// each must be scraped, and up. A target Prometheus does not know means it runs an older config.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { MASTER_KEY_FILE } from '../monitoring/prometheus-config.js';
import { scrapeTargets } from '../monitoring/targets.js';
import type { GatewayFile } from '../config/schema/gateway.js';
import type { ProvidersFile } from '../config/schema/providers.js';
import { getJson } from '../client/http-json.js';

export interface TargetStatus {
  job: string;
  instance: string;
  /** up / down as Prometheus last saw it; not-scraped: Prometheus has no such target. */
  health: 'up' | 'down' | 'unknown' | 'not-scraped';
  last_error?: string;
}

export interface MonitoringStatus {
  prometheus_url: string;
  prometheus_up: boolean;
  error?: string;
  targets: TargetStatus[];
  /** The file Prometheus reads the gateway's key from, when it scrapes with one. */
  master_key_file?: { path: string; exists: boolean };
  ok: boolean;
}

interface ActiveTarget {
  labels?: Record<string, string>;
  health?: string;
  lastError?: string;
}

export async function monitoringStatus(
  providers: ProvidersFile,
  gw: GatewayFile,
  projectDir: string,
  timeoutMs: number,
): Promise<MonitoringStatus> {
  const url = gw.monitoring.prometheus.url.replace(/\/+$/, '');
  const expected = scrapeTargets(providers, gw);
  const keyFile = expected.some((t) => t.auth) ? path.join(projectDir, gw.monitoring.dir, ...MASTER_KEY_FILE.split('/')) : undefined;
  const master = keyFile ? { master_key_file: { path: keyFile, exists: existsSync(keyFile) } } : {};
  const answer = await getJson(`${url}/api/v1/targets?state=active`, {}, timeoutMs);
  const active = (answer.body as { data?: { activeTargets?: ActiveTarget[] } } | undefined)?.data?.activeTargets;
  if (!answer.ok || !Array.isArray(active)) {
    const error = answer.error ?? (answer.status !== undefined ? `HTTP ${answer.status}` : 'not a Prometheus targets answer');
    return {
      prometheus_url: url,
      prometheus_up: false,
      error,
      targets: expected.map((t) => ({ job: t.job, instance: t.address, health: 'unknown' })),
      ...master,
      ok: false,
    };
  }
  const targets: TargetStatus[] = expected.map((t) => {
    const found = active.find((a) => a.labels?.job === t.job && a.labels?.instance === t.address);
    if (!found) return { job: t.job, instance: t.address, health: 'not-scraped' };
    const health = found.health === 'up' || found.health === 'down' ? found.health : 'unknown';
    return { job: t.job, instance: t.address, health, ...(found.lastError ? { last_error: found.lastError } : {}) };
  });
  return { prometheus_url: url, prometheus_up: true, targets, ...master, ok: targets.every((t) => t.health === 'up') };
}
