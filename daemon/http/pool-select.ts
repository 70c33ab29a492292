/**
 * Which idle connections a request may use under `http-reuse`, as HAProxy 2.6 decides it
 * (src/backend.c, connect_server()). A server's idle connections are in two lists:
 * - "idle": released after their first request only (not yet proven reusable),
 * - "safe": released after two or more requests (the server has shown it keeps connections open).
 *
 *            never        safe          aggressive     always
 *   request  1st  2nd     1st  2nd      1st  2nd       1st   2nd
 *   safe      -    -       -    2        1    2         1     2
 *   idle      -    -       -    1        -    1         2     1
 *
 * (numbers: the order lists are tried in). "The first request of a session is always sent over its own
 * connection" in safe mode; aggressive lets a first request use a connection "reused at least once";
 * always lets it use any; never shares nothing between sessions.
 */

/** `http-reuse` modes (HAProxy's default is safe). */
export type ReuseMode = 'never' | 'safe' | 'aggressive' | 'always';

/** The two idle lists of a server. */
export type IdleList = 'idle' | 'safe';

const NONE: readonly IdleList[] = [];
const SAFE_ONLY: readonly IdleList[] = ['safe'];
const SAFE_THEN_IDLE: readonly IdleList[] = ['safe', 'idle'];
const IDLE_THEN_SAFE: readonly IdleList[] = ['idle', 'safe'];

/** The idle lists a request may take a connection from, in order of preference; empty: dial a new one. */
export function reuseLists(mode: ReuseMode, firstRequestOfSession: boolean): readonly IdleList[] {
  switch (mode) {
    case 'never':
      return NONE;
    case 'safe':
      return firstRequestOfSession ? NONE : IDLE_THEN_SAFE;
    case 'aggressive':
      return firstRequestOfSession ? SAFE_ONLY : IDLE_THEN_SAFE;
    case 'always':
      return firstRequestOfSession ? SAFE_THEN_IDLE : IDLE_THEN_SAFE;
  }
}

/** The list a released connection goes to: "safe" once it has carried more than one request. */
export function listFor(requestsDone: number): IdleList {
  return requestsDone >= 2 ? 'safe' : 'idle';
}
