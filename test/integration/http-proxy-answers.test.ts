/**
 * lbd's local answers (deny, deny_status, return, redirect location/prefix/scheme with codes, auth with a
 * userlist, monitor-uri) compared byte for byte with what HAProxy 2.6 sends for the same config and
 * request, plus the captured bytes from the brief pinned directly, and their counters.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { Client, field, get, httpBackend, type HttpBackend } from '../helpers/http-wire.js';
import { startLb, type Lb } from '../helpers/http-lb.js';
import { HAPROXY, startHaproxy } from '../helpers/http-haproxy.js';
import { freePort } from '../helpers/net.js';

const config = (fe: number, s1: number) => `
defaults
  mode http
  timeout connect 1s
  timeout client 5s
  timeout server 5s
userlist users
  user admin insecure-password secret
frontend f
  bind 127.0.0.1:${fe}
  monitor-uri /health
  http-request deny if { path /deny }
  http-request deny deny_status 429 if { path /deny429 }
  http-request return status 200 content-type text/plain string hi if { path /return }
  http-request redirect location /new code 301 if { path /loc301 }
  http-request redirect location /new if { path /loc302 }
  http-request redirect location /new code 303 if { path /loc303 }
  http-request redirect location /new code 307 if { path /loc307 }
  http-request redirect location /new code 308 if { path /loc308 }
  http-request redirect prefix /pre code 301 if { path_beg /p/ }
  http-request redirect scheme https if { path_beg /sch }
  http-request auth realm private if { path_beg /auth } !{ http_auth(users) }
  default_backend b
backend b
  server s1 127.0.0.1:${s1}
`;

let be: HttpBackend;
let lb: Lb;
let hx: { stop(): void } | null = null;
let hxPort = 0;

before(async () => {
  be = await httpBackend('s1');
  lb = await startLb(config(0, 0).replace('127.0.0.1:0\n  monitor', '127.0.0.1:${fe}\n  monitor').replace('127.0.0.1:0\n', '127.0.0.1:${s1}\n'), { s1: be.port });
  if (HAPROXY) {
    hxPort = await freePort();
    hx = await startHaproxy(config(hxPort, be.port), hxPort);
  }
});

after(async () => {
  hx?.stop();
  await lb.close();
  await be.close();
});

/** One request on a fresh connection: the first response's raw bytes, and whether the connection then closed. */
async function raw(port: number, req: string): Promise<{ raw: string; status: number; closed: boolean; m: Awaited<ReturnType<Client['response']>> }> {
  const c = await Client.open(port);
  try {
    c.send(req);
    const m = await c.response();
    // a second request on the same connection: answered (keep-alive) or the connection closed
    await new Promise((r) => setTimeout(r, 20));
    return { raw: m.raw.toString('latin1'), status: m.status, closed: c.ended, m };
  } finally {
    c.close();
  }
}

const basic = (u: string, p: string) => `Authorization: Basic ${Buffer.from(`${u}:${p}`).toString('base64')}`;

const cases: [string, string, string?][] = [
  ['deny', get('/deny')],
  ['deny_status 429', get('/deny429')],
  ['return string', get('/return')],
  ['redirect location code 301', get('/loc301')],
  ['redirect location (302)', get('/loc302')],
  ['redirect location code 303', get('/loc303')],
  ['redirect location code 307', get('/loc307')],
  ['redirect location code 308', get('/loc308')],
  ['redirect prefix', get('/p/x?q=1')],
  ['redirect scheme', get('/sch/a?b=c')],
  ['auth: no credentials', get('/auth/x')],
  ['auth: wrong password', get('/auth/x', [basic('admin', 'nope')])],
  ['monitor-uri', get('/health')],
  ['deny, HTTP/1.0', 'GET /deny HTTP/1.0\r\n\r\n'],
  ['redirect, HTTP/1.0 keep-alive', 'GET /loc301 HTTP/1.0\r\nConnection: keep-alive\r\n\r\n'],
  ['return, HTTP/1.0 keep-alive', 'GET /return HTTP/1.0\r\nConnection: keep-alive\r\n\r\n'],
  ['deny, HTTP/1.1 Connection: close', get('/deny', ['Connection: close'])],
];

