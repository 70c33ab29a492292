import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createBalancer } from '../../daemon/balance/index.js';
import { MAX_RING_POINTS, buildRing, pointsFor } from '../../daemon/balance/hash-ring.js';
import type { Balancer, PickContext, Pool } from '../../daemon/balance/types.js';

interface Srv { id: number; name: string; weight: number; sessions: number; maxconn: number }
const mk = (weights: number[]): Srv[] => weights.map((w, i) => ({ id: i + 1, name: `srv${i + 1}`, weight: w, sessions: 0, maxconn: 0 }));
const source = (hashType: 'map-based' | 'consistent'): Balancer<Srv> => createBalancer<Srv>({ algorithm: 'source', draws: 2, hashType });
const keys = (n: number) => Array.from({ length: n }, (_, i) => `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`);
const at = (key: string, skip: PickContext<Srv>['skip'] = null): PickContext<Srv> => ({ hashKey: key, skip });
/** key → server name for every key. */
const assign = (b: Balancer<Srv>, pool: Pool<Srv>, ks: string[], skip: PickContext<Srv>['skip'] = null) => ks.map((k) => b.pick(pool, at(k, skip))?.name ?? null);
const shares = (names: (string | null)[]) => {
  const m = new Map<string, number>();
  for (const n of names) m.set(String(n), (m.get(String(n)) ?? 0) + 1 / names.length);
  return m;
};

for (const hashType of ['map-based', 'consistent'] as const) {
  test(`${hashType}: the same key always reaches the same server, across picks and balancer instances`, () => {
    const servers = mk([1, 1, 1, 1, 1]);
    const ks = keys(2000);
    const a = assign(source(hashType), { servers, version: 1 }, ks);
    const b1 = source(hashType);
    assert.deepEqual(assign(b1, { servers, version: 1 }, ks), a);
    assert.deepEqual(assign(b1, { servers, version: 1 }, ks), a);
    assert.equal(new Set(a).size, 5);
  });

  test(`${hashType}: keys spread evenly over equal servers`, () => {
    const share = shares(assign(source(hashType), { servers: mk(Array(10).fill(1)), version: 1 }, keys(50_000)));
    assert.equal(share.size, 10);
    const tolerance = hashType === 'map-based' ? 0.05 : 0.2; // the ring is lumpier by nature
    for (const [name, s] of share) assert.ok(Math.abs(s - 0.1) < 0.1 * tolerance, `${name}: ${s}`);
  });

  test(`${hashType}: a server of weight 2 gets twice the keys`, () => {
    const share = shares(assign(source(hashType), { servers: mk([2, 1, 1]), version: 1 }, keys(50_000)));
    const tolerance = hashType === 'map-based' ? 0.02 : 0.06;
    assert.ok(Math.abs(share.get('srv1')! - 0.5) < tolerance, `srv1 ${share.get('srv1')}`);
    assert.ok(Math.abs(share.get('srv2')! - 0.25) < tolerance, `srv2 ${share.get('srv2')}`);
    assert.ok(Math.abs(share.get('srv3')! - 0.25) < tolerance, `srv3 ${share.get('srv3')}`);
  });

  test(`${hashType}: a skipped server's keys go elsewhere, the others' keys stay`, () => {
    const servers = mk([1, 1, 1, 1]);
    const pool = { servers, version: 1 };
    const b = source(hashType);
    const ks = keys(4000);
    const before = assign(b, pool, ks);
    const after = assign(b, pool, ks, (s) => s.name === 'srv2');
    for (let i = 0; i < ks.length; i++) {
      if (before[i] === 'srv2') assert.notEqual(after[i], 'srv2');
      else assert.equal(after[i], before[i], `key ${ks[i]} moved`);
    }
    // Skipped keys are not all dumped on one neighbour when hashing on the ring.
    const moved = new Set(after.filter((_, i) => before[i] === 'srv2'));
    if (hashType === 'consistent') assert.equal(moved.size, 3);
  });

  test(`${hashType}: no key falls back to round robin; null on empty pool and when all are skipped`, () => {
    const b = source(hashType);
    const pool = { servers: mk([1, 1, 1]), version: 1 };
    const seq = Array.from({ length: 6 }, () => b.pick(pool, { hashKey: null, skip: null })?.name);
    assert.deepEqual(seq, ['srv1', 'srv2', 'srv3', 'srv1', 'srv2', 'srv3']);
    assert.equal(b.pick({ servers: [], version: 2 }, at('1.2.3.4')), null);
    let calls = 0;
    assert.equal(b.pick({ servers: mk([1, 1, 1]), version: 3 }, at('1.2.3.4', () => (calls++, true))), null);
    assert.equal(calls, 3, 'each server is asked once');
  });
}

