import { isIP } from 'node:net';
import { Memo } from './memo.js';
import type { ServerConfig } from '../config/types.js';
import type { Candidate } from '../balance/types.js';
import type { CheckResult } from '../../shared/check-status.js';
import { CHECK_STATUSES } from '../../shared/check-status.js';
import { ADMIN, type OpState, type ServerCounters, type ServerSnapshot, type CheckSnapshot, type OwnCheckSnapshot } from '../../shared/snapshot.js';
import { healthFraction, maxHealth } from '../health/rise-fall.js';
import { RateCounter, SlidingAverage } from './rate.js';
import { monoToWall } from './clock.js';
import type { Backend } from './backend.js';

const CHECK_HISTORY = 20;

/** The 50th and 99th percentiles of the first n values (0 when none). */
function percentiles(values: Float64Array, n: number): [number, number] {
  if (n === 0) return [0, 0];
  const sorted = values.slice(0, n).sort();
  return [sorted[Math.floor((n - 1) * 0.5)]!, sorted[Math.floor((n - 1) * 0.99)]!];
}

/**
 * Live counters of one server (or one backend's totals), incremented in place on the data path. Current
 * values (cur, queueCur) describe the present and are never cleared; everything else is history.
 */
export class Counters {
  cur = 0;
  max = 0;
  total = 0;
  readonly rate = new RateCounter();
  bytesIn = 0;
  bytesOut = 0;
  cliAborts = 0;
  srvAborts = 0;
  queueCur = 0;
  queueMax = 0;
  connectErrors = 0;
  responseErrors = 0;
  retries = 0;
  redispatches = 0;
  selected = 0;
  checkFailures = 0;
  checkDowns = 0;
  /** Failed checks caused by passive health (`observe`): HAProxy's hanafail. */
  hanaFailures = 0;
  readonly connectTime = new SlidingAverage();
  readonly queueTime = new SlidingAverage();
  readonly totalTime = new SlidingAverage();
  connectSamples = 0;
  queueSamples = 0;
  totalSamples = 0;
  lastSession: number | null = null;
  // HTTP mode
  httpReqs = 0;
  readonly reqRate = new RateCounter();
  /** hrsp_1xx … hrsp_5xx, hrsp_other. */
  readonly hrsp = [0, 0, 0, 0, 0, 0];
  intercepted = 0;
  deniedReq = 0;
  deniedResp = 0;
  reqErrors = 0;
  /** Exceptions caught on the data path (eint). */
  internalErrors = 0;
  reuse = 0;
  connects = 0;
  readonly responseTime = new SlidingAverage();
  responseSamples = 0;
  /** The last request durations (ms), a ring for the console's percentiles. */
  readonly latencies = new Float64Array(1024);
  latencyCount = 0;

  /** One HTTP request took `ms` (request head received to response end). */
  latency(ms: number): void {
    this.latencies[this.latencyCount++ & 1023] = ms;
  }

  /** A session starts on this object. */
  open(now: number): void {
    this.cur++;
    this.total++;
    if (this.cur > this.max) this.max = this.cur;
    this.rate.add(now);
    this.lastSession = now;
  }

  /**
   * `clear counters` (all=false) zeroes the maxima as HAProxy does (smax, qmax, rate_max, *time_max): they
   * grow again from the next event. `clear counters all` zeroes every counter, totals, rates and averages
   * included (HAProxy's memset of the counters). Current values (cur, queueCur) are never touched.
   */
  clearCounters(all: boolean): void {
    this.max = 0;
    this.queueMax = 0;
    this.rate.max = 0;
    this.connectTime.max = this.queueTime.max = this.totalTime.max = this.responseTime.max = 0;
    this.reqRate.max = 0;
    if (!all) return;
    this.total = this.bytesIn = this.bytesOut = this.cliAborts = this.srvAborts = 0;
    this.connectErrors = this.responseErrors = this.retries = this.redispatches = this.selected = 0;
    this.checkFailures = this.checkDowns = this.hanaFailures = 0;
    this.rate.reset();
    this.connectTime.reset();
    this.queueTime.reset();
    this.totalTime.reset();
    this.connectSamples = this.queueSamples = this.totalSamples = 0;
    this.lastSession = null;
    this.httpReqs = this.intercepted = this.deniedReq = this.deniedResp = this.reqErrors = this.reuse = this.connects = this.internalErrors = 0;
    this.hrsp.fill(0);
    this.reqRate.reset();
    this.responseTime.reset();
    this.responseSamples = 0;
    this.latencyCount = 0;
  }

