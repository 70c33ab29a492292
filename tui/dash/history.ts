/**
 * What the dashboard remembers between snapshots: one tick per sampling interval with each backend's
 * session rate, error counters and (HTTP backends) responses by class and latency, or a gap while the daemon was unreachable. The snapshot has the rate
 * of the last second only, so the last few minutes are kept here, on the client. Ticks come from the
 * dashboard's own timer, not from snapshot arrival: the daemon sends no delta when nothing changed.
 */
import type { BackendSnapshot, Snapshot } from '../../shared/snapshot.js';

/** HTTP response counts by class, as HAProxy's hrsp_1xx … hrsp_other columns. */
export interface ResponseClasses {
  '1xx': number;
  '2xx': number;
  '3xx': number;
  '4xx': number;
  '5xx': number;
  other: number;
}

/** The classes in display order. */
export const RESPONSE_CLASSES: readonly (keyof ResponseClasses)[] = ['1xx', '2xx', '3xx', '4xx', '5xx', 'other'];

/** One backend at one tick. Counters are cumulative (as the daemon keeps them); rate is per second. */
export interface BackendSample {
  rate: number;
  connectErrors: number;
  responses: ResponseClasses | null;
  /** p50 and p99 request latency (ms) when the backend has seen HTTP requests. */
  latency?: { p50: number; p99: number } | null;
}

/** One tick: every enabled backend by name, in the snapshot's order, or null while disconnected. */
export interface Tick {
  at: number;
  backends: Map<string, BackendSample> | null;
}

/**
 * The HTTP response classes of a backend (hrsp_1xx … hrsp_other), or null when the snapshot carries
 * none: lbd reports HTTP counters only for an object that has seen an HTTP request (`httpReqs` set).
 */
export function responseClasses(b: BackendSnapshot): ResponseClasses | null {
  const c = b.counters;
  if (c.httpReqs === undefined) return null;
  const n = (v: number | undefined) => (typeof v === 'number' && Number.isFinite(v) ? v : 0);
  return { '1xx': n(c.hrsp1xx), '2xx': n(c.hrsp2xx), '3xx': n(c.hrsp3xx), '4xx': n(c.hrsp4xx), '5xx': n(c.hrsp5xx), other: n(c.hrspOther) };
}

/** A backend's request latency now (p50 and p99 over its last 1024 requests, ms), or null without HTTP counters or samples. */
export function latency(b: BackendSnapshot): { p50: number; p99: number } | null {
  const c = b.counters;
  if (c.httpReqs === undefined || c.latencyP50 === undefined || c.latencyP99 === undefined) return null;
  // lbd reports 0 and 0 for an empty ring of samples: no measurement, not 0 ms
  if (c.latencyP50 === 0 && c.latencyP99 === 0) return null;
  return { p50: c.latencyP50, p99: c.latencyP99 };
}

/** A tick's figures from a snapshot (backends disabled in the config are left out, as show stat does). */
export function sampleSnapshot(s: Snapshot): Map<string, BackendSample> {
  const m = new Map<string, BackendSample>();
  for (const b of s.backends) {
    if (b.configDisabled) continue;
    m.set(b.name, { rate: b.counters.rate, connectErrors: b.counters.connectErrors, responses: responseClasses(b), latency: latency(b) });
  }
  return m;
}

/**
 * A bounded list of ticks, oldest first. Gaps (null) are recorded only after the first real tick, so
 * a dashboard started before its daemon does not open with an empty stretch.
 */
export class TickHistory {
  private readonly list: Tick[] = [];

  constructor(readonly capacity: number) {
    if (!(capacity >= 1)) throw new RangeError('capacity must be at least 1');
  }

  /** Record a tick: the snapshot's figures, or a gap (null) while disconnected. */
  push(at: number, snapshot: Snapshot | null): void {
    if (!snapshot && this.list.length === 0) return;
    this.list.push({ at, backends: snapshot ? sampleSnapshot(snapshot) : null });
    if (this.list.length > this.capacity) this.list.splice(0, this.list.length - this.capacity);
  }

  get ticks(): readonly Tick[] {
    return this.list;
  }
}

/** The newest tick that is not a gap, or null. */
export function lastReal(ticks: readonly Tick[]): Tick | null {
  for (let i = ticks.length - 1; i >= 0; i--) if (ticks[i]!.backends) return ticks[i]!;
  return null;
}

/** The oldest tick that is not a gap, or null. */
export function firstReal(ticks: readonly Tick[]): Tick | null {
  for (const t of ticks) if (t.backends) return t;
  return null;
}
