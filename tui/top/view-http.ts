/**
 * The HTTP view: what lbd's HTTP mode counts, per object, from the snapshot's HTTP counters (present
 * once an object has seen an HTTP request; `-` before that).
 *
 * - each `mode http` frontend: current sessions, requests per second (req_rate), request errors (ereq
 *   plus eint: invalid requests and exceptions caught on the data path) and its responses by status
 *   class since the start (hrsp_1xx … hrsp_other; 5xx red, 4xx yellow);
 * - each `mode http` backend, with its servers below it: requests per second, responses 2xx … 5xx,
 *   the p50 and p99 latency over the last 1024 requests (request head to response end), and the
 *   connection reuse ratio (reuse / (reuse + connects): how many requests went over a kept-alive
 *   server connection instead of a new one);
 * - the HTTP health checks of those backends: answers by status class over each server's recent
 *   checks, and the servers failing them.
 *
 * When no frontend runs `mode http`, the view says so before the checks. Responses are counts since lbd
 * started (or `clear counters all`), as HAProxy's stats page shows them; the rate column is now.
 */
import type { BackendSnapshot, SessionCounters, Snapshot } from '../../shared/snapshot.js';
import { fmtCount, fmtDuration, fmtRate } from './format.js';
import type { Glyphs } from './glyphs.js';
import { pad, type Line, type Seg, type Tone } from './line.js';
import type { RateHistory } from './rates.js';

const CLASSES = ['1xx', '2xx', '3xx', '4xx', '5xx', 'other'] as const;
type Class = (typeof CLASSES)[number];

/** Check answers by HTTP status class over the recent check history of a backend's servers. */
export function checkClasses(snap: Snapshot, backend: string): { counts: Record<Class, number>; checks: number } {
  const counts = { '1xx': 0, '2xx': 0, '3xx': 0, '4xx': 0, '5xx': 0, other: 0 };
  let checks = 0;
  const b = snap.backends.find((x) => x.name === backend);
  for (const s of b?.servers ?? []) {
    if (s.tracks) continue; // a tracker shows its tracked server's checks: count them once
    for (const h of s.check?.history ?? []) {
      checks++;
      const k = h.code !== null && h.code >= 100 && h.code < 600 ? (`${Math.floor(h.code / 100)}xx` as Class) : 'other';
      counts[k]++;
    }
  }
  return { counts, checks };
}

/** True when the object has seen HTTP traffic (the snapshot carries its HTTP counters). */
export function hasHttp(c: SessionCounters): boolean {
  return c.httpReqs !== undefined;
}

/** Responses of one class, or undefined without HTTP counters. */
export function responses(c: SessionCounters, cls: Class): number | undefined {
  switch (cls) {
    case '1xx':
      return c.hrsp1xx;
    case '2xx':
      return c.hrsp2xx;
    case '3xx':
      return c.hrsp3xx;
    case '4xx':
      return c.hrsp4xx;
    case '5xx':
      return c.hrsp5xx;
    case 'other':
      return c.hrspOther;
  }
}

/**
 * The p50 and p99 latency of an object with HTTP counters, or null when it has no latency samples: lbd
 * reports 0 and 0 for an empty ring (its percentiles of no request), which is no measurement, not 0 ms.
 */
export function latencyOf(c: SessionCounters): { p50: number; p99: number } | null {
  if (!hasHttp(c) || c.latencyP50 === undefined || c.latencyP99 === undefined) return null;
  if (c.latencyP50 === 0 && c.latencyP99 === 0) return null;
  return { p50: c.latencyP50, p99: c.latencyP99 };
}

/** A latency in at most 5 cells: `0.4ms`, `12ms`, `350ms`, `1.2s`; `-` when unknown. */
export function fmtMs(ms: number | undefined): string {
  if (ms === undefined || !Number.isFinite(ms) || ms < 0) return '-';
  if (ms < 9.95) return `${ms.toFixed(1)}ms`;
  if (ms < 999.5) return `${Math.round(ms)}ms`;
  return fmtDuration(ms);
}

/** Server connections reused for requests, as a percentage rounded down (`87%`; 100% only when no
 *  request needed a new connection), or `-` when none was needed yet. */
