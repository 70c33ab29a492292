import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { ROOT } from '../helpers/lbd-process.js';
import { cfg, httpFrontend, load, messages, ok } from './acl-helpers.js';

const F = join(ROOT, 'test/fixtures/configs/http');
const httpBackend = (...lines: string[]): string => cfg('backend b', '    mode http', ...lines, '    server s1 127.0.0.1:80');

test('HTTP defaults of a frontend and a backend', async () => {
  const c = await ok(httpFrontend());
  const { requestRules, responseRules, ...fe } = c.frontends[0].http!;
  assert.deepEqual([requestRules, responseRules], [[], []]);
  assert.deepEqual(fe, { monitorUri: null, forwardFor: null, connectionMode: 'keep-alive', errorFiles: [], log: { targets: [], style: null, format: null, dontlognull: false } });
  const { requestRules: rq, responseRules: rs, ...be } = c.backends[0].http!;
  assert.deepEqual([rq, rs], [[], []]);
  assert.deepEqual(be, { forwardFor: null, connectionMode: 'keep-alive', errorFiles: [], cookie: null, retryOn: ['conn-failure'], httpReuse: 'safe', logTargets: [] });
  assert.deepEqual(c.global.tune, { bufsize: 16384, httpMaxhdr: 101 });
  assert.deepEqual(c.userlists, []);
  assert.equal(c.backends[0].servers[0].cookie, null);
});

test('option forwardfor [except] [header] [if-none]; no option forwardfor undoes one from defaults', async () => {
  const c = await ok(
    cfg('defaults', '    mode http', '    option forwardfor', ...httpFrontend('    option forwardfor except 127.0.0.0/8 header X-Client if-none').split('\n'), 'backend c', '    mode http', '    no option forwardfor', '    server s1 127.0.0.1:81'),
  );
  const ff = c.frontends[0].http!.forwardFor!;
  assert.deepEqual([ff.header, ff.except, ff.ifNone, ff.where.line], ['X-Client', '127.0.0.0/8', true, 7]);
  assert.deepEqual([ff.excepted('127.0.0.1'), ff.excepted('::ffff:127.1.2.3'), ff.excepted('10.0.0.1')], [true, true, false]);
  const inherited = c.backends.find((b) => b.name === 'b')!.http!.forwardFor!;
  assert.deepEqual([inherited.header, inherited.except, inherited.ifNone, inherited.excepted('127.0.0.1')], ['X-Forwarded-For', null, false, false]);
  assert.equal(c.backends.find((b) => b.name === 'c')!.http!.forwardFor, null);
  const r = await load(httpFrontend('    option forwardfor except', '    option forwardfor foo', '    option forwardfor except 1.2.3.999', '    option forwardfor header'));
  assert.deepEqual(messages(r), [
    "lbd.cfg:4: 'option forwardfor': 'except' expects <address>[/mask]",
    "lbd.cfg:5: 'option forwardfor': only supports optional values: 'except', 'header' and 'if-none' (got 'foo')",
    "lbd.cfg:6: 'option forwardfor': 'except' expects <address>[/mask], got '1.2.3.999'",
    "lbd.cfg:7: 'option forwardfor': 'header' expects a header name",
  ]);
});

test('connection modes: http-keep-alive, http-server-close, httpclose; the last one wins; no option returns to keep-alive', async () => {
  const mode = async (...lines: string[]) => (await ok(httpFrontend(...lines))).frontends[0].http!.connectionMode;
  assert.equal(await mode('    option http-server-close'), 'server-close');
  assert.equal(await mode('    option httpclose'), 'close');
  assert.equal(await mode('    option httpclose', '    option http-keep-alive'), 'keep-alive');
  assert.equal(await mode('    option http-server-close', '    no option http-server-close'), 'keep-alive');
  const r = await load(httpFrontend('    option httpclose now'));
  assert.deepEqual(messages(r), ["lbd.cfg:4: 'option httpclose': unexpected argument 'now' (expects no argument)"]);
});

