import type { BindConfig, BindSslConfig, FrontendConfig } from '../config/types.js';
import type { FrontendSnapshot, ListenerCertSnapshot } from '../../shared/snapshot.js';
import { certDetails } from './ssl-store.js';
import type { Logger } from '../log.js';
import { RateCounter } from './rate.js';
import { Counters } from './server.js';
import type { Backend } from './backend.js';
import { TcpSession } from '../proxy/tcp-session.js';
import { HttpSession, type HttpContext } from '../proxy/http-session.js';
import { H2ServerConn } from '../h2/server.js';
import { H2Counters } from '../h2/counters.js';
import type { TxnLog } from '../http/txn-log.js';
import { connectionView, evaluate, type Condition } from '../http/acl/index.js';
import type { Conn, ConnListener, Transport } from '../proxy/conn.js';
import { ProxyHeaderReader } from '../proxy/proxy-accept.js';
import { listenTls, type TlsCounters, type TlsListener } from '../proxy/tls-listen.js';
import { ContentInspector, type InspectVerdict } from '../proxy/content-inspect.js';
import type { RequestView } from '../http/acl/index.js';
import { monoEpochNow } from './clock.js';

/** Process-wide connection accounting (global `maxconn`, `show info` CurrConns/CumConns/ConnRate). */
export class ProcessCounters {
  /** Every live session, whatever frontend, backend or server it belongs to (hard stop closes them all). */
  readonly sessions = new Set<{ kill(reason: string): void; softStop?(): void }>();
  cur = 0;
  cum = 0;
  readonly rate = new RateCounter();
  /** Called when the last session ends (the graceful stop waits on it). */
  onIdle: (() => void) | null = null;
  /** Every frontend, so a freed process-wide slot (global maxconn) can go to any frontend's waiter. */
  readonly frontends = new Set<{ drainWaiting(): void }>();
  private draining = false;

  /**
   * A slot was freed: start waiting connections, frontend by frontend. Iterative and re-entrancy safe: a
   * session that fails at once releases its slot inside this loop, which must not recurse (thousands of
   * waiters would overflow the stack).
   */
  drainAll(): void {
    if (this.draining) return;
    this.draining = true;
    try {
      for (const f of this.frontends) f.drainWaiting();
    } finally {
      this.draining = false;
    }
  }
  /** The process is stopping gracefully: HTTP connections close after their current response. */
  stopping = false;
  /** `tune.bufsize`: how many bytes `tcp-request content` inspection buffers at most. */
  bufsize = 16384;
  constructor(public maxconn: number) {}

  /** `clear counters [all]`: HAProxy zeroes the process's rate maxima (MaxConnRate, MaxSessRate) either way; CumConns stays. */
  clearCounters(_all: boolean): void {
    this.rate.max = 0;
  }
}

export class FrontendCounters extends Counters {
  /** Connections refused: over maxconn with a full wait list. */
  denied = 0;
  /** Sessions closed without reaching a server (no backend, no server, connect failure, queue timeout). */
  failed = 0;
  readonly connRate = new RateCounter();
  connTotal = 0;

  override clearCounters(all: boolean): void {
    super.clearCounters(all);
    this.connRate.max = 0;
    if (!all) return;
    this.denied = this.failed = this.connTotal = 0;
    this.connRate.reset();
  }
}

/**
 * A listening socket. It belongs to the runtime's listener table, keyed by address, and survives reloads
 * that keep its address: only `frontend` is repointed, so no connection is refused while reloading.
 */
export class Listener {
  status: 'OPEN' | 'PAUSED' | 'STOP' = 'STOP';
  frontend: Frontend;
  private sock: ConnListener | null = null;

  constructor(public cfg: BindConfig, frontend: Frontend, readonly transport: Transport) {
    this.frontend = frontend;
  }

  /** A new connection goes to the current frontend; with `accept-proxy` its PROXY header is read first. */
  private readonly onConnection = (c: Conn): void => {
    if (this.cfg.proto === 'h2') c.proto = 'h2';
    if (this.cfg.acceptProxy) this.frontend.acceptProxy(c);
    else this.frontend.accept(c);
  };

  /** Table key: two binds with the same key are the same socket (a TLS listener is never the same as a plain one). */
  static key(b: BindConfig): string {
    return (b.fd !== null ? `fd@${b.fd}` : `${b.family}|${b.host}|${b.port}`) + (b.ssl ? '|ssl' : '');
  }

