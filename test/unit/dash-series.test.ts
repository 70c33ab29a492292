/**
 * The dashboard's rate chart data: ticks averaged into points that end at the newest tick, the busiest
 * backends with their own line and the rest summed, gaps as zero, round y axes, and the tick history's
 * bounds.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rateChart, yAxis } from '../../tui/dash/series.js';
import { TickHistory, sampleSnapshot, responseClasses, latency } from '../../tui/dash/history.js';
import { backend, server, snapshot, tick } from './dash-fixtures.js';

test('one point per tick while they fit, one series per backend in the newest order', () => {
  const ticks = [tick(1000, { a: { rate: 1 }, b: { rate: 4 } }), tick(2000, { a: { rate: 3 }, b: { rate: 5 } })];
  const c = rateChart(ticks, { maxPoints: 10, maxSeries: 5 });
  assert.deepEqual(c.series.map((s) => [s.title, s.y]), [['a', [1, 3]], ['b', [4, 5]]]);
  assert.equal(c.labels.length, 2);
  assert.equal(c.peak, 5);
});

test('more ticks than points: consecutive ticks are averaged, the last point ends at the newest tick', () => {
  const ticks = [1, 2, 3, 4, 5].map((v, i) => tick(i * 1000, { a: { rate: v } }));
  const c = rateChart(ticks, { maxPoints: 2, maxSeries: 5 });
  // groups of 3 from the end: [0,1] and [2,3,4]
  assert.deepEqual(c.series[0]!.y, [1.5, 4]);
  assert.equal(c.labels.length, 2);
});

test('a gap (daemon unreachable) counts as no traffic; a backend missing from a tick is 0 there', () => {
  const ticks = [tick(0, { a: { rate: 6 } }), tick(1000, null), tick(2000, { a: { rate: 2 }, b: { rate: 1 } })];
  const c = rateChart(ticks, { maxPoints: 10, maxSeries: 5 });
  assert.deepEqual(c.series.find((s) => s.title === 'a')!.y, [6, 0, 2]);
  assert.deepEqual(c.series.find((s) => s.title === 'b')!.y, [0, 0, 1]);
});

test('more backends than lines: the busiest keep theirs (config order), the rest share `others (n)`', () => {
  const ticks = [tick(0, { a: { rate: 1 }, b: { rate: 9 }, c: { rate: 2 }, d: { rate: 8 } })];
  const c = rateChart(ticks, { maxPoints: 10, maxSeries: 3 });
  assert.deepEqual(c.series.map((s) => [s.title, s.y[0]]), [['b', 9], ['d', 8], ['others (2)', 3]]);
});

test('no ticks yet: one point at zero, so the chart has something to draw', () => {
  const c = rateChart([], { maxPoints: 10, maxSeries: 3 });
  assert.equal(c.labels.length, 1);
  assert.deepEqual(c.series, [{ title: 'no backends', y: [0] }]);
  assert.deepEqual(yAxis(0), { maxY: 4, steps: 4 });
});

test('y axis: round steps, the top just above the peak', () => {
  assert.deepEqual(yAxis(24), { maxY: 30, steps: 3 });
  assert.deepEqual(yAxis(100), { maxY: 125, steps: 5 });
  assert.deepEqual(yAxis(7), { maxY: 7.5, steps: 3 });
  assert.deepEqual(yAxis(0.3), { maxY: 0.4, steps: 4 });
  for (const peak of [0.01, 0.5, 1, 3, 9.9, 37, 480, 12_345]) {
    const { maxY, steps } = yAxis(peak);
    assert.ok(maxY >= peak * 1.05 - 1e-9 && maxY <= peak * 2.6, `peak ${peak} → ${maxY}`);
    assert.ok(steps >= 3 && steps <= 5);
  }
});

test('TickHistory keeps `capacity` ticks and opens with no gaps; samples skip disabled backends', () => {
  const h = new TickHistory(3);
  h.push(0, null);
  assert.equal(h.ticks.length, 0);
  const s = snapshot([backend('a', [server('a', 's1')], { counters: { rate: 7, connectErrors: 2 } }), backend('off', [], { configDisabled: true })]);
  for (let i = 1; i <= 4; i++) h.push(i, i === 3 ? null : s);
  assert.deepEqual(h.ticks.map((t) => t.at), [2, 3, 4]);
  assert.equal(h.ticks[1]!.backends, null);
  assert.deepEqual([...sampleSnapshot(s)], [['a', { rate: 7, connectErrors: 2, responses: null, latency: null }]]);
});

test("response classes and latency are read from lbd's HTTP counters (hrsp1xx … hrspOther, latencyP50/P99), else null", () => {
  assert.equal(responseClasses(backend('a', [])), null);
  const b = backend('h', [], { mode: 'http', counters: { httpReqs: 60, hrsp1xx: 1, hrsp2xx: 50, hrsp3xx: 2, hrsp4xx: 3, hrsp5xx: 4, hrspOther: 0, latencyP50: 1.5, latencyP99: 250 } });
  assert.deepEqual(responseClasses(b), { '1xx': 1, '2xx': 50, '3xx': 2, '4xx': 3, '5xx': 4, other: 0 });
  assert.deepEqual(latency(b), { p50: 1.5, p99: 250 });
  assert.equal(latency(backend('a', [])), null);
  // p50 = p99 = 0 is lbd's answer for an empty ring of samples: no measurement
  assert.equal(latency(backend('h', [], { mode: 'http', counters: { httpReqs: 60, latencyP50: 0, latencyP99: 0 } })), null);
  assert.deepEqual(sampleSnapshot(snapshot([b])).get('h'), { rate: 0, connectErrors: 0, responses: { '1xx': 1, '2xx': 50, '3xx': 2, '4xx': 3, '5xx': 4, other: 0 }, latency: { p50: 1.5, p99: 250 } });
});
