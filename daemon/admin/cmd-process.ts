/**
 * Runtime API commands on the process as a whole: frontends, counters, the event ring and lbd's own
 * `reload`. Answers follow HAProxy 2.6 where it has the command, and HAProxy 2.7+'s master CLI for `reload`.
 */
import type { LbdEvent } from '../../shared/events.js';
import type { Runtime } from '../runtime/runtime.js';
import type { Answer, Command, CommandEnv } from './command-types.js';
import { allows, dump, err, msg, PERMISSION_DENIED, SEV, SILENT } from './command-types.js';

/** The one event sink lbd has: its ring of state-change events (servers, backends, frontends, reloads). */
export const EVENT_SINK = 'events';

/** One event as a line of `show events events`: time, kind, the human message. */
export function eventLine(ev: LbdEvent): string {
  return `${new Date(ev.time).toISOString()} ${ev.kind} ${ev.message.replace(/[\r\n]+/g, ' ')}\n`;
}

function sinkList(rt: Runtime): string {
  const recent = rt.events.recent();
  const dropped = recent.length ? recent[0]!.seq - 1 : 0;
  return 'Supported events sinks are listed below. Add -w(wait), -n(new). Any key to stop\n' +
    `    ${EVENT_SINK.padEnd(10)} : type=buffer, ${dropped} dropped, state changes of servers, backends, frontends and reloads\n`;
}

/**
 * `show events [<sink>] [-w] [-n]`: no sink lists the sinks (user level); a sink dumps its ring
 * (operator level), `-n` skips what is already there, `-w` keeps streaming new events until the client
 * sends anything. HAProxy's texts for an unknown sink or option (both without a final newline).
 */
function showEvents(args: string[], env: CommandEnv): Answer {
  const rt = env.ctx.runtime;
  if (!args[2]) return dump(sinkList(rt));
  if (!allows(env.state.level, 'operator')) return err(PERMISSION_DENIED);
  if (args[2] !== EVENT_SINK) return err('No such event sink');
  let wait = false;
  let onlyNew = false;
  for (const opt of args.slice(3)) {
    if (opt === '-w') wait = true;
    else if (opt === '-n') onlyNew = true;
    else return err('unknown option');
  }
  const text = onlyNew ? '' : rt.events.recent().map(eventLine).join('');
  if (!wait) return dump(text);
  return { text, stream: { subscribe: (push) => rt.events.subscribe((ev) => push(eventLine(ev))) } };
}

/** `clear counters [all]`: maxima and rates (operator), or every counter (admin). */
function clearCounters(args: string[], env: CommandEnv): Answer {
  const all = args[2] === 'all';
  if (all && !allows(env.state.level, 'admin')) return err(PERMISSION_DENIED);
  env.ctx.runtime.clearCounters(all);
  return SILENT;
}

/** A frontend by name or `#id` (HAProxy's proxy_fe_by_name()). */
function frontendName(rt: Runtime, arg: string): string | null {
  if (!arg.startsWith('#')) return arg;
  for (const f of rt.frontends.values()) if (`#${f.cfg.id}` === arg) return f.name;
  return null;
}

/** `disable|enable frontend <f>`: stop or resume accepting; HAProxy's texts, lbd's cause on failure. */
async function frontendSwitch(enabled: boolean, args: string[], env: CommandEnv): Promise<Answer> {
  if (!args[2]) return err('A frontend name is expected.\n');
  const rt = env.ctx.runtime;
  const name = frontendName(rt, args[2]);
  const r = name === null ? 'missing' : await rt.setFrontendEnabled(name, enabled, args.join(' '));
  if (r === 'ok') return SILENT;
  if (r === 'missing') return err('No such frontend.\n');
  if (r === 'already') return msg(`All sockets are already ${enabled ? 'enabled' : 'disabled'}.\n`, SEV.NOTICE);
  const head = enabled ? 'Failed to resume frontend, check logs for precise cause (port conflict?).' : 'Failed to pause frontend, check logs for precise cause.';
  return err(`${head}\n${r.error.replace(/\n+/g, ' ')}\n`);
}

/** Lines of a reload answer: never empty ones (an empty line ends an answer for line-oriented clients). */
function lines(items: readonly string[]): string {
  return items.flatMap((m) => m.split('\n')).filter((l) => l.trim() !== '').map((l) => l + '\n').join('');
}

/**
 * `reload`: re-read the configuration files and apply them (what SIGHUP does), answering as HAProxy
 * 2.7+'s master CLI: `Success=1`, `--`, then one line per change and warning; or `Success=0`, `--`,
 * then every error as `file:line: message` (the running configuration stays).
 */
async function reload(env: CommandEnv): Promise<Answer> {
  const r = await env.ctx.control.reload('runtime API');
  return dump(r.ok ? `Success=1\n--\n${lines([...r.changes, ...r.warnings])}` : `Success=0\n--\n${lines(r.errors)}`);
}

export const processCommands: Command[] = [
  {
    words: ['disable', 'frontend'],
    level: 'admin',
    usage: { syntax: 'disable frontend <frontend>', help: 'temporarily disable specific frontend' },
    compat: 'same',
    run: (args, _p, env) => frontendSwitch(false, args, env),
  },
  {
    words: ['enable', 'frontend'],
    level: 'admin',
    usage: { syntax: 'enable frontend <frontend>', help: 're-enable specific frontend' },
    compat: 'same',
    run: (args, _p, env) => frontendSwitch(true, args, env),
  },
  {
    words: ['clear', 'counters'],
    level: 'operator',
    usage: { syntax: 'clear counters [all]', help: 'clear max statistics counters (or all counters)' },
    compat: 'same',
    run: (args, _p, env) => clearCounters(args, env),
  },
  {
    words: ['show', 'events'],
    level: 'user',
    usage: { syntax: 'show events [<sink>] [-w] [-n]', help: 'show event sink state', doc: 'show events [events [-w] [-n]]' },
    compat: 'same',
    run: (args, _p, env) => showEvents(args, env),
  },
  {
    words: ['reload'],
    level: 'admin',
    usage: { syntax: 'reload', help: 'reload the configuration files (answer: Success=1|0, --, changes or errors)' },
    compat: 'lbd',
    run: (_a, _p, env) => reload(env),
  },
];
