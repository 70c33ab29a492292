/**
 * Action plans: the request sent (exact `backend/server`, or a bare name for the "every backend"
 * variants), and every server the confirmation names, trackers included; replies described.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ADMIN } from '../../shared/snapshot.js';
import { checkWeight, describeReload, describeTargets, planReload, planState, planWeight, trackersOf } from '../../tui/top/actions.js';
import { findServer } from '../../tui/top/tree.js';
import { backend, server, trackSnapshot } from './top-fixtures.js';

test('disable a tracked server: exact name, and its tracker named in the plan', () => {
  const snap = trackSnapshot();
  const p = planState(snap, findServer(snap, 'monitoring/server-2')!, 'maint');
  assert.deepEqual(p.request, { op: 'set-server-state', fields: { server: 'monitoring/server-2', state: 'maint' } });
  assert.equal(p.command, 'set server monitoring/server-2 state maint');
  assert.deepEqual(p.direct, ['monitoring/server-2']);
  assert.deepEqual(p.tracked, ['myApp/server-2']);
});

test('disable a tracker: only that server changes', () => {
  const snap = trackSnapshot();
  const p = planState(snap, findServer(snap, 'myApp/server-2')!, 'drain');
  assert.deepEqual(p.request.fields, { server: 'myApp/server-2', state: 'drain' });
  assert.deepEqual(p.tracked, []);
});

test('track chains are followed to the end', () => {
  const snap = trackSnapshot();
  // edge/server-2 tracks myApp/server-2, which tracks monitoring/server-2
  snap.backends.push(backend('edge', 'tcp', [server('edge', 'server-2', 1, {}, 'myApp/server-2')]));
  findServer(snap, 'myApp/server-2')!.trackedBy.push('edge/server-2');
  assert.deepEqual(trackersOf(snap, 'monitoring/server-2'), ['myApp/server-2', 'edge/server-2']);
});

test('every backend: a bare name, each backend named', () => {
  const snap = trackSnapshot();
  const p = planState(snap, findServer(snap, 'myApp/server-1')!, 'maint', true);
  assert.deepEqual(p.request.fields, { server: 'server-1', state: 'maint' });
  assert.deepEqual(p.direct, ['myApp/server-1', 'monitoring/server-1']);
  assert.deepEqual(p.tracked, []);
});

test('enabling a tracker whose tracked server is in maintenance warns that nothing will change', () => {
  const snap = trackSnapshot([{ status: 'MAINT', admin: ADMIN.FMAINT }], [{ status: 'MAINT (via monitoring/server-1)', admin: ADMIN.IMAINT, via: 'monitoring/server-1' }]);
  const p = planState(snap, findServer(snap, 'myApp/server-1')!, 'ready');
  assert.match(p.notes.join('\n'), /stays MAINT \(via monitoring\/server-1\): enable monitoring\/server-1 instead/);
});

test('weights: validation, and no propagation through track', () => {
  assert.equal(checkWeight('50'), null);
  assert.equal(checkWeight('50%'), null);
  assert.equal(checkWeight('256'), null);
  assert.match(checkWeight('257')!, /at most 256/);
  assert.match(checkWeight('-1')!, /number/);
  assert.match(checkWeight('abc')!, /number/);
  const snap = trackSnapshot();
  const p = planWeight(findServer(snap, 'monitoring/server-1')!, '50%');
  assert.deepEqual(p.request, { op: 'set-server-weight', fields: { server: 'monitoring/server-1', weight: '50%' } });
  assert.match(p.notes.join('\n'), /myApp\/server-1 keep theirs/);
});

test('replies: targets before → after, refusals, reload changes and errors with file:line', () => {
  const snap = trackSnapshot();
  const p = planState(snap, findServer(snap, 'monitoring/server-2')!, 'maint');
  const ok = describeTargets(p, [{ backend: 'monitoring', server: 'server-2', from: 'UP', to: 'MAINT' }]);
  assert.equal(ok.ok, true);
  assert.equal(ok.summary, 'Disable monitoring/server-2: UP → MAINT (through track: myApp/server-2)');
  const some = describeTargets(p, [
    { backend: 'a', server: 's', from: 'UP', to: 'MAINT' },
    { backend: 'b', server: 's', from: 'UP', to: 'UP', error: { code: 'refused', message: 'no' } },
  ]);
  assert.equal(some.ok, false);
  assert.match(some.summary, /1 refused/);
  assert.deepEqual(some.lines, ['a/s: UP → MAINT', 'b/s: refused: no']);
  const r1 = describeReload({ ok: true, changes: ['server myApp/server-4 added'], errors: [], warnings: [], durationMs: 3.2 });
  assert.equal(r1.summary, 'Reload ok in 3 ms: 1 change');
  assert.deepEqual(r1.lines, ['server myApp/server-4 added']);
  const r2 = describeReload({ ok: false, changes: [], errors: ['/etc/lbd/lbd.cfg:12: unknown keyword "sever"'], warnings: [], durationMs: 1 });
  assert.equal(r2.ok, false);
  assert.match(r2.summary, /1 error, the running configuration stays/);
  assert.deepEqual(r2.lines, ['/etc/lbd/lbd.cfg:12: unknown keyword "sever"']);
  assert.deepEqual(planReload(snap).request, { op: 'reload', fields: {} });
});
