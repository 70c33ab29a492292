/**
 * Read-only runtime API commands: `show info`, `show stat`, `show servers state|conn`, `show backend`,
 * `show table`, `show env`, `show version`. The HAProxy-format dumps are views of one Snapshot, built
 * by daemon/stats (design principle 5); this file picks the arguments out as HAProxy 2.6 does.
 */
import type { Snapshot } from '../../shared/snapshot.js';
import { parseShowStatArgs, showBackend, showInfo, showServersState, showStat, type ShowStatOptions } from '../stats/index.js';
import type { AdminLevel } from './types.js';
import { VERSION } from '../version.js';
import type { Answer, Command } from './command-types.js';
import { dump, err, msg } from './command-types.js';

/**
 * `show stat …` arguments, read by daemon/stats (HAProxy 2.6's rules). HAProxy also takes a proxy as
 * `#<id>`: that word becomes the id when such a proxy exists. Legends (addr, cookie, algo) are left
 * empty on a socket bound at level user, as HAProxy does (the socket's level, not the session's).
 */
export function parseShowStat(snap: Snapshot, args: readonly string[], bindLevel: AdminLevel): ShowStatOptions | Answer {
  const words = args.slice(2).map((w) => {
    if (!w.startsWith('#')) return w;
    const id = w.slice(1);
    return snap.frontends.some((f) => String(f.id) === id) || snap.backends.some((b) => String(b.id) === id) ? id : w;
  });
  const o = parseShowStatArgs(snap, words);
  if ('error' in o) return err(`${o.error}\n`);
  return { ...o, legends: bindLevel !== 'user' };
}

function parseShowInfo(args: readonly string[]): Parameters<typeof showInfo>[1] {
  const o: Parameters<typeof showInfo>[1] = { format: 'plain', desc: false, float: false };
  for (const w of args.slice(2)) {
    if (w === 'typed' || w === 'json') o.format = w;
    else if (w === 'desc') o.desc = true;
    else if (w === 'float') o.float = true;
  }
  return o;
}

/** A backend named as `show servers state|conn` accept it: a name or `#id` (a bare number is a name). */
function backendArg(snap: Snapshot, arg: string | undefined): Snapshot['backends'][number] | null | undefined {
  if (!arg) return undefined;
  if (arg.startsWith('#')) return snap.backends.find((b) => `#${b.id}` === arg) ?? null;
  return snap.backends.find((b) => b.name === arg) ?? null;
}

const CONN_HEADER = '# bkname/svname bkid/svid addr port - purge_delay used_cur used_max need_est unsafe_nb safe_nb idle_lim idle_cur idle_per_thr[1]\n';

/**
 * `show servers conn [<backend>]`: HAProxy's columns. lbd keeps no idle server connections, so the
 * idle columns are 0 (limit -1) and there is one thread.
 */
function showServersConn(snap: Snapshot, only: Snapshot['backends'][number] | undefined): string {
  let out = CONN_HEADER;
  for (const b of snap.backends) {
    if (only && b !== only) continue;
    for (const s of b.servers) {
      const c = s.counters;
      out += `${b.name}/${s.name} ${b.id}/${s.id} ${s.address ?? '-'} ${s.port ?? 0} - 0 ${c.cur} ${c.max} ${c.cur} 0 0 -1 0 0\n`;
    }
  }
  return out;
}

export const showCommands: Command[] = [
  {
    words: ['show', 'info'],
    level: 'user',
    usage: { syntax: 'show info [desc|json|typed|float]*', help: 'report information about the running process' },
    compat: 'same',
    run: (args, _p, env) => dump(showInfo(env.ctx.runtime.snapshot(), parseShowInfo(args))),
  },
  {
    words: ['show', 'stat'],
    level: 'user',
    usage: { syntax: 'show stat [desc|json|no-maint|typed|up]*', help: 'report counters for each proxy and server', doc: 'show stat [{<iid>|<proxy>} <type> <sid>] [typed|json] [desc] [up] [no-maint]' },
    compat: 'same',
    run: (args, _p, env) => {
      const snap = env.ctx.runtime.snapshot();
      const o = parseShowStat(snap, args, env.state.bindLevel);
      return 'text' in o ? o : dump(showStat(snap, o));
    },
  },
  {
    words: ['show', 'servers', 'state'],
    level: 'user',
    usage: { syntax: 'show servers state [<backend>]', help: 'dump volatile server information (all or for a single backend)' },
    compat: 'same',
    run: (args, _p, env) => {
      const snap = env.ctx.runtime.snapshot();
      const be = backendArg(snap, args[3]);
      const text = be === null ? null : showServersState(snap, be ? be.name : null);
      return text === null ? err("Can't find backend.\n") : dump(text);
    },
  },
  {
    words: ['show', 'servers', 'conn'],
    level: 'user',
    usage: { syntax: 'show servers conn [<backend>]', help: 'dump server connections status (all or for a single backend)' },
    compat: 'same',
    run: (args, _p, env) => {
      const snap = env.ctx.runtime.snapshot();
      const be = backendArg(snap, args[3]);
      return be === null ? err("Can't find backend.\n") : dump(showServersConn(snap, be));
    },
  },
  {
    words: ['show', 'backend'],
    level: 'user',
    usage: { syntax: 'show backend', help: 'list backends in the current running config' },
    compat: 'same',
    run: (_a, _p, env) => dump(showBackend(env.ctx.runtime.snapshot())),
  },
  {
    words: ['show', 'table'],
    level: 'user',
    usage: { syntax: 'show table <table> [<filter>]*', help: 'report table usage stats or dump this table\'s contents (filter: data/key)' },
    compat: 'same',
    // lbd has no stick tables: the list is empty and every name is unknown
    run: (args) => (args[2] ? err('No such table\n') : dump('')),
  },
  {
    words: ['show', 'env'],
    level: 'operator',
    usage: { syntax: 'show env [var]', help: 'dump environment variables known to the process' },
    compat: 'same',
    run: (args) => {
      if (args[2]) {
        const v = process.env[args[2]];
        return v === undefined ? err('Variable not found\n') : dump(`${args[2]}=${v}\n`);
      }
      return dump(Object.entries(process.env).map(([k, v]) => `${k}=${v ?? ''}\n`).join(''));
    },
  },
  {
    words: ['show', 'version'],
    level: 'user',
    usage: { syntax: 'show version', help: 'show version of the current process' },
    compat: 'same',
    run: () => msg(`${VERSION}\n`),
  },
];
