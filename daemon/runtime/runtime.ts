import { H2ServerConn } from '../h2/server.js';
import { HttpSession } from '../proxy/http-session.js';
import type { Config, FrontendConfig, ServerConfig } from '../config/types.js';
import type { Snapshot, ReloadInfo } from '../../shared/snapshot.js';
import { ADMIN } from '../../shared/snapshot.js';
import type { Probe } from '../health/probe-types.js';
import { CheckScheduler } from '../health/scheduler.js';
import { createBalancer } from '../balance/index.js';
import type { Logger } from '../log.js';
import { systemClock, type Clock } from './clock.js';
import { EventLog } from './events.js';
import { Backend, type RuntimeEnv } from './backend.js';
import { Server } from './server.js';
import { Frontend, Listener, ProcessCounters } from './frontend.js';
import { setAdmin, setCheckEnabled, setOpState, setUserWeight } from './server-state.js';
import { VERSION } from '../version.js';
import type { Transport } from '../proxy/conn.js';
import { selectTransport } from '../proxy/transport.js';
import { HttpPool } from '../http/pool.js';
import { createAccessLog, type AccessLog } from '../log-sink.js';
import { formatAccessLog, formatConnectLog } from '../http/access-log.js';
import type { HttpContext } from '../proxy/http-session.js';
import { SslStore, certDetails } from './ssl-store.js';
import type { ParsedPem } from '../config/tls-certs.js';

export interface RuntimeOptions {
  clock?: Clock;
  log: Logger;
  probe: Probe;
  /** Open listeners (false in unit tests that only exercise state). */
  listen?: boolean;
  random?: () => number;
  /** The data path's transport; default: raw libuv handles when available, else `net` (see proxy/transport.ts). */
  transport?: Transport;
}

/** What an apply changed, in operator words: one line per listener, backend and server added/removed/changed. */
export interface ApplyReport {
  changes: string[];
}

/**
 * The running load balancer. `apply(config)` is the one way configuration enters it (design principle 2):
 * boot is apply from nothing, reload is apply with a diff. Identity is `backend/server`: servers that stay
 * keep health, runtime admin state, weights set by operators, counters and slowstart progress; listeners
 * whose address stays keep their socket.
 */
export class Runtime {
  readonly clock: Clock;
  readonly log: Logger;
  readonly events: EventLog;
  readonly checks: CheckScheduler;
  readonly proc: ProcessCounters;
  config: Config | null = null;
  readonly backends = new Map<string, Backend>();
  readonly frontends = new Map<string, Frontend>();
  private readonly listeners = new Map<string, Listener>();
  readonly startedAt: number;
  lastReload: ReloadInfo | null = null;
  stopping = false;
  private readonly env: RuntimeEnv;
  private readonly listen: boolean;
  readonly transport: Transport;
  /** Certificates by file: configured, committed at runtime (`commit ssl cert`), and the transaction in progress. */
  readonly ssl = new SslStore();

  constructor(opts: RuntimeOptions) {
    this.clock = opts.clock ?? systemClock;
    this.log = opts.log;
    this.listen = opts.listen ?? true;
    this.transport = opts.transport ?? selectTransport();
    this.events = new EventLog(this.clock);
    this.startedAt = this.clock.now();
    this.proc = new ProcessCounters(100000);
    this.checks = new CheckScheduler(this.clock, opts.probe, () => this.config?.global.spreadChecks ?? 0, opts.random);
    this.env = {
      clock: this.clock,
      events: this.events,
      log: this.log,
      stopChecks: (s) => this.checks.stop(s),
      resumeChecks: (s) => this.checks.resume(s),
      checkSoon: (s) => this.checks.soon(s),
    };
  }

