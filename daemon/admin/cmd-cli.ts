/**
 * Runtime API commands about the CLI session itself: levels, timeouts, severity prefixes and the
 * socket list. They change only the session (CliState), never the load balancer.
 */
import type { AdminLevel } from './types.js';
import type { Command } from './command-types.js';
import { allows, dump, err, msg, PERMISSION_DENIED, SILENT } from './command-types.js';

/**
 * HAProxy's parse_time_err() with seconds as the default unit: digits and an optional `us`, `ms`, `s`,
 * `m`, `h` or `d`; the result in whole seconds. null when unreadable or beyond what a timer holds.
 */
export function parseSeconds(text: string): number | null {
  const m = /^(\d+)(us|ms|s|m|h|d)?$/.exec(text);
  if (!m) return null;
  const unitUs: Record<string, number> = { us: 1, ms: 1e3, s: 1e6, m: 60e6, h: 3600e6, d: 86400e6 };
  const secs = Math.floor((Number(m[1]) * unitUs[m[2] ?? 's']!) / 1e6);
  return secs > 2147483 ? null : secs; // setTimeout holds at most 2^31-1 ms
}

/** `user`, `operator`, `admin`: lower the session's level (never raise it: `Permission denied`). */
function levelCommand(level: AdminLevel, help: string, compat: Command['compat']): Command {
  return {
    words: [level],
    level: 'user',
    usage: { syntax: level, help },
    compat,
    run: (_a, _p, env) => {
      if (!allows(env.state.level, level)) return err(PERMISSION_DENIED);
      env.state.level = level;
      return SILENT;
    },
  };
}

export const cliCommands: Command[] = [
  {
    words: ['set', 'timeout'],
    level: 'user',
    usage: { syntax: 'set timeout [cli] <delay>', help: 'change a timeout setting', doc: 'set timeout cli <seconds>' },
    compat: 'same',
    run: (args, _p, env) => {
      if (args[2] !== 'cli') return err("'set timeout' only supports 'cli'.\n");
      if (!args[3]) return err('Expects an integer value.\n');
      const secs = parseSeconds(args[3]);
      if (secs === null || secs < 1) return err('Invalid timeout value.\n');
      env.state.timeoutMs = secs * 1000;
      return SILENT;
    },
  },
  {
    words: ['set', 'severity-output'],
    level: 'user',
    usage: { syntax: 'set severity-output [none|number|string]', help: 'set presence of severity level in feedback information' },
    compat: 'same',
    run: (args, _p, env) => {
      const v = args[2];
      if (v !== 'none' && v !== 'number' && v !== 'string') return err("one of 'none', 'number', 'string' is a required argument\n");
      env.state.severityOutput = v;
      return SILENT;
    },
  },
  levelCommand('operator', 'lower the level of the current CLI session to operator', 'same'),
  levelCommand('user', 'lower the level of the current CLI session to user', 'same'),
  // not in HAProxy 2.6 (2.7 added it): lets a script assert it runs at admin level
  levelCommand('admin', 'keep the session at admin level (refused below admin)', 'lbd'),
  {
    words: ['show', 'cli', 'level'],
    level: 'user',
    usage: { syntax: 'show cli level', help: 'display the level of the current CLI session' },
    compat: 'same',
    run: (_a, _p, env) => msg(`${env.state.level}\n`),
  },
  {
    words: ['show', 'cli', 'sockets'],
    level: 'user',
    usage: { syntax: 'show cli sockets', help: 'dump list of cli sockets' },
    compat: 'same',
    run: (_a, _p, env) => {
      const socks = env.ctx.sockets?.() ?? [];
      return dump('# socket lvl processes\n' + socks.map((s) => `unix@${s.path} ${s.level} all\n`).join(''));
    },
  },
];
