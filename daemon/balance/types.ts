/**
 * The contract between a Backend and its load-balancing algorithm.
 *
 * The Backend hands the balancer a Pool: the servers that may take a new session right now
 * (eligible, weight > 0: the active ones, or the backups when no active server is usable). The pool
 * is rebuilt, with a new `version`, whenever a server's eligibility or effective weight changes, so an
 * algorithm may cache derived structures (a hash ring, a weight map) per version and must not assume
 * the same server objects keep the same position. Server objects themselves are stable across versions
 * (identity = backend/server), so per-server state may be kept in a Map/WeakMap keyed by them.
 */

/** What a balancer may read from a server. */
export interface Candidate {
  /** Server id within its backend (1-based, config order). `first` uses it for ordering. */
  readonly id: number;
  readonly name: string;
  /** Effective weight now (after runtime changes and slowstart), >= 1 for pool members. */
  readonly weight: number;
  /** Sessions currently established or being established on this server. */
  readonly sessions: number;
  /** Per-server connection limit, 0 = unlimited. */
  readonly maxconn: number;
}

export interface Pool<T extends Candidate> {
  readonly servers: readonly T[];
  /** Changes whenever membership or a member's weight changes. */
  readonly version: number;
}

export interface PickContext<T extends Candidate> {
  /** For hash-based algorithms (`balance source`): the client's address. */
  readonly hashKey: string | null;
  /** Servers to skip (already tried for this session, e.g. on redispatch, or full). */
  readonly skip: ((server: T) => boolean) | null;
}

export interface Balancer<T extends Candidate> {
  /** Choose a server for a new session, or null when none in the pool can take it. */
  pick(pool: Pool<T>, ctx: PickContext<T>): T | null;
}
