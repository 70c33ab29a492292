/**
 * `server <name> <addr>[:port] [options]` and `default-server [options]`: the server option table
 * (HAProxy's `srv_kws`). `default-server` sets options for the servers declared after it in the same
 * section, and a `defaults` section's `default-server` is inherited by the proxies that use it.
 */
import { isIP } from 'node:net';
import type { OnError, SourceRef } from '../types.js';
import { compileFormatter } from '../../http/acl/format.js';
import type { Word } from '../lexer.js';
import type { ProxyDraft, ServerOptions } from '../drafts.js';
import { invalidNameChar, type KwCtx } from '../context.js';
import { parseDuration, parseInteger, parsePort, type Parsed } from '../units.js';
import { parseServerAddress } from '../address.js';
import { didYouMean } from '../suggest.js';

interface ServerOption {
  readonly help: string;
  /** Number of values after the option word (0 or 1). */
  readonly arity: 0 | 1;
  /** False for options that only make sense on one server (`id`, `track`). */
  readonly inDefaultServer: boolean;
  /** `value` is the word after the option (the option word itself for flags), `opt` the option word. */
  readonly parse: (ctx: KwCtx, o: ServerOptions, value: Word, opt: Word) => void;
}

const MAX = Number.MAX_SAFE_INTEGER;

/** A flag option: `check`, `backup` … */
function flag(help: string, set: (o: ServerOptions) => void): ServerOption {
  return { help, arity: 0, inDefaultServer: true, parse: (_ctx, o) => set(o) };
}

/** An option with one value checked by `parse`; a failed value is reported as `'<option>' <error>`. */
function valued<T>(help: string, parse: (t: string) => Parsed<T>, set: (o: ServerOptions, v: T) => void, inDefaultServer = true): ServerOption {
  return {
    help,
    arity: 1,
    inDefaultServer,
    parse(ctx, o, w, opt) {
      const r = parse(w.text);
      if (r.ok) set(o, r.value);
      else ctx.error(`option '${opt.text}': ${r.error}`, w);
    },
  };
}

const positiveDelay = (t: string): Parsed<number> => {
  const r = parseDuration(t);
  return r.ok && r.value === 0 ? { ok: false, error: `expected a positive delay, got '${t}'` } : r;
};
const choice = <T extends string>(allowed: readonly T[]) => (t: string): Parsed<T> =>
  (allowed as readonly string[]).includes(t) ? { ok: true, value: t as T } : { ok: false, error: `expected one of ${allowed.join(', ')}, got '${t}'` };

const nonEmpty = (t: string): Parsed<string> => (t === '' ? { ok: false, error: 'expects a value' } : { ok: true, value: t });

/** `ssl-min-ver`/`ssl-max-ver` words, as Node names them. */
function tlsVersion(t: string): Parsed<'TLSv1' | 'TLSv1.1' | 'TLSv1.2' | 'TLSv1.3'> {
  const map: Record<string, 'TLSv1' | 'TLSv1.1' | 'TLSv1.2' | 'TLSv1.3'> = { 'TLSv1.0': 'TLSv1', 'TLSv1.1': 'TLSv1.1', 'TLSv1.2': 'TLSv1.2', 'TLSv1.3': 'TLSv1.3' };
  const v = map[t];
  return v ? { ok: true, value: v } : { ok: false, error: `expected TLSv1.0, TLSv1.1, TLSv1.2 or TLSv1.3, got '${t}'` };
}

/** An option whose value is a file path, kept with where it was written (files are loaded when the config is built). */
function placed(help: string, set: (o: ServerOptions, v: { value: string; where: SourceRef }) => void): ServerOption {
  return {
    help,
    arity: 1,
    inDefaultServer: true,
    parse(ctx, o, w, opt) {
      if (w.text === '') return ctx.error(`option '${opt.text}' expects a file`, w);
      set(o, { value: w.text, where: { file: ctx.line.file, line: ctx.line.line } });
    },
  };
}

