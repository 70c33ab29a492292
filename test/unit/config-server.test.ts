import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseConfigText, formatDiagnostic, type LoadResult } from '../../daemon/config/index.js';
import type { Config, ServerConfig } from '../../daemon/config/types.js';

const cfg = (...lines: string[]): string => lines.join('\n') + '\n';
const DNS: Record<string, string> = { 'app.test': '10.1.1.1', 'app6.test': 'fd00::1', 'checker.test': '10.9.9.9' };
const load = (text: string, lookups: string[] = []): Promise<LoadResult> =>
  parseConfigText(text, 'lbd.cfg', {
    env: {},
    resolveHost: async (h, family) => {
      lookups.push(`${h}/${family}`);
      return DNS[h] ?? null;
    },
  });
const messages = (r: LoadResult): string[] => r.diagnostics.map(formatDiagnostic);
async function ok(text: string): Promise<Config> {
  const r = await load(text);
  assert.deepEqual(messages(r).filter((m) => !m.includes('warning:')), []);
  assert.ok(r.config);
  return r.config;
}
const server = async (line: string): Promise<ServerConfig> => (await ok(cfg('backend b', `    ${line}`))).backends[0].servers[0];

test('server defaults', async () => {
  const s = await server('server s1 10.0.0.1:80');
  assert.deepEqual(s, {
    name: 's1',
    id: 1,
    where: { file: 'lbd.cfg', line: 2 },
    host: '10.0.0.1',
    address: '10.0.0.1',
    port: 80,
    check: false,
    inter: 2000,
    fastinter: 2000,
    downinter: 2000,
    rise: 2,
    fall: 3,
    weight: 1,
    disabled: false,
    backup: false,
    track: null,
    checkPort: null,
    checkAddr: null,
    maxconn: 0,
    maxqueue: 0,
    slowstart: 0,
    observe: null,
    errorLimit: 10,
    onError: 'fail-check',
    onMarkedDown: null,
    onMarkedUp: null,
    initAddr: ['last', 'libc'],
    sendProxy: 0,
    proto: 'h1',
    checkSendProxy: false,
    cookie: null,
  });
});

test('every server option', async () => {
  const s = await server(
    'server s1 10.0.0.1:80 check inter 5s fastinter 500 downinter 10s rise 4 fall 5 weight 256 disabled backup port 8080 addr 10.0.0.9 ' +
      'maxconn 100 maxqueue 20 slowstart 30s observe layer4 error-limit 3 on-error mark-down on-marked-down shutdown-sessions ' +
      'on-marked-up shutdown-backup-sessions init-addr none,10.0.0.1,libc id 7 cookie s1',
  );
  assert.deepEqual(
    { ...s, where: undefined },
    {
      name: 's1',
      id: 7,
      where: undefined,
      host: '10.0.0.1',
      address: '10.0.0.1',
      port: 80,
      check: true,
      inter: 5000,
      fastinter: 500,
      downinter: 10000,
      rise: 4,
      fall: 5,
      weight: 256,
      disabled: true,
      backup: true,
      track: null,
      checkPort: 8080,
      checkAddr: '10.0.0.9',
      maxconn: 100,
      maxqueue: 20,
      slowstart: 30000,
      observe: 'layer4',
      errorLimit: 3,
      onError: 'mark-down',
      onMarkedDown: 'shutdown-sessions',
      onMarkedUp: 'shutdown-backup-sessions',
      initAddr: ['none', '10.0.0.1', 'libc'],
      sendProxy: 0,
      proto: 'h1',
      checkSendProxy: false,
      cookie: 's1',
    },
  );
});

test('fastinter and downinter follow inter unless set; each on-error value parses', async () => {
  const s = await server('server s1 10.0.0.1:80 inter 3s fastinter 1s');
  assert.deepEqual([s.inter, s.fastinter, s.downinter], [3000, 1000, 3000]);
  for (const v of ['fastinter', 'fail-check', 'sudden-death', 'mark-down']) assert.equal((await server(`server s1 10.0.0.1:80 on-error ${v}`)).onError, v);
  assert.equal((await server('server s1 10.0.0.1:80 weight 0')).weight, 0);
  assert.equal((await server('server s1 10.0.0.1:80 observe layer7')).observe, 'layer7');
});