test('errorfile: read and checked at load, a later line replaces an earlier one, defaults are inherited', async () => {
  const c = await ok(cfg('defaults', '    mode http', `    errorfile 503 ${F}/empty.http`, ...httpFrontend(`    errorfile 503 ${F}/503.http`, `    errorfile 200 ${F}/200-lf.http`).split('\n')));
  const e = c.frontends[0].http!.errorFiles;
  assert.deepEqual(e.map((x) => [x.status, x.path, x.where.line, x.parsed?.status, x.parsed?.headers.length]), [
    [503, `${F}/503.http`, 7, 503, 3],
    [200, `${F}/200-lf.http`, 8, 200, 2],
  ]);
  assert.equal(e[1].parsed?.body, 'ok\n');
  assert.ok(e[0].raw.startsWith('HTTP/1.0 503 Service Unavailable\r\n'));
  const be = c.backends[0].http!.errorFiles;
  assert.deepEqual(be.map((x) => [x.status, x.parsed]), [[503, null]], 'an empty file is allowed: nothing is sent');
  const r = await load(httpFrontend('    errorfile 503 /nonexistent', `    errorfile 503 ${F}/garbage.http`, `    errorfile 999 ${F}/503.http`, `    errorfile 302 ${F}/503.http`, `    errorfile 503 ${F}/cl-mismatch.http`, '    errorfile 503'));
  assert.deepEqual(messages(r), [
    "lbd.cfg:4: 'errorfile': error opening file '/nonexistent' (no such file)",
    `lbd.cfg:5: 'errorfile': '${F}/garbage.http': unable to parse headers (expected a status line such as 'HTTP/1.0 503 Service Unavailable', headers and an empty line)`,
    "lbd.cfg:6: 'errorfile': status code '999' not handled (expected one of 200, 400, 401, 403, 404, 405, 407, 408, 410, 413, 425, 429, 500, 501, 502, 503, 504)",
    "lbd.cfg:7: 'errorfile': status code '302' not handled (expected one of 200, 400, 401, 403, 404, 405, 407, 408, 410, 413, 425, 429, 500, 501, 502, 503, 504)",
    `lbd.cfg:8: 'errorfile': '${F}/cl-mismatch.http': payload size does not match the announced content-length (4 != 2)`,
    "lbd.cfg:9: 'errorfile': expects <status_code> and <file>",
  ]);
});

test('cookie persistence and server cookie values', async () => {
  const c = await ok(
    cfg(
      'frontend f',
      '    mode http',
      '    bind :8080',
      '    default_backend b',
      'backend b',
      '    mode http',
      '    cookie SRV insert indirect nocache httponly secure domain .a.example domain b.example maxidle 30m maxlife 1h postonly preserve attr SameSite=Lax',
      '    server s1 127.0.0.1:80 cookie s1',
      '    server s2 127.0.0.1:81 cookie s2',
      '    server s3 127.0.0.1:82',
    ),
  );
  const b = c.backends[0];
  const { where, ...ck } = b.http!.cookie!;
  assert.deepEqual(ck, { name: 'SRV', mode: 'insert', indirect: true, nocache: true, postonly: true, preserve: true, httponly: true, secure: true, domains: ['.a.example', 'b.example'], maxidle: 1800, maxlife: 3600, attrs: ['SameSite=Lax'] });
  assert.equal(where.line, 7);
  assert.deepEqual(b.servers.map((s) => s.cookie), ['s1', 's2', null]);
  const mode = async (line: string) => (await ok(httpFrontend() + httpBackend(line).replace('backend b', 'backend b2'))).backends[1].http!.cookie?.mode;
  assert.equal(await mode('    cookie JSESSIONID prefix'), 'prefix');
  assert.equal(await mode('    cookie S rewrite'), 'rewrite');
  assert.equal(await mode('    cookie S'), 'passive');
  const r = await load(
    httpFrontend() +
      httpBackend('    cookie', '    cookie S insert rewrite', '    cookie S bogus', '    cookie S dynamic', '    cookie S insert maxidle x', '    cookie S rewrite preserve', '    cookie S domain', '    cookie S rewrite maxlife 10').replace('backend b', 'backend b2') +
      cfg('backend b3', '    mode http', '    server s1 127.0.0.1:80 cookie', '    server s2 127.0.0.1:80 cookie x'),
  );
  assert.deepEqual(messages(r), [
    "lbd.cfg:10: 'cookie': expects <cookie_name> as argument",
    "lbd.cfg:11: 'cookie': cookie 'rewrite', 'insert' and 'prefix' modes are incompatible",
    "lbd.cfg:12: 'cookie': unknown option 'bogus' (supported: rewrite, insert, prefix, indirect, nocache, postonly, preserve, httponly, secure, domain, maxidle, maxlife, attr, dynamic)",
    "lbd.cfg:13: 'cookie': 'dynamic' cookies are not supported by lbd",
    "lbd.cfg:14: 'cookie': 'maxidle' expects a delay in seconds (units s, m, h, d), got 'x'",
    "lbd.cfg:15: 'cookie': 'preserve' requires at least 'insert' or 'indirect'",
    "lbd.cfg:16: 'cookie': 'domain' expects a value",
    "lbd.cfg:17: warning: 'cookie': 'maxidle' and 'maxlife' only apply to insert mode cookies",
    "lbd.cfg:21: 'server s1': option 'cookie' expects <value>",
    "lbd.cfg:22: warning: 'server s2': its cookie value is not used: backend 'b3' has no 'cookie' line",
  ]);
});

