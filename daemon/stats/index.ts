/**
 * Formatters of the runtime API's read commands: pure functions of a Snapshot (design principle 5),
 * byte-compatible with HAProxy 2.6 (see ../shared/reference/haproxy-runtime-api.md §2.2–2.6).
 * STUB: signatures fixed, implementation in progress.
 */
import type { Snapshot } from '../../shared/snapshot.js';

export interface ShowStatOptions {
  /** `typed` / `json` output; `desc` adds descriptions (typed/json only). */
  format: 'csv' | 'typed' | 'json';
  desc: boolean;
  /** `up`: only servers that are UP; `no-maint`: hide servers in maintenance. */
  up: boolean;
  noMaint: boolean;
  /** `{<iid>|<proxy>} <type> <sid>` filter: proxy iid (-1 all), type bitmask (1 frontend, 2 backend, 4 server, -1 all), sid (-1 all). */
  iid: number;
  type: number;
  sid: number;
}

const stub = (): never => {
  throw new Error('not implemented yet');
};

/** `show stat …`; the answer text without the final empty line. */
export function showStat(_snap: Snapshot, _opts: ShowStatOptions): string {
  return stub();
}

/** `show info [typed|json|desc|float]`. */
export function showInfo(_snap: Snapshot, _opts: { format: 'plain' | 'typed' | 'json'; desc: boolean; float: boolean }): string {
  return stub();
}

/** `show servers state [<backend>]` (null: all backends). Returns null when the backend does not exist. */
export function showServersState(_snap: Snapshot, _backend: string | null): string | null {
  return stub();
}

/** `show backend`. */
export function showBackend(_snap: Snapshot): string {
  return stub();
}