test('PROXY protocol options: v2 wins over v1, no- forms undo, checks follow send-proxy unless port/addr is set (HAProxy 2.6)', async () => {
  const sp = async (opts: string) => {
    const s = await server(`server s1 10.0.0.1:80 ${opts}`);
    return [s.sendProxy, s.checkSendProxy];
  };
  assert.deepEqual(await sp(''), [0, false]);
  assert.deepEqual(await sp('send-proxy'), [1, true]);
  assert.deepEqual(await sp('send-proxy-v2'), [2, true]);
  assert.deepEqual(await sp('send-proxy send-proxy-v2'), [2, true]);
  assert.deepEqual(await sp('send-proxy send-proxy-v2 no-send-proxy-v2'), [1, true]);
  assert.deepEqual(await sp('send-proxy no-send-proxy'), [0, false]);
  assert.deepEqual(await sp('send-proxy port 81'), [1, false]);
  assert.deepEqual(await sp('send-proxy addr 10.0.0.2'), [1, false]);
  assert.deepEqual(await sp('send-proxy port 81 check-send-proxy'), [1, true]);
  assert.deepEqual(await sp('check-send-proxy'), [0, true]);
  assert.deepEqual(await sp('check-send-proxy no-check-send-proxy'), [0, false]);
  const c = await ok(cfg('defaults', '    default-server send-proxy-v2', 'backend b', '    server s1 10.0.0.1:80', '    server s2 10.0.0.1:80 no-send-proxy-v2'));
  assert.deepEqual(c.backends[0].servers.map((s) => s.sendProxy), [2, 0]);
});

test('bind accept-proxy is a flag and combines with name', async () => {
  const c = await ok(cfg('frontend f', '    bind 127.0.0.1:8080,127.0.0.1:8081 accept-proxy name x', '    bind 127.0.0.1:8082 name y', '    default_backend b', 'backend b'));
  assert.deepEqual(c.frontends[0].binds.map((b) => [b.port, b.acceptProxy, b.name]), [[8080, true, 'x'], [8081, true, 'x'], [8082, false, 'y']]);
  const r = await load(cfg('frontend f', '    bind :8080 accept-netscaler-cip 1', 'backend b'));
  assert.match(messages(r).join('\n'), /'accept-netscaler-cip' is not supported by lbd/);
});

test('enabled, no-check and no-backup undo earlier options', async () => {
  const s = await server('server s1 10.0.0.1:80 disabled enabled check no-check backup no-backup');
  assert.deepEqual([s.disabled, s.check, s.backup], [false, false, false]);
});

test('track with and without a backend', async () => {
  const c = await ok(cfg('backend b', '    server s1 10.0.0.1:80 check', '    server s2 10.0.0.2:80 track s1', '    server s3 10.0.0.3:80 track b/s1'));
  assert.deepEqual(c.backends[0].servers.map((s) => s.track), [null, { backend: 'b', server: 's1' }, { backend: 'b', server: 's1' }]);
});

test('server address forms', async () => {
  const c = await ok(
    cfg(
      'backend b',
      '    server a 10.0.0.1',
      '    server b 10.0.0.1:8080',
      '    server c [fd00::2]:443',
      '    server d [fd00::3]',
      '    server e app.test:80',
      '    server f app.test',
      '    server g ipv6@app6.test:80',
      '    server h ipv4@10.0.0.4:81',
      '    server i ipv6@[::1]:82',
    ),
  );
  assert.deepEqual(
    c.backends[0].servers.map((s) => [s.name, s.host, s.address, s.port]),
    [
      ['a', '10.0.0.1', '10.0.0.1', null],
      ['b', '10.0.0.1', '10.0.0.1', 8080],
      ['c', 'fd00::2', 'fd00::2', 443],
      ['d', 'fd00::3', 'fd00::3', null],
      ['e', 'app.test', '10.1.1.1', 80],
      ['f', 'app.test', '10.1.1.1', null],
      ['g', 'app6.test', 'fd00::1', 80],
      ['h', '10.0.0.4', '10.0.0.4', 81],
      ['i', '::1', '::1', 82],
    ],
  );
});

test('IP literals are never looked up; one lookup per host and family', async () => {
  const lookups: string[] = [];
  const r = await load(cfg('backend b', '    server a 10.0.0.1:80', '    server b app.test:80', '    server c app.test:81', '    server d ipv6@app6.test:80', '    server e [::1]:80'), lookups);
  assert.deepEqual(messages(r), []);
  assert.deepEqual(lookups.sort(), ['app.test/any', 'app6.test/ipv6']);
});

