/**
 * One server connection as the pool sees it: the Conn, where it is (dialling, busy with a request,
 * idle in a list, closed), how many requests it has carried, when it must stop being reused, and the
 * handler it wears while idle (any byte, FIN or error from the server then makes it unusable).
 */
import type { Conn, ConnHandler } from '../proxy/conn.js';
import type { IdleList, ReuseMode } from './pool-select.js';

/** Where a pooled connection is. */
export type PooledState = 'dialing' | 'busy' | 'idle' | 'closed';

/** An error of acquire(): `code` is an errno name (ECONNREFUSED, ETIMEDOUT …) or ECANCELED (pool closed). */
export class PoolError extends Error {
  constructor(readonly code: string, server: string) {
    super(`${server}: ${code}`);
  }
}

/** What the pool does when an idle connection hears from its server. */
export interface IdleOwner {
  /** The server closed, reset, or sent bytes nobody asked for: remove `pc` from its list and close it. */
  idleBroken(pc: PooledConn, why: 'data' | 'end' | 'error'): void;
}

/** A server connection handed out by the pool, or kept idle by it. */
export class PooledConn {
  /** The connection; the engine installs its own `conn.handler` as soon as it gets the PooledConn. */
  conn!: Conn;
  state: PooledState = 'dialing';
  /** Requests completed on this connection (counted at release). */
  requests = 0;
  /** An HTTP/2 stream to a `proto h2` server (one request; its connection belongs to the server's set). */
  stream = false;
  /** True when the last acquire() took it from an idle list rather than dialling it. */
  reused = false;
  /** The `http-reuse` mode of the last acquire(): a connection acquired under `never` is closed at release. */
  mode: ReuseMode = 'safe';
  /** While idle: the list it is in, and when it must no longer be used (ms, pool clock). */
  list: IdleList | null = null;
  expiresAt = 0;
  /** The handler worn while idle (one object per connection, made once). */
  readonly idleHandler: ConnHandler;

  constructor(readonly serverKey: string, owner: IdleOwner) {
    this.idleHandler = {
      onData: () => owner.idleBroken(this, 'data'),
      onEnd: () => owner.idleBroken(this, 'end'),
      onError: () => owner.idleBroken(this, 'error'),
      onDrain: () => {},
    };
  }
}
