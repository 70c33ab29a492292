/**
 * Cookie persistence on real sockets: `cookie SRV insert indirect nocache` (Set-Cookie on the first
 * response, stickiness, the cookie hidden from the server, a drained server keeping its cookie clients
 * and getting no new ones, a server in maintenance losing them), `rewrite` and `prefix` modes; the
 * inserted response compared with HAProxy 2.6's bytes.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { field, fields, get, httpBackend, ok, request } from '../helpers/http-wire.js';
import { DEFAULTS, startLb } from '../helpers/http-lb.js';
import { HAPROXY, startHaproxy } from '../helpers/http-haproxy.js';
import { freePort } from '../helpers/net.js';

const insert = `${DEFAULTS}
frontend f
  bind 127.0.0.1:\${fe}
  default_backend b
backend b
  balance roundrobin
  cookie SRV insert indirect nocache
  server s1 127.0.0.1:\${s1} cookie s1
  server s2 127.0.0.1:\${s2} cookie s2
`;

async function two(handler?: Parameters<typeof httpBackend>[1]) {
  const s1 = await httpBackend('s1', handler);
  const s2 = await httpBackend('s2', handler);
  return { s1, s2, close: () => Promise.all([s1.close(), s2.close()]) };
}

const who = async (port: number, extra: string[] = []) => {
  const r = await request(port, get('/', extra));
  assert.equal(r.status, 200);
  return { name: r.body.toString().split(' ')[0]!, r };
};

test('insert indirect nocache: the first response sets the cookie', async (t) => {
  const { s1, s2, close } = await two();
  const lb = await startLb(insert, { s1: s1.port, s2: s2.port });
  t.after(() => Promise.all([lb.close(), close()]));
  const first = await who(lb.port);
  assert.deepEqual(fields(first.r, 'set-cookie'), [`SRV=${first.name}; path=/`]);
  // the client holds the right cookie: no new Set-Cookie, and the server never sees lbd's cookie
  for (let i = 0; i < 4; i++) {
    const again = await who(lb.port, [`Cookie: SRV=${first.name}; app=7`]);
    assert.equal(again.name, first.name, 'sticks to the server of the cookie');
    assert.deepEqual(fields(again.r, 'set-cookie'), []);
  }
  const seenBy = first.name === 's1' ? s1 : s2;
  const last = seenBy.requests[seenBy.requests.length - 1]!;
  assert.deepEqual(fields(last, 'cookie'), ['app=7'], 'indirect: SRV removed, other cookies kept');
  // a cookie naming the other server goes there
  const other = first.name === 's1' ? 's2' : 's1';
  assert.equal((await who(lb.port, [`Cookie: SRV=${other}`])).name, other);
  // an unknown value: the balancer chooses, and the response sets a valid cookie
  const bad = await who(lb.port, ['Cookie: SRV=nope']);
  assert.deepEqual(fields(bad.r, 'set-cookie'), [`SRV=${bad.name}; path=/`]);
});

test('a drained server keeps its cookie clients and gets no new ones; in maintenance it loses them', async (t) => {
  const { s1, s2, close } = await two();
  const lb = await startLb(insert, { s1: s1.port, s2: s2.port });
  t.after(() => Promise.all([lb.close(), close()]));
  lb.rt.setServerState(lb.rt.findServer('b', 's1')!, 'drain', 'set server b/s1 state drain');
  const fresh = await Promise.all([1, 2, 3, 4, 5, 6].map(() => who(lb.port)));
  assert.deepEqual(fresh.map((f) => f.name), ['s2', 's2', 's2', 's2', 's2', 's2'], 'no new client for the drained server');
  for (let i = 0; i < 3; i++) assert.equal((await who(lb.port, ['Cookie: SRV=s1'])).name, 's1', 'cookie clients still reach it');
  lb.rt.setServerState(lb.rt.findServer('b', 's1')!, 'maint', 'set server b/s1 state maint');
  const moved = await who(lb.port, ['Cookie: SRV=s1']);
  assert.equal(moved.name, 's2');
  assert.deepEqual(fields(moved.r, 'set-cookie'), ['SRV=s2; path=/'], 'the client gets its new server');
});

test('rewrite: the server\'s own cookie value becomes the server id; requests stick by it', async (t) => {
  const { s1, s2, close } = await two((r) => ok(`${r.req.path}`, ['Set-Cookie: JSESSIONID=abc123; path=/; HttpOnly']));
  const lb = await startLb(`${DEFAULTS}
frontend f
  bind 127.0.0.1:\${fe}
  default_backend b
backend b
  cookie JSESSIONID rewrite
  server s1 127.0.0.1:\${s1} cookie s1
  server s2 127.0.0.1:\${s2} cookie s2
`, { s1: s1.port, s2: s2.port });
  t.after(() => Promise.all([lb.close(), close()]));
  const r = await request(lb.port, get('/'));
  const set = fields(r, 'set-cookie');
  assert.equal(set.length, 1);
  const m = /^JSESSIONID=(s[12]); path=\/; HttpOnly$/.exec(set[0]!);
  assert.ok(m, set[0]);
  for (let i = 0; i < 3; i++) {
    await request(lb.port, get('/again', [`Cookie: JSESSIONID=${m[1]}`]));
  }
  const target = m[1] === 's1' ? s1 : s2;
  assert.equal(target.requests.filter((q) => q.path === '/again').length, 3);
});

test('prefix: the client gets <server>~<value>; the server gets its own value back', async (t) => {
  const { s1, s2, close } = await two((r) => ok(`${r.req.path}`, ['Set-Cookie: JSESSIONID=abc123; path=/']));
  const lb = await startLb(`${DEFAULTS}
frontend f
  bind 127.0.0.1:\${fe}
  default_backend b
backend b
  cookie JSESSIONID prefix
  server s1 127.0.0.1:\${s1} cookie s1
  server s2 127.0.0.1:\${s2} cookie s2
`, { s1: s1.port, s2: s2.port });
  t.after(() => Promise.all([lb.close(), close()]));
  const r = await request(lb.port, get('/'));
  const set = fields(r, 'set-cookie')[0] ?? '';
  const m = /^JSESSIONID=(s[12])~abc123; path=\/$/.exec(set);
  assert.ok(m, set);
  for (let i = 0; i < 3; i++) await request(lb.port, get('/p', [`Cookie: a=1; JSESSIONID=${m[1]}~abc123; b=2`]));
  const target = m[1] === 's1' ? s1 : s2;
  const seen = target.requests.filter((q) => q.path === '/p');
  assert.equal(seen.length, 3);
  assert.deepEqual(fields(seen[0]!, 'cookie'), ['a=1; JSESSIONID=abc123; b=2']);
});

/** The same request through lbd and through HAProxy 2.6 with the same config; both raw responses. */
async function againstHaproxy(t: import('node:test').TestContext, handler: Parameters<typeof httpBackend>[1], path = '/') {
  const { s1, s2, close } = await two(handler);
  const lb = await startLb(insert, { s1: s1.port, s2: s2.port });
  const hxPort = await freePort();
  const hx = await startHaproxy(insert.replace('${fe}', String(hxPort)).replace('${s1}', String(s1.port)).replace('${s2}', String(s2.port)), hxPort);
  t.after(async () => {
    hx.stop();
    await Promise.all([lb.close(), close()]);
  });
  const mine = await request(lb.port, get(path));
  const ref = await request(hxPort, get(path));
  return { mine: mine.raw.toString('latin1'), ref: ref.raw.toString('latin1') };
}

