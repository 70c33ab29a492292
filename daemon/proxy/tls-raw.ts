/**
 * TLS termination on the raw transport: the accepted TCP handle is wrapped in Node's own TLSWrap (the
 * C++ object under every `tls.TLSSocket`: OpenSSL does the handshake and the record layer) and driven
 * directly, as raw-conn drives TCP handles, without the net.Socket/TLSSocket stream layers around it.
 * A connection costs one TLSWrap, one RawConn and a handshake timer; decrypted bytes are read into the
 * connection's reusable buffer instead of a fresh 16 KiB Buffer per read.
 *
 * Semantics are those of the `tls.Server` path in tls-listen.ts (which stays for the `net` transport and
 * for a Node.js without these bindings): certificate choice by SNI (exact, wildcard, `!` exclusions, the
 * default, strict-sni), ALPN chosen in the listener's order, client certificates (`verify optional|
 * required`), the handshake bounded by `timeout client`, failures counted with their reason. Renegotiation
 * is refused (SSL_OP_NO_RENEGOTIATION, as HAProxy does). The contexts share one session-ticket key per
 * listener, kept when certificates change, so a reload or `commit ssl cert` does not end resumption.
 */
import tls from 'node:tls';
import { createHash, randomBytes } from 'node:crypto';
import type { BindConfig, BindSslConfig } from '../config/types.js';
import { bindError, type Conn, type TlsInfo } from './conn.js';
import { RawConn, RawListener, acceptedNoDelay, listenHandle, rawBindings, type Bindings, type LayeredStream, type UvTcp } from './raw-conn.js';
import { NO_CLIENT_CERT, TlsCounters, buildContexts, clientCertInfo, selectContext, type ContextTable, type TlsListener } from './tls-listen.js';

/* The TLSWrap methods and callback slots used here (Node's src/crypto/crypto_tls.cc). */
interface TlsWrap extends LayeredStream {
  onhandshakedone: () => void;
  oncertcb: (info: { servername?: string }) => void;
  onerror: (err: Error & { code?: string }) => void;
  ALPNCallback?: (protocols: Buffer) => number | undefined;
  sni_context?: unknown;
  _parent?: UvTcp;
  enableCertCb(): void;
  enableALPNCb(): void;
  certCbDone(): void;
  setVerifyMode(request: boolean, reject: boolean): void;
  getServername(): string | false;
  getProtocol(): string | null;
  getCipher(): { name?: string } | undefined;
  getALPNNegotiatedProtocol(): string | false;
  isSessionReused(): boolean;
  getPeerCertificate(detailed?: boolean): { subject?: tls.Certificate } | null | undefined;
  verifyError(): (Error & { code?: string }) | null | undefined;
}
interface TlsBinding {
  wrap(handle: UvTcp, context: unknown, isServer: boolean, hasActiveWrite: boolean): TlsWrap;
}

let cachedTls: TlsBinding | null | undefined;

function loadTlsBinding(): TlsBinding | null {
  try {
    const binding = (process as unknown as { binding(name: string): Record<string, unknown> }).binding;
    const t = binding('tls_wrap') as { wrap?: unknown; TLSWrap?: { prototype: Record<string, unknown> } };
    const p = t.TLSWrap?.prototype;
    const needed = ['enableCertCb', 'enableALPNCb', 'certCbDone', 'setVerifyMode', 'getServername', 'getProtocol', 'getCipher', 'getALPNNegotiatedProtocol', 'isSessionReused', 'getPeerCertificate', 'verifyError', 'destroySSL', 'useUserBuffer', 'writeBuffer', 'readStart', 'readStop', 'shutdown'];
    if (typeof t.wrap !== 'function' || p === undefined || !needed.every((m) => typeof p[m] === 'function')) return null;
    return t as unknown as TlsBinding;
  } catch {
    return null;
  }
}

/** The bindings raw TLS needs (TCP handles and TLSWrap), or null when this Node.js lacks them. */
function bindings(): { b: Bindings; t: TlsBinding } | null {
  const b = rawBindings();
  if (b === null) return null;
  if (cachedTls === undefined) cachedTls = loadTlsBinding();
  return cachedTls === null ? null : { b, t: cachedTls };
}

/** What the listener's connections share, replaced as a whole when certificates change. */
interface Settings {
  readonly table: ContextTable;
  readonly strict: boolean;
  readonly alpn: readonly string[];
  readonly request: boolean;
  readonly reject: boolean;
  /** SNI needs the certificate callback (several contexts, or strict-sni). */
  readonly certCb: boolean;
}

/** One connection's handshake: the connection is handed over once it completes, else closed and counted. */
class Handshake {
  private done = false;
  private readonly timer: NodeJS.Timeout;

  constructor(
    readonly w: TlsWrap,
    readonly conn: RawConn,
    readonly s: Settings,
    readonly counters: TlsCounters,
    readonly onConnection: (c: Conn) => void,
    ms: number,
  ) {
    this.timer = setTimeout(() => this.fail('ERR_TLS_HANDSHAKE_TIMEOUT'), ms);
    this.timer.unref();
  }

  // ConnHandler while the handshake runs: no clear bytes come before it is done
  onData(): void {}
  onDrain(): void {}
  onEnd(): void {
    this.fail('ECONNRESET');
  }
  onError(code: string): void {
    this.fail(code);
  }

  fail(reason: string): void {
    if (this.done) return;
    this.done = true;
    clearTimeout(this.timer);
    this.counters.fail(reason);
    this.conn.close();
  }

