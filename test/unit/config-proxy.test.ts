import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseConfigText, formatDiagnostic, type LoadResult } from '../../daemon/config/index.js';
import type { Config } from '../../daemon/config/types.js';

const cfg = (...lines: string[]): string => lines.join('\n') + '\n';
const DNS: Record<string, string> = { 'localhost.test': '127.0.0.1', 'v6.test': '::1' };
const load = (text: string): Promise<LoadResult> => parseConfigText(text, 'lbd.cfg', { env: { PORT: '8443' }, resolveHost: async (h) => DNS[h] ?? null });
const messages = (r: LoadResult): string[] => r.diagnostics.map(formatDiagnostic);
async function ok(text: string): Promise<Config> {
  const r = await load(text);
  assert.deepEqual(messages(r).filter((m) => !m.includes('warning:')), []);
  assert.ok(r.config);
  return r.config;
}
const B = ['backend b', '    server s1 127.0.0.1:80'];

test('frontend defaults: mode tcp, no maxconn, no timeouts, enabled, not from a listen', async () => {
  const c = await ok(cfg('frontend f', '    bind :80', '    default_backend b', ...B));
  const f = c.frontends[0];
  assert.equal(f.mode, 'tcp');
  assert.equal(f.maxconn, 0);
  assert.equal(f.disabled, false);
  assert.equal(f.fromListen, false);
  assert.deepEqual(f.useBackends, []);
  assert.deepEqual(f.where, { file: 'lbd.cfg', line: 1 });
  assert.ok(Object.values(f.timeouts).every((v) => v === null));
});

test('bind address forms', async () => {
  const c = await ok(
    cfg(
      'frontend f',
      '    bind *:80',
      '    bind :81',
      '    bind 127.0.0.1:82',
      '    bind [::1]:83',
      '    bind ipv4@:84',
      '    bind ipv6@:85',
      '    bind ipv6@[::1]:86 name v6',
      '    bind fd@3',
      '    bind :87,127.0.0.2:88 name pair',
      '    bind "*:${PORT}"',
      '    bind localhost.test:89',
      '    bind :::90',
      '    default_backend b',
      ...B,
    ),
  );
  const got = c.frontends[0].binds.map((b) => [b.text, b.host, b.port, b.family, b.fd, b.name, b.where.line]);
  assert.deepEqual(got, [
    ['*:80', '', 80, 'any', null, null, 2],
    [':81', '', 81, 'any', null, null, 3],
    ['127.0.0.1:82', '127.0.0.1', 82, 'ipv4', null, null, 4],
    ['[::1]:83', '::1', 83, 'ipv6', null, null, 5],
    ['ipv4@:84', '', 84, 'ipv4', null, null, 6],
    ['ipv6@:85', '', 85, 'ipv6', null, null, 7],
    ['ipv6@[::1]:86', '::1', 86, 'ipv6', null, 'v6', 8],
    ['fd@3', '', 0, 'any', 3, null, 9],
    [':87', '', 87, 'any', null, 'pair', 10],
    ['127.0.0.2:88', '127.0.0.2', 88, 'ipv4', null, 'pair', 10],
    ['*:8443', '', 8443, 'any', null, null, 11],
    ['localhost.test:89', '127.0.0.1', 89, 'any', null, null, 12],
    [':::90', '::', 90, 'ipv6', null, null, 13],
  ]);
});

