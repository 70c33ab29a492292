/**
 * The server detail view (Enter on a server): who it is, its state with admin and operational state
 * side by side, its last checks (result, code, duration, time), its state timeline from the events,
 * the servers it tracks and that track it (with their states), and its counters. Two columns when the
 * terminal is wide enough, stacked otherwise; the view scrolls.
 */
import type { LbdEvent } from '../../shared/events.js';
import type { ServerSnapshot, Snapshot } from '../../shared/snapshot.js';
import { CHECK_STATUSES } from '../../shared/check-status.js';
import { fmtAge, fmtBytes, fmtClock, fmtCount, fmtDuration, fmtRate, sparkline } from './format.js';
import type { Glyphs } from './glyphs.js';
import { fit, pad, width, type Line, type Seg, type Tone } from './line.js';
import { rateKey, type RateHistory } from './rates.js';
import { adminText, stateLook } from './status.js';
import { findServer } from './tree.js';
import { causeText, changeText } from './view-events.js';

const TIMELINE_KINDS = new Set(['server-state', 'server-admin', 'server-check', 'server-weight', 'server-health']);

function section(title: string, w: number, g: Glyphs): Line {
  return [{ text: `${g.rule}${g.rule} ${title} `, bold: true }, { text: g.rule.repeat(Math.max(0, w - width(title) - 4)), dim: true }];
}

function stateSegs(status: string, g: Glyphs): Seg[] {
  const l = stateLook(status, g);
  return [{ text: `${l.glyph} ${status}`, tone: l.tone, bold: true }];
}

function kv(k: string, v: string, tone?: Tone): Seg[] {
  return [{ text: `${k} `, dim: true }, { text: v, ...(tone ? { tone } : {}) }, { text: '   ' }];
}

/** Consecutive checks with the same result, as one group (newest first): twenty identical `L7OK 200`
 *  lines say less than `L7OK 200 ×20 since 12:00:01`. */
export function groupChecks(history: NonNullable<ServerSnapshot['check']>['history']): { newest: (typeof history)[number]; oldestAt: number; count: number; minMs: number; maxMs: number }[] {
  const out: { newest: (typeof history)[number]; oldestAt: number; count: number; minMs: number; maxMs: number }[] = [];
  for (let i = history.length - 1; i >= 0; i--) {
    const h = history[i]!;
    const g = out[out.length - 1];
    if (g && g.newest.status === h.status && g.newest.code === h.code && g.newest.info === h.info) {
      g.count++;
      g.oldestAt = h.at;
      g.minMs = Math.min(g.minMs, h.durationMs);
      g.maxMs = Math.max(g.maxMs, h.durationMs);
    } else out.push({ newest: h, oldestAt: h.at, count: 1, minMs: h.durationMs, maxMs: h.durationMs });
  }
  return out;
}

function checkLines(s: ServerSnapshot, g: Glyphs): Line[] {
  const c = s.check;
  if (!c) return [[{ text: 'no health check (and tracks none)', dim: true }]];
  const out: Line[] = [];
  const groups = groupChecks(c.history);
  if (groups.length === 0) out.push([{ text: 'no check finished yet', dim: true }]);
  for (const grp of groups) {
    const h = grp.newest;
    const st = CHECK_STATUSES[h.status];
    const tone: Tone = st.outcome === 'failed' ? 'down' : st.outcome === 'conditional' ? 'warn' : 'up';
    const ms = grp.minMs === grp.maxMs ? `${grp.maxMs}ms` : `${grp.minMs}-${grp.maxMs}ms`;
    out.push([
      { text: `${fmtClock(h.at)} ` },
      { text: `${st.outcome === 'failed' ? g.down : g.up} ${pad(h.status, 7)}`, tone },
      { text: ` ${pad(h.code !== null && st.layer >= 5 ? String(h.code) : '', 3)} ${pad(ms, 7, 'right')} ` },
      ...(grp.count > 1 ? [{ text: `x${grp.count} since ${fmtClock(grp.oldestAt)} `, dim: true }] : []),
      { text: h.info, dim: true },
    ]);
  }
  return out;
}

/** Items laid out left to right, wrapped onto the next line at item boundaries (never cut inside one). */
export function flow(items: Seg[][], w: number): Line[] {
  const out: Line[] = [];
  let cur: Line = [];
  let used = 0;
  for (const it of items) {
    const iw = it.reduce((n, x) => n + width(x.text), 0);
    if (used > 0 && used + iw > w) {
      out.push(cur);
      cur = [];
      used = 0;
    }
    cur.push(...it);
    used += iw;
  }
  if (cur.length) out.push(cur);
  return out;
}

function timelineLines(ref: string, events: readonly LbdEvent[], g: Glyphs): Line[] {
  const mine = events.filter((e) => e.object === ref && TIMELINE_KINDS.has(e.kind));
  if (mine.length === 0) return [[{ text: 'no state change seen since this console started', dim: true }]];
  return mine.map((e) => {
    const l = stateLook(e.to, g);
    return [{ text: `${fmtClock(e.time)} ` }, { text: changeText(e, g.arrow), tone: l.tone }, { text: `  ${causeText(e.cause, e.object)}`, dim: true }];
  });
}

function relation(snap: Snapshot, ref: string, g: Glyphs): Seg[] {
  const s = findServer(snap, ref);
  return [{ text: `${ref} ` }, ...(s ? stateSegs(s.status, g) : [{ text: '(gone)', dim: true }])];
}

