// aibackend explain NAME: routes, weights, providers and the fallback order of one public name.
import { checkConfig } from '../core/check-config.js';
import { explainName } from '../core/explain-route.js';
import { EXIT } from '../errors.js';
import { renderExplanation } from '../render/explain-text.js';
import { suggestOne } from '../util/suggest.js';
import { reportDiagnostics } from './generate.js';
import { print, type CommandContext } from './context.js';

export async function explain(ctx: CommandContext, name: string, opts: { json?: boolean }): Promise<number> {
  const checked = checkConfig(ctx.paths, { env: ctx.env, unsetEnvSeverity: 'warning' });
  const { providers, mappings } = checked.loaded;
  if (!checked.compiled || !providers || !mappings) {
    reportDiagnostics(ctx, checked);
    print(ctx.stderr, `${ctx.err.red('✖')} cannot explain '${name}': the config has errors`);
    return EXIT.failed;
  }
  const e = explainName(name, providers, mappings, checked.compiled.config);
  if (!e) {
    const s = suggestOne(name, [...Object.keys(mappings.models), ...Object.keys(mappings.aliases ?? {})]);
    print(ctx.stderr, `${ctx.err.red('✖')} '${name}' is neither a public name nor an alias${s ? `; did you mean '${s}'?` : ''}`);
    return EXIT.failed;
  }
  print(ctx.stdout, opts.json ? JSON.stringify(e, null, 2) : renderExplanation(e, ctx.out));
  return EXIT.ok;
}
