import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { ROOT } from '../helpers/lbd-process.js';
import type { HttpRequestAction, HttpResponseAction, HttpRule } from '../../daemon/config/types.js';
import { cfg, httpFrontend, load, messages, ok, view } from './acl-helpers.js';

const F = join(ROOT, 'test/fixtures/configs/http');

async function requestRules(...lines: string[]): Promise<readonly HttpRule<HttpRequestAction>[]> {
  const at = lines.indexOf('userlist L1');
  const [proxy, rest] = at < 0 ? [lines, []] : [lines.slice(0, at), lines.slice(at)];
  return (await ok(httpFrontend(...proxy) + cfg(...rest))).frontends[0].http!.requestRules;
}
async function responseRules(...lines: string[]): Promise<readonly HttpRule<HttpResponseAction>[]> {
  return (await ok(httpFrontend(...lines))).frontends[0].http!.responseRules;
}
/** Rules with their formatters and closures reduced to what they say. */
const plain = (x: unknown): unknown => JSON.parse(JSON.stringify(x, (k, v) => (k === 'nodes' || k === 'where' ? undefined : v)));

test('http-request header actions: set-header, add-header (log-format values), del-header [-m], replace-header, replace-value', async () => {
  const r = await requestRules(
    '    http-request set-header X-Client %[src]',
    '    http-request add-header X-Via "lbd %[dst_port]"',
    '    http-request del-header X-Secret',
    '    http-request del-header x-debug- -m beg',
    '    http-request del-header ^x-(a|b)$ -m reg',
    '    http-request replace-header User-Agent curl foo',
    '    http-request replace-value X-Forwarded-For ^192\\.168\\.(.*)$ 172.16.\\1',
  );
  assert.deepEqual(plain(r.map((x) => x.action)), [
    { type: 'set-header', name: 'X-Client', value: { text: '%[src]', dynamic: true } },
    { type: 'add-header', name: 'X-Via', value: { text: 'lbd %[dst_port]', dynamic: true } },
    { type: 'del-header', name: 'X-Secret', method: 'str' },
    { type: 'del-header', name: 'x-debug-', method: 'beg' },
    { type: 'del-header', name: '^x-(a|b)$', method: 'reg' },
    { type: 'replace-header', name: 'user-agent', regex: 'curl', replace: { text: 'foo', dynamic: false } },
    { type: 'replace-value', name: 'x-forwarded-for', regex: '^192\\.168\\.(.*)$', replace: { text: '172.16.\\1', dynamic: false } },
  ]);
  const v = view({ src: '198.51.100.7', dstPort: 8080 });
  const a = r.map((x) => x.action);
  assert.equal(a[0].type === 'set-header' && a[0].value.format(v), '198.51.100.7');
  assert.equal(a[1].type === 'add-header' && a[1].value.format(v), 'lbd 8080');
  const del = (i: number, h: string): boolean => (a[i].type === 'del-header' ? (a[i] as { matches: (h: string) => boolean }).matches(h) : false);
  assert.deepEqual([del(2, 'x-secret'), del(2, 'X-SECRET'), del(2, 'X-Secrets')], [true, true, false]);
  assert.deepEqual([del(3, 'X-Debug-Id'), del(3, 'X-Other')], [true, false]);
  assert.deepEqual([del(4, 'x-a'), del(4, 'x-c')], [true, false]);
  const rep = (i: number, value: string): string | null => (a[i].type === 'replace-header' || a[i].type === 'replace-value' ? (a[i] as { replacer: (s: string, v: unknown) => string | null }).replacer(value, v) : 'n/a');
  assert.equal(rep(5, 'curl/7.47.0'), 'foo', 'the whole value is replaced when the regex matches anywhere');
  assert.equal(rep(5, 'Mozilla'), null);
  assert.equal(rep(6, '192.168.10.1'), '172.16.10.1');
});