test('bind errors', async () => {
  const r = await load(
    cfg(
      'frontend f',
      '    bind',
      '    bind 127.0.0.1',
      '    bind :80-90',
      '    bind :0',
      '    bind :80 npn h2',
      '    bind :81 nmae x',
      '    bind :82 name',
      '    bind unix@/tmp/s',
      '    bind ipv4@[::1]:83',
      '    bind ::1',
      '    bind fd@x',
      '    bind nowhere.test:84',
      '    default_backend b',
      ...B,
    ),
  );
  assert.equal(r.config, null);
  assert.deepEqual(messages(r), [
    "lbd.cfg:2: 'bind': expects <address>:<port>[,…] as its first argument",
    "lbd.cfg:3: 'bind': missing port in bind address '127.0.0.1'",
    "lbd.cfg:4: 'bind': port ranges are not supported (':80-90')",
    "lbd.cfg:5: 'bind': invalid port '0' in ':0' (expected 1..65535)",
    "lbd.cfg:6: 'bind': option 'npn' is not supported by lbd",
    "lbd.cfg:7: 'bind': option 'nmae' is unknown; did you mean 'name'?",
    "lbd.cfg:8: 'bind': option 'name' expects <name>",
    "lbd.cfg:9: 'bind': UNIX sockets ('unix@') are not supported by lbd",
    "lbd.cfg:10: 'bind': '::1' is not an IPv4 address",
    "lbd.cfg:11: 'bind': invalid address '::1' (write IPv6 addresses in brackets, e.g. '[::1]:80')",
    "lbd.cfg:12: 'bind': invalid file descriptor in 'fd@x' (expected fd@<number>)",
    "lbd.cfg:13: 'bind': could not resolve address 'nowhere.test'",
  ]);
});

test('mode, maxconn, default_backend, use_backend, description, id, disabled', async () => {
  const c = await ok(
    cfg(
      'frontend f',
      '    mode http',
      '    bind :80',
      '    maxconn 2000',
      '    description the "public" side',
      '    id 42',
      '    disabled',
      '    use_backend b2',
      '    use_backend b',
      '    default_backend b',
      'backend b',
      '    mode http',
      '    description "backend one"',
      '    server s1 127.0.0.1:80',
      'backend b2',
      '    mode http',
      '    disabled',
    ),
  );
  const f = c.frontends[0];
  assert.equal(f.mode, 'http');
  assert.equal(f.maxconn, 2000);
  assert.equal(f.description, 'the public side');
  assert.equal(f.id, 42);
  assert.equal(f.disabled, true);
  assert.deepEqual(f.useBackends, [
    { backend: 'b2', cond: null, where: { file: 'lbd.cfg', line: 8 } },
    { backend: 'b', cond: null, where: { file: 'lbd.cfg', line: 9 } },
  ]);
  assert.equal(f.defaultBackend, 'b');
  assert.equal(c.backends[0].description, 'backend one');
  assert.equal(c.backends[0].disabled, false);
  assert.equal(c.backends[1].disabled, true);
  // explicit id 42 is taken; the others number from 2 in file order (HAProxy's internal stats frontend is 1)
  assert.deepEqual([c.backends[0].id, c.backends[1].id], [2, 3]);
});

test('enabled undoes disabled inherited from defaults', async () => {
  const c = await ok(cfg('defaults', '    disabled', 'backend a', 'backend b', '    enabled'));
  assert.deepEqual(c.backends.map((b) => b.disabled), [true, false]);
});

test('every timeout, in ms; 0 means no timeout', async () => {
  const c = await ok(
    cfg(
      'listen l',
      '    bind :80',
      '    timeout connect 5s',
      '    timeout client 1m',
      '    timeout server 90000',
      '    timeout check 2500ms',
      '    timeout queue 3s',
      '    timeout tunnel 1h',
      '    timeout client-fin 1s',
      '    timeout server-fin 2s',
      '    timeout http-request 10s',
      '    timeout http-keep-alive 0',
      '    server s1 127.0.0.1:80',
    ),
  );
  const expected = { connect: 5000, client: 60000, server: 90000, check: 2500, queue: 3000, tunnel: 3_600_000, clientFin: 1000, serverFin: 2000, httpRequest: 10000, httpKeepAlive: null };
  assert.deepEqual(c.frontends[0].timeouts, expected);
  assert.deepEqual(c.backends[0].timeouts, expected);
});

test('a timeout for the other side of a pure frontend or backend is ignored with a warning', async () => {
  const r = await load(cfg('frontend f', '    bind :80', '    default_backend b', '    timeout server 5s', '    timeout client 5s', 'backend b', '    timeout client 7s', '    timeout server 7s', '    server s1 127.0.0.1:80'));
  assert.deepEqual(messages(r), [
    "lbd.cfg:4: warning: 'timeout server': ignored in frontend 'f': it applies to the backend side",
    "lbd.cfg:7: warning: 'timeout client': ignored in backend 'b': it applies to the frontend side",
  ]);
  assert.equal(r.config!.frontends[0].timeouts.server, null);
  assert.equal(r.config!.frontends[0].timeouts.client, 5000);
  assert.equal(r.config!.backends[0].timeouts.client, null);
  assert.equal(r.config!.backends[0].timeouts.server, 7000);
});

