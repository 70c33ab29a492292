import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createBalancer } from '../../daemon/balance/index.js';
import type { Balancer, PickContext } from '../../daemon/balance/types.js';

interface Srv { id: number; name: string; weight: number; sessions: number; maxconn: number }
const mk = (ids: number[], maxconn: number): Srv[] => ids.map((id) => ({ id, name: `s${id}`, weight: 1, sessions: 0, maxconn }));
const NONE: PickContext<Srv> = { hashKey: null, skip: null };
const first = (): Balancer<Srv> => createBalancer<Srv>({ algorithm: 'first', draws: 2, hashType: 'map-based' });

test('fills servers in id order up to their maxconn, then null when all are full', () => {
  const b = first();
  const pool = { servers: mk([1, 2, 3], 2), version: 1 };
  const seq: (string | null)[] = [];
  for (let i = 0; i < 7; i++) {
    const s = b.pick(pool, NONE);
    seq.push(s?.name ?? null);
    if (s) s.sessions++;
  }
  assert.deepEqual(seq, ['s1', 's1', 's2', 's2', 's3', 's3', null]);
});

test('orders by id, not by position in the pool', () => {
  const b = first();
  const pool = { servers: mk([7, 3, 5], 1), version: 1 };
  const seq: string[] = [];
  for (let i = 0; i < 3; i++) {
    const s = b.pick(pool, NONE)!;
    seq.push(s.name);
    s.sessions++;
  }
  assert.deepEqual(seq, ['s3', 's5', 's7']);
});

test('a freed slot on a lower id is used again first', () => {
  const b = first();
  const servers = mk([1, 2], 1);
  const pool = { servers, version: 1 };
  b.pick(pool, NONE)!.sessions++;
  b.pick(pool, NONE)!.sessions++;
  servers[0].sessions--;
  assert.equal(b.pick(pool, NONE)?.name, 's1');
});

test('maxconn 0 means unlimited: the first server takes everything', () => {
  const b = first();
  const pool = { servers: mk([1, 2], 0), version: 1 };
  for (let i = 0; i < 1000; i++) {
    const s = b.pick(pool, NONE)!;
    assert.equal(s.name, 's1');
    s.sessions++;
  }
});

test('skipped servers are passed over even with free slots', () => {
  const b = first();
  const pool = { servers: mk([1, 2, 3], 10), version: 1 };
  assert.equal(b.pick(pool, { hashKey: null, skip: (s) => s.id === 1 })?.name, 's2');
  assert.equal(b.pick(pool, { hashKey: null, skip: (s) => s.id !== 3 })?.name, 's3');
  assert.equal(b.pick(pool, { hashKey: null, skip: () => true }), null);
});

test('null on an empty pool; order follows a new pool version', () => {
  const b = first();
  assert.equal(b.pick({ servers: [], version: 1 }, NONE), null);
  const servers = mk([4, 2], 0);
  assert.equal(b.pick({ servers, version: 2 }, NONE)?.name, 's2');
  assert.equal(b.pick({ servers: [servers[0]], version: 3 }, NONE)?.name, 's4');
});
