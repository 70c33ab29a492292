import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Runtime } from '../../daemon/runtime/runtime.js';
import { ManualClock } from '../../daemon/runtime/clock.js';
import { memoryLogger } from '../../daemon/log.js';
import type { Probe } from '../../daemon/health/probe-types.js';
import type { CheckResult } from '../../shared/check-status.js';
import { trackExample } from '../helpers/configs.js';

test('snapshot(): one plain, serialisable view of the track example with HAProxy statuses and causes', async () => {
  const clock = new ManualClock();
  const results = new Map<number, CheckResult>();
  const probe: Probe = async (_c, t) => results.get(t.port) ?? { status: 'L7OK', code: 200, durationMs: 3, info: '' };
  const rt = new Runtime({ clock, log: memoryLogger(), probe, listen: false });
  await rt.apply(trackExample());
  const tick = async (ms: number) => {
    for (let i = 0; i < ms; i += 10) {
      clock.advance(10);
      await new Promise((r) => setImmediate(r));
    }
  };
  await tick(1000);
  results.set(18002, { status: 'L7STS', code: 503, durationMs: 4, info: 'Service Unavailable' });
  await tick(2000);
  rt.setServerState(rt.findServer('monitoring', 'server-3')!, 'maint', 'disable server monitoring/server-3');

  const snap = rt.snapshot();
  assert.deepEqual(JSON.parse(JSON.stringify(snap)), snap, 'plain data only');
  const byKey = new Map(snap.backends.flatMap((b) => b.servers.map((s): [string, typeof s] => [`${s.backend}/${s.name}`, s])));
  const row = (k: string) => byKey.get(k)!;
  assert.deepEqual(
    [...byKey].map(([k, s]) => `${k} ${s.status}`),
    [
      'myApp/server-1 UP',
      'myApp/server-2 DOWN',
      'myApp/server-3 MAINT (via monitoring/server-3)',
      'monitoring/server-1 UP',
      'monitoring/server-2 DOWN',
      'monitoring/server-3 MAINT',
    ],
  );
  assert.equal(row('myApp/server-2').tracks, 'monitoring/server-2');
  assert.deepEqual(row('monitoring/server-2').trackedBy, ['myApp/server-2']);
  assert.equal(row('myApp/server-3').via, 'monitoring/server-3');
  assert.equal(row('myApp/server-3').admin, 0x02);
  assert.equal(row('monitoring/server-3').admin, 0x01);
  // the tracker shows the check of the end of its chain
  const chk = row('myApp/server-2').check!;
  assert.equal(chk.status, 'L7STS');
  assert.equal(chk.code, 503);
  assert.equal(chk.desc, 'Layer7 wrong status');
  assert.equal(chk.info, 'Service Unavailable');
  assert.equal(chk.durationMs, 4);
  assert.deepEqual([chk.health, chk.rise, chk.fall], [0, 2, 2]);
  assert.ok(chk.history.length >= 3);
  assert.equal(row('monitoring/server-3').check!.enabled, false, 'checks paused in maintenance');
  assert.deepEqual(row('myApp/server-1').weight, { effective: 1, user: 1, initial: 1, eweight: 1 });
  assert.equal(row('myApp/server-2').eligible, false);
  assert.equal(row('myApp/server-1').addr, '127.0.0.1:18001');
  const myApp = snap.backends.find((b) => b.name === 'myApp')!;
  assert.equal(myApp.status, 'UP');
  assert.equal(myApp.weight, 1);
  assert.equal(myApp.active, 1);
  assert.equal(snap.process.currConns, 0);
  assert.ok(snap.process.version.length > 0);
  // events carry old → new and the cause
  const ev = rt.events.recent().find((e) => e.object === 'myApp/server-2' && e.to === 'DOWN')!;
  assert.equal(ev.from, 'UP 1/2');
  assert.deepEqual(ev.cause, { kind: 'track', via: 'monitoring/server-2' });
  rt.shutdown();
});
