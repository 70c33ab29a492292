/**
 * What a person sees, as text, for each state and terminal size: the frame fits the terminal (never
 * wider, never taller), the states read with their words, causes and checks, narrow terminals drop
 * columns (not the state), and below 40x10 one line says the terminal is too small.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { FeedState } from '../../tui/top/feed.js';
import { lineWidth, text } from '../../tui/top/line.js';
import { RateHistory } from '../../tui/top/rates.js';
import { buildScreen, type ScreenInput } from '../../tui/top/screen.js';
import { initialUi, onKey, type UiState } from '../../tui/top/state.js';
import type { Snapshot } from '../../shared/snapshot.js';
import { allStatesSnapshot, NOW, trackSnapshot } from './top-fixtures.js';

function feedOf(snap: Snapshot | null, conn: FeedState['conn'] = { kind: 'open' }): FeedState {
  return { conn, welcome: { type: 'welcome', version: 1, server: 'lbd 0.1.0', level: 'admin', pid: 1, startedAt: 0, limits: { maxMessageBytes: 1, maxInFlight: 1, maxSubscriptions: 1, minIntervalMs: 100 } }, snapshot: snap, receivedAt: NOW - 300, events: [], version: 1 };
}

function screen(cols: number, rows: number, o: { snap?: Snapshot | null; ui?: UiState; conn?: FeedState['conn']; ascii?: boolean; hint?: string } = {}) {
  const rates = new RateHistory(1000);
  const snap = o.snap === undefined ? allStatesSnapshot() : o.snap;
  if (snap) rates.add(snap);
  const inp: ScreenInput = { feed: feedOf(snap, o.conn), rates, ui: o.ui ?? initialUi(), cols, rows, opts: { readOnly: false, ascii: o.ascii ?? false, socket: '/run/lbd/admin.sock', intervalMs: 1000, ...(o.hint ? { hint: o.hint } : {}) }, now: NOW };
  const s = buildScreen(inp);
  return { ...s, text: s.lines.map(text) };
}

const SIZES: [number, number][] = [
  [80, 24],
  [60, 20],
  [120, 40],
];

for (const [c, r] of SIZES) {
  test(`${c}x${r}: the frame fits and every state reads with its word and its cause`, () => {
    const s = screen(c, r);
    assert.ok(s.lines.length <= r, `${s.lines.length} lines`);
    for (const l of s.lines) assert.ok(lineWidth(l) <= c - 1, `too wide: ${text(l)}`);
    const all = s.text.join('\n');
    // the inherited cause, whole: not `..erver-1)`
    assert.match(all, /■ MAINT \(via monitoring\/server-1\)/);
    assert.match(all, /■ MAINT +by operator/);
    assert.match(all, /↘ UP 1\/2 +L7STS 503 12ms/);
    assert.match(all, /✗ DOWN +L4CON/);
    assert.match(all, /◆ DRAIN +by operator/);
    assert.match(all, /○ no check/);
    assert.match(all, /↗ DOWN 1\/2/);
    assert.match(all, /✓ UP +via monitoring\/server-3|◆ DRAIN/);
    // header: version, counts by state, data age
    assert.match(s.text[0]!, /lbd 0\.1\.0/);
    assert.match(all, /✓ \d+ UP/);
    assert.match(all, /✗ \d+ DOWN/);
    assert.match(s.text[0]!, /data 0s/);
  });
}

test('narrow terminals drop columns, not the state; wide ones show more', () => {
  const t60 = screen(60, 20).text.find((l) => l.includes('NAME'))!;
  const t120 = screen(120, 40).text.find((l) => l.includes('NAME'))!;
  for (const col of ['STATE', 'SESS']) assert.ok(t60.includes(col), `60 cols lacks ${col}`);
  for (const col of ['STATE', 'CHANGED', 'WGHT', 'SESS', 'SESS/s', 'LAST 1m', 'IN/s', 'OUT/s', 'ERR']) assert.ok(t120.includes(col), `120 cols lacks ${col}`);
  assert.ok(!t60.includes('LAST 1m'));
  const s80 = screen(80, 24).text.join('\n');
  assert.match(s80, /CHANGED/);
  assert.match(s80, /\s1m\s/, 'changed 65 s ago reads 1m');
});

test('short terminals lose the hints, then the tabs, then the second header line', () => {
  const tall = screen(80, 24).text;
  assert.match(tall[tall.length - 1]!, /q quit/);
  assert.match(tall.join('\n'), /\[1 Servers\]/);
  const short = screen(80, 12).text;
  assert.ok(!short.join('\n').includes('q quit'));
  assert.ok(!short.join('\n').includes('[1 Servers]'));
  assert.ok(short.length <= 12);
  const min = screen(40, 10).text;
  assert.ok(min.length <= 10 && min.every((l) => l.length <= 39));
  assert.match(min.join('\n'), /MAINT/);
});

test('below 40x10: one line says so', () => {
  for (const [c, r] of [[39, 24], [80, 9], [20, 5]] as const) {
    const s = screen(c, r);
    assert.equal(s.lines.length, 1);
    assert.match(s.text[0]!, /too small/);
    assert.ok(s.text[0]!.length <= c - 1);
  }
});

test('the unreachable banner says where, why, when it retries and how old the data is', () => {
  const s = screen(80, 24, { conn: { kind: 'down', attempt: 3, retryAt: NOW + 1600, error: 'cannot reach lbd at /run/lbd/admin.sock: nothing listening' } });
  assert.match(s.text[0]!, /lbd unreachable at \/run\/lbd\/admin\.sock \(nothing listening\)/);
  const wide = screen(140, 24, { conn: { kind: 'down', attempt: 3, retryAt: NOW + 1600, error: 'cannot reach lbd at /run/lbd/admin.sock: nothing listening' } });
  assert.match(wide.text[0]!, /retrying in 1\.6s \(attempt 3\) · showing data from 0s ago/);
  assert.ok(!screen(80, 24).text.join('\n').includes('unreachable'));
  const none = screen(80, 24, { snap: null, conn: { kind: 'connecting', attempt: 0 } });
  assert.match(none.text[0]!, /connecting to lbd/);
});

test('ASCII mode draws no character outside ASCII', () => {
  const s = screen(100, 30, { ascii: true });
  for (const l of s.text) assert.ok(/^[\x20-\x7e]*$/.test(l), `not ASCII: ${l}`);
  assert.match(s.text.join('\n'), /# MAINT \(via monitoring\/server-1\)/);
});

test('the selected row is marked without colour: a cursor glyph', () => {
  const s = screen(80, 24);
  const sel = s.text.filter((l) => l.startsWith('▶'));
  assert.equal(sel.length, 1);
  assert.match(sel[0]!, /myApp/);
});

test('a confirmation names every server it changes, trackers included, and how to answer', () => {
  const snap = trackSnapshot();
  let ui = initialUi();
  for (const k of ['j', 'j', 'j', 'j', 'j', 'j', 'd']) ui = onKey(ui, k, k, screen(80, 24, { snap, ui }).ctx).ui;
  const t = screen(80, 24, { snap, ui }).text.join('\n');
  assert.match(t, /Disable monitoring\/server-2\?  set server monitoring\/server-2 state maint/);
  assert.match(t, /changes: monitoring\/server-2/);
  assert.match(t, /and through track: myApp\/server-2/);
  assert.match(t, /y yes  n\/Esc no/);
});

test('a refused reload shows each error whole, wrapped, with its file:line', () => {
  const err = "/etc/lbd/conf.d/backends.cfg:24: unknown keyword 'sever' in 'backend' section; did you mean 'server'?";
  const ui: UiState = { ...initialUi(), mode: { kind: 'result', title: 'Reload refused: 1 error, the running configuration stays', ok: false, lines: [err], top: 0 } };
  const t = screen(60, 20, { ui }).text;
  assert.match(t.join('\n'), /✗ Reload refused: 1 error/);
  const joined = t.map((l) => l.trim()).join(' ');
  assert.ok(joined.includes(err), `the error is not whole:\n${t.join('\n')}`);
  assert.ok(t.every((l) => l.length <= 59));
});

test('a hint (make demo) shows above the key hints while the terminal is tall enough, and gives way when it is not', () => {
  const hint = 'make server-2 fail: kill -USR2 4242';
  const tall = screen(80, 24, { hint });
  assert.equal(tall.text.at(-2), hint);
  assert.match(tall.text.at(-1)!, /\? help/);
  assert.ok(tall.lines.length <= 24);
  assert.ok(!screen(60, 19, { hint }).text.includes(hint));
  assert.ok(!screen(80, 24).text.join('\n').includes('kill -USR2'));
});