/** `init-addr last,libc,none,<ip>`: the order in which to find the address at startup. */
function parseInitAddr(t: string): Parsed<string[]> {
  const methods = t.split(',');
  for (const m of methods) {
    if (m !== 'last' && m !== 'libc' && m !== 'none' && isIP(m) === 0) {
      return { ok: false, error: `expected a comma-separated list of last, libc, none or IP addresses, got '${m}'${didYouMean(m, ['last', 'libc', 'none'])}` };
    }
  }
  return { ok: true, value: methods };
}

/** `track [<backend>/]<server>`. */
function parseTrack(t: string): Parsed<{ backend: string | null; server: string }> {
  const m = /^(?:([^/]+)\/)?([^/]+)$/.exec(t);
  if (!m) return { ok: false, error: `expected [<backend>/]<server>, got '${t}'` };
  return { ok: true, value: { backend: m[1] ?? null, server: m[2] } };
}

/** `addr <ip|host>`: only the host is taken (no port, that is the `port` option). */
function parseCheckAddr(t: string): Parsed<string> {
  const a = parseServerAddress(t);
  if (!a.ok) return a;
  if (a.value.port !== null) return { ok: false, error: `expected an address without a port (use 'port' for the check port), got '${t}'` };
  return { ok: true, value: a.value.host };
}

