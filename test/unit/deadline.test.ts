import { test } from 'node:test';
import assert from 'node:assert/strict';
import { armedDeadlines, Deadline } from '../../daemon/runtime/deadline.js';
import { monoNow } from '../../daemon/runtime/clock.js';
import { waitFor } from '../helpers/wait.js';

/** A deadline that records when it fired (and its due time then). */
function probe(log: { name: string; at: number; firedAt: number }[], name: string): Deadline {
  const d: Deadline = new Deadline({ onDeadline: () => log.push({ name, at: d.at, firedAt: monoNow() }) });
  return d;
}

test('deadlines fire in due order, never before their time, each once', async () => {
  const log: { name: string; at: number; firedAt: number }[] = [];
  const ds: Deadline[] = [];
  // a fixed pseudo-random spread over 1..60 ms, armed out of order
  let seed = 7;
  for (let i = 0; i < 200; i++) {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    const d = probe(log, `d${i}`);
    d.arm(1 + (seed % 60));
    ds.push(d);
  }
  assert.ok(armedDeadlines() >= 200);
  await waitFor(() => log.length === 200, 3000, 'every deadline to fire');
  for (let i = 1; i < log.length; i++) assert.ok(log[i - 1]!.at <= log[i]!.at, `fired out of order at ${i}`);
  for (const e of log) assert.ok(e.firedAt >= e.at, `${e.name} fired ${(e.at - e.firedAt).toFixed(2)} ms early`);
  assert.equal(new Set(log.map((e) => e.name)).size, 200);
  assert.ok(ds.every((d) => !d.armed));
});

test('cancel and re-arm: a cancelled deadline never fires; re-arming moves it either way', async () => {
  const log: { name: string; at: number; firedAt: number }[] = [];
  const a = probe(log, 'a');
  const b = probe(log, 'b');
  const c = probe(log, 'c');
  const d = probe(log, 'd');
  a.arm(20);
  b.arm(30);
  c.arm(40);
  d.arm(400);
  b.cancel();
  b.cancel(); // idempotent
  c.arm(5); // earlier
  a.arm(60); // later
  d.arm(50); // much earlier than first armed
  assert.equal(b.armed, false);
  await waitFor(() => log.length === 3, 2000, 'three deadlines');
  assert.deepEqual(
    log.map((e) => e.name),
    ['c', 'd', 'a'],
  );
  // nothing else comes: b stays cancelled
  const late = new Deadline({ onDeadline: () => log.push({ name: 'late', at: 0, firedAt: 0 }) });
  late.arm(80);
  await waitFor(() => log.length === 4, 2000, 'the later deadline');
  assert.deepEqual(
    log.map((e) => e.name),
    ['c', 'd', 'a', 'late'],
  );
});

test('an earlier deadline armed after a far one is not held back by it', async () => {
  let far = false;
  let near = 0;
  const f = new Deadline({ onDeadline: () => (far = true) });
  f.arm(10_000);
  const t0 = monoNow();
  const n = new Deadline({ onDeadline: () => (near = monoNow() - t0) });
  n.arm(20);
  await waitFor(() => near > 0, 2000, 'the near deadline');
  assert.ok(near >= 20 && near < 1000, `fired after ${near.toFixed(1)} ms`);
  assert.equal(far, false);
  f.cancel();
});

test('a deadline armed from a callback for a time already past fires in the same pass', async () => {
  const order: string[] = [];
  const second = new Deadline({ onDeadline: () => order.push('second') });
  const first = new Deadline({
    onDeadline: () => {
      order.push('first');
      second.armAt(monoNow() - 1);
    },
  });
  first.arm(5);
  await waitFor(() => order.length === 2, 2000, 'both');
  assert.deepEqual(order, ['first', 'second']);

});

test('many random arms and cancels keep the heap consistent', async () => {
  const fired = new Set<number>();
  const ds = Array.from({ length: 500 }, (_, i) => new Deadline({ onDeadline: () => fired.add(i) }));
  let seed = 11;
  const rnd = (n: number) => {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    return seed % n;
  };
  for (let k = 0; k < 20_000; k++) {
    const d = ds[rnd(ds.length)]!;
    if (rnd(3) === 0) d.cancel();
    else d.arm(5 + rnd(50));
  }
  const expected = new Set(ds.flatMap((d, i) => (d.armed ? [i] : [])));
  await waitFor(() => fired.size === expected.size, 3000, 'the armed deadlines to fire');
  assert.deepEqual([...fired].sort((a, b) => a - b), [...expected].sort((a, b) => a - b));
  assert.ok(ds.every((d) => !d.armed));
});

test('a deadline that keeps re-arming itself in the past does not starve the event loop', async () => {
  let fired = 0;
  const d: Deadline = new Deadline({
    onDeadline: () => {
      fired++;
      if (fired < 1_000_000) d.armAt(0); // always in the past
    },
  });
  d.arm(1);
  // an I/O-free turn of the loop must still come while the deadline spins
  await new Promise<void>((resolve) => setImmediate(resolve));
  await waitFor(() => fired > 0, 2000, 'the deadline to fire');
  await new Promise<void>((resolve) => setImmediate(resolve));
  assert.ok(fired < 1_000_000, `the loop turned while the deadline had fired ${fired} times`);
  d.cancel();
});