test('retry-on and http-reuse', async () => {
  const be = async (...lines: string[]) => (await ok(httpFrontend() + httpBackend(...lines).replace('backend b', 'backend b2'))).backends[1].http!;
  assert.deepEqual((await be('    retry-on conn-failure 503 empty-response response-timeout 0rtt-rejected junk-response 401 403 404 408 425 500 501 502 504')).retryOn, [
    'conn-failure', 503, 'empty-response', 'response-timeout', '0rtt-rejected', 'junk-response', 401, 403, 404, 408, 425, 500, 501, 502, 504,
  ]);
  assert.deepEqual((await be('    retry-on all-retryable-errors')).retryOn, ['conn-failure', 'empty-response', 'junk-response', 'response-timeout', '0rtt-rejected', 500, 502, 503, 504]);
  assert.deepEqual((await be('    retry-on none')).retryOn, ['none']);
  assert.deepEqual((await be('    retry-on 503', '    retry-on 502')).retryOn, [502], 'a later line replaces the list');
  for (const m of ['never', 'safe', 'aggressive', 'always']) assert.equal((await be(`    http-reuse ${m}`)).httpReuse, m);
  const r = await load(httpFrontend() + httpBackend('    retry-on', '    retry-on 200', '    retry-on foo', '    retry-on none conn-failure', '    http-reuse sometimes', '    http-reuse').replace('backend b', 'backend b2'));
  assert.deepEqual(messages(r), [
    "lbd.cfg:10: 'retry-on': needs at least one keyword to specify when to retry",
    "lbd.cfg:11: 'retry-on': unknown keyword '200' (expected none, conn-failure, empty-response, junk-response, response-timeout, 0rtt-rejected, all-retryable-errors or one of the statuses 401, 403, 404, 408, 425, 500, 501, 502, 503, 504)",
    "lbd.cfg:12: 'retry-on': unknown keyword 'foo' (expected none, conn-failure, empty-response, junk-response, response-timeout, 0rtt-rejected, all-retryable-errors or one of the statuses 401, 403, 404, 408, 425, 500, 501, 502, 503, 504)",
    "lbd.cfg:13: 'retry-on': 'none' keyword only usable alone",
    "lbd.cfg:14: 'http-reuse': unknown http-reuse mode 'sometimes' (expected never, safe, aggressive, always)",
    "lbd.cfg:15: 'http-reuse': expects never, safe, aggressive or always",
  ]);
});

