/**
 * HTTP mode keep-alive on both legs, on real sockets: one client connection carrying N requests uses
 * few server connections; `http-reuse never|safe|always`; no reuse of a connection the server is about
 * to close (its Keep-Alive timeout) and recovery when it closed one; pipelined requests answered in order.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Client, get, httpBackend, ok, request } from '../helpers/http-wire.js';
import { DEFAULTS, startLb } from '../helpers/http-lb.js';
import { waitFor } from '../helpers/wait.js';

const cfg = (reuse: string, extra = '') => `${DEFAULTS}
frontend f
  bind 127.0.0.1:\${fe}
  default_backend b
backend b
  http-reuse ${reuse}
${extra}
  server s1 127.0.0.1:\${s1}
`;

test('10 requests over one client connection use one server connection; counters', async (t) => {
  const be = await httpBackend('s1');
  const lb = await startLb(cfg('safe'), { s1: be.port });
  t.after(() => Promise.all([lb.close(), be.close()]));
  const c = await Client.open(lb.port);
  t.after(() => c.close());
  for (let i = 0; i < 10; i++) {
    c.send(get(`/r${i}`));
    const r = await c.response();
    assert.equal(r.status, 200);
    assert.equal(r.body.toString(), `s1 /r${i}`);
  }
  assert.equal(be.requests.length, 10);
  assert.equal(be.accepted, 1, 'one server connection for the whole keep-alive client session');
  assert.deepEqual(new Set(be.requests.map((r) => r.conn)), new Set([1]));
  assert.equal(lb.num('f/FRONTEND', 'req_tot'), 10);
  assert.equal(lb.num('f/FRONTEND', 'hrsp_2xx'), 10);
  assert.equal(lb.num('b/s1', 'hrsp_2xx'), 10);
  assert.equal(lb.num('b/BACKEND', 'hrsp_2xx'), 10);
  assert.equal(lb.num('b/s1', 'connect'), 1, 'server connect');
  assert.equal(lb.num('b/s1', 'reuse'), 9, 'server reuse');
  assert.equal(lb.num('f/FRONTEND', 'stot'), 1, 'one client session');
});

/** Two client connections one after the other: how many server connections for each reuse mode. */
async function twoClients(reuse: string): Promise<{ accepted: number; secondReused: boolean }> {
  const be = await httpBackend('s1');
  const lb = await startLb(cfg(reuse), { s1: be.port });
  try {
    const a = await Client.open(lb.port);
    a.send(get('/a'));
    assert.equal((await a.response()).status, 200);
    // keep `a` open: its server connection is idle in the pool
    const b = await Client.open(lb.port);
    b.send(get('/b1'));
    assert.equal((await b.response()).status, 200);
    const firstOfB = be.requests[1]!.conn;
    b.send(get('/b2'));
    assert.equal((await b.response()).status, 200);
    a.close();
    b.close();
    return { accepted: be.accepted, secondReused: firstOfB === 1 };
  } finally {
    await lb.close();
    await be.close();
  }
}

test('http-reuse never: each client connection has its own server connection, never shared', async () => {
  const r = await twoClients('never');
  assert.equal(r.secondReused, false);
  assert.equal(r.accepted, 2);
});

test('http-reuse safe: the first request of a new client connection does not take another session\'s idle connection', async () => {
  const r = await twoClients('safe');
  assert.equal(r.secondReused, false, 'first request of client b went over a new server connection');
});

test('http-reuse always: the first request of a new client connection reuses an idle one', async () => {
  const r = await twoClients('always');
  assert.equal(r.secondReused, true);
  assert.equal(r.accepted, 1);
});

test('http-reuse never: sequential client connections still keep their own server connection alive', async (t) => {
  const be = await httpBackend('s1');
  const lb = await startLb(cfg('never'), { s1: be.port });
  t.after(() => Promise.all([lb.close(), be.close()]));
  const c = await Client.open(lb.port);
  t.after(() => c.close());
  for (let i = 0; i < 3; i++) {
    c.send(get('/x'));
    assert.equal((await c.response()).status, 200);
  }
  assert.equal(be.accepted, 1);
});

test('a server connection whose Keep-Alive timeout is about to expire is not reused', async (t) => {
  const be = await httpBackend('s1', (r) => ok('x', ['Keep-Alive: timeout=2']));
  const lb = await startLb(cfg('always'), { s1: be.port });
  t.after(() => Promise.all([lb.close(), be.close()]));
  const c = await Client.open(lb.port);
  t.after(() => c.close());
  c.send(get('/1'));
  assert.equal((await c.response()).status, 200);
  c.send(get('/2'));
  assert.equal((await c.response()).status, 200);
  assert.equal(be.requests[1]!.conn, 1, 'immediately after: reused');
  // the server keeps its connection open forever, but announced 2 s: minus lbd's 1 s margin, after 1.1 s
  // lbd must not use it any more
  await new Promise((r) => setTimeout(r, 1100));
  c.send(get('/3'));
  assert.equal((await c.response()).status, 200);
  assert.equal(be.requests[2]!.conn, 2, 'past the announced timeout: a new connection');
});