export function reuseRatio(c: SessionCounters): string {
  const reuse = c.reuse ?? 0;
  const all = reuse + (c.connects ?? 0);
  return all > 0 ? `${Math.floor((100 * reuse) / all)}%` : '-';
}

/** Request errors of a frontend: invalid requests (ereq) and exceptions caught on the data path (eint). */
export function requestErrors(c: SessionCounters): number | undefined {
  return hasHttp(c) ? (c.reqErrors ?? 0) + (c.internalErrors ?? 0) : undefined;
}

const CLASS_TONE: Partial<Record<Class, Tone>> = { '4xx': 'warn', '5xx': 'down' };

/** A count cell of `w` cells: `-` without counters, a dim 0, or the count (toned when it is bad news). */
function countCell(n: number | undefined, w: number, tone?: Tone): Seg {
  if (n === undefined) return { text: pad('-', w, 'right'), dim: true };
  if (n === 0) return { text: pad('0', w, 'right'), dim: true };
  return { text: pad(fmtCount(n), w, 'right'), ...(tone ? { tone } : {}) };
}

function textCell(t: string, w: number): Seg {
  return t === '-' ? { text: pad(t, w, 'right'), dim: true } : { text: pad(t, w, 'right') };
}

/** Width of the name column: the longest name (servers indented by 3), 10 … 16 cells. */
function nameWidth(names: string[]): number {
  return Math.max(10, Math.min(16, Math.max(...names.map((n) => [...n].length))));
}

function frontendLines(snap: Snapshot, g: Glyphs, w: number): Line[] {
  const fronts = snap.frontends.filter((f) => f.mode === 'http' && !f.configDisabled);
  const nw = nameWidth(['FRONTEND', ...fronts.map((f) => f.name)]);
  // 1xx and other are rare: shown only when the width allows
  const classes = CLASSES.filter((c) => (c !== '1xx' && c !== 'other') || w >= nw + 1 + 5 + 1 + 6 + 1 + 5 + 6 * 6);
  const out: Line[] = [];
  out.push([{ text: 'HTTP frontends', bold: true }, { text: ` ${g.sep} responses by class since start`, tone: 'muted' }]);
  out.push([{ text: `${pad('FRONTEND', nw)} ${pad('SESS', 5, 'right')} ${pad('REQ/s', 6, 'right')} ${pad('ERR', 5, 'right')}${classes.map((c) => ' ' + pad(c, 5, 'right')).join('')}`, bold: true }]);
  for (const f of fronts) {
    const c = f.counters;
    const line: Line = [{ text: `${pad(f.name, nw)} ${pad(fmtCount(c.cur), 5, 'right')} ` }, textCell(hasHttp(c) ? fmtRate(c.reqRate ?? 0) : '-', 6), { text: ' ' }, countCell(requestErrors(c), 5, 'down')];
    for (const cls of classes) line.push({ text: ' ' }, countCell(responses(c, cls), 5, CLASS_TONE[cls]));
    out.push(line);
  }
  return out;
}

function backendLines(backs: BackendSnapshot[], g: Glyphs): Line[] {
  const names = ['BACKEND'];
  for (const b of backs) {
    names.push(`${g.expanded} ${b.name}`);
    for (const s of b.servers) names.push(` ${g.branch} ${s.name}`);
  }
  const nw = nameWidth(names);
  const out: Line[] = [];
  out.push([{ text: 'HTTP backends', bold: true }, { text: ` ${g.sep} latency of the last 1024 requests ${g.sep} server connections reused`, tone: 'muted' }]);
  out.push([{ text: `${pad('BACKEND', nw)} ${pad('REQ/s', 6, 'right')}${['2xx', '3xx', '4xx', '5xx'].map((c) => ' ' + pad(c, 5, 'right')).join('')} ${pad('P50', 5, 'right')} ${pad('P99', 5, 'right')} ${pad('REUSE', 5, 'right')} ${pad('ERR', 4, 'right')}`, bold: true }]);
  const row = (name: string, c: BackendSnapshot['counters'], bold: boolean): Line => {
    const http = hasHttp(c);
    const line: Line = [{ text: pad(name, nw), bold }, { text: ' ' }, textCell(http ? fmtRate(c.reqRate ?? 0) : '-', 6)];
    for (const cls of ['2xx', '3xx', '4xx', '5xx'] as const) line.push({ text: ' ' }, countCell(responses(c, cls), 5, CLASS_TONE[cls]));
    const lat = latencyOf(c);
    line.push({ text: ' ' }, textCell(fmtMs(lat?.p50), 5), { text: ' ' }, textCell(fmtMs(lat?.p99), 5));
    line.push({ text: ' ' }, textCell(http ? reuseRatio(c) : '-', 5), { text: ' ' }, countCell(c.connectErrors + c.responseErrors, 4, 'down'));
    return line;
  };
  for (const b of backs) {
    out.push(row(`${g.expanded} ${b.name}`, b.counters, true));
    b.servers.forEach((s, i) => out.push(row(` ${i === b.servers.length - 1 ? g.lastBranch : g.branch} ${s.name}`, s.counters, false)));
  }
  return out;
}

