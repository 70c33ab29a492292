/**
 * THE command table of the admin socket (design principle 4): every runtime API command is one row
 * (words, level, usage, handler). `help` and the "Unknown command" answers are generated from it, the
 * text runtime API (cli.ts) runs it, the WebSocket side runs it through `createExecutor`, and the
 * README's command list is generated from it (`commandReferenceMarkdown`).
 */
import type { AdminContext, AdminLevel, ExecuteCommand } from './types.js';
import type { Answer, Command, CliState, CommandEnv } from './command-types.js';
import { allows, err, msg, PERMISSION_DENIED, SILENT, usageLine } from './command-types.js';
import { usageText } from './usage.js';
import { cliCommands } from './cmd-cli.js';
import { showCommands } from './cmd-show.js';
import { serverCommands } from './cmd-server.js';
import { sessionCommands } from './cmd-session.js';
import { processCommands } from './cmd-process.js';
import { sslCommands } from './cmd-ssl.js';

/** `help`, `prompt` and `quit` have no usage line: HAProxy prints them as the fixed last three lines. */
const basics: Command[] = [
  {
    words: ['help'],
    level: 'user',
    usage: null,
    compat: 'same',
    run: (args) => msg(usageText(COMMANDS, args)),
  },
  {
    words: ['prompt'],
    level: 'user',
    usage: null,
    compat: 'same',
    run: (_a, _p, env) => {
      env.state.interactive = !env.state.interactive;
      return SILENT;
    },
  },
  {
    words: ['quit'],
    level: 'user',
    usage: null,
    compat: 'same',
    run: (_a, _p, env) => {
      env.state.quit = true;
      return SILENT;
    },
  },
];

/** Every command, in registration order (which breaks ties between equally close suggestions). */
export const COMMANDS: readonly Command[] = Object.freeze([
  ...basics,
  ...cliCommands,
  ...showCommands,
  ...processCommands,
  ...serverCommands,
  ...sessionCommands,
  ...sslCommands,
]);

/** The command whose words all start the line (HAProxy's cli_find_kw()), or null. */
export function findCommand(words: readonly string[]): Command | null {
  for (const c of COMMANDS) {
    if (c.words.every((w, i) => words[i] === w)) return c;
  }
  return null;
}

/**
 * Run one request: an unknown line gets the usage answer, a command above the session's level
 * `Permission denied`; a handler's exception becomes an error answer (the session goes on).
 */
export async function runCommand(words: string[], payload: string | null, env: CommandEnv): Promise<Answer> {
  const cmd = findCommand(words);
  if (!cmd) return msg(usageText(COMMANDS, words));
  if (!allows(env.state.level, cmd.level)) return err(PERMISSION_DENIED);
  try {
    return await cmd.run(words, payload, env);
  } catch (e) {
    return err(`Internal error: ${(e as Error).message}\n`);
  }
}

/** A fresh session state at `level` (the one a new connection on a socket of that level starts with). */
export function newCliState(level: AdminLevel, timeoutMs: number): CliState {
  return { level, bindLevel: level, interactive: false, severityOutput: 'none', timeoutMs, quit: false };
}

/**
 * The runtime API for callers without a text session (the WebSocket protocol, lbctl): each call runs
 * one command in a fresh session at `level` and returns the answer's text. Session commands (`prompt`,
 * `set timeout cli`…) answer but change nothing that lasts; `show events -w` returns the dump only.
 */
export function createExecutor(ctx: AdminContext): ExecuteCommand {
  return async (words, payload, level) => (await runCommand(words, payload, { ctx, state: newCliState(level, 10_000) })).text;
}

/** The command list for the README: syntax, level, help, in `help` order. */
export function commandReferenceMarkdown(): string {
  const esc = (s: string) => s.replace(/\|/g, '\\|');
  const rows = COMMANDS.filter((c) => c.usage)
    .map((c) => ({ c, line: usageLine(c.usage!) }))
    .sort((a, b) => (a.line < b.line ? -1 : a.line > b.line ? 1 : 0));
  const out = ['| command | level | what it does |', '|---|---|---|'];
  for (const { c } of rows) out.push(`| \`${esc(c.usage!.doc ?? c.usage!.syntax)}\` | ${c.level} | ${esc(c.usage!.help)}${c.compat === 'lbd' ? ' (lbd only)' : ''} |`);
  out.push('| `help [<command>]` | user | list matching or all commands |');
  out.push('| `prompt` | user | toggle interactive mode with prompt |');
  out.push('| `quit` | user | disconnect |');
  return out.join('\n');
}