  /**
   * Make the runtime match `next`. Listeners are opened first: if one cannot bind, nothing else changes
   * and the error is thrown (the running config stays). Then backends, servers, track links and
   * frontends are updated in place, removed ones drain, and checks start for new servers.
   */
  async apply(next: Config): Promise<ApplyReport> {
    if (this.stopping) throw new Error('lbd is stopping: configuration not applied');
    const changes: string[] = [];
    const boot = this.config === null;
    const now = this.clock.now();
    // certificates committed at runtime stay in place of unchanged files (ssl-store.ts); restored if the apply fails
    const certReport = this.ssl.sync(next);

    // 1. listeners: open the new ones before touching anything else
    const wanted = new Map<string, { bind: Config['frontends'][number]['binds'][number]; fe: string }>();
    // a `disabled` frontend is not started: it has no listener (HAProxy)
    for (const fe of next.frontends) if (!fe.disabled) for (const b of fe.binds) wanted.set(Listener.key(b), { bind: b, fe: fe.name });
    const opened: Listener[] = [];
    // frontends created for new listeners; paused (connections wait) until wired below
    const fresh = new Map<string, Frontend>();
    if (this.listen) {
      try {
        for (const [key, w] of wanted) {
          if (this.listeners.has(key)) continue;
          let owner = this.frontends.get(w.fe) ?? fresh.get(w.fe);
          if (!owner) {
            owner = new Frontend(next.frontends.find((f) => f.name === w.fe)!, this.proc, this.log, this.transport);
            owner.paused = true;
            fresh.set(w.fe, owner);
          }
          const l = new Listener(this.ssl.bind(w.bind), owner, this.transport);
          await l.listen();
          opened.push(l);
        }
      } catch (e) {
        for (const l of opened) l.close();
        if (this.config) this.ssl.sync(this.config);
        throw e;
      }
    }

    // 2. backends and servers
    const seenBackends = new Set<string>();
    const newServers: Server[] = [];
    for (const bc of next.backends) {
      seenBackends.add(bc.name);
      let be = this.backends.get(bc.name);
      if (!be) {
        be = new Backend(bc, createBalancer<Server>(bc.balance), this.env);
        this.backends.set(bc.name, be);
        if (!boot) changes.push(`backend ${bc.name} added`);
      } else {
        const old = be.cfg;
        if (JSON.stringify(old.balance) !== JSON.stringify(bc.balance)) be.balancer = createBalancer<Server>(bc.balance);
        const oldCheck = JSON.stringify(old.healthCheck);
        be.cfg = bc;
        if (JSON.stringify(bc) !== JSON.stringify(old)) changes.push(`backend ${bc.name} changed`);
        if (oldCheck !== JSON.stringify(bc.healthCheck)) for (const s of be.servers) this.restartCheck(s);
      }
      const keep = new Set<string>();
      for (const sc of bc.servers) {
        keep.add(sc.name);
        const s = be.byName.get(sc.name);
        if (!s) {
          const ns = new Server(sc, be, now);
          be.addServer(ns);
          newServers.push(ns);
          if (!boot) changes.push(`server ${ns.key} added`);
        } else if (this.updateServer(s, sc)) changes.push(`server ${s.key} changed`);
      }
      for (const s of [...be.servers]) {
        if (keep.has(s.name)) continue;
        this.removeServer(s);
        changes.push(`server ${s.key} removed (draining ${s.counters.cur} sessions)`);
      }
    }
    for (const [name, be] of this.backends) {
      if (seenBackends.has(name)) continue;
      for (const s of [...be.servers]) this.removeServer(s);
      be.close();
      this.backends.delete(name);
      changes.push(`backend ${name} removed`);
    }

    // 3. track links (the parser has checked references and cycles)
    for (const be of this.backends.values()) for (const s of be.servers) s.trackers.length = 0;
    for (const be of this.backends.values()) {
      for (const s of be.servers) {
        const t = s.cfg.track;
        s.tracked = t ? this.backends.get(t.backend)?.byName.get(t.server) ?? null : null;
        if (s.tracked) s.tracked.trackers.push(s);
      }
    }

    // 4. initial state of new servers: config maintenance, unresolved addresses, then inherited state
    for (const s of newServers) {
      let flags = 0;
      if (s.cfg.disabled) flags |= ADMIN.CMAINT | ADMIN.FMAINT;
      if (s.address === null) flags |= ADMIN.RMAINT;
      if (flags) this.initAdmin(s, flags);
    }
    for (const s of newServers) this.inheritFromTracked(s);
    // servers that stay: a changed `track` or `check` must re-derive inherited state and operational state
    const added = new Set(newServers);
    const synced = new Set<Server>();
    for (const be of this.backends.values()) for (const s of be.servers) if (!added.has(s)) this.resync(s, synced);

    // 5. frontends
    const seenFrontends = new Set<string>();
    for (const fc of next.frontends) {
      seenFrontends.add(fc.name);
      let fe = this.frontends.get(fc.name);
      if (!fe) {
        fe = fresh.get(fc.name) ?? new Frontend(fc, this.proc, this.log, this.transport);
        fe.cfg = fc;
        fe.paused = false;
        this.frontends.set(fc.name, fe);
        this.proc.frontends.add(fe);
        if (!boot) changes.push(`frontend ${fc.name} added`);
      } else {
        if (JSON.stringify(fe.cfg) !== JSON.stringify(fc)) changes.push(`frontend ${fc.name} changed`);
        fe.cfg = fc;
      }
      fe.http = fc.mode === 'http' ? this.httpContext(next) : null;
      this.wireAccessLog(fe, fc, next);
      // rules up to the first unconditional one are evaluated per connection; that one (or default_backend) is the fallback
      const stop = fc.useBackends.findIndex((r) => r.cond === null);
      const conditional = stop < 0 ? fc.useBackends : fc.useBackends.slice(0, stop);
      const fallback = stop < 0 ? fc.defaultBackend : fc.useBackends[stop].backend;
      fe.target = fallback ? this.backends.get(fallback) ?? null : null;
      fe.rules = conditional.map((r) => ({ backend: this.backends.get(r.backend) ?? null, cond: r.cond! }));
      fe.listeners.length = 0;
      for (const b of fc.disabled ? [] : fc.binds) {
        const key = Listener.key(b);
        const l = this.listeners.get(key) ?? opened.find((o) => Listener.key(o.cfg) === key);
        if (!l) continue;
        if (!this.listeners.has(key)) {
          this.listeners.set(key, l);
          if (!boot) changes.push(`listener ${b.text} added to ${fc.name}`);
        }
        l.frontend = fe;
        l.cfg = this.ssl.bind(b);
        l.updateTls();
        fe.listeners.push(l);
      }
    }
    for (const [key, l] of this.listeners) {
      if (wanted.has(key)) continue;
      this.listeners.delete(key);
      changes.push(`listener ${l.cfg.text} removed`);
      l.close();
    }
    for (const [name, fe] of this.frontends) {
      if (seenFrontends.has(name)) continue;
      this.closeAccessLog(name);
      fe.dropWaiting();
      this.proc.frontends.delete(fe);
      this.frontends.delete(name);
      changes.push(`frontend ${name} removed`);
      // its HTTP connections drain: HTTP/2 ones get GOAWAY, HTTP/1 ones close after their response in progress
      for (const sess of [...this.proc.sessions]) {
        if ((sess instanceof H2ServerConn || sess instanceof HttpSession) && sess.frontend === fe) sess.softStop();
      }
    }

    this.proc.maxconn = next.global.maxconn;
    this.proc.bufsize = next.global.tune?.bufsize ?? 16384;
    this.config = next;
    // a frontend disabled by an operator stays disabled, with whatever listeners the new config gives it
    for (const fe of this.frontends.values()) {
      if (fe.disabled) for (const l of fe.listeners) l.pause();
      else for (const l of fe.listeners) if (l.status === 'PAUSED') await l.resume().catch((e: Error) => this.log.warn(`listener ${l.cfg.text}: ${e.message}`));
    }

    // 6. checks for new servers, spread over the first interval
    const checked = newServers.filter((s) => s.cfg.check && !s.backend.cfg.disabled);
    checked.forEach((s, i) => this.checks.add(s, i, checked.length));
    for (const fe of this.frontends.values()) fe.drainWaiting();
    if (!boot) changes.push(...certReport);
    return { changes };
  }

