// The commands that read and write config/: init, validate, generate, explain, diff. Each spec is
// its flags and help; the flags' type is inferred from them, and the command module takes that type.
import { Command, Option } from '@commander-js/extra-typings';
import type { FlagsOf } from './parse.js';

export const initSpec = () =>
  new Command('init')
    .description('write a starter config/ (providers, model mappings, gateway, ports) and docker-compose.yml from templates/')
    .option('--json', 'print the files written as JSON');
export type InitFlags = FlagsOf<typeof initSpec>;

export const validateSpec = () =>
  new Command('validate')
    .description('check the sources and the generated file; writes nothing')
    .option('--json', 'print one JSON report on stdout (same as --format json)')
    .addOption(
      new Option('--format <format>', 'report format: text, json, github (workflow annotations) or sarif (2.1.0, code scanning)')
        .choices(['text', 'json', 'github', 'sarif'] as const)
        .default('text' as const),
    )
    .option('--strict', 'fail on warnings too')
    .option(
      '--deep',
      'also load the compiled config into LiteLLM (its --validate_config; about 10 s), with an empty environment, in a private temp dir, without the settings that import Python; safe on untrusted pull requests',
    )
    .option(
      '--litellm <path>',
      "the LiteLLM executable --deep uses (default: $AIBACKEND_LITELLM, the virtualenv of scripts/setup-litellm.sh, then litellm on PATH outside the project; never the runtime's own command)",
    );
export type ValidateFlags = FlagsOf<typeof validateSpec>;

export const generateSpec = () =>
  new Command('generate')
    .description('compile the sources into the LiteLLM config and write it atomically when it changed')
    .option('--check', 'write nothing; exit 1 when the file is missing, stale or hand-edited')
    .option('--stdout', 'print the compiled file instead of writing it')
    .option('--json', 'print the result as JSON (what was written or what differs, and the findings)');
export type GenerateFlags = FlagsOf<typeof generateSpec>;

export const explainSpec = () =>
  new Command('explain')
    .description(
      'show how a public name or alias is routed: routes, weights, providers, fallback order; or what the gateway gets for an MCP server',
    )
    .argument('[name]', 'public model name, alias or MCP server id (omit, or --list, to list them)')
    .option('--list', 'list every public name, alias and MCP server')
    .option('--json', 'print the explanation as JSON');
export type ExplainFlags = FlagsOf<typeof explainSpec>;

export const diffSpec = () =>
  new Command('diff')
    .description(
      'what a change does to routing, per public name and alias: names added, removed and renamed, deployments, traffic shares, base_urls, fallback order, settings',
    )
    .option(
      '--base <rev>',
      'the git revision to compare with (default: HEAD when the sources differ from it, else the merge base with the default branch)',
    )
    .addOption(
      new Option('--format <format>', 'text, markdown (a PR comment or $GITHUB_STEP_SUMMARY) or json')
        .choices(['text', 'markdown', 'json'] as const)
        .default('text' as const),
    )
    .option('--json', 'print the comparison as JSON (same as --format json)');
export type DiffFlags = FlagsOf<typeof diffSpec>;
