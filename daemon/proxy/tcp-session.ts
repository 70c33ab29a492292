import net from 'node:net';
import type { Backend, QueueWaiter } from '../runtime/backend.js';
import type { Server } from '../runtime/server.js';
import { observeResult } from '../runtime/server-state.js';
import type { Frontend } from '../runtime/frontend.js';

/**
 * One proxied TCP session (`mode tcp`): client ⇄ lbd ⇄ server, full duplex.
 *
 * - Backpressure: when a write to one side returns false, reading from the other side pauses until
 *   'drain', so a client that stops reading stops lbd reading its server and memory stays flat.
 * - Half-close: an end from one side is passed on with `end()` to the other; the session closes once both
 *   directions have ended (`timeout client-fin`/`server-fin` then bound the remaining half).
 * - `timeout client`/`server` are idle timeouts on each side; `timeout connect` bounds each attempt.
 * - A failed connect is retried `retries` times (after min(timeout connect, 1 s) on the same server);
 *   with `option redispatch` the last retry goes to another server. `observe layer4` sees each result.
 * - No usable server: the client is closed at once and the backend counts a connection error.
 */
export class TcpSession {
  server: net.Socket | null = null;
  target: Server | null = null;
  private tried: Set<Server> | null = null;
  private retriesLeft: number;
  private waiter: QueueWaiter | null = null;
  private connectStart = 0;
  private readonly start: number;
  private clientEnded = false;
  private serverEnded = false;
  private closed = false;
  private retryTimer: NodeJS.Timeout | null = null;
  /** The backend counted this session (once, whatever the redispatches). */
  private counted = false;
  readonly backup: boolean = false;

  constructor(readonly client: net.Socket, readonly frontend: Frontend, readonly backend: Backend) {
    this.start = Date.now();
    this.retriesLeft = backend.cfg.retries;
    client.on('error', this.onClientError);
    client.on('close', this.onClientClose);
    client.pause();
    frontend.proc.sessions.add(this);
    this.assign();
  }

  private readonly onClientError = (err: NodeJS.ErrnoException) => {
    if (this.closed) return;
    if (this.target) {
      this.target.counters.cliAborts++;
    }
    this.backend.counters.cliAborts++;
    this.frontend.debug(`client error: ${err.code ?? err.message}`);
    this.close();
  };

  private readonly onClientClose = () => {
    if (!this.closed) this.close();
  };

