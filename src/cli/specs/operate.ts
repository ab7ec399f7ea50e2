// The commands that look at the live stack: status, discover, ports, try, verify, logs, stats, cache, requests, trace.
import { Command, Option } from '@commander-js/extra-typings';
import { age, portNumber, positiveInt, seconds, type FlagsOf } from './parse.js';

export const statusSpec = () =>
  new Command('status')
    .description(
      'probe the gateway, every active provider and every MCP server concurrently: up, served models against the registry, MCP tools',
    )
    .option('--json', 'print { gateway, providers, mcp_servers } as JSON')
    .option('--remote', 'also probe the hosted APIs (openai, anthropic)')
    .option('--timeout <duration>', 'per-request timeout: seconds, or 500ms', seconds, 2)
    .addHelpText(
      'after',
      `
Exit 0 when the gateway answers on gateway.url and serves every compiled name, every provider that a
route uses is reachable and serves its routed models, and every active MCP server reached over HTTP
answers; 1 otherwise. With replicas, each one must also run as declared: its own process (pid and
start time), ready on its port, on the deployed config, and UP in HAProxy.`,
    );
export type StatusFlags = FlagsOf<typeof statusSpec>;

export const discoverSpec = () =>
  new Command('discover')
    .description('show the change to providers.yaml that registers what providers serve but the registry lacks')
    .option('--write', 'apply it, keeping comments and formatting of everything else')
    .option('--json', 'print the additions and the diff as JSON')
    .option('--remote', 'also probe the hosted APIs (openai, anthropic)')
    .option('--timeout <duration>', 'per-request timeout: seconds, or 500ms', seconds, 2);
export type DiscoverFlags = FlagsOf<typeof discoverSpec>;

export const portsSpec = () =>
  new Command('ports')
    .description('the ports registry against this machine: what listens where, and by which process; never kills anything')
    .option('--required', 'only the ports marked required (exit 1 when one is not listening)')
    .option('--port <n>', 'only this port, registered or not', portNumber)
    .option('--json', 'print the report as JSON');
export type PortsFlags = FlagsOf<typeof portsSpec>;

/** try's max_tokens unless --max-tokens says otherwise: enough for an answer, bounded on a real server. */
export const TRY_MAX_TOKENS = 256;

export const trySpec = () =>
  new Command('try')
    .description(
      'send one request through the gateway and show who answered: provider, backend model, route or fallback, timings, tokens, call id',
    )
    .argument('[name]', 'a public name or alias')
    .option('--prompt <text>', 'the message to send (embedding models embed it)')
    .option('--stream', 'stream the answer and measure the time to first token')
    .option(
      '--max-tokens <n>',
      `max_tokens of the request: at most this many tokens in the answer (default: ${TRY_MAX_TOKENS})`,
      positiveInt,
    )
    .option(
      '--tool <server-tool>',
      "instead of a name: call this MCP tool through the gateway's /mcp, named as the gateway lists it (demo_tools-add)",
    )
    .option('--args <json>', "the MCP tool's arguments, a JSON object (with --tool)")
    .option('--json', 'print the result as JSON')
    .option('--timeout <duration>', 'request timeout: seconds, or 500ms', seconds, 120)
    .addHelpText(
      'after',
      '\nExit 0 when one of the name\'s own routes answered (with --tool: when the tool ran without error), 1 when a fallback or another deployment answered or the request failed.\n\nExamples:\n  aibackend try llama3.1:8b --stream\n  aibackend try --tool demo_tools-add --args \'{"a": 2, "b": 3}\'',
    );
export type TryFlags = FlagsOf<typeof trySpec>;

export const verifySpec = () =>
  new Command('verify')
    .description(
      'try every public name and alias: each must be answered by its own routes, and every route of a load-balanced name must answer',
    )
    .option('--requests <n>', 'requests per load-balanced name (names with one route get one)', positiveInt, 20)
    .option('--max-tokens <n>', 'max_tokens of each request: who answers matters here, not what', positiveInt, 16)
    .option('--no-mcp', "skip the MCP servers (by default, their tools are listed at the gateway's /mcp and checked)")
    .option('--json', 'print the report as JSON')
    .option('--timeout <duration>', 'per-request timeout: seconds, or 500ms', seconds, 120)
    .addHelpText(
      'after',
      "\nExit 0 when the live gateway does what the sources say, 1 on any finding (a fallback answered, an unknown deployment, a failure, a route never reached; an active MCP server with no tools at the gateway's /mcp, or one of its tools missing there, or a disabled one's tools served).",
    );
export type VerifyFlags = FlagsOf<typeof verifySpec>;

export const logsSpec = () =>
  new Command('logs')
    .description("the gateway's log, wherever the runtime puts it, parsed and filtered")
    .option('-f, --follow', 'keep printing new lines (Ctrl-C ends)')
    .addOption(
      new Option('--level <level>', 'only lines at this level or above').choices([
        'debug',
        'info',
        'warning',
        'error',
        'critical',
      ] as const),
    )
    .option('--grep <text>', 'only lines containing this text (case-insensitive)')
    .option('--call-id <id>', 'only the lines of one request (the call id `aibackend try` prints)')
    .option('--since <duration>', 'only lines from the last 30s, 10m, 2h, 1d')
    .option('--json', 'print { source, lines } as JSON (with --follow: one JSON object a line)');
