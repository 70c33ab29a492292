import type { Backend, QueueWaiter } from '../runtime/backend.js';
import type { Server } from '../runtime/server.js';
import { observeResult } from '../runtime/server-state.js';
import type { Frontend } from '../runtime/frontend.js';
import type { Conn, ConnHandler, Endpoints, Transport } from './conn.js';
import { proxyHeaderFor } from './proxy-protocol.js';
import { nextSessionId } from './session-id.js';
import { dialTls } from './tls-dial.js';
import { connectionView } from '../http/acl/index.js';
import type { ServerSslConfig } from '../config/types.js';
import type { TxnLog } from '../http/txn-log.js';
import { Deadline, type DeadlineOwner } from '../runtime/deadline.js';
import { monoEpochNow, monoNow, monoToWall } from '../runtime/clock.js';

/** What the session's one deadline is for. */
const enum T {
  NONE,
  /** `timeout connect` of the attempt in `server`. */
  CONNECT,
  /** The pause before retrying `retryServer`. */
  RETRY,
  /** Inactivity: `timeout client/server/tunnel/…-fin`, measured from `lastActivity`. */
  IDLE,
}


/**
 * One proxied TCP session (`mode tcp`): client ⇄ lbd ⇄ server, full duplex, over a Transport.
 *
 * - Backpressure: a write that cannot complete at once stops reading from the other side until the
 *   write drains, so a client that stops reading stops lbd reading its server (memory stays flat: at
 *   most one read buffer in flight per direction).
 * - Half-close: a FIN from one side is passed on (shutdown) to the other; the session closes when both
 *   directions have ended and every write is flushed.
 * - Timeouts, as HAProxy applies them: `timeout connect` per attempt; then the session is closed after
 *   `timeout client`/`server` (the smaller) of inactivity, or `timeout tunnel` when set; once a
 *   direction is shut, `timeout client-fin`/`server-fin` replace their side. One timer per session,
 *   re-armed lazily: the data path only records the time of the last activity.
 * - A failed connect is retried `retries` times (after min(timeout connect, 1 s) on the same server);
 *   with `option redispatch` the last retry goes to another server. `observe layer4` sees each result.
 * - No usable server: the client is closed at once and the backend counts a connection error.
 */
export class TcpSession implements DeadlineOwner {
  /** Read-only identity for the runtime API: `show sess` prints it as `0x<hex>`. */
  readonly id = nextSessionId();
  server: Conn | null = null;
  target: Server | null = null;
  private tried: Set<Server> | null = null;
  private retriesLeft: number;
  private waiter: QueueWaiter | null = null;
  private connectStart = 0;
  private readonly start: number;
  clientEnded = false;
  serverEnded = false;
  private closed = false;
  /** One deadline for the session's life: connect, retry pause or inactivity (tKind says which). */
  private readonly deadline = new Deadline(this);
  private tKind = T.NONE;
  private retryServer: Server | null = null;
  private idleMs = 0;
  /** monoNow() of the last byte moved (inactivity timeouts). */
  private lastActivity = 0;
  /** The server failed while the client still had bytes to receive: they are flushed, then the session closes. */
  private clientFlushing = false;
  /** The backend counted this session (once, whatever the redispatches). */
  private counted = false;
  /** For the access log: termination state (%ts), connect times, retries. */
  private term = '--';
  private tConnDone = 0;
  private tQueued = 0;
  private retried = 0;
  private redispatched = false;

  constructor(readonly client: Conn, readonly frontend: Frontend, readonly backend: Backend, readonly transport: Transport) {
    this.start = monoEpochNow();
    // only read when logging: the addresses cost two syscalls on a path measured per connection
    if (frontend.accessLog) this.endpointsAtStart = client.endpoints();
    this.retriesLeft = backend.cfg.retries;
    client.handler = this.waitingClient;
    frontend.proc.sessions.add(this);
    this.assign();
  }