test('init-addr: last is skipped, libc looks up, none leaves no address, an IP literal is used', async () => {
  const c = await ok(
    cfg(
      'backend b',
      '    server a app.test:80 init-addr last,libc',
      '    server b nowhere.test:80 init-addr last,libc,none',
      '    server c nowhere.test:80 init-addr libc,192.0.2.7',
      '    server d app.test:80 init-addr none',
      '    server e app.test:80 init-addr 192.0.2.8,libc',
    ),
  );
  assert.deepEqual(c.backends[0].servers.map((s) => s.address), ['10.1.1.1', null, '192.0.2.7', null, '192.0.2.8']);
});

test('an unresolvable address is an error at the server line; so is one whose methods all fail', async () => {
  const r = await load(cfg('backend b', '    server a 10.0.0.1:80', '    server s1 nowhere.test:80', '    server s2 nowhere.test:80 init-addr last', '    server s3 app.test:80 addr checker.test', '    server s4 app.test:80 addr nochecker.test'));
  assert.equal(r.config, null);
  assert.deepEqual(messages(r), [
    "lbd.cfg:3: 'server s1': could not resolve address 'nowhere.test'",
    "lbd.cfg:4: 'server s2': could not resolve address 'nowhere.test'",
    "lbd.cfg:6: 'server s4': could not resolve check address 'nochecker.test'",
  ]);
});

test('a check address given as a host name is resolved', async () => {
  assert.equal((await server('server s1 app.test:80 addr checker.test')).checkAddr, '10.9.9.9');
});

test('a throwing resolver counts as a failed lookup', async () => {
  const r = await parseConfigText(cfg('backend b', '    server s1 boom.test:80'), 'lbd.cfg', {
    resolveHost: async () => {
      throw new Error('boom');
    },
  });
  assert.deepEqual(messages(r), ["lbd.cfg:2: 'server s1': could not resolve address 'boom.test'"]);
});

test('default-server applies to the servers after it, in its section; server options override it', async () => {
  const c = await ok(
    cfg(
      'backend b',
      '    server s0 10.0.0.1:80',
      '    default-server check inter 3s rise 5 weight 10 init-addr none',
      '    server s1 10.0.0.1:80',
      '    server s2 10.0.0.1:80 weight 20 no-check',
      '    default-server fall 7',
      '    server s3 10.0.0.1:80',
      'backend c',
      '    server s1 10.0.0.1:80',
    ),
  );
  const pick = (s: ServerConfig) => [s.name, s.check, s.inter, s.rise, s.fall, s.weight, s.initAddr.join(',')];
  assert.deepEqual(c.backends[0].servers.map(pick), [
    ['s0', false, 2000, 2, 3, 1, 'last,libc'],
    ['s1', true, 3000, 5, 3, 10, 'none'],
    ['s2', false, 3000, 5, 3, 20, 'none'],
    ['s3', true, 3000, 5, 7, 10, 'none'],
  ]);
  assert.deepEqual(c.backends[1].servers.map(pick), [['s1', false, 2000, 2, 3, 1, 'last,libc']]);
});

test('server ids number from 1 per backend; explicit ids are kept and skipped', async () => {
  const c = await ok(cfg('backend b', '    server a 10.0.0.1:80', '    server b 10.0.0.1:80 id 2', '    server c 10.0.0.1:80', '    server d 10.0.0.1:80 id 10', 'backend c', '    server a 10.0.0.1:80'));
  assert.deepEqual(c.backends[0].servers.map((s) => s.id), [1, 2, 3, 10]);
  assert.deepEqual(c.backends[1].servers.map((s) => s.id), [1]);
});

