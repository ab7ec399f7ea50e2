// The gateway's own settings: a pinned, trustworthy image and an output path that stays home.
import path from 'node:path';
import { DEFAULT_OUTPUT_NAME, displayPath, SOURCE_FILES } from '../load/load-config.js';
import type { RuleContext } from './context.js';
import { imageProblems } from '../../util/image.js';
import { imageOf, mismatchText, serviceOf } from '../load/compose-image.js';

export function checkGateway(ctx: RuleContext): void {
  const gw = ctx.gateway;
  if (!gw || !ctx.config.sources.gateway) return checkOutputPath(ctx);
  const declared = ctx.config.sources.gateway.data as { runtime?: { kind?: unknown } } | undefined;
  if ((gw.runtime.kind === 'compose' && declared?.runtime?.kind === 'compose') || gw.runtime.kind === 'swarm') {
    // A compose runtime that gateway.yaml asks for must have its file and service; reload would fail at the restart.
    const file = path.resolve(ctx.config.paths.projectDir, gw.runtime.file);
    const shown = path.relative(ctx.config.paths.cwd, file) || file;
    const at =
      (ctx.config.sources.gateway.data as { runtime?: { file?: unknown } }).runtime?.file !== undefined
        ? ctx.at('gateway', ['runtime', 'file'])
        : ctx.at('gateway', ['runtime', 'kind']);
    const compose = ctx.config.compose;
    if (!compose) ctx.error('compose-file-missing', at, `runtime.file ${shown} does not exist: \`reload\` could not restart the gateway`);
    // A file that exists but may not be read was reported by the loader.
    else if (!compose.parsed) return;
    // With replicas behind HAProxy the services are <service>-r1, ... (check-topology checks them).
    else if (gw.runtime.kind === 'swarm' || !(gw.replicas >= 2 && gw.load_balancer.kind === 'haproxy')) {
      const svc = serviceOf(compose.parsed, file, gw.runtime.service);
      if ('problem' in svc && /has no service/.test(svc.problem))
        ctx.error('compose-file-missing', at, `${shown} has no service '${gw.runtime.service}' (runtime.service)`);
    }
  }
  if (gw.gateway.image) {
    const at = ctx.at('gateway', ['gateway', 'image']);
    for (const p of imageProblems(gw.gateway.image)) {
      if (p.kind === 'compromised') ctx.error('image-compromised', at, p.message);
      else ctx.warn('image-floating-tag', at, p.message, p.suggestion);
    }
    const compose = ctx.config.compose;
    if ((gw.runtime.kind === 'compose' || gw.runtime.kind === 'swarm') && compose?.parsed) {
      const running = imageOf(compose.parsed, gw.runtime.service, ctx.options.env);
      if (running && running.image !== gw.gateway.image) {
        ctx.error(
          'image-mismatch',
          at,
          `gateway.image is ${gw.gateway.image}, but ${compose.display} ${mismatchText(running)} for service '${gw.runtime.service}' (line ${running.line}); make them the same`,
        );
      }
    }
  }
  checkOutputPath(ctx);
}

/**
 * The generated file: `output`, or config/litellm-unified.yaml (also without a gateway.yaml). It
 * is read (generate --check diffs it) and written, so a link out of the project is refused, not followed.
 */
export function checkOutputPath(ctx: RuleContext): void {
  const gw = ctx.gateway;
  if (!gw) return;
  const { projectDir, configDir } = ctx.config.paths;
  const at =
    gw.output !== undefined
      ? ctx.at('gateway', ['output'])
      : { file: displayPath(path.join(configDir, DEFAULT_OUTPUT_NAME), ctx.config.paths.cwd), line: 1, column: 1 };
  const abs = gw.output !== undefined ? path.resolve(projectDir, gw.output) : path.join(configDir, DEFAULT_OUTPUT_NAME);
  const rel = path.relative(projectDir, abs);
  const away = ctx.config.escapes.output;
  if (rel === '' || rel.startsWith('..') || path.isAbsolute(rel)) {
    ctx.error('output-outside-project', at, `output '${gw.output}' resolves outside the project directory ${projectDir}`);
  } else if (away !== undefined) {
    ctx.error(
      'output-outside-project',
      at,
      `${displayPath(abs, ctx.config.paths.cwd)} leads through a symlink to ${away}, outside the project: the generated file is read and written only inside it`,
    );
  } else if (Object.values(SOURCE_FILES).some((f) => path.join(configDir, f) === abs)) {
    ctx.error('output-is-source', at, `output '${gw.output}' would overwrite a source file`);
  }
}