  /** Update a server that stays across a reload; returns whether its config changed. */
  private updateServer(s: Server, sc: ServerConfig): boolean {
    const old = s.cfg;
    if (JSON.stringify(old) === JSON.stringify(sc)) return false;
    // an operator's weight survives a reload unless the configured weight itself changed
    if (s.uweight === old.weight || sc.weight !== old.weight) s.uweight = sc.weight;
    s.cfg = sc;
    s.address = sc.address;
    s.port = sc.port;
    if (old.disabled !== sc.disabled) {
      const cause = { kind: 'reload' as const };
      if (sc.disabled) setAdmin(s, ADMIN.CMAINT | ADMIN.FMAINT, 0, cause);
      else setAdmin(s, 0, ADMIN.CMAINT | ADMIN.FMAINT, cause);
    }
    if (old.rise !== sc.rise || old.fall !== sc.fall) {
      // keep the counter meaningful under the new rise/fall: an up server stays up at full health, a down one stays down
      s.health = s.op === 'down' ? Math.min(s.health, sc.rise - 1) : sc.rise + sc.fall - 1;
    }
    const checkChanged = ['check', 'inter', 'fastinter', 'downinter', 'rise', 'fall', 'checkPort', 'checkAddr', 'address', 'port', 'sendProxy', 'checkSendProxy'].some(
      (k) => (old as unknown as Record<string, unknown>)[k] !== (sc as unknown as Record<string, unknown>)[k],
    );
    if (checkChanged) this.restartCheck(s);
    s.backend.invalidate();
    return true;
  }

