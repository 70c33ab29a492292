/**
 * The top of the console: the unreachable banner, the header (lbd version, uptime, config and last
 * reload, totals, server counts by state, age of the data) and the tab line. Each line is made of
 * parts with a priority; on a narrow terminal the least important parts are dropped whole, never cut
 * in the middle of a word.
 */
import type { Snapshot } from '../../shared/snapshot.js';
import type { ConnState, FeedState } from './feed.js';
import { basename, fmtAge, fmtBytes, fmtClock, fmtDuration, fmtRate } from './format.js';
import type { Glyphs } from './glyphs.js';
import { lineWidth, type Line, type Seg } from './line.js';
import { rateKey, type RateHistory } from './rates.js';
import { BUCKETS, STATE_STYLES, stateKind, type StateBucket } from './status.js';
import { sortLabel } from './tree.js';
import { VIEWS, type UiState } from './state.js';

export interface Part {
  segs: Seg[];
  /** Lower is kept longer. */
  priority: number;
}

/**
 * Parts laid out left to right, `right` parts flush right, separated by two spaces; while the line is
 * wider than `w`, the part with the highest priority number is dropped (the last of equals first).
 */
export function pack(left: Part[], right: Part[], w: number): Line {
  const l = [...left];
  const r = [...right];
  const total = () => [...l, ...r].reduce((n, p) => n + lineWidth(p.segs) + 2, -2);
  while (l.length + r.length > 1 && total() > w) {
    let worst: Part[] | null = null;
    let wi = -1;
    for (const arr of [l, r]) {
      arr.forEach((p, i) => {
        const cur = worst ? worst[wi]! : null;
        if (!cur || p.priority >= cur.priority) {
          worst = arr;
          wi = i;
        }
      });
    }
    (worst as Part[] | null)?.splice(wi, 1);
  }
  const join = (ps: Part[]) => ps.flatMap((p, i) => (i ? [{ text: '  ' }, ...p.segs] : p.segs));
  const L = join(l);
  const R = join(r);
  const gap = Math.max(R.length ? 2 : 0, w - lineWidth(L) - lineWidth(R));
  return R.length ? [...L, { text: ' '.repeat(gap) }, ...R] : L;
}

/** Server counts by the header's buckets, from the status strings. */
export function stateCounts(snap: Snapshot): Record<StateBucket, number> {
  const n: Record<StateBucket, number> = { UP: 0, DOWN: 0, DRAIN: 0, MAINT: 0, NOLB: 0 };
  for (const b of snap.backends) for (const s of b.servers) n[STATE_STYLES[stateKind(s.status)].bucket]++;
  return n;
}

/** The banner shown while the daemon is not connected, or null when it is. */
export function bannerLine(conn: ConnState, feed: FeedState, socket: string, g: Glyphs, now: number): Line | null {
  if (conn.kind === 'open') return null;
  const age = feed.receivedAt !== null ? `showing data from ${fmtAge(now, feed.receivedAt)} ago` : 'no data yet';
  if (conn.kind === 'connecting') {
    const t = `connecting to lbd at ${socket}${conn.attempt ? ` (attempt ${conn.attempt + 1})` : ''}… ${g.sep} ${age}`;
    return [{ text: ` ${t} `, tone: 'warn', inverse: true, bold: true }];
  }
  if (conn.kind === 'fatal') return [{ text: ` ${g.down} ${conn.error}: not retrying ${g.sep} q quits `, tone: 'down', inverse: true, bold: true }];
  const retry = conn.retryAt !== null ? `retrying in ${fmtDuration(Math.max(0, conn.retryAt - now))}${conn.attempt ? ` (attempt ${conn.attempt})` : ''}` : 'reconnecting';
  // the client's message names the socket already: keep only the reason after it
  const at = conn.error.indexOf(`${socket}: `);
  const why = at >= 0 ? conn.error.slice(at + socket.length + 2) : conn.error;
  return [{ text: ` ${g.down} lbd unreachable at ${socket} (${why}) ${g.sep} ${retry} ${g.sep} ${age} `, tone: 'down', inverse: true, bold: true }];
}

function ageTone(feed: FeedState, now: number, intervalMs: number): Seg['tone'] {
  if (feed.conn.kind !== 'open') return 'down';
  if (feed.receivedAt !== null && now - feed.receivedAt > 3 * intervalMs + 1000) return 'warn';
  return undefined;
}