  /** The TLS listener's handshake counters (null for a plain listener). */
  get tlsCounters(): TlsCounters | null {
    return this.tlsSock?.counters ?? null;
  }
  private tlsSock: TlsListener | null = null;

  /** Open the socket: plain over the transport, or TLS (`bind … ssl`). */
  private async open(): Promise<ConnListener> {
    if (!this.cfg.ssl) return this.transport.listen(this.cfg, 1024, this.onConnection);
    const t = await listenTls(this.cfg, this.sslSettings()!, 1024, this.frontend.cfg.timeouts.client ?? 60_000, this.onConnection, this.transport.name === 'raw');
    this.tlsSock = t;
    return t;
  }

  /** The listener's TLS settings (`proto h1` takes h2 out of ALPN: the listener speaks HTTP/1 only). */
  private sslSettings(): BindSslConfig | null {
    const ssl = this.cfg.ssl ?? null;
    if (ssl === null || this.cfg.proto !== 'h1' || !ssl.alpn.includes('h2')) return ssl;
    return { ...ssl, alpn: ssl.alpn.filter((p) => p !== 'h2') };
  }

  /** A reload kept this listener: new handshakes take the new certificates and TLS settings. */
  updateTls(): void {
    const ssl = this.sslSettings();
    if (ssl && this.tlsSock) this.tlsSock.setCertificates(ssl);
  }

  get name(): string {
    return this.cfg.name ?? `sock-${this.frontend.listeners.indexOf(this) + 1}`;
  }

  /** The certificates this TLS listener serves now, for the snapshot (absent on a plain listener). */
  certsView(): { certs?: ListenerCertSnapshot[] } {
    const ssl = this.cfg.ssl;
    if (!ssl) return {};
    return {
      certs: ssl.certs.map((c) => ({ file: c.file, names: [...c.names], subject: c.subject, issuer: c.issuer, notAfter: c.notAfter, keyType: c.keyType, algorithm: certDetails(c.certPem).algorithm })),
    };
  }

  addr(): string {
    return this.sock ? this.sock.address() : this.cfg.text;
  }

  /** Open the socket; rejects with an operator-readable message (`cannot bind socket (Address already in use) [0.0.0.0:80]`). */
  async listen(): Promise<void> {
    this.sock = await this.open();
    this.status = 'OPEN';
  }

  /**
   * `disable frontend`: stop accepting so new connections are refused, as HAProxy's pause does on Linux.
   * The socket is released and re-bound by resume(). A socket inherited as `fd@N` cannot be re-bound, so
   * it stays open and the paused frontend holds its connections unread instead (they wait, like maxconn).
   */
  pause(): void {
    if (this.status !== 'OPEN') return;
    this.status = 'PAUSED';
    if (this.cfg.fd !== null) return;
    this.sock?.close();
    this.sock = null;
  }

  /** `enable frontend`: accept again; rejects if the address cannot be bound any more (the listener stays paused). */
  async resume(): Promise<void> {
    if (this.status !== 'PAUSED') return;
    if (!this.sock) this.sock = await this.open();
    this.status = 'OPEN';
  }

  /** Stop accepting. The socket is released at once; sessions it accepted live on. */
  close(): void {
    this.status = 'STOP';
    this.sock?.close();
    this.sock = null;
  }
}

/** The wait for a PROXY header when the frontend has no `timeout client`. */
const PROXY_HEADER_DEFAULT_WAIT = 5000;

/** Connections waiting for a slot when `maxconn` is reached (HAProxy leaves them in the accept backlog). */
const MAX_WAITING = 4096;

/**
 * A frontend: its listeners, `maxconn` (sessions over the limit wait, unread, for a slot; beyond a
 * bounded wait list they are refused and counted), the backend it sends sessions to, and counters.
 */
