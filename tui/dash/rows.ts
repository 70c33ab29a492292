/**
 * The server table's data: one row per server, the columns that fit the panel, and which rows to show
 * when there are more servers than lines. Columns are one table (header, cell, priority, whether it may
 * be cut). A status is never cut: `MAINT (via monitoring/server-1)` is a sentence an operator acts on,
 * so columns of lower priority are dropped first and names are shortened before it is touched.
 */
import type { ServerSnapshot, Snapshot } from '../../shared/snapshot.js';
import { statusTone, type Palette, type Tone } from './palette.js';
import { cut, fmtMs, shortDuration } from './text.js';
import { CHECK_STATUSES } from '../../shared/check-status.js';

/** One column of the server table. */
export interface Column {
  key: string;
  header: string;
  /** 0 is kept longest; the highest number is dropped first when the panel is narrow. */
  priority: number;
  /** Names may be cut (with `…`) down to `min`; other columns keep their full width. */
  shrink: boolean;
  min: number;
  /** Widest the column grows (longer cells are cut). */
  max: number;
  align: 'left' | 'right';
  /** The cell's text (no colour). */
  text(s: ServerSnapshot, now: number): string;
  /** Its tone, for colour. */
  tone?(s: ServerSnapshot): Tone;
  /** An HTTP column: in the table only when some server has seen HTTP requests. */
  http?: boolean;
}

/** An HTTP figure of a server, or `-` when it has not seen an HTTP request. */
function httpText(s: ServerSnapshot, f: (c: ServerSnapshot['counters']) => string): string {
  return s.counters.httpReqs === undefined ? '-' : f(s.counters);
}

/** No latency samples: lbd reports 0 and 0 for an empty ring, which is no measurement, not 0 ms. */
function noLatency(c: ServerSnapshot['counters']): boolean {
  return !c.latencyP50 && !c.latencyP99;
}

/** True when some server of the snapshot has HTTP counters. */
export function anyHttp(servers: readonly ServerSnapshot[]): boolean {
  return servers.some((s) => s.counters.httpReqs !== undefined);
}

/** `L7OK/200 3ms`, `L4CON 1ms`, `* L7OK` while probing; empty for a server without a check. */
export function checkText(s: ServerSnapshot): string {
  const c = s.check;
  if (!c || !c.enabled) return '';
  const code = c.code !== null && CHECK_STATUSES[c.status].layer >= 5 ? `/${c.code}` : '';
  const took = c.durationMs !== null && c.status !== 'INI' ? ` ${c.durationMs}ms` : '';
  return `${c.inProgress ? '* ' : ''}${c.status}${code}${took}`;
}

function checkTone(s: ServerSnapshot): Tone {
  const c = s.check;
  if (!c || !c.enabled) return 'muted';
  const o = CHECK_STATUSES[c.status].outcome;
  return o === 'failed' ? 'bad' : o === 'conditional' ? 'warn' : o === 'passed' ? 'good' : 'muted';
}

/** The columns, in display order. */
export const COLUMNS: readonly Column[] = Object.freeze([
  { key: 'backend', header: 'BACKEND', priority: 1, shrink: true, min: 6, max: 24, align: 'left', text: (s) => s.backend },
  { key: 'server', header: 'SERVER', priority: 0, shrink: true, min: 6, max: 24, align: 'left', text: (s) => s.name },
  { key: 'status', header: 'STATUS', priority: 0, shrink: false, min: 6, max: 60, align: 'left', text: (s) => s.status, tone: (s) => statusTone(s.status) },
  { key: 'weight', header: 'WGHT', priority: 4, shrink: false, min: 4, max: 7, align: 'right', text: (s) => String(s.weight.user) },
  { key: 'cur', header: 'SESS', priority: 2, shrink: false, min: 4, max: 9, align: 'right', text: (s) => String(s.counters.cur) },
  { key: 'rate', header: 'RATE', priority: 3, shrink: false, min: 4, max: 9, align: 'right', text: (s) => String(s.counters.rate) },
  { key: 'req', header: 'REQ/s', priority: 4, shrink: false, min: 5, max: 9, align: 'right', http: true, text: (s) => httpText(s, (c) => String(Math.round((c.reqRate ?? 0) * 10) / 10)) },
  { key: 'p50', header: 'P50', priority: 6, shrink: false, min: 5, max: 7, align: 'right', http: true, text: (s) => httpText(s, (c) => (noLatency(c) ? '-' : fmtMs(c.latencyP50 ?? 0))) },
  { key: 'p99', header: 'P99', priority: 5, shrink: false, min: 5, max: 7, align: 'right', http: true, text: (s) => httpText(s, (c) => (noLatency(c) ? '-' : fmtMs(c.latencyP99 ?? 0))) },
  { key: '5xx', header: '5XX', priority: 5, shrink: false, min: 3, max: 9, align: 'right', http: true, text: (s) => httpText(s, (c) => String(c.hrsp5xx ?? 0)), tone: (s) => ((s.counters.hrsp5xx ?? 0) > 0 ? 'bad' : 'plain') },
  { key: 'total', header: 'TOTAL', priority: 6, shrink: false, min: 5, max: 12, align: 'right', text: (s) => String(s.counters.total) },
  { key: 'econ', header: 'ECON', priority: 5, shrink: false, min: 4, max: 9, align: 'right', text: (s) => String(s.counters.connectErrors), tone: (s) => (s.counters.connectErrors > 0 ? 'warn' : 'plain') },
  { key: 'check', header: 'CHECK', priority: 3, shrink: true, min: 5, max: 22, align: 'left', text: checkText, tone: checkTone },
  { key: 'lastchg', header: 'LASTCHG', priority: 5, shrink: false, min: 7, max: 7, align: 'right', text: (s, now) => shortDuration(now - s.lastChange) },
  { key: 'addr', header: 'ADDRESS', priority: 7, shrink: true, min: 9, max: 24, align: 'left', text: (s) => s.addr },
]) as readonly Column[];

