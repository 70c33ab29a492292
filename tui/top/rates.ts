/**
 * What the console remembers between snapshots: the last minute of each server's, backend's and
 * frontend's session rate (for sparklines) and bytes per second (from the difference of the byte
 * counters over the daemon's clock). The snapshot carries rates for sessions but only totals for bytes;
 * a rate from two counter readings is arithmetic on the one view, not a second source of state.
 * Memory is bounded: a fixed ring per object, and objects that leave the snapshot are forgotten.
 */
import type { Snapshot } from '../../shared/snapshot.js';

interface Track {
  /** Session rates, a ring of `cap` samples; `n` of them filled, `head` the next slot. */
  ring: Float64Array;
  head: number;
  n: number;
  bytesIn: number;
  bytesOut: number;
  inRate: number;
  outRate: number;
  seen: number;
}

/** Keys the history uses: the same as the row keys of the views. */
export const rateKey = {
  server: (backend: string, server: string) => `s:${backend}/${server}`,
  backend: (name: string) => `b:${name}`,
  frontend: (name: string) => `f:${name}`,
  total: '*',
};

export class RateHistory {
  private readonly tracks = new Map<string, Track>();
  private lastNow: number | null = null;
  private generation = 0;
  /** Samples kept per object: a minute at the refresh interval. */
  readonly cap: number;

  constructor(intervalMs: number, windowMs = 60_000) {
    this.cap = Math.max(10, Math.min(600, Math.ceil(windowMs / Math.max(1, intervalMs))));
  }

  /** Record one snapshot. A snapshot with the same daemon time as the last one is ignored (no new sample). */
  add(snap: Snapshot): void {
    const now = snap.process.now;
    if (this.lastNow !== null && now <= this.lastNow) {
      if (now < this.lastNow) this.tracks.clear(); // the daemon restarted or its clock went back
      else return;
    }
    const dt = this.lastNow === null ? 0 : (now - this.lastNow) / 1000;
    this.lastNow = now;
    const gen = ++this.generation;
    let tin = 0;
    let tout = 0;
    let trate = 0;
    for (const f of snap.frontends) {
      tin += f.counters.bytesIn;
      tout += f.counters.bytesOut;
      trate += f.counters.rate;
      this.sample(rateKey.frontend(f.name), f.counters.rate, f.counters.bytesIn, f.counters.bytesOut, dt, gen);
    }
    this.sample(rateKey.total, trate, tin, tout, dt, gen);
    for (const b of snap.backends) {
      this.sample(rateKey.backend(b.name), b.counters.rate, b.counters.bytesIn, b.counters.bytesOut, dt, gen);
      for (const s of b.servers) this.sample(rateKey.server(b.name, s.name), s.counters.rate, s.counters.bytesIn, s.counters.bytesOut, dt, gen);
    }
    for (const [k, t] of this.tracks) if (t.seen !== gen) this.tracks.delete(k);
  }

  private sample(key: string, rate: number, bin: number, bout: number, dt: number, gen: number): void {
    let t = this.tracks.get(key);
    if (!t) {
      t = { ring: new Float64Array(this.cap), head: 0, n: 0, bytesIn: bin, bytesOut: bout, inRate: 0, outRate: 0, seen: gen };
      this.tracks.set(key, t);
    } else if (dt > 0) {
      // counters reset (clear counters, a server re-created by a reload) read as 0, not as a negative rate
      t.inRate = Math.max(0, (bin - t.bytesIn) / dt);
      t.outRate = Math.max(0, (bout - t.bytesOut) / dt);
      t.bytesIn = bin;
      t.bytesOut = bout;
    }
    t.seen = gen;
    t.ring[t.head] = rate;
    t.head = (t.head + 1) % this.cap;
    t.n = Math.min(this.cap, t.n + 1);
  }

  /** The session rates of the last minute, oldest first (empty for an unknown key). */
  history(key: string): number[] {
    const t = this.tracks.get(key);
    if (!t) return [];
    const out = new Array<number>(t.n);
    const start = (t.head - t.n + this.cap) % this.cap;
    for (let i = 0; i < t.n; i++) out[i] = t.ring[(start + i) % this.cap]!;
    return out;
  }

  /** Bytes per second in and out over the last interval (0 before the second snapshot). */
  bytes(key: string): { in: number; out: number } {
    const t = this.tracks.get(key);
    return t ? { in: t.inRate, out: t.outRate } : { in: 0, out: 0 };
  }

  /** Objects tracked (for the memory test). */
  get size(): number {
    return this.tracks.size;
  }
}
