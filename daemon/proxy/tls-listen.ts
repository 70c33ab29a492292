/**
 * TLS termination for `bind … ssl`: a `tls.Server` (OpenSSL does the handshakes) whose connections,
 * once secure, enter lbd as ordinary Conns (the `net` adapter over the TLSSocket). Everything above the
 * transport (TCP sessions, the HTTP engine, routing, logs) works unchanged on them; `conn.tls` says what
 * the handshake settled, for the `ssl_fc*` fetches, `%ft`'s `~` and the counters.
 *
 * Certificate selection, HAProxy's way: the SNI name is looked up exactly, then as a wildcard (`*.` + the
 * name without its first label); a crt-list `!name` excludes a certificate for that name; no SNI, or no
 * match, gets the default certificate (the first loaded) unless `strict-sni` refuses the handshake. Several
 * certificates for one name (ECDSA and RSA side by side) share one secure context, and OpenSSL picks the
 * one the client supports.
 *
 * The contexts are built once per listener configuration; `setCertificates` swaps them for new handshakes
 * (reload, `set ssl cert`) while established connections keep theirs.
 */
import tls from 'node:tls';
import { constants as cryptoConstants, randomBytes } from 'node:crypto';
import type { BindConfig, BindSslConfig, TlsCertificate } from '../config/types.js';
import { bindError, bindHost, type ConnListener, type TlsInfo, type Conn } from './conn.js';
import { NetConn } from './net-conn.js';
import { listenTlsRaw } from './tls-raw.js';
import { selectTransport } from './transport.js';

/** Handshake outcomes of a listener, for `show stat`/`show info` (HAProxy's SslFrontend* counters). */
export class TlsCounters {
  handshakes = 0;
  failures = 0;
  resumed = 0;
  /** The last failures' reasons, most recent last (for `lbctl`, debug logs). */
  readonly lastErrors: string[] = [];
  fail(reason: string): void {
    this.failures++;
    this.lastErrors.push(reason);
    if (this.lastErrors.length > 16) this.lastErrors.shift();
  }
}

/** Node's verification error codes as OpenSSL's X509_V_ERR numbers (what `ssl_c_verify` returns). */
const VERIFY_CODES: Readonly<Record<string, number>> = {
  UNABLE_TO_GET_ISSUER_CERT: 2,
  UNABLE_TO_GET_CRL: 3,
  CERT_SIGNATURE_FAILURE: 7,
  CERT_NOT_YET_VALID: 9,
  CERT_HAS_EXPIRED: 10,
  CRL_NOT_YET_VALID: 11,
  CRL_HAS_EXPIRED: 12,
  DEPTH_ZERO_SELF_SIGNED_CERT: 18,
  SELF_SIGNED_CERT_IN_CHAIN: 19,
  UNABLE_TO_GET_ISSUER_CERT_LOCALLY: 20,
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: 21,
  CERT_CHAIN_TOO_LONG: 22,
  CERT_REVOKED: 23,
  INVALID_CA: 24,
  PATH_LENGTH_EXCEEDED: 25,
  INVALID_PURPOSE: 26,
  CERT_UNTRUSTED: 27,
  CERT_REJECTED: 28,
  HOSTNAME_MISMATCH: 62,
};

/** The secure contexts of one listener: by exact name, by wildcard suffix, and the default. */
export interface ContextTable {
  readonly exact: Map<string, tls.SecureContext>;
  readonly wildcard: Map<string, tls.SecureContext>;
  readonly excluded: Map<string, Set<tls.SecureContext>>;
  readonly dflt: tls.SecureContext;
  /** The options that make `dflt` (the server's own context, used when the client sends no SNI). */
  readonly dfltOptions: tls.SecureContextOptions;
}

function contextOptions(ssl: BindSslConfig): tls.SecureContextOptions {
  const o: tls.SecureContextOptions = { minVersion: ssl.minVersion, maxVersion: ssl.maxVersion };
  const ciphers = [ssl.ciphersuites, ssl.ciphers].filter((c): c is string => c !== null && c !== '').join(':');
  if (ciphers !== '') o.ciphers = ciphers;
  if (ssl.curves !== null) o.ecdhCurve = ssl.curves;
  // client-initiated renegotiation is refused, as HAProxy does (TLS 1.3 has none)
  o.secureOptions = cryptoConstants.SSL_OP_NO_RENEGOTIATION | (ssl.noTlsTickets ? cryptoConstants.SSL_OP_NO_TICKET : 0);
  if (ssl.caFile) o.ca = ssl.caFile.pem;
  if (ssl.crlFile) o.crl = ssl.crlFile.pem;
  return o;
}