  private restartCheck(s: Server): void {
    this.checks.remove(s);
    if (s.cfg.check) this.checks.add(s, 0, 1);
  }

  private removeServer(s: Server): void {
    this.checks.remove(s);
    s.backend.removeServer(s);
    if (s.tracked) {
      const i = s.tracked.trackers.indexOf(s);
      if (i >= 0) s.tracked.trackers.splice(i, 1);
    }
  }

  /** Set startup admin flags silently (no event: this is the initial state, not a change). */
  private initAdmin(s: Server, flags: number): void {
    s.admin |= flags;
    if (s.inMaint()) {
      s.op = 'down';
      s.downSince = this.clock.now();
    }
    s.backend.invalidate();
  }

  private inheritFromTracked(s: Server): void {
    const ref = s.tracked;
    if (!ref) return;
    this.inheritFromTracked(ref);
    const inherit = (ref.admin & ADMIN.MAINT ? ADMIN.IMAINT : 0) | (ref.admin & ADMIN.DRAIN ? ADMIN.IDRAIN : 0);
    if (inherit && (s.admin & inherit) !== inherit) this.initAdmin(s, inherit);
    if (!s.inMaint() && s.op !== ref.op) {
      s.op = ref.op;
      if (s.op === 'down') s.downSince = this.clock.now();
      s.backend.invalidate();
    }
  }

  /** Re-derive a surviving server's inherited admin flags and operational state from its (new) track target. */
  private resync(s: Server, done: Set<Server>): void {
    if (done.has(s)) return;
    done.add(s);
    const ref = s.tracked;
    if (ref) this.resync(ref, done);
    const want = ref ? (ref.admin & ADMIN.MAINT ? ADMIN.IMAINT : 0) | (ref.admin & ADMIN.DRAIN ? ADMIN.IDRAIN : 0) : 0;
    const have = s.admin & (ADMIN.IMAINT | ADMIN.IDRAIN);
    const cause = { kind: 'reload' as const };
    if (want !== have) setAdmin(s, want & ~have, have & ~want, cause);
    if (s.inMaint()) return;
    const op = ref ? ref.op : s.cfg.check && s.checkEnabled ? s.op : 'up';
    if (op !== s.op) setOpState(s, op, cause);
  }

  /** Find a server by `backend/server` (names or `#id`s), as the runtime API does. */
  findServer(backend: string, server: string): Server | null {
    const be = backend.startsWith('#') ? [...this.backends.values()].find((b) => `#${b.cfg.id}` === backend) : this.backends.get(backend);
    if (!be) return null;
    return server.startsWith('#') ? be.servers.find((s) => `#${s.id}` === server) ?? null : be.byName.get(server) ?? null;
  }

  /** `set server <b>/<s> state ready|drain|maint` (HAProxy: ready clears forced maint and drain; drain and maint replace each other). */
  setServerState(s: Server, state: 'ready' | 'drain' | 'maint', command: string): void {
    const cause = { kind: 'operator' as const, command };
    if (state === 'ready') setAdmin(s, 0, ADMIN.FMAINT | ADMIN.CMAINT | ADMIN.FDRAIN, cause);
    else if (state === 'drain') setAdmin(s, ADMIN.FDRAIN, ADMIN.FMAINT | ADMIN.CMAINT, cause);
    else setAdmin(s, ADMIN.FMAINT, ADMIN.FDRAIN, cause);
  }

