/**
 * The whole screen as lines, from the feed, the interaction state and the terminal size: a pure
 * function, so every state of the console can be tested as text. The frame fills the terminal's height
 * and stays one cell narrower than it (writing the last column makes some terminals wrap or scroll).
 * Short terminals lose the key hints, then the tabs, then the second header line; below 40×10 one
 * line says the terminal is too small.
 */
import { cursorIndex, scrollTop } from './cursor.js';
import type { FeedState } from './feed.js';
import { glyphsFor } from './glyphs.js';
import { bannerLine, headerLines, tabLine } from './header.js';
import { certWarningLine } from './certs.js';
import { cut, fit, inverse, type Line } from './line.js';
import { confirmLines, helpText, hintsLine, promptLines, resultLines, statusLine, wrapText } from './panels.js';
import type { RateHistory } from './rates.js';
import type { KeyContext, ListView, UiState } from './state.js';
import { buildTree, compileFilter } from './tree.js';
import { detailLines } from './view-detail.js';
import { eventLines, eventRows, eventSummary } from './view-events.js';
import { frontendLines, frontendRows } from './view-frontends.js';
import { httpLines } from './view-http.js';
import { serverLines, summaryLine } from './view-servers.js';

export const MIN_COLS = 40;
export const MIN_ROWS = 10;

export interface ScreenOptions {
  readOnly: boolean;
  ascii: boolean;
  socket: string;
  intervalMs: number;
  /** A line of advice shown above the key hints while there is room (`make demo` says how to fail a backend). */
  hint?: string;
}

export interface ScreenInput {
  feed: FeedState;
  rates: RateHistory;
  ui: UiState;
  cols: number;
  rows: number;
  opts: ScreenOptions;
  now: number;
}

export interface Screen {
  lines: Line[];
  ctx: KeyContext;
}

interface Body {
  title: Line | null;
  lines: Line[];
  keys: string[];
  /** Index in `lines` of the selected row, or -1 (text views). */
  cursor: number;
  /** Lines in a scrollable text view (for the key handler's bounds). */
  textLines: number;
  /** Rows or text lines that fit (the page size). */
  height: number;
  /** The status line's summary of the selected row, when there is one. */
  summary?: Line | null;
}

/** A list under its title line, in `room` lines: the rows around the cursor. */
function listBody(title: Line, all: { key: string }[], make: (visible: number[]) => Line[], pos: UiState['lists'][ListView], room: number): Body {
  const h = Math.max(1, room - 1);
  const keys = all.map((r) => r.key);
  const cur = cursorIndex(pos, keys);
  const top = scrollTop(pos.top, cur, h, keys.length);
  const idx: number[] = [];
  for (let i = top; i < Math.min(keys.length, top + h); i++) idx.push(i);
  return { title, lines: make(idx), keys, cursor: cur - top, textLines: 0, height: h };
}

/** A scrolled text in `h` lines; when it does not fit, the last line says where the view is. */
function textBody(lines: Line[], top: number, h: number): Body {
  if (lines.length <= h) return { title: null, lines, keys: [], cursor: -1, textLines: lines.length, height: h };
  const page = Math.max(1, h - 1);
  const t = Math.max(0, Math.min(top, lines.length - page));
  const shown = lines.slice(t, t + page);
  const more: Line = [{ text: `lines ${t + 1}-${t + shown.length} of ${lines.length}  ↑↓ scroll`, dim: true }];
  // the key handler bounds scrolling by textLines - bodyHeight: count the indicator line in
  return { title: null, lines: [...shown, more], keys: [], cursor: -1, textLines: lines.length + 1, height: h };
}

function message(t: string): Body {
  return { title: null, lines: [[{ text: t, dim: true }]], keys: [], cursor: -1, textLines: 0, height: 1 };
}

