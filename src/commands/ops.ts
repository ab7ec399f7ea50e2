// aibackend status | discover | ports: the three questions people who run the stack ask daily.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { createTwoFilesPatch } from 'diff';
import { servedNames } from '../config/compile/compile.js';
import { loadConfig } from '../config/load/load-config.js';
import { resolveOutput } from '../config/check-config.js';
import { sourceLines } from '../render/source-lines.js';
import { EXIT } from '../util/errors.js';
import { discover } from '../operate/discover.js';
import { listeners } from '../deploy/runtime/listeners.js';
import { portsReport } from '../operate/ports.js';
import { collectStatus, type StatusReport } from '../operate/status.js';
import { formatDiagnostics } from '../render/format-diagnostics.js';
import { renderPorts, renderStatus } from '../render/ops-text.js';
import { renderDiff } from '../render/reload-text.js';
import { writeFileAtomic } from '../util/atomic-write.js';
import { failure, print, type CommandContext } from './context.js';

export interface StatusFlags {
  json?: boolean;
  remote?: boolean;
  /** Per-request timeout in seconds (the CLI parses and defaults it). */
  timeout?: number;
}

/** The sources that status and discover need, or the diagnostics that say why they are unusable. */
export function loadForOps(ctx: CommandContext, json: boolean | undefined) {
  const loaded = loadConfig(ctx.paths);
  const fatal = loaded.diagnostics.filter((d) => d.severity === 'error');
  if (!loaded.providers || !loaded.gateway || fatal.some((d) => d.file.endsWith('providers.yaml') || d.file.endsWith('gateway.yaml'))) {
    if (!json) print(ctx.stderr, formatDiagnostics(fatal, sourceLines(loaded, {}, fatal), ctx.err));
    return failure(ctx, json, 'providers.yaml and gateway.yaml must load to probe the stack', fatal);
  }
  return loaded;
}

async function status(
  ctx: CommandContext,
  flags: StatusFlags,
): Promise<{ loaded: Exclude<ReturnType<typeof loadForOps>, number>; report: StatusReport } | number> {
  const loaded = loadForOps(ctx, flags.json);
  if (typeof loaded === 'number') return loaded;
  const report = await collectStatus(loaded.providers!, loaded.mappings, loaded.gateway!, {
    remote: Boolean(flags.remote),
    timeoutMs: (flags.timeout ?? 2) * 1000,
    env: ctx.env,
    expectedNames: loaded.mappings ? servedNames(loaded.mappings) : [],
    projectDir: ctx.paths.projectDir,
    deployedPath: resolveOutput(loaded),
  });
  return { loaded, report };
}

export async function statusCommand(ctx: CommandContext, flags: StatusFlags): Promise<number> {
  const r = await status(ctx, flags);
  if (typeof r === 'number') return r;
  const { report } = r;
  if (flags.json) {
    const { ok: _ok, ...rest } = report;
    print(ctx.stdout, JSON.stringify({ ...rest, ok: report.ok }, null, 2));
  } else print(ctx.stdout, renderStatus(report, ctx.out));
  return report.ok ? EXIT.ok : EXIT.failed;
}

export async function discoverCommand(ctx: CommandContext, flags: StatusFlags & { write?: boolean }): Promise<number> {
  const r = await status(ctx, flags);
  if (typeof r === 'number') return r;
  const file = path.join(ctx.paths.configDir, 'providers.yaml');
  const before = readFileSync(file, 'utf8');
  const d = discover(before, r.report.providers);
  const shown = path.relative(ctx.paths.cwd, file) || file;
  const unreachable = r.report.providers.filter((p) => !p.reachable).map((p) => p.id);
  if (d.additions.length === 0) {
    // Nothing answered: that is not "everything is registered".
    if (r.report.providers.length > 0 && unreachable.length === r.report.providers.length) {
      const message = `no provider could be reached (${unreachable.join(', ')}); nothing was discovered`;
      print(
        flags.json ? ctx.stdout : ctx.stderr,
        flags.json
          ? JSON.stringify({ ok: false, additions: [], written: false, unreachable, message }, null, 2)
          : `${ctx.err.red('✖')} ${message}`,
      );
      return EXIT.failed;
    }
    const note = unreachable.length ? ` (not reached: ${unreachable.join(', ')})` : '';
    print(
      ctx.stdout,
      flags.json
        ? JSON.stringify({ ok: true, additions: [], written: false, unreachable }, null, 2)
        : `${ctx.out.green('✔')} every model the reachable providers serve is registered${note}`,
    );
    return EXIT.ok;
  }
  const patch = createTwoFilesPatch(shown, shown, before, d.text, undefined, undefined, { context: 3 })
    .split('\n')
    .filter((l) => !l.startsWith('====='))
    .join('\n')
    .trimEnd();
  if (flags.write) writeFileAtomic(file, d.text);
  if (flags.json)
    print(
      ctx.stdout,
      JSON.stringify({ ok: true, additions: d.additions, diff: patch, written: Boolean(flags.write), unreachable }, null, 2),
    );
  else {
    print(ctx.stdout, renderDiff(patch, ctx.out));
    print(
      ctx.stdout,
      flags.write
        ? `${ctx.out.green('✔')} registered ${d.additions.reduce((n, a) => n + a.models.length, 0)} model(s) in ${shown}; route to them in model-mappings.yaml, then run \`aibackend generate\``
        : ctx.out.dim('(not written: run with --write to apply)'),
    );
  }
  return EXIT.ok;
}

export interface PortsFlags {
  json?: boolean;
  required?: boolean;
  port?: number;
}

export async function portsCommand(ctx: CommandContext, flags: PortsFlags): Promise<number> {
  const port = flags.port;
  const loaded = loadConfig(ctx.paths);
  const errs = loaded.diagnostics.filter((d) => d.severity === 'error' && d.file.endsWith('ports.yaml'));
  if (errs.length) {
    if (!flags.json) print(ctx.stderr, formatDiagnostics(errs, sourceLines(loaded, {}, errs), ctx.err));
    return failure(ctx, flags.json, 'ports.yaml does not load', errs);
  }
  if (!loaded.ports) return failure(ctx, flags.json, `there is no ports registry (${path.join(ctx.paths.configDir, 'ports.yaml')})`);
  const report = portsReport(loaded.ports, listeners(), {
    ...(flags.required ? { required: true } : {}),
    ...(port !== undefined ? { port } : {}),
  });
  print(ctx.stdout, flags.json ? JSON.stringify(report, null, 2) : renderPorts(report, ctx.out));
  return report.ok ? EXIT.ok : EXIT.failed;
}
