/**
 * The console's live data: one AdminClient connection turned into a plain state (connection status,
 * latest snapshot, recent events, rate history) that the screen is drawn from. It connects (retrying
 * with backoff when lbd is not there yet, so `lbctl top` can be started before the daemon), subscribes
 * to snapshots and events, and follows the client's own reconnects. Changes are announced at most once
 * per `coalesceMs`: a burst of 1,000 events is one redraw, not 1,000.
 */
import type { Subscription } from '../../shared/admin-client.js';
import type { LbdEvent } from '../../shared/events.js';
import type { RequestOp, RequestOps, ResultOps, Welcome } from '../../shared/protocol.js';
import type { Snapshot } from '../../shared/snapshot.js';
import { RateHistory } from './rates.js';

/** The part of AdminClient the console uses (a test passes a fake with the same shape). */
export interface TopClient {
  welcome: Welcome | null;
  connect(): Promise<Welcome>;
  request<K extends RequestOp>(op: K, fields: RequestOps[K], opts?: { timeoutMs?: number }): Promise<ResultOps[K]>;
  subscribeSnapshots(opts: { intervalMs?: number }, onSnapshot: (s: Snapshot, full: boolean) => void): Promise<Subscription>;
  subscribeEvents(opts: { backlog?: number; since?: number }, onEvent: (e: LbdEvent) => void): Promise<Subscription>;
  on(event: string, fn: (...args: any[]) => void): unknown;
  off(event: string, fn: (...args: any[]) => void): unknown;
  close(): Promise<void>;
}

export type ConnState =
  | { kind: 'connecting'; attempt: number }
  | { kind: 'open' }
  | { kind: 'down'; attempt: number; retryAt: number | null; error: string }
  | { kind: 'fatal'; error: string };

export interface FeedState {
  conn: ConnState;
  welcome: Welcome | null;
  snapshot: Snapshot | null;
  /** Local time the latest snapshot arrived: the header's "data age". */
  receivedAt: number | null;
  /** Daemon events, newest first, at most `maxEvents`. */
  events: LbdEvent[];
  /** Increases at every change (a cheap dependency for memoisation). */
  version: number;
}

export interface FeedOptions {
  intervalMs: number;
  /** Events kept for the events and detail views. */
  maxEvents?: number;
  /** Events asked for on subscribing (the recent past, so the events view is not empty at start). */
  backlog?: number;
  coalesceMs?: number;
  /** First-connection backoff (the client does its own after that). */
  retry?: { initialMs: number; maxMs: number };
  now?: () => number;
}

export class Feed {
  private s: FeedState = { conn: { kind: 'connecting', attempt: 0 }, welcome: null, snapshot: null, receivedAt: null, events: [], version: 0 };
  readonly rates: RateHistory;
  private readonly listeners = new Set<() => void>();
  private notifyTimer: NodeJS.Timeout | null = null;
  private retryTimer: NodeJS.Timeout | null = null;
  private subs: Subscription[] = [];
  private stopped = false;
  private needSubscribe = false;
  /** Newest event seq seen per daemon instance (pid:startedAt): a resubscription may resend some. */
  private lastSeq = new Map<string, number>();
  private readonly o: Required<FeedOptions>;

  constructor(
    private readonly client: TopClient,
    opts: FeedOptions,
  ) {
    this.o = { maxEvents: 1000, backlog: 200, coalesceMs: 100, retry: { initialMs: 200, maxMs: 5000 }, now: Date.now, ...opts };
    this.rates = new RateHistory(opts.intervalMs);
  }

  get state(): FeedState {
    return this.s;
  }

  /** Call `fn` after changes (coalesced); returns the unsubscribe function. */
  readonly subscribe = (fn: () => void): (() => void) => {
    this.listeners.add(fn);
    return () => {
      this.listeners.delete(fn);
    };
  };

  start(): void {
    this.client.on('open', this.onOpen);
    this.client.on('close', this.onClose);
    this.client.on('reconnecting', this.onReconnecting);
    this.client.on('fatal', this.onFatal);
    void this.connect(0);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    if (this.notifyTimer) clearTimeout(this.notifyTimer);
    this.client.off('open', this.onOpen);
    this.client.off('close', this.onClose);
    this.client.off('reconnecting', this.onReconnecting);
    this.client.off('fatal', this.onFatal);
    const subs = this.subs;
    this.subs = [];
    await Promise.all(subs.map((s) => s.close().catch(() => {})));
  }

