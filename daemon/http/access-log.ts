/**
 * HAProxy 2.6 access-log lines from a finished transaction (TxnLog): `option httplog`, `option httplog clf`,
 * `option tcplog`, a `log-format` string, and the "Connect from" line HAProxy logs at accept time when a
 * proxy has `log` targets but none of these options.
 *
 * The built-in formats are log-format strings run through the same engine as user strings, so the rules
 * that shape them hold everywhere, as in HAProxy's log.c:
 * - a run of spaces in the format is one separator, written only when the last character written is not
 *   a space (so `%hr %hs` without header captures vanish, leading spaces are dropped);
 * - a value that is unknown prints `-` (`""` with +Q); a request HAProxy could not parse prints `<BADREQ>`;
 * - +Q quotes strings and addresses, never numbers, dates or the termination state; +X writes addresses,
 *   ports, %Ts, %ms and %pid in upper-case hex; +E escapes `"`, `\` and `]`;
 * - URIs escape control characters, bytes ≥ 0x7f, `"` and `#` as `#XX`.
 * Lines were checked against the real HAProxy 2.6.12: test/fixtures/http/haproxy-logs.txt.
 */
import { hostname as osHostname } from 'node:os';
import type { FormatNode, SampleScalar } from './acl/types.js';
import type { RequestView } from './acl/view.js';
import type { FetchContext } from './acl/fetches.js';
import type { ProxyLogConfig } from '../config/types-http.js';
import { applyFlags, compileSampleNode, parseLogFormat } from './acl/format.js';
import { parseIPv4, plainAddress } from './acl/ip.js';
import type { TxnLog } from './txn-log.js';

/** What the record alone does not say. */
export interface AccessLogOptions {
  /** The proxy's mode: in mode tcp HAProxy logs %ST as 0 and %Td from the connect time. Default 'http'. */
  readonly mode?: 'http' | 'tcp';
  /** %H; default os.hostname(). */
  readonly hostname?: string;
  /** %pid; default process.pid. */
  readonly pid?: number;
}

/** HAProxy 2.6's `option httplog` (manual 8.2.3). */
export const HTTPLOG_FORMAT = '%ci:%cp [%tr] %ft %b/%s %TR/%Tw/%Tc/%Tr/%Ta %ST %B %CC %CS %tsc %ac/%fc/%bc/%sc/%rc %sq/%bq %hr %hs %{+Q}r';
/** HAProxy 2.6's `option tcplog` (manual 8.2.2). */
export const TCPLOG_FORMAT = '%ci:%cp [%t] %ft %b/%s %Tw/%Tc/%Tt %B %ts %ac/%fc/%bc/%sc/%rc %sq/%bq';
/**
 * HAProxy 2.6's `option httplog clf`: `%{+Q}o %{-Q}ci - - [%trg] %r %ST %B "" "" %cp %ms %ft %b %s %TR %Tw
 * %Tc %Tr %Ta %tsc %ac %fc %bc %sc %rc %sq %bq %CC %CS %hrl %hsl`, written here with +Q on each string
 * variable instead of %o (the same line: +Q changes nothing on numbers, dates and %tsc).
 */
export const HTTPLOG_CLF_FORMAT =
  '%ci - - [%trg] %{+Q}r %ST %B "" "" %cp %ms %{+Q}ft %{+Q}b %{+Q}s %TR %Tw %Tc %Tr %Ta %tsc %ac %fc %bc %sc %rc %sq %bq %{+Q}CC %{+Q}CS %hrl %hsl';

/** How a variable's value is written and which flags apply to it. */
type Kind =
  | 'text' // string or null ('-'); +Q, +E
  | 'uri' // string, null = '<BADREQ>'; '#XX' escaping; +Q, +E
  | 'int' // number, never quoted nor hex
  | 'hex' // number; +X = upper-case hex padded to `pad` digits
  | 'port' // number or null ('-'); +X = %04X
  | 'ip' // address or null ('-'); +Q; +X = IPv4 as 8 hex digits
  | 'raw' // written as is (dates, termination state)
  | 'none'; // writes nothing (header captures lbd does not have)

interface Ctx {
  readonly rec: TxnLog;
  readonly tcp: boolean;
  readonly hostname: string;
  readonly pid: number;
}

