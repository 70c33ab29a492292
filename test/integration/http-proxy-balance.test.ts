/**
 * HTTP-mode backend behaviour through real traffic: the hashing balance algorithms (`uri` with `depth`,
 * `len`, `whole`; `url_param`; `hdr(<name>)`; `source` in http mode) against three servers that answer
 * their own name, the connection modes `option http-server-close` and `option httpclose` (server
 * connections counted on the server), `errorfile` for 503 and 403, `observe layer7` with `error-limit`
 * and `on-error mark-down`, and `show sess` over the admin socket listing an HTTP client connection.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client, field, get, httpBackend, ok, request, type HttpBackend } from '../helpers/http-wire.js';
import { DEFAULTS, startLb, type Lb } from '../helpers/http-lb.js';
import { HAPROXY, startHaproxy } from '../helpers/http-haproxy.js';
import { deadPort, freePort } from '../helpers/net.js';
import { waitFor } from '../helpers/wait.js';
import { exchange, startAdmin } from './admin-harness.js';

const dir = mkdtempSync(join(tmpdir(), 'lbd-balance-'));
const E503 = 'HTTP/1.1 503 Service Unavailable\r\ncontent-type: text/plain\r\ncontent-length: 17\r\nconnection: close\r\n\r\ncustom 503 page.\n';
const E403 = 'HTTP/1.1 403 Forbidden\r\ncontent-type: text/plain\r\ncontent-length: 14\r\nconnection: close\r\n\r\nno entry here\n';
writeFileSync(join(dir, '503.http'), E503);
writeFileSync(join(dir, '403.http'), E403);

const three = (p: Record<string, number>) => `  server a 127.0.0.1:${p.a}\n  server b 127.0.0.1:${p.b}\n  server c 127.0.0.1:${p.c}\n`;
const config = (p: Record<string, number>) => `
${DEFAULTS}
frontend uri
  bind 127.0.0.1:\${fe}
  default_backend uri
frontend depth
  bind 127.0.0.1:\${depth}
  default_backend depth
frontend len
  bind 127.0.0.1:\${len}
  default_backend len
frontend whole
  bind 127.0.0.1:\${whole}
  default_backend whole
frontend param
  bind 127.0.0.1:\${param}
  default_backend param
frontend hdr
  bind 127.0.0.1:\${hdr}
  default_backend hdr
frontend source
  bind 127.0.0.1:\${source}
  default_backend source
frontend sclose
  bind 127.0.0.1:\${sclose}
  option http-server-close
  default_backend sclose
frontend ka
  bind 127.0.0.1:\${ka}
  default_backend ka
frontend hclose
  bind 127.0.0.1:\${hclose}
  option httpclose
  default_backend hclose
frontend errors
  bind 127.0.0.1:\${errors}
  errorfile 403 ${dir}/403.http
  http-request deny if { path_beg /deny }
  default_backend nosrv
frontend observe
  bind 127.0.0.1:\${observe}
  default_backend observe
frontend observe2
  bind 127.0.0.1:\${observe2}
  default_backend observe2
backend uri
  balance uri
${three(p)}backend depth
  balance uri depth 1
${three(p)}backend len
  balance uri len 3
${three(p)}backend whole
  balance uri whole
${three(p)}backend param
  balance url_param user
${three(p)}backend hdr
  balance hdr(X-User)
${three(p)}backend source
  balance source
${three(p)}backend sclose
  server k 127.0.0.1:${p.sclose}
backend ka
  server k 127.0.0.1:${p.kasrv}
backend hclose
  server k 127.0.0.1:${p.hclose}
backend nosrv
  errorfile 503 ${dir}/503.http
  server d 127.0.0.1:${p.dead} disabled
backend observe
  server o 127.0.0.1:${p.observe} check inter 10s observe layer7 error-limit 3 on-error mark-down
backend observe2
  server o 127.0.0.1:${p.observe} check inter 10s observe layer7 error-limit 3 on-error mark-down
`;

let a: HttpBackend, b: HttpBackend, c: HttpBackend;
let sclose: HttpBackend, kasrv: HttpBackend, hclose: HttpBackend, observe: HttpBackend;
let lb: Lb;
/** HAProxy 2.6 with the same config (its own frontend ports), to compare which server a hash picks. */
let hx: { stop(): void } | null = null;
const hxPorts: Record<string, number> = {};