  private async connect(attempt: number): Promise<void> {
    if (this.stopped) return;
    try {
      const w = await this.client.connect();
      if (this.stopped) return;
      this.update({ conn: { kind: 'open' }, welcome: w });
    } catch (e) {
      if (this.stopped) return;
      const err = e as Error & { code?: string };
      if (err.code === 'version-mismatch') return this.update({ conn: { kind: 'fatal', error: err.message } });
      const delay = Math.min(this.o.retry.maxMs, this.o.retry.initialMs * 2 ** attempt);
      this.update({ conn: { kind: 'down', attempt: attempt + 1, retryAt: this.o.now() + delay, error: err.message } });
      this.retryTimer = setTimeout(() => {
        this.retryTimer = null;
        this.update({ conn: { kind: 'connecting', attempt: attempt + 1 } });
        void this.connect(attempt + 1);
      }, delay);
      return;
    }
    await this.subscribeAll();
  }

  /** Subscribe to snapshots and events once; the client renews both after its own reconnects. If it
   *  fails, try again: at the next connection, or in a second while still connected. */
  private async subscribeAll(): Promise<void> {
    try {
      this.subs.push(await this.client.subscribeSnapshots({ intervalMs: this.o.intervalMs }, this.onSnapshot));
      this.subs.push(await this.client.subscribeEvents({ backlog: this.o.backlog }, this.onEvent));
      if (this.s.conn.kind !== 'open' && this.client.welcome) this.update({ conn: { kind: 'open' } });
    } catch (e) {
      for (const s of this.subs.splice(0)) void s.close().catch(() => {});
      if (this.stopped) return;
      if (this.client.welcome) {
        this.update({ conn: { kind: 'down', attempt: 0, retryAt: this.o.now() + 1000, error: `could not subscribe: ${(e as Error).message}` } });
        this.retryTimer = setTimeout(() => {
          this.retryTimer = null;
          void this.subscribeAll();
        }, 1000);
      } else this.needSubscribe = true;
    }
  }

  private readonly onOpen = (w: Welcome) => {
    this.update({ conn: { kind: 'open' }, welcome: w });
    if (this.needSubscribe) {
      this.needSubscribe = false;
      void this.subscribeAll();
    }
  };

  private readonly onClose = (c: { code: number; reason: string }) => {
    const why = c.code === 1001 ? 'lbd is stopping' : `connection closed${c.reason ? `: ${c.reason}` : ` (${c.code})`}`;
    this.update({ conn: { kind: 'down', attempt: 0, retryAt: null, error: why } });
  };

  private readonly onReconnecting = (r: { attempt: number; delayMs: number }) => {
    const prev = this.s.conn.kind === 'down' ? this.s.conn.error : 'connection lost';
    this.update({ conn: { kind: 'down', attempt: r.attempt, retryAt: this.o.now() + r.delayMs, error: prev } });
  };

  private readonly onFatal = (e: Error) => {
    this.update({ conn: { kind: 'fatal', error: e.message } });
  };

  private readonly onSnapshot = (snap: Snapshot) => {
    this.rates.add(snap);
    this.update({ snapshot: snap, receivedAt: this.o.now() });
  };

  private readonly onEvent = (e: LbdEvent) => {
    const w = this.client.welcome;
    const instance = w ? `${w.pid}:${w.startedAt}` : '';
    const last = this.lastSeq.get(instance) ?? 0;
    if (e.seq <= last) return;
    this.lastSeq.set(instance, e.seq);
    const events = [e, ...this.s.events];
    if (events.length > this.o.maxEvents) events.length = this.o.maxEvents;
    this.update({ events });
  };

  private update(p: Partial<FeedState>): void {
    this.s = { ...this.s, ...p, version: this.s.version + 1 };
    if (this.notifyTimer || this.stopped) return;
    this.notifyTimer = setTimeout(() => {
      this.notifyTimer = null;
      for (const fn of this.listeners) fn();
    }, this.o.coalesceMs);
  }
}
