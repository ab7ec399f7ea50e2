// The commands that change what the gateway serves: reload, rollback, recover, and backups.
import { Command, type OptionValues } from '@commander-js/extra-typings';
import { seconds, type FlagsOf } from './parse.js';

const TIMEOUT_HELP =
  'how long to wait for the gateway to become healthy (default: health.timeout_s; a rollback always waits at least the last measured boot plus a margin)';

/** The flags reload and rollback share. */
function transactionFlags<A extends unknown[], O extends OptionValues>(cmd: Command<A, O>) {
  return cmd
    .option('-y, --yes', 'do not ask for confirmation')
    .option('-f, --force', 'do not ask for confirmation (same as --yes)')
    .option('--dry-run', 'validate, diff and say what would happen; write and restart nothing')
    .option('--timeout <seconds>', TIMEOUT_HELP, seconds)
    .option(
      '--break-lock',
      'take the lock even when its holder cannot be judged stale (a live process that is not aibackend, another host)',
    )
    .option('--json', 'print the result as one JSON object on stdout, on every exit path (progress goes to stderr)');
}

export const reloadSpec = () =>
  transactionFlags(
    new Command('reload')
      .description('apply the sources to the running gateway: diff, back up, write, restart, probe, roll back on failure')
      .option('--validate-only', 'validate and show the diff, then stop')
      .option('--restart', 'restart even when the deployed config is identical'),
  ).addHelpText(
    'after',
    `
Before the old gateway is stopped, a pre-flight checks that the runtime exists, that gateway.url
and the runtime agree on the port, that no stranger holds the port, and that the target LiteLLM
loads the candidate (its own --validate_config, about 10 s). After the restart, the probe proves
that every compiled deployment (name, provider model, api_base) is served, by the process just
started. A change to the provenance header alone (a description, a comment) restarts nothing.

With nothing to apply, a reload still repairs what drifted from the declared topology (a dead
gateway, HAProxy or replica is started, a replica held out of rotation is put back): status healed.

Exit codes: 0 applied (or nothing to do, or healed), 1 invalid config or pre-flight refused
(nothing changed), 3 failed and rolled back (old config healthy), 4 failed and the rollback failed
too, a repair failed, or an interrupted run cannot be recovered safely (a person is needed),
5 another reload holds the lock.`,
  );
export type ReloadFlags = FlagsOf<typeof reloadSpec>;

export const rollbackSpec = () =>
  transactionFlags(
    new Command('rollback')
      .description('restore a backup (by default the previous config), restart and probe')
      .option('--to <backup>', 'backup file name, path or unique prefix (see `aibackend backups`)'),
  ).addHelpText(
    'after',
    '\nWorks while providers.yaml or model-mappings.yaml are broken: a rollback needs only gateway.yaml.\nAfter an interrupted reload, the recovery itself restores the last config that served; rollback stops there.',
  );
export type RollbackFlags = FlagsOf<typeof rollbackSpec>;

export const recoverSpec = () =>
  new Command('recover')
    .description(
      'finish an interrupted reload or rollback (restore its verified backup, restart, probe), then repair what drifted from the declared topology',
    )
    .option(
      '--abandon',
      'record that a person has dealt with the interrupted run (when its backup is missing or altered); deploys and restarts nothing',
    )
    .option('--timeout <seconds>', 'how long to wait for the gateway to become healthy', seconds)
    .option('--break-lock', 'take the lock even when its holder cannot be judged stale')
    .option('--json', 'print the result as one JSON object on stdout');
export type RecoverFlags = FlagsOf<typeof recoverSpec>;

export const backupsSpec = () =>
  new Command('backups')
    .description('list the backups of the deployed config: time, hash, size, which one is deployed')
    .option('--json', 'print the list as JSON');
export type BackupsFlags = FlagsOf<typeof backupsSpec>;

export const superviseSpec = () =>
  new Command('supervise')
    .description('keep the declared topology running between reloads: every interval, recover an interrupted run and repair what died')
    .option('--interval <seconds>', 'how often to look (default 10 s)', seconds)
    .option('--once', 'look once, repair what is needed, and exit (for a timer or cron)')
    .option('--systemd', 'print a systemd unit that runs `aibackend supervise` for this project, and exit')
    .option('--timeout <seconds>', 'how long to wait for a repaired part to become healthy', seconds)
    .option('--json', 'print each repair as one JSON object per line on stdout')
    .addHelpText(
      'after',
      `
aibackend starts HAProxy and the gateway replicas (runtime.kind: process) but is not a daemon:
nothing restarts them if they die between reloads. \`aibackend supervise\` is that daemon. Every
interval it takes the reload lock (a tick is skipped while a reload holds it), finishes an
interrupted reload or rollback as \`recover\` does, and compares what runs with the declared
topology: a dead or deaf HAProxy is started (or succeeded seamlessly), a dead replica is started
off rotation and probed, a replica held out of rotation is put back. It never applies the sources:
only \`reload\` does. It prints one line (or JSON object) per repair and runs until SIGTERM.

Run it under a real supervisor so that it is itself restarted: \`aibackend supervise --systemd >
/etc/systemd/system/aibackend-supervise.service\`, then \`systemctl enable --now aibackend-supervise\`.
The unit uses KillMode=process, so that stopping the supervisor leaves the gateway serving.`,
    );
export type SuperviseFlags = FlagsOf<typeof superviseSpec>;
