// Runs the built CLI as a real process, the way users and CI run it.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa, type Options } from 'execa';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const BIN = path.join(ROOT, 'bin/aibackend.js');

export interface CliResult {
  exitCode: number;
  stdout: string;
  stderr: string;
}

export async function runCli(
  args: string[],
  opts: { cwd: string; env?: Record<string, string | undefined>; input?: string; timeout?: number },
): Promise<CliResult> {
  const options: Options = {
    cwd: opts.cwd,
    reject: false,
    env: { NO_COLOR: '1', LITELLM_MASTER_KEY: 'test-master-key', ...opts.env },
    timeout: opts.timeout ?? 60_000,
    stripFinalNewline: false,
    ...(opts.input !== undefined ? { input: opts.input } : { stdin: 'ignore' as const }),
  };
  const r = await execa(process.execPath, [BIN, ...args], options);
  return { exitCode: r.exitCode ?? -1, stdout: String(r.stdout), stderr: String(r.stderr) };
}
