// The shipped docker-compose.yml is the production stack: check the promises it makes.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { describe, expect, test } from 'vitest';
import { adminSocket, adminSocketOnHost } from '../../../src/deploy/rolling/haproxy.js';
import { imageProblems } from '../../../src/util/image.js';
import { ROOT } from '../../helpers/cli.js';

const compose = parse(readFileSync(path.join(ROOT, 'docker-compose.yml'), 'utf8')) as { services: Record<string, Record<string, unknown>> };
const gateway = parse(readFileSync(path.join(ROOT, 'config/gateway.yaml'), 'utf8')) as { gateway: { image: string }; output: string };
const litellm = compose.services.litellm!;

describe('docker-compose.yml', () => {
  test('LiteLLM is pinned to an exact -stable release, the same as gateway.image, and not a compromised one', () => {
    expect(litellm.image).toMatch(/^ghcr\.io\/berriai\/litellm:v\d+\.\d+\.\d+-stable$/);
    expect(litellm.image).toBe(gateway.gateway.image);
    expect(imageProblems(String(litellm.image))).toEqual([]);
  });

  test('the generated file is mounted read-only and is the config LiteLLM starts with', () => {
    const volumes = litellm.volumes as string[];
    const mount = volumes.find((v) => v.includes(path.basename(gateway.output)));
    expect(mount).toBeDefined();
    const [host, inside, mode] = mount!.split(':');
    expect(path.normalize(host!)).toBe(path.normalize(`./${gateway.output}`));
    expect(mode).toBe('ro');
    const cmd = litellm.command as string[];
    expect(cmd[cmd.indexOf('--config') + 1]).toBe(inside);
  });

  test('master key from the environment, local cost map, liveliness healthcheck, Redis service', () => {
    const env = litellm.environment as Record<string, string>;
    expect(env.LITELLM_MASTER_KEY).toMatch(/^\$\{LITELLM_MASTER_KEY/);
    expect(env.LITELLM_LOCAL_MODEL_COST_MAP).toBe('True');
    expect(JSON.stringify(litellm.healthcheck)).toContain('/health/liveliness');
    expect(compose.services.redis?.image).toMatch(/^redis:\d+\.\d+\.\d+/);
  });

  test('the copy that `aibackend init` writes (templates/docker-compose.yml) is this file', () => {
    expect(readFileSync(path.join(ROOT, 'templates/docker-compose.yml'), 'utf8')).toBe(
      readFileSync(path.join(ROOT, 'docker-compose.yml'), 'utf8'),
    );
  });
});

describe('docker-compose.replicas.yml', () => {
  const replicas = parse(readFileSync(path.join(ROOT, 'docker-compose.replicas.yml'), 'utf8')) as {
    services: Record<string, Record<string, unknown>>;
  };
  const seconds = (d: unknown) => Number(/^(\d+)s$/.exec(String(d))?.[1]);

  test('two LiteLLM replicas on their own ports, pinned to gateway.image, stopped more slowly than a roll drains', () => {
    const ports = ['litellm-r1', 'litellm-r2'].map((name) => {
      const svc = replicas.services[name]!;
      expect(svc.image).toBe(gateway.gateway.image);
      expect(svc.network_mode).toBe('host');
      expect(svc.volumes).toEqual(litellm.volumes);
      // a roll waits up to 30 s for a drained replica's requests (ReplicaSetRuntime's drainMs)
      expect(seconds(svc.stop_grace_period)).toBeGreaterThan(30);
      const cmd = svc.command as string[];
      return cmd[cmd.indexOf('--port') + 1];
    });
    expect(ports).toEqual(['4001', '4002']);
  });

  test('HAProxy pinned to an exact tag, reading the generated haproxy.cfg, its admin socket on the bind mount aibackend drives', () => {
    const lb = replicas.services.haproxy!;
    expect(lb.image).toMatch(/^haproxy:\d+\.\d+\.\d+$/);
    expect(imageProblems(String(lb.image))).toEqual([]);
    // the directory holding haproxy.cfg (a regenerated file is a new inode that a file mount would hide)
    expect(lb.volumes).toEqual(['./config:/usr/local/etc/aibackend:ro', './.aibackend/haproxy:/var/run/haproxy']);
    expect(lb.command).toEqual(['haproxy', '-f', '/usr/local/etc/aibackend/haproxy.cfg']);
    // runs as the owner of the socket directory, through the image's own entrypoint (master-worker)
    expect(lb.user).toBe('0:0');
    expect((lb.entrypoint as string[]).join(' ')).toMatch(
      /setpriv --reuid="\$\$\(stat -c %u \/var\/run\/haproxy\)".* docker-entrypoint\.sh/,
    );
    const gw = { runtime: { kind: 'compose', file: 'docker-compose.replicas.yml', service: 'litellm' } } as never;
    expect(adminSocket(gw)).toBe('/var/run/haproxy/admin.sock');
    expect(adminSocketOnHost(gw)).toBe('.aibackend/haproxy/admin.sock');
  });

  test('Redis for the state the replicas share', () => {
    expect(replicas.services.redis?.image).toBe(compose.services.redis?.image);
  });
});
