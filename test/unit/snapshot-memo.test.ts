/**
 * Unchanged parts of consecutive snapshots are the same objects (a subscription tick then skips them by
 * identity), and every field of a memoised part is compared: changing any one gives a new object.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Memo, shallowEqualFor } from '../../daemon/runtime/memo.js';
import { parseConfigText } from '../../daemon/config/index.js';
import { Runtime } from '../../daemon/runtime/runtime.js';
import { memoryLogger } from '../../daemon/log.js';
import { ManualClock } from '../../daemon/runtime/clock.js';
import { applyCheckResult } from '../../daemon/runtime/server-state.js';
import { diffSnapshot, applyDelta, jsonEqual } from '../../shared/snapshot-delta.js';

test('Memo hands back the previous object while every field is equal, and notices a change in any field', () => {
  const sample = { a: 1, b: 'x', c: null as number | null, d: true };
  const m = new Memo<typeof sample>();
  const first = m.keep({ ...sample });
  assert.equal(m.keep({ ...sample }), first);
  for (const k of Object.keys(sample) as (keyof typeof sample)[]) {
    const changed = { ...sample, [k]: k === 'c' ? 5 : k === 'd' ? false : k === 'a' ? 2 : 'y' };
    const got = m.keep(changed);
    assert.notEqual(got, first, `a change of ${k} is seen`);
    assert.deepEqual(got, changed);
    m.keep({ ...sample });
  }
  assert.equal(shallowEqualFor(sample), shallowEqualFor({ ...sample }), 'one compiled test per shape');
});

test('an idle runtime gives the same server objects tick after tick; a change gives new ones, and the delta says exactly that', async () => {
  const r = await parseConfigText(
    ['backend be', '    server s1 127.0.0.1:1 check', '    server s2 127.0.0.1:2', '    server s3 127.0.0.1:3 track be/s1'].join('\n'),
    'memo.cfg',
  );
  assert.ok(r.config);
  const clock = new ManualClock(1_000_000);
  const rt = new Runtime({ log: memoryLogger(), probe: async () => ({ status: 'L4OK', code: null, durationMs: 1, info: '' }), listen: false, clock });
  try {
    await rt.apply(r.config);
    const a = rt.snapshot();
    const b = rt.snapshot();
    for (let i = 0; i < 3; i++) assert.equal(b.backends[0]!.servers[i], a.backends[0]!.servers[i], `server ${i + 1} unchanged: same object`);
    assert.equal(diffSnapshot(a, b)?.list?.backends?.obj?.be, undefined, 'nothing to send for the backend');

    const s1 = rt.findServer('be', 's1')!;
    s1.counters.bytesIn += 10;
    applyCheckResult(s1, { status: 'L4OK', code: null, durationMs: 2, info: '' });
    const c = rt.snapshot();
    const [c1, c2, c3] = c.backends[0]!.servers;
    assert.notEqual(c1, b.backends[0]!.servers[0]);
    assert.notEqual(c1!.counters, b.backends[0]!.servers[0]!.counters);
    assert.equal(c1!.weight, b.backends[0]!.servers[0]!.weight, 'an unchanged part stays the same object');
    assert.equal(c2, b.backends[0]!.servers[1], 'a server nothing happened to stays the same object');
    assert.notEqual(c3!.check, b.backends[0]!.servers[2]!.check, 'the tracker shows the check of the server it tracks');
    assert.ok(jsonEqual(applyDelta(b, diffSnapshot(b, c)!), c), 'the delta rebuilds the next snapshot exactly');
  } finally {
    rt.shutdown();
  }
});
