/**
 * Number, byte, duration and time formatting for `lbctl top`: short, fixed-ish widths so columns stay
 * put while values change, and the same units everywhere (bytes in binary K/M/G, rates per second).
 */
import type { Glyphs } from './glyphs.js';

/** A count in at most 5 cells: 0..99999 exact, then 123k, 1.2M, 12M, 1.2G. Exact below 100k because
 *  session counts are what an operator compares. */
export function fmtCount(n: number): string {
  if (!Number.isFinite(n)) return '-';
  const a = Math.abs(n);
  if (a < 100_000) return String(Math.round(n));
  if (a < 1e6) return `${Math.round(n / 1e3)}k`;
  if (a < 1e7) return `${(n / 1e6).toFixed(1)}M`;
  if (a < 1e9) return `${Math.round(n / 1e6)}M`;
  if (a < 1e10) return `${(n / 1e9).toFixed(1)}G`;
  return `${Math.round(n / 1e9)}G`;
}

/** A per-second rate in at most 5 cells: one decimal under 10 (0.5 conn/s matters), then like fmtCount. */
export function fmtRate(n: number): string {
  if (!Number.isFinite(n)) return '-';
  if (n === 0) return '0';
  if (Math.abs(n) < 10) return n.toFixed(1).replace(/\.0$/, '');
  if (Math.abs(n) < 10_000) return String(Math.round(n));
  if (Math.abs(n) < 1e6) return `${(n / 1e3).toFixed(n < 1e5 ? 1 : 0)}k`;
  return fmtCount(n);
}

/** Bytes in at most 5 cells, binary units without the B after a prefix: 0B, 512B, 1.2K, 34K, 1.2M, 120M, 1.2G. */
export function fmtBytes(n: number): string {
  if (!Number.isFinite(n) || n < 0) return '-';
  if (n < 1024) return `${Math.round(n)}B`;
  const units = ['K', 'M', 'G', 'T', 'P'];
  let v = n / 1024;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return v < 10 ? `${v.toFixed(1)}${units[i]}` : `${Math.round(v)}${units[i]}`;
}

/** A duration in at most 6 cells, two units at most: 12ms, 1.2s, 45s, 3m12s, 2h05m, 3d04h, 420d. */
export function fmtDuration(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return '-';
  if (ms < 1000) return `${Math.round(ms)}ms`;
  if (ms < 10_000) return `${(ms / 1000).toFixed(1)}s`;
  const s = Math.floor(ms / 1000);
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m${String(s % 60).padStart(2, '0')}s`;
  const h = Math.floor(m / 60);
  if (h < 24) return `${h}h${String(m % 60).padStart(2, '0')}m`;
  const d = Math.floor(h / 24);
  if (d < 100) return `${d}d${String(h % 24).padStart(2, '0')}h`;
  return `${d}d`;
}

/** Time since `then`, coarse (whole seconds): what "last change" and "data age" columns show. */
export function fmtAge(now: number, then: number | null): string {
  if (then === null || !Number.isFinite(then)) return '-';
  const ms = Math.max(0, now - then);
  return ms < 10_000 ? `${Math.floor(ms / 1000)}s` : fmtDuration(ms);
}

/** Time since `then` for a column that is on every row: seconds for the first minute, then minutes
 *  (then hours and minutes, days and hours). A column that changes once a minute instead of once a
 *  second keeps the screen calm and the SSH traffic low with hundreds of rows. */
export function fmtSince(now: number, then: number | null): string {
  if (then === null || !Number.isFinite(then)) return '-';
  const s = Math.floor(Math.max(0, now - then) / 1000);
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m`;
  return fmtDuration(s * 1000);
}

/** Local wall-clock time `HH:MM:SS`: event times, as an operator compares them with logs. */
export function fmtClock(epochMs: number): string {
  const d = new Date(epochMs);
  const p = (n: number) => String(n).padStart(2, '0');
  return `${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}`;
}

/**
 * The last `width` cells of a sparkline over `values` (oldest first). When there are more values than
 * cells, each cell shows the maximum of its bucket (a one-second spike stays visible). Scaled to the
 * largest value shown; zero is blank so idle servers stay calm, any non-zero value shows at least the
 * lowest bar. Missing history (fewer values than cells) is blank on the left.
 */
export function sparkline(values: ArrayLike<number>, width: number, glyphs: Pick<Glyphs, 'spark'>): string {
  if (width <= 0) return '';
  const n = values.length;
  const per = Math.max(1, Math.ceil(n / width));
  const buckets: number[] = [];
  // buckets aligned on the newest value, so the right edge is always "now"
  for (let end = n; end > 0 && buckets.length < width; end -= per) {
    let m = 0;
    for (let i = Math.max(0, end - per); i < end; i++) m = Math.max(m, values[i] ?? 0);
    buckets.push(m);
  }
  buckets.reverse();
  const max = Math.max(...buckets, 0);
  const levels = glyphs.spark.length - 1;
  let s = ' '.repeat(width - buckets.length);
  for (const v of buckets) s += v <= 0 || max <= 0 ? glyphs.spark[0] : glyphs.spark[Math.max(1, Math.ceil((v / max) * levels))];
  return s;
}

/** The last path component of a file (the header shows the config's name when its path does not fit). */
export function basename(path: string): string {
  const i = path.lastIndexOf('/');
  return i < 0 ? path : path.slice(i + 1);
}
