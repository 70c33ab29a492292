/** Snapshot deltas: diff then apply gives back exactly the next value, and the patch says only what changed. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { applyDelta, diffSnapshot, jsonEqual, type ObjectPatch } from '../../shared/snapshot-delta.js';
import type { Snapshot } from '../../shared/snapshot.js';

type J = Record<string, unknown>;
const diff = (a: J, b: J) => diffSnapshot(a as unknown as Snapshot, b as unknown as Snapshot);
const apply = (a: J, p: ObjectPatch) => applyDelta(a as unknown as Snapshot, p) as unknown as J;

/** Diff, send as JSON, apply: the result must be `b`. Returns the patch as it travelled. */
function roundTrip(a: J, b: J): ObjectPatch | null {
  const p = diff(a, b);
  const wire = p && (JSON.parse(JSON.stringify(p)) as ObjectPatch);
  const rebuilt = wire ? apply(a, wire) : a;
  assert.deepEqual(rebuilt, b);
  return wire;
}

const server = (name: string, status = 'UP', history: number[] = []) => ({ name, status, weight: { effective: 1, user: 1 }, via: null, history });

test('equal values give no patch', () => {
  const a = { process: { now: 1 }, backends: [{ name: 'b', servers: [server('s1')] }] };
  assert.equal(diff(a, structuredClone(a)), null);
});

test('one changed server in 1,000 costs one entry', () => {
  const servers = Array.from({ length: 1000 }, (_, i) => server(`s${i}`));
  const a = { process: { now: 1 }, backends: [{ name: 'b', servers }] };
  const b = structuredClone(a);
  b.process.now = 2;
  b.backends[0]!.servers[500]!.status = 'MAINT';
  const p = roundTrip(a, b)!;
  assert.deepEqual(p, {
    obj: { process: { set: { now: 2 } } },
    list: { backends: { obj: { b: { list: { servers: { obj: { s500: { set: { status: 'MAINT' } } } } } } } } },
  });
  assert.ok(JSON.stringify(p).length < 150);
});

test('added, removed and reordered entries; nulls and removed fields', () => {
  const a = { backends: [{ name: 'x', v: 1 }, { name: 'y', v: 2 }, { name: 'z', v: 3 }], via: 'b/s', gone: 1 };
  const b = { backends: [{ name: 'z', v: 3 }, { name: 'w', v: 9 }, { name: 'x', v: 1 }], via: null };
  const p = roundTrip(a, b)!;
  assert.deepEqual(p.list!.backends!.order, ['z', 'w', 'x']);
  assert.deepEqual(Object.keys(p.list!.backends!.add!), ['w']);
  assert.deepEqual(p.del, ['gone']);
  assert.deepEqual(p.set, { via: null });
});

test('a sliding history sends only the dropped count and the new tail', () => {
  const h = (from: number, n: number) => Array.from({ length: n }, (_, i) => ({ at: from + i, status: 'L4OK' }));
  const a = { check: { history: h(0, 10) } };
  const b = { check: { history: h(2, 10) } };
  const p = roundTrip(a, b)!;
  assert.deepEqual(p.obj!.check!.tail!.history, { drop: 2, push: h(10, 2) });
  // a history that grows without dropping, and one that changed entirely
  assert.deepEqual(roundTrip({ l: [1, 2] }, { l: [1, 2, 3] })!.tail!.l, { drop: 0, push: [3] });
  assert.deepEqual(roundTrip({ l: [1, 2] }, { l: [7, 8] })!.set!.l, [7, 8]);
  roundTrip({ l: [1, 2] }, { l: [] });
  roundTrip({ l: [] }, { l: [{ name: 'a' }] });
});

test('arrays without unique names are replaced whole; a name like __proto__ is just a name', () => {
  roundTrip({ l: [{ name: 'a', v: 1 }, { name: 'a', v: 2 }] }, { l: [{ name: 'a', v: 3 }, { name: 'a', v: 2 }] });
  const p = roundTrip({ backends: [{ name: 'b' }] }, { backends: [{ name: 'b' }, { name: '__proto__', v: 1 }] })!;
  assert.equal(JSON.stringify(p).includes('__proto__'), true);
  assert.equal(({} as J).v, undefined, 'no prototype was touched');
});

test('applying does not mutate the previous snapshot and shares what did not change', () => {
  const a = { process: { now: 1 }, backends: [{ name: 'b1', servers: [server('s1')] }, { name: 'b2', servers: [server('s2')] }] };
  const frozen = structuredClone(a);
  const b = structuredClone(a);
  b.backends[1]!.servers[0]!.status = 'DOWN';
  const next = apply(a, diff(a, b)!) as typeof a;
  assert.deepEqual(a, frozen);
  assert.equal(next.backends[0], a.backends[0], 'an unchanged backend is the same object');
  assert.notEqual(next.backends[1], a.backends[1]);
});

test('a patch that does not fit is an error, not a wrong snapshot', () => {
  const p = diff({ backends: [{ name: 'a', v: 1 }] }, { backends: [{ name: 'a', v: 2 }] })!;
  assert.throws(() => apply({ backends: [{ name: 'b', v: 1 }] }, p), /does not apply/);
  assert.throws(() => apply({ l: [1] }, { tail: { l: { drop: 3, push: [] } } }), /does not apply/);
});

test('jsonEqual ignores key order and tells arrays from objects', () => {
  assert.equal(jsonEqual({ a: 1, b: [1, { c: null }] }, { b: [1, { c: null }], a: 1 }), true);
  assert.equal(jsonEqual({ 0: 1 }, [1]), false);
  assert.equal(jsonEqual({ a: 1 }, { a: 1, b: 2 }), false);
});
