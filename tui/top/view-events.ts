/**
 * The events view: the daemon's state changes (with their cause: the check result, the server
 * followed through track, the operator's command) and this console's own actions with lbd's reply,
 * in one list, newest first. The `/` filter applies here too.
 */
import type { EventCause, LbdEvent } from '../../shared/events.js';
import { fmtClock } from './format.js';
import type { Glyphs } from './glyphs.js';
import { pad, width, type Line, type Seg } from './line.js';
import type { LocalEntry } from './state.js';
import { stateKind, stateLook } from './status.js';
import type { Filter } from './tree.js';

export type EventRow = { kind: 'event'; key: string; time: number; event: LbdEvent } | { kind: 'action'; key: string; time: number; entry: LocalEntry };

/** Why an event happened, in a few words. An operator's command is shortened when it names the event's
 *  own object (`set server myApp/s1 state maint` on myApp/s1 reads `operator: state maint`). */
export function causeText(c: EventCause, object = ''): string {
  switch (c.kind) {
    case 'check':
      return `${c.status}${c.code !== null ? ` ${c.code}` : ''} ${c.durationMs}ms${c.info ? ` ${c.info}` : ''}`;
    case 'track':
      return `via ${c.via}`;
    case 'operator': {
      const own = object && c.command.startsWith(`set server ${object} `) ? c.command.slice(`set server ${object} `.length) : c.command;
      return `operator: ${own}`;
    }
    case 'observe':
      return `observe: ${c.errors} errors`;
    default:
      return c.kind;
  }
}

/** Daemon events and local actions merged, newest first, filtered. */
export function eventRows(events: readonly LbdEvent[], log: readonly LocalEntry[], filter: Filter | null): EventRow[] {
  const rows: EventRow[] = [];
  for (const e of events) {
    if (filter && !filter.test(`${e.object} ${e.from} ${e.to} ${e.message}`)) continue;
    // seqs restart with a new daemon: the time keeps keys unique across a restart
    rows.push({ kind: 'event', key: `e:${e.time}.${e.seq}:${e.object}`, time: e.time, event: e });
  }
  for (const a of log) {
    if (filter && !filter.test(`${a.title} ${a.command} ${a.summary}`)) continue;
    rows.push({ kind: 'action', key: `a:${a.id}`, time: a.time, entry: a });
  }
  // both inputs are newest first; a stable sort keeps that order among equal times
  return rows.sort((x, y) => y.time - x.time);
}

/** An event's `from → to` without the `(via …)` that its cause already says. */
export function changeText(e: LbdEvent, arrow: string): string {
  const strip = (t: string) => (e.cause.kind === 'track' ? t.replace(` (via ${e.cause.via})`, '') : t);
  return e.kind === 'server-weight' ? `weight ${e.from} ${arrow} ${e.to}` : `${strip(e.from)} ${arrow} ${strip(e.to)}`;
}

/** The status line's text for a selected row: the daemon's full log line, or the action and its reply. */
export function eventSummary(r: EventRow): Line {
  if (r.kind === 'event') return [{ text: r.event.message }];
  const a = r.entry;
  return [{ text: `${a.command}: `, dim: true }, { text: a.lines.length ? a.lines.join('; ') : a.summary }];
}

const SERVER_KINDS = new Set(['server-state', 'server-admin', 'server-check', 'server-health', 'backend-state']);

/** The title and lines of the events view for `w` cells. */
/** Column widths come from all `rows`; lines are made for `visible` (default: all). */
export function eventLines(rows: readonly EventRow[], w: number, g: Glyphs, visible: readonly EventRow[] = rows): { title: Line; lines: Line[] } {
  let ow = 6;
  let tw = 10;
  for (const r of rows) {
    if (r.kind !== 'event') continue;
    ow = Math.max(ow, width(r.event.object));
    if (SERVER_KINDS.has(r.event.kind) || r.event.kind === 'server-weight') tw = Math.max(tw, width(changeText(r.event, g.arrow)));
  }
  ow = Math.min(ow, Math.max(12, Math.floor(w * 0.28)));
  tw = Math.min(tw, Math.max(14, Math.floor(w * 0.3)));
  const title: Line = [{ text: `${pad('TIME', 8)}   ${pad('OBJECT', ow)} ${pad('CHANGE', tw)} CAUSE`, bold: true }];
  const lines = visible.map((r): Line => {
    if (r.kind === 'action') {
      const a = r.entry;
      const tone = a.ok === null ? 'warn' : a.ok ? 'up' : 'down';
      const mark = a.ok === null ? '…' : a.ok ? g.up : g.down;
      return [{ text: `${fmtClock(a.time)} ` }, { text: `${mark} `, tone }, { text: pad('you', ow) + ' ', bold: true }, { text: a.summary, tone: a.ok === false ? 'down' : undefined }];
    }
    const e = r.event;
    const look = stateLook(e.to, g);
    const known = stateKind(e.to) !== 'unknown' && SERVER_KINDS.has(e.kind);
    const segs: Seg[] = [{ text: `${fmtClock(e.time)} ` }, { text: `${known ? look.glyph : ' '} `, ...(known ? { tone: look.tone } : {}) }];
    segs.push({ text: pad(e.object || 'lbd', ow) + ' ' });
    if (SERVER_KINDS.has(e.kind) || e.kind === 'server-weight') {
      const change = changeText(e, g.arrow);
      segs.push({ text: pad(change, tw) + ' ', ...(known ? { tone: look.tone } : {}) });
      segs.push({ text: causeText(e.cause, e.object), tone: e.cause.kind === 'check' && /OK/.test(e.cause.status) ? 'muted' : e.cause.kind === 'check' ? 'down' : 'muted' });
    } else {
      segs.push({ text: e.message, tone: e.kind === 'reload' && /refused|error/i.test(e.message) ? 'down' : 'muted' });
    }
    return segs;
  });
  return { title, lines };
}
