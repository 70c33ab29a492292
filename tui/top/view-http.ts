/**
 * The HTTP view. lbd balances TCP today: until a frontend runs `mode http`, this view says so plainly
 * and shows what the snapshot does have about HTTP: the HTTP health checks of `mode http` backends,
 * their answers by status class from each server's recent check history. Once HTTP frontends exist,
 * their sessions, rates and bytes are listed; response classes appear when the snapshot carries them.
 */
import type { Snapshot } from '../../shared/snapshot.js';
import { fmtBytes, fmtCount, fmtRate } from './format.js';
import type { Glyphs } from './glyphs.js';
import { pad, type Line } from './line.js';
import { rateKey, type RateHistory } from './rates.js';

const CLASSES = ['1xx', '2xx', '3xx', '4xx', '5xx', 'other'] as const;

/** Check answers by HTTP status class over the recent check history of a backend's servers. */
export function checkClasses(snap: Snapshot, backend: string): { counts: Record<(typeof CLASSES)[number], number>; checks: number } {
  const counts = { '1xx': 0, '2xx': 0, '3xx': 0, '4xx': 0, '5xx': 0, other: 0 };
  let checks = 0;
  const b = snap.backends.find((x) => x.name === backend);
  for (const s of b?.servers ?? []) {
    if (s.tracks) continue; // a tracker shows its tracked server's checks: count them once
    for (const h of s.check?.history ?? []) {
      checks++;
      const k = h.code !== null && h.code >= 100 && h.code < 600 ? (`${Math.floor(h.code / 100)}xx` as (typeof CLASSES)[number]) : 'other';
      counts[k]++;
    }
  }
  return { counts, checks };
}

/** The HTTP view's lines for `w` cells. */
export function httpLines(snap: Snapshot, g: Glyphs, rates: RateHistory): Line[] {
  const fronts = snap.frontends.filter((f) => f.mode === 'http');
  const backs = snap.backends.filter((b) => b.mode === 'http');
  const out: Line[] = [];
  if (fronts.length === 0) {
    out.push([{ text: 'No HTTP frontends yet', bold: true, tone: 'accent' }, { text: `: every frontend runs mode tcp (${snap.frontends.map((f) => f.name).join(', ') || 'none'}).` }]);
    out.push([{ text: 'Response classes (1xx-5xx) and request rates show here', tone: 'muted' }]);
    out.push([{ text: 'once a frontend runs mode http.', tone: 'muted' }]);
  } else {
    out.push([{ text: `${pad('FRONTEND', 16)} ${pad('SESS', 5, 'right')} ${pad('REQ/s', 6, 'right')} ${pad('IN/s', 5, 'right')} ${pad('OUT/s', 5, 'right')} ${pad('ERR', 4, 'right')}  RESPONSES`, bold: true }]);
    for (const f of fronts) {
      const b = rates.bytes(rateKey.frontend(f.name));
      out.push([
        { text: `${pad(f.name, 16)} ${pad(fmtCount(f.counters.cur), 5, 'right')} ${pad(fmtRate(f.counters.rate), 6, 'right')} ${pad(fmtBytes(b.in), 5, 'right')} ${pad(fmtBytes(b.out), 5, 'right')} ${pad(fmtCount(f.counters.errors), 4, 'right')}  ` },
        { text: 'not in the snapshot yet', tone: 'muted' },
      ]);
    }
  }
  out.push([]);
  if (backs.length === 0) {
    out.push([{ text: 'No mode http backends either.', tone: 'muted' }]);
    return out;
  }
  out.push([{ text: 'HTTP health checks', bold: true }, { text: ` ${g.sep} answers by class over each server's recent checks`, tone: 'muted' }]);
  out.push([{ text: `${pad('BACKEND', 16)} ${pad('CHECKS', 6, 'right')} ${CLASSES.map((c) => pad(c, 5, 'right')).join(' ')}  FAILING`, bold: true }]);
  for (const b of backs) {
    const { counts, checks } = checkClasses(snap, b.name);
    const failing = b.servers.filter((s) => !s.tracks && s.check && s.check.enabled && /^(L7STS|L7RSP|L7TOUT|L4CON|L4TOUT)$/.test(s.check.status)).map((s) => s.name);
    out.push([
      { text: `${pad(b.name, 16)} ${pad(String(checks), 6, 'right')} ` },
      ...CLASSES.flatMap((c) => [{ text: pad(String(counts[c]), 5, 'right'), ...(counts[c] > 0 && (c === '5xx' || c === '4xx') ? { tone: 'down' as const } : counts[c] > 0 && c === '2xx' ? { tone: 'up' as const } : { dim: true }) }, { text: ' ' }]),
      { text: ' ' + (failing.length ? failing.join(', ') : 'none'), ...(failing.length ? { tone: 'down' as const } : { dim: true }) },
    ]);
  }
  return out;
}