export class Frontend {
  cfg: FrontendConfig;
  readonly listeners: Listener[] = [];
  readonly counters = new FrontendCounters();
  /** HTTP/2 connections and frames (`h2_*` columns of `show stat`); kept across reloads with the counters. */
  h2 = new H2Counters();
  /** `default_backend`, or null. */
  target: Backend | null = null;
  /**
   * `use_backend` rules in order, evaluated per connection (first match wins, then `default_backend`).
   * In tcp mode their conditions use layer 4 fetches only (the config refuses others). Empty when the
   * first rule is unconditional: `target` is then that rule's backend and nothing is evaluated.
   */
  rules: { backend: Backend | null; cond: Condition }[] = [];
  /** Connections wait unread (while a reload wires a new frontend, or while disabled on an `fd@` socket). */
  paused = false;
  /** `disable frontend` by an operator: kept across reloads until `enable frontend`. */
  disabled = false;
  private readonly waiting: Conn[] = [];
  /** `accept-proxy` connections still reading their PROXY header. */
  private awaitingHeader = 0;
  /** mode http: the server connection pool and the backends (set by the runtime). */
  http: HttpContext | null = null;
  /** The access log of this frontend (`log` + `option httplog`/`tcplog`/`log-format`), or null when it logs nothing. */
  accessLog: ((rec: TxnLog, view: RequestView | null) => void) | null = null;
  /** HAProxy's default log (targets, no log style): one line per accepted connection. */
  connectLog: ((c: Pick<TxnLog, 'src' | 'srcPort' | 'dst' | 'dstPort' | 'frontend'>) => void) | null = null;

  constructor(cfg: FrontendConfig, readonly proc: ProcessCounters, readonly log: Logger, readonly transport: Transport) {
    this.cfg = cfg;
  }

  get name(): string {
    return this.cfg.name;
  }

  debug(msg: string): void {
    this.log.debug(`${this.cfg.name}: ${msg}`);
  }

  private full(): boolean {
    return (this.cfg.maxconn > 0 && this.counters.cur >= this.cfg.maxconn) || this.proc.cur >= this.proc.maxconn;
  }

  accept(sock: Conn): void {
    if (this.full() || this.paused) {
      if (this.waiting.length >= MAX_WAITING) {
        this.counters.denied++;
        sock.close();
        return;
      }
      this.waiting.push(sock);
      return;
    }
    this.start(sock);
  }

  /**
   * `accept-proxy`: read the PROXY header, then accept as usual with the addresses it gave. The wait is
   * bounded by `timeout client` (as HAProxy does; 5 s when unset, where HAProxy would wait forever). A
   * malformed, late or missing header closes the connection with a reset, as HAProxy does, before any
   * server is chosen; lbd counts it as a connection (`conn_tot`, as HAProxy) and a request error (`ereq`,
   * which HAProxy leaves at 0) so an operator sees it. At most MAX_WAITING connections of a frontend
   * wait for their header at a time (beyond, they are refused and counted as denied, like the maxconn wait list).
   */
  acceptProxy(sock: Conn): void {
    if (this.awaitingHeader >= MAX_WAITING) {
      this.counters.denied++;
      sock.close();
      return;
    }
    this.awaitingHeader++;
    const reader = new ProxyHeaderReader(sock, this.cfg.timeouts.client ?? PROXY_HEADER_DEFAULT_WAIT, (error) => {
      this.awaitingHeader--;
      this.proc.sessions.delete(reader);
      if (error === null) return this.accept(sock);
      this.counters.connTotal++;
      this.counters.connRate.add(monoEpochNow());
      this.counters.failed++;
      this.debug(`closing client: ${error}`);
      sock.reset();
    });
    if (!sock.closed) this.proc.sessions.add(reader);
  }

  private start(sock: Conn): void {
    const now = monoEpochNow();
    this.counters.open(now);
    this.counters.connRate.add(now);
    this.counters.connTotal++;
    this.proc.cur++;
    this.proc.cum++;
    this.proc.rate.add(now);
    if (this.connectLog) {
      const e = sock.endpoints();
      if (e) this.connectLog({ ...e, frontend: this.name });
    }
    const inspect = this.cfg.tcpRequest;
    if (inspect !== undefined && inspect.rules.length > 0 && this.cfg.mode === 'tcp') return this.inspect(sock);
    // mode http routes each request itself
    this.open(sock, this.cfg.mode === 'http' ? null : this.rules.length ? this.route(sock) : this.target);
  }

  /** Start the session on `be`, or close the client when there is no backend. */
  private open(sock: Conn, be: Backend | null): void {
    if (this.cfg.mode === 'http' && this.http !== null) {
      if (sock.proto === 'h2' || sock.tls?.alpn === 'h2') new H2ServerConn(sock, this, this.http);
      else new HttpSession(sock, this, this.http);
      return;
    }
    if (!be) {
      this.counters.failed++;
      sock.close();
      this.release();
      return;
    }
    new TcpSession(sock, this, be, this.transport);
  }