/** The header: two lines, or one (`compact`) on a short terminal. */
export function headerLines(feed: FeedState, rates: RateHistory, w: number, g: Glyphs, o: { readOnly: boolean; intervalMs: number; compact: boolean }, now: number): Line[] {
  const snap = feed.snapshot;
  const level = feed.welcome?.level;
  const age: Part = { segs: [{ text: `data ${feed.receivedAt !== null ? fmtAge(now, feed.receivedAt) : '-'}`, tone: ageTone(feed, now, o.intervalMs), dim: ageTone(feed, now, o.intervalMs) === undefined }], priority: 1 };
  const title: Part[] = [{ segs: [{ text: `lbd ${snap?.process.version ?? feed.welcome?.server.replace(/^lbd /, '') ?? ''}`.trim(), bold: true, tone: 'accent' }], priority: 0 }];
  if (o.readOnly) title.push({ segs: [{ text: 'read-only', tone: 'warn', bold: true }], priority: 0 });
  else if (level && level !== 'admin') title.push({ segs: [{ text: `level ${level}: no actions`, tone: 'warn' }], priority: 1 });
  if (!snap) return [pack(title, [age], w)];
  const p = snap.process;
  const counts = stateCounts(snap);
  const countParts: Part[] = BUCKETS.filter((b) => b.bucket !== 'NOLB' || counts.NOLB > 0).map((b, i) => {
    const n = counts[b.bucket];
    return { segs: [{ text: `${g[b.glyph]} ${n} ${b.bucket}`, ...(n > 0 ? { tone: b.tone, bold: b.bucket !== 'UP' } : { dim: true }) }], priority: i === 0 ? 0 : 1 };
  });
  const reload = p.lastReload;
  const reloadPart: Part = reload
    ? { segs: [{ text: `reload ${fmtClock(reload.at)} ` }, { text: reload.ok ? `ok (${reload.messages.length ? `${reload.messages.length} change${reload.messages.length > 1 ? 's' : ''}` : 'no changes'})` : `FAILED (${reload.messages.length} error${reload.messages.length === 1 ? '' : 's'})`, tone: reload.ok ? 'up' : 'down', bold: !reload.ok }], priority: 2 }
    : { segs: [{ text: 'not reloaded', dim: true }], priority: 6 };
  const files = p.configFiles.join(' ');
  const l1: Part[] = [
    ...title,
    { segs: [{ text: `up ${fmtDuration(now - p.startedAt)}` }], priority: 4 },
    { segs: [{ text: `pid ${p.pid}`, dim: true }], priority: 7 },
    { segs: [{ text: files, dim: true }], priority: 5 },
    { segs: [{ text: p.configFiles.map(basename).join(' '), dim: true }], priority: 3 },
    reloadPart,
  ];
  // the full path and the file name are alternatives: keep only the one that fits
  const fitsFull = lineWidth(pack(l1.filter((x) => x.priority !== 3), [age], 10_000)) <= w;
  const line1 = pack(l1.filter((x) => (fitsFull ? x.priority !== 3 : x.priority !== 5)), [age], w);
  if (o.compact) return [pack([...title, ...countParts.map((c) => ({ ...c, priority: c.priority + 1 })), reloadPart], [age], w)];
  const total = rates.bytes(rateKey.total);
  const http = snap.frontends.filter((f) => f.mode === 'http');
  const l2: Part[] = [
    { segs: [{ text: 'sess ', dim: true }, { text: String(p.currConns), bold: true }], priority: 0 },
    { segs: [{ text: 'conn/s ', dim: true }, { text: fmtRate(p.connRate) }], priority: 1 },
    // with HTTP frontends, their request rate matters more than bytes (kept at 80 columns); without, it is a dash
    { segs: [{ text: 'req/s ', dim: true }, { text: http.length ? fmtRate(http.reduce((n, f) => n + (f.counters.reqRate ?? 0), 0)) : '-' }], priority: http.length ? 1 : 4 },
    { segs: [{ text: 'in ', dim: true }, { text: `${fmtBytes(total.in)}/s` }], priority: 2 },
    { segs: [{ text: 'out ', dim: true }, { text: `${fmtBytes(total.out)}/s` }], priority: 2 },
  ];
  return [line1, pack(l2, countParts, w)];
}

/** The tab line: the views with their number keys, the detail view's server, the filter and the sort. */
export function tabLine(ui: UiState, w: number): Line {
  const parts: Part[] = VIEWS.map((v) => {
    const active = ui.view === v.id || (ui.view === 'detail' && ui.back === v.id);
    // brackets, not only inverse video: the active view reads without colour or attributes
    return { segs: [{ text: active ? `[${v.key} ${v.label}]` : ` ${v.key} ${v.label} `, ...(active && ui.view !== 'detail' ? { inverse: true, bold: true } : active ? { bold: true } : { dim: true }) }], priority: 3 };
  });
  parts[0]!.priority = 2;
  if (ui.view === 'detail' && ui.detail) parts.push({ segs: [{ text: `[${ui.detail}]`, inverse: true, bold: true }], priority: 0 });
  const right: Part[] = [];
  if (ui.filter) right.push({ segs: [{ text: 'filter ', dim: true }, { text: ui.filter, tone: 'accent', bold: true }], priority: 1 });
  if (ui.sort !== 'config') right.push({ segs: [{ text: 'sort ', dim: true }, { text: sortLabel(ui.sort), tone: 'accent' }], priority: 1 });
  return pack(parts, right, w);
}
