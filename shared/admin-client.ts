/**
 * The one client of lbd's WebSocket admin protocol (shared/protocol.ts), for lbctl, the Ink console and
 * the blessed dashboard. It connects to the admin Unix socket, says hello, matches replies to requests
 * by id with a timeout each, keeps subscriptions (rebuilding full snapshots from deltas), and, when the
 * daemon goes away, reconnects with exponential backoff and subscribes again, so a console survives
 * a daemon restart. Nothing here is specific to a terminal.
 *
 * Events: 'open' (Welcome) after each handshake, 'close' ({code, reason}) when a connection ends,
 * 'reconnecting' ({attempt, delayMs}), 'fatal' (AdminClientError) when it stops trying (version mismatch).
 */
import { EventEmitter } from 'node:events';
import net from 'node:net';
import WebSocket from 'ws';
import {
  CLOSE,
  MAX_SERVER_MESSAGE_BYTES,
  PROTOCOL_VERSION,
  type ErrorCode,
  type SubscribeEvents,
  type RequestOp,
  type RequestOps,
  type ResultOps,
  type ServerMessage,
  type Welcome,
} from './protocol.js';
import type { Snapshot } from './snapshot.js';
import type { LbdEvent } from './events.js';
import { applyDelta } from './snapshot-delta.js';

/** A failure with the protocol's error code (replies) or a client-side one (unreachable, timeout …). */
export class AdminClientError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'AdminClientError';
  }
}

export interface AdminClientOptions {
  socketPath: string;
  /** Sent in hello, for the daemon's logs (`lbctl/0.1.0`). */
  clientName?: string;
  /** Per-request deadline (default 10 s). */
  requestTimeoutMs?: number;
  /** Deadline of one connection attempt, up to the welcome (default 5 s). */
  connectTimeoutMs?: number;
  /** Reconnect after the connection is lost (default true). lbctl's one-shot commands turn it off. */
  reconnect?: boolean;
  /** Backoff between attempts: initialMs × factor^attempt, capped at maxMs, ±20% jitter (default 100 ms, ×2, 5 s). */
  backoff?: { initialMs?: number; factor?: number; maxMs?: number };
}

/** A live subscription; `close()` ends it (and it is not renewed after a reconnect). */
export interface Subscription {
  close(): Promise<void>;
}

interface Pending {
  resolve(v: unknown): void;
  reject(e: AdminClientError): void;
  timer: NodeJS.Timeout;
}

interface Sub {
  /** The subscribe request to (re)send, without id. */
  fields: RequestOps['subscribe'];
  /** The server's id for it on the current connection, or null while not subscribed. */
  serverId: number | null;
  seq: number;
  snapshot: Snapshot | null;
  lastEventSeq: number;
  onSnapshot?: (s: Snapshot, full: boolean) => void;
  onEvent?: (e: LbdEvent) => void;
  closed: boolean;
}

type State = 'idle' | 'connecting' | 'open' | 'waiting' | 'closed';

export class AdminClient extends EventEmitter {
  /** The daemon's welcome on the current connection, or null while not connected. */
  welcome: Welcome | null = null;
  private ws: WebSocket | null = null;
  private state: State = 'idle';
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private readonly subs = new Set<Sub>();
  private readonly byServerId = new Map<number, Sub>();
  private attempt = 0;
  private retryTimer: NodeJS.Timeout | null = null;
  /** The daemon instance last connected to (pid:startedAt): event seqs restart with a new one. */
  private instance: string | null = null;
  private readonly opts: Required<Omit<AdminClientOptions, 'backoff'>> & { backoff: Required<NonNullable<AdminClientOptions['backoff']>> };

  constructor(opts: AdminClientOptions) {
    super();
    this.opts = {
      socketPath: opts.socketPath,
      clientName: opts.clientName ?? 'lbd-admin-client',
      requestTimeoutMs: opts.requestTimeoutMs ?? 10_000,
      connectTimeoutMs: opts.connectTimeoutMs ?? 5_000,
      reconnect: opts.reconnect ?? true,
      backoff: { initialMs: 100, factor: 2, maxMs: 5_000, ...opts.backoff },
    };
    // 'error' is a normal part of life here (the daemon restarts); never crash a client that did not listen
    this.on('error', () => {});
  }