before(async () => {
  a = await httpBackend('a');
  b = await httpBackend('b');
  c = await httpBackend('c');
  sclose = await httpBackend('sclose');
  kasrv = await httpBackend('ka');
  hclose = await httpBackend('hclose');
  observe = await httpBackend('observe', (r) => (r.req.path.startsWith('/fail') ? ok('broken', [], '500 Internal Server Error') : ok('fine')));
  const dead = await deadPort();
  const text = config({ a: a.port, b: b.port, c: c.port, sclose: sclose.port, kasrv: kasrv.port, hclose: hclose.port, observe: observe.port, dead });
  lb = await startLb(text);
  if (HAPROXY) {
    for (const n of new Set([...text.matchAll(/\$\{(\w+)\}/g)].map((m) => m[1]!))) hxPorts[n === 'fe' ? 'uri' : n] = await freePort();
    hx = await startHaproxy(text.replace(/\$\{(\w+)\}/g, (_, n: string) => String(hxPorts[n === 'fe' ? 'uri' : n])), hxPorts.uri!);
  }
});

after(async () => {
  hx?.stop();
  await lb?.close();
  for (const s of [a, b, c, sclose, kasrv, hclose, observe]) await s?.close();
  rmSync(dir, { recursive: true, force: true });
});

/** Which server answered `path` (a new connection per request). */
async function serverFor(fe: string, path: string, extra: string[] = [], on: 'lbd' | 'haproxy' = 'lbd'): Promise<string> {
  const port = on === 'haproxy' ? hxPorts[fe]! : fe === 'uri' ? lb.port : lb.ports[fe]!;
  const m = await request(port, get(path, extra));
  assert.equal(m.status, 200, `${fe} ${path}: ${m.head}`);
  const s = field(m, 'x-server');
  assert.ok(s, m.head);
  return s;
}

/** Every request of `paths` (each sent `times` times) to `fe`: the servers that answered each. */
async function spread(fe: string, paths: string[], extra: (p: string) => string[] = () => [], times = 1): Promise<Map<string, Set<string>>> {
  const out = new Map<string, Set<string>>();
  for (const p of paths) {
    const set = out.get(p) ?? new Set<string>();
    for (let i = 0; i < times; i++) set.add(await serverFor(fe, p, extra(p)));
    out.set(p, set);
  }
  return out;
}

const union = (m: Map<string, Set<string>>) => new Set([...m.values()].flatMap((s) => [...s]));
const range = (n: number) => Array.from({ length: n }, (_, i) => i);

test('balance uri: the same URI always reaches the same server, different URIs spread', async () => {
  const m = await spread('uri', range(12).map((i) => `/item/${i}`), () => [], 3);
  for (const [p, s] of m) assert.equal(s.size, 1, `${p} went to ${[...s]}`);
  assert.ok(union(m).size >= 2, `12 URIs all on ${[...union(m)]}`);
  // the query string is not part of the hash without `whole`
  const q = await spread('uri', range(6).map((i) => `/same?v=${i}`));
  assert.equal(union(q).size, 1, `one path with different query strings: ${[...union(q)]}`);
});

test('balance uri depth 1: only the first directory counts', async () => {
  const same = await spread('depth', range(8).map((i) => `/dir/${i}/x`));
  assert.equal(union(same).size, 1, `under /dir/: ${[...union(same)]}`);
  const diff = await spread('depth', range(12).map((i) => `/d${i}/x`));
  assert.ok(union(diff).size >= 2, `12 first directories all on ${[...union(diff)]}`);
});

test('balance uri len 3: only the first 3 characters count', async () => {
  const same = await spread('len', range(8).map((i) => `/ab${i}/long/${i}`));
  assert.equal(union(same).size, 1, `URIs starting /ab: ${[...union(same)]}`);
  const diff = await spread('len', range(12).map((i) => `/${String.fromCharCode(97 + i)}${i}z`));
  assert.ok(union(diff).size >= 2, `12 prefixes all on ${[...union(diff)]}`);
});

test('balance uri whole: the query string is hashed too', async () => {
  const m = await spread('whole', range(12).map((i) => `/same?v=${i}`), () => [], 2);
  for (const [p, s] of m) assert.equal(s.size, 1, `${p} went to ${[...s]}`);
  assert.ok(union(m).size >= 2, `one path, 12 query strings, all on ${[...union(m)]}`);
});

