/**
 * Snapshots for the console's tests, shaped like lbd's (the TCP + track example: `myApp`
 * servers track `monitoring` servers, which are checked over HTTP), with each server's state given as
 * HAProxy's status string and the fields that go with it. Built by hand so a test says exactly the
 * state it draws.
 */
import { ADMIN, type BackendSnapshot, type ServerSnapshot, type SessionCounters, type Snapshot } from '../../shared/snapshot.js';
import type { CheckStatusCode } from '../../shared/check-status.js';

export const NOW = Date.UTC(2026, 10, 21, 12, 0, 0);

const zero = {
  cur: 0, max: 0, total: 0, rate: 0, rateMax: 0, bytesIn: 0, bytesOut: 0, cliAborts: 0, srvAborts: 0,
  queueCur: 0, queueMax: 0, connectErrors: 0, responseErrors: 0, retries: 0, redispatches: 0, selected: 0,
  checkFailures: 0, checkDowns: 0, connectTimeAvg: 0, connectTimeMax: 0, queueTimeAvg: 0, totalTimeAvg: 0,
  lastSession: null, queueTimeMax: 0, totalTimeMax: 0, connectAttempts: 0, hanaFailures: 0,
};

export interface ServerSpec {
  status?: string;
  op?: ServerSnapshot['op'];
  admin?: number;
  via?: string | null;
  check?: { status: CheckStatusCode; code?: number | null; durationMs?: number; info?: string; enabled?: boolean } | null;
  weight?: number;
  initial?: number;
  cur?: number;
  rate?: number;
  bytesIn?: number;
  /** HTTP counters (absent for a server that never saw an HTTP request). */
  http?: Partial<SessionCounters>;
}

export function server(backend: string, name: string, id: number, spec: ServerSpec = {}, tracks: string | null = null, trackedBy: string[] = []): ServerSnapshot {
  const status = spec.status ?? 'UP';
  const ck = spec.check === undefined ? { status: 'L7OK' as CheckStatusCode, code: 200, durationMs: 1 } : spec.check;
  const w = spec.weight ?? 1;
  return {
    backend, name, id, addr: `127.0.0.1:${18000 + id}`, status,
    op: spec.op ?? (status.startsWith('DOWN') || status.startsWith('MAINT') ? 'down' : 'up'),
    admin: spec.admin ?? 0, via: spec.via ?? null,
    weight: { effective: status === 'UP' ? w : 0, user: w, initial: spec.initial ?? 1, eweight: w },
    throttle: null, backup: false, eligible: status.startsWith('UP'), tracks, trackedBy,
    check: ck === null ? null : {
      enabled: ck.enabled ?? true, inProgress: false, status: ck.status, desc: '', code: ck.code ?? null, durationMs: ck.durationMs ?? 1,
      info: ck.info ?? '', health: 3, rise: 2, fall: 2, lastAt: NOW - 500,
      history: [0, 1, 2].map((i) => ({ at: NOW - 3000 + i * 1000, status: ck.status, code: ck.code ?? null, durationMs: ck.durationMs ?? 1, info: ck.info ?? '' })),
    },
    lastChange: NOW - 65_000, downtimeMs: 0, maxconn: 0, maxqueue: 0, address: '127.0.0.1', port: 18000 + id, fqdn: null,
    checkPort: null, checkAddr: null, observe: false,
    ownCheck: { configured: !tracks, enabled: true, paused: false, inProgress: false, status: ck?.status ?? 'INI', health: 3 },
    counters: { ...zero, cur: spec.cur ?? 0, rate: spec.rate ?? 0, bytesIn: spec.bytesIn ?? 0, ...spec.http },
  };
}

export function backend(name: string, mode: 'tcp' | 'http', servers: ServerSnapshot[]): BackendSnapshot {
  const usable = servers.filter((s) => s.eligible).length;
  return {
    name, id: 3, mode, algo: 'roundrobin', status: usable ? 'UP' : 'DOWN', weight: usable, uweight: usable, active: usable, backup: 0,
    lastChange: NOW - 120_000, downtimeMs: 0, downTransitions: 0, configDisabled: false, counters: { ...zero, cur: servers.reduce((n, s) => n + s.counters.cur, 0) }, servers,
  };
}

/**
 * The track example with a state per server of `monitoring` (server-1..3) and of `myApp` (same names).
 * Trackers show what HAProxy shows for them; pass their status explicitly.
 */
