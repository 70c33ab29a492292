/**
 * Runtime events (design principle 6): every state change is one typed event with time, object,
 * old → new and cause. The daemon keeps recent ones in a bounded ring; logs, `lbctl events` and the
 * console read the same stream.
 */
import type { CheckStatusCode } from './check-status.js';

export type EventCause =
  | { kind: 'check'; status: CheckStatusCode; code: number | null; durationMs: number; info: string }
  | { kind: 'track'; via: string }
  | { kind: 'operator'; command: string }
  | { kind: 'observe'; errors: number }
  | { kind: 'reload' }
  | { kind: 'startup' }
  | { kind: 'slowstart' };

export type EventKind =
  /** Operational state changed: up/down/stopping (from checks, track, observe). */
  | 'server-state'
  /** Admin state changed: maint/drain/ready (operator, config, inherited). */
  | 'server-admin'
  | 'server-weight'
  /** The health counter moved without changing the operational state (`UP` → `UP 1/2`). */
  | 'server-check'
  /** Checks were enabled or disabled on a server (`disable health`). */
  | 'server-health'
  | 'backend-state'
  | 'frontend-state'
  | 'reload'
  | 'process';

export interface LbdEvent {
  /** Increasing sequence number, unique for the life of the process. */
  seq: number;
  time: number;
  kind: EventKind;
  /** `backend/server`, a proxy name, or '' for the process. */
  object: string;
  from: string;
  to: string;
  cause: EventCause;
  /** One human line, like HAProxy's log for the same change. */
  message: string;
}