test('balance url_param user: the parameter decides; without it, round robin', async () => {
  const m = await spread('param', range(12).map((i) => `/x?a=1&user=u${i}`), () => [], 2);
  for (const [p, s] of m) assert.equal(s.size, 1, `${p} went to ${[...s]}`);
  assert.ok(union(m).size >= 2, `12 users all on ${[...union(m)]}`);
  // the same user with a different path and other parameters: same server
  const u3 = [...m.get('/x?a=1&user=u3')!][0];
  assert.equal(await serverFor('param', '/other/path?user=u3&z=9'), u3);
  // no parameter: round robin over the three
  const none = new Set<string>();
  for (let i = 0; i < 6; i++) none.add(await serverFor('param', '/x?a=1'));
  assert.equal(none.size, 3, `without the parameter: ${[...none]}`);
});

test('balance hdr(X-User): the header decides; without it, round robin', async () => {
  const same = new Set<string>();
  for (let i = 0; i < 8; i++) same.add(await serverFor('hdr', `/path-${i}?q=${i}`, ['X-User: same-user']));
  assert.equal(same.size, 1, `one header value, eight URIs: ${[...same]}`);
  const m = new Map<string, Set<string>>();
  for (let i = 0; i < 12; i++) m.set(`user${i}`, new Set([await serverFor('hdr', '/p', [`X-User: user${i}`]), await serverFor('hdr', '/q', [`X-User: user${i}`])]));
  for (const [u, s] of m) assert.equal(s.size, 1, `${u} went to ${[...s]}`);
  assert.ok(union(m).size >= 2, `12 header values all on ${[...union(m)]}`);
  const none = new Set<string>();
  for (let i = 0; i < 6; i++) none.add(await serverFor('hdr', '/p'));
  assert.equal(none.size, 3, `without the header: ${[...none]}`);
});

/** One request from a given loopback source address. */
async function fromSource(src: string, on: 'lbd' | 'haproxy' = 'lbd'): Promise<string> {
  const sock = await new Promise<net.Socket>((resolve, reject) => {
    const s = net.connect({ port: on === 'haproxy' ? hxPorts.source! : lb.ports.source!, host: '127.0.0.1', localAddress: src, allowHalfOpen: true });
    s.once('connect', () => resolve(s));
    s.once('error', reject);
  });
  const cl = new Client(sock);
  try {
    cl.send(get('/src'));
    const m = await cl.response();
    return field(m, 'x-server') ?? '?';
  } finally {
    cl.close();
  }
}

test('balance source in http mode: one client address, one server; addresses spread', async () => {
  const one = new Set<string>();
  for (let i = 0; i < 6; i++) one.add(await fromSource('127.0.0.1'));
  assert.equal(one.size, 1, `127.0.0.1 went to ${[...one]}`);
  const many = new Map<string, Set<string>>();
  for (let i = 2; i < 14; i++) {
    const src = `127.0.0.${i}`;
    many.set(src, new Set([await fromSource(src), await fromSource(src)]));
  }
  for (const [src, s] of many) assert.equal(s.size, 1, `${src} went to ${[...s]}`);
  assert.ok(union(many).size >= 2, `12 addresses all on ${[...union(many)]}`);
});

// lbd's hash keys map to servers differently from HAProxy's (sdbm + a full-avalanche mix, deliberately: README, Configuration
// reference); the tests above check what matters to clients: the same key sticks, different keys spread.

/** Three requests on one client connection; returns the client and the server connections they used. */
async function threeOnOne(port: number, srv: HttpBackend): Promise<{ conns: number[]; client: Client; heads: string[] }> {
  const before = srv.requests.length;
  const client = await Client.open(port);
  const heads: string[] = [];
  for (let i = 0; i < 3; i++) {
    client.send(get(`/r${i}`));
    const m = await client.response();
    assert.equal(m.status, 200, m.head);
    heads.push(m.head);
    if (/\r\nconnection: close\r\n/i.test(m.head)) break;
  }
  return { conns: srv.requests.slice(before).map((r) => r.conn), client, heads };
}


test('default keep-alive (control): three requests share one server connection', async () => {
  const { conns, client } = await threeOnOne(lb.ports.ka!, kasrv);
  client.close();
  assert.equal(conns.length, 3);
  assert.equal(new Set(conns).size, 1, `server connections: ${conns}`);
});

test('option http-server-close: the client connection stays, the server connection is closed after each response', async () => {
  const { conns, client } = await threeOnOne(lb.ports.sclose!, sclose);
  try {
    assert.equal(conns.length, 3, 'three requests on one client connection');
    assert.equal(new Set(conns).size, 3, `server connections: ${conns}`);
    assert.equal(client.ended, false, 'the client connection is kept');
    await waitFor(() => sclose.sockets.size === 0, 2000, 'every server connection closed');
  } finally {
    client.close();
  }
});

