/**
 * The server-side connection pool of the HTTP engine: per server, idle HTTP/1.1 connections kept for
 * reuse under `http-reuse never|safe|aggressive|always` (rules in pool-select.ts).
 *
 * How the engine uses it, per request:
 * 1. `acquire(server, { reuse, firstRequestOfClientSession, idempotent }, cb)`: `cb(null, pc)` with an
 *    idle connection (synchronously, before acquire returns: no tick is spent on the fast path) or with a
 *    new one once connected (`cb(err)` with `err.code` ECONNREFUSED, ETIMEDOUT … on failure). `pc.conn`
 *    is reading, with a do-nothing handler: install yours at once (`pc.conn.handler = …`).
 * 2. Write the request head and body on `pc.conn`.
 * 3. Parse the response head with HeadParser, derive the framing (framing.ts), stream the body.
 * 4. `release(pc, { reusable, keepAliveMs })` when the response ended: `reusable` is false after
 *    `Connection: close` (or HTTP/1.0 without keep-alive), a body delimited by close, an upgrade, any
 *    error, a request not fully sent, or bytes after the response; `keepAliveMs` is
 *    `parseKeepAliveTimeout(<Keep-Alive header>)` or null. On an error mid-request, `release(pc,
 *    { reusable: false, … })` closes it (or close `pc.conn` yourself and still release, for the counters).
 *
 * Under `http-reuse never` nothing is shared between client sessions: a connection acquired in that mode
 * is closed at release, and the engine keeps a session's own connection itself between that session's
 * requests (HAProxy's private session connection), releasing it when the session ends.
 *
 * Idle connections go back on a stack per server and list (LIFO: the most recently used one is taken
 * first, so under a falling load the bottom of the stack stays unused and expires, and the pool shrinks to
 * the connections actually needed; LRU would keep every connection warm and none would expire). Each
 * idle connection keeps reading with a handler of its own: a FIN, an error or any byte from the server
 * removes and closes it at once, so a request is never written to a connection the server has given up.
 * It is also never used past min(server hint − margin, idle limit) (checked at acquire), and one lazily
 * re-armed timer closes the expired ones.
 */
import { monoNow } from '../runtime/clock.js';
import { NO_HANDLER, type Transport } from '../proxy/conn.js';
import { dialTls } from '../proxy/tls-dial.js';
import type { ServerSslConfig } from '../config/types.js';
import { PooledConn, PoolError, type IdleOwner } from './pool-conn.js';
import { idleLifetimeMs, type IdleLimits } from './pool-keepalive.js';
import { listFor, reuseLists, type IdleList, type ReuseMode } from './pool-select.js';
import { ServerCounters, type PoolServerStats } from './pool-stats.js';
import { H2ServerSet, ServerStream } from '../h2/client.js';
import type { H2Counters } from '../h2/counters.js';

export { PooledConn, PoolError } from './pool-conn.js';
export type { ReuseMode } from './pool-select.js';
export type { PoolServerStats } from './pool-stats.js';

/** A server as the pool knows it: `key` names its pool (e.g. `backend/server`), host and port are dialled. */
export interface PoolServer {
  readonly key: string;
  readonly host: string;
  readonly port: number;
  /** `server … ssl`: dial with TLS, sending this SNI (the key must then name the SNI: connections differ by it). */
  readonly tls?: { readonly ssl: ServerSslConfig; readonly servername: string | null; readonly preface?: Buffer | null };
  /** `proto h2`: requests are streams over this server's HTTP/2 connections, counted in these counters (the backend's). */
  readonly h2?: H2Counters;
}

/** Pool settings; every field but `transport` has a default. */
export interface PoolOptions {
  readonly transport: Transport;
  /** `timeout connect`; null: no limit of our own. */
  readonly connectTimeoutMs?: number | null;
  /** The longest an idle connection is kept (like `timeout http-keep-alive`); default 10 s. */
  readonly idleLimitMs?: number;
  /** When the server sent no `Keep-Alive: timeout=`; default 4 s (below the usual 5 s of Node, Apache). */
  readonly defaultKeepAliveMs?: number;
  /** Subtracted from the server's hint; default 1 s. */
  readonly keepAliveMarginMs?: number;
  /** Idle connections kept per server (like `pool-max-conn`); default 100. */
  readonly maxIdlePerServer?: number;
  /** Idle connections kept over all servers; default 10,000. */
  readonly maxIdleTotal?: number;
  /** The clock (ms); tests may pass their own. */
  readonly now?: () => number;
}

