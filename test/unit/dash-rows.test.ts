/**
 * The dashboard's server table: HAProxy status strings are never cut (`MAINT (via monitoring/server-1)`),
 * optional columns go first when the panel is narrow, then names are shortened; problems are kept when
 * there are more servers than lines.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { COLUMNS as ALL_COLUMNS, checkText, fitColumns, pickServers, serverTable } from '../../tui/dash/rows.js';
import { makePalette, statusTone, stripAnsi } from '../../tui/dash/palette.js';
import { ADMIN } from '../../shared/snapshot.js';
import { backend, server, snapshot } from './dash-fixtures.js';

const plain = makePalette(false);

function trackSnapshot() {
  const names = ['server-1', 'server-2', 'server-3'];
  return snapshot([
    backend('myApp', names.map((n, i) => server('myApp', n, i === 0 ? { op: 'down', admin: ADMIN.IMAINT, status: 'MAINT (via monitoring/server-1)', check: null } : { check: null, status: 'UP' }))),
    backend('monitoring', names.map((n, i) => server('monitoring', n, i === 0 ? { op: 'down', admin: ADMIN.FMAINT, status: 'MAINT' } : {}))),
  ]);
}

for (const width of [150, 96, 76, 60, 44]) {
  test(`a ${width}-column table keeps 'MAINT (via monitoring/server-1)' whole and fits its width`, () => {
    const t = serverTable(trackSnapshot(), { width, lines: 10, gap: 2, palette: plain, now: 100_000 });
    const statusAt = t.headers.findIndex((h) => h.trim() === 'STATUS');
    assert.ok(statusAt >= 0, 'the status column is kept');
    assert.equal(t.rows[0]![statusAt], 'MAINT (via monitoring/server-1)');
    assert.equal(t.rows[3]![statusAt]!.trimEnd(), 'MAINT');
    const used = t.columnWidth.reduce((a, b) => a + b, 0) + 2 * (t.columnWidth.length - 1);
    assert.ok(used <= width, `${used} <= ${width}`);
    for (const r of t.rows) r.forEach((cell, i) => assert.ok(stripAnsi(cell).length <= t.columnWidth[i]!, `${cell} fits ${t.columnWidth[i]}`));
  });
}

test('narrow panels drop optional columns (address, total …) before cutting names; server and status stay', () => {
  // the TCP table: HTTP columns are there only when some server has seen HTTP requests
  const COLUMNS = ALL_COLUMNS.filter((c) => !c.http);
  const cells = [COLUMNS.map((c) => (c.key === 'status' ? 'MAINT (via monitoring/server-1)' : c.key === 'backend' ? 'a-rather-long-backend' : 'x'))];
  const wide = fitColumns(COLUMNS, cells, 300, 2);
  assert.equal(wide.columns.length, COLUMNS.length);
  const mid = fitColumns(COLUMNS, cells, 90, 2);
  const keys = mid.columns.map((c) => c.key);
  assert.ok(!keys.includes('addr') && !keys.includes('total'));
  assert.equal(mid.widths[keys.indexOf('backend')], 'a-rather-long-backend'.length, 'not cut while dropping optional columns is enough');
  const tiny = fitColumns(COLUMNS, cells, 30, 2);
  assert.deepEqual(tiny.columns.map((c) => c.key).sort(), ['server', 'status']);
});

test('more servers than lines: problems first, then the rest, shown in config order', () => {
  const all = [
    server('b', 'ok-1'),
    server('b', 'ok-2'),
    server('b', 'down', { status: 'DOWN', op: 'down' }),
    server('b', 'ok-3'),
    server('b', 'drain', { status: 'DRAIN' }),
  ];
  assert.deepEqual(pickServers(all, 3).map((s) => s.name), ['ok-1', 'down', 'drain']);
  assert.equal(pickServers(all, 9).length, 5);
  const t = serverTable(snapshot([backend('b', all)]), { width: 120, lines: 3, gap: 2, palette: plain });
  assert.equal(t.hidden, 2);
  assert.equal(t.total, 5);
});

test('status tones follow HAProxy status strings; colour only when asked', () => {
  assert.deepEqual(['UP', 'UP 1/2', 'DOWN', 'DOWN 1/2', 'MAINT (via a/b)', 'DRAIN', 'NOLB', 'no check'].map(statusTone), ['good', 'warn', 'bad', 'bad', 'maint', 'warn', 'warn', 'muted']);
  const coloured = serverTable(trackSnapshot(), { width: 150, lines: 10, gap: 2, palette: makePalette(true), now: 100_000 });
  assert.ok(coloured.rows[0]!.some((c) => c.includes('\x1b[36mMAINT (via monitoring/server-1)')));
  const none = serverTable(trackSnapshot(), { width: 150, lines: 10, gap: 2, palette: plain, now: 100_000 });
  assert.ok(none.rows.flat().every((c) => !c.includes('\x1b')));
});

test('check column: status, HTTP code for layer 7, duration; in progress marked; none without a check', () => {
  assert.equal(checkText(server('b', 's')), 'L7OK/200 2ms');
  assert.equal(checkText(server('b', 's', { check: { status: 'L4CON', code: null, durationMs: 1, inProgress: true } })), '* L4CON 1ms');
  assert.equal(checkText(server('b', 's', { check: { status: 'INI', code: null, durationMs: null } })), 'INI');
  assert.equal(checkText(server('b', 's', { check: null })), '');
  assert.equal(checkText(server('b', 's', { check: { enabled: false } })), '');
});

test('HTTP servers: REQ/s, P99, P50 and 5XX columns with their figures; `-` for a server without HTTP requests; none in a TCP table', () => {
  const snap = snapshot([
    backend('api', [
      server('api', 'api-1', { counters: { httpReqs: 900, reqRate: 212, latencyP50: 1.24, latencyP99: 38.6, hrsp5xx: 28 } }),
      server('api', 'api-2', { counters: { httpReqs: 90, reqRate: 41.5, latencyP50: 0.42, latencyP99: 1530, hrsp5xx: 0 } }),
      server('api', 'api-3'),
      server('api', 'api-4', { counters: { httpReqs: 5, reqRate: 1, latencyP50: 0, latencyP99: 0, hrsp5xx: 0 } }),
    ], { mode: 'http' }),
  ]);
  const t = serverTable(snap, { width: 150, lines: 10, gap: 2, palette: plain, now: 100_000 });
  const col = (h: string) => t.headers.findIndex((x) => x.trim() === h);
  for (const h of ['REQ/s', 'P50', 'P99', '5XX']) assert.ok(col(h) >= 0, `${h} in ${t.headers.join('|')}`);
  const cell = (r: number, h: string) => stripAnsi(t.rows[r]![col(h)]!).trim();
  assert.deepEqual(['REQ/s', 'P50', 'P99', '5XX'].map((h) => cell(0, h)), ['212', '1.2ms', '39ms', '28']);
  assert.deepEqual(['REQ/s', 'P50', 'P99', '5XX'].map((h) => cell(1, h)), ['41.5', '0.4ms', '1.5s', '0']);
  assert.deepEqual(['REQ/s', 'P50', 'P99', '5XX'].map((h) => cell(2, h)), ['-', '-', '-', '-']);
  assert.deepEqual(['REQ/s', 'P50', 'P99', '5XX'].map((h) => cell(3, h)), ['1', '-', '-', '0']);
  // at 76 columns (an 80-column terminal's panel) the status stays whole and REQ/s is kept
  const narrow = serverTable(snap, { width: 76, lines: 10, gap: 2, palette: plain, now: 100_000 });
  assert.ok(narrow.headers.some((h) => h.trim() === 'REQ/s'), narrow.headers.join('|'));
  assert.ok(narrow.columnWidth.reduce((a, b) => a + b, 0) + 2 * (narrow.columnWidth.length - 1) <= 76);
  assert.ok(!serverTable(trackSnapshot(), { width: 150, lines: 10, gap: 2, palette: plain }).headers.some((h) => h.trim() === 'REQ/s'));
});
