/**
 * WebSocket admin protocol against bad clients: garbage, oversized messages, wrong versions, no hello,
 * plain HTTP, and clients that never read. None of them may crash the daemon, block another client or
 * grow memory without bound.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { CLOSE, PROTOCOL_VERSION } from '../../shared/protocol.js';
import { applyDelta } from '../../shared/snapshot-delta.js';
import type { Snapshot } from '../../shared/snapshot.js';
import { SESSION_LIMITS } from '../../daemon/admin/ws-session.js';
import { SLOW_CONSUMER_BYTES } from '../../daemon/admin/ws-feed.js';
import { rawClient, startWsHarness, TWO_BACKENDS } from '../helpers/ws-harness.js';
import { waitFor } from '../helpers/wait.js';

test('bad messages get an error naming the problem, and the connection keeps working', async () => {
  const h = await startWsHarness(TWO_BACKENDS);
  try {
    const raw = await rawClient(h.path);
    const cases: [unknown, string, number | null][] = [
      ['{not json', 'bad-message', null],
      ['[1,2]', 'bad-message', null],
      [{ type: 'gossip' }, 'bad-message', null],
      [{ type: 'request', op: 'ping' }, 'bad-message', null],
      [{ type: 'request', id: 1, op: 'launch' }, 'unknown-op', 1],
      [{ type: 'request', id: 2, op: 'set-server-state', state: 'maint' }, 'bad-request', 2],
      [{ type: 'request', id: 3, op: 'command', line: 42 }, 'bad-request', 3],
      [{ type: 'request', id: 4, op: 'events', limit: -1 }, 'bad-request', 4],
      [{ type: 'hello', version: PROTOCOL_VERSION }, 'bad-request', null],
    ];
    for (const [msg, code, id] of cases) {
      raw.send(msg);
      const m = await raw.next();
      assert.equal(m.type, id === null ? 'error' : 'reply', JSON.stringify(msg));
      assert.equal(m.error.code, code, JSON.stringify(msg));
      if (id !== null) assert.equal(m.id, id);
      assert.ok(m.error.message.length > 0);
    }
    raw.ws.send(Buffer.from([1, 2, 3]), { binary: true });
    assert.equal((await raw.next()).error.code, 'bad-message');
    raw.send({ type: 'request', id: 9, op: 'ping' });
    assert.equal((await raw.next()).ok, true, 'still answering');
    raw.close();
  } finally {
    await h.stop();
  }
});

test('a client that keeps sending garbage is disconnected; others are not affected', async () => {
  const h = await startWsHarness(TWO_BACKENDS);
  try {
    const bad = await rawClient(h.path);
    const good = h.client();
    await good.connect();
    for (let i = 0; i <= SESSION_LIMITS.maxErrors; i++) bad.send('garbage');
    assert.equal((await bad.closed).code, CLOSE.TOO_MANY_ERRORS);
    assert.ok((await good.request('ping', {})).now > 0);
  } finally {
    await h.stop();
  }
});

test('a request before hello is refused; no hello in time closes the connection', async () => {
  const h = await startWsHarness(TWO_BACKENDS.replace('stats timeout 2s', 'stats timeout 200ms'));
  try {
    const raw = await rawClient(h.path, null);
    raw.send({ type: 'request', id: 1, op: 'snapshot' });
    const m = await raw.next();
    assert.deepEqual([m.id, m.ok, m.error.code], [1, false, 'handshake-required']);
    assert.equal((await raw.nextWhere((x) => x.type === 'error')).error.code, 'handshake-required');
    assert.equal((await raw.closed).code, CLOSE.HANDSHAKE_TIMEOUT);
  } finally {
    await h.stop();
  }
});

test('another protocol version gets a clear error and the version-mismatch close code', async () => {
  const h = await startWsHarness(TWO_BACKENDS);
  try {
    const raw = await rawClient(h.path, null);
    raw.send({ type: 'hello', version: PROTOCOL_VERSION + 1, client: 'lbctl/9.0.0' });
    const m = await raw.next();
    assert.equal(m.type, 'error');
    assert.equal(m.error.code, 'version-mismatch');
    assert.match(m.error.message, new RegExp(`speaks admin protocol version ${PROTOCOL_VERSION}, this client sent version ${PROTOCOL_VERSION + 1}`));
    assert.equal((await raw.closed).code, CLOSE.VERSION_MISMATCH);
  } finally {
    await h.stop();
  }
});

test('a message over the size limit closes that connection with 1009 only', async () => {
  const h = await startWsHarness(TWO_BACKENDS);
  try {
    const big = await rawClient(h.path);
    const good = h.client();
    await good.connect();
    big.send({ type: 'request', id: 1, op: 'command', line: 'show info ' + 'x'.repeat(100_000) });
    assert.equal((await big.closed).code, CLOSE.TOO_BIG);
    assert.ok((await good.request('ping', {})).now > 0);
  } finally {
    await h.stop();
  }
});

/** Send raw bytes on a fresh admin connection and read everything until the daemon closes it. */
function rawHttp(path: string, request: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const s = net.connect(path, () => s.write(request));
    let got = '';
    s.on('data', (d) => (got += d.toString()));
    s.on('close', () => resolve(got));
    s.on('error', reject);
    s.setTimeout(3000, () => reject(new Error(`no close; got ${JSON.stringify(got)}`)));
  });
}

