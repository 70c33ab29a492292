import type { HealthCheckConfig } from '../config/types.js';
import type { CheckResult } from '../../shared/check-status.js';

/** Where a probe connects: the server's address, or its `addr`/`port` overrides. */
export interface ProbeTarget {
  readonly host: string;
  readonly port: number;
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

/** Runs one health check probe. Never rejects: every failure is a CheckResult (L4CON, L7TOUT, SOCKERR …). */
export type Probe = (check: HealthCheckConfig, target: ProbeTarget, timeouts: ProbeTimeouts, signal?: AbortSignal) => Promise<CheckResult>;