/** The HTTP view's lines for `w` cells (80 by default: what fits an 80-column terminal). */
export function httpLines(snap: Snapshot, g: Glyphs, _rates: RateHistory, w = 80): Line[] {
  const fronts = snap.frontends.filter((f) => f.mode === 'http' && !f.configDisabled);
  const backs = snap.backends.filter((b) => b.mode === 'http' && !b.configDisabled);
  const out: Line[] = [];
  if (fronts.length === 0) {
    out.push([{ text: 'No HTTP frontends', bold: true, tone: 'accent' }, { text: `: every frontend runs mode tcp (${snap.frontends.map((f) => f.name).join(', ') || 'none'}).` }]);
    out.push([{ text: 'Requests, responses by class and latency show here once a frontend runs mode http.', tone: 'muted' }]);
  } else {
    out.push(...frontendLines(snap, g, w));
  }
  out.push([]);
  if (backs.length === 0) {
    out.push([{ text: 'No mode http backends.', tone: 'muted' }]);
    return out;
  }
  // traffic per backend for those that have seen HTTP requests (a backend only checked over HTTP, or
  // reached from a TCP frontend, has none): the others are named on one line
  const busy = backs.filter((b) => hasHttp(b.counters));
  if (busy.length > 0) out.push(...backendLines(busy, g));
  const idle = backs.filter((b) => !hasHttp(b.counters)).map((b) => b.name);
  if (fronts.length > 0 && idle.length > 0) out.push([{ text: `No HTTP requests yet: ${idle.join(', ')}`, tone: 'muted' }]);
  if (busy.length > 0 || fronts.length > 0) out.push([]);
  out.push([{ text: 'HTTP health checks', bold: true }, { text: ` ${g.sep} answers by class over each server's recent checks`, tone: 'muted' }]);
  const nw = nameWidth(['BACKEND', ...backs.map((b) => b.name)]);
  out.push([{ text: `${pad('BACKEND', nw)} ${pad('CHECKS', 6, 'right')} ${CLASSES.map((c) => pad(c, 5, 'right')).join(' ')}  FAILING`, bold: true }]);
  for (const b of backs) {
    const { counts, checks } = checkClasses(snap, b.name);
    const failing = b.servers.filter((s) => !s.tracks && s.check && s.check.enabled && /^(L7STS|L7RSP|L7TOUT|L4CON|L4TOUT)$/.test(s.check.status)).map((s) => s.name);
    out.push([
      { text: `${pad(b.name, nw)} ${pad(String(checks), 6, 'right')} ` },
      ...CLASSES.flatMap((c) => [{ text: pad(String(counts[c]), 5, 'right'), ...(counts[c] > 0 && (c === '5xx' || c === '4xx') ? { tone: 'down' as const } : counts[c] > 0 && c === '2xx' ? { tone: 'up' as const } : { dim: true }) }, { text: ' ' }]),
      { text: ' ' + (failing.length ? failing.join(', ') : 'none'), ...(failing.length ? { tone: 'down' as const } : { dim: true }) },
    ]);
  }
  return out;
}
