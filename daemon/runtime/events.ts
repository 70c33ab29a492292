import { EventEmitter } from 'node:events';
import type { EventCause, EventKind, LbdEvent } from '../../shared/events.js';
import type { Clock } from './clock.js';

/**
 * The event stream: a bounded ring of recent events plus synchronous subscribers. Emitting never
 * blocks and never throws into the emitter's caller (a failing subscriber is isolated).
 */
export class EventLog {
  private readonly ring: (LbdEvent | undefined)[];
  private next = 0;
  private seq = 0;
  private readonly bus = new EventEmitter();

  constructor(private readonly clock: Clock, readonly capacity = 1000) {
    this.ring = new Array(capacity);
    this.bus.setMaxListeners(0);
  }

  emit(kind: EventKind, object: string, from: string, to: string, cause: EventCause, message: string): LbdEvent {
    const ev: LbdEvent = { seq: ++this.seq, time: this.clock.wall(), kind, object, from, to, cause, message };
    this.ring[this.next] = ev;
    this.next = (this.next + 1) % this.capacity;
    for (const l of this.bus.listeners('event')) {
      try {
        (l as (e: LbdEvent) => void)(ev);
      } catch {
        // a subscriber's failure must not break the state change that emitted the event
      }
    }
    return ev;
  }

  /** Recent events, oldest first; at most `limit` of the newest. */
  recent(limit = this.capacity): LbdEvent[] {
    const out: LbdEvent[] = [];
    for (let i = 0; i < this.capacity; i++) {
      const ev = this.ring[(this.next + i) % this.capacity];
      if (ev) out.push(ev);
    }
    return out.slice(-limit);
  }

  subscribe(fn: (e: LbdEvent) => void): () => void {
    this.bus.on('event', fn);
    return () => this.bus.off('event', fn);
  }
}