test('consistent: removing 1 of 10 servers moves only that server\'s keys', () => {
  const servers = mk(Array(10).fill(1));
  const b = source('consistent');
  const ks = keys(20_000);
  const before = assign(b, { servers, version: 1 }, ks);
  const without = servers.filter((s) => s.name !== 'srv4');
  const after = assign(b, { servers: without, version: 2 }, ks);
  let moved = 0;
  for (let i = 0; i < ks.length; i++) {
    if (after[i] === before[i]) continue;
    moved++;
    assert.equal(before[i], 'srv4', `key ${ks[i]} moved from ${before[i]} to ${after[i]}`);
  }
  assert.ok(moved / ks.length < 0.15, `${moved} keys moved`);
  assert.equal(moved, before.filter((n) => n === 'srv4').length);
  // The server comes back: every key returns to where it was.
  assert.deepEqual(assign(b, { servers, version: 3 }, ks), before);
});

test('consistent: a skipped server sends its keys exactly where removing it would', () => {
  const servers = mk([1, 2, 1, 3, 1]);
  const ks = keys(5000);
  const skipped = assign(source('consistent'), { servers, version: 1 }, ks, (s) => s.name === 'srv4');
  const removed = assign(source('consistent'), { servers: servers.filter((s) => s.name !== 'srv4'), version: 1 }, ks);
  assert.deepEqual(skipped, removed);
});

test('consistent: raising one weight only moves keys onto that server', () => {
  const servers = mk([1, 1, 1, 1]);
  const b = source('consistent');
  const ks = keys(8000);
  const before = assign(b, { servers, version: 1 }, ks);
  servers[0].weight = 2;
  const after = assign(b, { servers, version: 2 }, ks);
  let moved = 0;
  for (let i = 0; i < ks.length; i++) if (after[i] !== before[i]) (moved++, assert.equal(after[i], 'srv1'));
  assert.ok(moved / ks.length > 0.1 && moved / ks.length < 0.3, `${moved} moved`);
});

test('map-based: any pool change reshuffles most keys (why consistent exists)', () => {
  const servers = mk(Array(10).fill(1));
  const b = source('map-based');
  const ks = keys(5000);
  const before = assign(b, { servers, version: 1 }, ks);
  const after = assign(b, { servers: servers.filter((s) => s.name !== 'srv4'), version: 2 }, ks);
  const moved = before.filter((n, i) => n !== after[i]).length;
  assert.ok(moved / ks.length > 0.5, `${moved} moved`);
});

test('ring size: points per weight, capped for very large pools', () => {
  assert.equal(pointsFor(1, 10), 160);
  assert.equal(pointsFor(3, 10), 480);
  assert.equal(pointsFor(0, 10), 0);
  const big = mk(Array(2000).fill(256));
  const ring = buildRing(big);
  assert.ok(ring.points.length <= MAX_RING_POINTS && ring.points.length >= 2000);
  for (let i = 1; i < ring.points.length; i++) assert.ok(ring.points[i - 1] <= ring.points[i], 'sorted');
  const owners = new Set(ring.owners);
  assert.equal(owners.size, 2000);
});
