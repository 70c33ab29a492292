import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FETCHES, type FetchContext } from '../../daemon/http/acl/fetches.js';
import { parseExpr, resolveExpr } from '../../daemon/http/acl/expr.js';
import type { SampleValue } from '../../daemon/http/acl/types.js';
import type { UserlistAuth } from '../../daemon/http/acl/auth.js';
import { compileUserlist } from '../../daemon/http/acl/auth.js';
import { view, type ViewInit } from './acl-helpers.js';

const users: UserlistAuth = compileUserlist(new Map([['alice', { kind: 'insecure', value: 's3cret' }]]), new Map([['alice', ['admins', 'ops']]]));
const ctx = (acl: boolean, dir: 'req' | 'res' = 'req'): FetchContext => ({ dir, acl, userlist: (name) => () => (name === 'L' ? users : null) });

/** Evaluate an expression on a request, in ACL mode (all occurrences) or sample mode (one value). */
function fetch(expr: string, init: ViewInit, acl: boolean, dir: 'req' | 'res' = 'req'): SampleValue {
  const e = parseExpr(expr);
  assert.ok(typeof e !== 'string', String(e));
  const r = resolveExpr(e, ctx(acl, dir));
  assert.ok(typeof r !== 'string', String(r));
  return r.reader(view(init));
}
const all = (expr: string, init: ViewInit = {}): SampleValue => fetch(expr, init, true);
const one = (expr: string, init: ViewInit = {}): SampleValue => fetch(expr, init, false);

test('layer 4: src, src_port, dst, dst_port (IPv4-mapped addresses shown as IPv4)', () => {
  const i = { src: '::ffff:10.1.2.3', srcPort: 5555, dst: '192.0.2.1', dstPort: 443 };
  assert.deepEqual([one('src', i), one('src_port', i), one('dst', i), one('dst_port', i)], ['10.1.2.3', 5555, '192.0.2.1', 443]);
  assert.equal(one('src', { src: '2001:db8::1' }), '2001:db8::1');
  assert.equal(one('always_true'), true);
  assert.equal(one('always_false'), false);
});

test('request line: method, path, pathq, url, query, base, req.ver', () => {
  const i: ViewInit = { method: 'POST', url: '/a/b?x=1&y=2', version: '1.0', headers: [['Host', 'www.example.com']] };
  assert.equal(one('method', i), 'POST');
  assert.equal(one('path', i), '/a/b');
  assert.equal(one('pathq', i), '/a/b?x=1&y=2');
  assert.equal(one('url', i), '/a/b?x=1&y=2');
  assert.equal(one('query', i), 'x=1&y=2');
  assert.equal(one('base', i), 'www.example.com/a/b');
  assert.equal(one('req.ver', i), '1.0');
  assert.equal(one('query', { url: '/a' }), null, 'no ? → no query');
  assert.equal(one('query', { url: '/a?' }), '', 'a bare ? → empty query');
  assert.equal(one('path', { url: 'http://h.example/p/q?z' }), '/p/q', 'absolute form: the path after the authority');
  assert.equal(one('path', { url: '*' }), null);
  assert.equal(one('req.proto_http'), true);
});

test('hdr(): every comma-separated value in ACLs, the last one as a sample, <occ> counting from either end', () => {
  const i: ViewInit = { headers: [['X-Forwarded-For', '10.0.0.1, 10.0.0.2'], ['x-forwarded-for', '10.0.0.3'], ['Accept', 'a/b, "q,uoted", c']] };
  assert.deepEqual(all('hdr(x-forwarded-for)', i), ['10.0.0.1', '10.0.0.2', '10.0.0.3']);
  assert.equal(one('hdr(X-Forwarded-For)', i), '10.0.0.3');
  assert.equal(one('req.hdr(x-forwarded-for,1)', i), '10.0.0.1');
  assert.equal(one('req.hdr(x-forwarded-for,-2)', i), '10.0.0.2');
  assert.deepEqual(all('hdr(x-forwarded-for,2)', i), '10.0.0.2', 'an explicit occurrence in ACLs reads that one');
  assert.deepEqual(all('hdr(accept)', i), ['a/b', '"q,uoted"', 'c'], 'commas inside quotes do not split');
  assert.deepEqual(all('hdr(missing)', i), []);
  assert.equal(one('hdr(missing)', i), null);
  assert.deepEqual(all('hdr', { headers: [['A', '1,2'], ['B', '3']] }), ['1,2', '3'], 'no name: every header line, not split (as http_find_header)');
});

