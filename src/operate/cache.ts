// The gateway's response cache in Redis, managed by namespace: LiteLLM writes its cache entries as
// `<namespace>:<sha256 of the request>`, and the same Redis holds the router's state (observed:
// `<namespace>:{user:...}:tokens`, usage and cooldown counters) and maybe anything else, so every
// operation here is confined to the cache entries: SCAN (never KEYS) with a MATCH on the
// namespace's prefix, then only keys of the form `<namespace>:<64 hex digits>`; deletion by UNLINK
// in batches of the keys SCAN found, never FLUSHALL or FLUSHDB. Uses the official node-redis client core (@redis/client), loaded only by
// `aibackend cache`.
import { createClient } from '@redis/client';
import type { GatewayFile } from '../config/schema/gateway.js';
import { envValue } from '../util/env-ref.js';
import { CliError } from '../util/errors.js';
import { readMetrics } from './stats.js';

export interface CacheTarget {
  host: string;
  port: number;
  password?: string;
  namespace: string;
  timeoutMs: number;
}

function makeClient(t: CacheTarget) {
  // socketTimeout: a Redis that accepts the connection but never answers is an error after
  // --timeout of silence, not a hang (connectTimeout covers only the TCP connect).
  return createClient({
    socket: { host: t.host, port: t.port, connectTimeout: t.timeoutMs, socketTimeout: t.timeoutMs, reconnectStrategy: false },
    ...(t.password ? { password: t.password } : {}),
  });
}

export type Client = ReturnType<typeof makeClient>;

export const TTL_BUCKETS = ['no expiry', '< 1 min', '< 10 min', '< 1 h', '< 1 day', '>= 1 day'] as const;

export interface CacheStats {
  redis: string;
  namespace: string;
  keys: number;
  ttl: Record<(typeof TTL_BUCKETS)[number], number>;
  memory_used_bytes: number | null;
  memory_used_human: string | null;
  keyspace_hits: number | null;
  keyspace_misses: number | null;
  /** Redis' own hit rate over all its keys since it started (keyspace_hits / lookups). */
  redis_hit_rate: number | null;
}

export async function connect(t: CacheTarget): Promise<Client> {
  const client = makeClient(t);
  let failure: Error | undefined;
  client.on('error', (err: Error) => (failure ??= err));
  try {
    await deadline(
      (async () => {
        await client.connect();
        await client.ping();
      })(),
      t.timeoutMs,
    );
  } catch (err) {
    try {
      client.destroy();
    } catch {
      // never connected
    }
    throw redisError(failure ?? (err as Error), t);
  }
  return client;
}

export function redisError(err: Error, t: Pick<CacheTarget, 'host' | 'port'>): CliError {
  const where = `Redis at ${t.host}:${t.port}`;
  const msg = err.message ?? String(err);
  if (/WRONGPASS|invalid username-password|NOAUTH/i.test(msg))
    return new CliError(`${where} refused the password: check the variable cache.password names (${msg.split('\n')[0]})`);
  const code = (err as NodeJS.ErrnoException).code;
  if (code === 'ECONNREFUSED' || /ECONNREFUSED/.test(msg))
    return new CliError(`${where} cannot be reached (connection refused): is the cache Redis running?`);
  if (/timeout/i.test(msg)) return new CliError(`${where} did not answer in time`);
  return new CliError(`${where}: ${msg}`);
}

/** A Redis glob that matches `text` literally: a namespace like `op[x]` must not be a character class. */
export function globEscape(text: string): string {
  return text.replace(/[\\*?[\]]/g, (c) => `\\${c}`);
}

const pattern = (ns: string, p = '*') => `${globEscape(ns)}:${p}`;

/** Rejects when `work` is not done within `ms`: every network operation has a total deadline. */
export async function deadline<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      work,
      new Promise<never>(
        (_, reject) => (timer = setTimeout(() => reject(new Error(`timeout: no answer within ${Math.round(ms / 100) / 10} s`)), ms)),
      ),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

/** A response cache entry of the namespace (not router state that shares the prefix). */
export function isCacheEntry(ns: string, key: string): boolean {
  return key.length === ns.length + 65 && key.startsWith(`${ns}:`) && /^[0-9a-f]{64}$/.test(key.slice(ns.length + 1));
}