test('the server closes its idle connection: the next request still succeeds over a new one', async (t) => {
  const be = await httpBackend('s1', (r) => {
    const out = ok('x');
    setTimeout(() => r.sock.end(), 30); // close the idle connection shortly after answering
    return out;
  });
  const lb = await startLb(cfg('always'), { s1: be.port });
  t.after(() => Promise.all([lb.close(), be.close()]));
  const c = await Client.open(lb.port);
  t.after(() => c.close());
  for (let i = 0; i < 3; i++) {
    c.send(get(`/${i}`));
    const r = await c.response();
    assert.equal(r.status, 200, `request ${i}`);
    await waitFor(() => be.sockets.size === 0, 2000, 'the server to close');
  }
  assert.equal(be.accepted, 3);
  assert.equal(lb.num('f/FRONTEND', 'hrsp_5xx'), 0);
});

test('a server that answers then closes at once: the next request goes over a new connection', async (t) => {
  // server closes silently right after the response: no FIN seen yet when the next request goes
  const be = await httpBackend('s1', (r) => {
    r.sock.write(ok('x'));
    r.sock.destroy();
    return null;
  });
  const lb = await startLb(cfg('always'), { s1: be.port });
  t.after(() => Promise.all([lb.close(), be.close()]));
  const c = await Client.open(lb.port);
  t.after(() => c.close());
  c.send(get('/1'));
  assert.equal((await c.response()).status, 200);
  c.send(get('/2'));
  assert.equal((await c.response()).status, 200);
});

test('pipelining: 5 requests written at once are answered in order, each complete', async (t) => {
  const be = await httpBackend('s1', (r) => {
    // answer the first slowly, so later requests are waiting in lbd
    const body = `${r.req.path} `.repeat(r.req.path === '/p0' ? 2000 : 3);
    if (r.req.path === '/p0') {
      setTimeout(() => r.sock.write(ok(body)), 50);
      return null;
    }
    return ok(body);
  });
  const lb = await startLb(cfg('safe'), { s1: be.port });
  t.after(() => Promise.all([lb.close(), be.close()]));
  const c = await Client.open(lb.port);
  t.after(() => c.close());
  c.send([0, 1, 2, 3, 4].map((i) => get(`/p${i}`)).join(''));
  for (let i = 0; i < 5; i++) {
    const r = await c.response();
    assert.equal(r.status, 200);
    assert.equal(r.body.toString(), `/p${i} `.repeat(i === 0 ? 2000 : 3));
  }
  assert.equal(c.pending.length, 0, 'nothing extra');
  assert.deepEqual(be.requests.map((r) => r.path), ['/p0', '/p1', '/p2', '/p3', '/p4']);
  assert.equal(lb.num('f/FRONTEND', 'req_tot'), 5);
});

test('pipelining with a POST body between GETs and a HEAD', async (t) => {
  const be = await httpBackend('s1', (r) => ok(`${r.req.method} ${r.req.body.toString()}`));
  const lb = await startLb(cfg('safe'), { s1: be.port });
  t.after(() => Promise.all([lb.close(), be.close()]));
  const c = await Client.open(lb.port);
  t.after(() => c.close());
  c.send(get('/a') + 'POST /b HTTP/1.1\r\nHost: t\r\nContent-Length: 5\r\n\r\nhello' + get('/c', [], 'HEAD') + get('/d'));
  assert.equal((await c.response()).body.toString(), 'GET ');
  assert.equal((await c.response()).body.toString(), 'POST hello');
  const h = await c.response({ head: true });
  assert.equal(h.status, 200);
  assert.equal(h.body.length, 0);
  assert.equal((await c.response()).body.toString(), 'GET ');
  assert.equal(c.pending.length, 0);
});

test('HTTP/1.0 client without keep-alive: response then close', async (t) => {
  const be = await httpBackend('s1');
  const lb = await startLb(cfg('safe'), { s1: be.port });
  t.after(() => Promise.all([lb.close(), be.close()]));
  const c = await Client.open(lb.port);
  t.after(() => c.close());
  c.send('GET /old HTTP/1.0\r\n\r\n');
  const r = await c.response();
  assert.equal(r.status, 200);
  assert.equal(r.body.toString(), 's1 /old');
  await c.closed();
});

