/**
 * The frontends view: each frontend with its counters, and its listeners under it (address and state;
 * lbd counts per frontend, not per listener, so listener rows carry no counters).
 */
import type { FrontendSnapshot, ListenerSnapshot, Snapshot } from '../../shared/snapshot.js';
import { layout, rowLine, titleLine, type Column, type FlexColumn } from './columns.js';
import { fmtBytes, fmtCount, fmtRate, sparkline } from './format.js';
import { width, type Line, type Seg, type Tone } from './line.js';
import { rateKey } from './rates.js';
import type { ViewCtx } from './view-servers.js';

export type FrontendRow =
  | { kind: 'frontend'; key: string; frontend: FrontendSnapshot }
  | { kind: 'listener'; key: string; frontend: FrontendSnapshot; listener: ListenerSnapshot; last: boolean };

/** One row per frontend, then one per listener. */
export function frontendRows(snap: Snapshot): FrontendRow[] {
  const rows: FrontendRow[] = [];
  for (const f of snap.frontends) {
    rows.push({ kind: 'frontend', key: `f:${f.name}`, frontend: f });
    f.listeners.forEach((l, i) => rows.push({ kind: 'listener', key: `l:${f.name}/${l.name}`, frontend: f, listener: l, last: i === f.listeners.length - 1 }));
  }
  return rows;
}

const STATUS_TONE: Record<string, Tone> = { OPEN: 'up', PAUSED: 'warn', STOP: 'down' };

function statusSeg(status: string, ctx: ViewCtx): Seg[] {
  const tone = STATUS_TONE[status] ?? 'warn';
  const glyph = status === 'OPEN' ? ctx.g.up : status === 'PAUSED' ? ctx.g.drain : ctx.g.down;
  return [{ text: `${glyph} `, tone }, { text: status.padEnd(7), tone }];
}

function num(n: number, tone: Tone): Seg {
  return n > 0 ? { text: fmtCount(n), tone } : { text: '0', dim: true };
}

/** The title and lines of the frontends view for `w` cells. */
export function frontendLines(snap: Snapshot, rows: readonly FrontendRow[], w: number, ctx: ViewCtx): { title: Line; lines: Line[] } {
  let lw = 8;
  for (const f of snap.frontends) {
    lw = Math.max(lw, width(f.name));
    for (const l of f.listeners) lw = Math.max(lw, 3 + width(l.name));
  }
  lw = Math.min(lw, Math.max(10, Math.floor(w * 0.3)));
  const only = (r: FrontendRow, f: (x: FrontendSnapshot) => Seg, other: Seg): Seg => (r.kind === 'frontend' ? f(r.frontend) : other);
  const lead: Column<FrontendRow> = { id: 'name', title: 'NAME', width: lw, align: 'left', priority: 0, cell: (r) => (r.kind === 'frontend' ? { text: r.frontend.name, bold: true } : { text: ` ${r.last ? ctx.g.lastBranch : ctx.g.branch} ${r.listener.name}` }) };
  const flex: FlexColumn<FrontendRow> = {
    title: 'STATE',
    want: 2 + 7 + 1 + Math.max(16, ...snap.frontends.flatMap((f) => f.listeners.map((l) => width(l.addr)))),
    min: 18,
    cell: (r) =>
      r.kind === 'frontend'
        ? [...statusSeg(r.frontend.status, ctx), { text: ` ${r.frontend.mode}${r.frontend.backends.length ? ` ${ctx.g.arrow} ${r.frontend.backends.join(',')}` : ''}`, tone: 'muted' }]
        : [...statusSeg(r.listener.status, ctx), { text: ` ${r.listener.addr}` }],
  };
  const cols: Column<FrontendRow>[] = [
    { id: 'sess', title: 'SESS', width: 5, align: 'right', priority: 1, cell: (r) => only(r, (f) => ({ text: fmtCount(f.counters.cur) }), { text: '' }) },
    { id: 'max', title: 'MAX', width: 5, align: 'right', priority: 6, cell: (r) => only(r, (f) => ({ text: fmtCount(f.counters.max), dim: true }), { text: '' }) },
    { id: 'limit', title: 'LIMIT', width: 6, align: 'right', priority: 8, cell: (r) => only(r, (f) => ({ text: f.maxconn ? fmtCount(f.maxconn) : 'global', dim: true }), { text: '' }) },
    { id: 'rate', title: 'SESS/s', width: 6, align: 'right', priority: 2, cell: (r) => only(r, (f) => ({ text: fmtRate(f.counters.rate) }), { text: '' }) },
    { id: 'spark', title: 'LAST 1m', shortTitle: '1m', width: 10, minWidth: 4, align: 'left', priority: 5, cell: (r, w) => only(r, (f) => ({ text: sparkline(ctx.rates.history(rateKey.frontend(f.name)), w, ctx.g), tone: 'accent' as Tone }), { text: '' }) },
    { id: 'conn', title: 'CONN/s', width: 6, align: 'right', priority: 3, cell: (r) => only(r, (f) => ({ text: fmtRate(f.counters.connRate) }), { text: '' }) },
    { id: 'in', title: 'IN/s', width: 5, align: 'right', priority: 4, cell: (r) => only(r, (f) => ({ text: fmtBytes(ctx.rates.bytes(rateKey.frontend(f.name)).in) }), { text: '' }) },
    { id: 'out', title: 'OUT/s', width: 5, align: 'right', priority: 4, cell: (r) => only(r, (f) => ({ text: fmtBytes(ctx.rates.bytes(rateKey.frontend(f.name)).out) }), { text: '' }) },
    { id: 'denied', title: 'DENY', width: 5, align: 'right', priority: 3, cell: (r) => only(r, (f) => num(f.counters.denied, 'warn'), { text: '' }) },
    { id: 'errors', title: 'ERR', width: 4, align: 'right', priority: 3, cell: (r) => only(r, (f) => num(f.counters.errors, 'down'), { text: '' }) },
    { id: 'total', title: 'TOTAL', width: 6, align: 'right', priority: 7, cell: (r) => only(r, (f) => ({ text: fmtCount(f.counters.total) }), { text: '' }) },
  ];
  const l = layout(w, lead, flex, cols);
  return { title: titleLine(l), lines: rows.map((r) => rowLine(l, r)) };
}
