/**
 * One WebSocket admin connection: the handshake, request dispatch, subscriptions, and the bounds that
 * keep one client from hurting others. A bad message is answered with an error and counted (too many
 * and the connection closes); requests in flight and subscriptions are capped; a client that does not
 * read skips snapshot ticks and, past HARD_BUFFER_BYTES unsent, is cut off. Every timer and
 * subscription ends with the connection.
 */
import type { WebSocket, RawData } from 'ws';
import type { Snapshot } from '../../shared/snapshot.js';
import type { LbdEvent } from '../../shared/events.js';
import {
  CLOSE,
  MAX_CLIENT_MESSAGE_BYTES,
  PROTOCOL_VERSION,
  SNAPSHOT_INTERVAL,
  type ErrorCode,
  type RequestOf,
  type Welcome,
} from '../../shared/protocol.js';
import { VERSION } from '../version.js';
import { checkLevel, isOneShotOp, OpError, runOp, type OpContext } from './ws-ops.js';
import { subscribeSnapshots, type SnapshotSubscriber } from './ws-feed.js';

/** Per-connection bounds (sent to the client in `welcome`). */
export const SESSION_LIMITS = Object.freeze({
  maxInFlight: 16,
  maxSubscriptions: 8,
  /** Bad messages tolerated on one connection before it is closed. */
  maxErrors: 20,
  /** Unsent bytes past which a client that does not read is disconnected. */
  hardBufferBytes: 8 * 1024 * 1024,
});

/** Error codes that say the client sent something malformed (counted against maxErrors). */
const MALFORMED: ReadonlySet<ErrorCode> = new Set(['bad-message', 'unknown-op', 'bad-request', 'handshake-required']);

/** Every open WebSocket session, so a stopping daemon can say goodbye (1001) to each. */
const live = new Set<WsSession>();

/**
 * Close every WebSocket session with 1001 (going away): clients reconnect with backoff to whichever lbd
 * takes the socket next. Resolves once each has closed, or after `ms` (then they are cut).
 */
export function closeAllSessions(ms = 500): Promise<void> {
  const all = [...live];
  return Promise.all(all.map((s) => s.goAway(ms))).then(() => undefined);
}

export class WsSession {
  private greeted = false;
  private inFlight = 0;
  private errors = 0;
  private closed = false;
  private readonly subs = new Map<number, () => void>();
  private handshakeTimer: NodeJS.Timeout | null;

  constructor(
    private readonly ws: WebSocket,
    private readonly oc: OpContext,
    handshakeMs: number,
  ) {
    live.add(this);
    ws.on('message', (data, isBinary) => this.onMessage(data, isBinary));
    ws.on('close', () => this.dispose());
    // protocol errors (a frame over maxPayload, bad framing): ws closes the connection itself
    ws.on('error', () => {});
    this.handshakeTimer = setTimeout(() => {
      this.handshakeTimer = null;
      this.sendError('handshake-required', `no hello within ${handshakeMs} ms`);
      this.ws.close(CLOSE.HANDSHAKE_TIMEOUT, 'handshake timeout');
    }, handshakeMs);
  }

  /** Send one message unless the client is too far behind, in which case it is cut off. */
  private send(text: string): void {
    if (this.closed) return;
    if (this.ws.bufferedAmount > SESSION_LIMITS.hardBufferBytes) {
      this.ws.terminate();
      return;
    }
    this.ws.send(text);
  }

  private sendError(code: ErrorCode, message: string): void {
    this.send(JSON.stringify({ type: 'error', error: { code, message } }));
  }

  private reply(id: number, result: unknown): void {
    this.send(JSON.stringify({ type: 'reply', id, ok: true, result }));
  }

  private fail(id: number | null, code: ErrorCode, message: string): void {
    if (id === null) this.sendError(code, message);
    else this.send(JSON.stringify({ type: 'reply', id, ok: false, error: { code, message } }));
    if (MALFORMED.has(code) && ++this.errors > SESSION_LIMITS.maxErrors) {
      this.sendError(code, `too many bad messages (${this.errors}): closing`);
      this.ws.close(CLOSE.TOO_MANY_ERRORS, 'too many bad messages');
    }
  }

