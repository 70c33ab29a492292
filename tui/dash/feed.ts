/**
 * The dashboard's connection to lbd through the shared AdminClient: connect (and keep trying, with the
 * client's backoff, when the daemon is not up yet: a wall screen may start before its daemon), subscribe
 * to snapshots and events, and keep the model's link state current for the banner. After the first
 * connection the client itself reconnects and renews the subscriptions; this only listens.
 */
import type { EventEmitter } from 'node:events';
import type { LbdEvent } from '../../shared/events.js';
import type { Snapshot } from '../../shared/snapshot.js';
import type { Welcome } from '../../shared/protocol.js';
import type { DashModel } from './model.js';

/** The part of AdminClient the feed uses (a test passes a fake). */
export interface FeedClient extends EventEmitter {
  connect(): Promise<Welcome>;
  subscribeSnapshots(opts: { intervalMs?: number }, on: (s: Snapshot, full: boolean) => void): Promise<{ close(): Promise<void> }>;
  subscribeEvents(opts: { backlog?: number }, on: (e: LbdEvent) => void): Promise<{ close(): Promise<void> }>;
  close(): Promise<void>;
}

export interface FeedOptions {
  intervalMs: number;
  /** Recent events to show at start (default 50). */
  backlog?: number;
  /** First-connection retries: initialMs × 2^attempt up to maxMs (default 100 ms … 5 s), as the client's. */
  backoff?: { initialMs?: number; maxMs?: number };
  /** Called after every change to the model (to schedule a redraw). */
  onChange(): void;
}

export interface Feed {
  /** Stop retrying and close the connection. */
  stop(): Promise<void>;
}

function errorText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/** Start feeding `model` from `client`. Never rejects: failures become the model's link state. */
export function startFeed(client: FeedClient, model: DashModel, opts: FeedOptions): Feed {
  let stopped = false;
  let retry: NodeJS.Timeout | null = null;
  let snapSub = false;
  let eventSub = false;
  let lastError: string | null = null;
  const changed = () => {
    if (!stopped) opts.onChange();
  };

  const onOpen = (w: Welcome) => {
    if (stopped) return;
    const again = model.link.state === 'lost';
    model.setLink({ state: 'open', server: w.server });
    model.note(`${again ? 'reconnected to' : 'connected to'} ${w.server} (pid ${w.pid})`, 'good');
    void subscribe();
    changed();
  };

  /** Subscriptions not yet made (the first connection, or one whose subscribe failed) are made now. */
  const subscribe = async () => {
    try {
      if (!snapSub) {
        snapSub = true;
        await client.subscribeSnapshots({ intervalMs: opts.intervalMs }, (s) => {
          model.setSnapshot(s);
          changed();
        });
      }
    } catch (e) {
      snapSub = false;
      lastError = errorText(e);
    }
    try {
      if (!eventSub) {
        eventSub = true;
        await client.subscribeEvents({ backlog: opts.backlog ?? 50 }, (e) => {
          model.addEvent(e);
          changed();
        });
      }
    } catch (e) {
      eventSub = false;
      lastError = errorText(e);
    }
  };

  client.on('close', ({ code, reason }: { code: number; reason: string }) => {
    if (stopped) return;
    lastError = reason || `connection closed (${code})`;
    model.setLink({ state: 'lost', attempt: 0, error: lastError, retryAt: null });
    model.note('connection to lbd lost', 'bad');
    changed();
  });
  client.on('reconnecting', ({ attempt, delayMs }: { attempt: number; delayMs: number }) => {
    if (stopped) return;
    model.setLink({ state: 'lost', attempt, error: lastError, retryAt: Date.now() + delayMs });
    changed();
  });
  client.on('fatal', (e: Error) => {
    if (stopped) return;
    model.setLink({ state: 'fatal', error: e.message });
    model.note(e.message, 'bad');
    changed();
  });

  const initial = opts.backoff?.initialMs ?? 100;
  const max = opts.backoff?.maxMs ?? 5000;
  const attemptFirst = async (attempt: number): Promise<void> => {
    if (stopped) return;
    try {
      const w = await client.connect();
      // later connections announce themselves with 'open'
      client.on('open', onOpen);
      onOpen(w);
    } catch (e) {
      if (stopped) return;
      const code = (e as { code?: string }).code;
      if (code === 'version-mismatch') {
        model.setLink({ state: 'fatal', error: errorText(e) });
        changed();
        return;
      }
      const delay = Math.round(Math.min(max, initial * 2 ** attempt) * (0.8 + Math.random() * 0.4));
      model.setLink({ state: 'connecting', attempt: attempt + 1, error: errorText(e), retryAt: Date.now() + delay });
      changed();
      retry = setTimeout(() => {
        retry = null;
        void attemptFirst(attempt + 1);
      }, delay);
    }
  };
  void attemptFirst(0);

  return {
    async stop() {
      stopped = true;
      if (retry) clearTimeout(retry);
      retry = null;
      await client.close().catch(() => {});
    },
  };
}