/** Every cache entry of the namespace matching `p`, by SCAN, up to `limit`. */
export async function scanKeys(client: Client, ns: string, p = '*', limit = Infinity): Promise<string[]> {
  const out: string[] = [];
  for await (const batch of client.scanIterator({ MATCH: pattern(ns, p), COUNT: 1000 })) {
    for (const k of batch) {
      if (out.length >= limit) return out;
      if (isCacheEntry(ns, String(k))) out.push(String(k));
    }
  }
  return out;
}

export async function ttls(client: Client, keys: readonly string[]): Promise<number[]> {
  // Concurrent commands are pipelined by the client.
  return await Promise.all(keys.map((k) => client.pTTL(k)));
}

function ttlBucket(ms: number): (typeof TTL_BUCKETS)[number] {
  if (ms < 0) return 'no expiry';
  if (ms < 60_000) return '< 1 min';
  if (ms < 600_000) return '< 10 min';
  if (ms < 3_600_000) return '< 1 h';
  if (ms < 86_400_000) return '< 1 day';
  return '>= 1 day';
}

function infoField(info: string, field: string): string | null {
  const m = new RegExp(`^${field}:(.*)$`, 'm').exec(info);
  return m ? m[1]!.trim() : null;
}

export async function cacheStats(client: Client, t: CacheTarget): Promise<CacheStats> {
  const keys = await scanKeys(client, t.namespace);
  const ttl = Object.fromEntries(TTL_BUCKETS.map((b) => [b, 0])) as CacheStats['ttl'];
  for (let i = 0; i < keys.length; i += 1000)
    for (const ms of await ttls(client, keys.slice(i, i + 1000))) if (ms !== -2) ttl[ttlBucket(ms)]++;
  const memory = String(await client.info('memory'));
  const stats = String(await client.info('stats'));
  const n = (v: string | null) => (v === null || Number.isNaN(Number(v)) ? null : Number(v));
  const hits = n(infoField(stats, 'keyspace_hits'));
  const misses = n(infoField(stats, 'keyspace_misses'));
  return {
    redis: `${t.host}:${t.port}`,
    namespace: t.namespace,
    keys: keys.length,
    ttl,
    memory_used_bytes: n(infoField(memory, 'used_memory')),
    memory_used_human: infoField(memory, 'used_memory_human'),
    keyspace_hits: hits,
    keyspace_misses: misses,
    redis_hit_rate: hits !== null && misses !== null && hits + misses > 0 ? Math.round((hits / (hits + misses)) * 1000) / 1000 : null,
  };
}

/** Deletes the namespace's cache entries (as SCAN finds them), in batches; returns how many were deleted. */
export async function flushNamespace(client: Client, ns: string, onBatch?: (deleted: number) => void): Promise<number> {
  let deleted = 0;
  for await (const batch of client.scanIterator({ MATCH: pattern(ns), COUNT: 500 })) {
    const keys = batch.map(String).filter((k) => isCacheEntry(ns, k));
    if (keys.length === 0) continue;
    deleted += Number(await client.unlink(keys));
    onBatch?.(deleted);
  }
  return deleted;
}

/** The cache gateway.yaml configures, with its password from the environment; an error when there is none to manage. */
export function cacheTarget(gw: GatewayFile, env: NodeJS.ProcessEnv, timeoutMs: number): CacheTarget {
  if (!gw.cache.enabled) throw new CliError('cache.enabled is false in gateway.yaml: the gateway has no response cache to manage');
  const password = gw.cache.password ? envValue(gw.cache.password, env) : undefined;
  if (gw.cache.password && password === undefined)
    throw new CliError(`cache.password names an environment variable that is not set (${gw.cache.password})`);
  return { host: gw.cache.host, port: gw.cache.port, namespace: gw.cache.namespace, timeoutMs, ...(password ? { password } : {}) };
}

/** The gateway's own cache hits per backend model, when its metrics are on and it answers. */
export async function gatewayCacheHits(gw: GatewayFile, env: NodeJS.ProcessEnv, timeoutMs: number): Promise<Record<string, number> | null> {
  if (!gw.metrics.prometheus) return null;
  try {
    const read = await readMetrics(gw.gateway.url, envValue(gw.gateway.master_key, env), timeoutMs);
    const hits: Record<string, number> = {};
    for (const s of read.samples)
      if (s.name === 'litellm_cache_hits_metric_total') hits[s.labels.model ?? ''] = (hits[s.labels.model ?? ''] ?? 0) + s.value;
    return hits;
  } catch {
    return null;
  }
}
