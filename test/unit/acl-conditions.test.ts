import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Config } from '../../daemon/config/types.js';
import { evaluate } from '../../daemon/http/acl/compile.js';
import { cfg, httpFrontend, load, messages, ok, view, type ViewInit } from './acl-helpers.js';

/** The backend chosen for a request: first use_backend whose condition holds, else default_backend. */
function route(c: Config, init: ViewInit): string | null {
  const fe = c.frontends[0];
  return fe.useBackends.find((u) => evaluate(u.cond, view(init)))?.backend ?? fe.defaultBackend;
}

/** A config with ACLs and use_backend lines routing to backends a, b, c (default d). */
const routing = (...lines: string[]): string =>
  cfg(
    'frontend f',
    '    mode http',
    '    bind :8080',
    ...lines,
    '    default_backend d',
    ...['a', 'b', 'c', 'd'].flatMap((n) => [`backend ${n}`, '    mode http', '    server s1 127.0.0.1:80']),
  );

test('implicit AND, || and or, ! and !{ }, anonymous blocks, if and unless', async () => {
  const c = await ok(
    routing(
      '    acl api path_beg /api',
      '    acl www hdr(host) -i www.example.com',
      '    acl internal src 10.0.0.0/8',
      '    use_backend a if api www !internal',
      '    use_backend b if { path /health } || api internal or { method POST }',
      '    use_backend c unless www',
    ),
  );
  const www = ['Host', 'WWW.EXAMPLE.COM'] as [string, string];
  assert.equal(route(c, { url: '/api/x', headers: [www], src: '192.0.2.1' }), 'a');
  assert.equal(route(c, { url: '/api/x', headers: [www], src: '10.1.1.1' }), 'b', 'api internal');
  assert.equal(route(c, { url: '/health', headers: [www] }), 'b');
  assert.equal(route(c, { url: '/x', method: 'POST', headers: [www] }), 'b');
  assert.equal(route(c, { url: '/x', headers: [www] }), 'd');
  assert.equal(route(c, { url: '/x', headers: [['Host', 'other']] }), 'c', 'unless www');
  const u = c.frontends[0].useBackends;
  assert.deepEqual(
    u.map((r) => [r.cond?.polarity, r.cond?.text, r.cond?.alternatives.map((and) => and.map((t) => `${t.negate ? '!' : ''}${t.acl.name ?? `{${t.acl.tests[0].expr.text}}`}`))]),
    [
      ['if', 'api www !internal', [['api', 'www', '!internal']]],
      ['if', '{ path /health } || api internal or { method POST }', [['{path}'], ['api', 'internal'], ['{method}']]],
      ['unless', 'www', [['www']]],
    ],
  );
  assert.deepEqual(u[0].cond?.where, { file: 'lbd.cfg', line: 7, col: 19 }, 'a condition is placed at its if/unless');
  assert.equal(u[0].cond?.http, true);
});

test('negation forms: "!acl", "! acl", "!{ … }", "! { … }"', async () => {
  const c = await ok(routing('    acl x path /x', '    use_backend a if ! x !{ path /y } ! { path /z }', '    use_backend b if !x'));
  assert.equal(route(c, { url: '/w' }), 'a');
  assert.equal(route(c, { url: '/y' }), 'b');
  assert.equal(route(c, { url: '/x' }), 'd');
});

test('several acl lines with one name are OR-ed, and lines declared after a rule still extend it', async () => {
  const c = await ok(routing('    acl static path_end .css', '    use_backend a if static', '    acl static path_beg /static/', '    acl static hdr(host) -i static.example.com'));
  assert.equal(route(c, { url: '/x.css' }), 'a');
  assert.equal(route(c, { url: '/static/logo' }), 'a');
  assert.equal(route(c, { url: '/y', headers: [['Host', 'Static.Example.com']] }), 'a');
  assert.equal(route(c, { url: '/y' }), 'd');
  assert.equal(c.frontends[0].useBackends[0].cond?.alternatives[0][0].acl.tests.length, 3);
});

