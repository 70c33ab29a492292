/**
 * The dashboard's bar chart data: connection errors per backend over the remembered window (counter
 * resets counted from zero), the worst shown when space is short, and HTTP response classes when the
 * snapshot has them.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { errorBars, increase } from '../../tui/dash/bars.js';
import { cut, shortCount, shortDuration } from '../../tui/dash/text.js';
import { TickHistory } from '../../tui/dash/history.js';
import { backend, snapshot, tick } from './dash-fixtures.js';

test('connection errors over the window: newest minus oldest, per backend, in config order', () => {
  const ticks = [
    tick(0, { a: { connectErrors: 10 }, b: { connectErrors: 0 } }),
    tick(1000, null),
    tick(61_000, { a: { connectErrors: 14 }, b: { connectErrors: 3 } }),
  ];
  const bars = errorBars(ticks, { maxBars: 5, titleWidth: 8 });
  assert.deepEqual(bars, { title: 'connection errors, last 1m01s', titles: ['a', 'b'], data: [4, 3], hidden: 0 });
});

test('a counter that went down (cleared, new daemon) counts from zero', () => {
  assert.equal(increase(10, 14), 4);
  assert.equal(increase(10, 3), 3);
  const ticks = [tick(0, { a: { connectErrors: 50 } }), tick(1000, { a: { connectErrors: 2 } })];
  assert.deepEqual(errorBars(ticks, { maxBars: 5, titleWidth: 8 }).data, [2]);
});

test('more backends than bars: the most errors are shown, in config order; titles cut to fit', () => {
  const ticks = [tick(0, { alpha: {}, 'bravo-long-name': {}, charlie: {} }), tick(1000, { alpha: { connectErrors: 1 }, 'bravo-long-name': { connectErrors: 9 }, charlie: { connectErrors: 5 } })];
  const bars = errorBars(ticks, { maxBars: 2, titleWidth: 6 });
  assert.deepEqual(bars.titles, ['bravo…', 'charl…']);
  assert.deepEqual(bars.data, [9, 5]);
  assert.equal(bars.hidden, 1);
});

test('before any tick: no bars, a title that says so', () => {
  assert.deepEqual(errorBars([], { maxBars: 3, titleWidth: 5 }), { title: 'connection errors, last 0s', titles: [], data: [], hidden: 0 });
});

test('HTTP response counters, when present, become bars by class summed over the HTTP backends', () => {
  const r = (x: number) => ({ '1xx': 0, '2xx': 100 * x, '3xx': 0, '4xx': 2 * x, '5xx': x, other: 0 });
  const ticks = [tick(0, { web: { responses: r(1) }, tcp: {} }), tick(5000, { web: { responses: r(3) }, tcp: { connectErrors: 7 } })];
  const bars = errorBars(ticks, { maxBars: 6, titleWidth: 5 });
  assert.equal(bars.title, 'HTTP responses by class, last 5s');
  assert.deepEqual(bars.titles, ['1xx', '2xx', '3xx', '4xx', '5xx', 'other']);
  assert.deepEqual(bars.data, [0, 200, 0, 4, 2, 0]);
  // a narrow panel: 1xx and other go when they counted nothing, 2xx … 5xx stay
  const narrow = errorBars(ticks, { maxBars: 4, titleWidth: 4 });
  assert.deepEqual(narrow.titles, ['2xx', '3xx', '4xx', '5xx']);
  assert.deepEqual(narrow.data, [200, 0, 4, 2]);
  const withOther = [tick(0, { web: { responses: r(1) } }), tick(5000, { web: { responses: { ...r(3), other: 5 } } })];
  assert.deepEqual(errorBars(withOther, { maxBars: 4, titleWidth: 4 }).titles, ['2xx', '3xx', '4xx', '5xx', 'oth…']);
  assert.equal(bars.note, undefined);
});

test("from a real snapshot's HTTP counters: bars by class over the window, and the highest p99 now in the note", () => {
  const web = (n: number, p99: number) => backend('web', [], { mode: 'http', counters: { httpReqs: 110 * n, hrsp2xx: 100 * n, hrsp4xx: 7 * n, hrsp5xx: 3 * n, latencyP50: 1, latencyP99: p99 } });
  const api = (n: number, p99: number) => backend('api', [], { mode: 'http', counters: { httpReqs: 10 * n, hrsp2xx: 10 * n, latencyP50: 2, latencyP99: p99 } });
  const h = new TickHistory(10);
  h.push(0, snapshot([web(1, 5), api(1, 9), backend('tcp', [])]));
  h.push(60_000, snapshot([web(4, 38.6), api(2, 1530), backend('tcp', [], { counters: { connectErrors: 9 } })]));
  const bars = errorBars(h.ticks, { maxBars: 3, titleWidth: 5 });
  assert.equal(bars.title, 'HTTP responses by class, last 1m');
  assert.deepEqual(bars.titles, ['2xx', '3xx', '4xx', '5xx']);
  assert.deepEqual(bars.data, [310, 0, 21, 9]);
  assert.equal(bars.note, 'p99 1.5s');
  assert.equal(errorBars([tick(0, { tcp: {} })], { maxBars: 3, titleWidth: 5 }).note, undefined);
});

test('bar labels: counts in at most 4 characters', () => {
  assert.deepEqual([0, 950, 9999, 18_800, 190_400, 999_499, 999_500, 1_234_567, 12_345_678, 2e9].map(shortCount), ['0', '950', '9999', '19k', '190k', '999k', '1.0M', '1.2M', '12M', '2.0G']);
  for (const n of [0, 1, 99_999, 5e8, 1e12]) assert.ok(shortCount(n).length <= 4, shortCount(n));
});

test('text helpers: cut with an ellipsis, short durations', () => {
  assert.equal(cut('monitoring', 10), 'monitoring');
  assert.equal(cut('monitoring', 5), 'moni…');
  assert.equal(cut('monitoring', 1), '…');
  assert.equal(cut('x', 0), '');
  assert.deepEqual([0, 45_000, 180_000, 150_000, 4 * 3600_000, 3900_000, 3 * 86400_000].map(shortDuration), ['0s', '45s', '3m', '2m30s', '4h', '1h05m', '3d']);
});