test('req.fhdr(): whole lines; hdr_cnt/req.fhdr_cnt count values/lines; hdr_val/hdr_ip convert', () => {
  const i: ViewInit = { headers: [['User-Agent', 'Mozilla/5.0 (X11, Linux)'], ['X-A', '1, 2'], ['X-A', '3'], ['X-Real-IP', '10.0.0.9:1234'], ['Content-Length', '42']] };
  assert.deepEqual(all('req.fhdr(user-agent)', i), ['Mozilla/5.0 (X11, Linux)']);
  assert.equal(one('req.fhdr(user-agent)', i), 'Mozilla/5.0 (X11, Linux)');
  assert.equal(one('hdr_cnt(x-a)', i), 3);
  assert.equal(one('req.hdr_cnt(x-a)', i), 3);
  assert.equal(one('req.fhdr_cnt(x-a)', i), 2);
  assert.equal(one('hdr_cnt(nope)', i), 0);
  assert.equal(one('hdr_cnt', i), 5, 'no name: every header line');
  assert.equal(one('req.hdr_val(content-length)', i), 42);
  assert.equal(one('hdr_ip(x-real-ip)', i), '10.0.0.9', 'an IPv4 address may carry a port');
  assert.deepEqual(all('hdr_val(x-a)', i), [1, 2, 3]);
});

test('req.cook(): the last occurrence as a sample (the first cookie without a name), all of them in ACLs; counts and values', () => {
  const i: ViewInit = { headers: [['Cookie', 'SID=abc; theme = dark ; n=5'], ['Cookie', 'SID=def; flag; e=; q="a;b", c=3']] };
  assert.equal(one('req.cook(SID)', i), 'def');
  assert.deepEqual(all('req.cook(SID)', i), ['abc', 'def']);
  assert.equal(one('cook(theme)', i), 'dark', 'spaces around names and values are ignored');
  assert.equal(one('req.cook', i), 'abc');
  assert.equal(one('req.cook(flag)', i), null, 'a cookie without = is not a cookie');
  assert.equal(one('req.cook(e)', i), '', 'an empty value is a value');
  assert.equal(one('req.cook(q)', i), '"a;b"', 'a quoted value keeps its ; and quotes');
  assert.equal(one('req.cook(c)', i), '3', ', separates cookies too');
  assert.equal(one('req.cook(sid)', i), null, 'names are case-sensitive');
  assert.equal(one('req.cook_cnt(SID)', i), 2);
  assert.equal(one('cook_cnt', i), 7);
  assert.equal(one('req.cook_val(n)', i), 5);
  assert.equal(one('req.cook(flag)', { headers: [['Cookie', 'flag=']] }), null, "HAProxy's quirk: a trailing name= is not looked at");
  assert.equal(one('req.cook(flag)', { headers: [['Cookie', 'a=1; flag=; b=2']] }), '');
});

test('url_param()/urlp(): the first occurrence; & and ; separate; an extra delimiter; every value in ACLs', () => {
  const i: ViewInit = { url: '/p?user=alice&id=1;id=2&flag' };
  assert.equal(one('url_param(id)', i), '1');
  assert.deepEqual(all('urlp(id)', i), ['1', '2']);
  assert.equal(one('url_param(flag)', i), '');
  assert.equal(one('url_param(nope)', i), null);
  assert.equal(one('url_param', i), 'alice', 'no name: the first parameter');
  assert.equal(one('urlp(JSESSIONID,;)', { url: '/foo;JSESSIONID=abc' }), 'abc', 'the delimiter also starts the parameters');
  assert.equal(one('urlp_val(id)', i), 1);
  assert.equal(one('url_param(id)', { url: '/p' }), null);
});