export type LogsFlags = FlagsOf<typeof logsSpec>;

export const statsSpec = () =>
  new Command('stats')
    .description(
      "live figures from two reads of the gateway's /metrics/: per public name requests, errors, latency, time to first token, tokens; cache; deployments",
    )
    .option('--interval <duration>', 'time between the two reads: seconds, or 500ms', seconds, 5)
    .option('--watch <duration>', 'refresh every so often until Ctrl-C', seconds)
    .option('--json', 'print the figures as JSON (with --watch: one object a line)')
    .option('--timeout <duration>', 'per-request timeout: seconds, or 500ms', seconds, 5);
export type StatsFlags = FlagsOf<typeof statsSpec>;

const cacheTimeout = () => new Option('--timeout <duration>', 'connect timeout: seconds, or 500ms').argParser(seconds).default(5);

export const cacheStatsSpec = () =>
  new Command('stats')
    .description("cache entries in the namespace, their expiry, Redis memory and hit rate, the gateway's cache hits")
    .option('--json', 'print as JSON')
    .addOption(cacheTimeout());
export type CacheStatsFlags = FlagsOf<typeof cacheStatsSpec>;

export const cacheKeysSpec = () =>
  new Command('keys')
    .description("list the namespace's cache entries with their expiry (SCAN, never KEYS)")
    .option('--pattern <glob>', 'within the namespace, e.g. "a*"')
    .option('--limit <n>', 'at most this many', positiveInt, 50)
    .option('--json', 'print as JSON')
    .addOption(cacheTimeout());
export type CacheKeysFlags = FlagsOf<typeof cacheKeysSpec>;

export const cacheWatchSpec = () =>
  new Command('watch')
    .description('cache stats, refreshed in place until Ctrl-C')
    .option('--interval <duration>', 'refresh interval', seconds, 2)
    .option('--json', 'one JSON object a line')
    .addOption(cacheTimeout());
export type CacheWatchFlags = FlagsOf<typeof cacheWatchSpec>;

export const cacheFlushSpec = () =>
  new Command('flush')
    .description(
      "delete the namespace's cache entries in batches, after showing the count and asking; router state and other keys are never touched",
    )
    .option('--yes', 'do not ask (required without a terminal)')
    .option('--dry-run', 'count the keys, delete nothing')
    .option('--json', 'print the result as JSON')
    .addOption(cacheTimeout());
export type CacheFlushFlags = FlagsOf<typeof cacheFlushSpec>;

export const requestsSpec = () =>
  new Command('requests')
    .description(
      "the gateway's requests as records (time, public name, provider, status, latency, tokens, call id), read from the trace backend that LiteLLM's spans go to (gateway.yaml tracing:)",
    )
    .addOption(
      new Option('--since <duration>', 'the window: requests of the last 30s, 10m, 2h, 1d').argParser(age).default(15 * 60_000, '15m'),
    )
    .option('--model <name...>', 'only these public names or aliases, as clients send them')
    .option('--errors', 'only the requests that failed')
    .option('--slow <duration>', 'only the requests slower than this (with --summary: the slow threshold, default 5s)', age)
    .option('-f, --follow', 'keep printing new requests as they end (Ctrl-C ends)')
    .option(
      '--summary',
      'figures over the window: error rate and error kinds per provider, slow requests, p50/p95 per name, usage and spend, fallbacks',
    )
    .option('--limit <n>', 'read at most this many requests of the window', positiveInt, 1000)
    .option('--json', 'print { source, records } (or { source, summary }) as JSON; with --follow, one record a line')
    .option('--timeout <duration>', "the trace backend's timeout per query: seconds, or 500ms", seconds, 10)
    .addHelpText(
      'after',
      "\nEvery answer names its source (Jaeger at tracing.query_url) and its limits: no sampling, the memory store's retention\n(tracing.max_traces), and what spans do not carry (time to first token; requests refused for their key).\nExit 0 with records or a summary, 1 when the trace backend cannot be read or tracing is off.",
    );
export type RequestsFlags = FlagsOf<typeof requestsSpec>;

export const traceSpec = () =>
  new Command('trace')
    .description(
      "one request's whole story by the call id its client saw (x-litellm-call-id) or its trace id: public name, every attempt with its provider and outcome, retries, fallbacks, timings, tokens",
    )
    .argument('<call-id>', 'the x-litellm-call-id response header of the request, or its OpenTelemetry trace id')
    .addOption(new Option('--since <duration>', 'how far back to look: 30m, 2h, 1d').argParser(age).default(24 * 3_600_000, '24h'))
    .option('--json', 'print { source, request } as JSON')
    .option('--timeout <duration>', "the trace backend's timeout: seconds, or 500ms", seconds, 10)
    .addHelpText(
      'after',
      '\nExit 0 when the request is found, 1 when the trace backend has no request with that id (never reached the\ngateway, refused for its key, tracing off at the time, or evicted from the memory store).',
    );
export type TraceFlags = FlagsOf<typeof traceSpec>;
