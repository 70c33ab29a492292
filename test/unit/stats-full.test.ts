/**
 * The captures' full.cfg (many server kinds and check results) against HAProxy's `show stat` and
 * `show servers state`. lbd refuses a few of its keywords (ssl binds, socket-stats, rate-limit, cookies,
 * check-ssl, agent checks, global node/description), so they are taken out; the rows and columns they
 * drive (listener rows, rate_lim, cookie, agent columns, the SSL check's handshake counter) are left out of
 * the comparison, and the SSL check's result is scripted on a port of its own.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { showServersState, showStat } from '../../daemon/stats/index.js';
import { CSV, TIME_OR_TRAFFIC, capture, diffCsv, harness, readCsv } from './stats-harness.js';

function fullCfg(): string {
  const text = capture('full.cfg')
    .replace(/^\s*(node|description) .*\n/gm, '')
    .replace(/^\s*bind .* ssl crt .*\n/m, '')
    .replace(/^\s*(option socket-stats|rate-limit sessions 100|cookie SRV insert indirect nocache)\n/gm, '')
    .replace(' cookie ok', '')
    .replace('127.0.0.1:18001 check inter 1s fall 2 rise 2 check-ssl verify none', '127.0.0.1:18011 check inter 1s fall 2 rise 2')
    .replace(' agent-check agent-port 18006 agent-inter 1s', '');
  assert.doesNotMatch(text, / ssl |check-ssl|socket-stats|rate-limit|cookie|agent-/);
  return text;
}

async function fullHarness() {
  const h = await harness(fullCfg());
  h.results.set(18009, { status: 'L4CON', code: null, durationMs: 0, info: 'Connection refused' });
  h.results.set(18003, { status: 'L7TOUT', code: null, durationMs: 1001, info: '' });
  h.results.set(18004, { status: 'L7RSP', code: null, durationMs: 0, info: '' });
  h.results.set(18007, { status: 'L4TOUT', code: null, durationMs: 1001, info: '' });
  h.results.set(18011, { status: 'L6RSP', code: null, durationMs: 0, info: 'SSL handshake failure' });
  h.results.set(18005, { status: 'L7OKC', code: 404, durationMs: 1, info: '' });
  await h.tick(3000);
  return h;
}

/** The header and the named rows of a CSV answer, in the answer's order. */
function pick(text: string, keep: (key: string) => boolean): string {
  const [head, ...rows] = text.split('\n').filter((l) => l);
  return [head, ...rows.filter((r) => keep(r.split(',').slice(0, 2).join('/')))].join('\n') + '\n';
}

const NOT_LBD = new Set(['rate_lim', 'cookie', 'ssl_failed_handshake']);
const AGENT = ['last_agt', 'agent_status', 'agent_code', 'agent_duration', 'agent_desc', 'agent_rise', 'agent_fall', 'agent_health'];

test('full.cfg: every row lbd can have matches HAProxy column by column (L4CON, L7TOUT, L7RSP, L4TOUT, L6RSP, no check, disabled, backup, NOLB, L4OK)', async () => {
  const h = await fullHarness();
  const ours = showStat(h.snap(), CSV);
  const theirs = capture('full_show_stat.csv');
  const plain = (k: string) => !['web/plain', 'web/tls', 'checks/sslbad', 'checks/agent'].includes(k);
  assert.deepEqual(diffCsv(pick(ours, plain), pick(theirs, plain), TIME_OR_TRAFFIC, NOT_LBD), []);
  // the SSL check's server has its own port here; the agent server has no agent: the rest of their rows match
  const only = (k: string) => (key: string) => key === k;
  assert.deepEqual(diffCsv(pick(ours, only('checks/sslbad')), pick(theirs, only('checks/sslbad')), TIME_OR_TRAFFIC, new Set([...NOT_LBD, 'addr'])), []);
  assert.deepEqual(diffCsv(pick(ours, only('checks/agent')), pick(theirs, only('checks/agent')), TIME_OR_TRAFFIC, new Set(AGENT)), []);
  const csv = readCsv(ours);
  assert.deepEqual([csv.row('checks/ok').slim, csv.row('checks/ok').qlimit, csv.row('checks/ok').weight], ['10', '5', '10']);
  assert.deepEqual([csv.row('checks/BACKEND').weight, csv.row('checks/BACKEND').act, csv.row('checks/BACKEND').bck], ['13', '4', '1']);
  assert.equal(csv.row('checks/BACKEND').slim, '50', 'fullconn from the frontend maxconn 500');
  assert.equal(csv.row('checks/BACKEND').algo, 'leastconn');
  assert.equal(csv.row('nolb/BACKEND').status, 'DOWN', 'a NOLB server is not usable');
  assert.equal(csv.row('tcpchk/t1').check_code, '', 'no code below layer 7');
  h.rt.shutdown();
});

test('full.cfg: show servers state rows as HAProxy (ids, op and admin states, check status/result/health/state, ports)', async () => {
  const h = await fullHarness();
  const noTime = (l: string) => l.split(' ').filter((_, i) => i !== 9).join(' ');
  const byName = (text: string) => new Map(text.split('\n').filter((l) => /^\d/.test(l) && l.includes(' ')).map((l) => [l.split(' ')[3]!, noTime(l)]));
  const theirs = byName(capture('full_show_servers_state.txt'));
  let ours = byName(showServersState(h.snap(), null)!);
  for (const name of ['ok', 'refused', 'garbage', 'nocheck', 'cfgmaint', 'slow', 'bk', 's404', 't1']) assert.equal(ours.get(name), theirs.get(name), name);
  // HAProxy caught `silent` and `l4tout` with a check running (state 7, result unknown)
  h.results.set(18003, 'hang');
  h.results.set(18007, 'hang');
  await h.tick(1000);
  ours = byName(showServersState(h.snap(), null)!);
  for (const name of ['silent', 'l4tout']) assert.equal(ours.get(name), theirs.get(name), name);
  assert.equal(readCsv(showStat(h.snap(), CSV)).row('checks/silent').check_status, '* L7TOUT');
  h.rt.shutdown();
});