test('option httpclose: the client gets connection: close and both sides are closed', async () => {
  const { conns, client, heads } = await threeOnOne(lb.ports.hclose!, hclose);
  try {
    assert.equal(conns.length, 1, 'one request, then the connection is closed');
    assert.match(heads[0]!, /\r\nconnection: close\r\n/i);
    await client.closed(2000);
    await waitFor(() => hclose.sockets.size === 0, 2000, 'the server connection closed');
  } finally {
    client.close();
  }
});

test('errorfile 503: the file\'s bytes when no server is up; errorfile 403 for a deny', async () => {
  const c1 = await Client.open(lb.ports.errors!);
  try {
    c1.send(get('/'));
    const m = await c1.response();
    assert.equal(m.raw.toString('latin1'), E503);
  } finally {
    c1.close();
  }
  const c2 = await Client.open(lb.ports.errors!);
  try {
    c2.send(get('/deny'));
    const m = await c2.response();
    assert.equal(m.raw.toString('latin1'), E403);
  } finally {
    c2.close();
  }
});

test('observe layer7, error-limit 3, on-error mark-down: three 500s in a row take the server DOWN', async (t) => {
  const status = () => lb.stat()['observe/o']!.status;
  // `UP 1/3` until the first check (as HAProxy): up either way
  assert.match(status(), /^UP/);
  // all on one keep-alive client connection: one server connection, made once
  const cl = await Client.open(lb.ports.observe!);
  t.after(() => cl.close());
  const call = async (path: string) => {
    cl.send(get(path));
    return (await cl.response()).status;
  };
  // errors must be consecutive: a good answer starts the count again
  assert.deepEqual([await call('/fail'), await call('/fail'), await call('/fine'), await call('/fail'), await call('/fail')], [500, 500, 200, 500, 500]);
  assert.match(status(), /^UP/, 'never three errors in a row: still up');
  assert.equal(await call('/fail'), 500);
  await waitFor(() => status().startsWith('DOWN'), 2000, `observe/o DOWN (now ${status()})`);
  assert.equal((await request(lb.ports.observe!, get('/fine'))).status, 503, 'no server left');
});

test('observe layer7: three 500s on three new connections take the server DOWN too', async () => {
  const status = () => lb.stat()['observe2/o']!.status;
  assert.match(status(), /^UP/);
  for (let i = 0; i < 3; i++) assert.equal((await request(lb.ports.observe2!, get('/fail'), { timeoutMs: 2000 })).status, 500);
  await waitFor(() => status().startsWith('DOWN'), 1000, `observe2/o DOWN (now ${status()})`);
});

test('show sess: an HTTP request in flight is listed with its backend and server; connections without a request are not (HAProxy 2.6)', async (t) => {
  let held: import('node:net').Socket | null = null;
  const srv = await httpBackend('s', (r) => (r.req.path === '/hang' ? ((held = r.sock), null) : ok('fine')));
  const h = await startAdmin(`
defaults
    mode http
    timeout connect 2s
    timeout client 30s
    timeout server 30s
frontend web
    bind 127.0.0.1:@PORT@
    default_backend app
backend app
    server s1 127.0.0.1:${srv.port}
`);
  const busy = await Client.open(h.port);
  let idle: Client | null = null;
  t.after(async () => {
    idle?.close();
    busy.close();
    await h.close();
    await srv.close();
  });
  const sess = async () => (await exchange(h.sock, 'show sess\n')).split('\n').filter((l) => l.includes('fe=web'));
  busy.send(get('/hang'));
  await waitFor(() => srv.requests.some((r) => r.path === '/hang'), 3000, 'the request at the server');
  const [line, ...more] = await sess();
  assert.match(line ?? '', /^0x[0-9a-f]+: proto=tcpv4 src=127\.0\.0\.1(:\d+)? fe=web be=app srv=s1 age=\d+s$/);
  assert.deepEqual(more, [], 'one session: the request in flight');
  held!.write(ok('late'));
  assert.equal((await busy.response()).status, 200);
  busy.close();
  await waitFor(async () => (await sess()).length === 0, 3000, 'the session gone once its client closed');
  // HAProxy 2.6 makes a stream per request: a connection that has sent nothing yet, or is idle between
  // keep-alive requests, has none, and show sess omits it
  idle = await Client.open(h.port);
  await t.test('a connection that has sent nothing is not listed', async () => {
    assert.deepEqual(await sess(), []);
  });
  idle.send(get('/'));
  assert.equal((await idle.response()).status, 200);
  await t.test('an idle keep-alive connection is not listed', async () => {
    assert.deepEqual(await sess(), []);
  });
});