test('monitor-uri in frontends and defaults; ignored with a warning in backends and in mode tcp', async () => {
  const c = await ok(httpFrontend('    monitor-uri /haproxy_test'));
  assert.equal(c.frontends[0].http!.monitorUri, '/haproxy_test');
  const r = await load(httpFrontend('    monitor-uri') + httpBackend('    monitor-uri /x').replace('backend b', 'backend b2') + cfg('frontend t', '    bind :9000', '    monitor-uri /m', '    default_backend b'));
  assert.deepEqual(messages(r), [
    "lbd.cfg:4: 'monitor-uri': expects an URI",
    "lbd.cfg:11: warning: 'monitor-uri': ignored because backend 'b2' has no frontend capability",
    "lbd.cfg:13: warning: monitor-uri will be ignored for frontend 't' (needs 'mode http')",
  ]);
});

test('balance uri, url_param, hdr(<name>): keys in the model; errors; Layer 7 hash in mode tcp falls back with a warning', async () => {
  const bal = async (line: string) => (await ok(httpFrontend() + httpBackend(line).replace('backend b', 'backend b2'))).backends[1].balance;
  assert.deepEqual(await bal('    balance uri'), { algorithm: 'uri', draws: 2, hashType: 'map-based', key: { kind: 'uri', whole: false, len: 0, depth: 0, pathOnly: false } });
  assert.deepEqual((await bal('    balance uri whole len 10 depth 2 path-only')).key, { kind: 'uri', whole: true, len: 10, depth: 2, pathOnly: true });
  assert.deepEqual((await bal('    balance url_param userid')).key, { kind: 'url_param', name: 'userid', checkPost: false });
  assert.deepEqual((await bal('    balance hdr(Host) use_domain_only')).key, { kind: 'hdr', name: 'Host', useDomainOnly: true });
  assert.deepEqual(await bal('    balance hdr(User-Agent)'), { algorithm: 'hdr', draws: 2, hashType: 'map-based', key: { kind: 'hdr', name: 'User-Agent', useDomainOnly: false } });
  const r = await load(
    httpFrontend() +
      httpBackend('    balance uri len 0', '    balance uri depth', '    balance uri foo', '    balance url_param', '    balance url_param id foo', '    balance hdr', '    balance hdr(', '    balance hdr()', '    balance hdr(Host) foo', '    balance url_param id check_post 64', '    balance hash req.hdr(host)').replace('backend b', 'backend b2') +
      cfg('backend t', '    balance uri', '    server s1 127.0.0.1:80'),
  );
  assert.deepEqual(messages(r), [
    "lbd.cfg:10: 'balance': 'len' expects a positive integer (got '0')",
    "lbd.cfg:11: 'balance': 'depth' expects a positive integer (got '')",
    "lbd.cfg:12: 'balance': 'uri' only accepts parameters 'len', 'depth', 'path-only', and 'whole' (got 'foo')",
    "lbd.cfg:13: 'balance': 'url_param' requires an URL parameter name",
    "lbd.cfg:14: 'balance': 'url_param' only accepts 'check_post' modifier (got 'foo')",
    "lbd.cfg:15: 'balance': 'hdr' requires an http header field name: hdr(<name>)",
    "lbd.cfg:16: 'balance': 'hdr' requires an http header field name: hdr(<name>)",
    "lbd.cfg:17: 'balance': 'hdr' requires an http header field name: hdr(<name>)",
    "lbd.cfg:18: 'balance': 'hdr(Host)' only accepts 'use_domain_only' modifier (got 'foo')",
    "lbd.cfg:19: warning: 'balance': 'check_post' is ignored by lbd: only the query string is hashed, POST bodies are not read",
    "lbd.cfg:20: 'balance': algorithm 'hash' is not supported by lbd (supported: roundrobin, static-rr, leastconn, first, source, random, uri, url_param, hdr)",
    "lbd.cfg:22: warning: Layer 7 hash not possible for backend 't' (needs 'mode http'). Falling back to round robin.",
  ]);
});

