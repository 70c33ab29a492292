/**
 * The dashboard's event log and banner: an event as one short line (object, old → new, why), the log
 * in time order without repeats, and the banner's text for each connection state.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { LbdEvent } from '../../shared/events.js';
import { causeText, eventLine, eventTone } from '../../tui/dash/event-lines.js';
import { DashModel } from '../../tui/dash/model.js';
import { makePalette, stripAnsi } from '../../tui/dash/palette.js';
import { bannerText, headerText } from '../../tui/dash/render.js';
import { backend, server, snapshot } from './dash-fixtures.js';

const p = makePalette(false);
const at = new Date(2024, 0, 1, 12, 3, 4).getTime();

function ev(o: Partial<LbdEvent>): LbdEvent {
  return { seq: 1, time: at, kind: 'server-state', object: 'monitoring/server-2', from: 'UP 1/2', to: 'DOWN', cause: { kind: 'check', status: 'L7STS', code: 503, durationMs: 1, info: 'Service Unavailable' }, message: 'Server monitoring/server-2 is DOWN …', ...o };
}

test('a server change reads time, object, old → new and why', () => {
  assert.equal(eventLine(ev({}), p), '12:03:04 monitoring/server-2 UP 1/2 → DOWN  L7STS/503 Service Unavailable');
  assert.equal(eventLine(ev({ object: 'myApp/server-2', cause: { kind: 'track', via: 'monitoring/server-2' } }), p), '12:03:04 myApp/server-2 UP 1/2 → DOWN  via monitoring/server-2');
  assert.equal(causeText({ kind: 'operator', command: 'set server myApp/s1 state maint' }), 'operator: set server myApp/s1 state maint');
});

test('reloads and process events keep their own message; tones follow the new state', () => {
  assert.equal(eventLine(ev({ kind: 'reload', object: '', message: 'reload (SIGHUP) refused: 2 configuration errors', cause: { kind: 'reload' } }), p), '12:03:04 reload (SIGHUP) refused: 2 configuration errors');
  assert.equal(eventTone(ev({ kind: 'reload', message: 'reload (SIGHUP) refused: 1' })), 'bad');
  assert.equal(eventTone(ev({ to: 'UP' })), 'good');
  assert.equal(eventTone(ev({ kind: 'server-admin', to: 'MAINT (via monitoring/server-1)' })), 'maint');
  const coloured = eventLine(ev({}), makePalette(true));
  assert.equal(stripAnsi(coloured), eventLine(ev({}), p));
  assert.ok(coloured.includes('\x1b[31mDOWN'));
});

test('the log is in time order (a backlog arriving after a note slots in before it) and has no repeats', () => {
  const m = new DashModel({ socket: '/s', intervalMs: 1000, palette: p, logLines: 3 });
  m.note('connected', 'good', at + 5000);
  m.addEvent(ev({ seq: 1, time: at }));
  m.addEvent(ev({ seq: 2, time: at + 1000, to: 'UP' }));
  m.addEvent(ev({ seq: 1, time: at }));
  assert.deepEqual(m.log.map((l) => l.at - at), [0, 1000, 5000]);
  assert.match(m.log[2]!.line, /dash: connected/);
  m.addEvent(ev({ seq: 3, time: at + 9000 }));
  assert.deepEqual(m.log.map((l) => l.at - at), [1000, 5000, 9000], 'bounded to logLines');
});

test('ticks record the snapshot while connected and a gap while not', () => {
  const m = new DashModel({ socket: '/s', intervalMs: 1000, windowMs: 10_000, palette: p });
  m.setSnapshot(snapshot([backend('a', [server('a', 's')], { counters: { rate: 3 } })]));
  m.tick(1);
  assert.equal(m.history.ticks.length, 0, 'no gap before the first connection');
  m.setLink({ state: 'open', server: 'lbd 0.1.0' });
  m.tick(2);
  m.setLink({ state: 'lost', attempt: 1, error: null, retryAt: null });
  m.tick(3);
  assert.deepEqual(m.history.ticks.map((t) => t.backends?.get('a')?.rate ?? null), [3, null]);
  assert.equal(m.history.capacity, 11);
});

test('banner: nothing while open; unreachable, lost and fatal say where, why and what happens next', () => {
  const now = 10_000;
  assert.equal(bannerText({ state: 'open', server: 'lbd' }, '/run/lbd.sock', now), null);
  assert.equal(bannerText({ state: 'connecting', attempt: 0, error: null, retryAt: null }, '/s', now), 'connecting to lbd at /s …');
  assert.equal(bannerText({ state: 'connecting', attempt: 3, error: 'no such socket', retryAt: now + 1500 }, '/s', now), 'lbd is unreachable at /s\nno such socket\nretrying in 2s (attempt 3) · q quits');
  assert.match(bannerText({ state: 'lost', attempt: 2, error: 'connection closed (1006)', retryAt: now + 400 }, '/s', now)!, /^connection to lbd lost \(\/s\)\nconnection closed \(1006\)\nretrying in 1s \(attempt 2\)/);
  assert.equal(bannerText({ state: 'fatal', error: 'protocol version mismatch' }, '/s', now), 'cannot talk to lbd at /s\nprotocol version mismatch\nq quits');
});

test('header: the process figures left, the clock and the key right, exactly the width', () => {
  const m = new DashModel({ socket: '/s', intervalMs: 1000, palette: p });
  assert.match(headerText(m, 80), /^ lbd dash · \/s +\d\d:\d\d:\d\d  q quit $/);
  m.setSnapshot(snapshot([backend('a', [])]));
  const h = headerText(m, 120);
  assert.equal(h.length, 120);
  assert.match(h, /lbd 0\.1\.0 · pid 42 · up 1m · 0 frontends · 1 backends/);
  assert.equal(headerText(m, 40).length, 40);
  const narrow = headerText(m, 62);
  assert.equal(narrow.length, 62);
  assert.match(narrow, /lbd 0\.1\.0 · up 1m · 0 conns · 0 conn\/s/, 'counts of proxies and the pid go first');
});
