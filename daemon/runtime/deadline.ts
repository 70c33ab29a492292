/**
 * Session timeouts without a Node.js `Timeout` per arm.
 *
 * A proxied connection arms a timer two to four times in its life (`timeout connect`, then the idle
 * timeouts) and cancels most of them. A Node `Timeout` per arm costs an object with an async id, a timer
 * list insertion, a native call for the loop's time and, once cancelled, garbage: measured on a new
 * connection per request, lbd spent about a tenth of its CPU per connection there. Here every
 * `Deadline` is a small object the session keeps for its life, held in one binary min-heap keyed by due
 * time; one unref'd Node timer is armed for the earliest due time. Arming, re-arming and cancelling are
 * O(log n) array operations and allocate nothing. The Node timer is only moved when a deadline earlier
 * than the one it waits for arrives; when the earliest deadline is cancelled the timer stays and, on
 * firing, finds nothing due and waits for the next one.
 *
 * Time is monotonic (`performance.now()`): a wall-clock step (NTP, an operator's `date -s`) neither
 * fires every timeout at once nor holds them back.
 *
 * The timer is unref'd: a deadline belongs to a session whose sockets keep the process alive.
 */

import { monoNow } from './clock.js';

/** What a deadline calls when due (a session, typically: no closure per deadline). */
export interface DeadlineOwner {
  onDeadline(): void;
}

export class Deadline {
  /** Index in the heap; -1 while not armed. */
  idx = -1;
  /** Due time (monoNow() base). */
  at = 0;

  constructor(private readonly owner: DeadlineOwner) {}

  get armed(): boolean {
    return this.idx >= 0;
  }

  /** Fire `ms` from now (re-arming one already armed). */
  arm(ms: number): void {
    this.armAt(monoNow() + ms);
  }

  /** Fire at `at` (monoNow() base). */
  armAt(at: number): void {
    if (this.idx >= 0) {
      const old = this.at;
      this.at = at;
      if (at < old) up(this.idx);
      else down(this.idx);
    } else {
      this.at = at;
      this.idx = heap.length;
      heap.push(this);
      up(this.idx);
    }
    if (heap[0] === this) schedule();
  }

  cancel(): void {
    if (this.idx >= 0) removeAt(this.idx);
  }

  /** Called by the heap when due; the deadline is no longer armed. */
  fire(): void {
    this.owner.onDeadline();
  }
}

const heap: Deadline[] = [];
let timer: NodeJS.Timeout | null = null;
/** When the Node timer fires (monoNow() base); Infinity when none is armed. */
let timerAt = Infinity;

function up(i: number): void {
  const d = heap[i]!;
  while (i > 0) {
    const p = (i - 1) >> 1;
    const pd = heap[p]!;
    if (pd.at <= d.at) break;
    heap[i] = pd;
    pd.idx = i;
    i = p;
  }
  heap[i] = d;
  d.idx = i;
}

function down(i: number): void {
  const n = heap.length;
  const d = heap[i]!;
  for (;;) {
    let c = 2 * i + 1;
    if (c >= n) break;
    if (c + 1 < n && heap[c + 1]!.at < heap[c]!.at) c++;
    const cd = heap[c]!;
    if (cd.at >= d.at) break;
    heap[i] = cd;
    cd.idx = i;
    i = c;
  }
  heap[i] = d;
  d.idx = i;
}

function removeAt(i: number): void {
  const d = heap[i]!;
  d.idx = -1;
  const last = heap.pop()!;
  if (last === d) return;
  heap[i] = last;
  last.idx = i;
  if (i > 0 && heap[(i - 1) >> 1]!.at > last.at) up(i);
  else down(i);
}

/** The Node timer must fire no later than the earliest deadline. */
function schedule(): void {
  const first = heap[0];
  if (first === undefined || timerAt <= first.at) return;
  if (timer !== null) clearTimeout(timer);
  timerAt = first.at;
  // Node's timers run on the loop's millisecond clock: round up, and `run` re-arms if it came early
  timer = setTimeout(run, Math.max(1, Math.ceil(first.at - monoNow())));
  timer.unref();
}

function run(): void {
  timer = null;
  timerAt = Infinity;
  try {
    const now = monoNow();
    // a deadline armed by a callback for `now` or earlier fires in this pass too, after the ones due before it;
    // the budget bounds a pass (a callback re-arming itself in the past must not starve the event loop)
    let budget = heap.length + 1024;
    while (heap.length > 0 && heap[0]!.at <= now && budget-- > 0) {
      const d = heap[0]!;
      removeAt(0);
      d.fire();
    }
  } finally {
    schedule();
  }
}

/** Deadlines armed now (for tests and `show info`-style introspection). */
export function armedDeadlines(): number {
  return heap.length;
}
