/**
 * `show sess [<id>|all]` and `shutdown session <id>`: the proxied TCP sessions that are live now.
 * HAProxy names a session by its memory address; lbd prints its numeric id the same way (`0x1f`), so
 * the usual `show sess` → `shutdown session 0x1f` workflow and HAProxy's error texts carry over.
 */
import { TcpSession } from '../proxy/tcp-session.js';
import { HttpSession } from '../proxy/http-session.js';
import type { Runtime } from '../runtime/runtime.js';
import type { Command } from './command-types.js';
import { dump, err, SILENT } from './command-types.js';
import { strtol } from './cli-parse.js';
import { monoEpochNow, monoToWall } from '../runtime/clock.js';

type Live = TcpSession | HttpSession;

/** Live proxied sessions (TCP, and HTTP client connections with a request in progress), oldest first. */
function liveSessions(rt: Runtime): Live[] {
  const out: Live[] = [];
  for (const s of rt.proc.sessions) if (s instanceof TcpSession || (s instanceof HttpSession && s.inProgress)) out.push(s);
  return out.sort((a, b) => a.id - b.id);
}

/** HAProxy's human_time(): the two largest units (`12s`, `3m05s`, `2h14m`, `1d3h`). */
export function humanAge(ms: number): string {
  const t = Math.max(0, Math.floor(ms / 1000));
  const d = Math.floor(t / 86400);
  const h = Math.floor((t % 86400) / 3600);
  const m = Math.floor((t % 3600) / 60);
  const s = t % 60;
  if (d) return `${d}d${h}h`;
  if (h) return `${h}h${String(m).padStart(2, '0')}m`;
  if (m) return `${m}m${String(s).padStart(2, '0')}s`;
  return `${s}s`;
}

function proto(addr: string | null): string {
  return addr && addr.includes(':') ? 'tcpv6' : 'tcpv4';
}

function oneLine(s: Live, now: number): string {
  const src = s.client.remoteAddress();
  return `0x${s.id.toString(16)}: proto=${proto(src)} src=${src ?? '?'} fe=${s.frontend.name} be=${s.backend?.name ?? '<NONE>'} ` +
    `srv=${s.target ? s.target.name : '<none>'} age=${humanAge(now - s.startedAt)}\n`;
}

function stamp(ms: number): string {
  const d = new Date(ms);
  const mon = d.toLocaleString('en-US', { month: 'short', timeZone: 'UTC' });
  const p = (n: number, w = 2) => String(n).padStart(w, '0');
  return `${p(d.getUTCDate())}/${mon}/${d.getUTCFullYear()}:${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())}.${p(d.getUTCMilliseconds(), 3)}`;
}

/** The multi-line form (`show sess <id>`), the first lines of HAProxy's dump with what lbd knows. */
function detail(s: Live, now: number): string {
  const src = s.client.remoteAddress();
  const t = s.target;
  const mode = s.frontend.cfg.mode;
  const be = s.backend;
  return `0x${s.id.toString(16)}: [${stamp(monoToWall(s.startedAt))}] id=${s.id} proto=${proto(src)} source=${src ?? '?'}\n` +
    `  frontend=${s.frontend.name} (id=${s.frontend.cfg.id} mode=${mode})\n` +
    `  backend=${be ? `${be.name} (id=${be.cfg.id} mode=${mode})` : '<NONE>'}\n` +
    `  server=${t ? `${t.name} (id=${t.id}) addr=${t.addrString()}` : '<none>'}\n` +
    `  age=${humanAge(now - s.startedAt)} client_ended=${s.clientEnded ? 1 : 0} server_ended=${s.serverEnded ? 1 : 0}\n`;
}

export const sessionCommands: Command[] = [
  {
    words: ['show', 'sess'],
    level: 'operator',
    usage: { syntax: 'show sess [id]', help: 'report the list of current sessions or dump this exact session' },
    compat: 'same',
    run: (args, _p, env) => {
      const rt = env.ctx.runtime;
      const now = monoEpochNow();
      const all = liveSessions(rt);
      if (args[2] === 'all') return dump(all.map((s) => detail(s, now)).join(''));
      // like HAProxy's strtoul(arg, NULL, 0): an unreadable id is 0, which lists everything
      const id = args[2] ? strtol(args[2], 0).value : 0;
      if (!id) return dump(all.map((s) => oneLine(s, now)).join(''));
      const one = all.find((s) => s.id === id);
      return one ? dump(detail(one, now)) : dump('Session not found.\n');
    },
  },
  {
    words: ['shutdown', 'session'],
    level: 'admin',
    usage: { syntax: 'shutdown session [id]', help: 'kill a specific session', doc: 'shutdown session <id>' },
    compat: 'same',
    run: (args, _p, env) => {
      const id = args[2] ? strtol(args[2], 0).value : 0;
      if (!id) return err("Session pointer expected (use 'show sess').\n");
      const s = liveSessions(env.ctx.runtime).find((x) => x.id === id);
      if (!s) return err("No such session (use 'show sess').\n");
      s.kill('shutdown session (runtime API)');
      return SILENT;
    },
  },
];