test('timeout errors and the removed contimeout/clitimeout/srvtimeout', async () => {
  const r = await load(cfg('defaults', '    timeout', '    timeout conect 5s', '    timeout connect', '    timeout connect 5 s', '    contimeout 5000', '    clitimeout 5000', '    srvtimeout 5000', ...B));
  assert.deepEqual(messages(r), [
    "lbd.cfg:2: 'timeout': expects timeout (one of connect, client, server, check, queue, tunnel, client-fin, server-fin, http-request, http-keep-alive)",
    "lbd.cfg:3: 'timeout': unknown timeout 'conect'; did you mean 'connect'?",
    "lbd.cfg:4: 'timeout connect': expects a duration such as 5s (units us, ms, s, m, h, d; default ms)",
    "lbd.cfg:5: 'timeout connect': unexpected argument 's' (expects a duration such as 5s (units us, ms, s, m, h, d; default ms))",
    "lbd.cfg:6: 'contimeout' is no longer supported (removed in HAProxy 2.1); use 'timeout connect' instead",
    "lbd.cfg:7: 'clitimeout' is no longer supported (removed in HAProxy 2.1); use 'timeout client' instead",
    "lbd.cfg:8: 'srvtimeout' is no longer supported (removed in HAProxy 2.1); use 'timeout server' instead",
  ]);
});

test('backend defaults: roundrobin, 2 draws, map-based, retries 3, no redispatch, plain tcp checks', async () => {
  const c = await ok(cfg(...B));
  const b = c.backends[0];
  assert.deepEqual(b.balance, { algorithm: 'roundrobin', draws: 2, hashType: 'map-based', key: null });
  assert.equal(b.retries, 3);
  assert.equal(b.redispatch, false);
  assert.equal(b.mode, 'tcp');
  assert.equal(b.fromListen, false);
  assert.deepEqual(b.healthCheck, {
    type: 'tcp',
    http: { method: 'OPTIONS', uri: '/', version: 'HTTP/1.0', headers: [], body: '' },
    expect: [],
    disableOn404: false,
    tcpCheck: [],
    logHealthChecks: false,
  });
});

test('balance algorithms, random draws and hash-type', async () => {
  const algo = async (line: string, extra: string[] = []) => (await ok(cfg('backend b', `    ${line}`, ...extra))).backends[0].balance;
  assert.deepEqual(await algo('balance roundrobin'), { algorithm: 'roundrobin', draws: 2, hashType: 'map-based', key: null });
  assert.deepEqual(await algo('balance static-rr'), { algorithm: 'static-rr', draws: 2, hashType: 'map-based', key: null });
  assert.deepEqual(await algo('balance leastconn'), { algorithm: 'leastconn', draws: 2, hashType: 'map-based', key: null });
  assert.deepEqual(await algo('balance first'), { algorithm: 'first', draws: 2, hashType: 'map-based', key: null });
  assert.deepEqual(await algo('balance source', ['    hash-type consistent']), { algorithm: 'source', draws: 2, hashType: 'consistent', key: null });
  assert.deepEqual(await algo('balance random'), { algorithm: 'random', draws: 2, hashType: 'map-based', key: null });
  assert.deepEqual(await algo('balance random(5)'), { algorithm: 'random', draws: 5, hashType: 'map-based', key: null });
  assert.deepEqual(await algo('hash-type map-based sdbm'), { algorithm: 'roundrobin', draws: 2, hashType: 'map-based', key: null });
});

