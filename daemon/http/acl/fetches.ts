/**
 * The sample fetch table: fetch name → its type, what it needs, its arguments, and how to read it from a
 * RequestView. Each row compiles (once, at load) into two readers:
 * - `all`: every occurrence, for ACLs (HAProxy iterates over all header values, cookies, parameters);
 * - `one`: the single value a sample expression uses (`%[hdr(host)]`: the last occurrence, as HAProxy).
 * ACL-only variants (`path_beg`, `hdr_cnt` …) are in acl-keywords.ts.
 */
import type { FetchScope, SampleScalar, SampleType, SampleValue } from './types.js';
import type { RequestView } from './view.js';
import type { UserlistAuth } from './auth.js';
import { basicCredentials } from './auth.js';
import { commaValues, cookieValues, occurrence, paramSource, trimOws, urlParams } from './http-values.js';
import { parseIp, plainAddress } from './ip.js';
import { sslHelloType, sslSni, type HelloResult } from '../../proxy/client-hello.js';

/** Everything a fetch may need besides its arguments. */
export interface FetchContext {
  /** Direction of evaluation: request (routing, http-request) or response (http-response). */
  readonly dir: 'req' | 'res';
  /** True for ACLs (every occurrence), false for sample expressions (one value). */
  readonly acl: boolean;
  /** The userlist named in `http_auth(<name>)`; resolved after the whole configuration is read. */
  readonly userlist: (name: string) => () => UserlistAuth | null;
}

/** A compiled reader. */
export type Reader = (view: RequestView) => SampleValue;

/** A row of the fetch table. */
export interface FetchDef {
  readonly type: SampleType;
  readonly scope: FetchScope;
  /** How the arguments are written, for messages: `(<name>[,<occ>])`. */
  readonly usage: string;
  readonly minArgs: number;
  readonly maxArgs: number;
  /** Checks the arguments at load; returns an error message or null. */
  readonly check?: (args: readonly string[]) => string | null;
  /** One line for the reference. */
  readonly help: string;
  /** Reads a userlist (`http_auth`): lbd evaluates these in conditions only. */
  readonly usesUserlist?: boolean;
  readonly compile: (args: readonly string[], ctx: FetchContext) => Reader;
  /** Content fetches: true while the value may still change as the client sends more (HAProxy's SMP_F_MAY_CHANGE). */
  readonly mayChange?: (view: RequestView) => boolean;
}

const intArg = (i: number, what: string) => (args: readonly string[]): string | null =>
  args[i] !== undefined && !/^[-+]?\d+$/.test(args[i]) ? `${what} must be an integer, got '${args[i]}'` : null;

/** Header lines of the request, or of the response when evaluating a response and `res` is set. */
const lines = (view: RequestView, name: string, res: boolean): readonly string[] => (res ? view.response?.header(name) ?? [] : view.header(name));
const allLines = (view: RequestView, res: boolean): readonly (readonly [string, string])[] => (res ? view.response?.headerList() ?? [] : view.headerList());

/** `hdr(<name>[,<occ>])`-style readers over comma-split values (`full` = whole lines, for `fhdr`). */
function headerReader(args: readonly string[], ctx: FetchContext, res: boolean, full: boolean, map: (s: string) => SampleScalar | null = (s) => s): Reader {
  const name = args[0]?.toLowerCase() ?? null;
  const occ = args[1] !== undefined ? Number(args[1]) : null;
  // without a name, HAProxy's http_find_header returns whole lines (no comma splitting)
  const values = (view: RequestView): string[] => (name === null ? allLines(view, res).map(([, v]) => v) : full ? [...lines(view, name, res)] : commaValues(lines(view, name, res)));
  const mapped = (vs: readonly string[]): SampleScalar[] => vs.map(map).filter((v): v is SampleScalar => v !== null);
  if (ctx.acl && occ === null) return (view) => mapped(values(view));
  return (view) => {
    const v = occurrence(values(view), occ ?? -1);
    return v === undefined ? null : map(v);
  };
}

/** Count of values (`hdr_cnt`) or whole lines (`fhdr_cnt`); without a name, of every header line. */
function countReader(args: readonly string[], res: boolean, full: boolean): Reader {
  const name = args[0]?.toLowerCase() ?? null;
  return (view) => {
    if (name === null) return allLines(view, res).length;
    const ls = lines(view, name, res);
    return full ? ls.length : commaValues(ls).length;
  };
}

