/**
 * The consistent-hash ring behind `hash-type consistent`.
 *
 * Each server owns points on a 32-bit circle, as many as its weight times `pointsPerWeight`; a key
 * belongs to the first point at or after its hash (wrapping round). A server's points are derived
 * from its name only (see `ringPointHash`), so adding or removing one server moves only the keys
 * whose nearest point it owns; every other key keeps its server.
 *
 * HAProxy gives each server weight * 16 points; we use 160 per unit of weight (ketama's figure),
 * which keeps every server within a few percent of its share, while capping the whole ring at
 * MAX_RING_POINTS (512k points, 4 MB, about 25 ms to build) by lowering the per-weight figure for very large pools.
 * Building (once per pool version) is O(P) with P points (a radix sort); a lookup is a binary search.
 * Points with equal hashes stay in pool order, so the tie is settled the same way on every build.
 */
import { hashString, ringPointHash } from './hash.js';
import type { Candidate } from './types.js';

export const POINTS_PER_WEIGHT = 160;
export const MAX_RING_POINTS = 1 << 19;

export interface HashRing {
  /** Point hashes, ascending. */
  readonly points: Uint32Array;
  /** `owners[k]`: pool position of the server owning `points[k]`. */
  readonly owners: Int32Array;
}

/** How many points a server of weight `weight` gets when the pool's total weight is `totalWeight`. */
export function pointsFor(weight: number, totalWeight: number, pointsPerWeight = POINTS_PER_WEIGHT): number {
  if (weight <= 0) return 0;
  const perWeight = Math.max(1, Math.min(pointsPerWeight, Math.floor(MAX_RING_POINTS / totalWeight)));
  return Math.max(1, Math.round(weight * perWeight));
}

/** Build the ring for `servers` (positions are indexes into that array). */
export function buildRing(servers: readonly Candidate[], pointsPerWeight = POINTS_PER_WEIGHT): HashRing {
  let totalWeight = 0;
  for (const s of servers) if (s.weight > 0) totalWeight += s.weight;
  let total = 0;
  const counts = servers.map((s) => pointsFor(s.weight, totalWeight, pointsPerWeight));
  for (const c of counts) total += c;
  const points = new Uint32Array(total);
  const owners = new Int32Array(total);
  let k = 0;
  for (let pos = 0; pos < servers.length; pos++) {
    const nameHash = hashString(servers[pos].name);
    for (let r = 0; r < counts[pos]; r++) {
      points[k] = ringPointHash(nameHash, r);
      owners[k++] = pos;
    }
  }
  radixSortPairs(points, owners);
  return { points, owners };
}

/** Index of the first point >= `hash`, wrapping to 0 past the last point. The ring must not be empty. */
export function ringIndex(points: Uint32Array, hash: number): number {
  let lo = 0;
  let hi = points.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (points[mid] < hash) lo = mid + 1;
    else hi = mid;
  }
  return lo === points.length ? 0 : lo;
}

/**
 * Sort `keys` ascending and move `values` along: LSD radix sort, two stable passes of 16 bits.
 * About ten times faster than sorting packed doubles for a ring of a million points.
 */
function radixSortPairs(keys: Uint32Array, values: Int32Array): void {
  const n = keys.length;
  const tmpKeys = new Uint32Array(n);
  const tmpValues = new Int32Array(n);
  const counts = new Uint32Array(65536);
  let srcK: Uint32Array = keys;
  let srcV: Int32Array = values;
  let dstK: Uint32Array = tmpKeys;
  let dstV: Int32Array = tmpValues;
  for (let shift = 0; shift < 32; shift += 16) {
    counts.fill(0);
    for (let i = 0; i < n; i++) counts[(srcK[i] >>> shift) & 0xffff]++;
    let sum = 0;
    for (let b = 0; b < 65536; b++) {
      const c = counts[b];
      counts[b] = sum;
      sum += c;
    }
    for (let i = 0; i < n; i++) {
      const d = counts[(srcK[i] >>> shift) & 0xffff]++;
      dstK[d] = srcK[i];
      dstV[d] = srcV[i];
    }
    [srcK, dstK] = [dstK, srcK];
    [srcV, dstV] = [dstV, srcV];
  }
  // Two passes: the sorted data is back in the caller's arrays.
}
