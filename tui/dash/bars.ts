/**
 * The bar chart's data: what went wrong recently. In TCP mode, connection errors per backend (HAProxy's
 * econ); when some backend has seen HTTP requests (the snapshot carries its hrsp_* counters), responses
 * by class (1xx … 5xx, other) summed over the HTTP backends instead, and the title names the highest p99
 * latency among them now. Counts are over the remembered window (newest tick minus oldest), so a wall screen
 * shows what happens now, not since the daemon started; a counter that went down (counters cleared,
 * a new daemon) counts from zero.
 */
import { firstReal, lastReal, RESPONSE_CLASSES, type Tick } from './history.js';
import { cut, fmtMs, shortDuration } from './text.js';

export interface BarData {
  /** Panel title: what is counted and over how long. */
  title: string;
  titles: string[];
  data: number[];
  /** Backends left out for lack of room. */
  hidden: number;
  /** HTTP: the highest p99 latency of the HTTP backends now (`p99 412ms`), for the title; else absent. */
  note?: string;
}

/** Increase of a cumulative counter between two readings; a decrease means it restarted from zero. */
export function increase(before: number, after: number): number {
  return after >= before ? after - before : after;
}

/** The window the counts cover, for the title: `last 5m`, or `last 42s` while the history fills. */
function windowText(ticks: readonly Tick[]): string {
  const a = firstReal(ticks);
  const b = lastReal(ticks);
  return `last ${shortDuration(a && b ? b.at - a.at : 0)}`;
}

/**
 * The bars for these ticks, at most `maxBars` of them with titles cut to `titleWidth`. With more
 * backends than bars, those with the most errors are shown (in config order). For HTTP, the classes
 * 1xx and other are left out when there are fewer than six bars and they counted nothing.
 */
export function errorBars(ticks: readonly Tick[], opts: { maxBars: number; titleWidth: number }): BarData {
  const first = firstReal(ticks);
  const last = lastReal(ticks);
  const when = windowText(ticks);
  if (!first || !last) return { title: `connection errors, ${when}`, titles: [], data: [], hidden: 0 };
  const b0 = first.backends!;
  const b1 = last.backends!;

  if (httpBars(ticks)) {
    const totals = RESPONSE_CLASSES.map((cls) => {
      let sum = 0;
      for (const [name, s] of b1) {
        if (!s.responses) continue;
        sum += increase(b0.get(name)?.responses?.[cls] ?? 0, s.responses[cls]);
      }
      return sum;
    });
    let p99 = -1;
    for (const s of b1.values()) if (s.latency && s.latency.p99 > p99) p99 = s.latency.p99;
    // 2xx … 5xx always; 1xx and other (rare) when there are bars enough, or when they counted something
    const keep = RESPONSE_CLASSES.map((c, i) => (c !== '1xx' && c !== 'other') || opts.maxBars >= RESPONSE_CLASSES.length || totals[i]! > 0);
    const shown = RESPONSE_CLASSES.filter((_, i) => keep[i]);
    return {
      title: `HTTP responses by class, ${when}`,
      titles: shown.map((c) => cut(c, opts.titleWidth)),
      data: totals.filter((_, i) => keep[i]),
      hidden: 0,
      ...(p99 >= 0 ? { note: `p99 ${fmtMs(p99)}` } : {}),
    };
  }

  const rows = [...b1].map(([name, s], i) => ({ name, i, n: increase(b0.get(name)?.connectErrors ?? 0, s.connectErrors) }));
  const maxBars = Math.max(0, opts.maxBars);
  let shown = rows;
  if (rows.length > maxBars) {
    const keep = new Set([...rows].sort((a, b) => b.n - a.n || a.i - b.i).slice(0, maxBars).map((r) => r.name));
    shown = rows.filter((r) => keep.has(r.name));
  }
  return {
    title: `connection errors, ${when}`,
    titles: shown.map((r) => cut(r.name, opts.titleWidth)),
    data: shown.map((r) => r.n),
    hidden: rows.length - shown.length,
  };
}

/** True when these ticks give HTTP bars (some backend has seen HTTP requests in the newest tick). */
export function httpBars(ticks: readonly Tick[]): boolean {
  const last = lastReal(ticks);
  return !!last && [...last.backends!.values()].some((s) => s.responses !== null);
}