const toInt = (s: string): number | null => {
  const m = /^\s*([-+]?\d+)/.exec(s);
  return m ? Number(m[1]) : null;
};

/** A header value as an IP address: RFC 7239 style, an IPv4 address may carry `:port`. */
const toIp = (s: string): string | null => {
  const t = trimOws(s);
  const v4 = /^(\d+\.\d+\.\d+\.\d+)(?::\d{1,5})?$/.exec(t);
  const text = v4 ? v4[1] : t.replace(/^\[(.*)\]$/, '$1');
  return parseIp(text) !== null ? plainAddress(text) : null;
};

/** `req.cook(<name>)`: the values of a cookie; the last one as a sample, the first cookie when no name. */
function cookieReader(args: readonly string[], ctx: FetchContext, map: (s: string) => SampleScalar | null = (s) => s): Reader {
  const name = args[0] ?? null;
  return (view) => {
    const vals = cookieValues(view.header('cookie'), name);
    if (ctx.acl) return vals.map(map).filter((v): v is SampleScalar => v !== null);
    const v = name === null ? vals[0] : vals[vals.length - 1];
    return v === undefined ? null : map(v);
  };
}

/** `url_param(<name>[,<delim>])`: the first occurrence as a sample, all of them for ACLs. */
function paramReader(args: readonly string[], ctx: FetchContext, map: (s: string) => SampleScalar | null = (s) => s): Reader {
  const name = args[0] === undefined || args[0] === '' ? null : args[0];
  const delim = args[1] ?? null;
  return (view) => {
    const src = paramSource(view.url, delim);
    if (src === null) return ctx.acl ? [] : null;
    const vals = urlParams(src, name, delim);
    if (ctx.acl) return vals.map(map).filter((v): v is SampleScalar => v !== null);
    return vals.length > 0 ? map(vals[0]) : null;
  };
}

/** The authenticated user of a request against a userlist, or null. */
function authedUser(view: RequestView, list: () => UserlistAuth | null): string | null {
  const c = basicCredentials(view.header('authorization'));
  const l = list();
  return c !== null && l !== null && l.check(c.user, c.password) ? c.user : null;
}

const row = (type: SampleType, scope: FetchScope, usage: string, minArgs: number, maxArgs: number, help: string, compile: FetchDef['compile'], check?: FetchDef['check']): FetchDef => ({
  type,
  scope,
  usage,
  minArgs,
  maxArgs,
  help,
  compile,
  ...(check ? { check } : {}),
});

const hdrRow = (res: boolean): FetchDef =>
  row('str', res ? 'res' : 'req', '[(<name>[,<occ>])]', 0, 2, `comma-separated values of a ${res ? 'response' : 'request'} header`, (a, c) => headerReader(a, c, res, false), intArg(1, 'the occurrence'));
const fhdrRow = (res: boolean): FetchDef =>
  row('str', res ? 'res' : 'req', '(<name>[,<occ>])', 1, 2, `whole lines of a ${res ? 'response' : 'request'} header`, (a, c) => headerReader(a, c, res, true), intArg(1, 'the occurrence'));
const cntRow = (res: boolean, full: boolean): FetchDef =>
  row('int', res ? 'res' : 'req', '[(<name>)]', 0, 1, `number of ${full ? 'lines' : 'values'} of a header (of all header lines without a name)`, (a) => countReader(a, res, full));
const cookRow = row('str', 'req', '[(<name>)]', 0, 1, 'value of a request cookie', (a, c) => cookieReader(a, c));
const cookCnt = row('int', 'req', '[(<name>)]', 0, 1, 'number of request cookies with that name (all cookies without a name)', (a) => (view) => cookieValues(view.header('cookie'), a[0] ?? null).length);
const cookVal = row('int', 'req', '[(<name>)]', 0, 1, 'value of a request cookie as an integer', (a, c) => cookieReader(a, c, toInt));
const urlp = row('str', 'req', '[(<name>[,<delim>])]', 0, 2, 'value of a URL query parameter (the first one)', (a, c) => paramReader(a, c));
const hdrVal = row('int', 'req', '[(<name>[,<occ>])]', 0, 2, 'a request header value as an integer', (a, c) => headerReader(a, c, false, false, toInt), intArg(1, 'the occurrence'));
const hdrIp = row('ip', 'req', '[(<name>[,<occ>])]', 0, 2, 'a request header value as an IP address', (a, c) => headerReader(a, c, false, false, toIp), intArg(1, 'the occurrence'));