/** What the request is, for the reuse decision. */
export interface AcquireOptions {
  readonly reuse: ReuseMode;
  /** The first request of the client's session (safe mode never gives it another session's connection). */
  readonly firstRequestOfClientSession: boolean;
  /**
   * Whether the method is idempotent. HAProxy 2.6 does not use it to choose a connection (only retries
   * do), and neither does the pool: it is carried for the engine's retry decision.
   */
  readonly idempotent: boolean;
  /** `timeout connect` of this request's backend (null: none); default: the pool's. */
  readonly connectTimeoutMs?: number | null;
}

/** How the response ended. */
export interface ReleaseInfo {
  readonly reusable: boolean;
  /** The server's `Keep-Alive: timeout=` in ms, or null. */
  readonly keepAliveMs: number | null;
}

/** acquire()'s callback: exactly one of the two is set. */
export type AcquireCallback = (err: PoolError | null, pc: PooledConn | null) => void;

/** Sweeps close what expires within this much of now, so the timer fires at most every SWEEP_SLACK_MS. */
const SWEEP_SLACK_MS = 100;

/** One server's idle stacks and counters. */
class ServerPool {
  readonly idle: PooledConn[] = [];
  readonly safe: PooledConn[] = [];
  readonly counters: ServerCounters;
  constructor(now: number) {
    this.counters = new ServerCounters(now);
  }
  list(l: IdleList): PooledConn[] {
    return l === 'idle' ? this.idle : this.safe;
  }
}

/** Idle HTTP/1.1 server connections, per server, with the `http-reuse` rules. */
export class HttpPool implements IdleOwner {
  private readonly transport: Transport;
  private readonly connectTimeoutMs: number | null;
  private readonly limits: IdleLimits;
  private readonly maxIdlePerServer: number;
  private readonly maxIdleTotal: number;
  private readonly now: () => number;
  private readonly servers = new Map<string, ServerPool>();
  private readonly dialing = new Map<PooledConn, AcquireCallback>();
  /** `proto h2` servers: their HTTP/2 connections, by pool key. */
  private readonly h2sets = new Map<string, H2ServerSet>();
  private idleTotal = 0;
  private timer: NodeJS.Timeout | null = null;
  private timerAt = 0;
  private closed = false;

  constructor(opts: PoolOptions) {
    this.transport = opts.transport;
    this.connectTimeoutMs = opts.connectTimeoutMs ?? null;
    this.limits = {
      idleLimitMs: opts.idleLimitMs ?? 10_000,
      defaultKeepAliveMs: opts.defaultKeepAliveMs ?? 4000,
      marginMs: opts.keepAliveMarginMs ?? 1000,
    };
    this.maxIdlePerServer = opts.maxIdlePerServer ?? 100;
    this.maxIdleTotal = opts.maxIdleTotal ?? 10_000;
    // monotonic: a wall-clock step must neither keep idle connections past their lifetime nor expire them all
    this.now = opts.now ?? monoNow;
  }

  /** An idle connection the mode allows (cb runs before this returns), else a new one (cb once connected or failed). */
  acquire(server: PoolServer, opts: AcquireOptions, cb: AcquireCallback): void {
    if (this.closed) {
      queueMicrotask(() => cb(new PoolError('ECANCELED', server.key), null));
      return;
    }
    const sp = this.pool(server.key);
    if (server.h2 !== undefined) return this.acquireH2(server, sp, opts, cb);
    const pc = this.take(sp, opts);
    if (pc) {
      pc.mode = opts.reuse;
      sp.counters.reuse++;
      sp.counters.use();
      cb(null, pc);
      return;
    }
    this.dial(server, sp, opts.reuse, cb, opts.connectTimeoutMs === undefined ? this.connectTimeoutMs : opts.connectTimeoutMs);
  }

