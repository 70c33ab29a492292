/**
 * The servers view: backends with their servers as a tree, one row each. The STATE column is the one
 * that explains: symbol, HAProxy's status string, then why (the server it follows through track, the
 * last check with its code and duration, an admin state the status string hides). It keeps its width
 * and other columns are dropped first when the terminal is narrow.
 */
import { CHECK_STATUSES } from '../../shared/check-status.js';
import { ADMIN, type BackendSnapshot, type ServerSnapshot, type Snapshot } from '../../shared/snapshot.js';
import { layout, rowLine, titleLine, type Column, type FlexColumn } from './columns.js';
import { fmtAge, fmtBytes, fmtCount, fmtRate, fmtSince, sparkline } from './format.js';
import type { Glyphs } from './glyphs.js';
import { width, type Line, type Seg, type Tone } from './line.js';
import { rateKey, type RateHistory } from './rates.js';
import { adminHidden, adminText, stateLook } from './status.js';
import { fmtMs, hasHttp, latencyOf, reuseRatio } from './view-http.js';
import type { TreeRow } from './tree.js';

export interface ViewCtx {
  g: Glyphs;
  now: number;
  rates: RateHistory;
}

/** Cells the status word is padded to, so causes line up: `DOWN 1/2` and `no check` are the longest. */
const STATUS_PAD = 8;

/** The last check as a short text (`L7STS 503 12ms`) and its tone: red for a failure, muted when passing. */
export function checkText(s: ServerSnapshot): { text: string; info: string; tone: Tone | undefined } {
  const c = s.check;
  if (!c) return { text: '', info: '', tone: undefined };
  if (s.status.startsWith('MAINT')) return { text: 'checks paused', info: '', tone: 'muted' };
  if (!c.enabled) return { text: 'checks disabled', info: '', tone: 'muted' };
  const st = CHECK_STATUSES[c.status];
  let text: string = c.status;
  if (c.code !== null && st.layer >= 5) text += ` ${c.code}`;
  if (c.durationMs !== null && c.lastAt !== null) text += ` ${c.durationMs}ms`;
  const tone: Tone | undefined = st.outcome === 'failed' ? 'down' : st.outcome === 'conditional' ? 'warn' : 'muted';
  return { text, info: c.info, tone };
}

/**
 * Why a server is in its state, as segments: the admin state's origin when the server is in
 * maintenance or drain (an operator, the config, or `via` the tracked server), an admin state the
 * status hides (`[drain]` on a DOWN server), the server it follows through track, or its last check.
 */
function cause(s: ServerSnapshot, room: number): Seg[] {
  const out: Seg[] = [];
  if (adminHidden(s)) out.push({ text: `[${adminText(s)}] `, tone: 'warn' });
  if (s.status.includes('(via ')) return out;
  const a = s.admin;
  const inMaint = s.status.startsWith('MAINT');
  const inDrain = s.status.startsWith('DRAIN');
  if (inMaint && a & ADMIN.CMAINT && !(a & ADMIN.FMAINT)) return [...out, { text: 'disabled in config', tone: 'muted' }];
  if ((inMaint && a & ADMIN.FMAINT) || (inDrain && a & ADMIN.FDRAIN)) return [...out, { text: 'by operator', tone: 'muted' }];
  if (inDrain && a & ADMIN.IDRAIN && s.via) return [...out, { text: `via ${s.via}`, tone: 'muted' }];
  if (inMaint) return out;
  if (s.tracks) return [...out, { text: `via ${s.tracks}`, tone: 'muted' }];
  const c = checkText(s);
  if (c.text) {
    out.push({ text: c.text, ...(c.tone ? { tone: c.tone } : {}) });
    const used = out.reduce((n, x) => n + width(x.text), 0);
    if (c.info && used + 1 + width(c.info) <= room) out.push({ text: ` ${c.info}`, tone: 'muted' });
  }
  return out;
}

function stateCell(status: string, g: Glyphs): Seg[] {
  const look = stateLook(status, g);
  const word = status.includes('(via ') ? status : status.padEnd(STATUS_PAD);
  return [{ text: `${look.glyph} `, tone: look.tone }, { text: word, tone: look.tone, bold: look.kind !== 'up' && look.kind !== 'no-check' }];
}

function leadText(r: TreeRow, g: Glyphs): string {
  if (r.kind === 'backend') return `${r.collapsed ? g.collapsed : g.expanded} ${r.backend.name}`;
  return ` ${r.last ? g.lastBranch : g.branch} ${r.server.name}`;
}

function counters(r: TreeRow) {
  return r.kind === 'backend' ? r.backend.counters : r.server.counters;
}

function key(r: TreeRow): string {
  return r.kind === 'backend' ? rateKey.backend(r.backend.name) : r.key;
}