  private route(sock: Conn, content?: RequestView): Backend | null {
    const e = sock.endpoints();
    if (!e) return this.target;
    const view = content ?? connectionView(e.src, e.srcPort, e.dst, e.dstPort, undefined, sock.tls);
    for (const r of this.rules) if (evaluate(r.cond, view)) return r.backend;
    return this.target;
  }

  /**
   * `tcp-request content` rules: the session's slot is taken (the connection is counted, as HAProxy
   * counts the session) while the first bytes are read; then route on them, or close on `reject`
   * (counted in `dreq`) or when the client goes away.
   */
  private inspect(sock: Conn): void {
    const e = sock.endpoints();
    const t = this.cfg.tcpRequest!;
    if (!e) return this.open(sock, null);
    let inspector: ContentInspector | null = null;
    let over = false;
    const done = (verdict: InspectVerdict, view: RequestView | null, reason: string): void => {
      over = true;
      if (inspector) this.proc.sessions.delete(inspector);
      if (verdict === 'accept') return this.open(sock, this.rules.length ? this.route(sock, view ?? undefined) : this.target);
      if (verdict === 'reject') this.counters.deniedReq++;
      else this.counters.cliAborts++;
      this.debug(`closing client: ${reason}`);
      sock.close();
      this.release();
    };
    inspector = new ContentInspector(sock, e, t.rules, t.inspectDelay, this.proc.bufsize, done);
    if (!over) this.proc.sessions.add(inspector);
  }

  /** A session ended: free its slot and start a waiting connection if any. */
  release(): void {
    this.counters.cur--;
    this.proc.cur--;
    this.proc.drainAll();
    if (this.proc.cur === 0) this.proc.onIdle?.();
  }

  drainWaiting(): void {
    while (this.waiting.length && !this.full() && !this.paused) {
      const sock = this.waiting.shift()!;
      if (sock.closed) continue;
      this.start(sock);
    }
  }

  /** Connections accepted and waiting for a slot (maxconn). */
  waitingCount(): number {
    return this.waiting.length;
  }

  /** Drop connections still waiting (process stopping). */
  dropWaiting(): void {
    for (const s of this.waiting.splice(0)) s.close();
  }

  /** `clear counters [all]` on this frontend (maxima only, or everything but the current sessions). */
  clearCounters(all: boolean): void {
    this.counters.clearCounters(all);
  }

  /** Handshake counters over this frontend's TLS listeners (absent without one). */
  private tlsView(): { sslSessions?: number; sslReused?: number; sslFailed?: number } {
    let any = false;
    let sess = 0;
    let reused = 0;
    let failed = 0;
    for (const l of this.listeners) {
      const t = l.tlsCounters;
      if (!t) continue;
      any = true;
      sess += t.handshakes;
      reused += t.resumed;
      failed += t.failures;
    }
    return any ? { sslSessions: sess, sslReused: reused, sslFailed: failed } : {};
  }

  snapshot(now: number): FrontendSnapshot {
    const c = this.counters;
    const v = c.view(now);
    const backends = [...new Set([...this.cfg.useBackends.map((u) => u.backend), ...(this.cfg.defaultBackend ? [this.cfg.defaultBackend] : [])])];
    return {
      name: this.name,
      id: this.cfg.id,
      mode: this.cfg.mode,
      // `disable frontend` shows PAUSED, as HAProxy's pause does
      status: this.paused || this.disabled ? 'PAUSED' : this.listeners.some((l) => l.status === 'OPEN') ? 'OPEN' : 'STOP',
      maxconn: this.cfg.maxconn,
      configDisabled: this.cfg.disabled,
      backends,
      listeners: this.listeners.map((l) => ({ name: l.name, addr: l.addr(), status: this.paused && l.status === 'OPEN' ? 'PAUSED' : l.status, ...l.certsView() })),
      ...this.h2.view(),
      counters: {
        cur: v.cur,
        max: v.max,
        total: v.total,
        rate: v.rate,
        rateMax: v.rateMax,
        bytesIn: v.bytesIn,
        bytesOut: v.bytesOut,
        cliAborts: v.cliAborts,
        srvAborts: v.srvAborts,
        denied: c.denied,
        deniedReq: c.deniedReq,
        errors: c.failed,
        ...c.httpView(now),
        ...this.tlsView(),
        connRate: c.connRate.read(now),
        connRateMax: c.connRate.max,
        connTotal: c.connTotal,
      },
    };
  }
}
