// The git pre-commit hook: install, uninstall, and what it runs. And shell completion.
import { Command } from '@commander-js/extra-typings';
import type { FlagsOf } from './parse.js';

export const hookInstallSpec = () =>
  new Command('install')
    .description('install the pre-commit hook (honours core.hooksPath; --force keeps an existing hook and runs it first)')
    .option('--force', 'install even when another pre-commit hook exists (it is kept and chained)')
    .option('--diff', 'the hook also prints what the staged change does to routing (hook run --diff)')
    .option('--json', 'print the result as JSON');
export type HookInstallFlags = FlagsOf<typeof hookInstallSpec>;

export const hookUninstallSpec = () =>
  new Command('uninstall')
    .description('remove the pre-commit hook and restore the one it replaced')
    .option('--json', 'print the result as JSON');
export type HookUninstallFlags = FlagsOf<typeof hookUninstallSpec>;

export const hookRunSpec = () =>
  new Command('run')
    .description('what the hook runs: validate the staged sources and the staged generated file')
    .option('--json', 'print the validate report of the staged config as JSON')
    .option('--diff', 'when the staged config is valid, also print what it changes in routing against HEAD, short');
export type HookRunFlags = FlagsOf<typeof hookRunSpec>;

export const completionSpec = () =>
  new Command('completion')
    .description('print a shell completion script: bash, zsh or fish')
    .argument('<shell>', 'bash, zsh or fish')
    .addHelpText(
      'after',
      `
Install:
  bash: aibackend completion bash > ~/.local/share/bash-completion/completions/aibackend
  zsh:  aibackend completion zsh > "\${fpath[1]}/_aibackend"
  fish: aibackend completion fish > ~/.config/fish/completions/aibackend.fish`,
    );
