/**
 * `balance roundrobin`: each server is used in turn, according to its weight, and weight changes
 * (set at runtime, or slowstart ramping a server up) apply from the very next pick. HAProxy calls
 * this the dynamic round robin.
 *
 * Implemented as smooth weighted round robin (see smooth.ts) over the live `weight` of each pool
 * member. Per-server `current` values live in an array indexed by pool position; when the pool
 * version changes they are carried over, by server identity, for servers still present, and
 * dropped for servers that left (a returning server starts from zero). Skipped servers sit the
 * step out and keep their value, so they are not penalised for having been skipped.
 */
import { poolChanged } from './common.js';
import type { Balancer, Candidate, PickContext, Pool } from './types.js';

export class RoundRobin<T extends Candidate> implements Balancer<T> {
  private version = Number.NaN;
  private servers: readonly T[] = [];
  private current: Float64Array = new Float64Array(0);

  pick(pool: Pool<T>, ctx: PickContext<T>): T | null {
    const servers = pool.servers;
    const n = servers.length;
    if (n === 0) return null;
    if (poolChanged(pool, this.version, this.current.length)) this.resync(pool);
    // smoothStep (smooth.ts) inlined: this loop is the data path, one pass over the pool.
    const skip = ctx.skip;
    const current = this.current;
    let total = 0;
    let best = -1;
    let bestCurrent = 0;
    for (let i = 0; i < n; i++) {
      const s = servers[i];
      const w = s.weight;
      if (w <= 0 || (skip !== null && skip(s))) continue;
      const c = current[i] + w;
      current[i] = c;
      total += w;
      if (best < 0 || c > bestCurrent) {
        best = i;
        bestCurrent = c;
      }
    }
    if (best < 0) return null;
    current[best] -= total;
    return servers[best];
  }

  private resync(pool: Pool<T>): void {
    const old = new Map<T, number>();
    for (let i = 0; i < this.servers.length; i++) old.set(this.servers[i], this.current[i]);
    const n = pool.servers.length;
    const current = new Float64Array(n);
    for (let i = 0; i < n; i++) current[i] = old.get(pool.servers[i]) ?? 0;
    this.current = current;
    this.servers = pool.servers.slice();
    this.version = pool.version;
  }
}