  private onMessage(data: RawData, isBinary: boolean): void {
    // once a close has started (too many errors, version mismatch), nothing more is read
    if (this.closed || this.ws.readyState !== this.ws.OPEN) return;
    if (isBinary) return this.fail(null, 'bad-message', 'messages are JSON text frames');
    let msg: unknown;
    try {
      msg = JSON.parse(data.toString());
    } catch {
      return this.fail(null, 'bad-message', 'not JSON');
    }
    if (typeof msg !== 'object' || msg === null || Array.isArray(msg)) return this.fail(null, 'bad-message', 'a message is a JSON object');
    const m = msg as Record<string, unknown>;
    if (m.type === 'hello') return this.onHello(m);
    if (m.type !== 'request') return this.fail(null, 'bad-message', `unknown message type ${JSON.stringify(m.type)}`);
    const id = m.id;
    if (typeof id !== 'number' || !Number.isSafeInteger(id) || id < 0) return this.fail(null, 'bad-message', 'a request needs a numeric id');
    if (!this.greeted) return this.fail(id, 'handshake-required', `send {"type":"hello","version":${PROTOCOL_VERSION}} first`);
    const op = m.op;
    if (op === 'subscribe' || op === 'unsubscribe') {
      try {
        if (op === 'subscribe') this.subscribe(m as unknown as RequestOf<'subscribe'>);
        else this.unsubscribe(m as unknown as RequestOf<'unsubscribe'>);
      } catch (e) {
        this.failWith(id, e);
      }
      return;
    }
    if (typeof op !== 'string' || !isOneShotOp(op)) return this.fail(id, 'unknown-op', `unknown op ${JSON.stringify(op)}`);
    if (this.inFlight >= SESSION_LIMITS.maxInFlight) return this.fail(id, 'busy', `at most ${SESSION_LIMITS.maxInFlight} requests in flight`);
    this.inFlight++;
    runOp(m as RequestOf<typeof op>, this.oc).then(
      (result) => {
        this.inFlight--;
        this.reply(id, result);
      },
      (e: unknown) => {
        this.inFlight--;
        this.failWith(id, e);
      },
    );
  }

  private failWith(id: number, e: unknown): void {
    if (e instanceof OpError) this.fail(id, e.code, e.message);
    else {
      this.oc.ctx.runtime.log.alert(`admin (ws): request ${id} failed: ${(e as Error).stack ?? String(e)}`);
      this.fail(id, 'internal', (e as Error).message ?? String(e));
    }
  }

  private onHello(m: Record<string, unknown>): void {
    if (this.greeted) return this.fail(null, 'bad-request', 'hello was already received');
    if (m.version !== PROTOCOL_VERSION) {
      const theirs = typeof m.version === 'number' ? `version ${m.version}` : 'no version';
      this.sendError(
        'version-mismatch',
        `lbd ${VERSION} speaks admin protocol version ${PROTOCOL_VERSION}, this client sent ${theirs}: use an lbctl (or console) from the same lbd release`,
      );
      this.ws.close(CLOSE.VERSION_MISMATCH, 'protocol version mismatch');
      return;
    }
    this.greeted = true;
    if (this.handshakeTimer) clearTimeout(this.handshakeTimer);
    this.handshakeTimer = null;
    const rt = this.oc.ctx.runtime;
    const welcome: Welcome = {
      type: 'welcome',
      version: PROTOCOL_VERSION,
      server: `lbd ${VERSION}`,
      level: this.oc.level,
      pid: process.pid,
      startedAt: rt.startedAt,
      limits: {
        maxMessageBytes: MAX_CLIENT_MESSAGE_BYTES,
        maxInFlight: SESSION_LIMITS.maxInFlight,
        maxSubscriptions: SESSION_LIMITS.maxSubscriptions,
        minIntervalMs: SNAPSHOT_INTERVAL.minMs,
      },
    };
    this.send(JSON.stringify(welcome));
  }

