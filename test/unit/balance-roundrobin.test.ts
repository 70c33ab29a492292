import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createBalancer } from '../../daemon/balance/index.js';
import { weightedCycle } from '../../daemon/balance/static-rr.js';
import type { Balancer, PickContext, Pool } from '../../daemon/balance/types.js';

interface Srv { id: number; name: string; weight: number; sessions: number; maxconn: number }
const mk = (weights: number[]): Srv[] => weights.map((w, i) => ({ id: i + 1, name: `s${i + 1}`, weight: w, sessions: 0, maxconn: 0 }));
const NONE: PickContext<Srv> = { hashKey: null, skip: null };
const rr = (): Balancer<Srv> => createBalancer<Srv>({ algorithm: 'roundrobin', draws: 2, hashType: 'map-based' });
const names = (b: Balancer<Srv>, pool: Pool<Srv>, n: number, ctx = NONE) => Array.from({ length: n }, () => b.pick(pool, ctx)?.name ?? null);
const tally = (xs: (string | null)[]) => xs.reduce<Record<string, number>>((m, x) => ((m[String(x)] = (m[String(x)] ?? 0) + 1), m), {});

test('weights 5,1,1 interleave as a a b a c a a, cycle after cycle', () => {
  const b = rr();
  const pool = { servers: mk([5, 1, 1]), version: 1 };
  const seq = names(b, pool, 21);
  const cycle = ['s1', 's1', 's2', 's1', 's3', 's1', 's1'];
  assert.deepEqual(seq, [...cycle, ...cycle, ...cycle]);
});

test('equal weights rotate strictly in pool order', () => {
  const b = rr();
  const pool = { servers: mk([1, 1, 1]), version: 1 };
  assert.deepEqual(names(b, pool, 6), ['s1', 's2', 's3', 's1', 's2', 's3']);
});

test('counts follow the weights exactly over each cycle and within 1 on every prefix', () => {
  const weights = [7, 4, 2, 1];
  const total = 14;
  const b = rr();
  const pool = { servers: mk(weights), version: 1 };
  const counts = [0, 0, 0, 0];
  for (let k = 1; k <= total * 50; k++) {
    const s = b.pick(pool, NONE)!;
    counts[s.id - 1]++;
    for (let i = 0; i < weights.length; i++) {
      assert.ok(Math.abs(counts[i] - (k * weights[i]) / total) < 1 + 1e-9, `prefix ${k}: s${i + 1} has ${counts[i]}`);
    }
    if (k % total === 0) assert.deepEqual(counts, weights.map((w) => (w * k) / total));
  }
});

test('no bursts: light servers are spread out, not served back to back after the heavy one', () => {
  const b = rr();
  const pool = { servers: mk([8, 1, 1]), version: 1 };
  const seq = names(b, pool, 100);
  let run = 0;
  let longest = 0;
  for (const x of seq) {
    run = x === 's1' ? run + 1 : 0;
    longest = Math.max(longest, run);
  }
  // Classic WRR serves s1 eight times then s2, s3 (runs of 8); smooth WRR gives a a a b a a c a a a.
  assert.deepEqual(seq.slice(0, 10), ['s1', 's1', 's1', 's2', 's1', 's1', 's3', 's1', 's1', 's1']);
  assert.ok(longest <= 6, `longest run ${longest}`);
  for (let i = 1; i < seq.length; i++) assert.ok(!(seq[i] !== 's1' && seq[i - 1] !== 's1'), `light servers adjacent at ${i}`);
});

test('is the same sequence as the static-rr cycle for the same weights (one smooth rule)', () => {
  const weights = [5, 3, 2, 1];
  const b = rr();
  const pool = { servers: mk(weights), version: 1 };
  const fromCycle = Array.from(weightedCycle(weights), (pos) => `s${pos + 1}`);
  assert.deepEqual(names(b, pool, fromCycle.length), fromCycle);
});