  /** Pick a server (or queue, or give up) for the current attempt. */
  private assign(): void {
    const be = this.backend;
    const r = be.select(this.client.remoteAddress ?? null, this.tried);
    if (r === null) return this.fail('no server available');
    if (r === 'queue') {
      if (!be.canQueue()) return this.fail('queue full');
      const waiter: QueueWaiter = {
        enqueuedAt: Date.now(),
        tried: this.tried,
        hashKey: this.client.remoteAddress ?? null,
        timer: null,
        assigned: (s) => {
          this.waiter = null;
          if (this.closed) {
            // the server was counted as selected but the client is gone: free the slot again
            if (s) be.dequeue();
            return;
          }
          if (s === null) return this.fail('queue timeout');
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
    const now = Date.now();
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
    const port = s.port ?? this.client.localPort ?? 0;
    const host = s.address ?? s.cfg.host;
    this.connectStart = now;
    const sock = net.connect({ host, port, noDelay: true, allowHalfOpen: true });
    this.server = sock;
    const ct = this.backend.cfg.timeouts.connect;
    if (ct !== null) sock.setTimeout(ct);
    const onTimeout = () => sock.destroy(Object.assign(new Error('connect timeout'), { code: 'ETIMEDOUT' }));
    sock.on('timeout', onTimeout);
    sock.once('error', (err: NodeJS.ErrnoException) => {
      if (sock !== this.server) return;
      sock.off('timeout', onTimeout);
      sock.on('error', () => {});
      this.server = null;
      this.connectFailed(s, err);
    });
    sock.once('connect', () => {
      sock.off('timeout', onTimeout);
      if (this.closed) return void sock.destroy();
      const ms = Date.now() - this.connectStart;
      s.counters.connectTime.add(ms);
      s.counters.connectSamples++;
      this.backend.counters.connectTime.add(ms);
      this.backend.counters.connectSamples++;
      observeResult(s, true);
      this.wire(sock);
    });
  }

  private connectFailed(s: Server, err: NodeJS.ErrnoException): void {
    s.counters.connectErrors++;
    this.backend.counters.connectErrors++;
    observeResult(s, false);
    this.frontend.debug(`connect to ${s.key} failed: ${err.code ?? err.message}`);
    if (this.closed) return;
    if (this.retriesLeft <= 0) return this.fail(`connect error (${err.code ?? err.message})`, true);
    this.retriesLeft--;
    s.counters.retries++;
    this.backend.counters.retries++;
    const redispatch = this.backend.cfg.redispatch && this.retriesLeft === 0;
    if (redispatch) {
      (this.tried ??= new Set()).add(s);
      s.counters.redispatches++;
      this.backend.counters.redispatches++;
      this.leaveServer();
      this.target = null;
      return this.assign();
    }
    if (!s.eligible() && this.backend.cfg.redispatch) {
      this.leaveServer();
      this.target = null;
      return this.assign();
    }
    const delay = Math.min(this.backend.cfg.timeouts.connect ?? 1000, 1000);
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      if (!this.closed) this.connect(s);
    }, delay);
  }

  /** Both sockets are open: stream in both directions with backpressure and half-close. */
  private wire(server: net.Socket): void {
    const client = this.client;
    const s = this.target!;
    const be = this.backend;
    const fe = this.frontend;
    const sc = s.counters;
    const bc = be.counters;
    const fc = fe.counters;
    // HAProxy: once a TCP session is established, `timeout tunnel` (when set) replaces client and server timeouts
    const tunnel = be.cfg.timeouts.tunnel;
    server.setTimeout(tunnel ?? be.cfg.timeouts.server ?? 0);
    client.setTimeout(tunnel ?? fe.cfg.timeouts.client ?? 0);
    server.on('timeout', () => this.timeout('server'));
    client.on('timeout', () => this.timeout('client'));
    server.on('error', (err: NodeJS.ErrnoException) => {
      if (this.closed) return;
      sc.srvAborts++;
      bc.srvAborts++;
      sc.responseErrors++;
      bc.responseErrors++;
      fe.debug(`server ${s.key} error: ${err.code ?? err.message}`);
      this.close();
    });
    server.on('close', () => {
      if (!this.closed) this.close();
    });

    client.on('data', (d: Buffer) => {
      const n = d.length;
      fc.bytesIn += n;
      bc.bytesIn += n;
      sc.bytesIn += n;
      if (!server.write(d)) client.pause();
    });
    server.on('data', (d: Buffer) => {
      const n = d.length;
      fc.bytesOut += n;
      bc.bytesOut += n;
      sc.bytesOut += n;
      if (!client.write(d)) server.pause();
    });
    server.on('drain', () => client.resume());
    client.on('drain', () => server.resume());

    client.on('end', () => {
      this.clientEnded = true;
      server.end();
      this.halfClosed();
    });
    server.on('end', () => {
      this.serverEnded = true;
      client.end();
      this.halfClosed();
    });
    client.resume();
  }

  /** One direction is shut: `timeout client-fin`/`server-fin` now bound the sides (HAProxy), then close when both are. */
  private halfClosed(): void {
    const cf = this.frontend.cfg.timeouts.clientFin;
    const sf = this.backend.cfg.timeouts.serverFin;
    if (cf !== null) this.client.setTimeout(cf);
    if (sf !== null) this.server?.setTimeout(sf);
    this.maybeDone();
  }

  private maybeDone(): void {
    if (this.clientEnded && this.serverEnded) {
      // both halves ended; sockets close once their writes are flushed ('close' follows 'finish')
      const done = () => this.close();
      if (this.client.writableFinished && this.server?.writableFinished !== false) done();
      else {
        this.client.once('finish', () => (this.server?.writableFinished !== false ? done() : undefined));
        this.server?.once('finish', () => (this.client.writableFinished ? done() : undefined));
      }
    }
  }

  private timeout(side: 'client' | 'server'): void {
    this.frontend.debug(`${side} timeout on session to ${this.target?.key ?? '-'}`);
    this.close();
  }

  private fail(reason: string, counted = false): void {
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

  /** `shutdown sessions server`, on-marked-down: close both sides now. */
  kill(reason: string): void {
    this.frontend.debug(`session killed: ${reason}`);
    this.close();
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    if (this.waiter) this.backend.dequeueWaiter(this.waiter);
    this.client.destroy();
    this.server?.destroy();
    const now = Date.now();
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
    this.frontend.proc.sessions.delete(this);
    this.frontend.release();
  }
}