  setWeight(s: Server, weight: number, command: string): void {
    setUserWeight(s, weight, command);
  }

  setHealthChecks(s: Server, enabled: boolean, command: string): void {
    setCheckEnabled(s, enabled, command);
  }

  /**
   * `disable frontend` / `enable frontend`: stop accepting (new connections are refused) or accept again.
   * Sessions in progress continue. The operator's choice survives reloads. 'already' when nothing changes,
   * 'missing' for an unknown frontend; a listener that cannot be re-bound is reported as an error string.
   */
  async setFrontendEnabled(name: string, enabled: boolean, command: string): Promise<'ok' | 'already' | 'missing' | { error: string }> {
    const fe = this.frontends.get(name);
    if (!fe) return 'missing';
    if (fe.disabled === !enabled) return 'already';
    const from = fe.disabled ? 'PAUSED' : 'OPEN';
    if (enabled) {
      const failed: string[] = [];
      for (const l of fe.listeners) await l.resume().catch((e: Error) => failed.push(e.message));
      if (failed.length) return { error: failed.join('; ') };
      fe.disabled = false;
      fe.paused = false;
      fe.drainWaiting();
    } else {
      fe.disabled = true;
      fe.paused = true;
      for (const l of fe.listeners) l.pause();
    }
    const to = fe.disabled ? 'PAUSED' : 'OPEN';
    this.events.emit('frontend-state', fe.name, from, to, { kind: 'operator', command }, `Frontend ${fe.name} ${enabled ? 'enabled' : 'disabled'} (${command}).`);
    this.log.notice(`Frontend ${fe.name} ${enabled ? 'enabled' : 'paused'} by operator.`);
    return 'ok';
  }

  /**
   * `clear counters` (all=false: the maxima only, operator level) and `clear counters all` (every counter
   * but the current values, admin level), on the process, every frontend, backend and server, as HAProxy.
   */
  clearCounters(all: boolean): void {
    this.proc.clearCounters(all);
    for (const fe of this.frontends.values()) fe.clearCounters(all);
    for (const be of this.backends.values()) be.clearCounters(all);
  }

  /**
   * `commit ssl cert <file>`: every TLS listener serving `file` takes the new certificate for new
   * handshakes (established connections keep theirs). Returns how many listeners changed.
   */
  commitCert(file: string, pem: ParsedPem, command: string): number {
    const before = this.ssl.current(file);
    this.ssl.commit(file, pem, this.clock.wall());
    let n = 0;
    for (const fc of this.config?.frontends ?? []) {
      for (const b of fc.binds) {
        if (!b.ssl?.certs.some((c) => c.file === file)) continue;
        const l = this.listeners.get(Listener.key(b));
        if (!l || l.frontend.cfg !== fc) continue;
        l.cfg = this.ssl.bind(b);
        l.updateTls();
        n++;
      }
    }
    const from = before ? certDetails(before.certPem).subject : '';
    this.events.emit('process', '', from, pem.subject, { kind: 'operator', command }, `Certificate ${file} replaced at runtime (${pem.subject}, expires ${new Date(pem.notAfter).toISOString()}): new TLS handshakes on ${n} listener${n === 1 ? '' : 's'} use it.`);
    this.log.notice(`Certificate ${file} committed at runtime: ${pem.subject} on ${n} listener(s).`);
    return n;
  }

  shutdownSessions(s: Server): number {
    return s.backend.killSessions(s, 'shutdown sessions server');
  }

  snapshot(): Snapshot {
    const now = this.clock.now();
    return {
      process: {
        version: VERSION,
        pid: process.pid,
        // the snapshot's times are dates (clients compare them with their own clock): converted from
        // the step-free clock, so their differences (uptime, lastchg) stay true across a clock step
        startedAt: this.clock.toWall(this.startedAt),
        now: this.clock.toWall(now),
        configFiles: [...(this.config?.files ?? [])],
        maxconn: this.proc.maxconn,
        currConns: this.proc.cur,
        cumConns: this.proc.cum,
        connRate: this.proc.rate.read(now),
        connRateMax: this.proc.rate.max,
        stopping: this.stopping,
        lastReload: this.lastReload,
      },
      frontends: [...this.frontends.values()].map((f) => f.snapshot(now)),
      backends: [...this.backends.values()].map((b) => b.snapshot(now)),
    };
  }

