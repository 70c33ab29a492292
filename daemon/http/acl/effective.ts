/**
 * Settings a frontend and a backend both set, combined as HAProxy combines them for one request:
 * `option forwardfor` (http_ana.c: added when either side asks; the backend's header name wins; skipped when
 * the client is in either side's `except` network; `if-none` only when both sides say it) and the connection
 * mode (the more closing of the two: httpclose > http-server-close > http-keep-alive).
 */
import type { BackendHttpConfig, FrontendHttpConfig, HttpConnectionMode } from '../../config/types.js';

/** What to add for `option forwardfor` on one request, or null when nothing is added. */
export interface ForwardFor {
  readonly header: string;
  /** Only add when the request has no such header. */
  readonly ifNone: boolean;
}

type Side = Pick<FrontendHttpConfig | BackendHttpConfig, 'forwardFor' | 'connectionMode'> | undefined;

/** The X-Forwarded-For header to add for a client address, or null. */
export function forwardForOf(fe: Side, be: Side, clientAddress: string): ForwardFor | null {
  const f = fe?.forwardFor ?? null;
  const b = be?.forwardFor ?? null;
  if (f === null && b === null) return null;
  if ((f !== null && f.excepted(clientAddress)) || (b !== null && b.excepted(clientAddress))) return null;
  const header = b?.header ?? f?.header ?? 'X-Forwarded-For';
  const ifNone = (f === null || f.ifNone) && (b === null || b.ifNone);
  return { header, ifNone };
}

const STRENGTH: Readonly<Record<HttpConnectionMode, number>> = { 'keep-alive': 0, 'server-close': 1, close: 2 };

/** The connection mode of a request that goes through a frontend and a backend. */
export function connectionModeOf(fe: Side, be: Side): HttpConnectionMode {
  const a = fe?.connectionMode ?? 'keep-alive';
  const b = be?.connectionMode ?? 'keep-alive';
  return STRENGTH[a] >= STRENGTH[b] ? a : b;
}
