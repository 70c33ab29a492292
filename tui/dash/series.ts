/**
 * The rate chart's data: session rate per backend over the remembered ticks, shaped for a line chart of
 * a given width. Consecutive ticks are averaged into at most `maxPoints` points (the newest point always
 * ends at the newest tick); the busiest `maxSeries - 1` backends get their own line and the rest are
 * summed into one `others` line, so a config with fifty backends still draws a chart one can read.
 * A gap (daemon unreachable) counts as no traffic: the banner says why.
 */
import type { Tick } from './history.js';
import { clock } from './text.js';

export interface RateSeries {
  /** Legend title (the backend's name, or `others (n)`). */
  title: string;
  /** Sessions per second, one per point. */
  y: number[];
}

export interface RateChart {
  /** One label per point: the local time of the point's newest tick. */
  labels: string[];
  series: RateSeries[];
  /** Top of the y axis: a round number above the peak, in `steps` round steps (see yAxis). */
  maxY: number;
  steps: number;
  /** The highest point drawn. */
  peak: number;
}

/** Backend names across the ticks, in the newest tick's order, then any that have gone since. */
function backendNames(ticks: readonly Tick[]): string[] {
  const names: string[] = [];
  const seen = new Set<string>();
  for (let i = ticks.length - 1; i >= 0; i--) {
    const b = ticks[i]!.backends;
    if (!b) continue;
    for (const name of b.keys()) {
      if (!seen.has(name)) {
        seen.add(name);
        names.push(name);
      }
    }
  }
  return names;
}

/** Groups of consecutive tick indexes, at most `maxPoints`, the last group ending at the newest tick. */
function groups(count: number, maxPoints: number): number[][] {
  const size = Math.max(1, Math.ceil(count / Math.max(1, maxPoints)));
  const out: number[][] = [];
  for (let end = count; end > 0; end -= size) {
    const g: number[] = [];
    for (let i = Math.max(0, end - size); i < end; i++) g.push(i);
    out.unshift(g);
  }
  return out;
}

/** The smallest round step (1, 2, 2.5 or 5 × 10^k) at least `raw`. */
function roundStep(raw: number): number {
  const mag = 10 ** Math.floor(Math.log10(raw));
  for (const m of [1, 2, 2.5, 5]) if (m * mag >= raw) return Number((m * mag).toPrecision(12));
  return Number((10 * mag).toPrecision(12));
}

/**
 * A y axis for values up to `peak`: 3 to 5 round steps (the chart labels each but the top), the
 * combination whose top is closest above the peak (with 5% headroom), so the lines use the height.
 * An idle chart gets 0..4 in steps of 1.
 */
export function yAxis(peak: number): { maxY: number; steps: number } {
  if (!(peak > 0)) return { maxY: 4, steps: 4 };
  let best = { maxY: Infinity, steps: 4 };
  for (const steps of [4, 3, 5]) {
    const maxY = Number((roundStep((peak * 1.05) / steps) * steps).toPrecision(12));
    if (maxY < best.maxY) best = { maxY, steps };
  }
  return best;
}

/** The chart for these ticks: at most `maxPoints` points and `maxSeries` lines (at least 1 each). */
export function rateChart(ticks: readonly Tick[], opts: { maxPoints: number; maxSeries: number }): RateChart {
  const names = backendNames(ticks);
  const gs = groups(ticks.length, opts.maxPoints);
  const perBackend = new Map<string, number[]>();
  for (const name of names) {
    perBackend.set(
      name,
      gs.map((g) => {
        let sum = 0;
        let n = 0;
        for (const i of g) {
          const b = ticks[i]!.backends;
          if (!b) continue;
          sum += b.get(name)?.rate ?? 0;
          n++;
        }
        return n ? sum / n : 0;
      }),
    );
  }
  const maxSeries = Math.max(1, opts.maxSeries);
  let lines: RateSeries[];
  if (names.length <= maxSeries) {
    lines = names.map((name) => ({ title: name, y: perBackend.get(name)! }));
  } else {
    // the busiest by peak keep their line (in config order); the rest share one
    const peakOf = (name: string) => Math.max(0, ...perBackend.get(name)!);
    const ranked = names.map((name, i) => ({ name, i, peak: peakOf(name) })).sort((a, b) => b.peak - a.peak || a.i - b.i);
    const own = new Set(ranked.slice(0, maxSeries - 1).map((r) => r.name));
    const rest = names.filter((n) => !own.has(n));
    lines = names.filter((n) => own.has(n)).map((name) => ({ title: name, y: perBackend.get(name)! }));
    lines.push({ title: `others (${rest.length})`, y: gs.map((_, k) => rest.reduce((s, n) => s + perBackend.get(n)![k]!, 0)) });
  }
  const labels = gs.map((g) => clock(ticks[g[g.length - 1]!]!.at));
  if (lines.length === 0) lines = [{ title: 'no backends', y: labels.map(() => 0) }];
  // a chart needs a point to draw; before the first tick there is one at zero, now
  if (labels.length === 0) {
    labels.push(clock(Date.now()));
    for (const l of lines) l.y.push(0);
  }
  let peak = 0;
  for (const l of lines) for (const v of l.y) if (v > peak) peak = v;
  return { labels, series: lines, ...yAxis(peak), peak };
}