  view(now: number): ServerCounters {
    return {
      cur: this.cur,
      max: this.max,
      total: this.total,
      rate: this.rate.read(now),
      rateMax: this.rate.max,
      bytesIn: this.bytesIn,
      bytesOut: this.bytesOut,
      cliAborts: this.cliAborts,
      srvAborts: this.srvAborts,
      queueCur: this.queueCur,
      queueMax: this.queueMax,
      connectErrors: this.connectErrors,
      responseErrors: this.responseErrors,
      retries: this.retries,
      redispatches: this.redispatches,
      selected: this.selected,
      checkFailures: this.checkFailures,
      checkDowns: this.checkDowns,
      connectTimeAvg: this.connectTime.read(this.connectSamples),
      connectTimeMax: this.connectTime.max,
      queueTimeAvg: this.queueTime.read(this.queueSamples),
      totalTimeAvg: this.totalTime.read(this.totalSamples),
      lastSession: this.lastSession === null ? null : monoToWall(this.lastSession),
      queueTimeMax: this.queueTime.max,
      totalTimeMax: this.totalTime.max,
      // every connect ends as a sample (success) or a connect error (failure)
      connectAttempts: this.connectSamples + this.connectErrors,
      hanaFailures: this.hanaFailures,
      ...this.httpView(now),
    };
  }

  /** The HTTP counters for a snapshot (absent until the first HTTP request, so TCP snapshots stay as they were). */
  httpView(now: number): Partial<ServerCounters> {
    if (this.httpReqs === 0 && this.hrsp[5] === 0 && this.reqErrors === 0) return {};
    const [p50, p99] = percentiles(this.latencies, Math.min(this.latencyCount, 1024));
    return {
      httpReqs: this.httpReqs,
      reqRate: this.reqRate.read(now),
      reqRateMax: this.reqRate.max,
      hrsp1xx: this.hrsp[0],
      hrsp2xx: this.hrsp[1],
      hrsp3xx: this.hrsp[2],
      hrsp4xx: this.hrsp[3],
      hrsp5xx: this.hrsp[4],
      hrspOther: this.hrsp[5],
      intercepted: this.intercepted,
      deniedResp: this.deniedResp,
      reuse: this.reuse,
      connects: this.connects,
      responseTimeAvg: this.responseTime.read(this.responseSamples),
      responseTimeMax: this.responseTime.max,
      reqErrors: this.reqErrors,
      internalErrors: this.internalErrors,
      latencyP50: p50,
      latencyP99: p99,
    };
  }
}

/**
 * A server: identity `backend/server`, operational state (from its own checks or through `track`),
 * admin state (SRV_ADMF_* flags: forced, inherited, from config), weights (initial from config, user
 * set at runtime, effective after drain and slowstart) and counters. Transitions live in
 * server-state.ts; this class holds the data and the rules that derive views from it.
 */
export class Server implements Candidate {
  readonly key: string;
  cfg: ServerConfig;
  backend: Backend;
  address: string | null;
  port: number | null;

  op: OpState = 'up';
  /** Health counter of this server's own check (meaningful when cfg.check). */
  health: number;
  /** `disable health` clears it; checks run only when cfg.check && checkEnabled. */
  checkEnabled = true;
  lastCheck: CheckResult | null = null;
  lastCheckAt: number | null = null;
  checkInProgress = false;
  readonly checkHistory: { at: number; status: CheckResult['status']; code: number | null; durationMs: number; info: string }[] = [];
  /** Passive health: consecutive errors seen on traffic (`observe`). */
  consecutiveErrors = 0;

  tracked: Server | null = null;
  readonly trackers: Server[] = [];

  admin = 0;
  uweight: number;
  /** Epoch ms when slowstart began (server came back up), or null. */
  warmupSince: number | null = null;

  lastChange: number;
  downSince: number | null = null;
  downtimeAcc = 0;

  readonly counters = new Counters();
  /** Sessions on this server, for shutdown-sessions and draining. */
  readonly sessionsSet = new Set<{ kill(reason: string): void }>();

  constructor(cfg: ServerConfig, backend: Backend, now: number) {
    this.cfg = cfg;
    this.backend = backend;
    this.key = `${backend.name}/${cfg.name}`;
    this.address = cfg.address;
    this.port = cfg.port;
    this.health = cfg.rise;
    this.uweight = cfg.weight;
    this.lastChange = now;
  }

