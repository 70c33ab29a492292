import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createBalancer } from '../../daemon/balance/index.js';
import { weightedCycle } from '../../daemon/balance/static-rr.js';
import type { Balancer, PickContext, Pool } from '../../daemon/balance/types.js';

interface Srv { id: number; name: string; weight: number; sessions: number; maxconn: number }
const mk = (weights: number[]): Srv[] => weights.map((w, i) => ({ id: i + 1, name: `s${i + 1}`, weight: w, sessions: 0, maxconn: 0 }));
const NONE: PickContext<Srv> = { hashKey: null, skip: null };
const srr = (): Balancer<Srv> => createBalancer<Srv>({ algorithm: 'static-rr', draws: 2, hashType: 'map-based' });
const names = (b: Balancer<Srv>, pool: Pool<Srv>, n: number, ctx = NONE) => Array.from({ length: n }, () => b.pick(pool, ctx)?.name ?? null);
const tally = (xs: (string | null)[]) => xs.reduce<Record<string, number>>((m, x) => ((m[String(x)] = (m[String(x)] ?? 0) + 1), m), {});

/** Checks that `cycle` gives position i exactly w_i/g times and spreads it: every prefix within `slack` of its share. */
function assertSpread(cycle: Int32Array, weights: number[], slack: number) {
  const total = weights.reduce((a, b) => a + b, 0);
  const counts = weights.map(() => 0);
  for (let k = 0; k < cycle.length; k++) {
    counts[cycle[k]]++;
    for (let i = 0; i < weights.length; i++) {
      const expected = ((k + 1) * weights[i]) / total;
      assert.ok(Math.abs(counts[i] - expected) <= slack, `prefix ${k + 1}: position ${i} has ${counts[i]}, expected ${expected}`);
    }
  }
  const g = cycle.length / total;
  assert.deepEqual(counts, weights.map((w) => w * g));
}

test('the cycle has each server weight/gcd times, smoothly interleaved', () => {
  assert.deepEqual(Array.from(weightedCycle([5, 1, 1])), [0, 0, 1, 0, 2, 0, 0]);
  assert.deepEqual(Array.from(weightedCycle([4, 2])), [0, 1, 0]); // gcd 2: cycle of 3
  assert.deepEqual(Array.from(weightedCycle([0, 3, 0])), [1]);
  assert.deepEqual(Array.from(weightedCycle([])), []);
  assertSpread(weightedCycle([9, 5, 3, 2, 1]), [9, 5, 3, 2, 1], 1);
});

test('large pools are built by deadlines: same counts, still spread, and quick', () => {
  const weights = [9, 5, 3, 2, 1, 1, 7];
  const byDeadline = weightedCycle(weights, 0); // budget 0 forces the deadline build
  assertSpread(byDeadline, weights, 1.5);
  // 1,000 servers of weight 256 (HAProxy's maximum): the smooth build would be ~256M steps.
  const big = Array.from({ length: 1000 }, (_, i) => (i % 3 === 0 ? 256 : 255));
  const t0 = performance.now();
  const cycle = weightedCycle(big);
  const ms = performance.now() - t0;
  assert.equal(cycle.length, big.reduce((a, b) => a + b, 0));
  assert.ok(ms < 1000, `built in ${ms} ms`);
});

test('picks walk the cycle: exact proportions over each cycle', () => {
  const b = srr();
  const pool = { servers: mk([5, 3, 2]), version: 1 };
  for (let round = 0; round < 20; round++) assert.deepEqual(tally(names(b, pool, 10)), { s1: 5, s2: 3, s3: 2 });
});

test('weights are read when the pool version changes', () => {
  const b = srr();
  const servers = mk([1, 1]);
  assert.deepEqual(tally(names(b, { servers, version: 1 }, 10)), { s1: 5, s2: 5 });
  servers[0].weight = 4;
  // Same version: the map is static, the change is not seen.
  assert.deepEqual(tally(names(b, { servers, version: 1 }, 10)), { s1: 5, s2: 5 });
  // New version: rebuilt with the new weights.
  assert.deepEqual(tally(names(b, { servers, version: 2 }, 50)), { s1: 40, s2: 10 });
});

test('skipped servers are stepped over; others keep their cycle share; skip asked once per server per pick', () => {
  const b = srr();
  const pool = { servers: mk([3, 2, 1]), version: 1 };
  let calls = 0;
  const ctx: PickContext<Srv> = { hashKey: null, skip: (s) => (calls++, s.name === 's1') };
  const seq = names(b, pool, 300, ctx);
  assert.ok(!seq.includes('s1'));
  const t = tally(seq);
  assert.ok(Math.abs(t.s2 - 200) <= 2 && Math.abs(t.s3 - 100) <= 2, JSON.stringify(t));
  // Each pick asks at most once about each of the three servers.
  assert.ok(calls <= 300 * 3, `${calls} skip calls`);
});

test('a heavy skipped server costs one skip call per pick, not one per cycle entry', () => {
  const b = srr();
  const servers = mk([256, 1]);
  let calls = 0;
  const ctx: PickContext<Srv> = { hashKey: null, skip: (s) => (calls++, s.name === 's1') };
  for (let i = 0; i < 100; i++) assert.equal(b.pick({ servers, version: 1 }, ctx)?.name, 's2');
  assert.ok(calls <= 200, `${calls} skip calls`);
});

test('null on an empty pool and when everything is skipped', () => {
  const b = srr();
  assert.equal(b.pick({ servers: [], version: 1 }, NONE), null);
  let calls = 0;
  assert.equal(b.pick({ servers: mk([5, 5, 5]), version: 2 }, { hashKey: null, skip: () => (calls++, true) }), null);
  assert.equal(calls, 3);
  assert.equal(b.pick({ servers: mk([0]), version: 3 }, NONE), null);
});