  /** Epoch ms when the client was accepted (`show sess` age). */
  get startedAt(): number {
    return this.start;
  }

  /** The client before the session is wired: lbd is not reading it, only errors can arrive. */
  private readonly waitingClient: ConnHandler = {
    onData: () => {},
    onEnd: () => {},
    onDrain: () => {},
    onError: (code) => this.clientError(code),
  };

  clientError(code: string): void {
    if (this.closed) return;
    if (this.term === '--') this.term = this.server ? 'CD' : 'CC';
    if (this.target) this.target.counters.cliAborts++;
    this.backend.counters.cliAborts++;
    this.frontend.debug(`client error: ${code}`);
    this.close();
  }

  private hashKey(): string | null {
    return this.backend.cfg.balance.algorithm === 'source' ? this.client.remoteAddress() : null;
  }

  /** Pick a server (or queue, or give up) for the current attempt. */
  private assign(): void {
    const be = this.backend;
    const r = be.select(this.hashKey(), this.tried);
    // after a redispatch the failed connect was counted already
    if (r === null) return this.fail('no server available', this.tried !== null);
    if (r === 'queue') {
      if (!be.canQueue()) return this.fail('queue full');
      this.tQueued = monoEpochNow();
      const waiter: QueueWaiter = {
        enqueuedAt: monoEpochNow(),
        tried: this.tried,
        hashKey: this.hashKey(),
        timer: null,
        assigned: (s) => {
          this.waiter = null;
          if (this.closed) {
            if (s) be.dequeue(); // selected for a client that has gone: offer the slot again
            return;
          }
          if (s === null) {
            this.term = 'sQ';
            return this.fail('queue timeout');
          }
          this.connect(s);
        },
      };
      this.waiter = waiter;
      be.enqueue(waiter);
      return;
    }
    this.connect(r);
  }

  private connect(s: Server): void {
    const now = monoEpochNow();
    if (this.target !== s) {
      if (this.target) this.leaveServer();
      this.target = s;
      s.counters.open(now);
      s.sessionsSet.add(this);
      if (!this.counted) {
        this.counted = true;
        this.backend.counters.open(now);
      }
    }
    const port = s.port ?? this.client.localPort() ?? 0;
    const host = s.address ?? s.cfg.host;
    this.connectStart = now;
    const dialled = (err: string | null): void => {
      if (conn !== this.server) return;
      this.clearDeadline();
      if (err !== null) {
        this.server = null;
        conn.close();
        return this.connectFailed(s, err);
      }
      if (this.closed) return conn.close();
      this.tConnDone = monoEpochNow();
      const ms = this.tConnDone - this.connectStart;
      s.counters.connectTime.add(ms);
      s.counters.connectSamples++;
      this.backend.counters.connectTime.add(ms);
      this.backend.counters.connectSamples++;
      observeResult(s, true);
      this.wire(conn, s);
    };
    const ssl = s.cfg.ssl;
    const sni = ssl ? this.serverName(ssl) : null;
    const preface = ssl && s.cfg.sendProxy !== 0 ? proxyHeaderFor(this.client, s.cfg.sendProxy) : null;
    const conn = ssl ? dialTls(host, port, ssl, sni, `${s.key}@${host}:${port}|tls|${sni ?? ''}`, dialled, preface) : this.transport.dial(host, port, dialled);
    this.server = conn;
    const ct = this.backend.cfg.timeouts.connect;
    if (ct !== null && !this.closed) this.setDeadline(T.CONNECT, ct);
  }

  private setDeadline(kind: T, ms: number): void {
    this.tKind = kind;
    this.deadline.arm(ms);
  }

  private clearDeadline(): void {
    this.tKind = T.NONE;
    this.deadline.cancel();
  }

