// The commands that measure the gateway: bench (a concurrency sweep per name) and load (scenarios).
import { Command, Option, type OptionValues } from '@commander-js/extra-typings';
import { concurrencyList, fraction, positiveInt, seconds, type FlagsOf } from './parse.js';

/** The flags bench and load share: what each request asks for, and where the figures go. */
function requestFlags<A extends unknown[], O extends OptionValues>(cmd: Command<A, O>) {
  return cmd
    .option('--stream', 'stream the answers (measures time to first token and inter-token latency)')
    .option('--max-tokens <n>', 'max_tokens of each request', positiveInt, 128)
    .option('--prompt-tokens <n>', 'about this many tokens in each prompt', positiveInt, 32)
    .option('--json [file]', 'print the figures as JSON, or write them to FILE')
    .option('--timeout <duration>', 'deadline for each whole request (not an idle timeout): seconds, or 500ms', seconds, 300);
}

export const benchSpec = () =>
  requestFlags(
    new Command('bench')
      .description(
        'latency and throughput per public name through the gateway: TTFT, inter-token latency, end-to-end latency, tokens/s, requests/s, p50/p95/p99, over a concurrency sweep',
      )
      .argument('[names...]', 'public names or aliases (default: every chat public name)')
      .option('--concurrency <list>', 'concurrency levels, e.g. 1,2,4,8', concurrencyList, [1, 2, 4, 8])
      .option('--requests <n>', 'requests per level (default: 5 per concurrent user, at least 20)', positiveInt)
      .option('--duration <duration>', 'seconds per level, instead of --requests', seconds)
      .option('--compare', "also send the same requests to each route's provider directly and report the gateway's overhead")
      .option(
        '--baseline <file>',
        'compare with the JSON of an earlier run; exit 1 when p95 rose, successful throughput fell, or the error rate rose',
      )
      .option('--threshold <fraction>', 'how much worse p95 or throughput counts as a regression', fraction, 0.2)
      .option(
        '--max-error-rate <fraction>',
        "a level failing more than this fails the run (with --baseline, an error rate more than one point above the baseline's is a regression too)",
        fraction,
        0.01,
      ),
  ).addHelpText(
    'after',
    '\nEvery prompt is unique to its run; answers from the response cache are counted apart. requests/s counts\nsuccessful answers only. Exit 0, or 1 when a level answered nothing, failed more than --max-error-rate,\nor a figure regressed against --baseline.',
  );
export type BenchFlags = FlagsOf<typeof benchSpec>;

export const loadSpec = () =>
  requestFlags(
    new Command('load')
      .description(
        "a load test through the gateway: smoke, load, stress or spike over the registry's public names, with thresholds and an HTML report",
      )
      .argument('[dir]', 'with --emit: the directory to write the Locust or k6 file into')
      .addOption(
        new Option(
          '--scenario <name>',
          'smoke (5 users, 30 s), load (20 users, ramp-up, 5 min), stress (200 users, 5 min), spike (10 users, 10x for a fifth of 2 min)',
        )
          .choices(['smoke', 'load', 'stress', 'spike'] as const)
          .default('smoke' as const),
      )
      .option('--users <n>', 'users at the peak (spike: before the spike)', positiveInt)
      .option('--duration <duration>', 'seconds', seconds)
      .option('--mix <weights>', 'traffic mix, e.g. chat=60,coder=25,llama2-13b=15 (default: every chat public name equally)')
      .option('--report <file>', 'write a self-contained HTML report with charts')
      .addOption(
        new Option('--emit <tool>', 'write a Locust file or k6 script for the same scenario and mix into DIR instead of running').choices([
          'locust',
          'k6',
        ] as const),
      )
      .option('--max-error-rate <fraction>', 'threshold (default: monitoring.alerts.error_rate)', fraction)
      .option('--max-p95 <duration>', 'threshold in seconds (default: monitoring.alerts.p95_latency_s)', seconds),
  ).addHelpText('after', '\nExit 0 when the thresholds hold, 1 when the error rate or p95 is above them.');
export type LoadFlags = FlagsOf<typeof loadSpec>;
