import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Runtime } from '../../daemon/runtime/runtime.js';
import { ManualClock } from '../../daemon/runtime/clock.js';
import { EventLog } from '../../daemon/runtime/events.js';
import { memoryLogger } from '../../daemon/log.js';
import type { Probe } from '../../daemon/health/probe-types.js';
import { backendConfig, config, serverConfig } from '../helpers/configs.js';

test('1,000 checked servers: first checks spread over the interval, never two in the same millisecond', async () => {
  const clock = new ManualClock();
  const start = clock.now();
  const at = new Map<number, number>();
  const probe: Probe = async () => {
    at.set(clock.now(), (at.get(clock.now()) ?? 0) + 1);
    return { status: 'L4OK', code: null, durationMs: 0, info: '' };
  };
  const backends = Array.from({ length: 10 }, (_, b) =>
    backendConfig(`be${b}`, Array.from({ length: 100 }, (_, s) => serverConfig(`s${s}`, { port: 1000 + s, check: true, inter: 1000, fastinter: 1000, downinter: 1000 }))),
  );
  const rt = new Runtime({ clock, log: memoryLogger(), probe, listen: false });
  await rt.apply(config(backends));
  for (let t = 0; t < 3000; t += 1) {
    clock.advance(1);
    await new Promise((r) => setImmediate(r));
  }
  // the first interval: every server checked exactly once, each in a millisecond of its own
  const first = [...at].filter(([ms]) => ms - start < 1000);
  assert.equal(first.reduce((n, [, c]) => n + c, 0), 1000);
  assert.equal(Math.max(...first.map(([, c]) => c)), 1, 'no millisecond saw two first checks');
  // and they keep running: about 1,000 a second afterwards
  const later = [...at].filter(([ms]) => ms - start >= 1000 && ms - start < 3000).reduce((n, [, c]) => n + c, 0);
  assert.ok(later >= 1900 && later <= 2100, `checks in the next two seconds: ${later}`);
  rt.shutdown();
});

test('the event ring keeps the newest events up to its capacity, in order, with increasing sequence numbers', () => {
  const clock = new ManualClock();
  const log = new EventLog(clock, 5);
  const seen: number[] = [];
  const off = log.subscribe((e) => seen.push(e.seq));
  for (let i = 0; i < 12; i++) log.emit('server-state', `b/s${i}`, 'UP', 'DOWN', { kind: 'startup' }, `m${i}`);
  const recent = log.recent();
  assert.deepEqual(recent.map((e) => e.object), ['b/s7', 'b/s8', 'b/s9', 'b/s10', 'b/s11']);
  assert.deepEqual(recent.map((e) => e.seq), [8, 9, 10, 11, 12]);
  assert.deepEqual(log.recent(2).map((e) => e.seq), [11, 12]);
  assert.equal(seen.length, 12);
  off();
  log.emit('reload', '', '', '', { kind: 'reload' }, 'x');
  assert.equal(seen.length, 12, 'unsubscribed');
  // a throwing subscriber does not break emitters or other subscribers
  log.subscribe(() => {
    throw new Error('bad subscriber');
  });
  let ok = 0;
  log.subscribe(() => ok++);
  log.emit('reload', '', '', '', { kind: 'reload' }, 'y');
  assert.equal(ok, 1);
});
