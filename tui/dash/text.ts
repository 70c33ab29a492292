/**
 * Small text helpers shared by the dashboard's data modules: cutting to a width, local clock time and
 * short durations. Plain functions of their arguments, so the shaping modules stay testable.
 */

/** `text` cut to `width` characters, ending in `…` when it was longer. */
export function cut(text: string, width: number): string {
  if (width <= 0) return '';
  if (text.length <= width) return text;
  if (width === 1) return '…';
  return `${text.slice(0, width - 1)}…`;
}

/** `12:03:04` in local time. */
export function clock(at: number): string {
  const d = new Date(at);
  const p = (n: number) => String(n).padStart(2, '0');
  return `${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}`;
}

/** A short duration: `45s`, `3m`, `2m30s`, `4h`, `1h05m`, `3d`. */
export function shortDuration(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return s % 60 ? `${m}m${String(s % 60).padStart(2, '0')}s` : `${m}m`;
  const h = Math.floor(m / 60);
  if (h < 24) return m % 60 ? `${h}h${String(m % 60).padStart(2, '0')}m` : `${h}h`;
  return `${Math.floor(h / 24)}d`;
}

/** A latency: `0.4ms`, `12ms`, `350ms`, `1.2s`. */
export function fmtMs(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return '-';
  if (ms < 9.95) return `${ms.toFixed(1)}ms`;
  if (ms < 999.5) return `${Math.round(ms)}ms`;
  return ms < 9950 ? `${(ms / 1000).toFixed(1)}s` : `${Math.round(ms / 1000)}s`;
}

/** A count in at most 4 characters (below 10^16), for a bar's label: `950`, `9999`, `19k`, `190k`, `1.2M`, `12M`. */
export function shortCount(n: number): string {
  if (!Number.isFinite(n)) return '-';
  if (n < 10_000) return String(Math.round(n));
  if (n < 999_500) return `${Math.round(n / 1000)}k`;
  if (n < 9_950_000) return `${(n / 1e6).toFixed(1)}M`;
  if (n < 999_500_000) return `${Math.round(n / 1e6)}M`;
  if (n < 9.95e9) return `${(n / 1e9).toFixed(1)}G`;
  if (n < 999.5e9) return `${Math.round(n / 1e9)}G`;
  return `${Math.round(n / 1e12)}T`;
}