test('http-request path, query, URI and method actions', async () => {
  const r = await requestRules(
    '    http-request set-path /%[hdr(host)]%[path]',
    '    http-request set-pathq /new?x=1',
    '    http-request set-query v=2',
    '    http-request set-uri http://backend.example%[path]',
    '    http-request set-method GET',
    '    http-request replace-path /foo/(.*) /\\1',
    '    http-request replace-pathq ([^?]*)(\\?(.*))? \\1/foo\\2',
    '    http-request replace-uri ^http://(.*) https://\\1',
  );
  assert.deepEqual(r.map((x) => x.action.type), ['set-path', 'set-pathq', 'set-query', 'set-uri', 'set-method', 'replace-path', 'replace-pathq', 'replace-uri']);
  const v = view({ url: '/shop?q', headers: [['Host', 'h.example']] });
  const a0 = r[0].action;
  assert.equal(a0.type === 'set-path' && a0.value.format(v), '/h.example/shop');
  const rp = r[5].action as { replacer: (s: string, v: unknown) => string | null };
  assert.equal(rp.replacer('/foo/bar', v), '/bar');
  const rq = r[6].action as { replacer: (s: string, v: unknown) => string | null };
  assert.equal(rq.replacer('/bar?q=1', v), '/bar/foo?q=1');
});

test('http-request allow, reject, auth [realm], redirect (every form and option)', async () => {
  const r = await requestRules(
    '    http-request allow if { src 10.0.0.0/8 }',
    '    http-request reject if { hdr_cnt(host) gt 1 }',
    '    http-request auth',
    '    http-request auth realm "Admin area" unless { http_auth(L1) }',
    '    http-request redirect scheme https code 301 if !{ dst_port 443 }',
    '    http-request redirect location https://www.%[hdr(host)]%[path] code 308',
    '    http-request redirect prefix /new drop-query append-slash set-cookie SEEN=1 clear-cookie OLD= ignore-empty',
    'userlist L1',
    '    user a insecure-password b',
  );
  assert.deepEqual(plain(r.map((x) => x.action)), [
    { type: 'allow' },
    { type: 'reject' },
    { type: 'auth', realm: null },
    { type: 'auth', realm: 'Admin area' },
    { type: 'redirect', redirect: { kind: 'scheme', value: { text: 'https', dynamic: false }, code: 301, dropQuery: false, appendSlash: false, ignoreEmpty: false, setCookie: null, clearCookie: null } },
    { type: 'redirect', redirect: { kind: 'location', value: { text: 'https://www.%[hdr(host)]%[path]', dynamic: true }, code: 308, dropQuery: false, appendSlash: false, ignoreEmpty: false, setCookie: null, clearCookie: null } },
    { type: 'redirect', redirect: { kind: 'prefix', value: { text: '/new', dynamic: false }, code: 302, dropQuery: true, appendSlash: true, ignoreEmpty: true, setCookie: 'SEEN=1', clearCookie: 'OLD=' } },
  ]);
  assert.equal(r[0].cond?.test(view({ src: '10.1.1.1' })), true);
  assert.equal(r[3].cond?.polarity, 'unless');
});

test('http-request deny and return: statuses, content types, every body source, hdr lines', async () => {
  const r = await requestRules(
    '    http-request deny',
    '    http-request deny deny_status 429',
    '    http-request deny status 403 content-type text/plain string "go away" hdr Retry-After 60',
    '    http-request return',
    '    http-request return status 204',
    `    http-request return status 503 errorfile ${F}/503.http`,
    `    http-request return content-type text/plain file ${F}/robots.txt if { path /robots.txt }`,
    `    http-request return content-type text/plain lf-file ${F}/hello.lf`,
    '    http-request return status 200 content-type application/json lf-string \'{"ip":"%[src]"}\' hdr X-Served-By lbd',
    '    http-request return status 404 default-errorfiles',
  );
  const resp = r.map((x) => (x.action.type === 'deny' || x.action.type === 'return' ? x.action.response : null));
  assert.deepEqual(resp.map((x) => [x?.status, x?.contentType, x?.body.kind, x?.headers.map((h) => h.name)]), [
    [403, null, 'default-errorfiles', []],
    [429, null, 'default-errorfiles', []],
    [403, 'text/plain', 'string', ['Retry-After']],
    [200, null, 'none', []],
    [204, null, 'none', []],
    [503, null, 'errorfile', []],
    [200, 'text/plain', 'file', []],
    [200, 'text/plain', 'lf-file', []],
    [200, 'application/json', 'lf-string', ['X-Served-By']],
    [404, null, 'default-errorfiles', []],
  ]);
  const body = (i: number) => resp[i]!.body;
  const b5 = body(5);
  assert.equal(b5.kind === 'errorfile' && b5.file.parsed?.status, 503);
  const b6 = body(6);
  assert.equal(b6.kind === 'file' && b6.content, 'User-agent: *\nDisallow: /\n');
  const b7 = body(7);
  assert.equal(b7.kind === 'lf-file' && b7.value.format(view({ src: '10.0.0.5', url: '/x' })), 'client 10.0.0.5 asked for /x\n');
  const b8 = body(8);
  assert.equal(b8.kind === 'lf-string' && b8.value.format(view({ src: '10.0.0.5' })), '{"ip":"10.0.0.5"}');
});