/** A content fetch over the ClientHello parser: its value, and "may change" while the parser needs more bytes. */
const helloRow = <T extends SampleScalar>(type: SampleType, help: string, parse: (d: Uint8Array) => HelloResult<T>): FetchDef => ({
  ...row(type, 'content', '', 0, 0, help, () => (v) => {
    if (v.content === undefined) return null;
    const r = parse(v.content.data);
    return r.state === 'ok' ? r.value : null;
  }),
  mayChange: (v) => v.content !== undefined && !v.content.final && parse(v.content.data).state === 'more',
});
const sniRow = helloRow('str', 'the server name (SNI) of a TLS ClientHello the client sent, as sent (match with -i)', sslSni);
const helloTypeRow = helloRow('int', 'the TLS handshake type the client sent (1: ClientHello)', sslHelloType);
const lenRow: FetchDef = {
  ...row('int', 'content', '', 0, 0, 'the number of bytes the client sent so far (buffered by tcp-request inspect-delay)', () => (v) => v.content?.data.length ?? 0),
  mayChange: (v) => v.content !== undefined && !v.content.final,
};

/** The fetch table. Aliases (HAProxy's deprecated names) share their row. */
export const FETCHES: Readonly<Record<string, FetchDef>> = {
  src: row('ip', 'l4', '', 0, 0, "the client's address", () => (v) => plainAddress(v.src)),
  src_port: row('int', 'l4', '', 0, 0, "the client's port", () => (v) => v.srcPort),
  dst: row('ip', 'l4', '', 0, 0, 'the local address the client connected to', () => (v) => plainAddress(v.dst)),
  dst_port: row('int', 'l4', '', 0, 0, 'the local port the client connected to', () => (v) => v.dstPort),
  always_true: row('bool', 'l4', '', 0, 0, 'always true', () => () => true),
  str: row('str', 'l4', '(<string>)', 1, 1, 'a constant string (e.g. sni str(api.example))', (a) => {
    const v = a[0] ?? '';
    return () => v;
  }),
  always_false: row('bool', 'l4', '', 0, 0, 'always false', () => () => false),
  ssl_fc: row('bool', 'l4', '', 0, 0, 'true when the client connection is TLS (a bind with ssl)', () => (v) => v.tls != null),
  ssl_fc_has_sni: row('bool', 'l4', '', 0, 0, 'true when the TLS client sent a server name (SNI)', () => (v) => v.tls?.sni != null),
  ssl_fc_sni: row('str', 'l4', '', 0, 0, 'the server name (SNI) the TLS client sent', () => (v) => v.tls?.sni ?? null),
  ssl_fc_protocol: row('str', 'l4', '', 0, 0, 'the TLS version of the client connection (TLSv1.2, TLSv1.3)', () => (v) => v.tls?.protocol || null),
  ssl_fc_cipher: row('str', 'l4', '', 0, 0, 'the cipher of the client connection (OpenSSL name)', () => (v) => v.tls?.cipher || null),
  ssl_fc_alpn: row('str', 'l4', '', 0, 0, 'the protocol agreed by ALPN on the client connection', () => (v) => v.tls?.alpn ?? null),
  ssl_fc_is_resumed: row('bool', 'l4', '', 0, 0, 'true when the TLS session was resumed', () => (v) => v.tls?.resumed ?? false),
  ssl_c_used: row('bool', 'l4', '', 0, 0, 'true when the client presented a certificate', () => (v) => v.tls?.clientCert ?? false),
  ssl_c_verify: row('int', 'l4', '', 0, 0, "the client certificate's verification result (0: ok, else OpenSSL's X509_V_ERR code)", () => (v) => (v.tls ? v.tls.clientVerify : null)),
  ssl_c_s_dn: row('str', 'l4', '', 0, 0, "the client certificate's subject DN (/C=…/CN=…)", () => (v) => v.tls?.clientSubject ?? null),
  'req.ssl_sni': sniRow,
  req_ssl_sni: sniRow,
  'req.ssl_hello_type': helloTypeRow,
  req_ssl_hello_type: helloTypeRow,
  'req.len': lenRow,
  req_len: lenRow,
  'req.proto_http': row('bool', 'req', '', 0, 0, 'true for an HTTP request (always, in mode http)', () => () => true),
  method: row('meth', 'txn', '', 0, 0, 'the request method', () => (v) => v.method),
  path: row('str', 'req', '', 0, 0, 'the request path, from the first / to before ?', () => (v) => v.path),
  pathq: row('str', 'req', '', 0, 0, 'the request path with its query string', () => (v) => (v.path === null ? null : v.query === null ? v.path : `${v.path}?${v.query}`)),
  url: row('str', 'req', '', 0, 0, 'the request target as sent', () => (v) => v.url),
  query: row('str', 'req', '', 0, 0, 'the query string, after the first ?', () => (v) => v.query),
  base: row('str', 'req', '', 0, 0, 'the first Host header followed by the path', () => (v) => {
    const host = v.header('host')[0];
    return v.path === null ? null : `${host === undefined ? '' : trimOws(host)}${v.path}`;
  }),
  'req.ver': row('str', 'req', '', 0, 0, 'the HTTP version of the request (1.0, 1.1, 2.0)', () => (v) => v.version),
  hdr: hdrRow(false),
  'req.hdr': hdrRow(false),
  'req.fhdr': fhdrRow(false),
  hdr_cnt: cntRow(false, false),
  'req.hdr_cnt': cntRow(false, false),
  'req.fhdr_cnt': cntRow(false, true),
  hdr_val: hdrVal,
  'req.hdr_val': hdrVal,
  hdr_ip: hdrIp,
  'req.hdr_ip': hdrIp,
  'req.cook': cookRow,
  cook: cookRow,
  'req.cook_cnt': cookCnt,
  cook_cnt: cookCnt,
  'req.cook_val': cookVal,
  cook_val: cookVal,
  url_param: urlp,
  urlp,
  urlp_val: row('int', 'req', '[(<name>[,<delim>])]', 0, 2, 'a URL query parameter as an integer', (a, c) => paramReader(a, c, toInt)),
  http_auth: {
    ...row('bool', 'req', '(<userlist>)', 1, 1, 'true when the Authorization header holds a valid user and password of the userlist', (a, c) => {
      const list = c.userlist(a[0]);
      return (view) => authedUser(view, list) !== null;
    }),
    usesUserlist: true,
  },
  http_auth_group: {
    ...row('str', 'req', '(<userlist>)', 1, 1, 'in ACLs, the groups of the authenticated user, matched against group names', (a, c) => {
      const list = c.userlist(a[0]);
      return (view) => {
        const user = authedUser(view, list);
        return user === null ? [] : [...(list()?.groupsOf(user) ?? [])];
      };
    }),
    usesUserlist: true,
  },
  http_auth_user: row('str', 'req', '', 0, 0, 'the user name sent in the Authorization header (not checked)', () => (v) => basicCredentials(v.header('authorization'))?.user ?? null),
  status: row('int', 'res', '', 0, 0, 'the response status code', () => (v) => v.response?.status ?? null),
  'res.hdr': hdrRow(true),
  shdr: hdrRow(true),
  'res.fhdr': fhdrRow(true),
  'res.hdr_cnt': cntRow(true, false),
  shdr_cnt: cntRow(true, false),
  'res.fhdr_cnt': cntRow(true, true),
};

/**
 * The row for a fetch name in a context: in a sample expression evaluated on a response, `hdr()` reads the
 * response's headers, as HAProxy's direction-dependent `hdr` does (ACL `hdr` keywords always read the request).
 */
export function fetchRow(name: string, ctx: Pick<FetchContext, 'dir' | 'acl'>): FetchDef | undefined {
  if (name === 'hdr' && !ctx.acl && ctx.dir === 'res') return FETCHES['res.hdr'];
  return Object.hasOwn(FETCHES, name) ? FETCHES[name] : undefined;
}