test('log lines (global and proxies) and log-format are parsed and kept, without warnings (lbd writes the access log)', async () => {
  const c = await ok(
    cfg(
      'global',
      '    log stdout format raw local0',
      '    log 127.0.0.1:514 local0 info notice',
      'defaults',
      '    mode http',
      '    log global',
      '    option httplog clf',
      'frontend f',
      '    bind :8080',
      '    log stderr format rfc5424 len 4096 daemon',
      '    log /dev/log local1',
      '    log-format "%ci:%cp [%tr] %ft %{+Q}r %[src]"',
      '    option dontlognull',
      '    default_backend b',
      'backend b',
      '    no log',
      '    log tcp@10.0.0.1:601 format rfc3164 sample 1:2 local7 err',
      '    server s1 127.0.0.1:80',
    ),
  );
  const g = c.global.logTargets!.map((t) => (t.kind === 'target' ? [t.transport, t.host, t.port, t.format, t.facility, t.level, t.minLevel] : t.kind));
  assert.deepEqual(g, [
    ['stdout', '', null, 'raw', 'local0', null, null],
    ['udp', '127.0.0.1', 514, 'local', 'local0', 'info', 'notice'],
  ]);
  const log = c.frontends[0].http!.log;
  assert.deepEqual(log.targets.map((t) => (t.kind === 'target' ? [t.transport, t.host, t.len, t.format, t.facility] : t.kind)), ['global', ['stderr', '', 4096, 'rfc5424', 'daemon'], ['unix', '/dev/log', 1024, 'local', 'local1']]);
  assert.equal(log.style, 'custom', 'log-format replaces option httplog');
  assert.equal(log.format?.text, '%ci:%cp [%tr] %ft %{+Q}r %[src]');
  assert.equal(log.format?.nodes.filter((n) => n.kind === 'var').length, 5);
  assert.equal(log.dontlognull, true);
  const bt = c.backends[0].http!.logTargets;
  assert.deepEqual(bt.map((t) => (t.kind === 'target' ? [t.transport, t.host, t.port, t.sample, t.level] : t.kind)), [['tcp', '10.0.0.1', 601, '1:2', 'err']], 'no log drops log global from defaults');
  const r = await load(
    httpFrontend('    log stdout format foo local0', '    log stdout local9', '    log stdout', '    log /dev/log local0 info bogus', '    log stderr len 50 local0', '    log-format %ci %cp', '    log-format "%[nofetch]"', '    log-format "%Zz"', '    log-format "%[src"') +
      cfg('global', '    log global'),
  );
  assert.deepEqual(messages(r).filter((m) => !m.includes('warning')), [
    "lbd.cfg:4: 'log': unknown log format 'foo' (expected local, rfc3164, rfc5424, priority, short, timed, iso, raw)",
    "lbd.cfg:5: 'log': unknown log facility 'local9'; did you mean 'local0'?",
    "lbd.cfg:6: 'log': expects <address> and <facility> or global as arguments",
    "lbd.cfg:7: 'log': unknown optional minimum log level 'bogus'",
    "lbd.cfg:8: 'log': invalid log length '50', must be between 80 and 65535",
    "lbd.cfg:9: 'log-format': expects only one argument, don't forget to escape spaces!",
    "lbd.cfg:10: 'log-format': failed to parse log-format: failed to parse sample expression <nofetch>: unknown fetch method 'nofetch'",
    "lbd.cfg:11: 'log-format': failed to parse log-format: no such format variable 'Zz' (write '%%' for a literal '%')",
    "lbd.cfg:12: 'log-format': failed to parse log-format: missing ']' after 'src'",
    "lbd.cfg:18: 'log': 'log global' is only allowed in proxy sections",
  ]);
  const w = await load(httpFrontend('    log global', '    option httplog', '    log-format %ci'));
  assert.deepEqual(messages(w), []);
});

test('tune.bufsize and tune.http.maxhdr; timeout http-request and http-keep-alive', async () => {
  const c = await ok(cfg('global', '    tune.bufsize 32768', '    tune.http.maxhdr 200', 'defaults', '    timeout http-request 10s', '    timeout http-keep-alive 2s', ...httpFrontend().split('\n')));
  assert.deepEqual(c.global.tune, { bufsize: 32768, httpMaxhdr: 200 });
  assert.deepEqual([c.frontends[0].timeouts.httpRequest, c.frontends[0].timeouts.httpKeepAlive, c.backends[0].timeouts.httpRequest], [10000, 2000, 10000]);
  const r = await load(cfg('global', '    tune.bufsize 10', '    tune.http.maxhdr x', '    tune.bufsize', ...httpFrontend().split('\n')));
  assert.deepEqual(messages(r), [
    "lbd.cfg:2: 'tune.bufsize': expected an integer between 1024 and 1073741824, got '10'",
    "lbd.cfg:3: 'tune.http.maxhdr': expected an integer, got 'x'",
    "lbd.cfg:4: 'tune.bufsize': expects a size in bytes (at least 1024)",
  ]);
});