/** All lines of the detail view of `ref` for `w` cells (the screen scrolls them). */
export function detailLines(snap: Snapshot, ref: string, events: readonly LbdEvent[], rates: RateHistory, w: number, g: Glyphs, now: number): Line[] {
  const s = findServer(snap, ref);
  if (!s) return [[{ text: `${ref} is not in the configuration any more (removed by a reload?). Esc goes back.`, tone: 'warn' }]];
  const c = s.counters;
  const out: Line[] = [];
  out.push([{ text: `${ref}  `, bold: true }, { text: `${s.addr}${s.fqdn ? ` (${s.fqdn})` : ''}${s.backup ? '  backup' : ''}  `, dim: true }, ...stateSegs(s.status, g)]);
  out.push(
    ...flow(
      [
        kv('admin', adminText(s), adminText(s) === 'ready' ? undefined : 'warn'),
        kv('op', s.op, s.op === 'up' ? 'up' : 'down'),
        kv('eligible', s.eligible ? 'yes' : 'no', s.eligible ? undefined : 'warn'),
        kv('changed', `${fmtAge(now, s.lastChange)} ago`),
        kv('downtime', fmtDuration(s.downtimeMs)),
        kv('weight', `${s.weight.eweight} (set ${s.weight.user}, configured ${s.weight.initial}, effective ${s.weight.effective})`, s.weight.user !== s.weight.initial ? 'warn' : undefined),
        ...(s.throttle !== null ? [kv('slowstart', `${s.throttle}%`, 'warn')] : []),
      ],
      w,
    ),
  );
  const ck = s.check;
  if (ck) {
    out.push(
      ...flow(
        [
          kv('check', ck.enabled ? `${ck.status} ${CHECK_STATUSES[ck.status].desc}${ck.code !== null && CHECK_STATUSES[ck.status].layer >= 5 ? ` ${ck.code}` : ''}` : 'disabled', ck.enabled && CHECK_STATUSES[ck.status].outcome === 'failed' ? 'down' : undefined),
          kv('health', `${ck.health}/${ck.rise + ck.fall - 1} (rise ${ck.rise}, fall ${ck.fall})`),
          kv('last', ck.lastAt !== null ? `${fmtAge(now, ck.lastAt)} ago` : '-'),
          kv('fails', `${c.checkFailures} (down ${c.checkDowns})`),
        ],
        w,
      ),
    );
  }
  out.push([{ text: 'tracks ', dim: true }, ...(s.tracks ? relation(snap, s.tracks, g) : [{ text: 'none', dim: true }])]);
  if (s.trackedBy.length === 0) out.push([{ text: 'tracked by ', dim: true }, { text: 'none', dim: true }]);
  for (const t of s.trackedBy) out.push([{ text: 'tracked by ', dim: true }, ...relation(snap, t, g)]);

  const wide = w >= 110;
  const half = wide ? Math.floor((w - 2) / 2) : w;
  const left = [section(s.tracks ? `last checks (of ${s.tracks})` : 'last checks', Math.min(half, 60), g), ...checkLines(s, g)];
  const right = [section('state timeline, newest first', Math.min(half, 60), g), ...timelineLines(ref, events, g)];
  if (wide) {
    for (let i = 0; i < Math.max(left.length, right.length); i++) {
      out.push([...fit(left[i] ?? [], half, { fill: true }), { text: '  ' }, ...fit(right[i] ?? [], w - half - 2)]);
    }
  } else {
    out.push(...left, ...right);
  }
  const b = rates.bytes(rateKey.server(s.backend, s.name));
  out.push(section('counters', Math.min(w, 60), g));
  out.push(
    ...flow(
      [
        kv('sessions', `${fmtCount(c.cur)} now`),
        kv('max', fmtCount(c.max)),
        kv('total', fmtCount(c.total)),
        kv('limit', s.maxconn ? String(s.maxconn) : 'none'),
        kv('rate', `${fmtRate(c.rate)}/s`),
        kv('max', `${fmtRate(c.rateMax)}/s`),
        [{ text: 'last 1m ', dim: true }, { text: sparkline(rates.history(rateKey.server(s.backend, s.name)), 30, g), tone: 'accent' }, { text: '   ' }],
        kv('bytes in', `${fmtBytes(b.in)}/s`),
        kv('out', `${fmtBytes(b.out)}/s`),
        kv('total in', fmtBytes(c.bytesIn)),
        kv('out', fmtBytes(c.bytesOut)),
        kv('queue', `${c.queueCur} (max ${c.queueMax}, limit ${s.maxqueue || 'none'})`, c.queueCur ? 'warn' : undefined),
        kv('selected', fmtCount(c.selected)),
        kv('errors connect', fmtCount(c.connectErrors), c.connectErrors ? 'down' : undefined),
        kv('response', fmtCount(c.responseErrors), c.responseErrors ? 'down' : undefined),
        kv('retries', fmtCount(c.retries)),
        kv('redispatches', fmtCount(c.redispatches)),
        kv('aborts cli/srv', `${c.cliAborts}/${c.srvAborts}`),
        kv('time connect', `${c.connectTimeAvg}ms (max ${c.connectTimeMax})`),
        kv('queue', `${c.queueTimeAvg}ms (max ${c.queueTimeMax})`),
        kv('total', `${fmtDuration(c.totalTimeAvg)} (max ${fmtDuration(c.totalTimeMax)})`),
        kv('last session', c.lastSession !== null ? `${fmtAge(now, c.lastSession)} ago` : 'never'),
      ],
      w,
    ),
  );
  return out;
}
