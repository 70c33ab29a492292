/**
 * Time as a dependency. State machines and check schedulers take a Clock so unit tests can drive
 * rise/fall/inter/fastinter in microseconds with a ManualClock; production uses the system clock.
 */
export interface TimerHandle {
  cancel(): void;
}

export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number;
  setTimer(fn: () => void, ms: number): TimerHandle;
}

export const systemClock: Clock = {
  now: () => Date.now(),
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