  error(err: Error & { code?: string }): void {
    if (!this.done) return this.fail(err.code ?? err.message);
    this.conn.fail(err.code ?? 'EPROTO');
  }

  certificate(servername: string | undefined): void {
    if (this.done) return;
    const s = this.s;
    if (servername) {
      const ctx = selectContext(s.table, servername);
      if (ctx !== null) this.w.sni_context = ctx.context;
      else if (s.strict) return this.fail(`no certificate for SNI '${servername}' (strict-sni)`);
    } else if (s.strict) return this.fail('no SNI (strict-sni)');
    this.w.certCbDone();
  }

  alpn(buf: Buffer): number | undefined {
    for (const want of this.s.alpn) {
      let off = 0;
      while (off < buf.length) {
        const len = buf[off]!;
        if (len === want.length && buf.toString('latin1', off + 1, off + 1 + len) === want) return off;
        off += 1 + len;
      }
    }
    return undefined;
  }

  established(): void {
    if (this.done) return;
    this.done = true;
    clearTimeout(this.timer);
    const w = this.w;
    const conn = this.conn;
    let client = NO_CLIENT_CERT;
    if (this.s.request) {
      const err = w.verifyError();
      if (err && this.s.reject) {
        this.counters.fail(err.code ?? err.message);
        return conn.close();
      }
      client = clientCertInfo(w.getPeerCertificate(false), err);
    }
    const sni = w.getServername();
    const alpn = w.getALPNNegotiatedProtocol();
    const info: TlsInfo = {
      sni: sni || null,
      protocol: w.getProtocol() ?? '',
      cipher: w.getCipher()?.name ?? '',
      alpn: typeof alpn === 'string' ? alpn : null,
      resumed: w.isSessionReused(),
      ...client,
    };
    this.counters.handshakes++;
    if (info.resumed) this.counters.resumed++;
    conn.tls = info;
    // paused, as every Conn reaches its session: bytes already decrypted wait in the connection
    conn.readStop();
    this.onConnection(conn);
  }
}

function onHandshakeDone(this: TlsWrap & { hs: Handshake }): void {
  this.hs.established();
}
function onCert(this: TlsWrap & { hs: Handshake }, info: { servername?: string }): void {
  this.hs.certificate(info.servername);
}
function onTlsError(this: TlsWrap & { hs: Handshake }, err: Error & { code?: string }): void {
  this.hs.error(err);
}
function onAlpn(this: TlsWrap & { hs: Handshake }, protocols: Buffer): number | undefined {
  return this.hs.alpn(protocols);
}

function settingsOf(ssl: BindSslConfig, extra: tls.SecureContextOptions): Settings {
  const table = buildContexts(ssl, extra);
  const distinct = new Set<tls.SecureContext>([table.dflt, ...table.exact.values(), ...table.wildcard.values()]);
  return {
    table,
    strict: ssl.strictSni,
    alpn: ssl.alpn,
    request: ssl.verify !== 'none',
    reject: ssl.verify === 'required',
    certCb: ssl.strictSni || distinct.size > 1 || table.excluded.size > 0,
  };
}

/**
 * Listen with TLS on a raw TCP handle (see the file comment); null when this Node.js lacks the bindings.
 * Same contract as `listenTls`.
 */
export function listenTlsRaw(bind: BindConfig, ssl: BindSslConfig, backlog: number, handshakeMs: number, onConnection: (c: Conn) => void): Promise<TlsListener> | null {
  const bs = bindings();
  if (bs === null) return null;
  const { b, t } = bs;
  // contexts share: a ticket key (resumption survives certificate changes), a session id context (as
  // tls.Server sets one), and the server's cipher order
  const extra: tls.SecureContextOptions = {
    ticketKeys: randomBytes(48),
    sessionIdContext: createHash('sha1').update(`lbd ${bind.text}`).digest('hex').slice(0, 32),
    honorCipherOrder: true,
  };
  let settings = settingsOf(ssl, extra);
  // the alpn list may change with a reload, not its presence (as on the tls.Server path)
  const alpnOn = ssl.alpn.length > 0;
  const counters = new TlsCounters();
  const h = listenHandle(b, bind, backlog);
  if (typeof h === 'string') return Promise.reject(bindError(bind, h));
  h.onconnection = (status: number, tcp: UvTcp) => {
    if (status < 0 || !tcp) return;
    acceptedNoDelay(tcp);
    const s = settings;
    let w: TlsWrap;
    try {
      w = t.wrap(tcp, s.table.dflt.context, true, false);
    } catch (e) {
      counters.fail((e as Error & { code?: string }).code ?? 'ERR_SSL');
      tcp.close();
      return;
    }
    w._parent = tcp;
    const conn = new RawConn(b, w, tcp);
    const hs = new Handshake(w, conn, s, counters, onConnection, handshakeMs);
    (w as TlsWrap & { hs: Handshake }).hs = hs;
    conn.handler = hs;
    w.onhandshakedone = onHandshakeDone;
    w.onerror = onTlsError;
    if (s.request) w.setVerifyMode(true, s.reject);
    if (s.certCb) {
      w.oncertcb = onCert;
      w.enableCertCb();
    }
    if (alpnOn && s.alpn.length > 0) {
      w.ALPNCallback = onAlpn;
      w.enableALPNCb();
    }
    conn.readStart();
  };
  const listener = new RawListener(h, bind);
  return Promise.resolve({
    counters,
    address: () => listener.address(),
    close: () => listener.close(),
    setCertificates(next: BindSslConfig) {
      const n = settingsOf(next, extra);
      settings = alpnOn && next.alpn.length ? n : { ...n, alpn: settings.alpn };
    },
  });
}