  private subscribe(req: RequestOf<'subscribe'>): void {
    checkLevel('subscribe', this.oc.level);
    if (this.subs.has(req.id)) throw new OpError('bad-request', `subscription ${req.id} exists: use a new id`);
    if (this.subs.size >= SESSION_LIMITS.maxSubscriptions) throw new OpError('busy', `at most ${SESSION_LIMITS.maxSubscriptions} subscriptions per connection`);
    if (req.topic === 'snapshot') return this.subscribeSnapshots(req.id, req.intervalMs);
    if (req.topic === 'events') return this.subscribeEvents(req.id, req.backlog, req.since);
    throw new OpError('bad-request', `unknown topic ${JSON.stringify((req as { topic?: unknown }).topic)}: snapshot or events`);
  }

  private subscribeSnapshots(sub: number, requested: unknown): void {
    if (requested !== undefined && (typeof requested !== 'number' || !Number.isFinite(requested))) throw new OpError('bad-request', "'intervalMs' must be a number");
    const intervalMs = Math.round(Math.min(SNAPSHOT_INTERVAL.maxMs, Math.max(SNAPSHOT_INTERVAL.minMs, requested ?? SNAPSHOT_INTERVAL.defaultMs)));
    const rt = this.oc.ctx.runtime;
    const first: Snapshot = rt.snapshot();
    const s: SnapshotSubscriber = {
      sub,
      last: first,
      seq: 1,
      skipped: 0,
      buffered: () => this.ws.bufferedAmount,
      send: (text) => this.send(text),
    };
    this.reply(sub, { sub, intervalMs });
    this.send(`{"type":"snapshot","sub":${sub},"seq":1,"snapshot":${JSON.stringify(first)}}`);
    this.subs.set(sub, subscribeSnapshots(rt, intervalMs, s));
  }

  private subscribeEvents(sub: number, backlog: unknown, since: unknown): void {
    for (const [k, v] of [['backlog', backlog], ['since', since]] as const) {
      if (v !== undefined && (typeof v !== 'number' || !Number.isInteger(v) || v < 0)) throw new OpError('bad-request', `'${k}' must be a non-negative integer`);
    }
    const log = this.oc.ctx.runtime.events;
    const sendEvent = (event: LbdEvent) => this.send(JSON.stringify({ type: 'event', sub, event }));
    this.reply(sub, { sub, lastSeq: log.recent(1)[0]?.seq ?? 0 });
    let past: LbdEvent[] = [];
    if (typeof since === 'number') past = log.recent().filter((e) => e.seq > since);
    else if (typeof backlog === 'number' && backlog > 0) past = log.recent(backlog);
    for (const e of past) sendEvent(e);
    this.subs.set(sub, log.subscribe(sendEvent));
  }

  private unsubscribe(req: RequestOf<'unsubscribe'>): void {
    const cancel = this.subs.get(req.sub);
    if (!cancel) throw new OpError('not-found', `no subscription ${JSON.stringify(req.sub)}`);
    cancel();
    this.subs.delete(req.sub);
    this.reply(req.id, {});
  }

  /** End every subscription and timer; runs once, when the connection closes. */
  /** The daemon is stopping: close with 1001, and cut the connection if the close handshake stalls. */
  goAway(ms: number): Promise<void> {
    if (this.closed) return Promise.resolve();
    return new Promise((resolve) => {
      const t = setTimeout(() => this.ws.terminate(), ms);
      this.ws.once('close', () => {
        clearTimeout(t);
        resolve();
      });
      this.ws.close(CLOSE.GOING_AWAY, 'lbd is stopping');
    });
  }

  private dispose(): void {
    live.delete(this);
    if (this.closed) return;
    this.closed = true;
    if (this.handshakeTimer) clearTimeout(this.handshakeTimer);
    this.handshakeTimer = null;
    for (const cancel of this.subs.values()) cancel();
    this.subs.clear();
  }
}