  get id(): number {
    return this.cfg.id;
  }
  get name(): string {
    return this.cfg.name;
  }
  get maxconn(): number {
    return this.cfg.maxconn;
  }
  get sessions(): number {
    return this.counters.cur;
  }

  /** The server whose check decides this one's health: the end of the `track` chain. */
  chainEnd(): Server {
    let s: Server = this;
    while (s.tracked) s = s.tracked;
    return s;
  }

  /** Checks are configured and enabled on the end of the chain (otherwise the server shows `no check`). */
  checksActive(): boolean {
    const ref = this.chainEnd();
    return ref.cfg.check && ref.checkEnabled;
  }

  inMaint(): boolean {
    return (this.admin & ADMIN.MAINT) !== 0;
  }

  inDrain(): boolean {
    return (this.admin & ADMIN.DRAIN) !== 0;
  }

  /** Effective weight now: 0 when not usable or drained, the user weight scaled down during slowstart. */
  get weight(): number {
    if (this.op !== 'up' || this.inMaint() || this.inDrain()) return 0;
    return this.slowstartWeight(this.backend.clock.now());
  }

  slowstartWeight(now: number): number {
    const ss = this.cfg.slowstart;
    if (this.warmupSince === null || ss <= 0 || this.uweight === 0) return this.uweight;
    const elapsed = now - this.warmupSince;
    if (elapsed >= ss) return this.uweight;
    return Math.max(1, Math.ceil((this.uweight * elapsed) / ss));
  }

  /** Throttle percentage during slowstart (stats `throttle`), else null. */
  throttle(now: number): number | null {
    const ss = this.cfg.slowstart;
    if (this.warmupSince === null || ss <= 0 || this.op !== 'up') return null;
    const elapsed = now - this.warmupSince;
    return elapsed >= ss ? null : Math.floor((elapsed * 100) / ss);
  }

  /** Can take a new session: up, ready (no maint, no drain) and effective weight > 0. */
  eligible(): boolean {
    return this.weight > 0;
  }

  /** Where inherited admin state comes from: the server named in `track`. */
  via(): string | null {
    return this.admin & (ADMIN.IMAINT | ADMIN.IDRAIN) && this.tracked ? this.tracked.key : null;
  }

  /** Total downtime in ms, including the current down period. */
  downtime(now: number): number {
    return this.downtimeAcc + (this.downSince !== null ? now - this.downSince : 0);
  }

  /**
   * HAProxy's `status` column (stats_fill_sv_stats), computed from the end of the track chain:
   * MAINT (resolution) > MAINT (via b/s) > MAINT > [UP|DRAIN|NOLB|DOWN] with x/y fractions > no check.
   */
  statusString(): string {
    if (this.admin & ADMIN.RMAINT) return 'MAINT (resolution)';
    if (this.admin & ADMIN.IMAINT) return `MAINT (via ${this.tracked ? this.tracked.key : '?'})`;
    if (this.admin & ADMIN.MAINT) return 'MAINT';
    const ref = this.chainEnd();
    const checks = ref.cfg.check && ref.checkEnabled;
    const p = { rise: ref.cfg.rise, fall: ref.cfg.fall };
    if (this.op === 'up') {
      const frac = checks ? healthFraction(ref.health, true, p) : '';
      if (this.inDrain()) return `DRAIN${frac}`;
      if (!checks) return 'no check';
      return `UP${frac}`;
    }
    if (this.op === 'stopping') {
      const ownChecks = this.cfg.check && this.checkEnabled;
      if ((!ownChecks && !this.tracked) || ref.health === maxHealth(p)) return 'NOLB';
      return `NOLB${healthFraction(ref.health, true, p)}`;
    }
    return checks ? `DOWN${healthFraction(ref.health, false, p)}` : 'DOWN';
  }

  /** The check columns as HAProxy shows them: from the chain end, empty (null) when disabled or paused in MAINT. */
  checkView(): CheckSnapshot | null {
    const ref = this.chainEnd();
    if (!ref.cfg.check) return null;
    const last = ref.lastCheck;
    const status = last ? last.status : 'INI';
    return {
      enabled: ref.checkEnabled && !ref.inMaint(),
      inProgress: ref.checkInProgress,
      status,
      desc: CHECK_STATUSES[status].desc,
      code: last ? last.code : null,
      durationMs: last ? last.durationMs : null,
      info: last ? last.info : '',
      health: ref.health,
      rise: ref.cfg.rise,
      fall: ref.cfg.fall,
      lastAt: ref.lastCheckAt,
      history: ref.historySnapshot(),
    };
  }

