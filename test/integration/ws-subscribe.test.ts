/** WebSocket admin protocol: snapshot subscriptions (full, then deltas) and event subscriptions. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Snapshot } from '../../shared/snapshot.js';
import type { LbdEvent } from '../../shared/events.js';
import { applyDelta } from '../../shared/snapshot-delta.js';
import { activeFeeds } from '../../daemon/admin/ws-feed.js';
import { rawClient, startWsHarness, TWO_BACKENDS, type WsHarness } from '../helpers/ws-harness.js';
import { waitFor } from '../helpers/wait.js';

/** Record every snapshot the runtime hands out, so a delta can be compared with the snapshot it describes. */
function recordSnapshots(h: WsHarness): Snapshot[] {
  const taken: Snapshot[] = [];
  const orig = h.rt.snapshot.bind(h.rt);
  h.rt.snapshot = () => {
    const s = orig();
    taken.push(structuredClone(s));
    return s;
  };
  return taken;
}

test('a snapshot subscription sends the full snapshot, then deltas that rebuild each next snapshot exactly', async () => {
  const h = await startWsHarness(TWO_BACKENDS);
  try {
    const taken = recordSnapshots(h);
    const raw = await rawClient(h.path);
    raw.send({ type: 'request', id: 1, op: 'subscribe', topic: 'snapshot', intervalMs: 100 });
    assert.deepEqual(await raw.next(), { type: 'reply', id: 1, ok: true, result: { sub: 1, intervalMs: 100 } });
    const first = await raw.next();
    assert.equal(first.type, 'snapshot');
    assert.equal(first.seq, 1);
    assert.deepEqual(first.snapshot, taken[0]);
    let prev = first.snapshot as Snapshot;

    // a tick with no state change: only what moves on its own (the clock) travels
    const quiet = await raw.nextWhere((m) => m.type === 'delta');
    assert.equal(quiet.base, 1);
    assert.equal(quiet.seq, 2);
    assert.deepEqual(Object.keys(quiet.patch.obj ?? {}), ['process'], JSON.stringify(quiet.patch));
    prev = applyDelta(prev, quiet.patch);
    assert.deepEqual(prev, taken[taken.length - 1]);

    h.rt.setServerState(h.rt.findServer('monitoring', 'server-2')!, 'maint', 'test');
    const changed = await raw.nextWhere((m) => m.type === 'delta');
    assert.equal(changed.base, quiet.seq);
    const server = changed.patch.list.backends.obj.monitoring.list.servers.obj['server-2'];
    assert.equal(server.set.status, 'MAINT');
    assert.deepEqual(Object.keys(changed.patch.list.backends.obj), ['monitoring'], 'only the backend that changed is in the delta');
    assert.deepEqual(Object.keys(changed.patch.list.backends.obj.monitoring.list.servers.obj), ['server-2']);
    prev = applyDelta(prev, changed.patch);
    assert.deepEqual(prev, taken[taken.length - 1]);
    assert.equal(prev.backends[1]!.servers[0]!.status, 'MAINT');
    raw.close();
  } finally {
    await h.stop();
  }
});

test('AdminClient rebuilds snapshots from deltas; subscribers of one interval share one snapshot per tick; timers end with the connection', async () => {
  const h = await startWsHarness(TWO_BACKENDS);
  try {
    const taken = recordSnapshots(h);
    const a = h.client();
    const b = h.client();
    await a.connect();
    await b.connect();
    let seenA: Snapshot | null = null;
    let fulls = 0;
    const subA = await a.subscribeSnapshots({ intervalMs: 100 }, (s, full) => {
      seenA = s;
      if (full) fulls++;
    });
    await b.subscribeSnapshots({ intervalMs: 100 }, () => {});
    assert.equal(activeFeeds(h.rt), 1);
    h.rt.setServerState(h.rt.findServer('myApp', 'server-1')!, 'drain', 'test');
    await waitFor(() => seenA?.backends[0]!.servers[0]!.status === 'DRAIN', 2000, 'the drain in a delta');
    assert.equal(fulls, 1);
    const before = taken.length;
    await waitFor(() => taken.length >= before + 3, 2000, 'three more ticks');
    // two subscribers, one snapshot per tick (the two full ones were taken at subscribe time)
    assert.ok(taken.length - before <= 4, `${taken.length - before} snapshots for 3 ticks`);
    await subA.close();
    await b.close();
    await waitFor(() => activeFeeds(h.rt) === 0, 2000, 'the feed timer to stop');
  } finally {
    await h.stop();
  }
});

test('an events subscription sends the backlog, then each event as it happens', async () => {
  const h = await startWsHarness(TWO_BACKENDS);
  try {
    const c = h.client();
    await c.connect();
    await c.request('set-server-state', { server: 'server-3', state: 'maint' });
    const got: LbdEvent[] = [];
    const sub = await c.subscribeEvents({ backlog: 1 }, (e) => got.push(e));
    await waitFor(() => got.length === 1, 2000, 'the backlog');
    assert.equal(got[0]!.object, 'monitoring/server-3');
    h.rt.setServerState(h.rt.findServer('myApp', 'server-1')!, 'drain', 'test');
    await waitFor(() => got.length === 2, 2000, 'the live event');
    assert.deepEqual([got[1]!.kind, got[1]!.object, got[1]!.to], ['server-admin', 'myApp/server-1', 'DRAIN']);
    assert.ok(got[1]!.seq > got[0]!.seq);
    await sub.close();
    h.rt.setServerState(h.rt.findServer('myApp', 'server-1')!, 'ready', 'test');
    assert.equal((await c.request('ping', {})).now > 0, true);
    assert.equal(got.length, 2, 'nothing after unsubscribe');
  } finally {
    await h.stop();
  }
});

test('subscription bounds: a bad topic or interval is refused, the interval is clamped, unknown subscriptions are not found', async () => {
  const h = await startWsHarness(TWO_BACKENDS);
  try {
    const raw = await rawClient(h.path);
    raw.send({ type: 'request', id: 1, op: 'subscribe', topic: 'weather' });
    assert.equal((await raw.next()).error.code, 'bad-request');
    raw.send({ type: 'request', id: 2, op: 'subscribe', topic: 'snapshot', intervalMs: 'soon' });
    assert.equal((await raw.next()).error.code, 'bad-request');
    raw.send({ type: 'request', id: 3, op: 'subscribe', topic: 'snapshot', intervalMs: 1 });
    assert.equal((await raw.next()).result.intervalMs, 100);
    raw.send({ type: 'request', id: 4, op: 'unsubscribe', sub: 99 });
    assert.equal((await raw.nextWhere((m) => m.id === 4)).error.code, 'not-found');
    raw.send({ type: 'request', id: 5, op: 'unsubscribe', sub: 3 });
    assert.equal((await raw.nextWhere((m) => m.id === 5)).ok, true);
    await waitFor(() => activeFeeds(h.rt) === 0, 2000, 'the feed to stop');
    raw.close();
  } finally {
    await h.stop();
  }
});