/** Build the contexts: one per group of certificates serving the same names (their key types side by side). */
export function buildContexts(ssl: BindSslConfig, extra: tls.SecureContextOptions = {}): ContextTable {
  const base = { ...contextOptions(ssl), ...extra };
  const groups = new Map<string, TlsCertificate[]>();
  for (const c of ssl.certs) {
    const key = [...c.names].sort().join(',') + '|' + [...c.excluded].sort().join(',');
    const g = groups.get(key);
    // one certificate per key type in a group: a second of the same type is its own context
    if (g && !g.some((x) => x.keyType === c.keyType)) g.push(c);
    else if (!g) groups.set(key, [c]);
    else groups.set(`${key}#${groups.size}`, [c]);
  }
  const exact = new Map<string, tls.SecureContext>();
  const wildcard = new Map<string, tls.SecureContext>();
  const excluded = new Map<string, Set<tls.SecureContext>>();
  let dflt: tls.SecureContext | null = null;
  let dfltOptions: tls.SecureContextOptions = base;
  for (const g of groups.values()) {
    const opts = { ...base, cert: g.map((c) => c.certPem), key: g.map((c) => c.keyPem) };
    const ctx = tls.createSecureContext(opts);
    if (g.includes(ssl.certs[0]!)) {
      dflt = ctx;
      dfltOptions = opts;
    }
    for (const c of g) {
      for (const n of c.names) {
        if (n.startsWith('*.')) {
          if (!wildcard.has(n.slice(2))) wildcard.set(n.slice(2), ctx);
        } else if (!exact.has(n)) exact.set(n, ctx);
      }
      for (const n of c.excluded) {
        let s = excluded.get(n);
        if (!s) excluded.set(n, (s = new Set()));
        s.add(ctx);
      }
    }
  }
  return { exact, wildcard, excluded, dflt: dflt!, dfltOptions };
}

/** The context for an SNI name, or null (no match). */
export function selectContext(t: ContextTable, servername: string): tls.SecureContext | null {
  const name = servername.toLowerCase().replace(/\.$/, '');
  const no = t.excluded.get(name);
  const ok = (c: tls.SecureContext | undefined) => (c !== undefined && !no?.has(c) ? c : null);
  const e = ok(t.exact.get(name));
  if (e) return e;
  const dot = name.indexOf('.');
  return dot < 0 ? null : ok(t.wildcard.get(name.slice(dot + 1)));
}

/** A TLS listener: the socket, its contexts (replaceable) and its handshake counters. */
export interface TlsListener extends ConnListener {
  readonly counters: TlsCounters;
  /** New handshakes use these settings (reload, `set ssl cert`); established connections are untouched. */
  setCertificates(ssl: BindSslConfig): void;
}

type ClientCertInfo = Pick<TlsInfo, 'clientCert' | 'clientVerify' | 'clientSubject'>;
export const NO_CLIENT_CERT: ClientCertInfo = { clientCert: false, clientVerify: 0, clientSubject: null };

/**
 * What a connection's TlsInfo says of the client's certificate, from the peer certificate OpenSSL reports
 * (an empty object when none was sent) and the verification error: the error as OpenSSL's X509_V_ERR
 * number (`ssl_c_verify`, 1 when unknown) and the subject as `ssl_c_s_dn` prints it.
 */
export function clientCertInfo(peer: { subject?: tls.Certificate } | null | undefined, err: string | (Error & { code?: string }) | null | undefined): ClientCertInfo {
  if (peer === null || peer === undefined || typeof peer !== 'object' || Object.keys(peer).length === 0) return NO_CLIENT_CERT;
  const code = err === null || err === undefined ? 0 : VERIFY_CODES[typeof err === 'string' ? err : err.code ?? ''] ?? 1;
  return { clientCert: true, clientVerify: code, clientSubject: dnString(peer.subject) };
}

function tlsInfo(s: tls.TLSSocket): TlsInfo {
  return {
    sni: (s as tls.TLSSocket & { servername?: string | false }).servername || null,
    protocol: s.getProtocol() ?? '',
    cipher: s.getCipher()?.name ?? '',
    alpn: typeof s.alpnProtocol === 'string' ? s.alpnProtocol : null,
    resumed: s.isSessionReused(),
    ...clientCertInfo(s.getPeerCertificate(), s.authorizationError as string | Error | undefined),
  };
}