test('balance and hash-type errors', async () => {
  const r = await load(cfg('backend b', '    balance', '    balance rr', '    balance rdp-cookie', '    balance random(x)', '    balance random(0)', '    hash-type', '    hash-type consistant', '    hash-type consistent md5', '    hash-type consistent sdbm avalanche', '    hash-type consistent djb2'));
  assert.deepEqual(messages(r), [
    "lbd.cfg:2: 'balance': expects an algorithm (roundrobin, static-rr, leastconn, first, source, random, uri, url_param, hdr)",
    "lbd.cfg:3: 'balance': unknown algorithm 'rr' (expected roundrobin, static-rr, leastconn, first, source, random, uri, url_param, hdr)",
    "lbd.cfg:4: 'balance': algorithm 'rdp-cookie' is not supported by lbd (supported: roundrobin, static-rr, leastconn, first, source, random, uri, url_param, hdr)",
    "lbd.cfg:5: 'balance': expected an integer, got 'x'",
    "lbd.cfg:6: 'balance': expected an integer between 1 and 1000, got '0'",
    "lbd.cfg:7: 'hash-type': expects map-based or consistent",
    "lbd.cfg:8: 'hash-type': unknown hash type 'consistant' (expected map-based, consistent); did you mean 'consistent'?",
    "lbd.cfg:9: 'hash-type': unknown hash function 'md5' (expected sdbm, djb2, wt6, crc32)",
    "lbd.cfg:10: 'hash-type': unexpected argument 'avalanche' (hash modifiers are not supported)",
    "lbd.cfg:11: warning: 'hash-type': hash function 'djb2' is ignored; lbd always hashes with sdbm",
  ]);
});

test('retries, option redispatch and no option redispatch', async () => {
  const c = await ok(cfg('defaults', '    retries 5', '    option redispatch', 'backend a', 'backend b', '    no option redispatch', '    retries 0'));
  assert.deepEqual(c.backends.map((b) => [b.retries, b.redispatch]), [[5, true], [0, false]]);
});

test('log options are accepted without warnings; log-health-checks is kept', async () => {
  const r = await load(cfg('defaults', '    log global', '    option tcplog', '    option httplog', '    option dontlognull', '    no option dontlognull', '    option log-health-checks', '    no log', ...B));
  assert.deepEqual(messages(r), []);
  assert.equal(r.config!.backends[0].healthCheck.logHealthChecks, true);
});

test('listen is one frontend and one backend with the same name and id, sending to itself', async () => {
  const c = await ok(cfg('frontend f', '    bind :80', '    default_backend l', 'listen l', '    mode http', '    bind :81', '    balance leastconn', '    server s1 127.0.0.1:80', 'backend b', '    server s1 127.0.0.1:80'));
  assert.deepEqual(c.frontends.map((f) => [f.name, f.id, f.fromListen, f.defaultBackend, f.mode]), [
    ['f', 2, false, 'l', 'tcp'],
    ['l', 3, true, 'l', 'http'],
  ]);
  assert.deepEqual(c.backends.map((b) => [b.name, b.id, b.fromListen, b.balance.algorithm, b.servers.length]), [
    ['l', 3, true, 'leastconn', 1],
    ['b', 4, false, 'roundrobin', 1],
  ]);
  assert.deepEqual(c.frontends[1].where, c.backends[0].where);
});

test('a listen with its own default_backend uses it', async () => {
  const c = await ok(cfg('listen l', '    bind :80', '    default_backend b', ...B));
  assert.equal(c.frontends[0].defaultBackend, 'b');
});

test('proxy ids: explicit ids are kept, others take the lowest free number from 2 in file order', async () => {
  const c = await ok(cfg('frontend f', '    bind :80', '    default_backend b', 'backend a', '    id 2', 'backend b', 'backend c', '    id 4', 'backend d'));
  assert.deepEqual(c.frontends.map((f) => f.id), [3]);
  assert.deepEqual(c.backends.map((b) => [b.name, b.id]), [['a', 2], ['b', 5], ['c', 4], ['d', 6]]);
});