test('a weight change applies from the next pick', () => {
  const b = rr();
  const servers = mk([1, 1]);
  const pool1 = { servers, version: 1 };
  names(b, pool1, 10);
  servers[0].weight = 3;
  const pool2 = { servers, version: 2 };
  const t = tally(names(b, pool2, 40));
  assert.ok(Math.abs(t.s1 - 30) <= 1 && Math.abs(t.s2 - 10) <= 1, JSON.stringify(t));
  // And back down again.
  servers[0].weight = 1;
  const t2 = tally(names(b, { servers, version: 3 }, 40));
  assert.ok(Math.abs(t2.s1 - 20) <= 2, JSON.stringify(t2));
});

test('servers leaving and joining: never picks a server outside the pool, state of leavers dropped', () => {
  const b = rr();
  const all = mk([2, 1, 1]);
  names(b, { servers: all, version: 1 }, 5);
  const without = [all[0], all[2]];
  const seq = names(b, { servers: without, version: 2 }, 30);
  assert.ok(!seq.includes('s2'));
  const t = tally(seq);
  assert.ok(Math.abs(t.s1 - 20) <= 1 && Math.abs(t.s3 - 10) <= 1, JSON.stringify(t));
  // s2 comes back: it joins at the end of the turn and gets its share again.
  const t2 = tally(names(b, { servers: all, version: 3 }, 40));
  assert.ok(Math.abs(t2.s1 - 20) <= 2 && Math.abs(t2.s2 - 10) <= 2 && Math.abs(t2.s3 - 10) <= 2, JSON.stringify(t2));
});

test('skipped servers are never chosen; the others keep their proportions', () => {
  const b = rr();
  const pool = { servers: mk([2, 3, 1]), version: 1 };
  const ctx: PickContext<Srv> = { hashKey: null, skip: (s) => s.name === 's2' };
  const t = tally(names(b, pool, 300, ctx));
  assert.deepEqual(t, { s1: 200, s3: 100 });
});

test('null on an empty pool, when everything is skipped, and for weight-0 members', () => {
  const b = rr();
  assert.equal(b.pick({ servers: [], version: 1 }, NONE), null);
  assert.equal(b.pick({ servers: mk([1, 2]), version: 2 }, { hashKey: null, skip: () => true }), null);
  assert.equal(b.pick({ servers: mk([0, 0]), version: 3 }, NONE), null);
  const t = tally(names(b, { servers: mk([0, 1]), version: 4 }, 10));
  assert.deepEqual(t, { s2: 10 });
});

test('a server taken out keeps the others in turn, and one back joins at the end of it, as in HAProxy', () => {
  const b = rr();
  const all = mk([1, 1, 1]);
  assert.deepEqual(names(b, { servers: all, version: 1 }, 4), ['s1', 's2', 's3', 's1']);
  // HAProxy 2.6 (mode tcp, balance roundrobin, `disable server b/s2` after the same four picks): s3 s1 s3 s1 s3 s1
  assert.deepEqual(names(b, { servers: [all[0]!, all[2]!], version: 2 }, 5), ['s3', 's1', 's3', 's1', 's3']);
  // `enable server b/s2` then: HAProxy goes on with s1 s3 s2 s1 s3 s2 (the server back joins at the end of the turn)
  assert.deepEqual(names(b, { servers: all, version: 3 }, 6), ['s1', 's3', 's2', 's1', 's3', 's2']);
});

test('equal weights: whichever server leaves after any number of picks, the next round serves every other server once; back, it comes last in its first round', () => {
  for (let n = 2; n <= 6; n++) {
    for (let before = 0; before < 2 * n; before++) {
      for (let gone = 0; gone < n; gone++) {
        const b = rr();
        const all = mk(Array(n).fill(3));
        names(b, { servers: all, version: 1 }, before);
        const rest = all.filter((_, i) => i !== gone);
        const round = names(b, { servers: rest, version: 2 }, n - 1);
        assert.equal(new Set(round).size, n - 1, `n=${n}, ${before} picks, s${gone + 1} out: ${round.join(' ')}`);
        // and the server coming back is served last in the next round, every round serving each server once
        const back = names(b, { servers: all, version: 3 }, 2 * n);
        const why = `n=${n}, ${before} picks, s${gone + 1} back: ${back.join(' ')}`;
        assert.equal(back[n - 1], `s${gone + 1}`, why);
        assert.equal(new Set(back.slice(0, n)).size, n, why);
        assert.equal(new Set(back.slice(n)).size, n, why);
      }
    }
  }
});
