/**
 * HTTP rules on real sockets, asserted on what the server receives and what the client gets:
 * header and URI rewrites, `http-response` rules, conditions (and/or/not, named and anonymous ACLs),
 * `use_backend` on path/host/method, hop-by-hop removal both ways, `option forwardfor` variants.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { Client, field, fields, get, httpBackend, ok, request, type BackendRequest, type HttpBackend } from '../helpers/http-wire.js';
import { DEFAULTS, startLb, type Lb } from '../helpers/http-lb.js';

let a: HttpBackend;
let b: HttpBackend;
let hop: HttpBackend;
let lb: Lb;

const text = `${DEFAULTS}
frontend f
  bind 127.0.0.1:\${fe}
  acl is_api path_beg /api
  acl is_admin hdr(host) -i admin.example
  acl is_post method POST
  http-request return status 200 content-type text/plain string unless-hit unless { path_beg /u } || { path_beg /api } || { path_beg /hdr } || { path_beg /set } || { path_beg /or } || { path_beg /not } || { path_beg /resp } || is_admin || METH_PUT || { path_beg /b }
  http-request set-header X-Set one if { path_beg /hdr }
  http-request add-header X-Add two if { path_beg /hdr }
  http-request add-header X-Add three if { path_beg /hdr }
  http-request del-header X-Del if { path_beg /hdr }
  http-request replace-header X-Rep (.*)-old \\1-new if { path_beg /hdr }
  http-request replace-value X-Val ^b$ B if { path_beg /hdr }
  http-request set-path /rewritten if { path /setpath }
  http-request set-query a=1&b=2 if { path /setquery }
  http-request set-uri /totally/new?x=y if { path /seturi }
  http-request set-method PUT if { path /setmethod }
  http-request return status 200 content-type text/plain string and if is_api is_post
  http-request return status 200 content-type text/plain string or if { path /or1 } || { path /or2 }
  http-request return status 200 content-type text/plain string not if { path_beg /not } !{ hdr(x-pass) yes }
  http-response set-header X-Resp set if { res.hdr(x-path) -m beg /resp }
  http-response del-header X-Server if { res.hdr(x-path) -m beg /resp }
  http-response deny if { res.hdr(x-path) /respdeny }
  use_backend bb if is_admin
  use_backend bb if METH_PUT
  use_backend bb if { path_beg /b/ }
  default_backend ba
frontend hop
  bind 127.0.0.1:\${fe_hop}
  default_backend bhop
backend ba
  server a 127.0.0.1:\${a}
backend bb
  server b 127.0.0.1:\${b}
backend bhop
  server h 127.0.0.1:\${h}
`;

before(async () => {
  a = await httpBackend('a', (r) => ok(`a ${r.req.path}`, ['x-server: a', `x-path: ${r.req.path}`]));
  b = await httpBackend('b');
  hop = await httpBackend('h', () =>
    ok('hop', [
      'Connection: x-bar',
      'X-Bar: secret',
      'Keep-Alive: timeout=5',
      'Proxy-Connection: keep-alive',
      'Upgrade: h2c',
      'Trailer: X-T',
      'X-Keep: yes',
    ]),
  );
  lb = await startLb(text, { a: a.port, b: b.port, h: hop.port });
});

after(async () => {
  await Promise.all([lb?.close(), a?.close(), b?.close(), hop?.close()]);
});

/** Send one request and return the response and the request the server saw (if any). */
async function exchange(req: string, port = lb.port): Promise<{ res: Awaited<ReturnType<typeof request>>; seen: BackendRequest | undefined }> {
  const before = [a.requests.length, b.requests.length, hop.requests.length];
  const res = await request(port, req);
  const seen = a.requests[before[0]!] ?? b.requests[before[1]!] ?? hop.requests[before[2]!];
  return { res, seen };
}