test('proxy keyword errors', async () => {
  const r = await load(
    cfg(
      'frontend f',
      '    bind :80',
      '    mode',
      '    mode health',
      '    maxconn -1',
      '    default_backend',
      '    default_backend b extra',
      '    use_backend b if { src 10.0.0.0/8 }',
      '    use_backend b unless x',
      '    use_backend %[req.hdr(host)]',
      '    use_backend',
      '    server s1 127.0.0.1:80',
      '    default-server check',
      '    balance roundrobin',
      '    id 0',
      '    disabled now',
      '    option',
      '    option forwardfor',
      '    option redispatch',
      '    no option httpchk',
      '    no balance',
      '    acl is_api path_beg /api',
      '    daemon',
      'backend b',
      '    bind :81',
      '    use_backend c',
      '    default_backend c',
      '    maxconn 10',
      '    description',
      '    server s1 127.0.0.1:80',
      'defaults',
      '    server s1 127.0.0.1:80',
      '    bind :82',
      '    description x',
      '    id 4',
    ),
  );
  assert.equal(r.config, null);
  assert.deepEqual(messages(r), [
    "lbd.cfg:3: 'mode': expects tcp or http",
    "lbd.cfg:4: 'mode': unknown mode 'health' (expected tcp, http)",
    "lbd.cfg:5: 'maxconn': expected an integer of at least 0, got '-1'",
    "lbd.cfg:6: 'default_backend': expects a backend name",
    "lbd.cfg:7: 'default_backend': unexpected argument 'extra' (expects a backend name)",
    "lbd.cfg:9: 'use_backend': no such ACL: 'x' (ACLs must be declared before the line that uses them)",
    "lbd.cfg:10: 'use_backend': dynamic backend names ('%[req.hdr(host)]') are not supported by lbd",
    "lbd.cfg:11: 'use_backend': expects a backend name",
    "lbd.cfg:12: 'server' is not allowed in a frontend section (only in backend, listen)",
    "lbd.cfg:13: 'default-server' is not allowed in a frontend section (only in defaults, backend, listen)",
    "lbd.cfg:14: 'balance' is not allowed in a frontend section (only in defaults, backend, listen)",
    "lbd.cfg:15: 'id': expected an integer between 1 and 2147483647, got '0'",
    "lbd.cfg:16: 'disabled': unexpected argument 'now' (expects no argument)",
    "lbd.cfg:17: 'option': expects an option name (one of redispatch, httpchk, tcp-check, log-health-checks, forwardfor, http-keep-alive, http-server-close, httpclose, tcplog, httplog, dontlognull)",
    "lbd.cfg:18: warning: 'option forwardfor' ignored for frontend 'f' as it requires HTTP mode",
    "lbd.cfg:19: 'option redispatch' is not allowed in a frontend section (only in defaults, backend, listen)",
    "lbd.cfg:20: 'option httpchk' is not allowed in a frontend section (only in defaults, backend, listen)",
    "lbd.cfg:21: 'no': only 'no option <name>' and 'no log' are supported",
    "lbd.cfg:23: 'daemon' is not allowed in a frontend section (only in global)",
    "lbd.cfg:25: 'bind' is not allowed in a backend section (only in frontend, listen)",
    "lbd.cfg:26: 'use_backend' is not allowed in a backend section (only in frontend, listen)",
    "lbd.cfg:27: 'default_backend' is not allowed in a backend section (only in defaults, frontend, listen)",
    "lbd.cfg:28: 'maxconn' is not allowed in a backend section (only in defaults, frontend, listen)",
    "lbd.cfg:29: 'description': expects a text",
    "lbd.cfg:32: 'server' is not allowed in a defaults section (only in backend, listen)",
    "lbd.cfg:33: 'bind' is not allowed in a defaults section (only in frontend, listen)",
    "lbd.cfg:34: 'description' is not allowed in a defaults section (only in frontend, backend, listen)",
    "lbd.cfg:35: 'id' is not allowed in a defaults section (only in frontend, backend, listen)",
  ]);
});

test('HAProxy proxy keywords lbd lacks say so; negating an option that cannot be negated is an error', async () => {
  const r = await load(cfg('backend b', '    stats enable', '    http-error status 400', '    no option httpchk', '    no option tcp-check', '    option redispatch 3'));
  assert.deepEqual(messages(r), [
    "lbd.cfg:2: 'stats' is not supported by lbd",
    "lbd.cfg:3: 'http-error' is not supported by lbd",
    "lbd.cfg:4: 'no option': 'no option httpchk' is not supported",
    "lbd.cfg:5: 'no option': 'no option tcp-check' is not supported",
    "lbd.cfg:6: 'option redispatch': unexpected argument '3' (expects no argument)",
  ]);
});