test('http-response actions: set/add/del/replace headers, set-status, deny (502 by default), return, redirect, allow', async () => {
  const r = await responseRules(
    '    http-response set-header Cache-Control no-store if { status 200 }',
    '    http-response add-header X-Backend-Status %[status]',
    '    http-response del-header Server',
    '    http-response replace-header Set-Cookie (.*) \\1;\\ Secure',
    '    http-response replace-value Vary ^Cookie$ Accept',
    '    http-response set-status 503 reason "Try later"',
    '    http-response deny if { status 500 }',
    '    http-response return status 200 content-type text/plain string ok',
    '    http-response redirect location /maintenance if { status 503 }',
    '    http-response allow',
  );
  assert.deepEqual(r.map((x) => x.action.type), ['set-header', 'add-header', 'del-header', 'replace-header', 'replace-value', 'set-status', 'deny', 'return', 'redirect', 'allow']);
  const v = view({ status: 200 });
  assert.equal(r[0].cond?.test(v), true);
  const a1 = r[1].action;
  assert.equal(a1.type === 'add-header' && a1.value.format(view({ status: 502 })), '502');
  assert.deepEqual(plain(r[5].action), { type: 'set-status', status: 503, reason: 'Try later' });
  const d = r[6].action;
  assert.equal(d.type === 'deny' && d.response.status, 502);
});

