/**
 * Small snapshots for the dashboard's unit tests: only the fields the dashboard reads are filled, the
 * rest of the Snapshot type is left to the daemon's own tests (so a field added there breaks nothing here).
 */
import type { BackendSnapshot, ServerSnapshot, Snapshot } from '../../shared/snapshot.js';
import type { Tick, BackendSample } from '../../tui/dash/history.js';

type Deep<T> = { [K in keyof T]?: T[K] extends unknown[] ? T[K] : NonNullable<T[K]> extends object ? Deep<NonNullable<T[K]>> | Extract<T[K], null> : T[K] };

/** A server that is UP with an L7OK check, overridable. */
export function server(backend: string, name: string, o: Deep<ServerSnapshot> = {}): ServerSnapshot {
  const base = {
    backend,
    name,
    id: 1,
    addr: '127.0.0.1:8080',
    status: 'UP',
    op: 'up',
    admin: 0,
    via: null,
    weight: { effective: 1, user: 1, initial: 1 },
    lastChange: 1_000,
    check: { enabled: true, inProgress: false, status: 'L7OK', desc: '', code: 200, durationMs: 2, info: 'OK', health: 3, rise: 2, fall: 2, lastAt: 1_000, history: [] },
    counters: { cur: 0, rate: 0, total: 0, connectErrors: 0 },
  };
  return { ...base, ...o, weight: { ...base.weight, ...o.weight }, counters: { ...base.counters, ...o.counters }, check: o.check === null ? null : { ...base.check, ...o.check } } as unknown as ServerSnapshot;
}

/** A backend with these servers, overridable. */
export function backend(name: string, servers: ServerSnapshot[], o: Deep<BackendSnapshot> = {}): BackendSnapshot {
  return { name, mode: 'tcp', configDisabled: false, ...o, counters: { rate: 0, connectErrors: 0, ...o.counters }, servers } as unknown as BackendSnapshot;
}

/** A snapshot of these backends at time `now`. */
export function snapshot(backends: BackendSnapshot[], now = 100_000): Snapshot {
  return {
    process: { version: '0.1.0', pid: 42, startedAt: now - 60_000, now, currConns: 0, connRate: 0, stopping: false },
    frontends: [],
    backends,
  } as unknown as Snapshot;
}

/** A tick with these per-backend figures (rate and connection errors), or a gap. */
export function tick(at: number, figures: Record<string, Partial<BackendSample>> | null): Tick {
  if (!figures) return { at, backends: null };
  return { at, backends: new Map(Object.entries(figures).map(([k, v]) => [k, { rate: 0, connectErrors: 0, responses: null, ...v }])) };
}
