// Is the rest of the observability stack there? The trace backend (tracing.enabled) must answer
// its query API, for `requests` and `trace` to have anything; Alertmanager (monitoring.alerting)
// must be ready, and every secret file its receivers read must exist, or alerts reach nobody.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { getJson } from '../client/http-json.js';
import type { GatewayFile } from '../config/schema/gateway.js';
import { alertSecrets } from '../monitoring/alertmanager-config.js';

export interface TracingStatus {
  query_url: string;
  up: boolean;
  /** Whether the backend has spans of the gateway's service yet (none before the first request). */
  has_gateway_spans: boolean;
  error?: string;
  ok: boolean;
}

export interface AlertingStatus {
  alertmanager_url: string;
  up: boolean;
  error?: string;
  /** The files the receivers' secrets are read from, as Alertmanager beside monitoring.dir sees them. */
  secret_files: { key: string; path: string; exists: boolean }[];
  ok: boolean;
}

export async function tracingStatus(gw: GatewayFile, timeoutMs: number): Promise<TracingStatus> {
  const url = gw.tracing.query_url.replace(/\/+$/, '');
  const r = await getJson(`${url}/api/services`, { accept: 'application/json' }, timeoutMs);
  const data = (r.body as { data?: unknown } | undefined)?.data;
  if (!r.ok || !(Array.isArray(data) || data === null)) {
    const error = r.error ?? (r.status !== undefined ? `HTTP ${r.status}, not Jaeger's query API` : 'no answer');
    return { query_url: url, up: false, has_gateway_spans: false, error, ok: false };
  }
  const services = Array.isArray(data) ? data.map(String) : [];
  return { query_url: url, up: true, has_gateway_spans: services.includes(gw.tracing.service_name), ok: true };
}

export async function alertingStatus(gw: GatewayFile, projectDir: string, timeoutMs: number): Promise<AlertingStatus> {
  const url = gw.monitoring.alerting.alertmanager.url.replace(/\/+$/, '');
  const dir = path.resolve(projectDir, gw.monitoring.dir);
  const secret_files = alertSecrets(gw.monitoring.alerting).map((s) => {
    const file = path.isAbsolute(s.file) ? s.file : path.join(dir, s.file);
    return { key: s.key, path: file, exists: existsSync(file) };
  });
  const r = await getJson(`${url}/-/ready`, {}, timeoutMs);
  const error = r.ok ? undefined : (r.error ?? `HTTP ${r.status}`);
  return { alertmanager_url: url, up: r.ok, ...(error ? { error } : {}), secret_files, ok: r.ok && secret_files.every((f) => f.exists) };
}
