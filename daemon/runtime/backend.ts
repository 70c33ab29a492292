import { H2Counters } from '../h2/counters.js';
import type { BackendConfig } from '../config/types.js';
import type { Balancer, Pool } from '../balance/types.js';
import type { BackendSnapshot } from '../../shared/snapshot.js';
import type { Clock, TimerHandle } from './clock.js';
import type { EventLog } from './events.js';
import type { Logger } from '../log.js';
import { Counters, Server } from './server.js';

/** What a backend needs from the process around it. */
export interface RuntimeEnv {
  readonly clock: Clock;
  readonly events: EventLog;
  readonly log: Logger;
  /** Pause / resume / hurry the health check of a server (the check scheduler implements these). */
  stopChecks(s: Server): void;
  resumeChecks(s: Server): void;
  checkSoon(s: Server): void;
}

/** A session waiting in the backend queue for a free server slot. */
export interface QueueWaiter {
  readonly enqueuedAt: number;
  /** Called once with a server that has a free slot (already counted as selected), or null on timeout. */
  assigned(server: Server | null): void;
  /** Servers this session must not be given (already tried). */
  readonly tried: Set<Server> | null;
  readonly hashKey: string | null;
  timer: TimerHandle | null;
}

/**
 * A backend: its servers, the balancing algorithm over the pool of usable servers, the queue of
 * sessions waiting for a slot (`maxconn` on servers, `timeout queue`), and backend-level counters.
 * The pool is rebuilt lazily after any change of eligibility or weight (`invalidate`).
 */
export class Backend {
  cfg: BackendConfig;
  readonly servers: Server[] = [];
  readonly byName = new Map<string, Server>();
  readonly counters = new Counters();
  /** HTTP/2 to `proto h2` servers (`h2_*` columns of `show stat`). */
  h2 = new H2Counters();
  balancer: Balancer<Server>;
  private poolCache: Pool<Server> | null = null;
  private version = 0;
  private readonly queue: QueueWaiter[] = [];
  private readonly warmups = new Map<Server, TimerHandle>();
  lastChange: number;
  private downSince: number | null = null;
  private downtimeAcc = 0;
  private wasUsable = true;
  /** Times the backend lost its last usable server (chkdown of the BACKEND row). */
  private downTransitions = 0;

  constructor(cfg: BackendConfig, balancer: Balancer<Server>, readonly env: RuntimeEnv) {
    this.cfg = cfg;
    this.balancer = balancer;
    this.lastChange = env.clock.now();
  }

  get name(): string {
    return this.cfg.name;
  }
  get clock(): Clock {
    return this.env.clock;
  }

  addServer(s: Server): void {
    this.servers.push(s);
    this.byName.set(s.name, s);
    this.invalidate();
  }

  removeServer(s: Server): void {
    const i = this.servers.indexOf(s);
    if (i >= 0) this.servers.splice(i, 1);
    if (this.byName.get(s.name) === s) this.byName.delete(s.name);
    this.warmups.get(s)?.cancel();
    this.warmups.delete(s);
    this.invalidate();
  }

  healthLogging(): boolean {
    return this.cfg.healthCheck.logHealthChecks;
  }

  /** Eligibility or a weight changed: rebuild the pool on next use, and hand free slots to the queue. */
  invalidate(): void {
    this.version++;
    this.poolCache = null;
    const usable = this.hasUsable();
    if (usable !== this.wasUsable) {
      const now = this.env.clock.now();
      this.lastChange = now;
      if (!usable) {
        this.downSince = now;
        this.downTransitions++;
      } else if (this.downSince !== null) {
        this.downtimeAcc += now - this.downSince;
        this.downSince = null;
      }
      this.wasUsable = usable;
    }
    if (this.queue.length) queueMicrotask(() => this.dequeue());
  }

  /** Usable servers: the active ones with weight, or, when none, the first usable backup (HAProxy without `allbackups`). */
  pool(): Pool<Server> {
    if (this.poolCache) return this.poolCache;
    let servers = this.servers.filter((s) => !s.cfg.backup && s.eligible());
    if (servers.length === 0) {
      const backup = this.servers.find((s) => s.cfg.backup && s.eligible());
      servers = backup ? [backup] : [];
    }
    this.poolCache = { servers, version: this.version };
    return this.poolCache;
  }

  hasUsable(): boolean {
    return this.servers.some((s) => s.eligible());
  }
  usableActive(): number {
    return this.servers.filter((s) => !s.cfg.backup && s.eligible()).length;
  }
  usableBackup(): number {
    return this.servers.filter((s) => s.cfg.backup && s.eligible()).length;
  }

  /**
   * Choose a server with a free slot for a new session. Returns the server (counted as selected), 'queue'
   * when usable servers exist but all are full, or null when no server is usable at all.
   */
  select(hashKey: string | null, tried: Set<Server> | null): Server | 'queue' | null {
    if (this.cfg.disabled) return null; // a `disabled` backend is stopped: it takes no session
    const pool = this.pool();
    if (pool.servers.length === 0) return null;
    let full = false;
    const s = this.balancer.pick(pool, {
      hashKey,
      skip: (c) => {
        if (tried !== null && tried.has(c)) return true;
        if (c.cfg.maxconn > 0 && c.counters.cur >= c.cfg.maxconn) {
          full = true;
          return true;
        }
        return false;
      },
    });
    if (s) {
      s.counters.selected++;
      this.counters.selected++;
      return s;
    }
    return full ? 'queue' : null;
  }

