import { cancelProbe, cancelToken, type CancelToken, type Probe, type ProbeTimeouts } from './probe-types.js';
import type { Clock, TimerHandle } from '../runtime/clock.js';
import type { Server } from '../runtime/server.js';
import { applyCheckResult } from '../runtime/server-state.js';
import { nextInterval } from './rise-fall.js';

interface CheckTask {
  timer: TimerHandle | null;
  /** When the timer fires (clock ms). */
  due: number;
  /** A probe is in flight. */
  running: boolean;
  readonly cancel: CancelToken;
  /** Bumped on stop/remove so a probe that finishes late is ignored. */
  gen: number;
}

/**
 * Runs the health checks of every checked server: one timer per server, the next interval chosen by
 * the health counter (`inter` / `fastinter` / `downinter`), jittered by `spread-checks`, first checks
 * spread evenly over the interval so a thousand servers never fire in the same millisecond. Checks
 * pause while a server is in maintenance or has `disable health`.
 */
export class CheckScheduler {
  private readonly tasks = new Map<Server, CheckTask>();

  constructor(
    private readonly clock: Clock,
    private readonly probe: Probe,
    private readonly spreadChecks: () => number,
    private readonly random: () => number = Math.random,
  ) {}

  /** Start checking a server; `slot`/`slots` place its first check within the first interval. */
  add(s: Server, slot = 0, slots = 1): void {
    if (!s.cfg.check || this.tasks.has(s)) return;
    const task: CheckTask = { timer: null, due: 0, running: false, cancel: cancelToken(), gen: 0 };
    this.tasks.set(s, task);
    if (this.runnable(s)) this.schedule(s, task, Math.floor(((slot + 0.5) * s.cfg.inter) / Math.max(1, slots)));
  }

  remove(s: Server): void {
    const t = this.tasks.get(s);
    if (!t) return;
    this.halt(t);
    this.tasks.delete(s);
  }

  /** Pause (maintenance, `disable health`): cancel the timer and any probe in flight. */
  stop(s: Server): void {
    const t = this.tasks.get(s);
    if (!t) return;
    this.halt(t);
    s.checkInProgress = false;
  }

  /** Resume after a pause: next check after `fastinter`-ish delay chosen by the health counter. */
  resume(s: Server): void {
    const t = this.tasks.get(s);
    if (!t || t.timer || t.running || !this.runnable(s)) return;
    this.schedule(s, t, this.interval(s));
  }

  /** Check sooner (passive health saw errors): reschedule at `fastinter` if that is earlier. */
  soon(s: Server): void {
    const t = this.tasks.get(s);
    if (!t || t.running || !this.runnable(s)) return;
    if (t.timer && t.due <= this.clock.now() + s.cfg.fastinter) return; // already due sooner: never postpone
    t.timer?.cancel();
    this.schedule(s, t, s.cfg.fastinter);
  }

  closeAll(): void {
    for (const t of this.tasks.values()) this.halt(t);
    this.tasks.clear();
  }

  size(): number {
    return this.tasks.size;
  }

  private halt(t: CheckTask): void {
    t.gen++;
    t.timer?.cancel();
    t.timer = null;
    if (t.running) cancelProbe(t.cancel);
    t.running = false;
  }

  private runnable(s: Server): boolean {
    return s.cfg.check && s.checkEnabled && !s.inMaint();
  }

  private interval(s: Server): number {
    const base = nextInterval(s.health, s.op !== 'down', s.cfg);
    const spread = this.spreadChecks();
    if (spread <= 0) return base;
    const jitter = (base * spread) / 100;
    return Math.max(1, Math.round(base - jitter + this.random() * 2 * jitter));
  }

  private schedule(s: Server, t: CheckTask, delay: number): void {
    const gen = t.gen;
    t.due = this.clock.now() + delay;
    t.timer = this.clock.setTimer(() => {
      t.timer = null;
      if (gen === t.gen) this.run(s, t);
    }, delay);
  }

  private timeouts(s: Server): ProbeTimeouts {
    const to = s.backend.cfg.timeouts;
    const inter = s.cfg.inter;
    if (to.check === null) return { connectMs: inter, readMs: inter };
    return { connectMs: Math.min(to.connect ?? inter, inter), readMs: to.check };
  }

  private run(s: Server, t: CheckTask): void {
    if (!this.runnable(s)) return;
    const host = s.cfg.checkAddr ?? s.address;
    const port = s.cfg.checkPort ?? s.port;
    const gen = t.gen;
    const finish = (r: Parameters<typeof applyCheckResult>[1]) => {
      if (gen !== t.gen) return;
      t.running = false;
      s.checkInProgress = false;
      applyCheckResult(s, r);
      if (this.runnable(s) && this.tasks.get(s) === t) this.schedule(s, t, this.interval(s));
    };
    if (host === null || port === null) {
      finish({ status: 'SOCKERR', code: null, durationMs: 0, info: host === null ? 'no address' : 'no port to check' });
      return;
    }
    t.running = true;
    t.cancel.cancelled = false;
    s.checkInProgress = true;
    this.probe(s.backend.cfg.healthCheck, { host, port, sendProxy: s.cfg.checkSendProxy ? (s.cfg.sendProxy === 2 ? 2 : 1) : 0, ...(s.cfg.ssl?.checkSsl ? { tls: { ssl: s.cfg.ssl, servername: s.cfg.ssl.checkSni } } : {}) }, this.timeouts(s), t.cancel).then(finish, (e: unknown) =>
      finish({ status: 'SOCKERR', code: null, durationMs: 0, info: String((e as Error)?.message ?? e) }),
    );
  }
}