export function trackSnapshot(mon: ServerSpec[] = [{}, {}, {}], app: ServerSpec[] = [{}, {}, {}], extra: BackendSnapshot[] = []): Snapshot {
  const names = ['server-1', 'server-2', 'server-3'];
  const monitoring = names.map((n, i) => server('monitoring', n, i + 1, mon[i] ?? {}, null, [`myApp/${n}`]));
  const myApp = names.map((n, i) => server('myApp', n, i + 1, { check: mon[i]?.check, ...app[i] }, `monitoring/${n}`));
  return {
    process: { version: '0.1.0', pid: 4242, startedAt: NOW - 3_600_000, now: NOW, configFiles: ['/etc/lbd/lbd.cfg'], maxconn: 1000, currConns: 3, cumConns: 10, connRate: 2, connRateMax: 5, stopping: false, lastReload: null },
    frontends: [
      {
        name: 'myApp', id: 2, mode: 'tcp', status: 'OPEN', maxconn: 0, configDisabled: false, backends: ['myApp'],
        listeners: [{ name: 'sock-1', addr: '127.0.0.1:6443', status: 'OPEN' }],
        counters: { cur: 3, max: 5, total: 10, rate: 2, rateMax: 5, bytesIn: 1000, bytesOut: 2000, cliAborts: 0, srvAborts: 0, denied: 0, errors: 0, connRate: 2, connRateMax: 5, connTotal: 10 },
      },
    ],
    backends: [backend('myApp', 'tcp', myApp), backend('monitoring', 'http', monitoring), ...extra],
  };
}

/** Every state the console must draw, one server each (server-1 of monitoring carries the tracked MAINT). */
export function allStatesSnapshot(): Snapshot {
  return trackSnapshot(
    [{ status: 'MAINT', admin: ADMIN.FMAINT, check: { status: 'L7OK', code: 200 } }, { status: 'UP 1/2', check: { status: 'L7STS', code: 503, durationMs: 12, info: 'Service Unavailable' } }, { status: 'DOWN', check: { status: 'L4CON', durationMs: 0, info: 'Connection refused' } }],
    [{ status: 'MAINT (via monitoring/server-1)', admin: ADMIN.IMAINT, via: 'monitoring/server-1' }, { status: 'UP 1/2' }, { status: 'DRAIN', admin: ADMIN.FDRAIN, op: 'up' }],
    [backend('static', 'tcp', [server('static', 'web-1', 1, { status: 'no check', check: null }), server('static', 'web-2', 2, { status: 'DOWN 1/2', check: { status: 'L7OK', code: 200 } })])],
  );
}

/** HTTP counters with every field, as lbd reports them for an object that has seen HTTP requests. */
export function httpCounters(o: Partial<SessionCounters> = {}): Partial<SessionCounters> {
  return {
    httpReqs: 0, reqRate: 0, reqRateMax: 0, hrsp1xx: 0, hrsp2xx: 0, hrsp3xx: 0, hrsp4xx: 0, hrsp5xx: 0, hrspOther: 0,
    intercepted: 0, deniedResp: 0, reuse: 0, connects: 0, responseTimeAvg: 0, responseTimeMax: 0, reqErrors: 0, internalErrors: 0,
    latencyP50: 0, latencyP99: 0, ...o,
  };
}

/**
 * The track example plus HTTP traffic: frontend `web` (mode http) to backend `api` (mode http) with
 * servers api-1 (busy, a few 5xx) and api-2 (quiet), and `api-3` that has not seen a request yet.
 */
export function httpSnapshot(): Snapshot {
  const s = trackSnapshot();
  const api1 = server('api', 'api-1', 1, { cur: 4, rate: 3, http: httpCounters({ httpReqs: 52_345, reqRate: 212, hrsp2xx: 52_000, hrsp3xx: 17, hrsp4xx: 300, hrsp5xx: 28, reuse: 52_100, connects: 245, latencyP50: 1.24, latencyP99: 38.6 }) });
  const api2 = server('api', 'api-2', 2, { cur: 1, rate: 1, http: httpCounters({ httpReqs: 9_000, reqRate: 41.5, hrsp2xx: 9_000, reuse: 4_500, connects: 4_500, latencyP50: 0.42, latencyP99: 1_530 }) });
  const api3 = server('api', 'api-3', 3, {});
  const api = backend('api', 'http', [api1, api2, api3]);
  api.counters = { ...api.counters, ...httpCounters({ httpReqs: 61_345, reqRate: 253.5, hrsp2xx: 61_000, hrsp3xx: 17, hrsp4xx: 300, hrsp5xx: 28, reuse: 56_600, connects: 4_745, latencyP50: 1.1, latencyP99: 412 }) };
  s.backends.push(api);
  s.frontends.push({
    name: 'web', id: 5, mode: 'http', status: 'OPEN', maxconn: 0, configDisabled: false, backends: ['api'],
    listeners: [{ name: 'sock-1', addr: '127.0.0.1:8080', status: 'OPEN' }],
    counters: {
      cur: 7, max: 12, total: 400, rate: 4, rateMax: 9, bytesIn: 5000, bytesOut: 90000, cliAborts: 0, srvAborts: 0, denied: 0, errors: 0, connRate: 4, connRateMax: 9, connTotal: 400,
      ...httpCounters({ httpReqs: 61_400, reqRate: 254, hrsp1xx: 2, hrsp2xx: 61_000, hrsp3xx: 17, hrsp4xx: 353, hrsp5xx: 28, hrspOther: 0, reqErrors: 11, internalErrors: 1, intercepted: 53 }),
    },
  });
  return s;
}