  /** The deadline is due (called by the deadline heap). */
  onDeadline(): void {
    const kind = this.tKind;
    this.tKind = T.NONE;
    if (this.closed) return;
    if (kind === T.CONNECT) {
      const conn = this.server;
      const s = this.target;
      if (!conn || !s) return;
      this.server = null;
      conn.close();
      this.connectFailed(s, 'ETIMEDOUT');
    } else if (kind === T.RETRY) {
      const s = this.retryServer;
      this.retryServer = null;
      if (s) this.connect(s);
    } else if (kind === T.IDLE) this.idleCheck();
  }

  private connectFailed(s: Server, code: string): void {
    s.counters.connectErrors++;
    this.backend.counters.connectErrors++;
    observeResult(s, false);
    this.frontend.debug(`connect to ${s.key} failed: ${code}`);
    if (this.closed) return;
    if (this.retriesLeft <= 0) return this.fail(`connect error (${code})`, true);
    this.retriesLeft--;
    this.retried++;
    s.counters.retries++;
    this.backend.counters.retries++;
    if (this.backend.cfg.redispatch && (this.retriesLeft === 0 || !s.eligible())) {
      // HAProxy's default redispatch interval: on the last retry (or at once if the server went away)
      this.redispatched = true;
      (this.tried ??= new Set()).add(s);
      s.counters.redispatches++;
      this.backend.counters.redispatches++;
      this.leaveServer();
      this.target = null;
      if (s.cfg.maxconn > 0) this.backend.dequeue(); // the slot we leave may serve a waiter
      return this.assign();
    }
    this.retryServer = s;
    this.setDeadline(T.RETRY, Math.min(this.backend.cfg.timeouts.connect ?? 1000, 1000));
  }

  /** `sni <expr>` of a TLS server, evaluated on the connection (`ssl_fc_sni`, `src` …); null: none. */
  private serverName(ssl: ServerSslConfig): string | null {
    if (!ssl.sni) return null;
    const e = this.client.endpoints();
    if (!e) return null;
    return ssl.sni.format(connectionView(e.src, e.srcPort, e.dst, e.dstPort, undefined, this.client.tls)) || null;
  }

  /** Both connections are open: stream in both directions. */
  private wire(server: Conn, s: Server): void {
    const up = new Direction(this, this.client, server, s, true);
    const down = new Direction(this, server, this.client, s, false);
    up.other = down;
    down.other = up;
    this.client.handler = up;
    server.handler = down;
    // `send-proxy(-v2)` first, then payload that came with the client's PROXY header (`accept-proxy`)
    // over TLS the header went before the handshake (dialTls)
    if (s.cfg.sendProxy !== 0 && !s.cfg.ssl) server.write(proxyHeaderFor(this.client, s.cfg.sendProxy));
    const early = this.client.early;
    if (early) {
      this.client.early = null;
      up.onData(early);
    }
    // HAProxy: once a TCP session is established, `timeout tunnel` (when set) replaces client and server timeouts
    const t = this.backend.cfg.timeouts;
    this.armIdle(t.tunnel ?? minTimeout(this.frontend.cfg.timeouts.client, t.server));
    // a FIN read during tcp-request inspection follows the bytes read with it
    if (this.client.earlyEnd) {
      this.client.earlyEnd = false;
      up.onEnd();
      if (this.closed) return;
    }
    if (!up.blocked && !this.clientEnded) this.client.readStart();
    server.readStart();
  }

  /** A side sent FIN: pass it on, unless the other direction is already over (then closing says it all). */
  ended(fromClient: boolean): void {
    if (fromClient) this.clientEnded = true;
    else this.serverEnded = true;
    const other = fromClient ? this.server : this.client;
    if (!(this.clientEnded && this.serverEnded)) other?.shutdown();
    this.halfClosed();
  }

  touch(): void {
    this.lastActivity = monoNow();
  }

