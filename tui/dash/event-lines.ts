/**
 * The event log's lines. A daemon event's own message is HAProxy's long log line; on a wall screen the
 * log panel wants the gist first: time, object, old → new state, and why (`L7STS/503 Service
 * Unavailable`, `via monitoring/server-2`, `operator: set server …`). Reloads and process events keep
 * their message. The dashboard's own connection news is written the same way, marked `dash`.
 */
import type { EventCause, LbdEvent } from '../../shared/events.js';
import { statusTone, type Palette, type Tone } from './palette.js';
import { clock } from './text.js';

/** Why a change happened, in a few words. */
export function causeText(c: EventCause): string {
  switch (c.kind) {
    case 'check': {
      const code = c.code !== null ? `/${c.code}` : '';
      return `${c.status}${code}${c.info ? ` ${c.info}` : ''}`;
    }
    case 'track':
      return `via ${c.via}`;
    case 'operator':
      return `operator: ${c.command}`;
    case 'observe':
      return `${c.errors} observed errors`;
    case 'reload':
      return 'reload';
    case 'startup':
      return 'startup';
    case 'slowstart':
      return 'slowstart';
  }
}

/** The tone of an event, from the state it went to. */
export function eventTone(e: LbdEvent): Tone {
  if (e.kind === 'reload') return /refused|failed/.test(e.message) ? 'bad' : 'good';
  if (e.kind === 'process') return 'plain';
  if (e.kind === 'backend-state') return e.to === 'UP' ? 'good' : 'bad';
  if (e.kind === 'server-weight' || e.kind === 'server-health' || e.kind === 'frontend-state') return 'plain';
  return statusTone(e.to);
}

/** One line of the log for a daemon event. */
export function eventLine(e: LbdEvent, p: Palette): string {
  const time = p.paint('muted', clock(e.time));
  if (e.kind === 'reload' || e.kind === 'process' || e.object === '') return `${time} ${p.paint(eventTone(e), e.message)}`;
  const change = e.from === e.to ? e.to : `${e.from} → ${p.paint(eventTone(e), e.to)}`;
  return `${time} ${p.bold(e.object)} ${change}  ${p.paint('muted', causeText(e.cause))}`;
}

/** One line of the log for the dashboard's own news (connection lost, back). */
export function dashLine(at: number, text: string, tone: Tone, p: Palette): string {
  return `${p.paint('muted', clock(at))} ${p.paint(tone, `dash: ${text}`)}`;
}
