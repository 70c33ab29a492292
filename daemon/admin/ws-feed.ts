/**
 * Snapshot subscriptions of the WebSocket protocol. One feed per runtime and interval: every tick takes
 * one snapshot for all its subscribers, and subscribers that last received the same snapshot share one
 * serialised delta, so ten consoles cost about what one does. A subscriber whose connection has more
 * than SLOW_CONSUMER_BYTES unsent skips the tick (its next delta covers both); nothing queues up for it.
 */
import type { Runtime } from '../runtime/runtime.js';
import type { Snapshot } from '../../shared/snapshot.js';
import { diffSnapshot } from '../../shared/snapshot-delta.js';

/** Unsent bytes above which a subscriber skips snapshot ticks. */
export const SLOW_CONSUMER_BYTES = 1024 * 1024;

/** One subscription's view of a feed: what it was last sent, and how to reach it. */
export interface SnapshotSubscriber {
  readonly sub: number;
  /** The last snapshot sent and its seq (the first, full one is sent by subscribe()). */
  last: Snapshot;
  seq: number;
  /** Bytes queued on the connection and not yet written. */
  buffered(): number;
  /** Send one already serialised message. */
  send(text: string): void;
  /** Counted for tests and `show` views: ticks skipped because the client was slow to read. */
  skipped: number;
}

class SnapshotFeed {
  private readonly subs = new Set<SnapshotSubscriber>();
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly runtime: Runtime,
    readonly intervalMs: number,
    private readonly onEmpty: () => void,
  ) {}

  add(s: SnapshotSubscriber): void {
    this.subs.add(s);
    this.timer ??= setInterval(() => this.tick(), this.intervalMs);
  }

  remove(s: SnapshotSubscriber): void {
    this.subs.delete(s);
    if (this.subs.size === 0) {
      if (this.timer) clearInterval(this.timer);
      this.timer = null;
      this.onEmpty();
    }
  }

  private tick(): void {
    let snap: Snapshot;
    try {
      snap = this.runtime.snapshot();
    } catch (e) {
      this.runtime.log.alert(`admin: snapshot for a subscription failed: ${(e as Error).message}`);
      return;
    }
    // subscribers that were sent the same snapshot last share one diff and one serialisation
    const patches = new Map<Snapshot, string | null>();
    for (const s of this.subs) {
      if (s.buffered() > SLOW_CONSUMER_BYTES) {
        s.skipped++;
        continue;
      }
      let patch = patches.get(s.last);
      if (patch === undefined) {
        const p = diffSnapshot(s.last, snap);
        patch = p ? JSON.stringify(p) : null;
        patches.set(s.last, patch);
      }
      s.last = snap;
      if (patch === null) continue;
      s.seq++;
      s.send(`{"type":"delta","sub":${s.sub},"seq":${s.seq},"base":${s.seq - 1},"patch":${patch}}`);
    }
  }
}

/** The feeds of each runtime by interval; a feed and its timer exist only while it has subscribers. */
const feeds = new WeakMap<Runtime, Map<number, SnapshotFeed>>();

/** Subscribe to snapshots of `runtime` every `intervalMs`; returns the function that unsubscribes (idempotent). */
export function subscribeSnapshots(runtime: Runtime, intervalMs: number, s: SnapshotSubscriber): () => void {
  let byInterval = feeds.get(runtime);
  if (!byInterval) feeds.set(runtime, (byInterval = new Map()));
  let feed = byInterval.get(intervalMs);
  if (!feed) {
    const m = byInterval;
    feed = new SnapshotFeed(runtime, intervalMs, () => m.delete(intervalMs));
    byInterval.set(intervalMs, feed);
  }
  const f = feed;
  f.add(s);
  let done = false;
  return () => {
    if (done) return;
    done = true;
    f.remove(s);
  };
}

/** Active feed timers of a runtime (tests check that closing connections leaves none). */
export function activeFeeds(runtime: Runtime): number {
  return feeds.get(runtime)?.size ?? 0;
}
