/**
 * `balance roundrobin`: each server is used in turn, according to its weight, and weight changes
 * (set at runtime, or slowstart ramping a server up) apply from the very next pick. HAProxy calls
 * this the dynamic round robin.
 *
 * Implemented as smooth weighted round robin (see smooth.ts) over the live `weight` of each pool
 * member. Per-server `current` values live in an array indexed by pool position; when the pool
 * version changes they are carried over, by server identity, for servers still present, and
 * dropped for servers that left. Carried values shrink with a smaller total weight, a joining server
 * starts at the back of the turn, and all are centred on zero again (the sum the smooth rule keeps):
 * each server keeps its place in the turn. HAProxy 2.6, taking s2 out of s1 s2 s3 after s1, goes on
 * with s3 s1 s3 s1 s3, and with s2 back, s1 s3 s2: lbd gives the same (before, the leftovers of the
 * 3-server round gave s3 s3 s1). Where HAProxy puts a returning server depends on its place in its
 * wheel (sometimes first); lbd always puts it last in the turn under way. Skipped servers sit the
 * step out and keep their value, so they are not penalised for having been skipped.
 */
import { poolChanged } from './common.js';
import type { Balancer, Candidate, PickContext, Pool } from './types.js';

export class RoundRobin<T extends Candidate> implements Balancer<T> {
  private version = Number.NaN;
  private servers: readonly T[] = [];
  private current: Float64Array = new Float64Array(0);
  /** The total weight the last pick shared out (0 before the first). */
  private lastTotal = 0;

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
    this.lastTotal = total;
    return servers[best];
  }

  private resync(pool: Pool<T>): void {
    const old = new Map<T, number>();
    for (let i = 0; i < this.servers.length; i++) old.set(this.servers[i], this.current[i]);
    const n = pool.servers.length;
    const current = new Float64Array(n);
    let total = 0;
    for (let i = 0; i < n; i++) total += Math.max(0, pool.servers[i].weight);
    // a smaller total shrinks the spread of the values to fit it (left as they were, a server far
    // ahead would be served twice in a row); a larger one leaves them alone (they already fit)
    const scale = this.lastTotal > 0 && total > 0 ? Math.min(1, total / this.lastTotal) : 1;
    let carried = 0;
    let sum = 0;
    let min = Infinity;
    let max = -Infinity;
    for (let i = 0; i < n; i++) {
      const c = old.get(pool.servers[i]);
      if (c === undefined) {
        current[i] = Number.NaN; // a joiner, placed below
        continue;
      }
      const v = c * scale;
      current[i] = v;
      sum += v;
      carried++;
      if (v < min) min = v;
      if (v > max) max = v;
    }
    if (carried === 0) current.fill(0);
    else {
      // a server joining a turn already under way (back from DOWN or maintenance, added) starts behind
      // the last of the others, so it comes after them: s1 s3, then s2 back, gives s1 s3 s2. Less than
      // the total below the first of the others: one pick takes the total off a server, and that one,
      // once served, must land behind the newcomer.
      const room = total - (max - min);
      const joiner = room > 0 ? min - room / 2 : min - 1;
      sum += joiner * (n - carried);
      // centred on zero over everyone, rounded to 1/1024 (exact in binary): equal servers tie exactly,
      // and the first in the pool wins the tie
      const mean = sum / n;
      for (let i = 0; i < n; i++) {
        const v = Number.isNaN(current[i]) ? joiner : current[i];
        current[i] = Math.round((v - mean) * 1024) / 1024;
      }
    }
    this.current = current;
    this.servers = pool.servers.slice();
    this.version = pool.version;
  }
}