function body(inp: ScreenInput, w: number, h: number): Body {
  const { feed, ui, rates, now } = inp;
  const g = glyphsFor(inp.opts.ascii);
  const snap = feed.snapshot;
  const filter = compileFilter(ui.filter);
  const vctx = { g, now, rates };
  const view = ui.view;
  if (view === 'events') {
    const rows = eventRows(feed.events, ui.log, filter);
    if (rows.length === 0) return message(filter ? `no event matches ${ui.filter} (Esc clears the filter)` : 'no events yet');
    const title = eventLines(rows, w, g, []).title;
    const b = listBody(title, rows, (idx) => eventLines(rows, w, g, idx.map((i) => rows[i]!)).lines, ui.lists.events, h);
    const sel = rows[cursorIndex(ui.lists.events, b.keys)];
    return { ...b, summary: sel ? eventSummary(sel) : null };
  }
  if (!snap) return message(feed.conn.kind === 'open' ? 'waiting for the first snapshot…' : 'no data: lbd has not answered yet');
  if (view === 'servers') {
    const rows = buildTree(snap, { filter, sort: ui.sort, collapsed: ui.collapsed });
    if (rows.length === 0) return message(filter ? `no server matches ${ui.filter} (Esc clears the filter)` : 'no backends in the configuration');
    const title = serverLines(snap, [], w, vctx).title;
    const b = listBody(title, rows, (idx) => serverLines(snap, idx.map((i) => rows[i]!), w, vctx).lines, ui.lists.servers, h);
    const sel = rows[cursorIndex(ui.lists.servers, b.keys)];
    return { ...b, summary: sel ? summaryLine(sel, vctx) : null };
  }
  if (view === 'frontends') {
    const rows = frontendRows(snap);
    if (rows.length === 0) return message('no frontends in the configuration');
    const title = frontendLines(snap, [], w, vctx).title;
    return listBody(title, rows, (idx) => frontendLines(snap, idx.map((i) => rows[i]!), w, vctx).lines, ui.lists.frontends, h);
  }
  if (view === 'http') return textBody(httpLines(snap, g, rates, w), ui.lists.http.top, h);
  return textBody(detailLines(snap, ui.detail ?? '', feed.events, rates, w, g, now), ui.detailTop, h);
}

/** The servers view's second pane, in the lines the tree leaves free: the latest events, so what just
 *  happened is beside what is. Only when at least three events fit; dropped first on a short terminal. */
function recentEvents(inp: ScreenInput, w: number, free: number): Line[] {
  if (free < 5) return [];
  const rows = eventRows(inp.feed.events, inp.ui.log, null);
  if (rows.length === 0) return [];
  const g = glyphsFor(inp.opts.ascii);
  const n = Math.min(rows.length, free - 2);
  const title = ' recent events ';
  const out: Line[] = [[], [{ text: `${g.rule}${g.rule}${title}`, bold: true }, { text: g.rule.repeat(Math.max(0, w - title.length - 3)), dim: true }]];
  for (const l of eventLines(rows, w - 1, g, rows.slice(0, n)).lines) out.push([{ text: ' ' }, ...l]);
  return out;
}

/** A text taller than `room` set in two columns when the terminal is wide enough, split before a
 *  heading (an unindented line) near the middle, so the help fits on one screen at 100 columns. */
function twoColumns(lines: Line[], room: number, w: number): Line[] {
  if (lines.length <= room || w < 100) return lines;
  const heading = (l: Line) => !!l[0]?.bold && !l[0].text.startsWith(' ');
  let split = Math.ceil(lines.length / 2);
  for (let d = 0; d < lines.length / 2; d++) {
    if (heading(lines[split + d] ?? [])) {
      split += d;
      break;
    }
    if (heading(lines[split - d] ?? [])) {
      split -= d;
      break;
    }
  }
  const half = Math.floor(w / 2);
  const left = lines.slice(0, split);
  const right = lines.slice(split);
  const out: Line[] = [];
  for (let i = 0; i < Math.max(left.length, right.length); i++) out.push([...fit(left[i] ?? [], half - 1, { fill: true }), { text: ' ' }, ...(right[i] ?? [])]);
  return out;
}

/** Why server actions are not possible now, or null. */
function actionBlocked(feed: FeedState): string | null {
  if (feed.conn.kind !== 'open') return 'not connected to lbd: actions wait until it is back';
  const level = feed.welcome?.level;
  if (level && level !== 'admin') return `the admin socket's level is ${level}: actions need level admin`;
  return null;
}

