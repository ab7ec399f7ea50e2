// What bench and load share on the command side: the names to measure, the request options from
// the flags, and where the figures go (stdout, a file, or nothing under --quiet).
import path from 'node:path';
import type { RequestOptions } from '../../bench/bench.js';
import { routeMap } from '../../config/route-map.js';
import { writeFileAtomic } from '../../util/atomic-write.js';
import { envValue } from '../../util/env-ref.js';
import { CliError } from '../../util/errors.js';
import { print, type CommandContext } from './context.js';
import { stackSources } from './sources.js';

/** The flags of each request (bench and load). */
export interface RequestFlags {
  stream?: boolean;
  maxTokens: number;
  promptTokens: number;
  /** true: print JSON on stdout; a string: write it to that file. */
  json?: boolean | string;
  timeout: number;
}

/** The sources, what each name reaches, the chat names (what is measured by default), and the master key. */
export function measureSetup(ctx: CommandContext, json: boolean) {
  const loaded = stackSources(ctx, json);
  if (!loaded.mappings) throw new CliError('model-mappings.yaml must load: it names what to measure');
  const map = routeMap(loaded.providers, loaded.mappings);
  const chat = Object.keys(loaded.mappings.models)
    .filter((n) => map.routes.get(n)?.[0]?.mode !== 'embedding')
    .sort();
  return { loaded, map, chat, gateway: loaded.gateway, key: envValue(loaded.gateway.gateway.master_key, ctx.env) };
}

export type MeasureSetup = ReturnType<typeof measureSetup>;

export function requestOptions(flags: RequestFlags, s: { gateway: { gateway: { url: string } }; key: string | undefined }): RequestOptions {
  return {
    stream: Boolean(flags.stream),
    maxTokens: flags.maxTokens,
    promptTokens: flags.promptTokens,
    gatewayUrl: s.gateway.gateway.url,
    key: s.key,
    timeoutMs: flags.timeout * 1000,
  };
}

/** The figures: JSON on stdout, JSON to a file (and the text on stdout), or the text. */
export function output(ctx: CommandContext, json: boolean | string | undefined, data: unknown, text: string): void {
  if (typeof json === 'string') {
    writeFileAtomic(path.resolve(ctx.paths.cwd, json), `${JSON.stringify(data, null, 2)}\n`);
    if (!ctx.quiet) print(ctx.stdout, `${text}\n\nwrote ${json}`);
  } else if (json) print(ctx.stdout, JSON.stringify(data, null, 2));
  else if (!ctx.quiet) print(ctx.stdout, text);
}
