/** `global` section keywords. */
import type { AdminLevel } from '../types.js';
import type { GlobalDraft } from '../drafts.js';
import { oneOf, type KwCtx } from '../context.js';
import { parseDuration, parseInteger, parseOctalMode } from '../units.js';
import { didYouMean } from '../suggest.js';
import { dispatchSub, type Keyword, type KeywordTable, type SubKeyword } from './table.js';
import { parseLogLine } from './logging.js';
import { applyVersionWord, takesVersion, VERSION_WORDS_HELP } from './ssl-options.js';
import type { SslDefaultBindDraft } from '../drafts.js';

const GLOBAL = ['global'] as const;

/** A keyword HAProxy knows that lbd accepts and does not act on: a warning says why. */
function ignored(help: string, why: string): Keyword<GlobalDraft> {
  return { help, sections: GLOBAL, parse: (ctx) => ctx.warn(`ignored by lbd (${why})`) };
}

/** `stats socket` options after the path, each `(ctx, socket, index of its word) → words consumed`. */
interface SocketDraft {
  mode: number;
  level: AdminLevel;
}
const SOCKET_OPTIONS: Readonly<Record<string, { help: string; parse: (ctx: KwCtx, s: SocketDraft, i: number) => number }>> = {
  mode: {
    help: '<octal> file mode of the socket (default 600)',
    parse(ctx, s, i) {
      const w = ctx.args[i + 1];
      if (w === undefined) ctx.error(`'mode' expects an octal file mode such as 600`, ctx.args[i]);
      else s.mode = ctx.value(parseOctalMode(w.text), w) ?? s.mode;
      return 2;
    },
  },
  level: {
    help: 'user|operator|admin: what commands the socket accepts (default operator)',
    parse(ctx, s, i) {
      const w = ctx.args[i + 1];
      if (w === undefined) ctx.error(`'level' expects user, operator or admin`, ctx.args[i]);
      else s.level = oneOf(ctx, w, ['user', 'operator', 'admin'] as const, 'level') ?? s.level;
      return 2;
    },
  },
  'expose-fd': {
    help: 'listeners: accepted for compatibility; lbd reloads in-process and does not pass sockets',
    parse(ctx, _s, i) {
      const w = ctx.args[i + 1];
      if (w?.text !== 'listeners') ctx.error(`'expose-fd' expects 'listeners'`, w ?? ctx.args[i]);
      else ctx.warn(`'expose-fd listeners' is ignored by lbd (reloads happen in-process)`, ctx.args[i]);
      return 2;
    },
  },
};

const STATS: Readonly<Record<string, SubKeyword<GlobalDraft>>> = {
  socket: {
    help: '<path> [mode <octal>] [level user|operator|admin]: admin socket (UNIX stream socket)',
    parse(ctx, g) {
      const path = ctx.args[0];
      if (path === undefined) return ctx.error('expects a socket path');
      let file = path.text;
      if (file.startsWith('unix@')) file = file.slice('unix@'.length);
      if (/^[a-z0-9]+@/.test(file) || file === '') return ctx.error(`lbd only supports UNIX socket paths here, got '${path.text}'`, path);
      const s: SocketDraft = { mode: 0o600, level: 'operator' };
      for (let i = 1; i < ctx.args.length; ) {
        const w = ctx.args[i];
        const opt = Object.hasOwn(SOCKET_OPTIONS, w.text) ? SOCKET_OPTIONS[w.text] : undefined;
        if (opt === undefined) {
          ctx.error(`unknown option '${w.text}'${didYouMean(w.text, Object.keys(SOCKET_OPTIONS))}`, w);
          for (i++; i < ctx.args.length && !Object.hasOwn(SOCKET_OPTIONS, ctx.args[i].text); i++); // its arguments
        } else {
          i += opt.parse(ctx, s, i);
        }
      }
      const dup = g.statsSockets.find((o) => o.path === file);
      if (dup) return ctx.error(`socket '${file}' is already declared at ${dup.where.file}:${dup.where.line}`, path);
      g.statsSockets.push({ path: file, mode: s.mode, level: s.level, where: { file: ctx.line.file, line: ctx.line.line } });
    },
  },
  timeout: {
    help: '<duration>: idle timeout of admin connections (default 10s)',
    parse(ctx, g) {
      g.statsTimeout = ctx.single(parseDuration, 'a duration such as 10s') ?? g.statsTimeout;
    },
  },
};

