/**
 * `balance leastconn`: the server with the fewest sessions relative to its weight takes the new
 * session, which suits long sessions (databases, LDAP, tunnels) where round robin would pile them up.
 *
 * Like HAProxy (lb_fwlc.c) we rank by (sessions + 1) / weight: the "+ 1" is the session about to
 * be added, which sorts busy servers by weight once picked rather than before, so a weight-2 server
 * counts as loaded as a weight-1 one once it holds twice the sessions. Also like HAProxy, a server
 * with no session at all ranks 0 whatever its weight, so under a light load the work is spread over
 * the idle servers instead of always landing on the heaviest one. Ratios are compared by
 * cross-multiplying, never as floats. Equal servers share the load round robin: the scan starts just after the server
 * chosen last time and only a strictly better server displaces the first one found.
 */
import { poolChanged } from './common.js';
import type { Balancer, Candidate, PickContext, Pool } from './types.js';

export class LeastConn<T extends Candidate> implements Balancer<T> {
  private version = Number.NaN;
  private length = -1;
  /** Where the next scan starts: the position after the last pick. */
  private start = 0;

  pick(pool: Pool<T>, ctx: PickContext<T>): T | null {
    const servers = pool.servers;
    const n = servers.length;
    if (n === 0) return null;
    if (poolChanged(pool, this.version, this.length)) {
      this.version = pool.version;
      this.length = n;
      if (this.start >= n) this.start = 0;
    }
    const skip = ctx.skip;
    let best = -1;
    let bestLoad = 0;
    let bestWeight = 1;
    let i = this.start;
    for (let k = 0; k < n; k++, i = i + 1 === n ? 0 : i + 1) {
      const s = servers[i];
      const w = s.weight;
      if (w <= 0 || (skip !== null && skip(s))) continue;
      const load = s.sessions === 0 ? 0 : s.sessions + 1;
      // load / w < bestLoad / bestWeight, without division
      if (best < 0 || load * bestWeight < bestLoad * w) {
        best = i;
        bestLoad = load;
        bestWeight = w;
      }
    }
    if (best < 0) return null;
    this.start = best + 1 === n ? 0 : best + 1;
    return servers[best];
  }
}