  /** `clear counters [all]` on this server (see Counters.clearCounters). */
  clearCounters(all: boolean): void {
    this.counters.clearCounters(all);
  }

  /** The check history as the snapshot shows it: the same array until a check adds to it. */
  historySnapshot(): CheckSnapshot['history'] {
    return (this.historyView ??= this.checkHistory.slice());
  }

  recordCheck(result: CheckResult, at: number): void {
    this.historyView = null;
    if (result.status === 'HANA') this.counters.hanaFailures++;
    this.lastCheck = result;
    // a check's time is a date people read: calendar time
    const wallAt = this.backend.clock.toWall(at);
    this.lastCheckAt = wallAt;
    this.checkHistory.push({ at: wallAt, status: result.status, code: result.code, durationMs: result.durationMs, info: result.info });
    if (this.checkHistory.length > CHECK_HISTORY) this.checkHistory.shift();
  }

  private addrCache = { a: '', p: null as number | null, text: '' };

  /** `ip:port` (`[v6]:port`), rebuilt only when the address or port changed (reload, resolution). */
  addrString(): string {
    const a = this.address ?? this.cfg.host;
    const c = this.addrCache;
    if (c.text === '' || c.a !== a || c.p !== this.port) {
      const host = a.includes(':') ? `[${a}]` : a;
      this.addrCache = { a, p: this.port, text: this.port === null ? host : `${host}:${this.port}` };
    }
    return this.addrCache.text;
  }

  private fqdnCache: { cfg: ServerConfig; fqdn: string | null } | null = null;

  private fqdn(): string | null {
    if (this.fqdnCache?.cfg !== this.cfg) this.fqdnCache = { cfg: this.cfg, fqdn: isIP(this.cfg.host) ? null : this.cfg.host };
    return this.fqdnCache.fqdn;
  }

  /** Last snapshot's parts, handed back while unchanged (see memo.ts): an idle server costs a tick nothing. */
  private readonly memo = { server: new Memo<ServerSnapshot>(), weight: new Memo<ServerSnapshot['weight']>(), counters: new Memo<ServerCounters>(), own: new Memo<OwnCheckSnapshot>(), check: new Memo<CheckSnapshot>() };
  private historyView: CheckSnapshot['history'] | null = null;

  snapshot(now: number): ServerSnapshot {
    const m = this.memo;
    return m.server.keep({
      backend: this.backend.name,
      name: this.name,
      id: this.id,
      addr: this.addrString(),
      status: this.statusString(),
      op: this.op,
      admin: this.admin,
      via: this.via(),
      weight: m.weight.keep({ effective: this.weight, user: this.uweight, initial: this.cfg.weight, eweight: this.slowstartWeight(now) }),
      throttle: this.throttle(now),
      backup: this.cfg.backup,
      eligible: this.eligible(),
      tracks: this.tracked ? this.tracked.key : null,
      trackedBy: this.trackedByView(),
      check: this.memoCheck(),
      lastChange: this.backend.clock.toWall(this.lastChange),
      downtimeMs: this.downtime(now),
      maxconn: this.cfg.maxconn,
      maxqueue: this.cfg.maxqueue,
      address: this.address,
      port: this.port,
      fqdn: this.fqdn(),
      checkPort: this.cfg.checkPort,
      checkAddr: this.cfg.checkAddr,
      observe: this.cfg.observe !== null,
      ownCheck: m.own.keep(this.ownCheck()),
      counters: m.counters.keep(this.counters.view(now)),
    });
  }

  private trackedByCache: string[] = [];

  /** The keys of the servers tracking this one: the same array while they stay the same. */
  private trackedByView(): string[] {
    const c = this.trackedByCache;
    const t = this.trackers;
    let same = c.length === t.length;
    for (let i = 0; same && i < t.length; i++) same = c[i] === t[i]!.key;
    return same ? c : (this.trackedByCache = t.map((x) => x.key));
  }

  private memoCheck(): CheckSnapshot | null {
    const c = this.checkView();
    return c === null ? null : this.memo.check.keep(c);
  }

  /** This server's own check as HAProxy reports it: health reads 0 in maintenance, `rise` without a check. */
  private ownCheck(): OwnCheckSnapshot {
    const configured = this.cfg.check;
    const maint = this.inMaint();
    return {
      configured,
      enabled: configured && this.checkEnabled,
      paused: configured && maint,
      inProgress: configured && this.checkInProgress,
      status: configured && this.lastCheck ? this.lastCheck.status : 'INI',
      health: maint ? 0 : configured ? this.health : this.cfg.rise,
    };
  }
}
