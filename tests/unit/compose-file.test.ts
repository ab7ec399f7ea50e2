// The shipped docker-compose.yml is the production stack: check the promises it makes.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { describe, expect, test } from 'vitest';
import { imageProblems } from '../../src/util/image.js';
import { ROOT } from '../helpers/cli.js';

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
    expect(readFileSync(path.join(ROOT, 'templates/docker-compose.yml'), 'utf8')).toBe(readFileSync(path.join(ROOT, 'docker-compose.yml'), 'utf8'));
  });
});
