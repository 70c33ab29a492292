/**
 * The per-server counters of the connection pool, named after HAProxy's `show stat` columns
 * (reuse, idle_conn_cur, safe_conn_cur, used_conn_cur, need_conn_est), and the estimate of needed
 * connections HAProxy keeps (src/server.c, srv_cleanup_idle_conns(): every purge period,
 * est = max((est + max_used) / 2, max_used), then max_used restarts from the connections in use).
 */

/** HAProxy's `pool-purge-delay` default: the period of the need_conn_est estimate. */
export const PURGE_PERIOD_MS = 5000;

/** A snapshot of one server's pool, for `show stat` and tests. */
export interface PoolServerStats {
  /** `reuse`: requests sent over a connection taken from the idle lists. */
  readonly reuse: number;
  /** `idle_conn_cur`: idle connections that carried one request (not yet proven reusable). */
  readonly idleCur: number;
  /** `safe_conn_cur`: idle connections that carried two or more requests. */
  readonly safeCur: number;
  /** `used_conn_cur`: connections handed out (dialling or carrying a request). */
  readonly usedCur: number;
  /** `need_conn_est`: estimated connections needed (see the file comment). */
  readonly needConnEst: number;
  /** Connections dialled, and dials that failed (refused, reset, timed out). */
  readonly connects: number;
  readonly connectErrors: number;
  /** Idle connections closed because the server closed them, reset them or sent unsolicited bytes. */
  readonly closedByServer: number;
  /** Idle connections closed because their keep-alive window ended. */
  readonly expired: number;
  /** Released connections closed instead of kept (not reusable, no safe window left, or the idle bounds were full). */
  readonly notKept: number;
}

/** The mutable counters behind PoolServerStats. */
export class ServerCounters {
  reuse = 0;
  usedCur = 0;
  connects = 0;
  connectErrors = 0;
  closedByServer = 0;
  expired = 0;
  notKept = 0;
  private maxUsed = 0;
  private est = 0;
  private rolledAt: number;

  constructor(now: number) {
    this.rolledAt = now;
  }

  /** One more connection handed out. */
  use(): void {
    this.usedCur++;
    if (this.usedCur > this.maxUsed) this.maxUsed = this.usedCur;
  }

  /** need_conn_est, rolled forward over the purge periods that passed since the last look. */
  needConnEst(now: number): number {
    if (now - this.rolledAt >= PURGE_PERIOD_MS) {
      this.rolledAt = now;
      this.est = Math.max(Math.floor((this.est + this.maxUsed) / 2), this.maxUsed);
      this.maxUsed = this.usedCur;
    }
    return Math.max(this.est, this.maxUsed);
  }

  /** A snapshot with the given idle list lengths. */
  snapshot(idleCur: number, safeCur: number, now: number): PoolServerStats {
    return {
      reuse: this.reuse,
      idleCur,
      safeCur,
      usedCur: this.usedCur,
      needConnEst: this.needConnEst(now),
      connects: this.connects,
      connectErrors: this.connectErrors,
      closedByServer: this.closedByServer,
      expired: this.expired,
      notKept: this.notKept,
    };
  }
}
