// Global setup of the gateway tests: how long the pinned LiteLLM takes to boot on this machine,
// now. The gateway tests derive their time limits from it (tests/helpers/gateway.ts, gatewayMs),
// so a slow or loaded machine gets longer limits instead of failures at a fixed 60 s, and a fast
// one does not wait minutes for a hung test. Measured once per run, before any gateway test starts.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { TestProject } from 'vitest/node';
import { freePort, litellmBin } from '../helpers/gateway.js';

declare module 'vitest' {
  export interface ProvidedContext {
    /** Milliseconds from spawning the pinned LiteLLM to its first 200 on /health/liveliness; absent without LiteLLM. */
    litellmBootMs?: number;
  }
}

const CONFIG = `model_list:
  - model_name: boot-probe
    litellm_params:
      model: openai/boot-probe
      api_base: http://127.0.0.1:9/v1
      api_key: unused
`;

export default async function setup(project: TestProject): Promise<void> {
  const bin = litellmBin();
  if (!bin) return;
  const dir = mkdtempSync(path.join(tmpdir(), 'aibackend-boot-'));
  const config = path.join(dir, 'config.yaml');
  writeFileSync(config, CONFIG);
  const port = await freePort();
  const t0 = performance.now();
  const child = spawn(bin, ['--config', config, '--host', '127.0.0.1', '--port', String(port)], {
    env: { ...process.env, LITELLM_LOCAL_MODEL_COST_MAP: 'True', LITELLM_MASTER_KEY: 'sk-boot-probe' },
    stdio: 'ignore',
    detached: true,
  });
  let exited = false;
  child.on('exit', () => (exited = true));
  try {
    const deadline = t0 + 300_000;
    while (!exited && performance.now() < deadline) {
      try {
        const res = await fetch(`http://127.0.0.1:${port}/health/liveliness`, { signal: AbortSignal.timeout(1000) });
        if (res.ok) {
          const ms = Math.round(performance.now() - t0);
          project.provide('litellmBootMs', ms);
          console.log(`LiteLLM boots in ${(ms / 1000).toFixed(1)} s here: gateway test limits are derived from it`);
          return;
        }
      } catch {
        // not listening yet
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    console.warn(
      `LiteLLM did not boot for the time measurement (${exited ? 'it exited' : 'no answer in 300 s'}): gateway tests use the default limits`,
    );
  } finally {
    try {
      process.kill(-child.pid!, 'SIGKILL');
    } catch {
      // already gone
    }
    rmSync(dir, { recursive: true, force: true });
  }
}
