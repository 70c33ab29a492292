import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fmtAge, fmtBytes, fmtCount, fmtDuration, fmtRate, fmtSince, sparkline } from '../../tui/top/format.js';
import { ASCII, UNICODE } from '../../tui/top/glyphs.js';
import { cut, fit, lineWidth, pad, text } from '../../tui/top/line.js';

test('counts stay exact below 100k and short above', () => {
  assert.equal(fmtCount(0), '0');
  assert.equal(fmtCount(99_999), '99999');
  assert.equal(fmtCount(123_456), '123k');
  assert.equal(fmtCount(1_234_567), '1.2M');
  assert.equal(fmtCount(12_345_678), '12M');
  assert.equal(fmtCount(3_400_000_000), '3.4G');
});

test('rates keep one decimal under 10, none above', () => {
  assert.equal(fmtRate(0), '0');
  assert.equal(fmtRate(0.5), '0.5');
  assert.equal(fmtRate(3), '3');
  assert.equal(fmtRate(12.4), '12');
  assert.equal(fmtRate(12_345), '12.3k');
});

test('bytes use binary units in at most 5 cells', () => {
  assert.equal(fmtBytes(0), '0B');
  assert.equal(fmtBytes(1023), '1023B');
  assert.equal(fmtBytes(1536), '1.5K');
  assert.equal(fmtBytes(34 * 1024), '34K');
  assert.equal(fmtBytes(5 * 1024 * 1024), '5.0M');
  assert.equal(fmtBytes(120 * 1024 ** 3), '120G');
  for (const n of [0, 999, 1e4, 1e6, 1e8, 1e10, 1e12]) assert.ok(fmtBytes(n).length <= 5, fmtBytes(n));
});

test('durations: two units at most, at most 6 cells', () => {
  assert.equal(fmtDuration(12), '12ms');
  assert.equal(fmtDuration(1234), '1.2s');
  assert.equal(fmtDuration(45_000), '45s');
  assert.equal(fmtDuration(192_000), '3m12s');
  assert.equal(fmtDuration(2 * 3600_000 + 5 * 60_000), '2h05m');
  assert.equal(fmtDuration(3 * 86400_000 + 4 * 3600_000), '3d04h');
  for (const ms of [0, 999, 59_999, 3599_999, 86_399_999, 99 * 86_400_000]) assert.ok(fmtDuration(ms).length <= 6, fmtDuration(ms));
  assert.equal(fmtAge(10_000, 5_000), '5s');
  assert.equal(fmtAge(10_000, null), '-');
});

test('sparkline: newest on the right, each cell the maximum of its bucket, zero blank', () => {
  assert.equal(sparkline([], 5, UNICODE), '     ');
  assert.equal(sparkline([0, 0, 0], 3, UNICODE), '   ');
  assert.equal(sparkline([1, 2, 4, 8], 4, UNICODE), '▁▂▄█');
  // 8 values in 4 cells: buckets of 2 aligned on the newest, a spike stays visible
  assert.equal(sparkline([0, 8, 0, 0, 0, 0, 4, 0], 4, UNICODE), '█  ▄');
  // fewer values than cells: blank on the left
  assert.equal(sparkline([5], 3, UNICODE), '  █');
  assert.equal(sparkline([1, 8], 2, ASCII), '.@');
});

test('cut and fit never exceed the width and show where text was lost', () => {
  assert.equal(cut('MAINT (via monitoring/server-1)', 10), 'MAINT (vi…');
  assert.equal(pad('12', 5, 'right'), '   12');
  const line = [{ text: 'abc' }, { text: 'defgh', tone: 'down' as const }, { text: '   ' }];
  assert.equal(text(fit(line, 6)), 'abcde…');
  assert.equal(text(fit(line, 20, { fill: true })), 'abcdefgh            ');
  assert.equal(lineWidth(fit(line, 20, { fill: true })), 20);
  // a line that fits is returned as is
  assert.equal(text(fit([{ text: 'ok' }], 2)), 'ok');
});

test('the CHANGED column moves once a minute after the first minute', () => {
  assert.equal(fmtSince(65_000, 0), '1m');
  assert.equal(fmtSince(59_999, 0), '59s');
  assert.equal(fmtSince(3_600_000 + 120_000, 0), '1h02m');
  assert.equal(fmtSince(0, null), '-');
});
