/**
 * The console's HTTP figures, from the snapshot's HTTP counters: the 4 HTTP view lists each mode http
 * frontend (sessions, req/s, request errors, responses by class) and each mode http backend with its
 * servers (req/s, 2xx … 5xx, p50/p99 latency, reuse ratio) in 80x24; the header's req/s is the
 * frontends' request rate; the servers view adds REQ/s and P99 where the width allows, and the status
 * line says them always.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { FeedState } from '../../tui/top/feed.js';
import { lineWidth, text } from '../../tui/top/line.js';
import { RateHistory } from '../../tui/top/rates.js';
import { buildScreen } from '../../tui/top/screen.js';
import { initialUi } from '../../tui/top/state.js';
import { buildTree } from '../../tui/top/tree.js';
import { summaryLine } from '../../tui/top/view-servers.js';
import { fmtMs, reuseRatio } from '../../tui/top/view-http.js';
import { glyphsFor } from '../../tui/top/glyphs.js';
import type { Snapshot } from '../../shared/snapshot.js';
import { httpCounters, httpSnapshot, NOW, trackSnapshot } from './top-fixtures.js';

function screen(cols: number, rows: number, snap: Snapshot, view: 'servers' | 'http', ascii = false) {
  const rates = new RateHistory(1000);
  rates.add(snap);
  const feed: FeedState = { conn: { kind: 'open' }, welcome: { type: 'welcome', version: 1, server: 'lbd 0.1.0', level: 'admin', pid: 1, startedAt: 0, limits: { maxMessageBytes: 1, maxInFlight: 1, maxSubscriptions: 1, minIntervalMs: 100 } }, snapshot: snap, receivedAt: NOW - 300, events: [], version: 1 };
  const s = buildScreen({ feed, rates, ui: { ...initialUi(), view }, cols, rows, opts: { readOnly: false, ascii, socket: '/run/lbd/admin.sock', intervalMs: 1000 }, now: NOW });
  for (const l of s.lines) assert.ok(lineWidth(l) <= cols - 1, `too wide: ${text(l)}`);
  assert.ok(s.lines.length <= rows, `${s.lines.length} lines`);
  return s.lines.map(text);
}

/** The screen line whose first word (after the tree glyphs) is `name`, split into its cells. */
function row(lines: string[], name: string): string[] {
  const l = lines.find((x) => x.replace(/^[\s▶▾├└|`+-]+/u, '').split(/\s+/)[0] === name);
  assert.ok(l, `no row for ${name} in\n${lines.join('\n')}`);
  return l.trim().split(/\s+/).filter((c) => !/^[▶▾├└]$/u.test(c));
}

test('80x24 HTTP view: a frontend row with sessions, req/s, errors and every response class', () => {
  const lines = screen(80, 24, httpSnapshot(), 'http');
  const head = lines.find((l) => l.includes('FRONTEND'))!;
  assert.deepEqual(head.trim().split(/\s+/), ['FRONTEND', 'SESS', 'REQ/s', 'ERR', '1xx', '2xx', '3xx', '4xx', '5xx', 'other']);
  // sessions 7, 254 req/s, 11 invalid requests + 1 internal error, then 1xx … other
  assert.deepEqual(row(lines, 'web'), ['web', '7', '254', '12', '2', '61000', '17', '353', '28', '0']);
  assert.ok(!lines.join('\n').includes('not in the snapshot'));
});

test('80x24 HTTP view: each backend and its servers with req/s, 2xx-5xx, p50/p99 and the reuse ratio', () => {
  const lines = screen(80, 24, httpSnapshot(), 'http');
  const head = lines.find((l) => l.includes('BACKEND') && l.includes('P99'))!;
  assert.deepEqual(head.trim().split(/\s+/), ['BACKEND', 'REQ/s', '2xx', '3xx', '4xx', '5xx', 'P50', 'P99', 'REUSE', 'ERR']);
  assert.deepEqual(row(lines, 'api'), ['api', '254', '61000', '17', '300', '28', '1.1ms', '412ms', '92%', '0']);
  assert.deepEqual(row(lines, 'api-1'), ['api-1', '212', '52000', '17', '300', '28', '1.2ms', '39ms', '99%', '0']);
  assert.deepEqual(row(lines, 'api-2'), ['api-2', '42', '9000', '0', '0', '0', '0.4ms', '1.5s', '50%', '0']);
  // a server that has not seen a request has no HTTP counters: dashes, not zeros
  assert.deepEqual(row(lines, 'api-3'), ['api-3', '-', '-', '-', '-', '-', '-', '-', '-', '0']);
  // a mode http backend without HTTP traffic (checks only) is named, not drawn as a row of dashes
  assert.ok(lines.some((l) => l.includes('No HTTP requests yet: monitoring')), lines.join('\n'));
  // the checks table is still there, and everything fits the 24 lines without scrolling
  assert.ok(lines.some((l) => l.includes('HTTP health checks')));
  assert.ok(!lines.some((l) => l.includes('↑↓ scroll')), lines.join('\n'));
});

test('no latency samples (lbd reports p50 = p99 = 0 for an empty ring): `-`, not 0.0ms; the rest still shows', () => {
  const snap = httpSnapshot();
  const api = snap.backends.find((b) => b.name === 'api')!;
  api.counters = { ...api.counters, latencyP50: 0, latencyP99: 0 };
  const lines = screen(80, 24, snap, 'http');
  assert.deepEqual(row(lines, 'api'), ['api', '254', '61000', '17', '300', '28', '-', '-', '92%', '0']);
  assert.ok(!lines.join('\n').includes('0.0ms'));
  const rows = buildTree(snap, { filter: null, sort: 'config', collapsed: new Set() });
  const r = rows.find((x) => x.kind === 'backend' && x.backend.name === 'api')!;
  const sum = text(summaryLine(r, { g: glyphsFor(false), now: NOW, rates: new RateHistory(1000) }));
  assert.ok(sum.includes('254 req/s') && !sum.includes('p99'), sum);
});

test('ASCII HTTP view: no character outside ASCII (the key hints line aside: its arrows are not this view\'s)', () => {
  const lines = screen(80, 24, httpSnapshot(), 'http', true);
  for (const l of lines.slice(0, -1)) assert.match(l, /^[\x20-\x7e]*$/, l);
  assert.ok(lines.some((l) => l.includes('| api-1')), lines.join('\n'));
});

test('without HTTP frontends the view says so and keeps the checks; no traffic table', () => {
  const lines = screen(80, 24, trackSnapshot(), 'http');
  assert.ok(lines.some((l) => l.includes('No HTTP frontends')));
  assert.ok(!lines.some((l) => l.includes('REUSE')));
  assert.deepEqual(row(lines, 'monitoring'), ['monitoring', '9', '0', '9', '0', '0', '0', '0', 'none']);
});

test("the header's req/s is the HTTP frontends' request rate, not their session rate", () => {
  const lines = screen(120, 30, httpSnapshot(), 'servers');
  assert.match(lines[1]!, /req\/s 254\b/);
  // kept at 80 columns (bytes give way first) when there are HTTP frontends
  assert.match(screen(80, 24, httpSnapshot(), 'servers')[1]!, /req\/s 254\b/);
});

test('servers view: REQ/s and P99 for HTTP rows when wide; dropped at 80 columns; the status line says them', () => {
  const wide = screen(120, 30, httpSnapshot(), 'servers');
  const head = wide.find((l) => l.includes('NAME'))!;
  assert.ok(head.includes('REQ/s') && head.includes('P99'), head);
  const api1 = wide.find((l) => l.includes('api-1'))!;
  assert.match(api1, /\b212\s+39ms\b/);
  const narrow = screen(80, 24, httpSnapshot(), 'servers');
  assert.ok(!narrow.find((l) => l.includes('NAME'))!.includes('REQ/s'));
  // without HTTP traffic the columns do not exist at all
  assert.ok(!screen(120, 30, trackSnapshot(), 'servers').find((l) => l.includes('NAME'))!.includes('REQ/s'));
  const snap = httpSnapshot();
  const rows = buildTree(snap, { filter: null, sort: 'config', collapsed: new Set() });
  const ctx = { g: glyphsFor(false), now: NOW, rates: new RateHistory(1000) };
  const api = rows.find((r) => r.kind === 'backend' && r.backend.name === 'api')!;
  assert.match(text(summaryLine(api, ctx)), /254 req\/s · 5xx 28 · p50 1\.1ms p99 412ms · reuse 92%/);
  const s2 = rows.find((r) => r.kind === 'server' && r.server.backend === 'api' && r.server.name === 'api-2')!;
  assert.match(text(summaryLine(s2, ctx)), /42 req\/s · p50 0\.4ms p99 1\.5s · reuse 50%/);
});

test('latency and reuse formats', () => {
  assert.deepEqual([undefined, 0, 0.42, 9.96, 38.6, 999.4, 1530, 12_000].map(fmtMs), ['-', '0.0ms', '0.4ms', '10ms', '39ms', '999ms', '1.5s', '12s']);
  assert.equal(reuseRatio(httpCounters({ reuse: 0, connects: 0 }) as never), '-');
  assert.equal(reuseRatio(httpCounters({ reuse: 3, connects: 1 }) as never), '75%');
  assert.equal(reuseRatio(httpCounters({ reuse: 999, connects: 1 }) as never), '99%');
  assert.equal(reuseRatio(httpCounters({ reuse: 5, connects: 0 }) as never), '100%');
});
