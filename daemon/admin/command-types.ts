/**
 * The shape of one runtime API command (a row of the command table in commands.ts) and of its answer.
 * Commands are plain data plus a handler, the way HAProxy registers `cli_kws`: the words that select it,
 * the lowest level allowed, the usage line `help` prints, and what it does.
 */
import type { AdminContext, AdminLevel } from './types.js';
import { LEVELS } from './types.js';

/** Syslog severities HAProxy attaches to CLI messages (shown with `set severity-output`). */
export const SEV = Object.freeze({ ERR: 3, NOTICE: 5, INFO: 6 });

/** Names of the syslog severities, for `set severity-output string`. */
export const SEV_NAMES: readonly string[] = ['emerg', 'alert', 'crit', 'err', 'warning', 'notice', 'info', 'debug'];

/**
 * A live feed after an answer (`show events <sink> -w`): `subscribe` starts it, the returned function
 * stops it. The text runtime API streams it until the client sends anything; other callers ignore it.
 */
export interface AnswerStream {
  subscribe(push: (text: string) => void): () => void;
}

/**
 * One answer. With a `severity` it is a message (HAProxy's cli_msg/cli_err: `set severity-output`
 * prefixes it with `[3]: `); without, it is a dump (`get weight`, `show stat`), never prefixed.
 * `text` is exactly what HAProxy prints, usually ending in `\n`; the framing adds the terminating line.
 */
export interface Answer {
  text: string;
  severity?: number;
  stream?: AnswerStream;
}

/** The state of one runtime API session that commands read or change (levels, prompt, timeouts). */
export interface CliState {
  /** Current level: starts at the socket's level, `user`/`operator` lower it, nothing raises it. */
  level: AdminLevel;
  /** The socket's configured level (HAProxy uses it, not the session level, for `show stat` legends). */
  readonly bindLevel: AdminLevel;
  /** `prompt` mode: answers end with `\n> ` and the connection stays open. */
  interactive: boolean;
  severityOutput: 'none' | 'number' | 'string';
  /** Idle timeout of this session (`stats timeout`, `set timeout cli`). */
  timeoutMs: number;
  /** Set by `quit`: close without another byte. */
  quit: boolean;
}

/** What a handler gets besides its words: the daemon and the session. */
export interface CommandEnv {
  readonly ctx: AdminContext;
  readonly state: CliState;
}

/** `help` line parts: rendered as two spaces, the syntax padded to 40 columns, `: `, the help text. */
export interface Usage {
  readonly syntax: string;
  readonly help: string;
  /** The full syntax for the README where HAProxy's usage line leaves arguments out (`disable health`). */
  readonly doc?: string;
}

export interface Command {
  /** Keyword words matched exactly at the start of the line (HAProxy's `str_kw`). */
  readonly words: readonly string[];
  /** Lowest level allowed, checked before the handler runs (a few handlers check more, e.g. `clear counters all`). */
  readonly level: AdminLevel;
  /** What `help` lists; null for `help`, `prompt` and `quit`, which HAProxy always prints as the last three lines. */
  readonly usage: Usage | null;
  /**
   * `same`: HAProxy 2.6 has the command and lbd's usage line is byte-identical (a test compares it with
   * the captured `help`); `changed`: HAProxy has it, lbd's help says what lbd does; `lbd`: lbd only.
   */
  readonly compat: 'same' | 'changed' | 'lbd';
  run(args: string[], payload: string | null, env: CommandEnv): Answer | Promise<Answer>;
}

/** A message at info level (HAProxy's cli_msg with LOG_INFO). */
export function msg(text: string, severity: number = SEV.INFO): Answer {
  return { text, severity };
}

/** An error message (HAProxy's cli_err: LOG_ERR). */
export function err(text: string): Answer {
  return { text, severity: SEV.ERR };
}

/** Output that is data, not a message (never prefixed with a severity). */
export function dump(text: string): Answer {
  return { text };
}

/** The answer of a command that succeeds silently. */
export const SILENT: Answer = Object.freeze({ text: '' });

export const PERMISSION_DENIED = 'Permission denied\n';

/** True when a session at `have` may run what needs `need` (user < operator < admin). */
export function allows(have: AdminLevel, need: AdminLevel): boolean {
  return LEVELS.indexOf(have) >= LEVELS.indexOf(need);
}

/** The `help` line of a usage: `  <syntax padded to 40>: <help>`. */
export function usageLine(u: Usage): string {
  return `  ${u.syntax.padEnd(40)}: ${u.help}`;
}