function backendCause(b: BackendSnapshot, r: Extract<TreeRow, { kind: 'backend' }>, g: Glyphs): Seg[] {
  const actives = b.servers.filter((s) => !s.backup).length;
  const backups = b.servers.length - actives;
  let t = `${b.active}/${actives} up`;
  if (backups) t += ` +${b.backup}/${backups} backup`;
  t += ` ${g.sep} ${b.mode} ${b.algo}`;
  if (r.collapsed) t += ` ${g.sep} folded`;
  else if (r.shown < r.total) t += ` ${g.sep} ${r.shown} of ${r.total} shown`;
  return [{ text: t, tone: 'muted' }];
}

/** The cells the STATE column wants for this snapshot: stable while only states change (the longest
 *  tracked name and check text decide it, not the current states). */
function flexWant(snap: Snapshot): number {
  let want = 24;
  for (const b of snap.backends) {
    // a backend's mode and algorithm may be cut: its `n/m up` may not
    want = Math.max(want, 2 + STATUS_PAD + 1 + width(`${b.servers.length}/${b.servers.length} up`));
    for (const s of b.servers) {
      if (s.tracks) want = Math.max(want, 2 + STATUS_PAD + 1 + 4 + width(s.tracks));
      else if (s.check) want = Math.max(want, 2 + STATUS_PAD + 1 + 16);
      if (s.status.includes('(via ')) want = Math.max(want, 2 + width(s.status));
    }
  }
  return want;
}

function leadWidth(snap: Snapshot, avail: number): number {
  let w = 6;
  for (const b of snap.backends) {
    w = Math.max(w, 2 + width(b.name));
    for (const s of b.servers) w = Math.max(w, 3 + width(s.name));
  }
  return Math.min(w, Math.max(10, Math.floor(avail * 0.35)));
}

/** The columns of the servers view for `width` cells (the cursor column excluded). */
export function serverLayout(snap: Snapshot, w: number, ctx: ViewCtx) {
  const { g, now, rates } = ctx;
  let wmax = 4;
  for (const b of snap.backends) for (const s of b.servers) wmax = Math.max(wmax, width(`${s.weight.eweight}/${s.weight.initial}`));
  const lead: Column<TreeRow> = { id: 'name', title: 'NAME', width: leadWidth(snap, w), align: 'left', priority: 0, cell: (r) => ({ text: leadText(r, g), bold: r.kind === 'backend' }) };
  const flex: FlexColumn<TreeRow> = {
    title: 'STATE',
    want: flexWant(snap),
    min: 20,
    cell: (r, room) => (r.kind === 'backend' ? [...stateCell(r.backend.status, g), { text: ' ' }, ...backendCause(r.backend, r, g)] : [...stateCell(r.server.status, g), { text: ' ' }, ...cause(r.server, room - 2 - STATUS_PAD - 1)]),
  };
  const cols: Column<TreeRow>[] = [
    { id: 'lastchg', title: 'CHANGED', width: 7, align: 'right', priority: 3, cell: (r) => ({ text: fmtSince(now, r.kind === 'backend' ? r.backend.lastChange : r.server.lastChange) }) },
    { id: 'weight', title: 'WGHT', width: wmax, align: 'right', priority: 4, cell: (r) => (r.kind === 'backend' ? { text: String(r.backend.weight) } : weightCell(r.server)) },
    { id: 'sess', title: 'SESS', width: 5, align: 'right', priority: 1, cell: (r) => ({ text: fmtCount(counters(r).cur) }) },
    { id: 'queue', title: 'QUE', width: 4, align: 'right', priority: 8, cell: (r) => numCell(counters(r).queueCur, 'warn') },
    { id: 'rate', title: 'SESS/s', width: 6, align: 'right', priority: 2, cell: (r) => ({ text: fmtRate(counters(r).rate) }) },
    { id: 'spark', title: 'LAST 1m', shortTitle: '1m', width: 10, minWidth: 4, align: 'left', priority: 5, cell: (r, w) => ({ text: sparkline(rates.history(key(r)), w, g), tone: 'accent' }) },
    { id: 'in', title: 'IN/s', width: 5, align: 'right', priority: 6, cell: (r) => ({ text: fmtBytes(rates.bytes(key(r)).in) }) },
    { id: 'out', title: 'OUT/s', width: 5, align: 'right', priority: 6, cell: (r) => ({ text: fmtBytes(rates.bytes(key(r)).out) }) },
    { id: 'err', title: 'ERR', width: 4, align: 'right', priority: 7, cell: (r) => numCell(counters(r).connectErrors + counters(r).responseErrors, 'down') },
    { id: 'admin', title: 'ADMIN', width: 5, align: 'left', priority: 9, cell: (r) => (r.kind === 'backend' ? { text: '' } : adminCell(r.server)) },
    { id: 'op', title: 'OP', width: 4, align: 'left', priority: 9, cell: (r) => (r.kind === 'backend' ? { text: '' } : { text: r.server.op === 'stopping' ? 'stop' : r.server.op, ...(r.server.op === 'up' ? {} : { tone: 'down' as Tone }) }) },
    { id: 'total', title: 'TOTAL', width: 6, align: 'right', priority: 10, cell: (r) => ({ text: fmtCount(counters(r).total) }) },
  ];
  // HTTP backends: requests per second and p99 latency, after the session columns (the 4 HTTP view has
  // them all; here they show when the terminal is wide enough, and the status line says them anyway)
  if (snap.backends.some((b) => b.mode === 'http' && hasHttp(b.counters))) {
    const i = cols.findIndex((c) => c.id === 'in');
    cols.splice(
      i,
      0,
      { id: 'req', title: 'REQ/s', width: 6, align: 'right', priority: 6, cell: (r) => (hasHttp(counters(r)) ? { text: fmtRate(counters(r).reqRate ?? 0) } : { text: '', dim: true }) },
      { id: 'p99', title: 'P99', width: 5, align: 'right', priority: 6, cell: (r) => (hasHttp(counters(r)) ? textOrDash(fmtMs(latencyOf(counters(r))?.p99)) : { text: '', dim: true }) },
    );
  }
  return layout(w, lead, flex, cols);
}

