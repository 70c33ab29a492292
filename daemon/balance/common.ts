/**
 * Small pieces shared by the algorithms: the eligibility test every pick applies, a cheap
 * "seen in this pick" marker, and the cumulative-weight lookup used for weighted draws and maps.
 */
import type { Candidate, Pool } from './types.js';

/**
 * A server may be chosen when it has a positive weight and the caller does not skip it.
 * Pool members have weight >= 1 by contract; the weight test costs nothing and keeps a
 * weight-0 server that slipped in from ever taking traffic.
 */
export function usable<T extends Candidate>(s: T, skip: ((server: T) => boolean) | null): boolean {
  return s.weight > 0 && (skip === null || !skip(s));
}

/**
 * True when the pool differs from the one a balancer derived its state from. The contract bumps
 * `version` on every membership or weight change; the length test is a free guard against a
 * caller that forgets to.
 */
export function poolChanged<T extends Candidate>(pool: Pool<T>, version: number, length: number): boolean {
  return pool.version !== version || pool.servers.length !== length;
}

/**
 * Marks positions as "already looked at" during one pick without clearing an array per pick:
 * each pick takes a new epoch number and a position is marked when it holds that number.
 */
export class PickMarks {
  private marks: Uint32Array;
  private epoch = 0;

  constructor(size: number) {
    this.marks = new Uint32Array(size);
  }

  /** Start a new pick; previous marks are forgotten. */
  begin(): void {
    this.epoch = (this.epoch + 1) >>> 0;
    if (this.epoch === 0) {
      this.marks.fill(0);
      this.epoch = 1;
    }
  }

  has(i: number): boolean {
    return this.marks[i] === this.epoch;
  }

  set(i: number): void {
    this.marks[i] = this.epoch;
  }
}

/**
 * Cumulative weights of a server list: `cum[i]` is the sum of the weights of servers 0..i.
 * Servers with a non-positive weight contribute nothing (and so are never found by `findWeighted`).
 */
export function cumulativeWeights(servers: readonly Candidate[]): Float64Array {
  const cum = new Float64Array(servers.length);
  let total = 0;
  for (let i = 0; i < servers.length; i++) {
    const w = servers[i].weight;
    if (w > 0) total += w;
    cum[i] = total;
  }
  return cum;
}

/** The position whose weight interval contains `r` (0 <= r < total): the first i with cum[i] > r. */
export function findWeighted(cum: Float64Array, r: number): number {
  let lo = 0;
  let hi = cum.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (cum[mid] > r) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

/** Greatest common divisor of two non-negative integers. */
export function gcd(a: number, b: number): number {
  while (b !== 0) {
    const t = a % b;
    a = b;
    b = t;
  }
  return a;
}