test('a GET without a valid upgrade gets an HTTP error and is closed', async () => {
  const h = await startWsHarness(TWO_BACKENDS);
  try {
    assert.match(await rawHttp(h.path, 'GET / HTTP/1.1\r\nHost: lbd\r\n\r\n'), /^HTTP\/1\.1 426 Upgrade Required\r\n[\s\S]*speak WebSocket here/);
    assert.match(await rawHttp(h.path, 'GET / HTTP/1.1\r\nHost: lbd\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\n'), /^HTTP\/1\.1 400 /);
    assert.match(await rawHttp(h.path, 'GET \x00\x01 nonsense\r\n\r\n'), /^HTTP\/1\.1 400 Bad Request/);
  } finally {
    await h.stop();
  }
});

test('a client that never reads is cut off when its events pile up; the others keep their answers', async () => {
  const h = await startWsHarness(TWO_BACKENDS);
  try {
    const stuck = await rawClient(h.path);
    stuck.send({ type: 'request', id: 1, op: 'subscribe', topic: 'events' });
    await stuck.next();
    (stuck.ws as unknown as { _socket: net.Socket })._socket.pause();
    const good = h.client();
    await good.connect();
    const server = h.rt.findServer('myApp', 'server-1')!;
    let maxBuffered = 0;
    const watch = () => {
      for (const s of h.sockets) maxBuffered = Math.max(maxBuffered, s.writableLength);
    };
    // each toggle is one event (~300 bytes) for the stuck client
    for (let i = 0; i < 60_000 && h.sockets.size === 2; i++) {
      h.rt.setServerState(server, i % 2 ? 'ready' : 'drain', 'flood');
      if (i % 1000 === 0) {
        watch();
        await new Promise((r) => setImmediate(r));
      }
    }
    await waitFor(() => h.sockets.size === 1, 3000, 'the stuck client to be cut off');
    assert.ok(maxBuffered <= SESSION_LIMITS.hardBufferBytes + 1000 * 400, `buffered ${maxBuffered}`);
    assert.ok((await good.request('ping', {})).now > 0);
    stuck.close();
  } finally {
    await h.stop();
  }
});

test('a slow reader skips snapshot ticks instead of queueing them, and catches up with one delta', async () => {
  const servers = Array.from({ length: 2000 }, (_, i) => `    server s${i} 127.0.0.1:${20000 + (i % 1000)}`).join('\n');
  const h = await startWsHarness(`defaults\n    mode tcp\nbackend big\n${servers}\n`);
  try {
    const slow = await rawClient(h.path);
    const sock = (slow.ws as unknown as { _socket: net.Socket })._socket;
    sock.pause();
    slow.send({ type: 'request', id: 1, op: 'subscribe', topic: 'snapshot', intervalMs: 100 });
    const server = [...h.sockets][0]!;
    await waitFor(() => server.writableLength > SLOW_CONSUMER_BYTES, 2000, 'the full snapshot to back up');
    const backlog = server.writableLength;
    const be = h.rt.backends.get('big')!;
    for (let round = 0; round < 5; round++) {
      for (const s of be.servers) h.rt.setServerState(s, round % 2 ? 'ready' : 'maint', 'churn');
      await new Promise((r) => setTimeout(r, 120));
    }
    assert.ok(server.writableLength - backlog < 10_000, `grew by ${server.writableLength - backlog} bytes`);
    sock.resume();
    assert.equal((await slow.next()).id, 1);
    const full = await slow.next();
    const delta = await slow.nextWhere((m) => m.type === 'delta', 5000);
    assert.deepEqual([delta.seq, delta.base], [2, 1], 'one delta covers the skipped ticks');
    const now = applyDelta(full.snapshot as Snapshot, delta.patch);
    assert.equal(now.backends[0]!.servers[0]!.status, 'MAINT', 'the last round (maint) is what the client sees');
    slow.close();
  } finally {
    await h.stop();
  }
});