test('userlists: users with insecure or crypt passwords, groups both ways; checks at load', async () => {
  const c = await ok(
    httpFrontend('    acl ok http_auth(L1)', '    acl admin http_auth_group(L1) G1', '    http-request auth realm Admin unless ok', '    http-request deny unless admin') +
      cfg(
        'userlist L1',
        '    group G1 users tiger,scott',
        '    group G2',
        '    user tiger password $6$saltstring$svn8UoSVapNtMuq1ukKS4tPQd8iKwSMHWjl/O817G3uBnIFNjnQJuesI68u4OTLiBFdcbYEdFCoEOfaS35inz1',
        '    user scott insecure-password elgato groups G2',
        '    user xdb insecure-password hello groups G1,G2',
      ),
  );
  const ul = c.userlists![0];
  assert.deepEqual(ul.users.map((u) => [u.name, u.password?.kind, u.groups]), [
    ['tiger', 'crypt', []],
    ['scott', 'insecure', ['G2']],
    ['xdb', 'insecure', ['G1', 'G2']],
  ]);
  assert.deepEqual([ul.auth.groupsOf('scott'), ul.auth.groupsOf('xdb'), ul.auth.groupsOf('tiger')], [['G2', 'G1'], ['G1', 'G2'], ['G1']]);
  assert.equal(ul.auth.check('tiger', 'Hello world!'), true);
  const rules = c.frontends[0].http!.requestRules;
  const basic = (u: string, p: string) => ({ headers: [['Authorization', `Basic ${Buffer.from(`${u}:${p}`).toString('base64')}`]] as [string, string][] });
  const { view } = await import('./acl-helpers.js');
  assert.equal(rules[0].cond!.test(view(basic('scott', 'elgato'))), false, 'auth applies unless the user is authenticated');
  assert.equal(rules[0].cond!.test(view(basic('scott', 'bad'))), true);
  assert.equal(rules[1].cond!.test(view(basic('scott', 'elgato'))), false, 'scott is in G1 (from the group line)');
  assert.equal(rules[1].cond!.test(view(basic('xdb', 'nope'))), true);
  const r = await load(
    httpFrontend('    acl ok http_auth(L2)') +
      cfg('userlist L1', '    user a insecure-password x groups nope', '    group G users ghost', '    user a insecure-password y', '    user b password $y$j9T$abc$def', '    user c password plain', '    user d', '    foo', 'userlist L1', 'userlist'),
  );
  assert.deepEqual(messages(r), [
    "lbd.cfg:4: unable to find userlist 'L2' referenced in frontend 'f'",
    "lbd.cfg:10: userlist 'L1': no such group 'nope' specified in user 'a'",
    "lbd.cfg:11: userlist 'L1': no such user 'ghost' specified in group 'G'",
    "lbd.cfg:12: warning: 'user': ignoring duplicated user 'a' in userlist 'L1'",
    "lbd.cfg:13: 'user': password hash scheme '$y$' (yescrypt) is not supported by lbd; use a $6$ (SHA-512), $5$ or $1$ hash (e.g. 'openssl passwd -6'), or insecure-password",
    "lbd.cfg:14: 'user': DES crypt hashes (no $id$ prefix) are not supported by lbd; use a $6$ (SHA-512), $5$ or $1$ hash, or insecure-password",
    "lbd.cfg:15: warning: 'user': user 'd' has no password: it can never authenticate",
    "lbd.cfg:16: unknown keyword 'foo' in 'userlist' section",
    "lbd.cfg:17: warning: ignoring duplicated userlist 'L1'",
    "lbd.cfg:18: 'userlist' expects <name> as argument",
  ]);
});