for (const [what, req, todo] of cases) {
  test(`same bytes as HAProxy 2.6: ${what}`, { todo }, async (t) => {
    if (!hx) return t.skip('haproxy is not installed');
    const [mine, ref] = await Promise.all([raw(lb.port, req), raw(hxPort, req)]);
    assert.equal(mine.raw, ref.raw);
  });
}

test('captured HAProxy bytes: 301, 302, deny 403, deny_status 429, return', async () => {
  assert.equal((await raw(lb.port, get('/loc301'))).raw, 'HTTP/1.1 301 Moved Permanently\r\ncontent-length: 0\r\nlocation: /new\r\n\r\n');
  assert.equal((await raw(lb.port, get('/loc302'))).raw, 'HTTP/1.1 302 Found\r\ncontent-length: 0\r\nlocation: /new\r\ncache-control: no-cache\r\n\r\n');
  const deny = await raw(lb.port, get('/deny'));
  assert.match(deny.raw, /^HTTP\/1\.1 403 Forbidden\r\ncontent-length: 93\r\ncache-control: no-cache\r\ncontent-type: text\/html\r\n\r\n<html><body><h1>403 Forbidden<\/h1>\nRequest forbidden by administrative rules.\n<\/body><\/html>\n$/);
  const d429 = await raw(lb.port, get('/deny429'));
  assert.equal(d429.status, 429);
  assert.match(d429.raw, /^HTTP\/1\.1 429 Too Many Requests\r\n/);
  const ret = await raw(lb.port, get('/return'));
  assert.equal(ret.raw, 'HTTP/1.1 200 OK\r\ncontent-length: 2\r\ncontent-type: text/plain\r\n\r\nhi');
});

test('redirect prefix and scheme build the location from the request', async () => {
  assert.equal(field((await raw(lb.port, get('/p/x?q=1'))).m, 'location'), '/pre/p/x?q=1');
  assert.equal(field((await raw(lb.port, get('/sch/a?b=c'))).m, 'location'), 'https://test/sch/a?b=c');
});

test('auth: 401 with www-authenticate, then 200 with the right Basic credentials (reaching the server)', async () => {
  const r = await raw(lb.port, get('/auth/x'));
  assert.equal(r.status, 401);
  assert.equal(field(r.m, 'www-authenticate'), 'Basic realm="private"');
  const before = be.requests.length;
  const ok = await raw(lb.port, get('/auth/x', [basic('admin', 'secret')]));
  assert.equal(ok.status, 200);
  assert.equal(ok.m.body.toString(), 's1 /auth/x');
  assert.equal(be.requests.length, before + 1);
  assert.equal((await raw(lb.port, get('/auth/x', [basic('admin', 'secretx')]))).status, 401);
});

test('local answers never reach the server, keep the connection usable, and are counted', async () => {
  const fe0 = lb.stat()['f/FRONTEND']!;
  const n0 = be.requests.length;
  const c = await Client.open(lb.port);
  try {
    for (const p of ['/return', '/loc301', '/health', '/deny']) {
      c.send(get(p));
      await c.response();
    }
  } finally {
    c.close();
  }
  assert.equal(be.requests.length, n0, 'no request reached the server');
  const fe1 = lb.stat()['f/FRONTEND']!;
  const d = (k: string) => Number(fe1[k]) - Number(fe0[k]);
  assert.equal(d('req_tot'), 4);
  assert.equal(d('hrsp_2xx'), 2, 'return + monitor-uri');
  assert.equal(d('hrsp_3xx'), 1);
  assert.equal(d('hrsp_4xx'), 1);
  assert.equal(d('dreq'), 1, 'deny counted in dreq');
  assert.equal(d('intercepted'), 3, 'return, redirect, monitor-uri intercepted');
});
