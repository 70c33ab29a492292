/**
 * Runtime API commands on one server (`<backend>/<server>`): maintenance, drain, weights, health
 * checks, sessions and maxconn. Answers and error texts are HAProxy 2.6's, byte for byte (including
 * the two weight errors that lack a final newline), so scripts written for HAProxy read them the same.
 */
import type { Runtime } from '../runtime/runtime.js';
import type { Server } from '../runtime/server.js';
import type { Backend } from '../runtime/backend.js';
import { algorithms } from '../balance/index.js';
import type { Answer, Command, CommandEnv } from './command-types.js';
import { err, SILENT, dump } from './command-types.js';
import { strtol } from './cli-parse.js';

/** A backend by name or `#<id>`, as HAProxy's get_backend_server() finds it (a bare number is a name). */
export function findBackend(rt: Runtime, name: string): Backend | null {
  if (name.startsWith('#')) {
    const id = Number(name.slice(1));
    for (const b of rt.backends.values()) if (b.cfg.id === id) return b;
    return null;
  }
  return rt.backends.get(name) ?? null;
}

/**
 * Resolve `<backend>/<server>` (names or `#id`s) or give HAProxy's answer: `Require 'backend/server'.`
 * without a slash or a server part, `No such backend.`, `No such server.`.
 */
export function resolveServer(rt: Runtime, arg: string | undefined): Server | Answer {
  const slash = arg ? arg.indexOf('/') : -1;
  if (!arg || slash < 0 || slash === arg.length - 1) return err("Require 'backend/server'.\n");
  const be = findBackend(rt, arg.slice(0, slash));
  if (!be) return err('No such backend.\n');
  const sv = rt.findServer(arg.slice(0, slash), arg.slice(slash + 1));
  return sv ?? err('No such server.\n');
}

function isAnswer(x: Server | Answer): x is Answer {
  return 'text' in x;
}

/**
 * HAProxy's server_parse_weight_change_request(): `N` absolute (0..256) or `N%` of the initial weight
 * (rounded down, capped at 256); static algorithms accept only 0% and 100%. Returns the weight or the answer.
 */
export function parseWeight(s: Server, text: string | undefined): number | Answer {
  if (!text) return err('Require <weight> or <weight%>.\n');
  const { value, rest, digits } = strtol(text);
  if (!digits) return err('Empty weight string empty or preceded by garbage');
  let w = value;
  if (rest === '%') {
    if (w < 0) return err('Relative weight must be positive.\n');
    w = Math.min(w, 25600);
    w = Math.min(Math.floor((s.cfg.weight * w) / 100), 256);
  } else if (w < 0 || w > 256) return err('Absolute weight can only be between 0 and 256 inclusive.\n');
  else if (rest !== '') return err('Trailing garbage in weight string');
  if (w !== 0 && w !== s.cfg.weight && !algorithms[s.backend.cfg.balance.algorithm].dynamic) {
    return err("Backend is using a static LB algorithm and only accepts weights '0%' and '100%'.\n");
  }
  return w;
}

/** A handler that resolves `args[at]` as `<backend>/<server>` before acting on it. */
function onServer(at: number, act: (s: Server, args: string[], env: CommandEnv) => Answer | Promise<Answer>): Command['run'] {
  return (args, _payload, env) => {
    const s = resolveServer(env.ctx.runtime, args[at]);
    return isAnswer(s) ? s : act(s, args, env);
  };
}

const commandText = (args: string[]) => args.join(' ');

function setWeight(s: Server, text: string | undefined, env: CommandEnv, args: string[]): Answer {
  const w = parseWeight(s, text);
  if (typeof w !== 'number') return w;
  env.ctx.runtime.setWeight(s, w, commandText(args));
  return SILENT;
}

const SET_SERVER_USAGE =
  'usage: set server <backend>/<server> addr | agent | agent-addr | agent-port | agent-send | check-addr | check-port | fqdn | health | ssl | state | weight\n';

/** `set server <b>/<s> <what> …`: state and weight act; the rest answer as HAProxy would, or say lbd lacks them. */
function setServer(s: Server, args: string[], env: CommandEnv): Answer {
  const rt = env.ctx.runtime;
  switch (args[3]) {
    case 'state': {
      const st = args[4];
      if (st !== 'ready' && st !== 'drain' && st !== 'maint') return err("'set server <srv> state' expects 'ready', 'drain' and 'maint'.\n");
      rt.setServerState(s, st, commandText(args));
      return SILENT;
    }
    case 'weight':
      return setWeight(s, args[4], env, args);
    case 'health':
      if (s.tracked) return err('cannot change health on a tracking server.\n');
      if (args[4] !== 'up' && args[4] !== 'stopping' && args[4] !== 'down') return err("'set server <srv> health' expects 'up', 'stopping', or 'down'.\n");
      return err("'set server <srv> health' is not supported by lbd: use 'state maint|drain|ready'.\n");
    case 'agent':
    case 'agent-addr':
    case 'agent-port':
    case 'agent-send':
      // lbd has no agent checks, so every server answers as HAProxy's servers without `agent-check` do
      return err('agent checks are not enabled on this server.\n');
    case 'addr':
    case 'check-addr':
    case 'check-port':
    case 'fqdn':
    case 'ssl':
      return err(`'set server <srv> ${args[3]}' is not supported by lbd.\n`);
    default:
      return err(SET_SERVER_USAGE);
  }
}

