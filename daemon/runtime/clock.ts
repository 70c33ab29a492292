/**
 * Time as a dependency. State machines and check schedulers take a Clock so unit tests can drive
 * rise/fall/inter/fastinter in microseconds with a ManualClock; production uses the system clock.
 *
 * Two kinds of time. Durations and rates (slowstart, lastchg, downtime, queue and session times, check
 * schedules) are read from `now()`, which never steps: the wall clock at process start plus monotonic
 * time since. A wall-clock step (NTP, `date -s`, a VM resumed) would otherwise freeze a slowstart ramp
 * or stretch it, give negative `lastchg` and poison the time averages. Dates shown to people (events,
 * check times, log lines) are calendar time: `wall()`, or a `now()` moment converted by `toWall()`.
 */
export interface TimerHandle {
  cancel(): void;
}

export interface Clock {
  /** Milliseconds on the epoch scale that never step (monotonic since process start). */
  now(): number;
  /** Calendar milliseconds since the epoch (the wall clock, which may step). */
  wall(): number;
  /** A moment read from `now()`, as a calendar date. */
  toWall(t: number): number;
  setTimer(fn: () => void, ms: number): TimerHandle;
}

/** Monotonic milliseconds (fractional, from process start): the time base of deadlines (deadline.ts). */
export const monoNow: () => number = () => performance.now();

const MONO_ORIGIN = performance.timeOrigin;

/** The daemon's time for durations: the same monotonic time, on the epoch scale in whole milliseconds. */
export function monoEpochNow(): number {
  return Math.floor(MONO_ORIGIN + monoNow());
}

/**
 * Wall minus monotonic time, adopted only when it moves by more than a second (a step): NTP slewing
 * and rounding keep it from changing at every read, so converted dates stay the same between snapshots
 * (and their memoised parts with them). Without a step it stays 0 and conversion changes nothing.
 */
let wallOffset = 0;

/** A `monoEpochNow()` moment as a calendar date. */
export function monoToWall(t: number): number {
  const d = Date.now() - monoEpochNow();
  if (Math.abs(d - wallOffset) > 1000) wallOffset = d;
  return t + wallOffset;
}

export const systemClock: Clock = {
  now: monoEpochNow,
  wall: () => Date.now(),
  toWall: monoToWall,
  setTimer(fn, ms) {
    const t = setTimeout(fn, ms);
    t.unref?.();
    return { cancel: () => clearTimeout(t) };
  },
};

/** A clock that only moves when told to; timers fire in time order during `advance`. */
export class ManualClock implements Clock {
  private t: number;
  private seq = 0;
  private timers: { at: number; seq: number; fn: () => void; dead: boolean }[] = [];

  constructor(start = 1_700_000_000_000) {
    this.t = start;
  }

  now(): number {
    return this.t;
  }

  /** A manual clock never steps: calendar time is its time. */
  wall(): number {
    return this.t;
  }

  toWall(t: number): number {
    return t;
  }

  setTimer(fn: () => void, ms: number): TimerHandle {
    const timer = { at: this.t + Math.max(0, ms), seq: this.seq++, fn, dead: false };
    this.timers.push(timer);
    return { cancel: () => void (timer.dead = true) };
  }

  /** Move time forward by `ms`, firing due timers in order (timers set while firing run too if due). */
  advance(ms: number): void {
    const end = this.t + ms;
    for (;;) {
      this.timers = this.timers.filter((x) => !x.dead);
      let next: (typeof this.timers)[number] | undefined;
      for (const x of this.timers) if (x.at <= end && (!next || x.at < next.at || (x.at === next.at && x.seq < next.seq))) next = x;
      if (!next) break;
      this.t = Math.max(this.t, next.at);
      next.dead = true;
      next.fn();
    }
    this.t = end;
  }

  pending(): number {
    return this.timers.filter((x) => !x.dead).length;
  }
}
