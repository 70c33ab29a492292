/**
 * Traffic counters in `show stat` (where each lands, against the empty/non-empty pattern HAProxy showed
 * with traffic), and `clear counters [all]` (HAProxy: the maxima only; with `all` every counter but the
 * current values).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { showInfo, showStat, STAT_FIELDS } from '../../daemon/stats/index.js';
import { CSV, capture, diffCsv, hapCfg, harness, readCsv } from './stats-harness.js';

/** Sessions through myApp as the data path counts them (tcp-session.ts), without sockets. */
async function withTraffic() {
  const h = await harness(hapCfg());
  await h.tick(1500);
  const fe = h.rt.frontends.get('myApp')!;
  const be = h.rt.backends.get('myApp')!;
  const now = h.clock.now();
  for (let i = 0; i < 3; i++) {
    const s = be.select(null, null);
    assert.ok(s && s !== 'queue');
    fe.counters.open(now);
    fe.counters.connRate.add(now);
    fe.counters.connTotal++;
    h.rt.proc.cur++;
    h.rt.proc.cum++;
    h.rt.proc.rate.add(now);
    s.counters.open(now);
    be.counters.open(now);
    for (const c of [s.counters, be.counters]) {
      c.connectTime.add(2);
      c.connectSamples++;
      c.bytesIn += 100;
      c.bytesOut += 200;
    }
    fe.counters.bytesIn += 100;
    fe.counters.bytesOut += 200;
  }
  await h.tick(2000);
  // one session ends after 2 s
  const s1 = h.server('myApp/server-1');
  s1.counters.cur--;
  s1.counters.totalTime.add(2000);
  s1.counters.totalSamples++;
  be.counters.cur--;
  fe.counters.cur--;
  h.rt.proc.cur--;
  return h;
}

test('traffic: counters land in the columns HAProxy fills (same empty pattern as show_stat_traffic.csv)', async () => {
  const h = await withTraffic();
  const out = showStat(h.snap(), CSV);
  const everyValue = new Set(STAT_FIELDS.map((f) => f.name));
  assert.deepEqual(diffCsv(out, capture('show_stat_traffic.csv'), everyValue), []);
  const csv = readCsv(out);
  const fe = csv.row('myApp/FRONTEND');
  assert.deepEqual([fe.scur, fe.smax, fe.stot, fe.bin, fe.bout, fe.conn_tot, fe.rate_max, fe.conn_rate_max], ['2', '3', '3', '300', '600', '3', '3', '3']);
  const be = csv.row('myApp/BACKEND');
  assert.deepEqual([be.scur, be.smax, be.stot, be.lbtot, be.connect, be.ctime, be.ctime_max, be.lastsess], ['2', '3', '3', '3', '3', '2', '2', '2']);
  const s1 = csv.row('myApp/server-1');
  assert.deepEqual([s1.stot, s1.lbtot, s1.ttime, s1.ttime_max, s1.used_conn_cur, s1.need_conn_est], ['2', '2', '2000', '2000', '1', '1']);
  const info = showInfo(h.snap(), { format: 'plain', desc: false, float: false });
  assert.match(info, /\nCurrConns: 2\nCumConns: 3\n/);
  assert.match(info, /\nMaxConnRate: 3\n/);
  assert.match(info, /\nTotalBytesOut: 900\n/, 'to clients (600) and to servers (300)');
  h.rt.shutdown();
});

test('clear counters: maxima to zero, totals and current values kept', async () => {
  const h = await withTraffic();
  h.rt.clearCounters(false);
  const csv = readCsv(showStat(h.snap(), CSV));
  const fe = csv.row('myApp/FRONTEND');
  assert.deepEqual([fe.scur, fe.smax, fe.stot, fe.rate_max, fe.conn_rate_max, fe.conn_tot], ['2', '0', '3', '0', '0', '3']);
  const be = csv.row('myApp/BACKEND');
  assert.deepEqual([be.smax, be.qmax, be.ctime_max, be.stot, be.lbtot, be.ctime], ['0', '0', '0', '3', '3', '2']);
  const s1 = csv.row('myApp/server-1');
  assert.deepEqual([s1.scur, s1.smax, s1.ttime_max, s1.stot, s1.ttime], ['1', '0', '0', '2', '2000']);
  assert.match(showInfo(h.snap(), { format: 'plain', desc: false, float: false }), /\nCumConns: 3\n[^]*\nMaxConnRate: 0\n/);
  h.rt.shutdown();
});

test('clear counters all: every counter zeroed but current sessions; lastsess back to never; state kept', async () => {
  const h = await withTraffic();
  h.results.set(18001, { status: 'L7STS', code: 503, durationMs: 1, info: 'Service Unavailable' });
  await h.tick(4500); // monitoring/server-1 DOWN for a few seconds: chkfail 2, chkdown 1
  h.rt.clearCounters(true);
  const csv = readCsv(showStat(h.snap(), CSV));
  const fe = csv.row('myApp/FRONTEND');
  assert.deepEqual([fe.scur, fe.smax, fe.stot, fe.bin, fe.bout, fe.conn_tot], ['2', '0', '0', '0', '0', '0']);
  const be = csv.row('myApp/BACKEND');
  assert.deepEqual([be.scur, be.stot, be.lbtot, be.connect, be.ctime, be.lastsess], ['2', '0', '0', '0', '0', '-1']);
  const m = csv.row('monitoring/server-1');
  assert.deepEqual([m.status, m.chkfail, m.chkdown], ['DOWN', '0', '0']);
  assert.notEqual(m.downtime, '0', 'downtime is state, not a counter (HAProxy keeps it)');
  assert.match(showInfo(h.snap(), { format: 'plain', desc: false, float: false }), /\nCurrConns: 2\nCumConns: 3\n/, 'CumConns stays');
  h.rt.shutdown();
});
