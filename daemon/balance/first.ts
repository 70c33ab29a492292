/**
 * `balance first`: the server with the lowest id that still has a free connection slot takes the
 * session; the next one is only used once it is full (`sessions >= maxconn`). Meant to keep as few
 * servers busy as possible (so the others can be powered down); it only makes sense with `maxconn`
 * set, and a server with maxconn 0 (unlimited) is never full, so it takes everything from there on.
 * Weights play no part.
 *
 * The order by id is computed once per pool version; a pick is one scan of it.
 */
import { poolChanged } from './common.js';
import type { Balancer, Candidate, PickContext, Pool } from './types.js';

export class First<T extends Candidate> implements Balancer<T> {
  private version = Number.NaN;
  private length = -1;
  /** Pool positions sorted by server id. */
  private order: Int32Array = new Int32Array(0);

  pick(pool: Pool<T>, ctx: PickContext<T>): T | null {
    const servers = pool.servers;
    if (servers.length === 0) return null;
    if (poolChanged(pool, this.version, this.length)) this.rebuild(pool);
    const skip = ctx.skip;
    const order = this.order;
    for (let k = 0; k < order.length; k++) {
      const s = servers[order[k]];
      if (s.weight <= 0) continue;
      if (s.maxconn > 0 && s.sessions >= s.maxconn) continue;
      if (skip !== null && skip(s)) continue;
      return s;
    }
    return null;
  }

  private rebuild(pool: Pool<T>): void {
    const servers = pool.servers;
    const order = Int32Array.from(servers.keys());
    order.sort((a, b) => servers[a].id - servers[b].id || a - b);
    this.order = order;
    this.version = pool.version;
    this.length = servers.length;
  }
}