test('predefined ACLs', async () => {
  const c = await ok(
    routing(
      '    use_backend a if METH_GET HTTP_1.1 LOCALHOST',
      '    use_backend b if HTTP_URL_ABS || HTTP_CONTENT || HTTP_URL_STAR',
      '    use_backend c if METH_POST || METH_PUT || METH_DELETE || METH_OPTIONS || METH_CONNECT || METH_TRACE || HTTP_1.0 || HTTP_2.0 || FALSE',
      '    use_backend d if TRUE HTTP HTTP_URL_SLASH',
    ),
  );
  assert.equal(route(c, { method: 'HEAD', src: '127.0.0.1' }), 'a');
  assert.equal(route(c, { src: '::1' }), 'a');
  assert.equal(route(c, { src: '192.0.2.1', url: 'http://h/x' }), 'b');
  assert.equal(route(c, { src: '192.0.2.1', headers: [['Content-Length', '3']] }), 'b');
  assert.equal(route(c, { src: '192.0.2.1', method: 'OPTIONS', url: '*' }), 'b');
  assert.equal(route(c, { src: '192.0.2.1', method: 'DELETE' }), 'c');
  assert.equal(route(c, { src: '192.0.2.1', version: '1.0' }), 'c');
  assert.equal(route(c, { src: '192.0.2.1' }), 'd');
});

test('a fetch runs at most once per evaluation, and only when evaluation reaches it', async () => {
  const c = await ok(routing('    acl h1 hdr(host) -m beg www', '    acl h2 hdr(host) -m end .com', '    acl p path /x', '    use_backend a if p h1 h2 || h2 h1'));
  const cond = c.frontends[0].useBackends[0].cond!;
  const v1 = view({ url: '/y', headers: [['Host', 'www.example.org']] });
  assert.equal(cond.test(v1), false);
  assert.equal(v1.reads, 1, 'p fails, so the first alternative stops; h2 then h1 share one read of the Host header');
  const v2 = view({ url: '/x', headers: [['Host', 'www.example.com']] });
  assert.equal(cond.test(v2), true);
  assert.equal(v2.reads, 1);
  const v3 = view({ url: '/y', headers: [['Host', 'www.example.com']] });
  assert.equal(cond.test(v3), true);
  assert.equal(cond.test(v3), true);
  assert.equal(v3.reads, 2, 'each evaluation reads again (nothing is cached across requests)');
});

test('flags: -i before patterns only, -m overrides the keyword method, -- ends flags, operators on integers', async () => {
  const c = await ok(
    routing(
      '    acl a1 path_beg -m str /exact',
      '    acl a2 hdr(x) -- -i',
      '    acl a3 hdr_cnt(x) gt 1',
      '    acl a4 req.hdr(x) -m len 3:4',
      '    acl a5 hdr(x) -m found',
      '    acl a6 path -i /CASE',
      '    acl a7 path -m reg -i ^/r[0-9]+$',
      '    acl a8 hdr_sub(x) -i abc',
      '    use_backend a if a1 || a2 || a3',
      '    use_backend b if a4 || a6',
      '    use_backend c if a5 a7 a8',
    ),
  );
  assert.equal(route(c, { url: '/exact' }), 'a');
  assert.equal(route(c, { url: '/exactly' }), 'd', '-m str replaces the beg of path_beg');
  assert.equal(route(c, { headers: [['X', '-i']] }), 'a', "after --, '-i' is a pattern");
  assert.equal(route(c, { headers: [['X', 'q'], ['X', 'r']] }), 'a');
  assert.equal(route(c, { headers: [['X', 'abcd']] }), 'b');
  assert.equal(route(c, { url: '/case' }), 'b');
  assert.equal(route(c, { url: '/R12', headers: [['X', 'xxABCxx']] }), 'c');
  assert.equal(route(c, { url: '/R12', headers: [['X', 'xxABxx']] }), 'd');
});