test('server errors, each at its line, all reported', async () => {
  const r = await load(
    cfg(
      'backend b',
      '    server',
      '    server s1',
      '    server s/1 10.0.0.1:80',
      '    server s2 10.0.0.1:80 chek',
      '    server s3 10.0.0.1:80 inter',
      '    server s4 10.0.0.1:80 inter 0 fastinter x downinter -1',
      '    server s5 10.0.0.1:80 rise 0 fall 0',
      '    server s6 10.0.0.1:80 weight 257',
      '    server s7 10.0.0.1:80 observe layer5 on-error panic',
      '    server s8 10.0.0.1:80 on-marked-down drop on-marked-up drop',
      '    server s9 10.0.0.1:80 init-addr libc,dns',
      '    server s10 10.0.0.1:80 error-limit 0 maxconn -2 maxqueue x slowstart 1.5s',
      '    server s11 10.0.0.1:80 port 0',
      '    server s12 10.0.0.1:80 track a/b/c',
      '    server s13 10.0.0.1:80 addr 10.0.0.2:80',
      '    server s14 10.0.0.1:80 id 0',
      '    server s15 10.0.0.1:80-90',
      '    server s16 ::1',
      '    server s17 10.0.0.1:+1',
      '    server s18 unix@/tmp/x.sock',
      '    server s19 *:80',
      '    server s20 10.0.0.1:80 npn http/1.1',
      '    server s21 10.0.0.1:80 chekc inter 2s fal 3',
      '    default-server id 3 track s1 wieght 2',
      '    server s22 10.0.0.1:80 id 5',
      '    server s23 10.0.0.1:80 id 5',
    ),
  );
  assert.equal(r.config, null);
  assert.deepEqual(messages(r), [
    "lbd.cfg:2: 'server': expects <name> and <address>[:<port>] as arguments",
    "lbd.cfg:3: 'server': expects <name> and <address>[:<port>] as arguments",
    "lbd.cfg:4: 'server': character '/' is not permitted in server name 's/1'",
    "lbd.cfg:5: 'server s2': unknown option 'chek'; did you mean 'check'?",
    "lbd.cfg:6: 'server s3': option 'inter' expects <duration>",
    "lbd.cfg:7: 'server s4': option 'inter': expected a positive delay, got '0'",
    "lbd.cfg:7: 'server s4': option 'fastinter': expected a duration such as '500ms', '2s' or '1m' (units: us, ms, s, m, h, d; default ms), got 'x'",
    "lbd.cfg:7: 'server s4': option 'downinter': expected a duration such as '500ms', '2s' or '1m' (units: us, ms, s, m, h, d; default ms), got '-1'",
    "lbd.cfg:8: 'server s5': option 'rise': expected an integer of at least 1, got '0'",
    "lbd.cfg:8: 'server s5': option 'fall': expected an integer of at least 1, got '0'",
    "lbd.cfg:9: 'server s6': option 'weight': expected an integer between 0 and 256, got '257'",
    "lbd.cfg:10: 'server s7': option 'observe': expected one of layer4, layer7, got 'layer5'",
    "lbd.cfg:10: 'server s7': option 'on-error': expected one of fastinter, fail-check, sudden-death, mark-down, got 'panic'",
    "lbd.cfg:11: 'server s8': option 'on-marked-down': expected one of shutdown-sessions, got 'drop'",
    "lbd.cfg:11: 'server s8': option 'on-marked-up': expected one of shutdown-backup-sessions, got 'drop'",
    "lbd.cfg:12: 'server s9': option 'init-addr': expected a comma-separated list of last, libc, none or IP addresses, got 'dns'",
    "lbd.cfg:13: 'server s10': option 'error-limit': expected an integer of at least 1, got '0'",
    "lbd.cfg:13: 'server s10': option 'maxconn': expected an integer of at least 0, got '-2'",
    "lbd.cfg:13: 'server s10': option 'maxqueue': expected an integer, got 'x'",
    "lbd.cfg:13: 'server s10': option 'slowstart': expected a duration such as '500ms', '2s' or '1m' (units: us, ms, s, m, h, d; default ms), got '1.5s'",
    "lbd.cfg:14: 'server s11': option 'port': expected a TCP port between 1 and 65535, got '0'",
    "lbd.cfg:15: 'server s12': option 'track': expected [<backend>/]<server>, got 'a/b/c'",
    "lbd.cfg:16: 'server s13': option 'addr': expected an address without a port (use 'port' for the check port), got '10.0.0.2:80'",
    "lbd.cfg:17: 'server s14': option 'id': expected an integer between 1 and 2147483647, got '0'",
    "lbd.cfg:18: 'server s15': port ranges are not supported ('10.0.0.1:80-90')",
    "lbd.cfg:19: 'server s16': invalid address '::1' (write IPv6 addresses in brackets, e.g. '[::1]:80')",
    "lbd.cfg:20: 'server s17': port offsets are not supported ('10.0.0.1:+1')",
    "lbd.cfg:21: 'server s18': UNIX sockets ('unix@') are not supported by lbd",
    "lbd.cfg:22: 'server s19': missing host in server address '*:80'",
    "lbd.cfg:23: 'server s20': option 'npn' is not supported by lbd",
    "lbd.cfg:24: 'server s21': unknown option 'chekc'; did you mean 'check'?",
    "lbd.cfg:24: 'server s21': unknown option 'fal'; did you mean 'fall'?",
    "lbd.cfg:25: 'default-server': option 'id' is not supported on default-server lines",
    "lbd.cfg:25: 'default-server': option 'track' is not supported on default-server lines",
    "lbd.cfg:25: 'default-server': unknown option 'wieght'; did you mean 'weight'?",
    "lbd.cfg:27: server id 5 is already used by server 's22'",
  ]);
});