/** A certificate subject as HAProxy prints `ssl_c_s_dn`: `/C=FR/O=Example/CN=client`. */
function dnString(subject: tls.Certificate | undefined): string {
  if (!subject) return '';
  let out = '';
  for (const [k, v] of Object.entries(subject)) {
    for (const one of Array.isArray(v) ? v : [v]) out += `/${k}=${one}`;
  }
  return out;
}

/**
 * Listen with TLS. `handshakeMs` bounds a handshake (the frontend's `timeout client`, as HAProxy);
 * secure connections go to `onConnection`, paused, like every Conn before its session reads it. A failed
 * handshake (bad version, no shared cipher, strict-sni, a required client certificate missing or refused,
 * timeout) closes the connection and is counted with its reason. With `raw` (default: the transport
 * selected is raw) and the bindings it needs, TLSWrap is driven directly (tls-raw.ts); else a `tls.Server`.
 */
export function listenTls(bind: BindConfig, ssl: BindSslConfig, backlog: number, handshakeMs: number, onConnection: (c: Conn) => void, raw = selectTransport().name === 'raw'): Promise<TlsListener> {
  const r = raw ? listenTlsRaw(bind, ssl, backlog, handshakeMs, onConnection) : null;
  return r ?? listenTlsServer(bind, ssl, backlog, handshakeMs, onConnection);
}

function listenTlsServer(bind: BindConfig, ssl: BindSslConfig, backlog: number, handshakeMs: number, onConnection: (c: Conn) => void): Promise<TlsListener> {
  // one session-ticket key for the listener's life: resumption survives certificate changes
  const extra: tls.SecureContextOptions = { ticketKeys: randomBytes(48) };
  let table = buildContexts(ssl, extra);
  let strict = ssl.strictSni;
  let alpn: readonly string[] = ssl.alpn;
  const counters = new TlsCounters();
  const server = tls.createServer({
    ...table.dfltOptions,
    SNICallback: (name, cb) => {
      const ctx = selectContext(table, name);
      if (ctx) return cb(null, ctx);
      if (strict) return cb(new Error(`no certificate for SNI '${name}' (strict-sni)`));
      cb(null, table.dflt);
    },
    // a callback rather than a fixed list, so a reload can change what is offered (a listener without
    // `alpn` has none: Node rejects a handshake the callback declines, so it is only set when there is a list)
    ...(ssl.alpn.length
      ? {
          ALPNCallback: ({ protocols }: { protocols: string[] }) => {
            for (const p of alpn) if (protocols.includes(p)) return p;
            return undefined;
          },
        }
      : {}),
    requestCert: ssl.verify !== 'none',
    rejectUnauthorized: ssl.verify === 'required',
    handshakeTimeout: handshakeMs,
    allowHalfOpen: true,
    noDelay: true,
  });
  server.on('secureConnection', (sock: tls.TLSSocket) => {
    const info = tlsInfo(sock);
    if (strict && info.sni === null) {
      // strict-sni: no SNI, no default certificate (Node's SNICallback only runs for a name)
      counters.fail('no SNI (strict-sni)');
      sock.destroy();
      return;
    }
    counters.handshakes++;
    if (info.resumed) counters.resumed++;
    sock.pause();
    const conn = new NetConn(sock);
    conn.tls = info;
    onConnection(conn);
  });
  server.on('tlsClientError', (err: Error & { code?: string }, sock: tls.TLSSocket) => {
    counters.fail(err.code ?? err.message);
    sock.destroy();
  });
  return new Promise<TlsListener>((resolve, reject) => {
    server.once('error', (err: NodeJS.ErrnoException) => reject(bindError(bind, err.code ?? err.message)));
    server.once('listening', () => {
      server.on('error', () => {});
      resolve({
        counters,
        address() {
          const a = server.address();
          if (a && typeof a === 'object') return a.family === 'IPv6' ? `[${a.address}]:${a.port}` : `${a.address}:${a.port}`;
          return bind.fd !== null ? `fd@${bind.fd}` : bind.text;
        },
        close() {
          if (server.listening) server.close();
        },
        setCertificates(next: BindSslConfig) {
          table = buildContexts(next, extra);
          strict = next.strictSni;
          // adding or removing `alpn` altogether takes a new listener (a restart); changing the list does not
          if (alpn.length && next.alpn.length) alpn = next.alpn;
          server.setSecureContext(table.dfltOptions);
        },
      });
    });
    if (bind.fd !== null) server.listen({ fd: bind.fd, backlog });
    else server.listen({ host: bindHost(bind), port: bind.port, backlog, ipv6Only: bind.family === 'ipv6' && bind.host !== '' });
  });
}