  /**
   * An HTTP/2 server: a stream on one of its connections (one with room, else a new one). The stream is the
   * request's `Conn`; a stream on a connection that already existed counts as a reuse.
   */
  private acquireH2(server: PoolServer, sp: ServerPool, opts: AcquireOptions, cb: AcquireCallback): void {
    let set = this.h2sets.get(server.key);
    if (set === undefined) {
      const dial = server.tls
        ? (done: (err: string | null) => void) => dialTls(server.host, server.port, server.tls!.ssl.alpn.length ? server.tls!.ssl : { ...server.tls!.ssl, alpn: ['h2'] }, server.tls!.servername, server.key, done)
        : (done: (err: string | null) => void) => this.transport.dial(server.host, server.port, done);
      set = new H2ServerSet(server.key, dial, server.h2!, this.limits.idleLimitMs, this.connectTimeoutMs);
      this.h2sets.set(server.key, set);
    }
    sp.counters.use();
    set.get((c, err, reused) => {
      if (c === null) {
        sp.counters.usedCur--;
        sp.counters.connects++;
        sp.counters.connectErrors++;
        return cb(new PoolError(err ?? 'ECONNRESET', server.key), null);
      }
      const pc = new PooledConn(server.key, this);
      pc.state = 'busy';
      pc.mode = opts.reuse;
      pc.reused = reused;
      pc.stream = true;
      if (reused) sp.counters.reuse++;
      else sp.counters.connects++;
      const st = new ServerStream(c, server.tls !== undefined);
      st.start();
      st.readStart();
      pc.conn = st;
      cb(null, pc);
    }, opts.connectTimeoutMs === undefined ? this.connectTimeoutMs : opts.connectTimeoutMs);
  }

  /** acquire() as a promise (rejects with a PoolError). */
  acquireAsync(server: PoolServer, opts: AcquireOptions): Promise<PooledConn> {
    return new Promise((resolve, reject) => this.acquire(server, opts, (err, pc) => (err ? reject(err) : resolve(pc!))));
  }

  /** The request on `pc` is over: keep the connection idle when it may be reused, else close it. */
  release(pc: PooledConn, info: ReleaseInfo): void {
    if (pc.state !== 'busy') return;
    const sp = this.pool(pc.serverKey);
    sp.counters.usedCur--;
    pc.requests++;
    const conn = pc.conn;
    if (pc.stream) {
      // a stream carries one request: its connection stays with the server's set
      pc.state = 'closed';
      conn.close();
      return;
    }
    const now = this.now();
    const life = info.reusable && pc.mode !== 'never' && !this.closed && !conn.closed && conn.pendingBytes() === 0 ? idleLifetimeMs(info.keepAliveMs, this.limits) : 0;
    if (life <= 0 || sp.idle.length + sp.safe.length >= this.maxIdlePerServer || this.idleTotal >= this.maxIdleTotal) {
      sp.counters.notKept++;
      this.closeConn(pc);
      return;
    }
    pc.state = 'idle';
    pc.list = listFor(pc.requests);
    pc.expiresAt = now + life;
    sp.list(pc.list).push(pc);
    this.idleTotal++;
    conn.handler = pc.idleHandler;
    conn.readStart();
    this.arm(pc.expiresAt, now);
  }

  /** IdleOwner: the server closed, reset or wrote to an idle connection. */
  idleBroken(pc: PooledConn, _why: 'data' | 'end' | 'error'): void {
    if (pc.state !== 'idle') return;
    const sp = this.servers.get(pc.serverKey);
    if (sp) {
      this.unlist(sp, pc);
      sp.counters.closedByServer++;
    }
    this.closeConn(pc);
  }

  /** The counters of one server (zeros for a server never seen). */
  stats(serverKey: string): PoolServerStats {
    const sp = this.pool(serverKey);
    return sp.counters.snapshot(sp.idle.length, sp.safe.length, this.now());
  }

  /** Idle connections over all servers. */
  idleCount(): number {
    return this.idleTotal;
  }

  /** Close one server's idle connections (server removed or put in maintenance); busy ones close at release. */
  closeServer(serverKey: string): void {
    const sp = this.servers.get(serverKey);
    if (!sp) return;
    for (const list of [sp.idle, sp.safe]) {
      for (const pc of list.splice(0)) {
        this.idleTotal--;
        this.closeConn(pc);
      }
    }
    for (const [pc, cb] of this.dialing) if (pc.serverKey === serverKey) this.abortDial(pc, cb, sp);
    this.h2sets.get(serverKey)?.drainAll();
  }

