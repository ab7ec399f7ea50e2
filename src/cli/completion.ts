// Shell completion scripts for bash, zsh and fish, rendered from the command tree that commander
// holds, so that they list exactly the commands and options the CLI has. Public names for
// `explain` are asked of `aibackend explain --list` when completing.
import type { CommandUnknownOpts } from '@commander-js/extra-typings';

export interface CommandSpec {
  name: string;
  description: string;
  options: { flags: string[]; description: string; values?: readonly string[] }[];
  subcommands: CommandSpec[];
}

/** The command tree as completion scripts need it. */
export function commandTree(c: CommandUnknownOpts): CommandSpec {
  return {
    name: c.name(),
    description: c.description(),
    options: c.options.map((o) => ({
      flags: [o.short, o.long].filter((f): f is string => Boolean(f)),
      description: o.description,
      ...(o.argChoices ? { values: o.argChoices } : {}),
    })),
    subcommands: c.commands.filter((s) => s.name() !== 'help').map(commandTree),
  };
}

const q = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

export function renderCompletion(shell: 'bash' | 'zsh' | 'fish', root: CommandSpec): string {
  return shell === 'fish'
    ? fish(root)
    : shell === 'zsh'
      ? `#compdef aibackend\n# zsh: runs the bash completion through bashcompinit.\nautoload -U +X bashcompinit && bashcompinit\n${bash(root)}`
      : bash(root);
}

function longFlags(c: CommandSpec): string[] {
  return c.options.flatMap((o) => o.flags.filter((f) => f.startsWith('--')));
}

function bash(root: CommandSpec): string {
  const cases = root.subcommands
    .map((c) => {
      const subs = c.subcommands.map((s) => s.name);
      const words = [...subs, ...longFlags(c)].join(' ');
      const valueCases = c.options
        .filter((o) => o.values)
        .map((o) => `        ${o.flags.join('|')}) COMPREPLY=($(compgen -W ${q(o.values!.join(' '))} -- "$cur")); return ;;`)
        .join('\n');
      const extra =
        c.name === 'explain'
          ? `\n      if [[ $cur != -* ]]; then COMPREPLY+=($(compgen -W "$(aibackend explain --list 2>/dev/null | cut -d' ' -f1)" -- "$cur")); fi`
          : c.name === 'completion'
            ? `\n      COMPREPLY+=($(compgen -W 'bash zsh fish' -- "$cur"))`
            : '';
      const values = valueCases ? `      case $prev in\n${valueCases}\n      esac\n` : '';
      return `    ${c.name})\n${values}      COMPREPLY=($(compgen -W ${q(`${words} --help`.trim())} -- "$cur"))${extra}\n      ;;`;
    })
    .join('\n');
  return `# bash completion for aibackend (aibackend completion bash > /etc/bash_completion.d/aibackend)
_aibackend() {
  local cur=\${COMP_WORDS[COMP_CWORD]} prev=\${COMP_WORDS[COMP_CWORD-1]} cmd= i
  for ((i = 1; i < COMP_CWORD; i++)); do
    case \${COMP_WORDS[i]} in
      -C|--config-dir) ((i++)) ;;
      -*) ;;
      *) cmd=\${COMP_WORDS[i]}; break ;;
    esac
  done
  if [[ $prev == -C || $prev == --config-dir ]]; then COMPREPLY=($(compgen -d -- "$cur")); return; fi
  case $cmd in
    '') COMPREPLY=($(compgen -W ${q([...root.subcommands.map((c) => c.name), ...longFlags(root)].join(' '))} -- "$cur")) ;;
${cases}
  esac
}
complete -F _aibackend aibackend
`;
}

function fish(root: CommandSpec): string {
  const lines = [
    '# fish completion for aibackend (aibackend completion fish > ~/.config/fish/completions/aibackend.fish)',
    'complete -c aibackend -f',
  ];
  const all = root.subcommands.map((c) => c.name).join(' ');
  for (const o of root.options)
    lines.push(
      `complete -c aibackend -n ${q(`not __fish_seen_subcommand_from ${all}`)}${flag(o.flags)} -d ${q(o.description)}${o.flags.includes('--config-dir') ? ' -r -F' : ''}`,
    );
  for (const c of root.subcommands) {
    lines.push(`complete -c aibackend -n ${q(`not __fish_seen_subcommand_from ${all}`)} -a ${c.name} -d ${q(c.description)}`);
    const when = `__fish_seen_subcommand_from ${c.name}`;
    for (const s of c.subcommands) lines.push(`complete -c aibackend -n ${q(when)} -a ${s.name} -d ${q(s.description)}`);
    for (const o of c.options)
      lines.push(
        `complete -c aibackend -n ${q(when)}${flag(o.flags)} -d ${q(o.description)}${o.values ? ` -x -a ${q(o.values.join(' '))}` : ''}`,
      );
    if (c.name === 'explain')
      lines.push(`complete -c aibackend -n ${q(when)} -a '(aibackend explain --list 2>/dev/null | string split -f1 " ")'`);
    if (c.name === 'completion') lines.push(`complete -c aibackend -n ${q(when)} -a 'bash zsh fish'`);
  }
  return `${lines.join('\n')}\n`;
}

function flag(flags: string[]): string {
  return flags.map((f) => (f.startsWith('--') ? ` -l ${f.slice(2)}` : ` -s ${f.slice(1)}`)).join('');
}