test('http_auth(), http_auth_group(), http_auth_user', () => {
  const basic = (u: string, p: string): ViewInit => ({ headers: [['Authorization', `Basic ${Buffer.from(`${u}:${p}`).toString('base64')}`]] });
  assert.equal(all('http_auth(L)', basic('alice', 's3cret')), true);
  assert.equal(all('http_auth(L)', basic('alice', 'wrong')), false);
  assert.equal(all('http_auth(L)', basic('bob', 's3cret')), false);
  assert.equal(all('http_auth(L)', {}), false);
  assert.deepEqual(all('http_auth_group(L)', basic('alice', 's3cret')), ['admins', 'ops']);
  assert.deepEqual(all('http_auth_group(L)', basic('alice', 'x')), []);
  assert.equal(one('http_auth_user', basic('carol', 'whatever')), 'carol');
  const e = parseExpr('http_auth(L)');
  assert.ok(typeof e !== 'string');
  assert.equal(resolveExpr(e, ctx(false)), "fetch method 'http_auth' is only supported by lbd in ACL conditions");
});

test('response fetches: status, res.hdr(), res.hdr_cnt(); hdr() in a sample on a response reads the response', () => {
  const i: ViewInit = { status: 503, resHeaders: [['Content-Type', 'text/html'], ['Set-Cookie', 'a=1']], headers: [['Content-Type', 'application/json']] };
  assert.equal(one('status', i), 503);
  assert.equal(one('res.hdr(content-type)', i), 'text/html');
  assert.equal(one('res.hdr_cnt(set-cookie)', i), 1);
  assert.equal(fetch('hdr(content-type)', i, false, 'res'), 'text/html');
  assert.equal(fetch('hdr(content-type)', i, false, 'req'), 'application/json');
  assert.deepEqual(fetch('hdr(content-type)', i, true, 'res'), ['application/json'], 'the ACL keyword hdr() reads the request');
  assert.equal(one('status', {}), null);
});

test('converters lower and upper; unsupported and unknown converters and fetches are errors', () => {
  assert.equal(one('hdr(host),lower', { headers: [['Host', 'WWW.Example.COM']] }), 'www.example.com');
  assert.equal(one('path,upper', { url: '/a' }), '/A');
  const err = (text: string, acl = true): string => {
    const e = parseExpr(text);
    if (typeof e === 'string') return e;
    const r = resolveExpr(e, ctx(acl));
    assert.ok(typeof r === 'string', text);
    return r;
  };
  assert.equal(err('hdr(host),md5'), 'unknown converter \'md5\'');
  assert.match(err('hdr(host),base64'), /^converter 'base64' is not supported by lbd/);
  assert.equal(err('path_bag'), "unknown fetch method 'path_bag'; did you mean 'path_beg'?");
  assert.equal(err('ssl_fc_session_id'), "fetch method 'ssl_fc_session_id' is not supported by lbd");
  assert.equal(err('path_beg', false), "unknown fetch method 'path_beg': it is an ACL keyword (write path here)", 'ACL derivatives are not sample fetches');
  assert.equal(err('path(x)'), "fetch method 'path' takes no argument: path");
  assert.equal(err('http_auth'), "fetch method 'http_auth' expects arguments: http_auth(<userlist>)");
  assert.equal(err('hdr(a,b)'), "fetch method 'hdr': the occurrence must be an integer, got 'b'");
  assert.equal(err('hdr(host'), "'hdr': expected ')' in 'hdr(host'");
  assert.equal(err('hdr(host),'), "missing converter after ',' in 'hdr(host),'");
});

test('every fetch of the table has a help line and a consistent arity', () => {
  for (const [name, def] of Object.entries(FETCHES)) {
    assert.ok(def.help.length > 0, name);
    assert.ok(def.minArgs <= def.maxArgs, name);
  }
});
