import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createBalancer, seededRandom, type RandomSource } from '../../daemon/balance/index.js';
import type { Balancer, PickContext, Pool } from '../../daemon/balance/types.js';

interface Srv { id: number; name: string; weight: number; sessions: number; maxconn: number }
const mk = (weights: number[], sessions: number[] = []): Srv[] =>
  weights.map((w, i) => ({ id: i + 1, name: `s${i + 1}`, weight: w, sessions: sessions[i] ?? 0, maxconn: 0 }));
const NONE: PickContext<Srv> = { hashKey: null, skip: null };
const rnd = (draws: number, random: RandomSource = seededRandom(42)): Balancer<Srv> =>
  createBalancer<Srv>({ algorithm: 'random', draws, hashType: 'map-based' }, { random });
const shares = (b: Balancer<Srv>, pool: Pool<Srv>, n: number, ctx = NONE) => {
  const m: Record<string, number> = {};
  for (let i = 0; i < n; i++) {
    const name = String(b.pick(pool, ctx)?.name ?? null);
    m[name] = (m[name] ?? 0) + 1 / n;
  }
  return m;
};

test('the seeded source is deterministic and uniform', () => {
  const a = seededRandom(7);
  const b = seededRandom(7);
  const buckets = new Array<number>(10).fill(0);
  for (let i = 0; i < 100_000; i++) {
    const x = a();
    assert.equal(x, b());
    assert.ok(x >= 0 && x < 1);
    buckets[Math.floor(x * 10)]++;
  }
  for (const c of buckets) assert.ok(Math.abs(c - 10_000) < 400, `bucket ${c}`);
});

for (const draws of [1, 2, 3]) {
  test(`draws=${draws}: an idle pool is spread in proportion to the weights`, () => {
    // 40,000 picks: the standard deviation of a share near 0.5 is 0.0025, the bound is 4 sigma.
    const s = shares(rnd(draws), { servers: mk([2, 1, 1]), version: 1 }, 40_000);
    assert.ok(Math.abs(s.s1 - 0.5) < 0.01, `s1 ${s.s1}`);
    assert.ok(Math.abs(s.s2 - 0.25) < 0.01, `s2 ${s.s2}`);
    assert.ok(Math.abs(s.s3 - 0.25) < 0.01, `s3 ${s.s3}`);
  });
}

test('same seed, same choices', () => {
  const pool = { servers: mk([3, 1, 2, 5]), version: 1 };
  const run = () => {
    const b = rnd(2, seededRandom(1234));
    return Array.from({ length: 200 }, () => b.pick(pool, NONE)!.name);
  };
  assert.deepEqual(run(), run());
});

test('two draws keep the less loaded server: a loaded server only wins when drawn twice', () => {
  // s1 busy, s2 idle, equal weights: s1 is chosen only when both draws hit it, p = 1/4.
  const s = shares(rnd(2), { servers: mk([1, 1], [10, 0]), version: 1 }, 40_000);
  assert.ok(Math.abs(s.s1 - 0.25) < 0.01, `s1 ${s.s1}`);
  // With one draw the load is ignored.
  const one = shares(rnd(1), { servers: mk([1, 1], [10, 0]), version: 1 }, 40_000);
  assert.ok(Math.abs(one.s1 - 0.5) < 0.01, `s1 ${one.s1}`);
});

test('load is compared relative to weight', () => {
  // s1: 4 sessions / weight 4 = 1; s2: 2 sessions / weight 1 = 2 → whenever both are drawn, s1 wins.
  const b = rnd(2);
  const s = shares(b, { servers: mk([4, 1], [4, 2]), version: 1 }, 40_000);
  // s2 only when both draws are s2: (1/5)^2 = 0.04.
  assert.ok(Math.abs(s.s2 - 0.04) < 0.005, `s2 ${s.s2}`);
});

test('power of two choices keeps sessions far more even than one draw', () => {
  const spread = (draws: number) => {
    const servers = mk(Array(20).fill(1));
    const b = rnd(draws, seededRandom(99));
    for (let i = 0; i < 2000; i++) b.pick({ servers, version: 1 }, NONE)!.sessions++;
    const counts = servers.map((s) => s.sessions);
    return Math.max(...counts) - Math.min(...counts);
  };
  const two = spread(2);
  const one = spread(1);
  assert.ok(two <= 4, `draws=2 spread ${two}`);
  assert.ok(one > 3 * two, `draws=1 spread ${one} vs draws=2 ${two}`);
});

test('skipped servers are never returned; the rest keep their proportions', () => {
  const b = rnd(2);
  const ctx: PickContext<Srv> = { hashKey: null, skip: (s) => s.name === 's2' };
  const s = shares(b, { servers: mk([1, 5, 2, 1]), version: 1 }, 40_000, ctx);
  assert.equal(s.s2, undefined);
  assert.ok(Math.abs(s.s1 - 0.25) < 0.015 && Math.abs(s.s3 - 0.5) < 0.015 && Math.abs(s.s4 - 0.25) < 0.015, JSON.stringify(s));
});

test('mostly skipped pool: finds the one usable server, asking about each server a bounded number of times', () => {
  const b = rnd(2);
  const servers = mk(Array(100).fill(1));
  let calls = 0;
  const ctx: PickContext<Srv> = { hashKey: null, skip: (s) => (calls++, s.name !== 's57') };
  for (let i = 0; i < 100; i++) assert.equal(b.pick({ servers, version: 1 }, ctx)?.name, 's57');
  assert.ok(calls <= 100 * 2 * (100 + 4), `${calls} skip calls`);
});

test('null on an empty pool and when everything is skipped; a source returning 1 does not break it', () => {
  assert.equal(rnd(2).pick({ servers: [], version: 1 }, NONE), null);
  assert.equal(rnd(2).pick({ servers: mk([1, 1]), version: 1 }, { hashKey: null, skip: () => true }), null);
  const edge = rnd(2, () => 1);
  assert.equal(edge.pick({ servers: mk([1, 1]), version: 1 }, NONE)?.name, 's1');
  const last = rnd(2, () => 0.999999999);
  assert.equal(last.pick({ servers: mk([1, 1]), version: 1 }, NONE)?.name, 's2');
});

test('weights are re-read when the pool version changes', () => {
  const servers = mk([1, 1]);
  const b = rnd(1);
  shares(b, { servers, version: 1 }, 100);
  servers[1].weight = 3;
  const s = shares(b, { servers, version: 2 }, 40_000);
  assert.ok(Math.abs(s.s2 - 0.75) < 0.01, `s2 ${s.s2}`);
});