export interface Layout {
  columns: Column[];
  widths: number[];
}

/** Columns of this priority or above are dropped before any name is cut. */
const OPTIONAL = 5;

/**
 * The columns that fit `width` characters with `gap` spaces between them, and their widths: every
 * column at its natural width (widest cell or header, up to its max) when that fits; else optional
 * columns dropped (lowest priority first); else names cut towards their minimum, widest first; and
 * when even the minimums do not fit, more columns dropped. Priority-0 columns always stay.
 */
export function fitColumns(columns: readonly Column[], cells: string[][], width: number, gap: number): Layout {
  const natural = columns.map((c, i) => Math.min(c.max, Math.max(c.header.length, ...cells.map((r) => r[i]!.length))));
  const minOf = (i: number) => (columns[i]!.shrink ? Math.min(columns[i]!.min, natural[i]!) : natural[i]!);
  const natOf = (i: number) => natural[i]!;
  let keep = columns.map((_, i) => i);
  const total = (idx: number[], w: (i: number) => number) => idx.reduce((s, i) => s + w(i), 0) + gap * Math.max(0, idx.length - 1);
  /** The kept column to drop next (highest priority number, the rightmost of equals), or -1. */
  const worst = (floor: number) => {
    let pick = -1;
    for (const i of keep) if (columns[i]!.priority >= floor && (pick < 0 || columns[i]!.priority >= columns[pick]!.priority)) pick = i;
    return pick;
  };
  for (let d = worst(OPTIONAL); d >= 0 && total(keep, natOf) > width; d = worst(OPTIONAL)) keep = keep.filter((i) => i !== d);
  for (let d = worst(1); d >= 0 && total(keep, minOf) > width; d = worst(1)) keep = keep.filter((i) => i !== d);
  const widths = new Map(keep.map((i) => [i, natural[i]!]));
  let over = total(keep, (i) => widths.get(i)!) - width;
  while (over > 0) {
    // take one character from the widest shrinkable column that is above its minimum
    let pick = -1;
    for (const i of keep) if (columns[i]!.shrink && widths.get(i)! > minOf(i) && (pick < 0 || widths.get(i)! > widths.get(pick)!)) pick = i;
    if (pick < 0) break;
    widths.set(pick, widths.get(pick)! - 1);
    over--;
  }
  return { columns: keep.map((i) => columns[i]!), widths: keep.map((i) => widths.get(i)!) };
}

/** Every enabled backend's servers, in config order. */
export function allServers(s: Snapshot): ServerSnapshot[] {
  return s.backends.filter((b) => !b.configDisabled).flatMap((b) => b.servers);
}

/**
 * At most `capacity` servers: all when they fit, else those whose status is not plainly good first
 * (down, maintenance, drain, failing …), then the rest, shown in config order.
 */
export function pickServers(servers: readonly ServerSnapshot[], capacity: number): ServerSnapshot[] {
  if (servers.length <= capacity) return [...servers];
  const problems = servers.filter((s) => statusTone(s.status) !== 'good' && statusTone(s.status) !== 'muted');
  const chosen = new Set(problems.slice(0, capacity));
  for (const s of servers) {
    if (chosen.size >= capacity) break;
    chosen.add(s);
  }
  return servers.filter((s) => chosen.has(s));
}

export interface ServerTable {
  headers: string[];
  /** Cells padded to their column's width (right-aligned numbers), coloured by tone. */
  rows: string[][];
  columnWidth: number[];
  /** Servers not shown for lack of lines. */
  hidden: number;
  total: number;
}

function fit(text: string, w: number, align: 'left' | 'right'): string {
  const t = cut(text, w);
  return align === 'right' ? t.padStart(w) : t;
}

/**
 * The table for a panel with room for `width` characters and `lines` rows: the servers to show, the
 * columns that fit, and each cell cut and coloured.
 */
export function serverTable(snapshot: Snapshot, opts: { width: number; lines: number; gap: number; palette: Palette; now?: number }): ServerTable {
  const now = opts.now ?? snapshot.process.now;
  const all = allServers(snapshot);
  const shown = pickServers(all, Math.max(0, opts.lines));
  const http = anyHttp(all);
  const candidates = COLUMNS.filter((c) => http || !c.http);
  const cells = shown.map((s) => candidates.map((c) => c.text(s, now)));
  const { columns, widths } = fitColumns(candidates, cells, opts.width, opts.gap);
  const index = columns.map((c) => candidates.indexOf(c));
  const rows = shown.map((s, r) =>
    index.map((ci, k) => {
      const col = candidates[ci]!;
      const text = fit(cells[r]![ci]!, widths[k]!, col.align);
      return col.tone ? opts.palette.paint(col.tone(s), text) : text;
    }),
  );
  return {
    headers: columns.map((c, k) => fit(c.header, widths[k]!, c.align)),
    rows,
    columnWidth: widths,
    hidden: all.length - shown.length,
    total: all.length,
  };
}
