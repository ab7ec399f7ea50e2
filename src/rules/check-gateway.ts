// The gateway's own settings: a pinned, trustworthy image and an output path that stays home.
import path from 'node:path';
import { SOURCE_FILES } from '../load/load-config.js';
import type { RuleContext } from './context.js';
import { imageProblems } from '../util/image.js';
import { existsSync } from 'node:fs';
import { composeImage, composeService } from '../load/compose-image.js';

export function checkGateway(ctx: RuleContext): void {
  const gw = ctx.gateway;
  if (!gw || !ctx.config.sources.gateway) return;
  const declared = ctx.config.sources.gateway.data as { runtime?: { kind?: unknown } } | undefined;
  if (gw.runtime.kind === 'compose' && declared?.runtime?.kind === 'compose') {
    // A compose runtime that gateway.yaml asks for must have its file and service; reload would fail at the restart.
    const file = path.resolve(ctx.config.paths.projectDir, gw.runtime.file);
    const shown = path.relative(ctx.config.paths.cwd, file) || file;
    const at = (ctx.config.sources.gateway.data as { runtime?: { file?: unknown } }).runtime?.file !== undefined ? ctx.at('gateway', ['runtime', 'file']) : ctx.at('gateway', ['runtime', 'kind']);
    if (!existsSync(file)) ctx.error('compose-file-missing', at, `runtime.file ${shown} does not exist: \`reload\` could not restart the gateway`);
    // With replicas behind HAProxy the services are <service>-r1, ... (check-topology checks them).
    else if (!(gw.replicas >= 2 && gw.load_balancer.kind === 'haproxy')) {
      const svc = composeService(file, gw.runtime.service);
      if ('problem' in svc && /has no service/.test(svc.problem)) ctx.error('compose-file-missing', at, `${shown} has no service '${gw.runtime.service}' (runtime.service)`);
    }
  }
  if (gw.gateway.image) {
    const at = ctx.at('gateway', ['gateway', 'image']);
    for (const p of imageProblems(gw.gateway.image)) {
      if (p.kind === 'compromised') ctx.error('image-compromised', at, p.message);
      else ctx.warn('image-floating-tag', at, p.message, p.suggestion);
    }
    if (gw.runtime.kind === 'compose') {
      const file = path.resolve(ctx.config.paths.projectDir, gw.runtime.file);
      const running = composeImage(file, gw.runtime.service, ctx.options.env);
      if (running && running.image !== gw.gateway.image) {
        ctx.error('image-mismatch', at, `gateway.image is ${gw.gateway.image}, but ${path.relative(ctx.config.paths.cwd, file) || file} runs ${running.image} for service '${gw.runtime.service}' (line ${running.line}); make them the same`);
      }
    }
  }
  if (gw.output !== undefined) {
    const at = ctx.at('gateway', ['output']);
    const { projectDir, configDir } = ctx.config.paths;
    const abs = path.resolve(projectDir, gw.output);
    const rel = path.relative(projectDir, abs);
    if (rel === '' || rel.startsWith('..') || path.isAbsolute(rel)) {
      ctx.error('output-outside-project', at, `output '${gw.output}' resolves outside the project directory ${projectDir}`);
    } else if (Object.values(SOURCE_FILES).some((f) => path.join(configDir, f) === abs)) {
      ctx.error('output-is-source', at, `output '${gw.output}' would overwrite a source file`);
    }
  }
}
