// Which runtime restarts the gateway: the factory, kept apart from the runtimes themselves so that
// they depend on the adapter's types and never on each other.
import path from 'node:path';
import type { GatewayFile, Runtime } from '../config/schema/gateway.js';
import { COMPOSE_STATE_DIR } from './rolling/haproxy.js';
import { composeMembers, processMembers, ReplicaSetRuntime } from './rolling/replicas.js';
import type { RuntimeAdapter } from './runtime/adapter.js';
import { CommandRuntime } from './runtime/command.js';
import { ComposeRuntime } from './runtime/compose.js';
import { ProcessRuntime } from './runtime/process.js';
import { SwarmRuntime } from './runtime/swarm.js';

/** With replicas: the gateway file, where the load balancer's config is, and where to say what the roll does. */
export interface Topology {
  gateway: GatewayFile;
  lbConfig: string;
  progress?: (line: string) => void;
}

export function makeRuntime(
  runtime: Runtime,
  projectDir: string,
  env: NodeJS.ProcessEnv = process.env,
  topology?: Topology,
): RuntimeAdapter {
  // Rolling reloads: replicas behind HAProxy, as processes or as compose services.
  const gw = topology?.gateway;
  if (runtime.kind === 'swarm') {
    const key = gw ? /^env:(\w+)$/.exec(gw.gateway.master_key)?.[1] : undefined;
    return new SwarmRuntime(runtime, projectDir, env, key, path.resolve(projectDir, gw?.backups.dir ?? 'backups'), topology?.progress);
  }
  if (topology && gw && gw.replicas >= 2 && gw.load_balancer.kind === 'haproxy' && gw.replica_ports && runtime.kind !== 'command') {
    const members =
      runtime.kind === 'process' ? processMembers(gw, runtime, projectDir, env) : composeMembers(gw, runtime, projectDir, env);
    return new ReplicaSetRuntime(gw, members, projectDir, topology.lbConfig, env, topology.progress);
  }
  switch (runtime.kind) {
    case 'compose':
      return new ComposeRuntime(
        path.resolve(projectDir, runtime.file),
        runtime.service,
        projectDir,
        env,
        path.resolve(projectDir, COMPOSE_STATE_DIR),
        runtime.project,
      );
    case 'command':
      return new CommandRuntime(runtime.restart, projectDir, runtime.validate, env);
    case 'process':
      return new ProcessRuntime(runtime, path.resolve(projectDir, runtime.state_dir), projectDir, env);
  }
}