  /** True while a connection is open and greeted. */
  get connected(): boolean {
    return this.state === 'open';
  }

  /**
   * Connect and say hello. Rejects with `unreachable` (no daemon), `version-mismatch` (another protocol)
   * or `timeout`; does not retry the first connection (a script wants the answer now). After it
   * resolves, a lost connection is retried with backoff when `reconnect` is on.
   */
  connect(): Promise<Welcome> {
    if (this.state === 'closed') return Promise.reject(new AdminClientError('closed', 'the client was closed'));
    return this.open();
  }

  private open(): Promise<Welcome> {
    this.state = 'connecting';
    return new Promise<Welcome>((resolve, reject) => {
      const path = this.opts.socketPath;
      const ws = new WebSocket('ws://lbd/', {
        createConnection: () => net.connect(path),
        maxPayload: MAX_SERVER_MESSAGE_BYTES,
        perMessageDeflate: false,
        handshakeTimeout: this.opts.connectTimeoutMs,
      } as WebSocket.ClientOptions);
      this.ws = ws;
      let settled = false;
      const timer = setTimeout(() => fail(new AdminClientError('timeout', `no answer from ${path} within ${this.opts.connectTimeoutMs} ms`)), this.opts.connectTimeoutMs);
      const fail = (e: AdminClientError) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        ws.terminate();
        reject(e);
      };
      ws.on('open', () => ws.send(JSON.stringify({ type: 'hello', version: PROTOCOL_VERSION, client: this.opts.clientName })));
      ws.on('unexpected-response', (_req, res) => fail(new AdminClientError('version-mismatch', `${path} answered HTTP ${res.statusCode}, not the lbd admin protocol`)));
      ws.on('error', (e: NodeJS.ErrnoException) => fail(connectError(path, e)));
      ws.on('message', (data) => {
        let msg: ServerMessage;
        try {
          msg = JSON.parse(data.toString()) as ServerMessage;
        } catch {
          const e = new AdminClientError('bad-message', 'the daemon sent a message that is not JSON');
          return settled ? void this.emit('error', e) : fail(e);
        }
        if (!settled) {
          if (msg.type === 'welcome') {
            settled = true;
            clearTimeout(timer);
            this.onWelcome(msg);
            resolve(msg);
          } else if (msg.type === 'error') {
            fail(new AdminClientError(msg.error.code, msg.error.message));
          }
          return;
        }
        this.onMessage(msg);
      });
      ws.on('close', (code, reason) => {
        if (!settled) {
          const why = code === CLOSE.VERSION_MISMATCH ? 'version-mismatch' : 'unreachable';
          fail(new AdminClientError(why, `connection to ${path} closed during the handshake (${code} ${reason.toString()})`.trim()));
        }
        if (this.ws === ws) this.onClosed(code, reason.toString());
      });
    });
  }

  private onWelcome(w: Welcome): void {
    this.welcome = w;
    this.state = 'open';
    this.attempt = 0;
    const instance = `${w.pid}:${w.startedAt}`;
    const sameDaemon = this.instance === instance;
    this.instance = instance;
    this.emit('open', w);
    for (const s of this.subs) this.sendSubscribe(s, sameDaemon);
  }

  private onClosed(code: number, reason: string): void {
    this.ws = null;
    this.welcome = null;
    this.byServerId.clear();
    for (const s of this.subs) s.serverId = null;
    for (const [id, p] of this.pending) {
      clearTimeout(p.timer);
      p.reject(new AdminClientError('disconnected', `the connection closed before the reply (${code} ${reason})`.trim()));
      this.pending.delete(id);
    }
    const wasOpen = this.state === 'open';
    if (this.state !== 'closed') this.state = 'idle';
    if (wasOpen) this.emit('close', { code, reason });
    // a failed attempt is retried by scheduleRetry()'s own catch (or rejected to connect()'s caller)
    if (wasOpen && this.opts.reconnect) this.scheduleRetry();
  }

  private scheduleRetry(): void {
    const b = this.opts.backoff;
    const base = Math.min(b.maxMs, b.initialMs * b.factor ** this.attempt);
    const delayMs = Math.round(base * (0.8 + Math.random() * 0.4));
    this.attempt++;
    this.state = 'waiting';
    this.emit('reconnecting', { attempt: this.attempt, delayMs });
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      if (this.state !== 'waiting') return;
      this.open().catch((e: AdminClientError) => {
        if (e.code === 'version-mismatch') {
          this.state = 'closed';
          this.emit('fatal', e);
        } else if (this.state !== 'closed') this.scheduleRetry();
      });
    }, delayMs);
  }

  private onMessage(msg: ServerMessage): void {
    switch (msg.type) {
      case 'reply': {
        const p = this.pending.get(msg.id);
        if (!p) return;
        this.pending.delete(msg.id);
        clearTimeout(p.timer);
        if (msg.ok) p.resolve(msg.result);
        else p.reject(new AdminClientError(msg.error.code, msg.error.message));
        return;
      }
      case 'snapshot': {
        const s = this.byServerId.get(msg.sub);
        if (!s || s.closed) return;
        s.seq = msg.seq;
        s.snapshot = msg.snapshot;
        s.onSnapshot?.(msg.snapshot, true);
        return;
      }
      case 'delta': {
        const s = this.byServerId.get(msg.sub);
        if (!s || s.closed || !s.snapshot) return;
        try {
          if (msg.base !== s.seq) throw new Error(`delta ${msg.seq} is based on ${msg.base}, this client has ${s.seq}`);
          s.snapshot = applyDelta(s.snapshot, msg.patch);
          s.seq = msg.seq;
        } catch (e) {
          this.emit('error', new AdminClientError('bad-message', `snapshot delta: ${(e as Error).message}; subscribing again`));
          return this.resubscribe(s);
        }
        s.onSnapshot?.(s.snapshot, false);
        return;
      }
      case 'event': {
        const s = this.byServerId.get(msg.sub);
        if (!s || s.closed) return;
        s.lastEventSeq = Math.max(s.lastEventSeq, msg.event.seq);
        s.onEvent?.(msg.event);
        return;
      }
      case 'error':
        this.emit('error', new AdminClientError(msg.error.code, msg.error.message));
        return;
      default:
        return;
    }
  }

  /**
   * Send one request and wait for its reply. Rejects with the daemon's error code, or `timeout`,
   * `disconnected`, `closed`. While the client is reconnecting, the request waits for the connection
   * (within its timeout).
   */
  async request<K extends RequestOp>(op: K, fields: RequestOps[K], opts: { timeoutMs?: number } = {}): Promise<ResultOps[K]> {
    return this.call(op, fields, opts.timeoutMs ?? this.opts.requestTimeoutMs);
  }

  /** request(), with `beforeSend(id)` run as the id is chosen: a subscription registers itself there, because
   *  its first data message can arrive in the same read as the reply. */
  private async call<K extends RequestOp>(op: K, fields: RequestOps[K], timeoutMs: number, beforeSend?: (id: number) => void): Promise<ResultOps[K]> {
    if (this.state !== 'open') await this.waitOpen(timeoutMs);
    const id = this.nextId++;
    beforeSend?.(id);
    return new Promise<ResultOps[K]>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new AdminClientError('timeout', `no reply to ${op} within ${timeoutMs} ms`));
      }, timeoutMs);
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject, timer });
      this.ws!.send(JSON.stringify({ ...fields, type: 'request', id, op }));
    });
  }

  private waitOpen(timeoutMs: number): Promise<void> {
    if (this.state === 'closed') return Promise.reject(new AdminClientError('closed', 'the client was closed'));
    if (this.state === 'idle') return Promise.reject(new AdminClientError('disconnected', 'not connected'));
    return new Promise((resolve, reject) => {
      const t = setTimeout(() => done(new AdminClientError('timeout', `not connected within ${timeoutMs} ms`)), timeoutMs);
      const onOpen = () => done(null);
      const onFatal = (e: AdminClientError) => done(e);
      const done = (e: AdminClientError | null) => {
        clearTimeout(t);
        this.off('open', onOpen);
        this.off('fatal', onFatal);
        if (e) reject(e);
        else resolve();
      };
      this.once('open', onOpen);
      this.once('fatal', onFatal);
    });
  }

  /** Full snapshots every `intervalMs`, rebuilt from deltas: `onSnapshot(snapshot, full)` where `full` marks
   *  one sent whole (the first, and the first after each reconnect). */
  subscribeSnapshots(opts: { intervalMs?: number }, onSnapshot: (s: Snapshot, full: boolean) => void): Promise<Subscription> {
    return this.addSub({ topic: 'snapshot', ...opts }, { onSnapshot });
  }

  /** Events as they happen, after up to `backlog` recent ones; resumed without gaps after a reconnect. */
  subscribeEvents(opts: Omit<SubscribeEvents, 'topic'>, onEvent: (e: LbdEvent) => void): Promise<Subscription> {
    return this.addSub({ topic: 'events', ...opts }, { onEvent });
  }

  private async addSub(fields: RequestOps['subscribe'], h: Pick<Sub, 'onSnapshot' | 'onEvent'>): Promise<Subscription> {
    const s: Sub = { fields, serverId: null, seq: 0, snapshot: null, lastEventSeq: 0, closed: false, ...h };
    try {
      const r = await this.call('subscribe', fields, this.opts.requestTimeoutMs, (id) => this.bind(s, id));
      s.lastEventSeq = Math.max(s.lastEventSeq, r.lastSeq ?? 0);
    } catch (e) {
      if (s.serverId !== null) this.byServerId.delete(s.serverId);
      throw e;
    }
    this.subs.add(s);
    return {
      close: async () => {
        if (s.closed) return;
        s.closed = true;
        this.subs.delete(s);
        const sid = s.serverId;
        if (sid !== null) this.byServerId.delete(sid);
        if (sid !== null && this.state === 'open') await this.request('unsubscribe', { sub: sid }).catch(() => {});
      },
    };
  }

  private bind(s: Sub, id: number): void {
    s.serverId = id;
    this.byServerId.set(id, s);
  }

  /** Subscribe again on a new connection: events resume after the last one seen (all of a new daemon's). */
  private sendSubscribe(s: Sub, sameDaemon: boolean): void {
    if (!sameDaemon) s.lastEventSeq = 0;
    const fields: RequestOps['subscribe'] = s.fields.topic === 'events' ? { topic: 'events', since: s.lastEventSeq } : s.fields;
    this.call('subscribe', fields, this.opts.requestTimeoutMs, (id) => this.bind(s, id)).catch((e: AdminClientError) => {
      if (s.serverId !== null && this.byServerId.get(s.serverId) === s) this.byServerId.delete(s.serverId);
      s.serverId = null;
      this.emit('error', new AdminClientError(e.code, `could not subscribe again: ${e.message}`));
    });
  }

  private resubscribe(s: Sub): void {
    if (s.serverId !== null) {
      this.byServerId.delete(s.serverId);
      this.request('unsubscribe', { sub: s.serverId }).catch(() => {});
    }
    s.snapshot = null;
    this.sendSubscribe(s, true);
  }

  /** Close the connection and stop reconnecting; pending requests fail with `closed`. */
  async close(): Promise<void> {
    this.state = 'closed';
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = null;
    const ws = this.ws;
    if (!ws) return;
    await new Promise<void>((resolve) => {
      ws.once('close', () => resolve());
      if (ws.readyState === WebSocket.OPEN) ws.close(1000);
      else ws.terminate();
      // a daemon that does not answer the close handshake is cut off
      setTimeout(() => ws.terminate(), 1000).unref();
    });
  }
}

function connectError(path: string, e: NodeJS.ErrnoException): AdminClientError {
  const code = e.code ?? '';
  if (['ENOENT', 'ECONNREFUSED', 'EACCES', 'ENOTSOCK', 'ECONNRESET', 'EPIPE'].includes(code)) {
    const why = code === 'ENOENT' ? 'no such socket' : code === 'ECONNREFUSED' ? 'nothing listening' : code === 'EACCES' ? 'permission denied' : e.message;
    return new AdminClientError('unreachable', `cannot reach lbd at ${path}: ${why}`);
  }
  if (/Invalid WebSocket frame|Invalid HTTP|Parse Error|HPE_/i.test(e.message) || code.startsWith('HPE_')) {
    return new AdminClientError('version-mismatch', `${path} does not speak the lbd admin protocol (${e.message})`);
  }
  return new AdminClientError('unreachable', `cannot reach lbd at ${path}: ${e.message}`);
}
