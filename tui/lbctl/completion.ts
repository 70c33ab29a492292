/**
 * `lbctl completion bash|zsh`: a completion script generated from lbctl's own command tree (so a new
 * command or option completes without touching this file). Server arguments complete from the running
 * daemon through the hidden `lbctl __servers` command.
 */
import type { Command, Option } from 'commander';
import { action, CliError, EXIT, stdout, withClient } from './common.js';

/** What the positional arguments of a command complete to. */
const ARG_KIND: Record<string, 'server' | 'file' | 'shell' | 'show'> = {
  disable: 'server',
  enable: 'server',
  drain: 'server',
  weight: 'server',
  check: 'file',
  completion: 'shell',
  show: 'show',
};

/** The usual `show` topics (any other word passes through too). */
const SHOW_TOPICS = ['stat', 'info', 'servers', 'backend', 'events', 'version', 'schema', 'sess', 'cli', 'env'];

interface Cmd {
  name: string;
  description: string;
  options: string[];
  kind: string;
}

function flags(options: readonly Option[]): string[] {
  return options.flatMap((o) => [o.short, o.long].filter((f): f is string => !!f)).concat('--help');
}

function commandsOf(program: Command): Cmd[] {
  return program.commands
    .filter((c) => !(c as unknown as { _hidden?: boolean })._hidden)
    .map((c) => ({ name: c.name(), description: c.description(), options: flags(c.options), kind: ARG_KIND[c.name()] ?? '' }));
}

function q(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

export function bashScript(program: Command): string {
  const cmds = commandsOf(program);
  const cases = cmds
    .map((c) => {
      const args =
        c.kind === 'server' ? 'words=$(lbctl "${sock[@]}" __servers 2>/dev/null)'
        : c.kind === 'file' ? 'COMPREPLY=($(compgen -f -- "$cur")); return'
        : c.kind === 'shell' ? 'words="bash zsh"'
        : c.kind === 'show' ? `words=${q(SHOW_TOPICS.join(' '))}`
        : 'words=""';
      return `    ${c.name}) opts=${q(c.options.join(' '))}; ${args};;`;
    })
    .join('\n');
  return `# bash completion for lbctl. Load it with:  source <(lbctl completion bash)
_lbctl() {
  local cur=\${COMP_WORDS[COMP_CWORD]} prev=\${COMP_WORDS[COMP_CWORD-1]}
  local i cmd="" opts="" words="" sock=()
  for ((i = 1; i < COMP_CWORD; i++)); do
    case \${COMP_WORDS[i]} in
      -s|--socket) sock=(-s "\${COMP_WORDS[i+1]}"); ((i++)) ;;
      -t|--timeout) ((i++)) ;;
      -*) ;;
      *) cmd=\${COMP_WORDS[i]}; break ;;
    esac
  done
  case $prev in
    -s|--socket) COMPREPLY=($(compgen -f -- "$cur")); return ;;
  esac
  if [[ -z $cmd ]]; then
    COMPREPLY=($(compgen -W ${q([...cmds.map((c) => c.name), ...flags(program.options)].join(' '))} -- "$cur"))
    return
  fi
  case $cmd in
${cases}
  esac
  if [[ $cur == -* ]]; then COMPREPLY=($(compgen -W "$opts" -- "$cur")); else COMPREPLY=($(compgen -W "$words" -- "$cur")); fi
}
complete -F _lbctl lbctl
`;
}

export function zshScript(program: Command): string {
  const cmds = commandsOf(program);
  const described = cmds.map((c) => `    ${q(`${c.name}:${c.description.replace(/:/g, '\\:')}`)}`).join('\n');
  const cases = cmds
    .map((c) => {
      const args =
        c.kind === 'server' ? "local -a servers; servers=(${(f)\"$(lbctl ${sock[@]} __servers 2>/dev/null)\"}); compadd -a servers"
        : c.kind === 'file' ? '_files'
        : c.kind === 'shell' ? 'compadd bash zsh'
        : c.kind === 'show' ? `compadd ${SHOW_TOPICS.join(' ')}`
        : ':';
      return `    ${c.name}) if [[ $PREFIX == -* ]]; then compadd -- ${c.options.join(' ')}; else ${args}; fi ;;`;
    })
    .join('\n');
  return `#compdef lbctl
# zsh completion for lbctl. Load it with:  source <(lbctl completion zsh)
# (or save it as _lbctl in a directory of your $fpath)
_lbctl() {
  local -a commands sock
  local i cmd
  commands=(
${described}
  )
  for ((i = 2; i < CURRENT; i++)); do
    case $words[i] in
      -s|--socket) sock=(-s $words[i+1]); ((i++)) ;;
      -t|--timeout) ((i++)) ;;
      -*) ;;
      *) cmd=$words[i]; break ;;
    esac
  done
  if [[ $words[CURRENT-1] == (-s|--socket) ]]; then _files; return; fi
  if [[ -z $cmd ]]; then
    if [[ $PREFIX == -* ]]; then compadd -- ${flags(program.options).join(' ')}; else _describe 'command' commands; fi
    return
  fi
  case $cmd in
${cases}
  esac
}
if [[ $zsh_eval_context[-1] == loadautofunc ]]; then _lbctl "$@"; else compdef _lbctl lbctl; fi
`;
}

export function registerCompletion(program: Command): void {
  program
    .command('completion')
    .description('print a shell completion script (bash or zsh); server names complete from the running lbd')
    .argument('<shell>', 'bash or zsh')
    .addHelpText('after', '\nExamples:\n  source <(lbctl completion bash)        # in ~/.bashrc\n  lbctl completion zsh > "${fpath[1]}/_lbctl"')
    .action(
      action((shell: string) => {
        if (shell === 'bash') stdout(bashScript(program));
        else if (shell === 'zsh') stdout(zshScript(program));
        else throw new CliError(EXIT.USAGE, `no completion for '${shell}': bash or zsh`, 'usage');
      }),
    );

  // for the completion scripts: every `backend/server` and bare server name, one per line
  program
    .command('__servers', { hidden: true })
    .action(
      action(async (_opts: unknown, cmd: Command) => {
        await withClient(cmd, async (c) => {
          const { snapshot } = await c.request('snapshot', {});
          const names = new Set<string>();
          for (const b of snapshot.backends) for (const s of b.servers) names.add(s.name).add(`${b.name}/${s.name}`);
          stdout([...names].sort().join('\n'));
        });
      }),
    );
}
