import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createBalancer } from '../../daemon/balance/index.js';
import type { Balancer, PickContext } from '../../daemon/balance/types.js';

interface Srv { id: number; name: string; weight: number; sessions: number; maxconn: number }
const mk = (weights: number[], sessions: number[] = []): Srv[] =>
  weights.map((w, i) => ({ id: i + 1, name: `s${i + 1}`, weight: w, sessions: sessions[i] ?? 0, maxconn: 0 }));
const NONE: PickContext<Srv> = { hashKey: null, skip: null };
const lc = (): Balancer<Srv> => createBalancer<Srv>({ algorithm: 'leastconn', draws: 2, hashType: 'map-based' });

test('picks the server with the fewest sessions', () => {
  const b = lc();
  assert.equal(b.pick({ servers: mk([1, 1, 1], [5, 2, 7]), version: 1 }, NONE)?.name, 's2');
  assert.equal(b.pick({ servers: mk([1, 1, 1], [0, 2, 7]), version: 2 }, NONE)?.name, 's1');
});

test('load is sessions relative to weight: (sessions + 1) / weight', () => {
  const b = lc();
  // s1: (2+1)/2 = 1.5, s2: (1+1)/1 = 2 → s1
  assert.equal(b.pick({ servers: mk([2, 1], [2, 1]), version: 1 }, NONE)?.name, 's1');
  // s1: (4+1)/2 = 2.5, s2: (1+1)/1 = 2 → s2
  assert.equal(b.pick({ servers: mk([2, 1], [4, 1]), version: 2 }, NONE)?.name, 's2');
  // An idle server beats any busy one, whatever the weights (HAProxy: idle ranks 0).
  assert.equal(b.pick({ servers: mk([50, 1], [1, 0]), version: 3 }, NONE)?.name, 's2');
  // Close ratios: 3000002/3 = 1000000.67 < 1000001 < 3000004/3 = 1000001.33.
  assert.equal(b.pick({ servers: mk([3, 1], [3_000_001, 1_000_000]), version: 4 }, NONE)?.name, 's1');
  assert.equal(b.pick({ servers: mk([3, 1], [3_000_003, 1_000_000]), version: 5 }, NONE)?.name, 's2');
});

test('idle servers share the first sessions whatever their weights', () => {
  const b = lc();
  const servers = mk([1, 3, 2]);
  const seq: string[] = [];
  for (let i = 0; i < 3; i++) {
    const s = b.pick({ servers, version: 1 }, NONE)!;
    seq.push(s.name);
    s.sessions++;
  }
  assert.deepEqual([...seq].sort(), ['s1', 's2', 's3']);
});

test('ties are shared round robin', () => {
  const b = lc();
  const pool = { servers: mk([1, 1, 1]), version: 1 };
  const seq = Array.from({ length: 9 }, () => b.pick(pool, NONE)?.name);
  assert.deepEqual(seq, ['s1', 's2', 's3', 's1', 's2', 's3', 's1', 's2', 's3']);
});

test('sessions piling up follow the weights', () => {
  const b = lc();
  const servers = mk([3, 1, 2]);
  const pool = { servers, version: 1 };
  for (let i = 0; i < 600; i++) b.pick(pool, NONE)!.sessions++;
  assert.deepEqual(servers.map((s) => s.sessions), [300, 100, 200]);
  // Sessions close on s1: it is the least loaded now and takes the next ones.
  servers[0].sessions -= 30;
  for (let i = 0; i < 30; i++) assert.equal(b.pick(pool, NONE)!.name, 's1'), servers[0].sessions++;
});

test('skips skipped servers even when they are the least loaded', () => {
  const b = lc();
  const pool = { servers: mk([1, 1, 1], [0, 5, 9]), version: 1 };
  assert.equal(b.pick(pool, { hashKey: null, skip: (s) => s.name === 's1' })?.name, 's2');
});

test('null on an empty pool and when everything is skipped', () => {
  const b = lc();
  assert.equal(b.pick({ servers: [], version: 1 }, NONE), null);
  assert.equal(b.pick({ servers: mk([1, 1]), version: 2 }, { hashKey: null, skip: () => true }), null);
});

test('a shrinking pool never yields a server outside it', () => {
  const b = lc();
  const all = mk([1, 1, 1, 1]);
  for (let i = 0; i < 4; i++) b.pick({ servers: all, version: 1 }, NONE);
  const two = [all[1], all[3]];
  for (let i = 0; i < 10; i++) assert.ok(two.includes(b.pick({ servers: two, version: 2 }, NONE)!));
});
