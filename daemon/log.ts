/**
 * The daemon's log: one line per message on stderr in HAProxy's form `[LEVEL]    (pid) : message`,
 * so operators' log habits carry over. Debug lines appear only with `-d`; `-q`-style quiet drops notices.
 */
export type LogLevel = 'debug' | 'notice' | 'warn' | 'alert';

export interface Logger {
  debug(msg: string): void;
  notice(msg: string): void;
  warn(msg: string): void;
  alert(msg: string): void;
}

const TAGS: Record<LogLevel, string> = {
  debug: '[DEBUG]   ',
  notice: '[NOTICE]  ',
  warn: '[WARNING] ',
  alert: '[ALERT]   ',
};
const RANK: Record<LogLevel, number> = { debug: 0, notice: 1, warn: 2, alert: 3 };

export function createLogger(opts: { level?: LogLevel; write?: (line: string) => void } = {}): Logger {
  const min = RANK[opts.level ?? 'notice'];
  const write = opts.write ?? ((line: string) => void process.stderr.write(line));
  const out = (lvl: LogLevel) => (msg: string) => {
    if (RANK[lvl] >= min) write(`${TAGS[lvl]} (${process.pid}) : ${msg}\n`);
  };
  return { debug: out('debug'), notice: out('notice'), warn: out('warn'), alert: out('alert') };
}

/** A logger that keeps lines in memory (tests). */
export function memoryLogger(): Logger & { lines: string[] } {
  const lines: string[] = [];
  const l = createLogger({ level: 'debug', write: (x) => void lines.push(x.trimEnd()) });
  return Object.assign(l, { lines });
}
