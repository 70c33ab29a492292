/** AdminClient: reconnect with backoff after the daemon goes away, resubscription, pending requests. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Snapshot } from '../../shared/snapshot.js';
import type { LbdEvent } from '../../shared/events.js';
import { createServer } from 'node:http';
import { join } from 'node:path';
import { WebSocketServer } from 'ws';
import { AdminClient, type AdminClientError } from '../../shared/admin-client.js';
import { CLOSE } from '../../shared/protocol.js';
import { tempDir } from '../helpers/lbd-process.js';
import { createWebSocketHandoff } from '../../daemon/admin/ws-upgrade.js';
import { startWsHarness, TWO_BACKENDS } from '../helpers/ws-harness.js';
import { once, waitFor } from '../helpers/wait.js';

test('after a daemon restart the client reconnects, subscribes again (full snapshot, events of the new daemon) and waiting requests go through', async () => {
  const h = await startWsHarness(TWO_BACKENDS);
  try {
    const c = h.client();
    const first = await c.connect();
    const snaps: { s: Snapshot; full: boolean }[] = [];
    const events: LbdEvent[] = [];
    await c.subscribeSnapshots({ intervalMs: 100 }, (s, full) => snaps.push({ s, full }));
    await c.subscribeEvents({}, (e) => events.push(e));
    h.rt.setServerState(h.rt.findServer('myApp', 'server-1')!, 'maint', 'before');
    await waitFor(() => events.length === 1, 2000, 'the first event');
    const retries: { attempt: number; delayMs: number }[] = [];
    c.on('reconnecting', (r: { attempt: number; delayMs: number }) => retries.push(r));

    const closed = once(c, 'close', 2000);
    await h.down();
    await closed;
    assert.equal(c.connected, false);
    await waitFor(() => retries.length >= 3, 3000, 'a few attempts while the daemon is away');
    // the delays grow (×2 from 20 ms, ±20% jitter) up to the cap (200 ms)
    assert.ok(retries[2]!.delayMs > retries[0]!.delayMs, JSON.stringify(retries));
    assert.ok(retries.every((r) => r.delayMs <= 240), JSON.stringify(retries));
    const waiting = c.request('ping', {}, { timeoutMs: 5000 });

    const reopened = once<{ startedAt: number }>(c, 'open', 5000);
    await h.up();
    const second = await reopened;
    assert.ok((await waiting).now > 0, 'the request made while away was answered after the reconnect');
    assert.notEqual(second.startedAt, first.startedAt, 'a new daemon');

    const fullsBefore = snaps.filter((x) => x.full).length;
    await waitFor(() => snaps.filter((x) => x.full).length === 2, 2000, 'a full snapshot from the new daemon');
    assert.equal(fullsBefore >= 1, true);
    const latest = snaps[snaps.length - 1]!.s;
    assert.equal(latest.backends[0]!.servers[0]!.status, 'no check', 'the new daemon does not have the old one\'s maintenance');

    h.rt.setServerState(h.rt.findServer('myApp', 'server-2')!, 'drain', 'after');
    await waitFor(() => events.length === 2, 2000, 'an event of the new daemon');
    assert.equal(events[1]!.object, 'myApp/server-2');
    assert.equal(events[1]!.seq, 1, 'event numbers restart with the new daemon and none was skipped');
    await waitFor(() => snaps[snaps.length - 1]!.s.backends[0]!.servers[1]!.status === 'DRAIN', 2000, 'deltas again');
  } finally {
    await h.stop();
  }
});

test('without reconnect, a request in flight fails with disconnected and later ones fail at once', async () => {
  // a command table that never answers: the request is surely in flight when the daemon goes away
  const h = await startWsHarness(TWO_BACKENDS, { handoff: createWebSocketHandoff(() => () => new Promise<string>(() => {})) });
  try {
    const c = h.client({ reconnect: false });
    await c.connect();
    const inFlight = c.request('command', { line: 'show info' });
    await c.request('ping', {});
    await h.down();
    await assert.rejects(inFlight, (e: AdminClientError) => e.code === 'disconnected');
    await assert.rejects(c.request('ping', {}), (e: AdminClientError) => e.code === 'disconnected');
  } finally {
    await h.stop();
  }
});

test('connect() to a socket with no daemon fails at once with unreachable', async () => {
  const h = await startWsHarness(TWO_BACKENDS);
  try {
    const c = h.client({ socketPath: `${h.dir}/nothing.sock` });
    await assert.rejects(c.connect(), (e: AdminClientError) => e.code === 'unreachable' && /no such socket/.test(e.message));
  } finally {
    await h.stop();
  }
});

test('a daemon that speaks another protocol version: connect() rejects with version-mismatch and the daemon\'s words', async () => {
  const { dir, cleanup } = tempDir('lbd-ws-version-');
  const path = join(dir, 'future.sock');
  const http = createServer();
  const wss = new WebSocketServer({ server: http });
  wss.on('connection', (ws) =>
    ws.once('message', () => {
      ws.send(JSON.stringify({ type: 'error', error: { code: 'version-mismatch', message: 'lbd 9.0.0 speaks admin protocol version 2, this client sent version 1' } }));
      ws.close(CLOSE.VERSION_MISMATCH, 'protocol version mismatch');
    }),
  );
  await new Promise<void>((r) => http.listen(path, () => r()));
  const c = new AdminClient({ socketPath: path, reconnect: false });
  try {
    await assert.rejects(c.connect(), (e: AdminClientError) => e.code === 'version-mismatch' && /speaks admin protocol version 2/.test(e.message));
  } finally {
    await c.close();
    wss.close();
    await new Promise((r) => http.close(r));
    cleanup();
  }
});
