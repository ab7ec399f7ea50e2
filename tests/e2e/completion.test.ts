// Shell completions, run in a real bash: the scripts list the CLI's own commands and options.
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { execa } from 'execa';
import { afterAll, describe, expect, test } from 'vitest';
import { BIN, ROOT, runCli } from '../helpers/cli.js';
import { cleanupTempDirs, tempDir } from '../helpers/fixtures.js';

afterAll(cleanupTempDirs);

/** What bash completion offers for a command line whose last word is being typed. */
async function complete(script: string, words: string[]): Promise<string[]> {
  const dir = tempDir();
  const file = path.join(dir, 'aibackend.bash');
  writeFileSync(file, script);
  // `aibackend` inside the script resolves to the built CLI.
  writeFileSync(path.join(dir, 'aibackend'), `#!/bin/sh\nexec "${process.execPath}" "${BIN}" "$@"\n`, { mode: 0o755 });
  const line = `source ${file}; COMP_WORDS=(${words.map((w) => `'${w}'`).join(' ')}); COMP_CWORD=${words.length - 1}; _aibackend; printf '%s\\n' "\${COMPREPLY[@]}"`;
  const r = await execa('bash', ['-c', line], {
    cwd: ROOT,
    env: { PATH: `${dir}:${process.env.PATH}`, NO_COLOR: '1', LITELLM_MASTER_KEY: 'k' },
    reject: false,
  });
  return String(r.stdout).split('\n').filter(Boolean);
}

describe('aibackend completion', () => {
  test("bash: commands, a command's options, option values and public names", async () => {
    const script = (await runCli(['completion', 'bash'], { cwd: ROOT })).stdout;
    expect(await complete(script, ['aibackend', 'val'])).toEqual(['validate']);
    expect(await complete(script, ['aibackend', 're'])).toEqual(['reload', 'recover', 'requests']);
    expect(await complete(script, ['aibackend', 'reload', '--d'])).toEqual(['--dry-run']);
    expect(await complete(script, ['aibackend', 'validate', '--format', 's'])).toEqual(['sarif']);
    expect(await complete(script, ['aibackend', '-C', 'config', 'hook', ''])).toEqual(
      expect.arrayContaining(['install', 'uninstall', 'run']),
    );
    expect(await complete(script, ['aibackend', 'explain', 'qw'])).toEqual(['qwen-coder-vllm', 'qwen2.5-coder:7b']);
  });

  test('zsh and fish scripts name every command; an unknown shell is a usage error', async () => {
    const zsh = (await runCli(['completion', 'zsh'], { cwd: ROOT })).stdout;
    expect(zsh).toMatch(/^#compdef aibackend/);
    expect(zsh).toContain('complete -F _aibackend aibackend');
    const fish = (await runCli(['completion', 'fish'], { cwd: ROOT })).stdout;
    for (const c of ['validate', 'generate', 'reload', 'rollback', 'recover', 'status', 'completion']) expect(fish).toContain(`-a ${c} -d`);
    expect(fish).toContain("-l format -d 'report format");
    const bad = await runCli(['completion', 'tcsh'], { cwd: ROOT });
    expect(bad.exitCode).toBe(2);
  });
});