test('set-header, add-header (twice), del-header, replace-header, replace-value', async () => {
  const { seen } = await exchange(get('/hdr', ['X-Set: zero', 'X-Del: gone', 'X-Rep: value-old', 'X-Val: a,b,c', 'X-Add: one']));
  assert.ok(seen);
  assert.deepEqual(fields(seen, 'x-set'), ['one']);
  assert.deepEqual(fields(seen, 'x-add'), ['one', 'two', 'three']);
  assert.deepEqual(fields(seen, 'x-del'), []);
  assert.deepEqual(fields(seen, 'x-rep'), ['value-new']);
});

test('replace-value keeps the list as sent, like HAProxy 2.6 (X-Val: a,b,c → a,B,c)', async () => {
  const { seen } = await exchange(get('/hdr', ['X-Val: a,b,c']));
  assert.ok(seen);
  assert.deepEqual(fields(seen, 'x-val'), ['a,B,c']);
});

test('set-path, set-query, set-uri, set-method', async () => {
  assert.equal((await exchange(get('/setpath?keep=1'))).seen?.line, 'GET /rewritten?keep=1 HTTP/1.1');
  assert.equal((await exchange(get('/setquery?old=1'))).seen?.line, 'GET /setquery?a=1&b=2 HTTP/1.1');
  assert.equal((await exchange(get('/seturi?z=1'))).seen?.line, 'GET /totally/new?x=y HTTP/1.1');
  const m = await exchange(get('/setmethod'));
  assert.equal(m.seen?.line, 'PUT /setmethod HTTP/1.1');
  assert.equal(m.res.body.toString(), 'b /setmethod', 'use_backend runs after the frontend rules: it sees PUT');
});

test('conditions: and (named ACLs), or (anonymous), not, unless', async () => {
  assert.equal((await exchange('POST /api/x HTTP/1.1\r\nHost: t\r\nContent-Length: 0\r\n\r\n')).res.body.toString(), 'and');
  assert.equal((await exchange(get('/api/x'))).res.body.toString(), 'a /api/x', 'GET /api: the and-rule does not match');
  assert.equal((await exchange(get('/or1'))).res.body.toString(), 'or');
  assert.equal((await exchange(get('/or2'))).res.body.toString(), 'or');
  assert.equal((await exchange(get('/not/x'))).res.body.toString(), 'not');
  assert.equal((await exchange(get('/not/x', ['X-Pass: yes']))).res.body.toString(), 'a /not/x');
  assert.equal((await exchange(get('/zzz'))).res.body.toString(), 'unless-hit');
});

test('use_backend on path_beg, hdr(host) and method', async () => {
  assert.equal((await exchange(get('/b/1'))).res.body.toString(), 'b /b/1');
  assert.equal((await exchange('GET /u/1 HTTP/1.1\r\nHost: ADMIN.example\r\n\r\n')).res.body.toString(), 'b /u/1');
  assert.equal((await exchange('PUT /u/2 HTTP/1.1\r\nHost: t\r\nContent-Length: 0\r\n\r\n')).res.body.toString(), 'b /u/2');
  assert.equal((await exchange(get('/u/3'))).res.body.toString(), 'a /u/3');
  // on one keep-alive connection, each request is routed on its own
  const c = await Client.open(lb.port);
  try {
    const got: string[] = [];
    for (const p of ['/u/a', '/b/b', '/u/c', '/b/d']) {
      c.send(get(p));
      got.push((await c.response()).body.toString());
    }
    assert.deepEqual(got, ['a /u/a', 'b /b/b', 'a /u/c', 'b /b/d']);
  } finally {
    c.close();
  }
});

test('http-response set-header, del-header', async () => {
  const { res } = await exchange(get('/resp/x'));
  assert.equal(res.status, 200);
  assert.equal(field(res, 'x-resp'), 'set');
  assert.equal(field(res, 'x-server'), undefined);
  const plain = await exchange(get('/u/x'));
  assert.equal(field(plain.res, 'x-server'), 'a');
});

