/**
 * The feed: retries the first connection with backoff, follows the client's reconnects, drops events a
 * resubscription sends twice, coalesces bursts into one notification, bounds what it keeps; the rate
 * history turns byte counters into rates and forgets servers that left; the plain report for non-TTY.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { LbdEvent } from '../../shared/events.js';
import { Feed } from '../../tui/top/feed.js';
import { plainReport } from '../../tui/top/plain.js';
import { RateHistory, rateKey } from '../../tui/top/rates.js';
import { colorWanted, displayOptions, localeIsUtf8 } from '../../tui/top/terminal.js';
import { waitFor } from '../helpers/wait.js';
import { allStatesSnapshot, NOW, trackSnapshot } from './top-fixtures.js';
import { FakeClient } from './top-ink.js';

function ev(seq: number): LbdEvent {
  return { seq, time: NOW + seq, kind: 'server-state', object: 'monitoring/server-1', from: 'UP', to: 'DOWN', cause: { kind: 'track', via: 'x/y' }, message: `event ${seq}` };
}

test('the first connection is retried until lbd answers', async () => {
  const client = new FakeClient(trackSnapshot());
  let fails = 3;
  const real = client.connect.bind(client);
  client.connect = async () => {
    if (fails-- > 0) throw Object.assign(new Error('no such socket'), { code: 'unreachable' });
    return real();
  };
  const feed = new Feed(client, { intervalMs: 1000, coalesceMs: 1, retry: { initialMs: 5, maxMs: 20 } });
  const states: string[] = [];
  feed.subscribe(() => states.push(feed.state.conn.kind));
  feed.start();
  await waitFor(() => feed.state.snapshot, 2000, 'a snapshot');
  assert.equal(feed.state.conn.kind, 'open');
  assert.ok(states.includes('down'));
  await feed.stop();
});

test('a version mismatch is fatal: no retry', async () => {
  const client = new FakeClient(null);
  let calls = 0;
  client.connect = async () => {
    calls++;
    throw Object.assign(new Error('another protocol'), { code: 'version-mismatch' });
  };
  const feed = new Feed(client, { intervalMs: 1000, coalesceMs: 1, retry: { initialMs: 5, maxMs: 5 } });
  feed.start();
  await waitFor(() => feed.state.conn.kind === 'fatal', 1000, 'fatal');
  await new Promise((r) => setTimeout(r, 30));
  assert.equal(calls, 1);
  await feed.stop();
});

test('events: newest first, repeats after a resubscription dropped, bounded', async () => {
  const client = new FakeClient(trackSnapshot());
  const feed = new Feed(client, { intervalMs: 1000, coalesceMs: 1, maxEvents: 5 });
  let notes = 0;
  feed.subscribe(() => notes++);
  feed.start();
  await waitFor(() => feed.state.snapshot, 1000, 'a snapshot');
  const before = notes;
  for (let i = 1; i <= 8; i++) client.event(ev(i));
  client.event(ev(7)); // resent after a reconnect to the same daemon
  await waitFor(() => notes > before, 1000, 'a notification');
  assert.deepEqual(feed.state.events.map((e) => e.seq), [8, 7, 6, 5, 4]);
  assert.ok(notes - before <= 2, `${notes - before} notifications for a burst of 9 events`);
  await feed.stop();
});

test('connection state follows the client: close, reconnecting, open', async () => {
  const client = new FakeClient(trackSnapshot());
  const feed = new Feed(client, { intervalMs: 1000, coalesceMs: 1 });
  feed.start();
  await waitFor(() => feed.state.snapshot, 1000, 'a snapshot');
  client.drop();
  assert.equal(feed.state.conn.kind, 'down');
  assert.ok(feed.state.conn.kind === 'down' && feed.state.conn.retryAt !== null);
  client.back();
  assert.equal(feed.state.conn.kind, 'open');
  await feed.stop();
});

test('rate history: byte rates from counters over the daemon clock, sparkline samples, forgotten servers', () => {
  const h = new RateHistory(1000);
  const a = trackSnapshot();
  a.backends[0]!.servers[0]!.counters.bytesIn = 1000;
  a.backends[0]!.servers[0]!.counters.rate = 3;
  h.add(a);
  const b = trackSnapshot();
  b.process.now += 2000;
  b.backends[0]!.servers[0]!.counters.bytesIn = 5000;
  b.backends[0]!.servers[0]!.counters.rate = 5;
  h.add(b);
  const k = rateKey.server('myApp', 'server-1');
  assert.equal(h.bytes(k).in, 2000);
  assert.deepEqual(h.history(k), [3, 5]);
  // the same snapshot again adds nothing
  h.add(b);
  assert.deepEqual(h.history(k), [3, 5]);
  // counters reset by a reload read as 0, not negative
  const c = trackSnapshot();
  c.process.now += 3000;
  h.add(c);
  assert.equal(h.bytes(k).in, 0);
  // a server removed from the config is forgotten
  const d = trackSnapshot();
  d.process.now += 4000;
  d.backends[0]!.servers.pop();
  const size = h.size;
  h.add(d);
  assert.equal(h.size, size - 1);
  // bounded: a minute of samples
  const e = new RateHistory(1000);
  for (let i = 0; i < 500; i++) {
    const s = trackSnapshot();
    s.process.now += i * 1000;
    e.add(s);
  }
  assert.equal(e.history(k).length, 60);
});

test('display options: NO_COLOR, TERM=dumb and a non-UTF-8 locale turn things off; flags only turn off', () => {
  assert.equal(colorWanted({ NO_COLOR: '1' }), false);
  assert.equal(colorWanted({ NO_COLOR: '' }), true);
  assert.equal(colorWanted({ TERM: 'dumb' }), false);
  assert.equal(localeIsUtf8({ LANG: 'en_US.UTF-8' }), true);
  assert.equal(localeIsUtf8({ LC_ALL: 'C', LANG: 'en_US.UTF-8' }), false);
  assert.equal(localeIsUtf8({}), false);
  assert.deepEqual(displayOptions({}, { LANG: 'C.UTF-8' }), { color: true, ascii: false });
  assert.deepEqual(displayOptions({ color: false, ascii: true }, { LANG: 'C.UTF-8' }), { color: false, ascii: true });
  assert.deepEqual(displayOptions({ color: true }, { NO_COLOR: 'x', LANG: 'POSIX' }), { color: false, ascii: true });
});

test('not a TTY: one plain snapshot with the tree and the frontends, no escape codes', () => {
  const snap = allStatesSnapshot();
  const rates = new RateHistory(1000);
  rates.add(snap);
  const out = plainReport(snap, rates, { width: 160, ascii: false, now: NOW });
  assert.ok(!/\x1b/.test(out));
  assert.match(out, /^lbd 0\.1\.0/);
  assert.match(out, /├ server-1 +■ MAINT \(via monitoring\/server-1\)/);
  assert.match(out, /└ server-3 +✗ DOWN +L4CON 0ms Connection refused/);
  assert.match(out, /sock-1 +✓ OPEN +127\.0\.0\.1:6443/);
  for (const l of out.split('\n')) assert.ok(l.length <= 160 && l === l.trimEnd());
});
