/**
 * Proxy kinds the track example does not have, against a real HAProxy 2.6.12 on stats-captures/proxies.cfg:
 * a `listen` (one iid for FRONTEND, servers and BACKEND, its frontend counted in its own fullconn), config-
 * `disabled` proxies (left out of show stat, their ids still taken), a backup-only backend (weight of the
 * first backup, bck counts all usable backups), `disable-on-404` (NOLB: not usable), `observe` (hanafail).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { showBackend, showServersState, showStat } from '../../daemon/stats/index.js';
import { setAdmin } from '../../daemon/runtime/server-state.js';
import { ADMIN } from '../../shared/snapshot.js';
import type { CheckResult } from '../../shared/check-status.js';
import { CSV, capture, diffCsv, harness, readCsv } from './stats-harness.js';

const REFUSED: CheckResult = { status: 'L4CON', code: null, durationMs: 0, info: 'Connection refused' };
const NOT_FOUND: CheckResult = { status: 'L7OKC', code: 404, durationMs: 0, info: '' };

async function proxies() {
  const h = await harness(capture('proxies.cfg'), (chk, port) => (port !== 28009 && chk.type === 'http' && chk.http.uri === '/404' ? NOT_FOUND : undefined));
  h.results.set(28009, REFUSED);
  await h.tick(3500);
  return h;
}

test('proxies.cfg: show stat matches HAProxy column by column', async () => {
  const h = await proxies();
  const out = showStat(h.snap(), CSV);
  assert.deepEqual(diffCsv(out, capture('proxies_show_stat.csv')), []);
  const csv = readCsv(out);
  assert.deepEqual(['FRONTEND', 'a', 'b', 'BACKEND'].map((s) => csv.row(`both/${s}`).iid), ['5', '5', '5', '5']);
  assert.equal(csv.row('both/BACKEND').slim, '900');
  assert.equal(csv.row('both/a').hanafail, '0');
  assert.equal(csv.row('onlybk/BACKEND').iid, '8', 'the disabled `dis` and `fdis` keep ids 6 and 7');
  assert.deepEqual([csv.row('onlybk/BACKEND').weight, csv.row('onlybk/BACKEND').act, csv.row('onlybk/BACKEND').bck], ['5', '0', '2']);
  h.rt.shutdown();
});

test('proxies.cfg: show stat up, show servers state (disabled backend listed, srv_id 0) and show backend as HAProxy', async () => {
  const h = await proxies();
  assert.deepEqual(diffCsv(showStat(h.snap(), { ...CSV, up: true }), capture('proxies_show_stat_up.csv')), []);
  const noTime = (t: string) => t.replace(/\n\n$/, '\n').split('\n').map((l) => (/^\d+ /.test(l) ? l.split(' ').filter((_, i) => i !== 9).join(' ') : l));
  assert.deepEqual(noTime(showServersState(h.snap(), null)!), noTime(capture('proxies_show_servers_state.txt')));
  assert.equal(showBackend(h.snap()) + '\n', capture('proxies_show_backend.txt'));
  h.rt.shutdown();
});

test('slowstart: a server coming back up ramps its weight, shows throttle and srv_op_state 1 (starting)', async () => {
  const h = await proxies();
  const a = h.server('both/a');
  setAdmin(a, ADMIN.FMAINT, 0, { kind: 'operator', command: 'disable server both/a' });
  setAdmin(a, 0, ADMIN.FMAINT, { kind: 'operator', command: 'enable server both/a' });
  await h.tick(6_000); // 10% of `slowstart 60s`
  const row = readCsv(showStat(h.snap(), CSV)).row('both/a');
  assert.match(row.throttle!, /^\d+$/);
  assert.ok(Number(row.throttle) >= 9 && Number(row.throttle) <= 11, `throttle ${row.throttle}`);
  const line = showServersState(h.snap(), 'both')!.split('\n')[2]!.split(' ');
  assert.equal(line[5], '1', 'SRV_ST_STARTING');
  await h.tick(60_000);
  assert.equal(readCsv(showStat(h.snap(), CSV)).row('both/a').throttle, '', 'no throttle once warm');
  assert.equal(showServersState(h.snap(), 'both')!.split('\n')[2]!.split(' ')[5], '2');
  h.rt.shutdown();
});