test('insert nocache on a cacheable response: same bytes as HAProxy 2.6 (set-cookie, cache-control: private)', async (t) => {
  if (!HAPROXY) return t.skip('haproxy is not installed');
  const r = await againstHaproxy(t, () => ok('body', ['cache-control: max-age=60']));
  assert.match(r.ref, /\r\nset-cookie: SRV=s1; path=\/\r\ncache-control: private\r\n/);
  assert.equal(r.mine, r.ref);
});

test('nocache: a cacheable response with an inserted cookie gets Cache-Control: private, one without freshness information does not', async (t) => {
  const { s1, s2, close } = await two((r) => ok('body', r.req.path === '/cacheable' ? ['cache-control: max-age=60'] : []));
  const lb = await startLb(insert, { s1: s1.port, s2: s2.port });
  t.after(() => Promise.all([lb.close(), close()]));
  const c = await request(lb.port, get('/cacheable'));
  assert.deepEqual(fields(c, 'cache-control'), ['max-age=60', 'private']);
  const n = await request(lb.port, get('/plain'));
  assert.equal(fields(n, 'set-cookie').length, 1);
  assert.deepEqual(fields(n, 'cache-control'), []);
});

test('insert nocache on a response without freshness information: HAProxy 2.6 adds no cache-control: private', async (t) => {
  if (!HAPROXY) return t.skip('haproxy is not installed');
  const r = await againstHaproxy(t, () => ok('body', ['x-app: 1']));
  assert.doesNotMatch(r.ref, /cache-control/i);
  assert.doesNotMatch(r.mine, /cache-control/i);
});

test('a proxied response with mixed-case field names: HAProxy 2.6\'s bytes but for case (lbd keeps the names as the server sent them, deliberately)', async (t) => {
  if (!HAPROXY) return t.skip('haproxy is not installed');
  const r = await againstHaproxy(t, () => 'HTTP/1.1 200 OK\r\nContent-Length: 2\r\nX-Mixed-Case: 1\r\nCache-Control: max-age=5\r\n\r\nok', '/');
  assert.equal(r.mine.toLowerCase(), r.ref.toLowerCase(), 'same bytes but for case');
  assert.match(r.mine, /\r\nX-Mixed-Case: 1\r\n/, 'the server\'s case is kept');
});

test('insert: a server that sets the persistence cookie itself: the client gets one Set-Cookie for SRV, as from HAProxy 2.6', async (t) => {
  const { s1, s2, close } = await two(() => ok('ok', ['set-cookie: SRV=fromapp; path=/']));
  const lb = await startLb(insert, { s1: s1.port, s2: s2.port });
  t.after(() => Promise.all([lb.close(), close()]));
  const r = await request(lb.port, get('/'));
  const srv = fields(r, 'set-cookie').filter((c) => c.startsWith('SRV='));
  assert.equal(srv.length, 1, `Set-Cookie for SRV: ${JSON.stringify(srv)}`);
  assert.match(srv[0]!, /^SRV=s[12]; path=\/$/);
  if (HAPROXY) {
    const ref = await againstHaproxy(t, () => ok('ok', ['set-cookie: SRV=fromapp; path=/']));
    assert.equal((ref.ref.match(/set-cookie: SRV=/gi) ?? []).length, 1, 'HAProxy sends one');
  }
});