interface VarDef {
  readonly kind: Kind;
  readonly get: (c: Ctx) => string | number | null;
  /** Hex digits for +X. */
  readonly pad?: number;
  /** Decimal form when not +X (default String). */
  readonly dec?: (n: number) => string;
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const p2 = (n: number): string => (n < 10 ? `0${n}` : String(n));
const p3 = (n: number): string => (n < 10 ? `00${n}` : n < 100 ? `0${n}` : String(n));

/** `+hhmm` offset of local time at `ms` (Date's offset is minutes behind UTC). */
export function tzOffset(ms: number): string {
  const off = -new Date(ms).getTimezoneOffset();
  const a = Math.abs(off);
  return `${off < 0 ? '-' : '+'}${p2(Math.floor(a / 60))}${p2(a % 60)}`;
}

/** `21/Nov/2026:10:11:12.345` in local time (%t, %tr). */
export function logDateMs(ms: number): string {
  const d = new Date(ms);
  return `${p2(d.getDate())}/${MONTHS[d.getMonth()]}/${d.getFullYear()}:${p2(d.getHours())}:${p2(d.getMinutes())}:${p2(d.getSeconds())}.${p3(d.getMilliseconds())}`;
}

/** `21/Nov/2026:10:11:12 +0000` in GMT (%T, %trg) or `… +0100` in local time (%Tl, %trl). */
export function logDateTz(ms: number, local: boolean): string {
  const d = new Date(ms);
  if (!local) return `${p2(d.getUTCDate())}/${MONTHS[d.getUTCMonth()]}/${d.getUTCFullYear()}:${p2(d.getUTCHours())}:${p2(d.getUTCMinutes())}:${p2(d.getUTCSeconds())} +0000`;
  return `${p2(d.getDate())}/${MONTHS[d.getMonth()]}/${d.getFullYear()}:${p2(d.getHours())}:${p2(d.getMinutes())}:${p2(d.getSeconds())} ${tzOffset(ms)}`;
}

const BADREQ = '<BADREQ>';
const pathOf = (uri: string): string => { const q = uri.indexOf('?'); return q < 0 ? uri : uri.slice(0, q); };
/** The path of an absolute-form target (`http://h/p?q` → `/p`), the target itself otherwise. */
function pathOnly(uri: string): string {
  const p = pathOf(uri);
  if (p.startsWith('/')) return p;
  const s = p.indexOf('://');
  if (s < 0) return p;
  const slash = p.indexOf('/', s + 3);
  return slash < 0 ? '/' : p.slice(slash);
}
const nn = (n: number): boolean => n >= 0;
const req = (c: Ctx, f: (m: string, u: string, v: string) => string): string | null =>
  c.rec.method === null || c.rec.uri === null ? null : f(c.rec.method, c.rec.uri, c.rec.version ?? 'HTTP/1.0');

/** Every variable of LOG_VARS; those TxnLog cannot supply print what HAProxy prints when it has no value. */
const VARS: Readonly<Record<string, VarDef>> = {
  ci: { kind: 'ip', get: (c) => c.rec.src },
  cp: { kind: 'port', get: (c) => c.rec.srcPort },
  fi: { kind: 'ip', get: (c) => c.rec.dst },
  fp: { kind: 'port', get: (c) => c.rec.dstPort },
  si: { kind: 'ip', get: (c) => c.rec.serverAddr },
  sp: { kind: 'port', get: (c) => c.rec.serverPort },
  bi: { kind: 'ip', get: (c) => c.rec.backendSrc },
  bp: { kind: 'port', get: (c) => c.rec.backendSrcPort },
  f: { kind: 'text', get: (c) => c.rec.frontend },
  ft: { kind: 'text', get: (c) => c.rec.frontend + c.rec.transport },
  b: { kind: 'text', get: (c) => c.rec.backend },
  s: { kind: 'text', get: (c) => c.rec.server ?? '<NOSRV>' },
  t: { kind: 'raw', get: (c) => logDateMs(c.rec.acceptMs) },
  tr: { kind: 'raw', get: (c) => logDateMs(c.rec.requestMs) },
  trg: { kind: 'raw', get: (c) => logDateTz(c.rec.requestMs, false) },
  trl: { kind: 'raw', get: (c) => logDateTz(c.rec.requestMs, true) },
  T: { kind: 'raw', get: (c) => logDateTz(c.rec.acceptMs, false) },
  Tl: { kind: 'raw', get: (c) => logDateTz(c.rec.acceptMs, true) },
  Ts: { kind: 'hex', pad: 4, get: (c) => Math.floor(c.rec.acceptMs / 1000) },
  ms: { kind: 'hex', pad: 2, dec: (n) => p3(n), get: (c) => Math.floor(c.rec.acceptMs) % 1000 },
  Th: { kind: 'int', get: (c) => c.rec.th },
  Ti: { kind: 'int', get: (c) => c.rec.ti },
  TR: { kind: 'int', get: (c) => c.rec.tR },
  Tq: { kind: 'int', get: (c) => (nn(c.rec.tR) ? Math.max(0, c.rec.th) + Math.max(0, c.rec.ti) + c.rec.tR : -1) },
  Tw: { kind: 'int', get: (c) => c.rec.tw },
  Tc: { kind: 'int', get: (c) => c.rec.tc },
  Tr: { kind: 'int', get: (c) => c.rec.tr },
  Td: { kind: 'int', get: (c) => tdOf(c) },
  Ta: { kind: 'int', get: (c) => c.rec.ta },
  Tt: { kind: 'int', get: (c) => c.rec.tt },
  Tu: { kind: 'int', get: (c) => (nn(c.rec.tt) ? c.rec.tt - Math.max(0, c.rec.ti) : -1) },
  ST: { kind: 'int', get: (c) => (c.tcp ? 0 : c.rec.status) },
  B: { kind: 'int', get: (c) => c.rec.bytesOut },
  U: { kind: 'int', get: (c) => c.rec.bytesIn },
  CC: { kind: 'text', get: () => null },
  CS: { kind: 'text', get: () => null },
  ts: { kind: 'raw', get: (c) => c.rec.termination },
  tsc: { kind: 'raw', get: (c) => c.rec.termination + c.rec.cookieState },
  ac: { kind: 'int', get: (c) => c.rec.actconn },
  fc: { kind: 'int', get: (c) => c.rec.feconn },
  bc: { kind: 'int', get: (c) => c.rec.beconn },
  sc: { kind: 'int', get: (c) => c.rec.srvconn },
  rc: { kind: 'raw', get: (c) => `${c.rec.redispatched ? '+' : ''}${c.rec.retries}` },
  sq: { kind: 'int', get: (c) => c.rec.srvQueue },
  bq: { kind: 'int', get: (c) => c.rec.backendQueue },
  HM: { kind: 'uri', get: (c) => req(c, (m) => m) },
  HU: { kind: 'uri', get: (c) => req(c, (_m, u) => u) },
  HP: { kind: 'uri', get: (c) => req(c, (_m, u) => pathOf(u)) },
  HPO: { kind: 'uri', get: (c) => req(c, (_m, u) => pathOnly(u)) },
  HQ: { kind: 'uri', get: (c) => req(c, (_m, u) => { const q = u.indexOf('?'); return q < 0 ? '' : u.slice(q); }) },
  HV: { kind: 'uri', get: (c) => req(c, (_m, _u, v) => v) },
  r: { kind: 'uri', get: (c) => req(c, (m, u, v) => `${m} ${u} ${v}`) },
  H: { kind: 'text', get: (c) => c.hostname },
  pid: { kind: 'hex', pad: 4, get: (c) => c.pid },
  // not in TxnLog: unique-id, TLS details, request and log counters
  ID: { kind: 'text', get: () => null },
  sslc: { kind: 'text', get: () => null },
  sslv: { kind: 'text', get: () => null },
  rt: { kind: 'text', get: () => null },
  lc: { kind: 'text', get: () => null },
  // header captures (capture request/response header): lbd has none, and HAProxy writes nothing then
  hr: { kind: 'none', get: () => null },
  hs: { kind: 'none', get: () => null },
  hrl: { kind: 'none', get: () => null },
  hsl: { kind: 'none', get: () => null },
};

/** %Td: from the response head (http) or the connection (tcp) to the end; -1 when that step was not reached. */
function tdOf(c: Ctx): number {
  const r = c.rec;
  const z = (n: number): number => Math.max(0, n);
  if (!nn(r.tt)) return -1;
  if (c.tcp) return nn(r.tc) ? r.tt - (z(r.th) + z(r.ti) + z(r.tw) + r.tc) : -1;
  return nn(r.tr) ? r.tt - (z(r.th) + z(r.ti) + z(r.tR) + z(r.tw) + z(r.tc) + r.tr) : -1;
}

/** HAProxy's URL escaping for logs: control characters, bytes ≥ 0x7f, `"` and `#` become `#XX`. */
export function encodeLogUri(s: string): string {
  let out = '';
  let start = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0x20 && c < 0x7f && c !== 0x22 && c !== 0x23) continue;
    out += s.slice(start, i);
    start = i + 1;
    const bytes = c < 0x100 ? [c] : [...Buffer.from(s[i], 'utf8')];
    for (const b of bytes) out += `#${b.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return start === 0 ? s : out + s.slice(start);
}

const escapeE = (s: string): string => s.replace(/["\\\]]/g, '\\$&');

/** Write one variable's value with its flags; '' means nothing was written. */
function writeVar(def: VarDef, v: string | number | null, flags: readonly string[]): string {
  const q = flags.includes('Q');
  const x = flags.includes('X');
  const e = flags.includes('E');
  const str = (s: string | null): string => {
    if (s === null || s === '') return q ? '""' : '-';
    const t = e ? escapeE(s) : s;
    return q ? `"${t}"` : t;
  };
  switch (def.kind) {
    case 'none':
      return '';
    case 'raw':
    case 'int':
      return String(v);
    case 'hex':
      if (x) return (v as number).toString(16).toUpperCase().padStart(def.pad ?? 0, '0');
      return def.dec !== undefined ? def.dec(v as number) : String(v);
    case 'port':
      if (v === null) return str(null);
      return x ? (v as number).toString(16).toUpperCase().padStart(4, '0') : String(v);
    case 'ip': {
      if (v === null || v === '') return str(null);
      const a = plainAddress(String(v));
      if (x) {
        const n = parseIPv4(a);
        if (n !== null) return n.toString(16).toUpperCase().padStart(8, '0');
      }
      return str(a);
    }
    case 'text':
      return str(v === null ? null : String(v));
    case 'uri': {
      const s = v === null ? BADREQ : encodeLogUri(String(v));
      const t = e ? escapeE(s) : s;
      return q ? `"${t}"` : t;
    }
  }
}

/** A part of a compiled format: literal text, a separator (a run of spaces), a variable or a sample. */
type Part =
  | { readonly t: 'text'; readonly text: string }
  | { readonly t: 'sep' }
  | { readonly t: 'var'; readonly def: VarDef; readonly flags: readonly string[] }
  | { readonly t: 'sample'; readonly read: ((v: RequestView) => SampleScalar | null) | null; readonly flags: readonly string[] };

/** Fetch context for samples at log time: the response is known; userlists are never used outside ACLs. */
const LOG_FETCH_CTX: FetchContext = { dir: 'res', acl: false, userlist: () => () => null };
const compiled = new WeakMap<readonly FormatNode[], readonly Part[]>();

function compile(nodes: readonly FormatNode[]): readonly Part[] {
  const cached = compiled.get(nodes);
  if (cached !== undefined) return cached;
  const parts: Part[] = [];
  let all: readonly string[] = []; // flags set by %o for every following variable
  const merge = (own: readonly string[]): readonly string[] => (all.length === 0 ? own : [...new Set([...all, ...own])]);
  for (const n of nodes) {
    if (n.kind === 'text') {
      for (const piece of n.text.split(/( +)/)) {
        if (piece === '') continue;
        parts.push(piece[0] === ' ' ? { t: 'sep' } : { t: 'text', text: piece });
      }
    } else if (n.kind === 'var') {
      if (n.name === 'o') {
        all = n.flags;
        continue;
      }
      const def = Object.hasOwn(VARS, n.name) ? VARS[n.name] : { kind: 'text' as const, get: () => null };
      parts.push({ t: 'var', def, flags: merge(n.flags) });
    } else {
      const read = compileSampleNode(n, LOG_FETCH_CTX);
      parts.push({ t: 'sample', read: typeof read === 'string' ? null : read, flags: merge(n.flags) });
    }
  }
  compiled.set(nodes, parts);
  return parts;
}

/**
 * One log line from parsed `log-format` nodes. `view` evaluates `%[sample]` nodes (a missing view or
 * sample prints `-`). HAProxy's separator rule applies: spaces collapse, and none follows an empty value.
 */
export function formatLogFormat(nodes: readonly FormatNode[], rec: TxnLog, view: RequestView | null, opts: AccessLogOptions = {}): string {
  const ctx: Ctx = { rec, tcp: opts.mode === 'tcp', hostname: opts.hostname ?? defaultHostname(), pid: opts.pid ?? process.pid };
  let out = '';
  let lastSpace = true;
  for (const p of compile(nodes)) {
    let s: string;
    if (p.t === 'sep') {
      if (!lastSpace) {
        out += ' ';
        lastSpace = true;
      }
      continue;
    } else if (p.t === 'text') s = p.text;
    else if (p.t === 'var') s = writeVar(p.def, p.def.get(ctx), p.flags);
    else {
      const v = view === null || p.read === null ? null : p.read(view);
      s = v === null ? (p.flags.includes('Q') ? '""' : '-') : applyFlags(v, p.flags);
    }
    if (s !== '') {
      out += s;
      lastSpace = false;
    }
  }
  return out;
}

let cachedHostname: string | null = null;
function defaultHostname(): string {
  cachedHostname ??= osHostname();
  return cachedHostname;
}

/** Built-in formats parse without fetches, so the context is never consulted. */
function builtin(text: string): readonly FormatNode[] {
  const nodes = parseLogFormat(text, LOG_FETCH_CTX);
  if (typeof nodes === 'string') throw new Error(`built-in log format: ${nodes}`);
  return nodes;
}
const HTTPLOG_NODES = builtin(HTTPLOG_FORMAT);
const TCPLOG_NODES = builtin(TCPLOG_FORMAT);
const CLF_NODES = builtin(HTTPLOG_CLF_FORMAT);

/** `option httplog`: `127.0.0.1:43514 [21/Nov/2026:04:52:28.176] fe be/srv 0/0/0/9/9 200 152 - - ---- 1/1/0/0/0 0/0 "GET / HTTP/1.1"`. */
export function formatHttpLog(rec: TxnLog, opts: AccessLogOptions = {}): string {
  return formatLogFormat(HTTPLOG_NODES, rec, null, opts);
}

/** `option tcplog`: `127.0.0.1:56046 [21/Nov/2026:04:52:31.024] fe be/srv 1/0/201 6 -- 1/1/0/0/0 0/0`. */
export function formatTcpLog(rec: TxnLog, opts: AccessLogOptions = {}): string {
  return formatLogFormat(TCPLOG_NODES, rec, null, { ...opts, mode: 'tcp' });
}

/** `option httplog clf`: the Common Log Format followed by HAProxy's fields (note the trailing space). */
export function formatHttpLogClf(rec: TxnLog, opts: AccessLogOptions = {}): string {
  return formatLogFormat(CLF_NODES, rec, null, opts);
}

/**
 * What HAProxy logs when a proxy has `log` targets but no httplog/tcplog/log-format: one line when the
 * connection is accepted (not when it ends): `Connect from 127.0.0.1:47872 to 127.0.0.1:40783 (fe/HTTP)`.
 */
export function formatConnectLog(c: Pick<TxnLog, 'src' | 'srcPort' | 'dst' | 'dstPort' | 'frontend'>, mode: 'http' | 'tcp'): string {
  return `Connect from ${plainAddress(c.src)}:${c.srcPort} to ${plainAddress(c.dst)}:${c.dstPort} (${c.frontend}/${mode === 'http' ? 'HTTP' : 'TCP'})`;
}

/**
 * The end-of-transaction line a proxy's log settings ask for, or null when nothing is logged at the end
 * (style null: HAProxy's default logs formatConnectLog at accept; `dontlognull` skips connections that
 * sent nothing).
 */
export function formatAccessLog(rec: TxnLog, log: ProxyLogConfig, view: RequestView | null, opts: AccessLogOptions = {}): string | null {
  if (log.dontlognull && rec.bytesIn === 0) return null;
  switch (log.style) {
    case 'httplog':
      return formatHttpLog(rec, opts);
    case 'httplog-clf':
      return formatHttpLogClf(rec, opts);
    case 'tcplog':
      return formatTcpLog(rec, opts);
    case 'custom':
      return log.format === null ? null : formatLogFormat(log.format.nodes, rec, view, opts);
    case null:
      return null;
  }
}
