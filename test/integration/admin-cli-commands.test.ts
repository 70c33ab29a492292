/**
 * Every runtime API command over a real Unix socket: what it does to the runtime, and its answers and
 * error texts, compared with HAProxy 2.6's (captured on a real HAProxy 2.6.12 with the same config shape;
 * ../shared/reference/haproxy-runtime-api.md §2).
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { ServerSnapshot } from '../../shared/snapshot.js';
import { createExecutor } from '../../daemon/admin/commands.js';
import { connectUnix, exchange, startAdmin, trackConfig, type AdminHarness } from './admin-harness.js';
import { waitFor } from '../helpers/wait.js';
import { closed, connect, echoServer } from '../helpers/net.js';

let h: AdminHarness;
const ask = (cmd: string) => exchange(h.sock, cmd.endsWith('\n') ? cmd : cmd + '\n');
const server = (key: string): ServerSnapshot => {
  const [b, s] = key.split('/');
  return h.rt.snapshot().backends.find((x) => x.name === b)!.servers.find((x) => x.name === s)!;
};

before(async () => {
  h = await startAdmin(trackConfig());
});
after(() => h.close());

test('<backend>/<server>: names and #ids, and HAProxy\'s three error texts', async () => {
  assert.equal(await ask('get weight'), "Require 'backend/server'.\n\n");
  assert.equal(await ask('get weight myApp'), "Require 'backend/server'.\n\n");
  assert.equal(await ask('get weight myApp/'), "Require 'backend/server'.\n\n");
  assert.equal(await ask('get weight /x'), 'No such backend.\n\n');
  assert.equal(await ask('get weight nope/x'), 'No such backend.\n\n');
  assert.equal(await ask('get weight myApp/nope'), 'No such server.\n\n');
  const myApp = h.rt.backends.get('myApp')!.cfg.id;
  assert.equal(await ask(`get weight #${myApp}/#1`), '1 (initial 1)\n\n');
  assert.equal(await ask('get weight myApp/#2'), '1 (initial 1)\n\n');
  assert.equal(await ask(`get weight ${myApp}/1`), 'No such backend.\n\n', 'a bare number is a name');
  for (const cmd of ['disable server', 'enable server', 'set server', 'set weight', 'disable health', 'enable health', 'shutdown sessions server', 'set maxconn server']) {
    assert.equal(await ask(cmd), "Require 'backend/server'.\n\n", cmd);
    assert.equal(await ask(`${cmd} nope/x`), 'No such backend.\n\n', cmd);
    assert.equal(await ask(`${cmd} myApp/nope`), 'No such server.\n\n', cmd);
  }
});

test('weights: set weight, set server weight, get weight, with HAProxy\'s parse and errors', async () => {
  const cases: [string, string][] = [
    ['set weight myApp/server-1', 'Require <weight> or <weight%>.\n\n'],
    ['set weight myApp/server-1 abc', 'Empty weight string empty or preceded by garbage\n'],
    ['set weight myApp/server-1 %', 'Empty weight string empty or preceded by garbage\n'],
    ['set weight myApp/server-1 300', 'Absolute weight can only be between 0 and 256 inclusive.\n\n'],
    ['set weight myApp/server-1 257', 'Absolute weight can only be between 0 and 256 inclusive.\n\n'],
    ['set weight myApp/server-1 -1', 'Absolute weight can only be between 0 and 256 inclusive.\n\n'],
    ['set weight myApp/server-1 -5%', 'Relative weight must be positive.\n\n'],
    ['set weight myApp/server-1 10x', 'Trailing garbage in weight string\n'],
    ['set weight myApp/server-1 10%x', 'Trailing garbage in weight string\n'],
    ['set weight myApp/server-1 1.5', 'Trailing garbage in weight string\n'],
    ['set server myApp/server-1 weight', 'Require <weight> or <weight%>.\n\n'],
    ['set server myApp/server-1 weight 300', 'Absolute weight can only be between 0 and 256 inclusive.\n\n'],
    ['set weight static/s1 2', "Backend is using a static LB algorithm and only accepts weights '0%' and '100%'.\n\n"],
  ];
  for (const [cmd, want] of cases) assert.equal(await ask(cmd), want, cmd);

  assert.equal(await ask('set weight myApp/server-1 50%'), '\n');
  assert.equal(await ask('get weight myApp/server-1'), '0 (initial 1)\n\n', '50% of 1 rounds down');
  assert.equal(await ask('set weight myApp/server-1 30000%'), '\n');
  assert.equal(await ask('get weight myApp/server-1'), '256 (initial 1)\n\n', 'capped at 256');
  assert.equal(await ask('set weight myApp/server-1 +5'), '\n');
  assert.equal(server('myApp/server-1').weight.user, 5);
  assert.equal(await ask('set server myApp/server-1 weight 11'), '\n');
  assert.equal(await ask('get weight myApp/server-1'), '11 (initial 1)\n\n');
  assert.equal(await ask('set weight myApp/server-1 100%'), '\n');
  assert.equal(await ask('get weight myApp/server-1'), '1 (initial 1)\n\n');
  assert.equal(await ask('set weight static/s1 0%'), '\n');
  assert.equal(await ask('set weight static/s1 100%'), '\n');
  assert.equal(await ask('get weight static/s1'), '4 (initial 4)\n\n');
});

test('set server state ready|drain|maint, disable|enable server: admin state and track propagation', async () => {
  assert.equal(await ask('set server myApp/server-1'), 'usage: set server <backend>/<server> addr | agent | agent-addr | agent-port | agent-send | check-addr | check-port | fqdn | health | ssl | state | weight\n\n');
  assert.equal(await ask('set server myApp/server-1 bogus'), 'usage: set server <backend>/<server> addr | agent | agent-addr | agent-port | agent-send | check-addr | check-port | fqdn | health | ssl | state | weight\n\n');
  assert.equal(await ask('set server myApp/server-1 state'), "'set server <srv> state' expects 'ready', 'drain' and 'maint'.\n\n");
  assert.equal(await ask('set server myApp/server-1 state bogus'), "'set server <srv> state' expects 'ready', 'drain' and 'maint'.\n\n");
  assert.equal(await ask('set server myApp/server-1 health up'), 'cannot change health on a tracking server.\n\n');
  assert.equal(await ask('set server myApp/server-1 agent up'), 'agent checks are not enabled on this server.\n\n');

  assert.equal(await ask('disable server monitoring/server-1'), '\n');
  assert.equal(server('monitoring/server-1').status, 'MAINT');
  assert.equal(server('myApp/server-1').status, 'MAINT (via monitoring/server-1)');
  assert.equal(await ask('enable server monitoring/server-1'), '\n');
  assert.doesNotMatch(server('myApp/server-1').status, /MAINT/);

  assert.equal(await ask('set server monitoring/server-2 state drain'), '\n');
  assert.match(server('monitoring/server-2').status, /^DRAIN/);
  assert.match(server('myApp/server-2').status, /^DRAIN/, 'drain propagates to trackers');
  assert.equal(await ask('set server monitoring/server-2 state maint'), '\n');
  assert.equal(server('monitoring/server-2').status, 'MAINT');
  assert.equal(await ask('set server monitoring/server-2 state ready'), '\n');
  assert.doesNotMatch(server('monitoring/server-2').status, /MAINT|DRAIN/);

  assert.equal(await ask('disable server myApp/server-2;show servers state myApp'), '\n' + (await ask('show servers state myApp')));
  assert.equal(server('myApp/server-2').admin & 1, 1, 'forced maintenance flag');
  assert.equal(await ask('enable server myApp/server-2'), '\n');
  assert.equal(server('myApp/server-2').admin, 0);
});

test('disable|enable health: checks stop and resume; a server without check cannot enable them', async () => {
  assert.equal(await ask('enable health monitoring/nochk'), 'Health check was not configured on this server, cannot enable.\n\n');
  assert.equal(await ask('disable health monitoring/nochk'), '\n');
  assert.equal(await ask('enable health myApp/server-1'), 'Health check was not configured on this server, cannot enable.\n\n');
  assert.equal(await ask('disable health myApp/server-1'), '\n');
  assert.equal(await ask('disable health monitoring/server-2'), '\n');
  assert.equal(server('monitoring/server-2').status, 'no check');
  assert.equal(server('myApp/server-2').status, 'no check', 'the tracker follows');
  assert.equal(await ask('enable health monitoring/server-2'), '\n');
  assert.notEqual(server('monitoring/server-2').status, 'no check');
  assert.equal(await ask('enable agent monitoring/server-2'), 'Agent was not configured on this server, cannot enable.\n\n');
  assert.equal(await ask('disable agent monitoring/server-2'), '\n');
});

test('set maxconn server: HAProxy\'s parse, and the limit applies', async () => {
  assert.equal(await ask('set maxconn server myApp/server-1'), 'Require <maxconn>.\n\n');
  assert.equal(await ask('set maxconn server myApp/server-1 abc'), 'maxconn string empty or preceded by garbage\n');
  assert.equal(await ask('set maxconn server myApp/server-1 10x'), 'Trailing garbage in maxconn string\n');
  assert.equal(await ask('set maxconn server myApp/server-1 10'), '\n');
  assert.equal(server('myApp/server-1').maxconn, 10);
  assert.equal(await ask('set maxconn server myApp/server-1 0'), '\n');
  assert.equal(server('myApp/server-1').maxconn, 0);
});

test('disable|enable frontend: PAUSED and back, HAProxy\'s messages', async () => {
  assert.equal(await ask('disable frontend'), 'A frontend name is expected.\n\n');
  assert.equal(await ask('disable frontend nope'), 'No such frontend.\n\n');
  assert.equal(await ask('enable frontend nope'), 'No such frontend.\n\n');
  assert.equal(await ask('disable frontend myApp'), '\n');
  assert.equal(h.rt.snapshot().frontends[0]!.status, 'PAUSED');
  assert.equal(await ask('disable frontend myApp'), 'All sockets are already disabled.\n\n');
  assert.equal(await ask('enable frontend myApp'), '\n');
  assert.equal(h.rt.snapshot().frontends[0]!.status, 'OPEN');
  assert.equal(await ask('enable frontend myApp'), 'All sockets are already enabled.\n\n');
  const id = h.rt.frontends.get('myApp')!.cfg.id;
  assert.equal(await ask(`disable frontend #${id};enable frontend #${id}`), '\n\n');
});

test('show stat and show info: arguments as HAProxy 2.6 reads them, legends only on operator and admin sockets', async () => {
  const rows = async (cmd: string, sock = h.sock) =>
    (await exchange(sock, cmd + '\n')).split('\n').filter((l) => l && !l.startsWith('# ')).map((l) => l.split(','));
  const names = async (cmd: string) => (await rows(cmd)).map((f) => `${f[0]}/${f[1]}`);
  const all = await names('show stat');
  assert.deepEqual(all.slice(0, 4), ['myApp/FRONTEND', 'myApp/server-1', 'myApp/server-2', 'myApp/BACKEND']);
  assert.deepEqual(await names('show stat 3'), all, 'fewer than three filter words: ignored');
  assert.deepEqual(await names('show stat bogus'), all);
  assert.equal(await ask('show stat nope -1 -1'), 'No such proxy.\n\n');
  assert.equal(await ask('show stat typed 4 -1 -1'), 'No such proxy.\n\n', 'the filter comes first');
  assert.deepEqual(await names('show stat myApp -1 -1'), ['myApp/FRONTEND'], 'a shared name is the frontend');
  assert.deepEqual(await names('show stat monitoring -1 -1'), ['monitoring/server-1', 'monitoring/server-2', 'monitoring/nochk', 'monitoring/BACKEND']);
  const mon = h.rt.backends.get('monitoring')!.cfg.id;
  assert.deepEqual(await names(`show stat #${mon} 4 -1`), ['monitoring/server-1', 'monitoring/server-2', 'monitoring/nochk']);
  assert.deepEqual(await names(`show stat ${mon} -1 2`), ['monitoring/server-2', 'monitoring/BACKEND']);
  assert.deepEqual(await names('show stat -1 2 -1'), ['myApp/BACKEND', 'monitoring/BACKEND', 'static/BACKEND']);
  assert.deepEqual(await names(`show stat ${mon} x -1`), [], 'a non-number type is 0: nothing');
  assert.match(await ask('show stat typed'), /^F\.\d+\.0\.0\.pxname\.1:KNS:str:myApp\n/);
  assert.match(await ask('show stat json'), /^\[\[\{"objType":"Frontend"/);
  const addr = async (sock: string) => (await rows('show stat', sock)).find((f) => f[0] === 'monitoring' && f[1] === 'server-1')![73];
  assert.equal(await addr(h.sock), '127.0.0.1:9');
  assert.equal(await addr(`${h.dir}/oper.sock`), '127.0.0.1:9');
  assert.equal(await addr(`${h.dir}/user.sock`), '', 'the socket level, not the session level, decides');
  assert.match(await ask('show info'), /^Name: .*\nVersion: /);
  assert.match(await ask('show info json'), /^\[\{"field":\{"pos":0,"name":"Name"\}/);
  assert.match(await ask('show info typed desc'), /^0\.Name\.1:POS:str:[^:]+:"/);
});

test('show servers state|conn, show backend, show table, show env, show cli sockets', async () => {
  const all = await ask('show servers state');
  assert.match(all, /^1\n# be_id be_name srv_id srv_name /);
  const one = await ask('show servers state myApp');
  assert.equal(one.split('\n').filter((l) => /^\d+ myApp /.test(l)).length, 2);
  assert.ok(!one.includes(' monitoring '), 'only that backend');
  assert.equal(await ask(`show servers state #${h.rt.backends.get('myApp')!.cfg.id}`), one);
  assert.equal(await ask('show servers state nope'), "Can't find backend.\n\n");
  assert.equal(await ask('show backend'), '# name\nmyApp\nmonitoring\nstatic\n\n');
  const conn = await ask('show servers conn monitoring');
  assert.match(conn, /^# bkname\/svname bkid\/svid addr port - purge_delay used_cur used_max need_est unsafe_nb safe_nb idle_lim idle_cur idle_per_thr\[1\]\nmonitoring\/server-1 \d+\/1 127\.0\.0\.1 9 - /);
  assert.equal(conn.trim().split('\n').length, 4);
  assert.equal(await ask('show servers conn nope'), "Can't find backend.\n\n");
  assert.equal(await ask('show table'), '\n');
  assert.equal(await ask('show table foo'), 'No such table\n\n');
  process.env.LBD_ADMIN_TEST = 'a=b c';
  assert.equal(await ask('show env LBD_ADMIN_TEST'), 'LBD_ADMIN_TEST=a=b c\n\n');
  assert.equal(await ask('show env LBD_ADMIN_NOPE'), 'Variable not found\n\n');
  assert.ok((await ask('show env')).includes('\nLBD_ADMIN_TEST=a=b c\n'));
  assert.equal(await ask('show cli sockets'), `# socket lvl processes\nunix@${h.dir}/admin.sock admin all\nunix@${h.dir}/oper.sock operator all\nunix@${h.dir}/user.sock user all\n\n`);
});

test('show events: the sink list, the ring, -n, -w streaming until the client sends a key', async () => {
  const list = await ask('show events');
  assert.match(list, /^Supported events sinks are listed below\. Add -w\(wait\), -n\(new\)\. Any key to stop\n {4}events {5}: type=buffer, \d+ dropped, /);
  assert.equal(await ask('show events nope'), 'No such event sink\n');
  assert.equal(await ask('show events events -x'), 'unknown option\n');
  assert.equal(await ask('show events events -n'), '\n');
  await ask('disable server monitoring/nochk;enable server monitoring/nochk');
  const ring = await ask('show events events');
  assert.match(ring, /Z server-admin Server monitoring\/nochk is going DOWN for maintenance/);
  assert.ok(ring.endsWith('\n\n') && !ring.slice(0, -1).includes('\n\n'), 'no empty line inside the answer');

  const s = await connectUnix(h.sock);
  let got = '';
  s.on('data', (d: Buffer) => (got += d.toString()));
  s.write('show events events -w -n\n');
  // each poll makes one more event: the first ones may come before the session subscribed
  await waitFor(() => ask('disable server monitoring/nochk').then(() => got.includes('monitoring/nochk')), 3000, 'a streamed event');
  assert.match(got, /server-admin Server monitoring\/nochk/);
  assert.ok(!got.endsWith('\n\n'), 'the answer is not finished while streaming');
  s.write('x'); // any key stops the stream; in one-shot mode the session then ends
  await new Promise((r) => s.once('end', r));
  assert.ok(got.endsWith('\n'), 'the terminating empty line');
  s.destroy();
  await ask('enable server monitoring/nochk');
});

test('show sess, shutdown session, shutdown sessions server: live proxied sessions', async () => {
  const echo = await echoServer();
  const t = await startAdmin(`
defaults
    timeout connect 2s
    timeout client 30s
    timeout server 30s
frontend fe
    bind 127.0.0.1:@PORT@
    mode tcp
    default_backend be
backend be
    mode tcp
    server s1 127.0.0.1:${echo.port}
`);
  try {
    const c1 = await connect(t.port);
    const c2 = await connect(t.port);
    const list = await waitFor(async () => {
      const l = await exchange(t.sock, 'show sess\n');
      return l.split('\n').filter((x) => x.includes('srv=s1')).length === 2 ? l : null;
    }, 3000, 'two sessions on s1');
    const ids = [...list.matchAll(/^(0x[0-9a-f]+): proto=tcpv4 src=127\.0\.0\.1 fe=fe be=be srv=s1 age=\d+s$/gm)].map((m) => m[1]!);
    assert.equal(ids.length, 2, list);
    const detail = await exchange(t.sock, `show sess ${ids[0]}\n`);
    assert.match(detail, new RegExp(`^${ids[0]}: \\[\\d\\d/\\w{3}/\\d{4}:[\\d:.]+\\] id=\\d+ proto=tcpv4 source=127\\.0\\.0\\.1\\n  frontend=fe \\(id=\\d+ mode=tcp\\)\\n  backend=be `));
    assert.equal(await exchange(t.sock, 'show sess 0xfffffff\n'), 'Session not found.\n\n');
    assert.equal(await exchange(t.sock, 'shutdown session\n'), "Session pointer expected (use 'show sess').\n\n");
    assert.equal(await exchange(t.sock, 'shutdown session zz\n'), "Session pointer expected (use 'show sess').\n\n");
    assert.equal(await exchange(t.sock, 'shutdown session 0xfffffff\n'), "No such session (use 'show sess').\n\n");
    assert.equal(await exchange(t.sock, `shutdown session ${ids[0]}\n`), '\n');
    await closed(c1);
    assert.equal(await exchange(t.sock, `shutdown session ${ids[0]}\n`), "No such session (use 'show sess').\n\n");
    assert.equal(await exchange(t.sock, 'shutdown sessions server be/s1\n'), '\n');
    await closed(c2);
    assert.equal(await exchange(t.sock, 'show sess\n'), '\n');
  } finally {
    await t.close();
    await echo.close();
  }
});

test('clear counters: maxima (operator) or all counters (admin)', async () => {
  const fe = async () => (await ask('show stat')).split('\n').map((l) => l.split(',')).find((f) => f[0] === 'myApp' && f[1] === 'FRONTEND')!;
  // a client through the frontend: its server is dead, so the session ends at once, counted
  const c = await connect(h.port);
  await closed(c);
  await waitFor(async () => (await fe())[7] === '1', 3000, 'the session counted (stot 1)');
  assert.equal((await fe())[5], '1', 'smax 1');
  assert.equal(await exchange(`${h.dir}/oper.sock`, 'clear counters\n'), '\n');
  assert.deepEqual([(await fe())[5], (await fe())[7]], ['0', '1'], 'maxima cleared, totals kept');
  assert.equal(await ask('clear counters all'), '\n');
  assert.equal((await fe())[7], '0', 'totals cleared');
});

test('reload: Success=1 with one line per change; Success=0 with every error, the running config stays', async () => {
  const base = trackConfig();
  h.writeConfig(base + '    server s2 127.0.0.1:9\n');
  const ok = await ask('reload');
  assert.match(ok, /^Success=1\n--\n(.+\n)+\n$/);
  assert.match(ok, /s2/);
  assert.ok(h.rt.backends.get('static')!.byName.has('s2'));
  assert.equal(await ask('reload'), 'Success=1\n--\n\n', 'nothing changed');
  h.writeConfig(base + '    bogus-keyword here\n');
  const bad = await ask('reload');
  assert.match(bad, new RegExp(`^Success=0\\n--\\n${h.cfgPath.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:\\d+: .*bogus-keyword.*\\n\\n$`));
  assert.ok(h.rt.backends.get('static')!.byName.has('s2'), 'the running configuration stays');
  h.writeConfig(base);
  assert.match(await ask('reload'), /^Success=1\n--\n/);
});

test('the executor the WebSocket side uses runs the same table at a given level', async () => {
  const exec = createExecutor({ runtime: h.rt, control: h.control });
  assert.equal(await exec(['get', 'weight', 'myApp/server-1'], null, 'user'), '1 (initial 1)\n');
  assert.equal(await exec(['disable', 'server', 'myApp/server-1'], null, 'operator'), 'Permission denied\n');
  assert.equal(await exec(['disable', 'server', 'myApp/server-1'], null, 'admin'), '');
  assert.equal(server('myApp/server-1').status, 'MAINT');
  assert.equal(await exec(['enable', 'server', 'myApp/server-1'], null, 'admin'), '');
  assert.equal(await exec(['show', 'cli', 'level'], null, 'operator'), 'operator\n');
  assert.match(await exec(['bogus'], null, 'user'), /^Unknown command, but maybe/);
});