/** The `ssl-default-bind-*` draft, created on first use. */
function sslDefaults(g: GlobalDraft): SslDefaultBindDraft {
  return (g.sslDefaultBind ??= { versions: { disabled: [] }, noTlsTickets: false });
}

/** `ssl-default-bind-ciphers|ciphersuites|curves <list>`. */
function sslDefaultString(key: 'ciphers' | 'ciphersuites' | 'curves', help: string): Keyword<GlobalDraft> {
  return {
    help,
    sections: GLOBAL,
    parse(ctx, g) {
      if (ctx.expectCount(1, 'a colon-separated list')) sslDefaults(g)[key] = ctx.args[0].text;
    },
  };
}

/** The table of `global` keywords. */
export const GLOBAL_KEYWORDS: KeywordTable<GlobalDraft> = {
  maxconn: {
    help: '<n>: process-wide connection limit (default 100000)',
    sections: GLOBAL,
    parse(ctx, g) {
      g.maxconn = ctx.single((t) => parseInteger(t, 1, Number.MAX_SAFE_INTEGER), 'a positive integer') ?? g.maxconn;
    },
  },
  stats: {
    help: 'socket … | timeout …: the admin socket',
    sections: GLOBAL,
    parse: (ctx, g) => dispatchSub(ctx, g, STATS, 'stats setting'),
    sub: STATS,
  },
  'spread-checks': {
    help: '<0..50>: percentage of random jitter added to each check interval (default 0)',
    sections: GLOBAL,
    parse(ctx, g) {
      g.spreadChecks = ctx.single((t) => parseInteger(t, 0, 50), 'a percentage between 0 and 50') ?? g.spreadChecks;
    },
  },
  'hard-stop-after': {
    help: '<duration>: how long a stopping lbd waits for sessions to end (default forever)',
    sections: GLOBAL,
    parse(ctx, g) {
      g.hardStopAfter = ctx.single(parseDuration, 'a duration such as 30s') ?? g.hardStopAfter;
    },
  },
  pidfile: {
    help: '<path>: write the process id there',
    sections: GLOBAL,
    parse(ctx, g) {
      if (ctx.expectCount(1, 'a file path')) g.pidfile = ctx.args[0].text;
    },
  },
  log: {
    help: '<address> [len <n>] [format <fmt>] [sample <r>:<n>] <facility> [<level> [<minlevel>]]: where \'log global\' in proxies sends access logs (lbd\'s own messages go to stderr)',
    sections: GLOBAL,
    parse(ctx, g) {
      if (ctx.args.length === 0) return ctx.error('expects a log target');
      const t = parseLogLine(ctx, false);
      if (t === undefined) return;
      g.logs.push(ctx.line.raw);
      g.logTargets.push(t);
    },
  },
  daemon: ignored('accepted and ignored', 'it runs in the foreground; let the service manager detach it'),
  'master-worker': ignored('accepted and ignored', 'one process reloads in place'),
  user: ignored('<user>: accepted and ignored', 'it does not change user; start it as the right user'),
  group: ignored('<group>: accepted and ignored', 'it does not change group; start it as the right user'),
  uid: ignored('<uid>: accepted and ignored', 'it does not change user; start it as the right user'),
  gid: ignored('<gid>: accepted and ignored', 'it does not change group; start it as the right user'),
  chroot: ignored('<dir>: accepted and ignored', 'it does not chroot'),
  nbthread: ignored('<n>: accepted and ignored', 'it runs one event loop'),
  nbproc: ignored('<n>: accepted and ignored', 'it runs one process'),
  'ca-base': {
    help: '<dir>: directory of relative ca-file and crl-file paths',
    sections: GLOBAL,
    parse(ctx, g) {
      if (ctx.expectCount(1, 'a directory')) g.caBase = ctx.args[0].text;
    },
  },
  'crt-base': {
    help: '<dir>: directory of relative crt paths (and of the certificates a crt-list names)',
    sections: GLOBAL,
    parse(ctx, g) {
      if (ctx.expectCount(1, 'a directory')) g.crtBase = ctx.args[0].text;
    },
  },
  'ssl-default-bind-options': {
    help: `<option>…: TLS options every 'bind … ssl' starts from: ${[...Object.keys(VERSION_WORDS_HELP), 'no-tls-tickets', 'prefer-client-ciphers'].join(', ')} (ssl-min-ver/ssl-max-ver take a version)`,
    sections: GLOBAL,
    parse(ctx, g) {
      if (ctx.args.length === 0) return ctx.error('expects at least one option');
      const d = sslDefaults(g);
      for (let i = 0; i < ctx.args.length; i++) {
        const w = ctx.args[i];
        if (w.text === 'no-tls-tickets') d.noTlsTickets = true;
        else if (w.text === 'prefer-client-ciphers') ctx.warn(`option 'prefer-client-ciphers' is ignored by lbd`, w);
        else if (applyVersionWord(ctx, d.versions, w, ctx.args[i + 1])) i += takesVersion(w.text) ? 1 : 0;
        else ctx.error(`unknown option '${w.text}'${didYouMean(w.text, [...Object.keys(VERSION_WORDS_HELP), 'no-tls-tickets'])}`, w);
      }
    },
  },
  'ssl-default-bind-ciphers': sslDefaultString('ciphers', '<list>: OpenSSL cipher list (TLSv1.2 and below) of every bind … ssl without its own ciphers'),
  'ssl-default-bind-ciphersuites': sslDefaultString('ciphersuites', '<list>: TLSv1.3 cipher suites of every bind … ssl without its own ciphersuites'),
  'ssl-server-verify': {
    help: "none|required: whether servers with 'ssl' verify their certificate by default (default required)",
    sections: GLOBAL,
    parse(ctx, g) {
      const v = ctx.args[0]?.text;
      if (ctx.args.length !== 1 || (v !== 'none' && v !== 'required')) return ctx.error("expects 'none' or 'required'", ctx.args[0]);
      g.sslServerVerify = v;
    },
  },
  'ssl-default-bind-curves': sslDefaultString('curves', '<list>: key exchange groups of every bind … ssl without its own curves'),
  'tune.bufsize': {
    help: '<bytes>: buffer size, which bounds a request or response head (default 16384)',
    sections: GLOBAL,
    parse(ctx, g) {
      g.tune.bufsize = ctx.single((t) => parseInteger(t, 1024, 1 << 30), 'a size in bytes (at least 1024)') ?? g.tune.bufsize;
    },
  },
  'tune.http.maxhdr': {
    help: '<n>: most header fields a request or response may have (default 101)',
    sections: GLOBAL,
    parse(ctx, g) {
      g.tune.httpMaxhdr = ctx.single((t) => parseInteger(t, 1, 32767), 'a number between 1 and 32767') ?? g.tune.httpMaxhdr;
    },
  },
  'tune.*': ignored('tune.<name> <value>: other tunables are accepted and ignored', 'it has no such tunable'),
};

/** The row for a global keyword, including prefix rows such as `tune.*`. */
export function globalKeyword(name: string): Keyword<GlobalDraft> | undefined {
  if (Object.hasOwn(GLOBAL_KEYWORDS, name)) return GLOBAL_KEYWORDS[name];
  if (name.startsWith('tune.')) return GLOBAL_KEYWORDS['tune.*'];
  return undefined;
}