function textOrDash(t: string): Seg {
  return t === '-' ? { text: t, dim: true } : { text: t };
}

function numCell(n: number, tone: Tone): Seg {
  return n > 0 ? { text: fmtCount(n), tone } : { text: '0', dim: true };
}

function weightCell(s: ServerSnapshot): Seg {
  const changed = s.weight.user !== s.weight.initial;
  return { text: `${s.weight.eweight}/${s.weight.initial}`, ...(changed ? { tone: 'warn' as Tone } : {}) };
}

function adminCell(s: ServerSnapshot): Seg {
  const t = adminText(s).split(' ')[0]!;
  return t === 'ready' ? { text: t, dim: true } : { text: t, tone: t === 'maint' ? 'maint' : 'warn' };
}

/** The title line and one line per row of the servers view, for `w` cells. */
export function serverLines(snap: Snapshot, rows: readonly TreeRow[], w: number, ctx: ViewCtx): { title: Line; lines: Line[] } {
  const l = serverLayout(snap, w, ctx);
  return { title: titleLine(l), lines: rows.map((r) => rowLine(l, r)) };
}

/** One line about the selected row for the status line: everything the dropped columns would say. */
export function summaryLine(r: TreeRow, ctx: ViewCtx): Line {
  const { g, now } = ctx;
  const sep = ` ${g.sep} `;
  if (r.kind === 'backend') {
    const b = r.backend;
    return [{ text: `${b.name} `, bold: true }, ...stateCell(b.status, g).map((x, i) => (i ? { ...x, text: x.text.trimEnd() } : x)), { text: `${sep}${b.active}/${b.servers.filter((s) => !s.backup).length} up${sep}weight ${b.weight}${sep}${b.counters.cur} sessions${httpSummary(b.counters, sep)}${sep}changed ${fmtAge(now, b.lastChange)} ago`, dim: true }];
  }
  const s = r.server;
  const c = checkText(s);
  const parts: string[] = [];
  if (c.text) parts.push(`${c.text}${c.info ? ` ${c.info}` : ''}`);
  if (s.tracks) parts.push(`tracks ${s.tracks}`);
  const http = httpSummary(s.counters, sep);
  if (http) parts.push(http.slice(sep.length));
  parts.push(`changed ${fmtAge(now, s.lastChange)} ago`, `admin ${adminText(s)}`, `op ${s.op}`, `weight ${s.weight.eweight}/${s.weight.initial}`);
  return [{ text: `${s.backend}/${s.name} `, bold: true }, ...stateCell(s.status, g).map((x, i) => (i ? { ...x, text: x.text.trimEnd() } : x)), { text: sep + parts.join(sep), dim: true }];
}

/** HTTP figures for the status line (`${sep}12 req/s${sep}5xx 3${sep}p50 1.2ms p99 9ms${sep}reuse 87%`), or '' without HTTP counters. */
function httpSummary(c: ServerSnapshot['counters'], sep: string): string {
  if (!hasHttp(c)) return '';
  let t = `${sep}${fmtRate(c.reqRate ?? 0)} req/s`;
  if (c.hrsp5xx) t += `${sep}5xx ${fmtCount(c.hrsp5xx)}`;
  const lat = latencyOf(c);
  if (lat) t += `${sep}p50 ${fmtMs(lat.p50)} p99 ${fmtMs(lat.p99)}`;
  t += `${sep}reuse ${reuseRatio(c)}`;
  return t;
}