test('rule errors: unknown and unsupported actions, arity, left-over words, bad regexes, statuses and codes, content type, files', async () => {
  const r = await load(
    httpFrontend(
      '    http-request set-hedaer X y',
      '    http-request tarpit',
      '    http-request set-var(txn.x) str(a)',
      '    http-request set-header X',
      '    http-request set-header X %[nofetch]',
      '    http-request set-path /a /b',
      '    http-request deny 500',
      '    http-request deny deny_status 999',
      '    http-request return string hi',
      '    http-request redirect location',
      '    http-request redirect prefix /x code 305',
      '    http-request redirect foo /x',
      '    http-request del-header X-A -m dom',
      '    http-request replace-header X ( y',
      '    http-request auth realm',
      '    http-request allow foo',
      `    http-request return errorfile ${F}/garbage.http`,
      '    http-request return status 200 errorfiles myerrors',
      '    http-request',
      '    http-response set-status 99',
      '    http-response auth',
      '    http-request set-status 200',
      `    http-request return content-type text/plain file ${F}/missing.txt`,
      '    http-request set-header X %[http_auth(L)]',
    ),
  );
  assert.deepEqual(messages(r), [
    "lbd.cfg:4: 'http-request': unknown action 'set-hedaer'; did you mean 'set-header'?",
    "lbd.cfg:5: 'http-request': action 'tarpit' is not supported by lbd",
    "lbd.cfg:6: 'http-request': action 'set-var(txn.x)' is not supported by lbd",
    "lbd.cfg:7: 'http-request set-header': expects exactly 2 arguments: <name> <fmt>",
    "lbd.cfg:8: 'http-request set-header': failed to parse sample expression <nofetch>: unknown fetch method 'nofetch'",
    "lbd.cfg:9: 'http-request set-path': expects either 'if' or 'unless' followed by a condition but found '/b'",
    "lbd.cfg:10: 'http-request deny': expects either 'if' or 'unless' followed by a condition but found '500'",
    "lbd.cfg:11: 'http-request deny': unexpected status code '999' (expected 200 to 599)",
    "lbd.cfg:12: 'http-request return': a content type must be defined when a non-empty payload is configured (add content-type <type>)",
    "lbd.cfg:13: 'http-request redirect': missing argument for 'location'",
    "lbd.cfg:14: 'http-request redirect': 'code': unsupported HTTP code '305' (must be one of 301, 302, 303, 307, 308)",
    "lbd.cfg:15: 'http-request redirect': expects 'code', 'prefix', 'location', 'scheme', 'set-cookie', 'clear-cookie', 'drop-query', 'ignore-empty', 'append-slash' (was 'foo')",
    "lbd.cfg:16: 'http-request del-header': -m with unsupported matching method 'dom' (expected str, beg, end, sub, reg)",
    "lbd.cfg:17: 'http-request replace-header': regex '(' is invalid (/(/: Unterminated group)",
    "lbd.cfg:18: 'http-request auth': missing realm value",
    "lbd.cfg:19: 'http-request allow': expects either 'if' or 'unless' followed by a condition but found 'foo'",
    `lbd.cfg:20: 'http-request return': '${F}/garbage.http': unable to parse headers (expected a status line such as 'HTTP/1.0 503 Service Unavailable', headers and an empty line)`,
    "lbd.cfg:21: 'http-request return': 'errorfiles' (http-errors sections) is not supported by lbd; use 'errorfile <file>'",
    "lbd.cfg:22: 'http-request': expects an action (one of allow, deny, reject, return, auth, redirect, set-header, add-header, del-header, replace-header, replace-value, replace-path, replace-pathq, replace-uri, set-path, set-pathq, set-query, set-uri, set-method)",
    "lbd.cfg:23: 'http-response set-status': expects a status code between 100 and 999, got '99'",
    "lbd.cfg:24: 'http-response': action 'auth' is not supported by lbd",
    "lbd.cfg:25: 'http-request': action 'set-status' is not supported by lbd",
    `lbd.cfg:26: 'http-request return': error opening file '${F}/missing.txt' (no such file)`,
    "lbd.cfg:27: 'http-request set-header': failed to parse sample expression <http_auth(L)>: fetch method 'http_auth' is only supported by lbd in ACL conditions",
  ]);
});

test('rules in a backend and in a listen; a listen gives its rules to both halves', async () => {
  const c = await ok(
    cfg(
      'frontend f',
      '    mode http',
      '    bind :8080',
      '    default_backend b',
      'backend b',
      '    mode http',
      '    http-request set-header X-Backend b',
      '    http-response del-header Server',
      '    server s1 127.0.0.1:80',
      'listen l',
      '    mode http',
      '    bind :8081',
      '    http-request deny if { path /private }',
      '    server s1 127.0.0.1:81',
    ),
  );
  const b = c.backends.find((x) => x.name === 'b')!;
  assert.deepEqual([b.http!.requestRules.length, b.http!.responseRules.length], [1, 1]);
  const lf = c.frontends.find((x) => x.name === 'l')!;
  const lb = c.backends.find((x) => x.name === 'l')!;
  assert.equal(lf.http!.requestRules.length, 1);
  assert.equal(lb.http!.requestRules.length, 1);
});

test('http-request rules in a tcp frontend are kept but ignored, with HAProxy\'s warning', async () => {
  const r = await load(cfg('frontend f', '    bind :8080', '    http-request deny', '    http-response del-header Server', '    default_backend b', 'backend b', '    server s1 127.0.0.1:80', '    http-request set-header A b'));
  assert.deepEqual(messages(r), [
    "lbd.cfg:3: warning: 'http-request' rules ignored for frontend 'f' as they require HTTP mode",
    "lbd.cfg:4: warning: 'http-response' rules ignored for frontend 'f' as they require HTTP mode",
    "lbd.cfg:8: warning: 'http-request' rules ignored for backend 'b' as they require HTTP mode",
  ]);
});