  serverError(s: Server, code: string): void {
    if (this.closed) return;
    if (this.term === '--') this.term = 'SD';
    s.counters.srvAborts++;
    this.backend.counters.srvAborts++;
    s.counters.responseErrors++;
    this.backend.counters.responseErrors++;
    this.frontend.debug(`server ${s.key} error: ${code}`);
    // bytes already taken from the server still go to the client (HAProxy forwards what it holds), then
    // the client is closed; the client timeout bounds the wait for a client that does not read
    if (this.client.pendingBytes() > 0 && !this.clientFlushing) {
      this.clientFlushing = true;
      this.serverEnded = true;
      this.clientEnded = true;
      this.server?.close();
      this.client.readStop();
      this.client.shutdown();
      this.armIdle(this.frontend.cfg.timeouts.client);
      return;
    }
    this.close();
  }

  /** One direction is shut: `timeout client-fin`/`server-fin` now bound the session; close when both are. */
  private halfClosed(): void {
    const fe = this.frontend.cfg.timeouts;
    const be = this.backend.cfg.timeouts;
    const c = fe.clientFin ?? be.tunnel ?? fe.client;
    const s = be.serverFin ?? be.tunnel ?? be.server;
    this.armIdle(minTimeout(c, s));
    this.maybeDone();
  }

  maybeDone(): void {
    if (!this.clientEnded || !this.serverEnded || this.closed) return;
    if (this.clientFlushing) {
      if (this.client.pendingBytes() === 0) this.close();
      return;
    }
    if (this.client.pendingBytes() === 0 && (this.server?.pendingBytes() ?? 0) === 0) this.close();
  }

  /** Close the session after `ms` without activity (null: never). */
  private armIdle(ms: number | null): void {
    this.lastActivity = monoNow();
    if (ms === null) return this.clearDeadline();
    this.idleMs = ms;
    this.tKind = T.IDLE;
    this.deadline.armAt(this.lastActivity + ms);
  }

  /** The inactivity deadline came: close if nothing moved since, else wait for the rest of it. */
  private idleCheck(): void {
    const due = this.lastActivity + this.idleMs;
    if (monoNow() >= due) {
      if (this.term === '--') this.term = this.clientEnded || this.serverEnded ? 'cD' : 'sD';
      this.frontend.debug(`idle timeout on session to ${this.target?.key ?? '-'}`);
      this.close();
    } else {
      this.tKind = T.IDLE;
      this.deadline.armAt(due);
    }
  }

  private fail(reason: string, counted = false): void {
    if (this.term === '--') this.term = 'SC';
    if (!counted) this.backend.counters.connectErrors++;
    this.frontend.counters.failed++;
    this.frontend.debug(`closing client: ${reason}`);
    this.close();
  }

  private leaveServer(): void {
    const s = this.target;
    if (!s) return;
    s.counters.cur--;
    s.sessionsSet.delete(this);
  }

  /** `shutdown sessions server`, on-marked-down, hard stop: close both sides now. */
  kill(reason: string): void {
    if (this.term === '--') this.term = 'KI';
    this.frontend.debug(`session killed: ${reason}`);
    this.close();
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.clearDeadline();
    if (this.waiter) this.backend.dequeueWaiter(this.waiter);
    this.client.close();
    this.server?.close();
    const now = monoEpochNow();
    const s = this.target;
    if (this.counted) this.backend.counters.cur--;
    if (s) {
      this.leaveServer();
      s.counters.totalTime.add(now - this.start);
      s.counters.totalSamples++;
      this.backend.counters.totalTime.add(now - this.start);
      this.backend.counters.totalSamples++;
      if (s.cfg.maxconn > 0) this.backend.dequeue();
    }
    if (this.frontend.accessLog) this.frontend.accessLog(this.logRecord(now), null);
    this.frontend.proc.sessions.delete(this);
    this.frontend.release();
  }

