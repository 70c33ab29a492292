/** WebSocket admin protocol: handshake, request/reply by id, typed requests, levels. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { ADMIN } from '../../shared/snapshot.js';
import { AdminClientError } from '../../shared/admin-client.js';
import { PROTOCOL_VERSION } from '../../shared/protocol.js';
import { rawClient, startWsHarness, TWO_BACKENDS } from '../helpers/ws-harness.js';


test('hello gets a welcome with the version, the socket level and the limits', async () => {
  const h = await startWsHarness(TWO_BACKENDS);
  try {
    const userPath = await h.listen('user');
    const w = await h.client().connect();
    assert.equal(w.version, PROTOCOL_VERSION);
    assert.equal(w.level, 'admin');
    assert.equal(w.pid, process.pid);
    assert.equal(w.startedAt, h.rt.startedAt);
    assert.match(w.server, /^lbd \d+\.\d+\.\d+/);
    assert.ok(w.limits.maxMessageBytes > 0 && w.limits.maxInFlight > 0);
    assert.equal((await h.client({ socketPath: userPath }).connect()).level, 'user');
  } finally {
    await h.stop();
  }
});

test('replies are matched by id, in whatever order they come', async () => {
  const h = await startWsHarness(TWO_BACKENDS);
  try {
    const raw = await rawClient(h.path);
    raw.send({ type: 'request', id: 7, op: 'ping' });
    raw.send({ type: 'request', id: 3, op: 'snapshot' });
    const got = [await raw.next(), await raw.next()].sort((a, b) => a.id - b.id);
    assert.deepEqual(got.map((m) => [m.type, m.id, m.ok]), [['reply', 3, true], ['reply', 7, true]]);
    assert.deepEqual(got[0]!.result.snapshot.backends.map((b: { name: string }) => b.name), ['myApp', 'monitoring']);
    assert.equal(typeof got[1]!.result.now, 'number');
    raw.close();
  } finally {
    await h.stop();
  }
});

test('set-server-state with a bare name acts on every backend that has the server, and says which', async () => {
  const h = await startWsHarness(TWO_BACKENDS);
  try {
    const c = h.client();
    await c.connect();
    const r = await c.request('set-server-state', { server: 'server-2', state: 'maint' });
    assert.deepEqual(r.targets, [
      { backend: 'myApp', server: 'server-2', from: 'no check', to: 'MAINT' },
      { backend: 'monitoring', server: 'server-2', from: 'no check', to: 'MAINT' },
    ]);
    assert.ok(h.rt.findServer('myApp', 'server-2')!.admin & ADMIN.FMAINT);
    assert.ok(h.rt.findServer('monitoring', 'server-2')!.admin & ADMIN.FMAINT);

    const narrowed = await c.request('set-server-state', { server: 'server-2', backend: 'myApp', state: 'ready' });
    assert.deepEqual(narrowed.targets.map((t) => [t.backend, t.to]), [['myApp', 'no check']]);
    assert.ok(h.rt.findServer('monitoring', 'server-2')!.admin & ADMIN.FMAINT, 'the other backend is untouched');

    const full = await c.request('set-server-state', { server: 'monitoring/server-2', state: 'drain' });
    assert.deepEqual(full.targets.map((t) => [t.backend, t.from, t.to]), [['monitoring', 'MAINT', 'DRAIN']]);

    const events = (await c.request('events', {})).events.filter((e) => e.kind === 'server-admin');
    assert.deepEqual(events.map((e) => e.object), ['myApp/server-2', 'monitoring/server-2', 'myApp/server-2', 'monitoring/server-2']);
    assert.equal(events[0]!.cause.kind, 'operator');
  } finally {
    await h.stop();
  }
});

test('unknown servers and backends are not-found; a bad state or weight is bad-request', async () => {
  const h = await startWsHarness(TWO_BACKENDS);
  try {
    const c = h.client();
    await c.connect();
    const code = (p: Promise<unknown>) => p.then(() => 'ok', (e: AdminClientError) => `${e.code}: ${e.message}`);
    assert.match(await code(c.request('set-server-state', { server: 'nope', state: 'maint' })), /^not-found: No server named nope/);
    assert.match(await code(c.request('set-server-state', { server: 'server-3', backend: 'myApp', state: 'maint' })), /^not-found: No such server: myApp\/server-3/);
    assert.match(await code(c.request('set-server-state', { server: 'nobe/server-1', state: 'maint' })), /^not-found: No such backend: nobe/);
    assert.match(await code(c.request('set-server-state', { server: 'server-1', state: 'off' as 'maint' })), /^bad-request: 'state' must be one of ready, drain, maint/);
    assert.match(await code(c.request('set-server-weight', { server: 'server-1', weight: 'lots' })), /^bad-request: 'weight'/);
    assert.match(await code(c.request('set-server-weight', { server: 'server-1', weight: '300' })), /^refused: Absolute weight can only be between 0 and 256/);
  } finally {
    await h.stop();
  }
});

test('set-server-weight goes through the command table and reports get weight', async () => {
  const h = await startWsHarness(TWO_BACKENDS);
  try {
    const c = h.client();
    await c.connect();
    const r = await c.request('set-server-weight', { server: 'myApp/server-2', weight: '50%' });
    assert.deepEqual(r.targets, [{ backend: 'myApp', server: 'server-2', from: 'no check', to: 'no check', weight: '5 (initial 10)' }]);
    assert.equal(h.rt.findServer('myApp', 'server-2')!.uweight, 5);
  } finally {
    await h.stop();
  }
});

test('command runs one runtime API line at the socket level, answered as the text socket would', async () => {
  const h = await startWsHarness(TWO_BACKENDS);
  try {
    const c = h.client();
    await c.connect();
    assert.equal((await c.request('command', { line: 'get weight myApp/server-2' })).output, '10 (initial 10)\n');
    assert.equal((await c.request('command', { line: 'set server myApp/server-1 state drain' })).output, '');
    assert.equal(h.rt.findServer('myApp', 'server-1')!.statusString(), 'DRAIN');
    assert.equal((await c.request('command', { line: 'get weight myApp/nope' })).output, 'No such server.\n');
    await assert.rejects(c.request('command', { line: 'show info;show stat' }), (e: AdminClientError) => e.code === 'bad-request');
  } finally {
    await h.stop();
  }
});

test('levels: a user socket reads but cannot change anything, by typed request or by command', async () => {
  const h = await startWsHarness(TWO_BACKENDS);
  try {
    const c = h.client({ socketPath: await h.listen('user') });
    await c.connect();
    assert.ok((await c.request('snapshot', {})).snapshot.backends.length);
    const denied = (e: AdminClientError) => e.code === 'permission-denied';
    await assert.rejects(c.request('set-server-state', { server: 'server-2', state: 'maint' }), denied);
    await assert.rejects(c.request('set-server-weight', { server: 'server-2', weight: '0' }), denied);
    await assert.rejects(c.request('reload', {}), denied);
    assert.equal((await c.request('command', { line: 'set server myApp/server-1 state maint' })).output, 'Permission denied\n');
    assert.equal(h.rt.findServer('myApp', 'server-1')!.admin, 0, 'nothing changed');

    const op = h.client({ socketPath: await h.listen('operator') });
    await op.connect();
    await assert.rejects(op.request('set-server-state', { server: 'server-1', state: 'drain' }), denied);
    assert.equal(h.rt.findServer('myApp', 'server-1')!.admin, 0);
  } finally {
    await h.stop();
  }
});

test('reload returns the structured result: the changes, or every error as file:line and nothing changed', async () => {
  const h = await startWsHarness(TWO_BACKENDS);
  try {
    const c = h.client();
    await c.connect();
    writeFileSync(h.cfgPath, TWO_BACKENDS + '    server server-4 127.0.0.1:18004\n');
    const ok = await c.request('reload', {});
    assert.equal(ok.ok, true);
    assert.ok(ok.changes.some((l) => /server-4/.test(l)), ok.changes.join('\n'));
    assert.ok(h.rt.findServer('monitoring', 'server-4'));

    writeFileSync(h.cfgPath, TWO_BACKENDS + '    server server-5 127.0.0.1:18005 chekc\n');
    const bad = await c.request('reload', {});
    assert.equal(bad.ok, false);
    assert.equal(bad.changes.length, 0);
    assert.match(bad.errors[0]!, /lbd\.cfg:\d+: .*chekc/);
    assert.equal(h.rt.findServer('monitoring', 'server-5'), null);
  } finally {
    await h.stop();
  }
});
