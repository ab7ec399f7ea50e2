// The generated files that travel with a reload: the load balancer's config must be on disk before a
// roll may start HAProxy, and once the gateway serves the sources, the monitoring stack's files and
// the load balancer's follow them.
import { checkConfig } from '../config/check-config.js';
import { syncGenerated } from '../config/generated-files.js';
import type { ConfigPaths } from '../config/load/paths.js';
import { generatedStatus } from '../config/output-status.js';

/** Write the load balancer's config when it is missing or stale. */
export function writeLoadBalancerConfig(paths: ConfigPaths, env: NodeJS.ProcessEnv, progress: (line: string) => void): void {
  const checked = checkConfig(paths, { env, unsetEnvSeverity: 'error' });
  const stale = generatedStatus(checked).filter((g) => g.file.group === 'load_balancer' && g.state !== 'up-to-date');
  if (stale.length === 0) return;
  syncGenerated(checked, stale);
  progress(`wrote the load balancer's config ${stale[0]!.file.display}`);
}

/** After a reload that applied: bring every other generated file up to date with the sources. */
export function followSources(paths: ConfigPaths, env: NodeJS.ProcessEnv, progress: (line: string) => void): void {
  const checked = checkConfig(paths, { env, unsetEnvSeverity: 'error' });
  if (!checked.generated) return;
  const { written } = syncGenerated(checked);
  const monitoring = written.filter((w) => w.file.group === 'monitoring');
  if (monitoring.length)
    progress(`updated ${monitoring.length} monitoring file(s) (reload Prometheus to read them: POST /-/reload, or restart it)`);
  const lb = written.find((w) => w.file.group === 'load_balancer');
  if (lb) progress(`updated the load balancer's ${lb.file.display}`);
}