  /** Stop accepting: close every listener (sessions in progress continue). */
  async closeListeners(): Promise<void> {
    this.stopping = true;
    this.proc.stopping = true;
    for (const l of this.listeners.values()) l.close();
    this.listeners.clear();
    for (const fe of this.frontends.values()) fe.dropWaiting();
    // as HAProxy's soft stop: idle keep-alive connections close now, busy ones after their response
    for (const sess of [...this.proc.sessions]) sess.softStop?.();
  }

  currentSessions(): number {
    return this.proc.cur;
  }

  /** Resolves when no session is left, or after `ms` (null: no limit); true if idle. */
  waitIdle(ms: number | null): Promise<boolean> {
    if (this.proc.cur === 0) return Promise.resolve(true);
    return new Promise((resolve) => {
      const t = ms !== null ? setTimeout(() => done(false), ms) : null;
      const done = (idle: boolean) => {
        if (t) clearTimeout(t);
        this.proc.onIdle = null;
        resolve(idle);
      };
      this.proc.onIdle = () => done(true);
    });
  }

  /** Close everything: checks, queues, sessions, pooled server connections. */
  shutdown(): void {
    this.checks.closeAll();
    for (const be of this.backends.values()) be.close();
    for (const sess of [...this.proc.sessions]) sess.kill('process stopping');
    this.pool?.closeAll();
    for (const name of [...this.sinks.keys()]) this.closeAccessLog(name);
  }

  /** Each frontend's log sink, kept across reloads while its targets stay the same. */
  private readonly sinks = new Map<string, { key: string; log: AccessLog }>();

  /**
   * A frontend's access log: `log` targets (or `log global`) and the line style (`option httplog`,
   * `tcplog`, `log-format`; none: HAProxy's "Connect from" line at accept). No target, no log.
   */
  private wireAccessLog(fe: Frontend, fc: FrontendConfig, cfg: Config): void {
    const lc = fc.http?.log;
    const globalTargets = cfg.global.logTargets ?? [];
    const key = lc ? JSON.stringify([lc.targets, lc.targets.some((t) => t.kind === 'global') ? globalTargets : []]) : '';
    let sink = this.sinks.get(fc.name);
    if (sink && sink.key !== key) {
      void sink.log.close();
      this.sinks.delete(fc.name);
      sink = undefined;
    }
    fe.accessLog = null;
    fe.connectLog = null;
    if (!lc || lc.targets.length === 0) return;
    if (!sink) {
      const log = createAccessLog(lc.targets, globalTargets, 'lbd', { logger: this.log });
      if (log === null) return;
      this.sinks.set(fc.name, (sink = { key, log }));
    }
    const out = sink.log;
    const opts = { mode: fc.mode };
    if (lc.style === null) {
      fe.connectLog = (c) => out.emit(formatConnectLog(c, fc.mode));
      return;
    }
    fe.accessLog = (rec, view) => {
      const line = formatAccessLog(rec, lc, view, opts);
      if (line !== null) out.emit(line);
    };
  }

  private closeAccessLog(name: string): void {
    const sink = this.sinks.get(name);
    if (!sink) return;
    this.sinks.delete(name);
    void sink.log.close();
  }

  /** The HTTP server connection pool (made with the first `mode http` frontend, kept across reloads). */
  private pool: HttpPool | null = null;
  private httpCtx: HttpContext | null = null;

  /** What HTTP sessions need: the pool, the backends by name, tune.http.maxhdr (re-made when the config changes it). */
  private httpContext(cfg: Config): HttpContext {
    this.pool ??= new HttpPool({ transport: this.transport, idleLimitMs: 10_000, maxIdlePerServer: 1000 });
    const maxhdr = cfg.global.tune?.httpMaxhdr ?? 101;
    if (this.httpCtx === null || this.httpCtx.maxhdr !== maxhdr) this.httpCtx = { pool: this.pool, backends: this.backends, maxhdr };
    return this.httpCtx;
  }
}
