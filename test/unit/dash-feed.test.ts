/**
 * The dashboard's feed on a fake AdminClient: it keeps trying the first connection (a wall screen may
 * start before lbd), subscribes once connected, follows the client's close/reconnecting/open events
 * into the banner's state, and gives up only on a protocol mismatch.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { startFeed, type FeedClient } from '../../tui/dash/feed.js';
import { DashModel } from '../../tui/dash/model.js';
import { makePalette } from '../../tui/dash/palette.js';
import type { Welcome } from '../../shared/protocol.js';
import type { Snapshot } from '../../shared/snapshot.js';
import type { LbdEvent } from '../../shared/events.js';
import { waitFor } from '../helpers/wait.js';
import { backend, snapshot } from './dash-fixtures.js';

const welcome = { type: 'welcome', version: 1, server: 'lbd 0.1.0', level: 'user', pid: 7, startedAt: 1, limits: {} } as unknown as Welcome;

class FakeClient extends EventEmitter implements FeedClient {
  failures: { code: string; message: string }[] = [];
  connects = 0;
  onSnapshot: ((s: Snapshot, full: boolean) => void) | null = null;
  onEvent: ((e: LbdEvent) => void) | null = null;
  closed = false;
  async connect(): Promise<Welcome> {
    this.connects++;
    const f = this.failures.shift();
    if (f) throw Object.assign(new Error(f.message), f);
    return welcome;
  }
  async subscribeSnapshots(_o: { intervalMs?: number }, on: (s: Snapshot, full: boolean) => void) {
    this.onSnapshot = on;
    return { close: async () => {} };
  }
  async subscribeEvents(_o: { backlog?: number }, on: (e: LbdEvent) => void) {
    this.onEvent = on;
    return { close: async () => {} };
  }
  async close() {
    this.closed = true;
  }
}

function setup() {
  const client = new FakeClient();
  const model = new DashModel({ socket: '/s', intervalMs: 1000, palette: makePalette(false) });
  let changes = 0;
  return { client, model, changes: () => changes, start: () => startFeed(client, model, { intervalMs: 1000, backoff: { initialMs: 5, maxMs: 20 }, onChange: () => changes++ }) };
}

test('unreachable at start: retried with backoff, the banner state counts attempts; then open and subscribed', async () => {
  const t = setup();
  t.client.failures = [{ code: 'unreachable', message: 'no such socket' }, { code: 'unreachable', message: 'nothing listening' }];
  const feed = t.start();
  await waitFor(() => t.model.link.state === 'open', 2000, 'open');
  assert.equal(t.client.connects, 3);
  await waitFor(() => t.client.onSnapshot && t.client.onEvent, 2000, 'both subscriptions');
  t.client.onSnapshot!(snapshot([backend('a', [])]), true);
  assert.equal(t.model.snapshot?.backends[0]!.name, 'a');
  assert.ok(t.changes() > 0);
  assert.match(t.model.log.at(-1)!.line, /dash: connected to lbd 0\.1\.0 \(pid 7\)/);
  await feed.stop();
  assert.ok(t.client.closed);
});

test('the connecting state carries the error and the next attempt', async () => {
  const t = setup();
  t.client.failures = Array.from({ length: 100 }, () => ({ code: 'unreachable', message: 'no such socket' }));
  const feed = t.start();
  await waitFor(() => t.model.link.state === 'connecting' && t.model.link.attempt >= 2, 2000, 'second attempt');
  const link = t.model.link as { error: string; retryAt: number };
  assert.equal(link.error, 'no such socket');
  assert.ok(link.retryAt > Date.now() - 1000);
  await feed.stop();
  const n = t.client.connects;
  await new Promise((r) => setTimeout(r, 50));
  assert.equal(t.client.connects, n, 'no attempts after stop');
});

test('lost, reconnecting, open again: the link follows, and the log says so', async () => {
  const t = setup();
  const feed = t.start();
  await waitFor(() => t.model.link.state === 'open', 2000, 'open');
  t.client.emit('close', { code: 1006, reason: '' });
  assert.deepEqual(t.model.link, { state: 'lost', attempt: 0, error: 'connection closed (1006)', retryAt: null });
  t.client.emit('reconnecting', { attempt: 2, delayMs: 400 });
  assert.equal(t.model.link.state === 'lost' && t.model.link.attempt, 2);
  t.client.emit('open', welcome);
  assert.equal(t.model.link.state, 'open');
  assert.deepEqual(t.model.log.map((l) => l.line.replace(/^\S+ /, '')), ['dash: connected to lbd 0.1.0 (pid 7)', 'dash: connection to lbd lost', 'dash: reconnected to lbd 0.1.0 (pid 7)']);
  await feed.stop();
});

test('a protocol mismatch is fatal: no more attempts', async () => {
  const t = setup();
  t.client.failures = [{ code: 'version-mismatch', message: '/s does not speak the lbd admin protocol' }];
  const feed = t.start();
  await waitFor(() => t.model.link.state === 'fatal', 2000, 'fatal');
  await new Promise((r) => setTimeout(r, 50));
  assert.equal(t.client.connects, 1);
  await feed.stop();
});
