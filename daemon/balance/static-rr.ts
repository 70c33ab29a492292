/**
 * `balance static-rr`: weighted round robin over weights fixed for the life of a pool version.
 * HAProxy's static-rr differs from roundrobin in being static (weights are read when the server
 * map is built, not at each pick) and in having no limit on the number of servers; in exchange a
 * pick costs O(1) instead of O(servers).
 *
 * Per pool version we compute one full cycle, an array of pool positions in which each server
 * appears `weight / g` times (g = gcd of the weights), interleaved by the same smooth rule as
 * roundrobin (smooth.ts). A pick takes the next entry; a skipped entry is stepped over, with each
 * server asked at most once per pick, so even when everything is skipped the walk ends after at
 * most one cycle. The cursor survives a rebuild (modulo the new length), as HAProxy's does.
 *
 * Weights are rounded to integers for the cycle (HAProxy weights are integers anyway).
 */
import { PickMarks, gcd, poolChanged } from './common.js';
import { smoothStep } from './smooth.js';
import type { Balancer, Candidate, PickContext, Pool } from './types.js';

/** Above this many smooth steps (cycle length * servers) the cycle is built by deadlines instead. */
export const SMOOTH_BUILD_BUDGET = 1 << 22;

/**
 * The interleaved cycle for `weights` (integers >= 0): positions, each appearing weight/g times,
 * g = gcd of the positive weights.
 *
 * Small pools get the exact smooth sequence, O(length * servers). When that would pass `budget`
 * steps (1,000 servers of weight 256 would take about a second) the cycle is built by deadlines in
 * O(length log length): server i's k-th entry is due at time (k + 1/2) / w_i and entries are laid
 * out in order of due time (ties by position). Either way each server's entries are evenly spread
 * and every run of the cycle gives each server exactly its share.
 */
export function weightedCycle(weights: readonly number[], budget = SMOOTH_BUILD_BUDGET): Int32Array {
  let g = 0;
  for (const w of weights) if (w > 0) g = gcd(g, w);
  if (g === 0) return new Int32Array(0);
  const reduced = new Float64Array(weights.length);
  let length = 0;
  for (let i = 0; i < weights.length; i++) {
    const w = weights[i] > 0 ? weights[i] / g : 0;
    reduced[i] = w;
    length += w;
  }
  return length * weights.length <= budget ? smoothCycle(reduced, length) : deadlineCycle(reduced, length);
}

function smoothCycle(weights: Float64Array, length: number): Int32Array {
  const cycle = new Int32Array(length);
  const current = new Float64Array(weights.length);
  for (let k = 0; k < length; k++) cycle[k] = smoothStep(weights, current);
  return cycle;
}

/** Positions must fit beside a 32-bit time in a double's 53-bit mantissa while sorting. */
const POSITION_SCALE = 2 ** 21;
const TIME_SCALE = 2 ** 32;

function deadlineCycle(weights: Float64Array, length: number): Int32Array {
  if (weights.length >= POSITION_SCALE) throw new RangeError(`static-rr supports at most ${POSITION_SCALE - 1} servers`);
  const packed = new Float64Array(length);
  let e = 0;
  for (let pos = 0; pos < weights.length; pos++) {
    const w = weights[pos];
    for (let k = 0; k < w; k++) packed[e++] = Math.floor(((k + 0.5) / w) * TIME_SCALE) * POSITION_SCALE + pos;
  }
  packed.sort();
  const cycle = new Int32Array(length);
  for (let k = 0; k < length; k++) cycle[k] = packed[k] % POSITION_SCALE;
  return cycle;
}

export class StaticRoundRobin<T extends Candidate> implements Balancer<T> {
  private version = Number.NaN;
  private length = -1;
  private cycle: Int32Array = new Int32Array(0);
  private cursor = 0;
  /** How many distinct positions the cycle holds (servers with a weight). */
  private members = 0;
  private marks = new PickMarks(0);

  pick(pool: Pool<T>, ctx: PickContext<T>): T | null {
    const servers = pool.servers;
    if (servers.length === 0) return null;
    if (poolChanged(pool, this.version, this.length)) this.rebuild(pool);
    const cycle = this.cycle;
    const len = cycle.length;
    if (len === 0) return null;
    const skip = ctx.skip;
    if (skip === null) {
      const pos = cycle[this.cursor];
      this.cursor = this.cursor + 1 === len ? 0 : this.cursor + 1;
      return servers[pos];
    }
    const marks = this.marks;
    marks.begin();
    let refused = 0;
    let k = this.cursor;
    for (let step = 0; step < len; step++) {
      const pos = cycle[k];
      k = k + 1 === len ? 0 : k + 1;
      if (marks.has(pos)) continue;
      if (!skip(servers[pos])) {
        this.cursor = k;
        return servers[pos];
      }
      marks.set(pos);
      if (++refused === this.members) break;
    }
    return null;
  }

  private rebuild(pool: Pool<T>): void {
    const weights = pool.servers.map((s) => (s.weight > 0 ? Math.max(1, Math.round(s.weight)) : 0));
    this.cycle = weightedCycle(weights);
    this.members = weights.filter((w) => w > 0).length;
    this.cursor = this.cycle.length === 0 ? 0 : this.cursor % this.cycle.length;
    this.marks = new PickMarks(pool.servers.length);
    this.version = pool.version;
    this.length = pool.servers.length;
  }
}
