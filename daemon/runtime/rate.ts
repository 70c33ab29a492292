/**
 * A per-second event rate, like HAProxy's freq_ctr: counts in the current and previous second, the
 * rate being the previous second's count weighted by the part of it still inside the sliding window plus
 * the current count. O(1), no allocation; `now` is passed in so the data path reads the clock once.
 */
export class RateCounter {
  private sec = 0;
  private curr = 0;
  private prev = 0;
  max = 0;

  add(now: number, n = 1): void {
    this.rotate(now);
    this.curr += n;
    const r = this.read(now);
    if (r > this.max) this.max = r;
  }

  read(now: number): number {
    this.rotate(now);
    const frac = (now % 1000) / 1000;
    return Math.round(this.prev * (1 - frac) + this.curr);
  }

  private rotate(now: number): void {
    const s = Math.floor(now / 1000);
    if (s === this.sec) return;
    this.prev = s === this.sec + 1 ? this.curr : 0;
    this.curr = 0;
    this.sec = s;
  }

  reset(): void {
    this.curr = this.prev = this.max = 0;
  }
}

/** A running average over the last `n` samples, as HAProxy's swrate (ctime, qtime, ttime). */
export class SlidingAverage {
  private sum = 0;
  constructor(private readonly n = 1024) {}
  max = 0;

  add(v: number): void {
    this.sum = this.sum - this.sum / this.n + v;
    if (v > this.max) this.max = v;
  }

  read(samples: number): number {
    const n = Math.min(samples, this.n);
    return n > 0 ? Math.round(this.sum / this.n * (this.n / n)) : 0;
  }

  /** Forget every sample (`clear counters all`). */
  reset(): void {
    this.sum = 0;
    this.max = 0;
  }
}