  /** The session as the access log sees it (`option tcplog`). */
  private logRecord(now: number): TxnLog {
    const fe = this.frontend;
    const e = this.endpointsAtStart;
    const s = this.target;
    const fc = fe.counters;
    return {
      frontend: fe.name,
      transport: this.client.tls ? '~' : '',
      backend: this.backend.name,
      server: this.tConnDone ? s?.name ?? null : null,
      src: e?.src ?? '-',
      srcPort: e?.srcPort ?? 0,
      dst: e?.dst ?? '-',
      dstPort: e?.dstPort ?? 0,
      serverAddr: s ? s.address ?? s.cfg.host : null,
      serverPort: s ? s.port ?? e?.dstPort ?? 0 : null,
      backendSrc: null,
      backendSrcPort: null,
      acceptMs: monoToWall(this.start),
      requestMs: monoToWall(this.start),
      th: 0,
      ti: 0,
      tR: 0,
      tw: this.tQueued ? (this.connectStart || now) - this.tQueued : this.connectStart ? 0 : -1,
      tc: this.tConnDone ? this.tConnDone - this.connectStart : -1,
      tr: -1,
      ta: now - this.start,
      tt: now - this.start,
      status: -1,
      bytesOut: this.bytesOut,
      bytesIn: this.bytesIn,
      termination: this.term,
      cookieState: '--',
      actconn: fe.proc.cur,
      feconn: fc.cur,
      beconn: this.backend.counters.cur,
      srvconn: s?.counters.cur ?? 0,
      retries: this.retried,
      redispatched: this.redispatched,
      srvQueue: 0,
      backendQueue: 0,
      method: null,
      uri: null,
      version: null,
    };
  }

  /** Bytes of this session (for its log line): client to server, server to client. */
  bytesIn = 0;
  bytesOut = 0;
  private endpointsAtStart: Endpoints | null = null;
}

/**
 * One direction of a session: bytes read from `src` and written to `sink`, as a Conn handler on `src`.
 * One object per direction with methods on the prototype: the data path allocates no closures per
 * session. `blocked`: `src` is paused until `sink` drains; `other` is the opposite direction, whose
 * source resumes when this direction's `src` (the other's sink) drains.
 */
class Direction implements ConnHandler {
  blocked = false;
  other: Direction | null = null;
  constructor(
    readonly sess: TcpSession,
    readonly src: Conn,
    readonly sink: Conn,
    readonly s: Server,
    /** client → server: counted as bytes in (HAProxy's bin), else bytes out (bout). */
    readonly upstream: boolean,
  ) {}

  onData(buf: Buffer): void {
    const n = buf.length;
    const fc = this.sess.frontend.counters;
    const bc = this.sess.backend.counters;
    const sc = this.s.counters;
    if (this.upstream) {
      this.sess.bytesIn += n;
      fc.bytesIn += n;
      bc.bytesIn += n;
      sc.bytesIn += n;
    } else {
      this.sess.bytesOut += n;
      fc.bytesOut += n;
      bc.bytesOut += n;
      sc.bytesOut += n;
    }
    this.sess.touch();
    if (!this.sink.write(buf)) {
      this.src.detachReadBuffer();
      this.src.readStop();
      this.blocked = true;
    }
  }

  /** Everything written to `src` (the other direction's sink) went out: resume the other direction. */
  onDrain(): void {
    const o = this.other;
    if (o?.blocked) {
      o.blocked = false;
      if (!(o.upstream ? this.sess.clientEnded : this.sess.serverEnded)) o.src.readStart();
    }
    this.sess.maybeDone();
  }

  onEnd(): void {
    this.sess.ended(this.upstream);
  }

  onError(code: string): void {
    if (this.upstream) this.sess.clientError(code);
    else this.sess.serverError(this.s, code);
  }
}

/** The smaller of two timeouts, null meaning none. */
export function minTimeout(a: number | null, b: number | null): number | null {
  if (a === null) return b;
  if (b === null) return a;
  return Math.min(a, b);
}
