import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fmix32, hashString, sdbm } from '../../daemon/balance/hash.js';

test('sdbm matches the reference recurrence h = c + (h << 6) + (h << 16) - h', () => {
  assert.equal(sdbm(''), 0);
  assert.equal(sdbm('a'), 97);
  assert.equal(sdbm('ab'), 98 + 97 * 65599);
  // A longer string, checked against a BigInt evaluation of the same recurrence mod 2^32.
  const s = '192.168.100.254';
  let h = 0n;
  for (const ch of s) h = (BigInt(ch.charCodeAt(0)) + (h << 6n) + (h << 16n) - h) & 0xffffffffn;
  assert.equal(sdbm(s), Number(h));
});

test('fmix32 is MurmurHash3\'s finaliser (known answer and a BigInt reference)', () => {
  assert.equal(fmix32(1), 0x514e28b7); // published value of fmix32(1)
  const ref = (x: bigint) => {
    const M = 0xffffffffn;
    x ^= x >> 16n;
    x = (x * 0x85ebca6bn) & M;
    x ^= x >> 13n;
    x = (x * 0xc2b2ae35n) & M;
    x ^= x >> 16n;
    return Number(x);
  };
  for (const v of [2, 0xdeadbeef, 0x80000000, 0xffffffff, 123456789]) assert.equal(fmix32(v), ref(BigInt(v)), `fmix32(${v})`);
  assert.equal(hashString('10.0.0.1'), fmix32(sdbm('10.0.0.1')));
});

test('fmix32 is unsigned, fixes 0 and maps distinct inputs to distinct outputs', () => {
  assert.equal(fmix32(0), 0);
  const seen = new Set<number>();
  for (let i = 1; i <= 100_000; i++) {
    const h = fmix32(i);
    assert.ok(h >= 0 && h <= 0xffffffff && Number.isInteger(h));
    seen.add(h);
  }
  assert.equal(seen.size, 100_000);
});

test('hashString avalanches: changing one character flips about half of the 32 bits', () => {
  const popcount = (x: number) => {
    let c = 0;
    for (; x !== 0; x &= x - 1) c++;
    return c;
  };
  let flipped = 0;
  let samples = 0;
  for (let i = 0; i < 2000; i++) {
    const a = `10.0.${i >> 8}.${i & 255}`;
    const b = `10.0.${i >> 8}.${(i & 255) ^ 1}`; // neighbouring address, last digit differs
    flipped += popcount((hashString(a) ^ hashString(b)) >>> 0);
    samples++;
  }
  const mean = flipped / samples;
  assert.ok(mean > 14 && mean < 18, `mean flipped bits ${mean}`);
});

test('hashString spreads sequential addresses evenly over the top bits', () => {
  const buckets = new Array<number>(16).fill(0);
  const N = 64_000;
  for (let i = 0; i < N; i++) buckets[hashString(`172.16.${i >> 8}.${i & 255}`) >>> 28]++;
  for (const b of buckets) assert.ok(Math.abs(b - N / 16) < N / 16 * 0.06, `bucket ${b} of ${N / 16} expected`);
});
