/**
 * The captured server states of the track example (haproxy-runtime-api.md §3.4), reproduced by driving
 * check results and admin states into the runtime, then compared with HAProxy's `show stat` column by
 * column. chkfail/chkdown count the capture session's earlier failures too, so only their presence compares.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { showServersState, showStat } from '../../daemon/stats/index.js';
import { setAdmin, setCheckEnabled } from '../../daemon/runtime/server-state.js';
import { ADMIN } from '../../shared/snapshot.js';
import { CSV, S503, TIME_OR_TRAFFIC, capture, diffCsv, hapCfg, harness, readCsv } from './stats-harness.js';

const HISTORY = new Set([...TIME_OR_TRAFFIC, 'chkfail', 'chkdown']);
const op = (command: string) => ({ kind: 'operator' as const, command });

async function allUp() {
  const h = await harness(hapCfg());
  await h.tick(1500);
  return h;
}

test('/readyz 503 on server-1: show_stat_server1_503.csv (DOWN, L7STS 503, `Service Unavailable`, tracker DOWN)', async () => {
  const h = await allUp();
  h.results.set(18001, S503);
  await h.tick(2500);
  const out = showStat(h.snap(), CSV);
  assert.deepEqual(diffCsv(out, capture('show_stat_server1_503.csv'), HISTORY), []);
  const m = readCsv(out).row('monitoring/server-1');
  assert.deepEqual([m.chkfail, m.chkdown, m.check_health], ['2', '1', '0'], 'as HAProxy: both failures counted while up (timeline §3.4)');
  h.rt.shutdown();
});

test('one failed check: UP 1/2 on the checked server and on its tracker, chkfail 1', async () => {
  const h = await allUp();
  h.results.set(18001, S503);
  await h.tick(1000);
  const csv = readCsv(showStat(h.snap(), CSV));
  assert.equal(csv.row('monitoring/server-1').status, 'UP 1/2');
  assert.equal(csv.row('monitoring/server-1').chkfail, '1');
  assert.equal(csv.row('monitoring/server-1').last_chk, 'Service Unavailable');
  assert.equal(csv.row('myApp/server-1').status, 'UP 1/2');
  assert.equal(csv.row('myApp/server-1').chkfail, '', 'a tracker without check shows no check counters');
  h.rt.shutdown();
});

test('disable server monitoring/server-1: MAINT, and MAINT (via monitoring/server-1) on the tracker; servers state 1 and 2', async () => {
  const h = await allUp();
  setAdmin(h.server('monitoring/server-1'), ADMIN.FMAINT, ADMIN.FDRAIN, op('disable server monitoring/server-1'));
  const out = showStat(h.snap(), CSV);
  assert.deepEqual(diffCsv(out, capture('show_stat_disable_monitoring_s1.csv'), HISTORY), []);
  const csv = readCsv(out);
  assert.equal(csv.row('myApp/server-1').status, 'MAINT (via monitoring/server-1)');
  assert.equal(csv.row('monitoring/server-1').chkdown, '1', 'entering maintenance counts as going down');
  assert.equal(csv.row('monitoring/server-1').check_status, '', 'checks paused: no check columns');
  const sss = showServersState(h.snap(), null)!.split('\n');
  const want = capture('sss_disable_monitoring_s1.txt').split('\n');
  const noTime = (l: string) => l.split(' ').filter((_, i) => i !== 9).join(' ');
  assert.deepEqual(sss.map(noTime), want.slice(0, -1).map(noTime));
  h.rt.shutdown();
});

test('disable server myApp/server-1 (the tracker itself): MAINT there only; the tracked server keeps checking', async () => {
  const h = await allUp();
  setAdmin(h.server('myApp/server-1'), ADMIN.FMAINT, ADMIN.FDRAIN, op('disable server myApp/server-1'));
  await h.tick(1000);
  assert.deepEqual(diffCsv(showStat(h.snap(), CSV), capture('show_stat_disable_myapp_s1.csv'), HISTORY), []);
  const line = showServersState(h.snap(), 'myApp')!.split('\n')[2]!.split(' ');
  assert.deepEqual([line[5], line[6]], ['0', '1'], 'op stopped, admin forced maint');
  h.rt.shutdown();
});

test('set server monitoring/server-1 state drain: DRAIN on both, weight column kept, backend loses it', async () => {
  const h = await allUp();
  setAdmin(h.server('monitoring/server-1'), ADMIN.FDRAIN, ADMIN.FMAINT, op('set server monitoring/server-1 state drain'));
  await h.tick(1000);
  const out = showStat(h.snap(), CSV);
  assert.deepEqual(diffCsv(out, capture('show_stat_drain_monitoring_s1.csv'), HISTORY), []);
  const lines = showServersState(h.snap(), null)!.split('\n');
  assert.equal(lines[2]!.split(' ')[6], '16', 'tracker: drain inherited (0x10)');
  assert.equal(lines[4]!.split(' ')[6], '8', 'forced drain (0x08)');
  h.rt.shutdown();
});

test('disable health monitoring/server-1: `no check` on both and every check column empty; enable brings them back', async () => {
  const h = await allUp();
  setCheckEnabled(h.server('monitoring/server-1'), false, 'disable health monitoring/server-1');
  h.results.set(18001, S503); // no check runs: stays up
  await h.tick(2500);
  assert.deepEqual(diffCsv(showStat(h.snap(), CSV), capture('show_stat_disable_health_monitoring_s1.csv'), HISTORY), []);
  assert.equal(showServersState(h.snap(), 'monitoring')!.split('\n')[2]!.split(' ')[13], '2', 'check state: configured, not enabled');
  setCheckEnabled(h.server('monitoring/server-1'), true, 'enable health monitoring/server-1');
  const m = readCsv(showStat(h.snap(), CSV)).row('monitoring/server-1');
  assert.deepEqual([m.status, m.check_status, m.chkfail], ['UP', 'L7OK', '0']);
  await h.tick(2500);
  assert.equal(readCsv(showStat(h.snap(), CSV)).row('myApp/server-1').status, 'DOWN');
  h.rt.shutdown();
});

test('a check in progress shows `* ` before its status, and srv_check_state 7 with result unknown', async () => {
  const h = await allUp();
  h.results.set(18001, 'hang');
  await h.tick(1000);
  assert.equal(readCsv(showStat(h.snap(), CSV)).row('monitoring/server-1').check_status, '* L7OK');
  const f = showServersState(h.snap(), 'monitoring')!.split('\n')[2]!.split(' ');
  assert.deepEqual([f[10], f[11], f[13]], ['15', '0', '7']);
  h.rt.shutdown();
});