/** `set maxconn server <b>/<s> <n>`: HAProxy's parse; the new limit holds until the next reload. */
function setMaxconn(s: Server, args: string[]): Answer {
  if (!args[4]) return err('Require <maxconn>.\n');
  const { value, rest, digits } = strtol(args[4]);
  if (!digits) return err('maxconn string empty or preceded by garbage');
  if (rest !== '') return err('Trailing garbage in maxconn string');
  // the config object is the server's only maxconn; a reload puts the configured value back, as in HAProxy
  s.cfg = { ...s.cfg, maxconn: Math.max(0, value) };
  s.backend.dequeue(); // a higher limit may let queued sessions in now
  return SILENT;
}

/** Rows of the command table acting on one server. */
export const serverCommands: Command[] = [
  {
    words: ['disable', 'server'],
    level: 'admin',
    usage: { syntax: 'disable server (DEPRECATED)', help: "disable a server for maintenance (use 'set server' instead)", doc: 'disable server <bk>/<srv>' },
    compat: 'same',
    run: onServer(2, (s, args, env) => (env.ctx.runtime.setServerState(s, 'maint', commandText(args)), SILENT)),
  },
  {
    words: ['enable', 'server'],
    level: 'admin',
    usage: { syntax: 'enable server  (DEPRECATED)', help: "enable a disabled server (use 'set server' instead)", doc: 'enable server <bk>/<srv>' },
    compat: 'same',
    run: onServer(2, (s, args, env) => (env.ctx.runtime.setServerState(s, 'ready', commandText(args)), SILENT)),
  },
  {
    words: ['set', 'server'],
    level: 'admin',
    usage: { syntax: 'set server <bk>/<srv> [opts]', help: "change a server's state (ready, drain, maint) or weight", doc: 'set server <bk>/<srv> {state ready|drain|maint | weight <n>[%]}' },
    compat: 'changed',
    run: onServer(2, setServer),
  },
  {
    words: ['set', 'weight'],
    level: 'admin',
    usage: { syntax: 'set weight <bk>/<srv>  (DEPRECATED)', help: "change a server's weight (use 'set server' instead)", doc: 'set weight <bk>/<srv> <n>[%]' },
    compat: 'same',
    run: onServer(2, (s, args, env) => setWeight(s, args[3], env, args)),
  },
  {
    words: ['get', 'weight'],
    level: 'user',
    usage: { syntax: 'get weight <bk>/<srv>', help: "report a server's current weight" },
    compat: 'same',
    run: onServer(2, (s) => dump(`${s.uweight} (initial ${s.cfg.weight})\n`)),
  },
  {
    words: ['disable', 'health'],
    level: 'admin',
    usage: { syntax: 'disable health', help: 'disable health checks', doc: 'disable health <bk>/<srv>' },
    compat: 'same',
    run: onServer(2, (s, args, env) => (env.ctx.runtime.setHealthChecks(s, false, commandText(args)), SILENT)),
  },
  {
    words: ['enable', 'health'],
    level: 'admin',
    usage: { syntax: 'enable health', help: 'enable health checks', doc: 'enable health <bk>/<srv>' },
    compat: 'same',
    run: onServer(2, (s, args, env) => {
      if (!s.cfg.check) return err('Health check was not configured on this server, cannot enable.\n');
      env.ctx.runtime.setHealthChecks(s, true, commandText(args));
      return SILENT;
    }),
  },
  {
    words: ['disable', 'agent'],
    level: 'admin',
    usage: { syntax: 'disable agent', help: 'disable agent checks', doc: 'disable agent <bk>/<srv>' },
    compat: 'same',
    run: onServer(2, () => SILENT),
  },
  {
    words: ['enable', 'agent'],
    level: 'admin',
    usage: { syntax: 'enable agent', help: 'enable agent checks', doc: 'enable agent <bk>/<srv>' },
    compat: 'same',
    run: onServer(2, () => err('Agent was not configured on this server, cannot enable.\n')),
  },
  {
    words: ['shutdown', 'sessions', 'server'],
    level: 'admin',
    usage: { syntax: 'shutdown sessions server <bk>/<srv>', help: 'kill sessions on a server' },
    compat: 'same',
    run: onServer(3, (s, _args, env) => (env.ctx.runtime.shutdownSessions(s), SILENT)),
  },
  {
    words: ['set', 'maxconn', 'server'],
    level: 'admin',
    usage: { syntax: 'set maxconn server <bk>/<srv>', help: "change a server's maxconn setting", doc: 'set maxconn server <bk>/<srv> <n>' },
    compat: 'same',
    run: onServer(3, (s, args) => setMaxconn(s, args)),
  },
];