  /**
   * Process stop or reload: close every idle connection, abort the dials (their callbacks get ECANCELED),
   * stop the timer; connections carrying a request close when released. The pool accepts nothing more.
   */
  closeAll(): void {
    this.closed = true;
    for (const key of this.servers.keys()) this.closeServer(key);
    for (const set of this.h2sets.values()) set.drainAll();
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  /** The most recent usable idle connection of an allowed list, or null; drops the expired and dead ones met on the way. */
  private take(sp: ServerPool, opts: AcquireOptions): PooledConn | null {
    const lists = reuseLists(opts.reuse, opts.firstRequestOfClientSession);
    if (lists.length === 0 || this.idleTotal === 0) return null;
    const now = this.now();
    for (const l of lists) {
      const stack = sp.list(l);
      while (stack.length > 0) {
        const pc = stack.pop()!;
        this.idleTotal--;
        if (pc.conn.closed || pc.expiresAt <= now) {
          sp.counters.expired++;
          this.closeConn(pc);
          continue;
        }
        pc.state = 'busy';
        pc.list = null;
        pc.reused = true;
        pc.conn.handler = NO_HANDLER;
        return pc;
      }
    }
    return null;
  }

  private dial(server: PoolServer, sp: ServerPool, mode: ReuseMode, cb: AcquireCallback, connectTimeoutMs: number | null): void {
    const pc = new PooledConn(server.key, this);
    pc.mode = mode;
    sp.counters.connects++;
    sp.counters.use();
    let timer: NodeJS.Timeout | null = null;
    this.dialing.set(pc, cb);
    const dialled = (err: string | null): void => {
      if (pc.state !== 'dialing') return;
      if (timer) clearTimeout(timer);
      this.dialing.delete(pc);
      if (err !== null) return this.dialFailed(pc, sp, cb, err);
      pc.state = 'busy';
      pc.conn.handler = NO_HANDLER;
      pc.conn.readStart();
      cb(null, pc);
    };
    pc.conn = server.tls ? dialTls(server.host, server.port, server.tls.ssl, server.tls.servername, server.key, dialled, server.tls.preface ?? null) : this.transport.dial(server.host, server.port, dialled);
    pc.conn.handler = NO_HANDLER;
    if (connectTimeoutMs !== null) {
      timer = setTimeout(() => {
        if (pc.state !== 'dialing') return;
        this.dialing.delete(pc);
        this.dialFailed(pc, sp, cb, 'ETIMEDOUT');
      }, connectTimeoutMs);
    }
  }

  private dialFailed(pc: PooledConn, sp: ServerPool, cb: AcquireCallback, code: string): void {
    sp.counters.usedCur--;
    sp.counters.connectErrors++;
    this.closeConn(pc);
    cb(new PoolError(code, pc.serverKey), null);
  }

  private abortDial(pc: PooledConn, cb: AcquireCallback, sp: ServerPool): void {
    this.dialing.delete(pc);
    sp.counters.usedCur--;
    this.closeConn(pc);
    queueMicrotask(() => cb(new PoolError('ECANCELED', pc.serverKey), null));
  }

  private pool(key: string): ServerPool {
    let sp = this.servers.get(key);
    if (!sp) this.servers.set(key, (sp = new ServerPool(this.now())));
    return sp;
  }

  private unlist(sp: ServerPool, pc: PooledConn): void {
    const stack = sp.list(pc.list!);
    const i = stack.lastIndexOf(pc);
    if (i >= 0) {
      stack.splice(i, 1);
      this.idleTotal--;
    }
  }

  private closeConn(pc: PooledConn): void {
    pc.state = 'closed';
    pc.list = null;
    pc.conn.handler = NO_HANDLER;
    pc.conn.close();
  }

  /** Make sure the sweep timer fires by `at` (one timer for the whole pool, re-armed only when it must fire earlier). */
  private arm(at: number, now: number): void {
    if (this.timer && this.timerAt <= at) return;
    if (this.timer) clearTimeout(this.timer);
    this.timerAt = at;
    this.timer = setTimeout(this.sweep, Math.max(0, at - now));
    this.timer.unref();
  }

  /** Close the idle connections expired (or expiring within the slack), then re-arm for the next one. */
  private readonly sweep = (): void => {
    this.timer = null;
    const now = this.now();
    const limit = now + SWEEP_SLACK_MS;
    let next = Infinity;
    for (const sp of this.servers.values()) {
      for (const stack of [sp.idle, sp.safe]) {
        let w = 0;
        for (const pc of stack) {
          if (pc.expiresAt <= limit) {
            sp.counters.expired++;
            this.idleTotal--;
            this.closeConn(pc);
          } else {
            stack[w++] = pc;
            if (pc.expiresAt < next) next = pc.expiresAt;
          }
        }
        stack.length = w;
      }
      sp.counters.needConnEst(now);
    }
    if (next !== Infinity) this.arm(next, now);
  };
}