test('one-shot helper sanity: request() reads one response', async (t) => {
  const be = await httpBackend('s1');
  const lb = await startLb(cfg('safe'), { s1: be.port });
  t.after(() => Promise.all([lb.close(), be.close()]));
  const r = await request(lb.port, get('/z'));
  assert.equal(r.body.toString(), 's1 /z');
  assert.equal(r.line, 'HTTP/1.1 200 OK');
});

test('Keep-Alive: timeout=1 leaves no safe window (1 s margin): the connection is never reused', async (t) => {
  const be = await httpBackend('s1', () => ok('x', ['Keep-Alive: timeout=1']));
  const lb = await startLb(cfg('always'), { s1: be.port });
  t.after(() => Promise.all([lb.close(), be.close()]));
  const c = await Client.open(lb.port);
  t.after(() => c.close());
  for (let i = 0; i < 3; i++) {
    c.send(get(`/${i}`));
    assert.equal((await c.response()).status, 200);
  }
  assert.deepEqual(be.requests.map((r) => r.conn), [1, 2, 3]);
  assert.equal(lb.num('b/s1', 'reuse'), 0);
  assert.equal(lb.num('b/s1', 'connect'), 3);
});

test('HTTP/1.0 client with Connection: keep-alive: the proxied answer says keep-alive and the connection stays usable', async (t) => {
  const be = await httpBackend('s1');
  const lb = await startLb(cfg('safe'), { s1: be.port });
  t.after(() => Promise.all([lb.close(), be.close()]));
  const c = await Client.open(lb.port);
  t.after(() => c.close());
  for (let i = 0; i < 2; i++) {
    c.send(`GET /k${i} HTTP/1.0\r\nConnection: keep-alive\r\n\r\n`);
    const r = await c.response();
    assert.equal(r.body.toString(), `s1 /k${i}`);
    assert.match(r.head, /\r\nconnection: keep-alive\r\n/i);
  }
});

test('Connection: close from the client: the answer says close, then lbd closes; the server connection is kept for others', async (t) => {
  const be = await httpBackend('s1');
  const lb = await startLb(cfg('always'), { s1: be.port });
  t.after(() => Promise.all([lb.close(), be.close()]));
  const c = await Client.open(lb.port);
  t.after(() => c.close());
  c.send(get('/bye', ['Connection: close']));
  const r = await c.response();
  assert.equal(r.status, 200);
  assert.match(r.head, /\r\nconnection: close\r\n/i);
  await c.closed();
  assert.match(be.requests[0]!.head, /^GET \/bye HTTP\/1\.1\r\n/);
  const c2 = await Client.open(lb.port);
  t.after(() => c2.close());
  c2.send(get('/next'));
  assert.equal((await c2.response()).status, 200);
  assert.equal(be.accepted, 1, 'the server connection survived the client\'s close (http-reuse always)');
});

test('counters after a known sequence: 2 clients × 3 requests (200, 404 from the server, local 200)', async (t) => {
  const be = await httpBackend('s1', (r) => (r.req.path === '/missing' ? ok('no', [], '404 Not Found') : ok('yes')));
  const lb = await startLb(cfg('safe', '  http-request return status 200 content-type text/plain string local if { path /local }'), { s1: be.port });
  t.after(() => Promise.all([lb.close(), be.close()]));
  for (let k = 0; k < 2; k++) {
    const c = await Client.open(lb.port);
    for (const p of ['/ok', '/missing', '/local']) {
      c.send(get(p));
      await c.response();
    }
    c.close();
  }
  await waitFor(() => lb.num('f/FRONTEND', 'scur') === 0, 2000, 'sessions to end');
  const st = lb.stat();
  const n = (row: string, f: string) => Number(st[row]![f] || 0);
  assert.equal(n('f/FRONTEND', 'req_tot'), 6);
  assert.equal(n('f/FRONTEND', 'hrsp_2xx'), 4);
  assert.equal(n('f/FRONTEND', 'hrsp_4xx'), 2);
  assert.equal(n('f/FRONTEND', 'stot'), 2);
  assert.equal(n('b/BACKEND', 'hrsp_2xx'), 4, 'the backend\'s own `return` is counted on the backend');
  assert.equal(n('b/BACKEND', 'hrsp_4xx'), 2);
  assert.equal(n('f/FRONTEND', 'intercepted'), 2);
  assert.equal(n('b/s1', 'hrsp_2xx'), 2);
  assert.equal(n('b/s1', 'hrsp_4xx'), 2);
  assert.equal(n('b/s1', 'connect') + n('b/s1', 'reuse'), 4, 'every proxied request either connected or reused');
  assert.equal(be.requests.length, 4);
  assert.equal(n('b/s1', 'connect'), be.accepted);
});