/** The server option table. */
export const SERVER_OPTIONS: Readonly<Record<string, ServerOption>> = {
  check: flag('enable health checks', (o) => (o.check = true)),
  'no-check': flag('disable health checks (undoes a default-server check)', (o) => (o.check = false)),
  inter: valued('<duration>: interval between checks while the server is up (default 2s)', positiveDelay, (o, v) => (o.inter = v)),
  fastinter: valued('<duration>: interval while the server is going up or down (default inter)', positiveDelay, (o, v) => (o.fastinter = v)),
  downinter: valued('<duration>: interval while the server is down (default inter)', positiveDelay, (o, v) => (o.downinter = v)),
  rise: valued('<n>: consecutive successful checks to mark the server up (default 2)', (t) => parseInteger(t, 1, MAX), (o, v) => (o.rise = v)),
  fall: valued('<n>: consecutive failed checks to mark the server down (default 3)', (t) => parseInteger(t, 1, MAX), (o, v) => (o.fall = v)),
  weight: valued('<0..256>: share of the load (default 1)', (t) => parseInteger(t, 0, 256), (o, v) => (o.weight = v)),
  disabled: flag('start the server in maintenance', (o) => (o.disabled = true)),
  enabled: flag('start the server ready (undoes disabled)', (o) => (o.disabled = false)),
  backup: flag('use the server only when no active server is available', (o) => (o.backup = true)),
  'no-backup': flag('undo a default-server backup', (o) => (o.backup = false)),
  track: valued('[<backend>/]<server>: take the health of another server instead of checking', parseTrack, (o, v) => (o.track = v), false),
  port: valued('<port>: send health checks to this port', parsePort, (o, v) => (o.checkPort = v)),
  addr: valued('<address>: send health checks to this address', parseCheckAddr, (o, v) => (o.checkAddr = v)),
  maxconn: valued('<n>: max concurrent sessions on the server, 0 = unlimited (default 0)', (t) => parseInteger(t, 0, MAX), (o, v) => (o.maxconn = v)),
  maxqueue: valued('<n>: max sessions waiting for the server, 0 = unlimited (default 0)', (t) => parseInteger(t, 0, MAX), (o, v) => (o.maxqueue = v)),
  slowstart: valued('<duration>: ramp the weight up over this time after the server comes up (default 0 = off)', parseDuration, (o, v) => (o.slowstart = v)),
  observe: valued('layer4|layer7: count live traffic errors', choice(['layer4', 'layer7'] as const), (o, v) => (o.observe = v)),
  'error-limit': valued('<n>: errors before on-error applies (default 10)', (t) => parseInteger(t, 1, MAX), (o, v) => (o.errorLimit = v)),
  'on-error': valued('fastinter|fail-check|sudden-death|mark-down: what observed errors do (default fail-check)', choice<OnError>(['fastinter', 'fail-check', 'sudden-death', 'mark-down']), (o, v) => (o.onError = v)),
  'on-marked-down': valued('shutdown-sessions: close the sessions of a server marked down', choice(['shutdown-sessions'] as const), (o, v) => (o.onMarkedDown = v)),
  'on-marked-up': valued('shutdown-backup-sessions: close backup sessions when this server comes up', choice(['shutdown-backup-sessions'] as const), (o, v) => (o.onMarkedUp = v)),
  'init-addr': valued('<method>[,<method>…]: last, libc, none or an IP, tried in order at startup (default last,libc)', parseInitAddr, (o, v) => (o.initAddr = v)),
  id: {
    help: '<n>: server id (default: next free number)',
    arity: 1,
    inDefaultServer: false,
    parse(ctx, o, w) {
      const r = parseInteger(w.text, 1, 2_147_483_647);
      if (r.ok) o.id = { value: r.value, where: { file: ctx.line.file, line: ctx.line.line } };
      else ctx.error(`option 'id': ${r.error}`, w);
    },
  },
  'send-proxy': flag('send a PROXY protocol v1 header with the client\'s addresses first on each connection', (o) => (o.sendProxyV1 = true)),
  'no-send-proxy': flag('undo a default-server send-proxy', (o) => (o.sendProxyV1 = false)),
  'send-proxy-v2': flag('send a PROXY protocol v2 header with the client\'s addresses first on each connection', (o) => (o.sendProxyV2 = true)),
  'no-send-proxy-v2': flag('undo a default-server send-proxy-v2', (o) => (o.sendProxyV2 = false)),
  'check-send-proxy': flag('send a PROXY header on health checks too (the default with send-proxy unless port or addr is set)', (o) => (o.checkSendProxy = true)),
  'no-check-send-proxy': flag('undo a default-server check-send-proxy', (o) => (o.checkSendProxy = false)),
  ssl: flag('connect to the server over TLS (verify required needs ca-file, or verify none)', (o) => (o.ssl = true)),
  'no-ssl': flag('undo a default-server ssl', (o) => (o.ssl = false)),
  verify: valued('none|required: check the server certificate against ca-file (default required, see ssl-server-verify)', choice(['none', 'required'] as const), (o, v) => (o.sslVerify = v)),
  'ca-file': placed('<file>: CA certificates the server certificate must chain to (relative to ca-base)', (o, v) => (o.sslCaFile = v)),
  verifyhost: valued('<name>: the name the server certificate must carry (default: the SNI sent)', nonEmpty, (o, v) => (o.sslVerifyHost = v)),
  sni: {
    help: '<expr>: sample expression giving the server name sent in the TLS handshake, e.g. req.hdr(host) or str(api.example)',
    arity: 1,
    inDefaultServer: true,
    parse(ctx, o, w) {
      const f = compileFormatter(`%[${w.text}]`, { dir: 'req', acl: false, userlist: () => () => null });
      if (typeof f === 'string') return ctx.error(`option 'sni': ${f}`, w);
      o.sslSni = f;
    },
  },
  alpn: valued('<proto>[,<proto>…]: ALPN protocols offered to the server, e.g. http/1.1', (t) => (t === '' ? { ok: false, error: 'expects a protocol list' } : { ok: true, value: t.split(',') }), (o, v) => (o.sslAlpn = v)),
  crt: placed('<pem>: client certificate and key presented to the server (relative to crt-base)', (o, v) => (o.sslCrt = v)),
  'ssl-min-ver': valued('TLSv1.0|TLSv1.1|TLSv1.2|TLSv1.3: oldest version offered to the server (default TLSv1.2)', tlsVersion, (o, v) => (o.sslMinVer = v)),
  'ssl-max-ver': valued('TLSv1.0|TLSv1.1|TLSv1.2|TLSv1.3: newest version offered to the server (default TLSv1.3)', tlsVersion, (o, v) => (o.sslMaxVer = v)),
  ciphers: valued('<list>: OpenSSL cipher list towards the server', nonEmpty, (o, v) => (o.sslCiphers = v)),
  'ssl-reuse': flag('resume TLS sessions with the server (the default)', (o) => (o.sslReuse = true)),
  'no-ssl-reuse': flag('full handshake on every connection to the server', (o) => (o.sslReuse = false)),
  'check-ssl': flag('run health checks over TLS (implied by ssl unless port is set)', (o) => (o.checkSsl = true)),
  'no-check-ssl': flag('undo a default-server check-ssl', (o) => (o.checkSsl = false)),
  'check-sni': valued('<name>: server name sent by TLS health checks', nonEmpty, (o, v) => (o.checkSni = v)),
  proto: valued('h2|h1: the HTTP version spoken to the server: h2 multiplexes requests as streams over shared connections (h2c, or h2 over TLS with ssl; gRPC works end to end); mode http only', choice(['h2', 'h1'] as const), (o, v) => (o.proto = v)),
  cookie: valued('<value>: this server\'s value of the backend\'s persistence cookie', (t) => (t === '' ? { ok: false, error: 'expects <value> as argument' } : { ok: true, value: t }), (o, v) => (o.cookie = v)),
};