/** The frame for a terminal of `cols`×`rows`, and what the key handler needs to know about it. */
export function buildScreen(inp: ScreenInput): Screen {
  const { cols, rows, ui, feed, opts, now } = inp;
  const W = Math.max(1, cols - 1);
  const H = Math.max(1, rows);
  const g = glyphsFor(opts.ascii);
  const baseCtx: KeyContext = { keys: [], bodyHeight: 1, snapshot: feed.snapshot, readOnly: opts.readOnly, actionBlocked: actionBlocked(feed), textLines: 0, now };
  if (cols < MIN_COLS || rows < MIN_ROWS) {
    const says = [`lbctl top: too small (${cols}x${rows} < ${MIN_COLS}x${MIN_ROWS})`, `too small: ${cols}x${rows}`, 'too small'];
    return { lines: [fit([{ text: says.find((t) => t.length <= W) ?? says[2]! }], W)], ctx: baseCtx };
  }
  const top: Line[] = [];
  const banner = bannerLine(feed.conn, feed, opts.socket, g, now);
  if (banner) top.push(banner);
  top.push(...headerLines(feed, inp.rates, W, g, { readOnly: opts.readOnly, intervalMs: opts.intervalMs, compact: H < 15 }, now));
  // a certificate that expires within 30 days: one line under the header, kept even on short terminals
  const certWarning = certWarningLine(feed.snapshot, now, g);
  if (certWarning) top.push(fit(certWarning, W));
  if (H >= 13) top.push(tabLine(ui, W));

  // the bottom: the status line, then a confirmation or prompt panel (which ends with its keys), or the hints
  const bottom: Line[] = [[]];
  const statusAt = 0;
  const m = ui.mode;
  if (m.kind === 'confirm') bottom.push(...confirmLines(m.plan, W, g, opts.readOnly));
  else if (m.kind === 'prompt') bottom.push(...promptLines(m, W, g, opts.readOnly, null));
  const promptLen = bottom.length - 1;
  if (opts.hint && H >= 20 && m.kind === 'normal') bottom.push([{ text: cut(opts.hint, W), tone: 'accent' }]);
  if (H >= 17 && m.kind !== 'confirm' && m.kind !== 'prompt') bottom.push(hintsLine(m.kind === 'help' || m.kind === 'result' ? m.kind : 'normal', W, opts.readOnly, ui.view === 'servers' || ui.view === 'detail'));

  const room = Math.max(1, H - top.length - bottom.length);
  let summary: Line | null = null;
  let mid: Line[];
  let ctx: KeyContext;
  if (m.kind === 'help') {
    const all = twoColumns(helpText(opts.readOnly, g), room, W);
    mid = textBody(all, m.top, room).lines;
    ctx = { ...baseCtx, bodyHeight: room, textLines: all.length };
    summary = [];
  } else if (m.kind === 'result') {
    summary = [];
    mid = resultLines(m, room, W, g);
    ctx = { ...baseCtx, bodyHeight: Math.max(1, room - 1), textLines: m.lines.reduce((n, l) => n + wrapText(l, W - 2, 4).length, 0) };
  } else {
    const b = body(inp, W - 1, room);
    mid = [];
    if (b.title) mid.push([{ text: ' ' }, ...b.title]);
    b.lines.forEach((l, i) => {
      const sel = i === b.cursor;
      const row: Line = [{ text: sel ? g.cursor : ' ', bold: sel }, ...l];
      mid.push(sel ? inverse(fit(row, W, { fill: true })) : row);
    });
    ctx = { ...baseCtx, keys: b.keys, bodyHeight: b.height, textLines: b.textLines };
    summary = b.summary ?? null;
    if (ui.view === 'servers' && feed.snapshot) mid.push(...recentEvents(inp, W, room - mid.length));
    // the filter prompt says how many rows the filter leaves
    if (m.kind === 'prompt' && m.purpose === 'filter') bottom.splice(1, promptLen, ...promptLines(m, W, g, opts.readOnly, b.keys.length));
  }
  bottom[statusAt] = statusLine(ui.status, W, now, summary);
  const frame = [...top, ...mid.slice(0, Math.max(0, H - top.length - bottom.length))];
  while (frame.length < H - bottom.length) frame.push([]);
  frame.push(...bottom);
  return { lines: frame.slice(0, H).map((l) => fit(l, W)), ctx };
}
