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
import { causeText } from './view-events.js';

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

function checkLines(s: ServerSnapshot, g: Glyphs): Line[] {
  const c = s.check;
  if (!c) return [[{ text: 'no health check (and tracks none)', dim: true }]];
  const out: Line[] = [];
  const hist = [...c.history].reverse();
  if (hist.length === 0) out.push([{ text: 'no check finished yet', dim: true }]);
  for (const h of hist) {
    const st = CHECK_STATUSES[h.status];
    const tone: Tone = st.outcome === 'failed' ? 'down' : st.outcome === 'conditional' ? 'warn' : 'up';
    out.push([
      { text: `${fmtClock(h.at)} ` },
      { text: `${st.outcome === 'failed' ? g.down : g.up} ${pad(h.status, 7)}`, tone },
      { text: ` ${pad(h.code !== null && st.layer >= 5 ? String(h.code) : '', 3)} ${pad(`${h.durationMs}ms`, 6, 'right')} ` },
      { text: h.info, dim: true },
    ]);
  }
  return out;
}

function timelineLines(ref: string, events: readonly LbdEvent[], g: Glyphs): Line[] {
  const mine = events.filter((e) => e.object === ref && TIMELINE_KINDS.has(e.kind));
  if (mine.length === 0) return [[{ text: 'no state change seen since this console started', dim: true }]];
  return mine.map((e) => {
    const l = stateLook(e.to, g);
    return [{ text: `${fmtClock(e.time)} ` }, { text: e.kind === 'server-weight' ? `weight ${e.from} ${g.arrow} ${e.to}` : `${e.from} ${g.arrow} ${e.to}`, tone: l.tone }, { text: `  ${causeText(e.cause)}`, dim: true }];
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
  out.push([
    ...kv('admin', adminText(s), adminText(s) === 'ready' ? undefined : 'warn'),
    ...kv('op', s.op, s.op === 'up' ? 'up' : 'down'),
    ...kv('eligible', s.eligible ? 'yes' : 'no', s.eligible ? undefined : 'warn'),
    ...kv('changed', `${fmtAge(now, s.lastChange)} ago`),
    ...kv('downtime', fmtDuration(s.downtimeMs)),
  ]);
  out.push([
    ...kv('weight', `${s.weight.eweight} (set ${s.weight.user}, configured ${s.weight.initial}, effective ${s.weight.effective})`, s.weight.user !== s.weight.initial ? 'warn' : undefined),
    ...(s.throttle !== null ? kv('slowstart', `${s.throttle}%`, 'warn') : []),
  ]);
  const ck = s.check;
  if (ck) {
    out.push([
      ...kv('check', ck.enabled ? `${ck.status} ${CHECK_STATUSES[ck.status].desc}` : 'disabled', ck.enabled && CHECK_STATUSES[ck.status].outcome === 'failed' ? 'down' : undefined),
      ...kv('health', `${ck.health}/${ck.rise + ck.fall - 1} (rise ${ck.rise}, fall ${ck.fall})`),
      ...kv('last', ck.lastAt !== null ? `${fmtAge(now, ck.lastAt)} ago` : '-'),
      ...kv('fails', `${c.checkFailures} (down ${c.checkDowns})`),
    ]);
  }
  out.push([{ text: 'tracks ', dim: true }, ...(s.tracks ? relation(snap, s.tracks, g) : [{ text: 'none', dim: true }])]);
  if (s.trackedBy.length === 0) out.push([{ text: 'tracked by ', dim: true }, { text: 'none', dim: true }]);
  for (const t of s.trackedBy) out.push([{ text: 'tracked by ', dim: true }, ...relation(snap, t, g)]);

  const left = [section(s.tracks ? `last checks (of ${s.tracks})` : 'last checks', Math.min(w, 60), g), ...checkLines(s, g)];
  const right = [section('state timeline, newest first', Math.min(w, 60), g), ...timelineLines(ref, events, g)];
  if (w >= 110) {
    const half = Math.floor((w - 2) / 2);
    for (let i = 0; i < Math.max(left.length, right.length); i++) {
      out.push([...fit(left[i] ?? [], half, { fill: true }), { text: '  ' }, ...fit(right[i] ?? [], w - half - 2)]);
    }
  } else {
    out.push(...left, ...right);
  }
  const b = rates.bytes(rateKey.server(s.backend, s.name));
  out.push(section('counters', Math.min(w, 60), g));
  out.push([...kv('sessions', `${fmtCount(c.cur)} now`), ...kv('max', fmtCount(c.max)), ...kv('total', fmtCount(c.total)), ...kv('limit', s.maxconn ? String(s.maxconn) : 'none')]);
  out.push([...kv('rate', `${fmtRate(c.rate)}/s`), ...kv('max', `${fmtRate(c.rateMax)}/s`), { text: 'last 1m ', dim: true }, { text: sparkline(rates.history(rateKey.server(s.backend, s.name)), 30, g), tone: 'accent' }]);
  out.push([...kv('bytes in', `${fmtBytes(b.in)}/s`), ...kv('out', `${fmtBytes(b.out)}/s`), ...kv('total in', fmtBytes(c.bytesIn)), ...kv('out', fmtBytes(c.bytesOut))]);
  out.push([...kv('queue', `${c.queueCur} (max ${c.queueMax}, limit ${s.maxqueue || 'none'})`, c.queueCur ? 'warn' : undefined), ...kv('selected', fmtCount(c.selected))]);
  out.push([
    ...kv('errors connect', fmtCount(c.connectErrors), c.connectErrors ? 'down' : undefined),
    ...kv('response', fmtCount(c.responseErrors), c.responseErrors ? 'down' : undefined),
    ...kv('retries', fmtCount(c.retries)),
    ...kv('redispatches', fmtCount(c.redispatches)),
    ...kv('aborts cli/srv', `${c.cliAborts}/${c.srvAborts}`),
  ]);
  out.push([
    ...kv('time connect', `${c.connectTimeAvg}ms (max ${c.connectTimeMax})`),
    ...kv('queue', `${c.queueTimeAvg}ms (max ${c.queueTimeMax})`),
    ...kv('total', `${fmtDuration(c.totalTimeAvg)} (max ${fmtDuration(c.totalTimeMax)})`),
    ...kv('last session', c.lastSession !== null ? `${fmtAge(now, c.lastSession)} ago` : 'never'),
  ]);
  return out;
}
