import type { HealthCheckConfig, ServerSslConfig } from '../config/types.js';
import type { CheckResult } from '../../shared/check-status.js';

/** Where a probe connects: the server's address, or its `addr`/`port` overrides. */
export interface ProbeTarget {
  readonly host: string;
  readonly port: number;
  /** `check-send-proxy`: send a PROXY header first, v1 or v2 (the server's `send-proxy-v2` chooses v2); absent or 0: none. */
  readonly sendProxy?: 0 | 1 | 2;
  /** `check-ssl`: checks run over TLS with the server's settings, sending `check-sni` (absent: plain TCP). */
  readonly tls?: { readonly ssl: ServerSslConfig; readonly servername: string | null };
}

/**
 * Time limits of one probe, following HAProxy: when `timeout check` is set, the connect phase is limited
 * by min(timeout connect, inter) and the rest by `timeout check`; when it is not set, the whole probe is
 * limited by `inter`.
 */
export interface ProbeTimeouts {
  readonly connectMs: number;
  /** Limit for everything after the connect (send + receive); the whole probe when connectMs is not separate. */
  readonly readMs: number;
}

/**
 * Cancels a probe in flight. A plain slot instead of an AbortSignal: the scheduler keeps one per server
 * and reuses it for every check (an AbortController per check was the largest user-side cost at
 * 1,000 checks a second). A running probe sets `onCancel`, clears it when done; `cancelProbe` fires it.
 */
export interface CancelToken {
  cancelled: boolean;
  onCancel: (() => void) | null;
}

export function cancelToken(): CancelToken {
  return { cancelled: false, onCancel: null };
}

/** Cancel the probe holding `t` (if any); the token is ready for reuse afterwards. */
export function cancelProbe(t: CancelToken): void {
  const f = t.onCancel;
  t.onCancel = null;
  if (f) f();
  else t.cancelled = true;
}

/** Runs one health check probe. Never rejects: every failure is a CheckResult (L4CON, L7TOUT, SOCKERR …). */
export type Probe = (check: HealthCheckConfig, target: ProbeTarget, timeouts: ProbeTimeouts, cancel?: CancelToken) => Promise<CheckResult>;
