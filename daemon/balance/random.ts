/**
 * `balance random(<draws>)`: draw `draws` servers at random, each with a probability proportional
 * to its weight, and keep the one with the fewest sessions relative to its weight. With draws = 2
 * (HAProxy's default) this is "the power of two choices": nearly as even as leastconn, without
 * leastconn's herd behaviour when many balancers see the same counts.
 *
 * Loads compare as sessions / weight, cross-multiplied; on a tie the earlier draw stays, so an idle
 * pool is spread exactly in proportion to the weights. A draw that lands on a skipped server is
 * redrawn a few times; if that keeps failing (most of the pool skipped) one exact weighted draw is
 * made among the usable servers, in O(servers). Either way each draw is weighted among the usable
 * servers only. The weight table (cumulative weights) is rebuilt once per pool version; a draw is a
 * binary search. The random source is injectable for tests.
 */
import { PickMarks, cumulativeWeights, findWeighted, poolChanged, usable } from './common.js';
import type { Balancer, Candidate, PickContext, Pool } from './types.js';

/** A source of uniformly distributed numbers in [0, 1), like Math.random. */
export type RandomSource = () => number;

/**
 * A small seeded generator (mulberry32) for reproducible tests and benchmarks.
 * Not for anything that must be unpredictable.
 */
export function seededRandom(seed: number): RandomSource {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Draws that land on a skipped server are redrawn this many times before the O(servers) draw. */
const REDRAWS = 4;

export class RandomDraws<T extends Candidate> implements Balancer<T> {
  private version = Number.NaN;
  private length = -1;
  private cum: Float64Array = new Float64Array(0);
  private totalWeight = 0;
  private marks = new PickMarks(0);
  private readonly draws: number;

  constructor(draws: number, private readonly random: RandomSource = Math.random) {
    this.draws = Math.max(1, Math.floor(draws));
  }

  pick(pool: Pool<T>, ctx: PickContext<T>): T | null {
    const servers = pool.servers;
    if (servers.length === 0) return null;
    if (poolChanged(pool, this.version, this.length)) this.rebuild(pool);
    if (this.totalWeight <= 0) return null;
    let best: T | null = null;
    for (let d = 0; d < this.draws; d++) {
      const s = this.drawOne(servers, ctx.skip);
      if (s === null) return null; // nothing usable at all
      // s.sessions / s.weight < best.sessions / best.weight
      if (best === null || s.sessions * best.weight < best.sessions * s.weight) best = s;
    }
    return best;
  }

  private drawOne(servers: readonly T[], skip: ((server: T) => boolean) | null): T | null {
    for (let attempt = 0; attempt < REDRAWS; attempt++) {
      let r = this.random() * this.totalWeight;
      if (r >= this.totalWeight || r < 0) r = 0; // a source outside [0, 1) must not break the lookup
      const s = servers[findWeighted(this.cum, r)];
      if (usable(s, skip)) return s;
    }
    // Mostly skipped pool: one exact weighted draw among the usable servers, O(servers).
    const n = servers.length;
    const cum = this.cum;
    const marks = this.marks;
    marks.begin();
    let usableWeight = 0;
    for (let i = 0; i < n; i++) {
      if (!usable(servers[i], skip)) continue;
      marks.set(i);
      usableWeight += cum[i] - (i === 0 ? 0 : cum[i - 1]);
    }
    if (usableWeight <= 0) return null;
    let r = this.random() * usableWeight;
    let last = -1;
    for (let i = 0; i < n; i++) {
      if (!marks.has(i)) continue;
      last = i;
      r -= cum[i] - (i === 0 ? 0 : cum[i - 1]);
      if (r < 0) return servers[i];
    }
    return servers[last]; // r rounded to exactly usableWeight
  }

  private rebuild(pool: Pool<T>): void {
    this.cum = cumulativeWeights(pool.servers);
    this.totalWeight = this.cum.length > 0 ? this.cum[this.cum.length - 1] : 0;
    this.marks = new PickMarks(pool.servers.length);
    this.version = pool.version;
    this.length = pool.servers.length;
  }
}