  /** Whether another session may wait: `maxqueue` of every usable server bounds the backend queue. */
  canQueue(): boolean {
    let limit = 0;
    for (const s of this.pool().servers) {
      if (s.cfg.maxqueue === 0) return true;
      limit += s.cfg.maxqueue;
    }
    return this.queue.length < limit;
  }

  enqueue(w: QueueWaiter): void {
    this.queue.push(w);
    const c = this.counters;
    c.queueCur = this.queue.length;
    if (c.queueCur > c.queueMax) c.queueMax = c.queueCur;
    const t = this.cfg.timeouts.queue ?? this.cfg.timeouts.connect;
    if (t !== null) {
      w.timer = this.env.clock.setTimer(() => {
        const i = this.queue.indexOf(w);
        if (i < 0) return;
        this.queue.splice(i, 1);
        this.counters.queueCur = this.queue.length;
        w.assigned(null);
      }, t);
    }
  }

  /** Leave the queue without a server (the client went away). */
  dequeueWaiter(w: QueueWaiter): void {
    const i = this.queue.indexOf(w);
    if (i < 0) return;
    this.queue.splice(i, 1);
    w.timer?.cancel();
    this.counters.queueCur = this.queue.length;
  }

  /** A slot may be free: hand servers to waiting sessions in arrival order. */
  dequeue(): void {
    for (let i = 0; i < this.queue.length; ) {
      const w = this.queue[i]!;
      const s = this.select(w.hashKey, w.tried);
      // no server at all for now, or none free: waiters stay until a slot frees or `timeout queue`;
      // a waiter that excludes servers (tried) must not block the ones behind it
      if (s === null || s === 'queue') {
        if (w.tried === null) return;
        i++;
        continue;
      }
      this.queue.splice(i, 1);
      w.timer?.cancel();
      this.counters.queueCur = this.queue.length;
      const now = this.env.clock.now();
      this.counters.queueTime.add(now - w.enqueuedAt);
      this.counters.queueSamples++;
      w.assigned(s);
    }
  }

  queueLength(): number {
    return this.queue.length;
  }

  /** Slowstart: re-weigh the server in steps until its weight is full (HAProxy's warmup task). */
  startWarmup(s: Server, now: number): void {
    s.warmupSince = now;
    this.warmups.get(s)?.cancel();
    const step = Math.max(100, Math.floor(s.cfg.slowstart / 20));
    const tick = () => {
      this.invalidate();
      if (s.warmupSince !== null && this.env.clock.now() - s.warmupSince < s.cfg.slowstart) {
        this.warmups.set(s, this.env.clock.setTimer(tick, step));
      } else {
        s.warmupSince = null;
        this.warmups.delete(s);
      }
    };
    this.warmups.set(s, this.env.clock.setTimer(tick, step));
  }

  stopChecks(s: Server): void {
    this.env.stopChecks(s);
  }
  resumeChecks(s: Server): void {
    this.env.resumeChecks(s);
  }

  /** Close every session on a server (`on-marked-down shutdown-sessions`, `shutdown sessions server`). */
  killSessions(s: Server, reason: string): number {
    const list = [...s.sessionsSet];
    for (const sess of list) sess.kill(reason);
    return list.length;
  }

  killBackupSessions(reason: string): void {
    for (const s of this.servers) if (s.cfg.backup) this.killSessions(s, reason);
  }

  /** Stop timers (the backend is being removed or the process stops). Waiters get no server. */
  close(): void {
    for (const t of this.warmups.values()) t.cancel();
    this.warmups.clear();
    for (const w of this.queue.splice(0)) {
      w.timer?.cancel();
      w.assigned(null);
    }
    this.counters.queueCur = 0;
  }

  /** `clear counters [all]`: the backend's own counters and its servers' (HAProxy clears both per proxy). */
  clearCounters(all: boolean): void {
    this.counters.clearCounters(all);
    for (const s of this.servers) s.clearCounters(all);
  }

  snapshot(now: number): BackendSnapshot {
    const servers = this.servers.map((s) => s.snapshot(now));
    // HAProxy's recount_servers + update_backend_weight: the active servers' weights, or with none usable
    // the first usable backup's (the one that takes the traffic without `allbackups`)
    let weight = 0;
    let uweight = 0;
    let active = 0;
    let backup = 0;
    let firstBackup: Server | null = null;
    for (const s of this.servers) {
      const w = s.weight;
      if (w <= 0) continue;
      if (s.cfg.backup) {
        backup++;
        firstBackup ??= s;
      } else {
        active++;
        weight += w;
        uweight += s.uweight;
      }
    }
    if (active === 0 && firstBackup) {
      weight = firstBackup.weight;
      uweight = firstBackup.uweight;
    }
    return {
      name: this.name,
      id: this.cfg.id,
      mode: this.cfg.mode,
      algo: this.cfg.balance.algorithm,
      status: this.servers.length === 0 || weight > 0 ? 'UP' : 'DOWN',
      weight,
      uweight,
      active,
      backup,
      lastChange: this.env.clock.toWall(this.lastChange),
      downtimeMs: this.downtimeAcc + (this.downSince !== null ? now - this.downSince : 0),
      downTransitions: this.downTransitions,
      configDisabled: this.cfg.disabled ?? false,
      ...this.h2.view(),
      counters: this.counters.view(now),
      servers,
    };
  }
}