test('condition errors, each at its line with the column of the word', async () => {
  const r = await load(
    routing(
      '    acl api path_beg /api',
      '    use_backend a if aip',
      '    use_backend a if { path /x',
      '    use_backend a if api }',
      '    use_backend a if { }',
      '    use_backend a if || api',
      '    use_backend a if api ||',
      '    use_backend a if api || || api',
      '    use_backend a if api !',
      '    use_backend a if',
      '    use_backend a when api',
      '    use_backend a if RDP_COOKIE',
      '    use_backend a if later',
      '    acl later path /later',
    ),
  );
  assert.equal(r.config, null);
  assert.deepEqual(
    r.diagnostics.filter((d) => d.severity === 'error').map((d) => `${d.where.line}:${d.where.col ?? 0}: ${d.message}`),
    [
      "5:22: 'use_backend': no such ACL: 'aip'; did you mean 'api'? (ACLs must be declared before the line that uses them)",
      "6:22: 'use_backend': missing closing '}' in condition",
      "7:26: 'use_backend': unexpected '}' in condition (no '{' before it)",
      "8:22: 'use_backend': empty anonymous ACL '{ }': missing fetch method",
      "9:22: 'use_backend': '||' without a condition on its left",
      "10:26: 'use_backend': '||' without a condition on its right",
      "11:29: 'use_backend': '||' without a condition on its left (two operators in a row)",
      "12:26: 'use_backend': '!' must be followed by an ACL name or '{ … }'",
      "13:19: 'use_backend': expects a condition after 'if'",
      "14:19: 'use_backend': unexpected argument 'when' after the backend name (only 'if' or 'unless' may follow)",
      "15:22: 'use_backend': predefined ACL 'RDP_COOKIE' is not supported by lbd",
      "16:22: 'use_backend': no such ACL: 'later' (ACLs must be declared before the line that uses them)",
    ],
  );
});

test('acl errors: name, fetch, flags, methods, patterns; a broken acl line does not add "no such ACL" errors', async () => {
  const r = await load(
    routing(
      '    acl',
      '    acl x/y path /a',
      '    acl a1 path_bag /x',
      '    acl a2 path -m foo /x',
      '    acl a3 hdr(host -i a',
      '    acl a4 src 10.0.0.0/33',
      '    acl a5 path_reg (',
      '    acl a6 dst_port abc',
      '    acl a7 path -m bin 00',
      '    acl a8 path -M map.txt',
      '    acl a9 path -x /a',
      '    acl a10 path -m',
      '    acl a11 src -m beg 10.',
      '    acl a12 method -m int 3',
      '    acl a13 path_len abc',
      '    acl a14 ssl_fc_session_id',
      '    use_backend a if a1 a2 a3',
    ),
  );
  assert.deepEqual(messages(r), [
    "lbd.cfg:4: 'acl': expects an ACL name and a fetch method",
    "lbd.cfg:5: 'acl': character '/' is not permitted in acl name 'x/y'",
    "lbd.cfg:6: 'acl a1': unknown fetch method 'path_bag'; did you mean 'path_beg'?",
    "lbd.cfg:7: 'acl a2': unknown matching method 'foo'",
    "lbd.cfg:8: 'acl a3': 'hdr': expected ')' in 'hdr(host'",
    "lbd.cfg:9: 'acl a4': '10.0.0.0/33' is not a valid IPv4 or IPv6 address",
    "lbd.cfg:10: 'acl a5': regex '(' is invalid (/(/: Unterminated group)",
    "lbd.cfg:11: 'acl a6': 'abc' is not a number",
    "lbd.cfg:12: 'acl a7': matching method 'bin' is not supported by lbd",
    "lbd.cfg:13: 'acl a8': '-M' (map files) is not supported by lbd",
    "lbd.cfg:14: 'acl a9': unknown flag '-x' (expected -i, -f, -m, -n, -u or --)",
    "lbd.cfg:15: 'acl a10': '-m' expects a matching method (one of found, bool, int, ip, len, str, sub, reg, beg, end, dir, dom)",
    "lbd.cfg:18: 'acl a13': 'abc' is not a number",
    "lbd.cfg:19: 'acl a14': fetch method 'ssl_fc_session_id' is not supported by lbd",
  ]);
});

