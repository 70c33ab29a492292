/**
 * `lbctl events`: the daemon's recent state changes from its event ring, one line each (the same line
 * lbd logs), and with `--follow` the new ones as they happen, across daemon restarts.
 */
import type { Command } from 'commander';
import type { LbdEvent } from '../../shared/events.js';
import { action, CliError, EXIT, printJson, stderr, stdout, untilInterrupted, withClient } from './common.js';

interface EventsOptions {
  json?: boolean;
  follow?: boolean;
  limit?: string;
}

function pad(n: number, w = 2): string {
  return String(n).padStart(w, '0');
}

/** One event as a line: local time with milliseconds, the kind, and the event's own message. */
export function formatEvent(e: LbdEvent): string {
  const d = new Date(e.time);
  const time = `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}.${pad(d.getMilliseconds(), 3)}`;
  return `${time}  ${e.kind.padEnd(13)}  ${e.message}`;
}

export function registerEvents(program: Command): void {
  program
    .command('events')
    .description('recent state changes (checks, admin actions, track, reloads); --follow for new ones')
    .option('-f, --follow', 'keep printing events as they happen until interrupted (survives a daemon restart)')
    .option('-n, --limit <n>', 'how many recent events first (default: 50; with --follow: 10)')
    .option('--json', 'print a JSON array of events (with --follow: one JSON event per line)')
    .addHelpText('after', '\nExamples:\n  lbctl events -n 100\n  lbctl events --follow --json | jq -r \'select(.kind == "server-state") | .object\'')
    .action(
      action(async (opts: EventsOptions, cmd: Command) => {
        const limit = opts.limit === undefined ? (opts.follow ? 10 : 50) : Number(opts.limit);
        if (!Number.isInteger(limit) || limit < 0) throw new CliError(EXIT.USAGE, `--limit must be a whole number, not '${opts.limit}'`, 'usage');
        const print = (e: LbdEvent) => (opts.json ? printJson(e, true) : stdout(formatEvent(e)));
        if (!opts.follow) {
          await withClient(cmd, async (c) => {
            const { events } = await c.request('events', { limit });
            if (opts.json) printJson(events);
            else for (const e of events) print(e);
          });
          return;
        }
        await withClient(
          cmd,
          async (c) => {
            c.on('reconnecting', ({ attempt }: { attempt: number }) => attempt === 1 && stderr('lbctl: connection to lbd lost, reconnecting'));
            c.on('open', () => stderr('lbctl: reconnected'));
            const sub = await c.subscribeEvents({ backlog: limit }, print);
            await untilInterrupted();
            await sub.close();
          },
          { reconnect: true },
        );
      }),
    );
}