test('http-response deny: 502 to the client, counted in dresp', async () => {
  const before = lb.num('f/FRONTEND', 'dresp') + lb.num('ba/BACKEND', 'dresp');
  const { res } = await exchange(get('/respdeny'));
  assert.equal(res.status, 502);
  assert.match(res.raw.toString('latin1'), /^HTTP\/1\.1 502 Bad Gateway\r\ncontent-length: 107\r\ncache-control: no-cache\r\ncontent-type: text\/html\r\n\r\n/);
  assert.equal(res.body.toString().includes('a /respdeny'), false, 'the server body is not forwarded');
  assert.ok(lb.num('f/FRONTEND', 'dresp') + lb.num('ba/BACKEND', 'dresp') > before, 'dresp counted');
});

test('hop-by-hop fields are removed from the request (Connection-named fields too)', async () => {
  const { seen } = await exchange(
    get('/x', ['Connection: keep-alive, X-Foo', 'X-Foo: 1', 'Keep-Alive: 300', 'TE: trailers', 'Trailer: X-A', 'Upgrade: h2c', 'Proxy-Connection: keep-alive', 'X-Keep: yes']),
    lb.ports.fe_hop,
  );
  assert.ok(seen);
  for (const h of ['x-foo', 'keep-alive', 'te', 'trailer', 'upgrade', 'proxy-connection']) assert.deepEqual(fields(seen, h), [], `${h} removed`);
  assert.ok(!/x-foo|upgrade/i.test(field(seen, 'connection') ?? ''), `connection to the server: ${field(seen, 'connection')}`);
  assert.equal(field(seen, 'x-keep'), 'yes');
  assert.equal(field(seen, 'host'), 'test');
});

test('hop-by-hop fields are removed from the response (Connection-named fields too)', async () => {
  const { res } = await exchange(get('/y'), lb.ports.fe_hop);
  assert.equal(res.body.toString(), 'hop');
  for (const h of ['x-bar', 'keep-alive', 'proxy-connection', 'upgrade', 'trailer']) assert.deepEqual(fields(res, h), [], `${h} removed: ${res.head}`);
  assert.ok(!/x-bar/i.test(field(res, 'connection') ?? ''));
  assert.equal(field(res, 'x-keep'), 'yes');
});

test('option forwardfor, except, header, if-none', async (t) => {
  const s = await httpBackend('s');
  const lb2 = await startLb(`${DEFAULTS}
listen plain
  bind 127.0.0.1:\${p1}
  option forwardfor
  server s 127.0.0.1:\${s}
listen except
  bind 127.0.0.1:\${p2}
  option forwardfor except 127.0.0.0/8
  server s 127.0.0.1:\${s}
listen hdr
  bind 127.0.0.1:\${p3}
  option forwardfor header X-Client
  server s 127.0.0.1:\${s}
listen ifnone
  bind 127.0.0.1:\${p4}
  option forwardfor if-none
  server s 127.0.0.1:\${s}
`, { s: s.port });
  t.after(() => Promise.all([lb2.close(), s.close()]));
  const seen = async (port: number, extra: string[] = []) => {
    await request(port, get('/', extra));
    return s.requests[s.requests.length - 1]!;
  };
  assert.deepEqual(fields(await seen(lb2.ports.p1!), 'x-forwarded-for'), ['127.0.0.1']);
  assert.deepEqual(fields(await seen(lb2.ports.p1!, ['X-Forwarded-For: 10.0.0.1']), 'x-forwarded-for'), ['10.0.0.1', '127.0.0.1'], 'appended as a new field, like HAProxy');
  assert.deepEqual(fields(await seen(lb2.ports.p2!), 'x-forwarded-for'), [], 'except 127.0.0.0/8');
  const h = await seen(lb2.ports.p3!);
  assert.deepEqual(fields(h, 'x-client'), ['127.0.0.1']);
  assert.deepEqual(fields(h, 'x-forwarded-for'), []);
  assert.deepEqual(fields(await seen(lb2.ports.p4!), 'x-forwarded-for'), ['127.0.0.1']);
  assert.deepEqual(fields(await seen(lb2.ports.p4!, ['X-Forwarded-For: 10.0.0.1']), 'x-forwarded-for'), ['10.0.0.1'], 'if-none: kept as sent');
});