/** Server options HAProxy has that lbd does not: refused with "not supported", not "unknown". */
const UNSUPPORTED: ReadonlySet<string> = new Set([
  'npn', 'send-proxy-v2-ssl', 'send-proxy-v2-ssl-cn',
  'proxy-v2-options', 'check-alpn', 'check-proto', 'check-via-socks4', 'socks4', 'redir',
  'resolvers', 'resolve-prefer', 'resolve-opts', 'resolve-net', 'agent-check', 'agent-port', 'agent-inter', 'agent-addr',
  'agent-send', 'pool-max-conn', 'pool-purge-delay', 'pool-low-conn', 'max-reuse', 'source', 'usesrc', 'namespace', 'tfo',
  'minconn', 'tcp-ut', 'ws', 'force-tlsv12', 'force-tlsv13',
]);

/**
 * Apply the option words of a `server`/`default-server` line to `o`. After an unknown option, words
 * up to the next known option are taken as its arguments, so one typo gives one message, not several.
 */
export function applyServerOptions(ctx: KwCtx, o: ServerOptions, isDefault: boolean): void {
  const names = Object.keys(SERVER_OPTIONS);
  for (let i = 0; i < ctx.args.length; ) {
    const w = ctx.args[i];
    const row = Object.hasOwn(SERVER_OPTIONS, w.text) ? SERVER_OPTIONS[w.text] : undefined;
    if (row === undefined) {
      ctx.error(UNSUPPORTED.has(w.text) ? `option '${w.text}' is not supported by lbd` : `unknown option '${w.text}'${didYouMean(w.text, names)}`, w);
      for (i++; i < ctx.args.length && !Object.hasOwn(SERVER_OPTIONS, ctx.args[i].text); i++);
      continue;
    }
    if (isDefault && !row.inDefaultServer) ctx.error(`option '${w.text}' is not supported on default-server lines`, w);
    const value = ctx.args[i + 1];
    if (row.arity === 1 && value === undefined) {
      ctx.error(`option '${w.text}' expects ${row.help.split(':')[0]}`, w);
      return;
    }
    if (!isDefault || row.inDefaultServer) row.parse(ctx, o, row.arity === 1 ? value : w, w);
    i += 1 + row.arity;
  }
}

/** `server <name> <addr>[:port] [options]`: a server of this backend, starting from its default-server options. */
export function parseServer(ctx: KwCtx, px: ProxyDraft): void {
  const [name, addr] = ctx.args;
  if (name === undefined || addr === undefined) return ctx.error('expects <name> and <address>[:<port>] as arguments');
  const bad = invalidNameChar(name.text);
  if (bad !== null) return ctx.error(`character '${bad}' is not permitted in server name '${name.text}'`, name);
  const sctx = ctx.named(`server ${name.text}`, ctx.args.slice(2));
  const a = parseServerAddress(addr.text);
  if (!a.ok) return sctx.error(a.error, addr);
  const opts: ServerOptions = structuredClone(px.defaultServer);
  applyServerOptions(sctx, opts, false);
  px.servers.push({ name: name.text, where: { file: ctx.line.file, line: ctx.line.line }, addr: a.value, opts });
}

/** `default-server [options]`: options for the servers declared after it. */
export function parseDefaultServer(ctx: KwCtx, px: ProxyDraft): void {
  applyServerOptions(ctx, px.defaultServer, true);
}