test('an acl without patterns warns (it never matches); -m found, -m bool and -- do not', async () => {
  const r = await load(httpFrontend('    acl a hdr(x)', '    acl b hdr(x) -m found', '    acl c always_true', '    acl d hdr(x) --'));
  assert.deepEqual(messages(r), [
    "lbd.cfg:4: warning: 'acl a': no pattern to match against in ACL expression 'hdr(x)': it will never match (use '-m found' to test for presence, or '--' to silence this warning)",
  ]);
});

test('acl, http-request and http-response are refused in defaults sections', async () => {
  const r = await load(cfg('defaults', '    mode http', '    acl x path /a', '    http-request deny if x', '    http-response deny', ...httpFrontend().split('\n')));
  assert.deepEqual(messages(r).slice(0, 3), [
    "lbd.cfg:3: 'acl' is not allowed in a defaults section (only in frontend, backend, listen)",
    "lbd.cfg:4: 'http-request' is not allowed in a defaults section (only in frontend, backend, listen)",
    "lbd.cfg:5: 'http-response' is not allowed in a defaults section (only in frontend, backend, listen)",
  ]);
});

test('mode tcp: a use_backend condition with an HTTP fetch is an error at its line; layer 4 fetches work', async () => {
  const r = await load(
    cfg(
      'frontend f',
      '    bind :8080',
      '    acl api path_beg /api',
      '    acl lan src 10.0.0.0/8',
      '    use_backend b if api lan',
      '    use_backend b if lan { dst_port 8080 } || { src_port 1024: }',
      '    use_backend b if { hdr(host) -m found }',
      '    default_backend b',
      'backend b',
      '    server s1 127.0.0.1:80',
    ),
  );
  assert.deepEqual(messages(r), [
    "lbd.cfg:5: frontend 'f' is in mode tcp but this use_backend condition uses HTTP fetches ('path_beg' (acl 'api')); lbd evaluates them in mode http only (in tcp mode use layer 4 fetches such as src or dst_port)",
    "lbd.cfg:7: frontend 'f' is in mode tcp but this use_backend condition uses HTTP fetches ('hdr'); lbd evaluates them in mode http only (in tcp mode use layer 4 fetches such as src or dst_port)",
  ]);
  const c = await ok(cfg('frontend f', '    bind :8080', '    acl lan src 10.0.0.0/8', '    use_backend a if lan', '    default_backend b', 'backend a', '    server s1 127.0.0.1:80', 'backend b', '    server s1 127.0.0.1:81'));
  assert.equal(route(c, { src: '10.2.3.4' }), 'a');
  assert.equal(route(c, { src: '192.0.2.4' }), 'b');
  assert.equal(c.frontends[0].useBackends[0].cond?.http, false);
});

test('a fetch used in the wrong direction warns, as HAProxy does, and never matches', async () => {
  const c = await ok(httpFrontend('    acl ok status 200', '    acl p path /a', '    use_backend b if ok', '    http-request deny if { status 500 }', '    http-response set-header X y if p', '    http-response set-header Y z if { method GET } { status 200 }'));
  const r = await load(httpFrontend('    acl ok status 200', '    acl p path /a', '    use_backend b if ok', '    http-request deny if { status 500 }', '    http-response set-header X y if p', '    http-response set-header Y z if { method GET } { status 200 }'));
  assert.deepEqual(messages(r), [
    "lbd.cfg:6: warning: 'status' (acl 'ok') will never match in a use_backend rule: it reads the response",
    "lbd.cfg:7: warning: a 'http-request' rule placed after a 'use_backend' rule will still be processed before it",
    "lbd.cfg:7: warning: 'status' will never match in an http-request rule: it reads the response",
    "lbd.cfg:8: warning: 'path' (acl 'p') will never match in an http-response rule: it reads the request, which is gone once the response is processed",
  ]);
  const rules = c.frontends[0].http!.responseRules;
  assert.equal(rules[0].cond!.test(view({ url: '/a', status: 200 })), false, 'path is not read on the response side');
  assert.equal(rules[1].cond!.test(view({ status: 200 })), true, 'method stays available to response rules');
});
