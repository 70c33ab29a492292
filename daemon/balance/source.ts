/**
 * `balance source`: the client's address is hashed so the same client keeps reaching the same
 * server while the pool stays the same; without a key (`hashKey` null) we fall back to round robin,
 * as HAProxy does when a hash input is missing.
 *
 * `hash-type map-based` (HAProxy's default): the hash modulo the pool's total weight selects a slot
 * in a map where each server owns `weight` consecutive slots, so a weight-2 server gets twice the
 * keys of a weight-1 one. Any change to the pool reshuffles most keys; that is the documented price
 * of this method. A skipped server passes the key on to the next server of the map.
 *
 * `hash-type consistent`: the key is looked up on a hash ring (hash-ring.ts), built once per pool
 * version; removing a server only moves the keys that server had. A skipped server passes the key
 * on to the next point of the ring owned by another server.
 *
 * Hash: sdbm + fmix32, see hash.ts.
 */
import { PickMarks, cumulativeWeights, findWeighted, poolChanged, usable } from './common.js';
import { hashString } from './hash.js';
import { buildRing, ringIndex, type HashRing } from './hash-ring.js';
import { RoundRobin } from './roundrobin.js';
import type { Balancer, Candidate, PickContext, Pool } from './types.js';

/** `balance source` with `hash-type map-based`. */
export class SourceMapBased<T extends Candidate> implements Balancer<T> {
  private readonly fallback = new RoundRobin<T>();
  private version = Number.NaN;
  private length = -1;
  private cum: Float64Array = new Float64Array(0);
  private totalWeight = 0;

  pick(pool: Pool<T>, ctx: PickContext<T>): T | null {
    if (ctx.hashKey === null) return this.fallback.pick(pool, ctx);
    const servers = pool.servers;
    const n = servers.length;
    if (n === 0) return null;
    if (poolChanged(pool, this.version, this.length)) this.rebuild(pool);
    if (this.totalWeight <= 0) return null;
    let pos = findWeighted(this.cum, hashString(ctx.hashKey) % this.totalWeight);
    const skip = ctx.skip;
    for (let k = 0; k < n; k++) {
      const s = servers[pos];
      if (usable(s, skip)) return s;
      pos = pos + 1 === n ? 0 : pos + 1;
    }
    return null;
  }

  private rebuild(pool: Pool<T>): void {
    this.cum = cumulativeWeights(pool.servers);
    this.totalWeight = this.cum.length > 0 ? this.cum[this.cum.length - 1] : 0;
    this.version = pool.version;
    this.length = pool.servers.length;
  }
}

/** `balance source` with `hash-type consistent`. */
export class SourceConsistent<T extends Candidate> implements Balancer<T> {
  private readonly fallback = new RoundRobin<T>();
  private version = Number.NaN;
  private length = -1;
  private ring: HashRing = { points: new Uint32Array(0), owners: new Int32Array(0) };
  /** Distinct servers on the ring. */
  private members = 0;
  private marks = new PickMarks(0);

  constructor(private readonly pointsPerWeight?: number) {}

  pick(pool: Pool<T>, ctx: PickContext<T>): T | null {
    if (ctx.hashKey === null) return this.fallback.pick(pool, ctx);
    const servers = pool.servers;
    if (servers.length === 0) return null;
    if (poolChanged(pool, this.version, this.length)) this.rebuild(pool);
    const { points, owners } = this.ring;
    const size = points.length;
    if (size === 0) return null;
    let k = ringIndex(points, hashString(ctx.hashKey));
    const skip = ctx.skip;
    if (skip === null) return servers[owners[k]];
    const marks = this.marks;
    marks.begin();
    let refused = 0;
    for (let step = 0; step < size; step++, k = k + 1 === size ? 0 : k + 1) {
      const pos = owners[k];
      if (marks.has(pos)) continue;
      const s = servers[pos];
      if (usable(s, skip)) return s;
      marks.set(pos);
      if (++refused === this.members) break;
    }
    return null;
  }

  private rebuild(pool: Pool<T>): void {
    this.ring = buildRing(pool.servers, this.pointsPerWeight);
    let members = 0;
    for (const s of pool.servers) if (s.weight > 0) members++;
    this.members = members;
    this.marks = new PickMarks(pool.servers.length);
    this.version = pool.version;
    this.length = pool.servers.length;
  }
}
