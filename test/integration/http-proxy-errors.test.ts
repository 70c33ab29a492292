/**
 * Every local error answer of the HTTP engine on real sockets, each compared byte for byte with what
 * HAProxy 2.6 sends for the same config and request (when HAProxy is installed), and counted in
 * `show stat`: 400 (bad request), 408 (`timeout http-request`, slowloris), too-large URI and head
 * (tune.bufsize), bad transfer codings, 502 (malformed server answer), 503 (no server, `timeout queue`),
 * 504 (`timeout server`), `timeout connect` against a listener with a full backlog; plus retries and
 * redispatch, and `timeout http-keep-alive`.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { Client, get, httpBackend, type HttpBackend, type Message } from '../helpers/http-wire.js';
import { startLb, type Lb } from '../helpers/http-lb.js';
import { HAPROXY, startHaproxy } from '../helpers/http-haproxy.js';
import { blackhole, connect, deadPort, freePort, tcpServer, type Blackhole, type TestServer } from '../helpers/net.js';
import { waitFor } from '../helpers/wait.js';

const FRONTENDS = ['main', 'slow', 'bad', 'down', 'hreq', 'queue', 'redisp', 'ka', 'hole'] as const;
type Fe = (typeof FRONTENDS)[number];

const config = (p: Record<string, number>) => `
defaults
  mode http
  timeout connect 300ms
  timeout client 5s
  timeout server 5s
frontend main
  bind 127.0.0.1:${p.main}
  default_backend ok
frontend slow
  bind 127.0.0.1:${p.slow}
  default_backend slow
frontend bad
  bind 127.0.0.1:${p.bad}
  default_backend bad
frontend down
  bind 127.0.0.1:${p.down}
  default_backend down
frontend hreq
  bind 127.0.0.1:${p.hreq}
  timeout http-request 300ms
  default_backend ok
frontend queue
  bind 127.0.0.1:${p.queue}
  default_backend queue
frontend redisp
  bind 127.0.0.1:${p.redisp}
  default_backend redisp
frontend ka
  bind 127.0.0.1:${p.ka}
  timeout http-keep-alive 300ms
  default_backend ok
frontend hole
  bind 127.0.0.1:${p.hole}
  default_backend hole
backend ok
  server s1 127.0.0.1:${p.ok}
backend slow
  timeout server 300ms
  server hang 127.0.0.1:${p.hang}
backend bad
  server bad 127.0.0.1:${p.badsrv}
backend down
  retries 1
  server d1 127.0.0.1:${p.dead1}
  server d2 127.0.0.1:${p.dead2}
backend queue
  timeout queue 300ms
  server q 127.0.0.1:${p.hang} maxconn 1
backend redisp
  retries 2
  option redispatch
  server dead 127.0.0.1:${p.dead1}
  server live 127.0.0.1:${p.ok}
backend hole
  timeout connect 300ms
  server hole 127.0.0.1:${p.holesrv}
`;

let okSrv: HttpBackend;
let hang: TestServer;
let holds = 0;
let bad: TestServer;
let hole: Blackhole | null = null;
let lb: Lb;
const lbPorts: Record<string, number> = {};
const hxPorts: Record<string, number> = {};
let hx: { stop(): void } | null = null;
let badAnswer = 'HTTP/1.1 abc\r\n\r\n';

before(async () => {
  okSrv = await httpBackend('s1');
  // reads, never answers; counts the `/hold` requests that reach it
  hang = await tcpServer((s) => s.on('data', (d: Buffer) => (holds += d.toString('latin1').split('GET /hold ').length - 1)));
  bad = await tcpServer((s) => {
    s.once('data', () => s.write(badAnswer));
  });
  hole = await blackhole();
  const shared = { ok: okSrv.port, hang: hang.port, badsrv: bad.port, dead1: await deadPort(), dead2: await deadPort(), holesrv: hole?.port ?? (await deadPort()) };
  for (const f of FRONTENDS) lbPorts[f] = await freePort();
  const text = config({ ...shared, ...lbPorts });
  lb = await startLb(text.replace(/127\.0\.0\.1:(\d+)/g, '127.0.0.1:$1'), {});
  if (HAPROXY) {
    for (const f of FRONTENDS) hxPorts[f] = await freePort();
    hx = await startHaproxy(config({ ...shared, ...hxPorts }), hxPorts.main!);
  }
});

after(async () => {
  hx?.stop();
  await lb?.close();
  await Promise.all([okSrv?.close(), hang?.close(), bad?.close()]);
  hole?.close();
});

interface Outcome {
  msg: Message | null;
  /** Bytes received when no whole response came. */
  raw: string;
  closed: boolean;
  ms: number;
}

/** Send `parts` (with pauses of `gapMs` between them) and read the answer; then see whether the connection closes. */
async function exchange(port: number, parts: string[], o: { gapMs?: number; timeoutMs?: number } = {}): Promise<Outcome> {
  const c = await Client.open(port);
  const t0 = Date.now();
  try {
    for (const [i, p] of parts.entries()) {
      if (i > 0) await new Promise((r) => setTimeout(r, o.gapMs ?? 0));
      if (!c.ended) c.send(p);
    }
    let msg: Message | null = null;
    try {
      msg = await c.response({ timeoutMs: o.timeoutMs ?? 3000 });
    } catch {
      /* no whole response */
    }
    const ms = Date.now() - t0;
    try {
      await c.closed(300);
    } catch {
      /* still open */
    }
    return { msg, raw: msg ? msg.raw.toString('latin1') : c.pending.toString('latin1'), closed: c.ended, ms };
  } finally {
    c.close();
  }
}

/** The exchange against lbd only. */
async function both(fe: Fe, parts: string[], o: { gapMs?: number; timeoutMs?: number } = {}): Promise<Outcome> {
  return exchange(lbPorts[fe]!, parts, o);
}

/**
 * The same exchange against lbd and HAProxy 2.6: the bytes of the answer and whether the connection
 * closed after it must be the same.
 */
function sameAsHaproxy(what: string, fe: Fe, parts: string[], o: { gapMs?: number; timeoutMs?: number; todo?: string } = {}): void {
  test(`same as HAProxy 2.6: ${what}`, { todo: o.todo }, async (t) => {
    if (!HAPROXY) return t.skip('haproxy is not installed');
    const [mine, ref] = await Promise.all([exchange(lbPorts[fe]!, parts, o), exchange(hxPorts[fe]!, parts, o)]);
    assert.equal(mine.raw, ref.raw, `answer bytes (${fe})`);
    assert.equal(mine.closed, ref.closed, `connection closed after the answer (${fe}): HAProxy ${ref.closed}`);
  });
}

const delta = (row: string, fields: string[]) => {
  const before = Object.fromEntries(fields.map((f) => [f, lb.num(row, f)]));
  return () => Object.fromEntries(fields.map((f) => [f, lb.num(row, f) - before[f]!]));
};

test('400: a malformed request head', async () => {
  const d = delta('main/FRONTEND', ['ereq', 'hrsp_4xx', 'req_tot']);
  const r = await both('main', [BAD_HEAD]);
  assert.equal(r.msg?.status, 400);
  // HAProxy 2.6 sends its raw (mixed-case) 400 message from the H1 mux
  assert.match(r.raw, /^HTTP\/1\.1 400 Bad request\r\nContent-length: 90\r\nCache-Control: no-cache\r\nConnection: close\r\nContent-Type: text\/html\r\n\r\n<html><body><h1>400 Bad request<\/h1>\nYour browser sent an invalid request.\n<\/body><\/html>\n$/);
  assert.equal(r.closed, true);
  const got = d();
  assert.equal(got.ereq, 1);
  assert.equal(got.hrsp_4xx, 1);
});

test('req_tot counts a 400 and a 408 on the frontend, as HAProxy 2.6 does (checked on its stats socket)', async () => {
  const d = delta('hreq/FRONTEND', ['req_tot', 'ereq', 'hrsp_4xx']);
  await both('hreq', [BAD_HEAD]);
  await both('hreq', SLOW_HEAD, { gapMs: 120 });
  assert.deepEqual(d(), { req_tot: 2, ereq: 2, hrsp_4xx: 2 });
});

test('400: a bad Content-Length, and two different ones', async () => {
  assert.equal((await both('main', ['POST / HTTP/1.1\r\nHost: t\r\nContent-Length: 1x\r\n\r\n'])).msg?.status, 400);
  assert.equal((await both('main', ['POST / HTTP/1.1\r\nHost: t\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\nab'])).msg?.status, 400);
});

const BAD_HEAD = 'GET / HTTP/1.1\r\nHost: t\r\nBad Header Line\r\n\r\n';
const BIG_URI = `GET /${'a'.repeat(17000)} HTTP/1.1\r\nHost: t\r\n\r\n`;
const BIG_HEAD = `GET / HTTP/1.1\r\nHost: t\r\n${Array.from({ length: 40 }, (_, i) => `X-H${i}: ${'v'.repeat(500)}\r\n`).join('')}\r\n`;
const SLOW_HEAD = ['GET / HTTP/1.1\r\n', 'Host: t\r\n', 'X-A: 1\r\n', 'X-B: 2\r\n'];
sameAsHaproxy('400 on a malformed head', 'main', [BAD_HEAD]);
sameAsHaproxy('a request line with two spaces', 'main', ['GET  / HTTP/1.1\r\nHost: t\r\n\r\n']);
sameAsHaproxy('400 on a bad Content-Length', 'main', ['POST / HTTP/1.1\r\nHost: t\r\nContent-Length: 1x\r\n\r\n']);
sameAsHaproxy('a URI larger than tune.bufsize', 'main', [BIG_URI]);
sameAsHaproxy('a head larger than tune.bufsize', 'main', [BIG_HEAD]);
sameAsHaproxy('Transfer-Encoding: gzip on a request', 'main', ['POST / HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: gzip\r\n\r\n']);
sameAsHaproxy('Transfer-Encoding: chunked, foo on a request', 'main', ['POST / HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked, foo\r\n\r\n']);
sameAsHaproxy('408 on a slow head', 'hreq', SLOW_HEAD, { gapMs: 120 });
sameAsHaproxy('timeout http-request with nothing sent', 'hreq', [''], { timeoutMs: 1500 });
sameAsHaproxy('502 on HTTP/1.1 abc', 'bad', [get('/')]);
sameAsHaproxy('503 when every server refuses', 'down', [get('/')]);
sameAsHaproxy('504 on timeout server', 'slow', [get('/')]);

test('a URI larger than tune.bufsize', async () => {
  const r = await both('main', [BIG_URI]);
  assert.ok(r.msg && r.msg.status >= 400 && r.msg.status < 500, `status ${r.msg?.status}`);
});

test('request headers larger than tune.bufsize', async () => {
  const r = await both('main', [BIG_HEAD]);
  assert.ok(r.msg && r.msg.status >= 400 && r.msg.status < 500, `status ${r.msg?.status}`);
});

test('bad transfer codings: Transfer-Encoding: gzip (not chunked last), and an unknown coding', async () => {
  const a = await both('main', ['POST / HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: gzip\r\n\r\n']);
  assert.ok(a.msg && a.msg.status >= 400, `status ${a.msg?.status}`);
  const b = await both('main', ['POST / HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked, foo\r\n\r\n']);
  assert.ok(b.msg && b.msg.status >= 400, `status ${b.msg?.status}`);
  const c = await both('main', ['POST / HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\nContent-Length: 3\r\n\r\n3\r\nabc\r\n0\r\n\r\n']);
  assert.ok(c.msg, 'TE + CL: HAProxy answers (the server or an error)');
});

test('408: a request head that does not complete within timeout http-request (slowloris)', async () => {
  const d = delta('hreq/FRONTEND', ['ereq', 'hrsp_4xx']);
  const r = await both('hreq', SLOW_HEAD, { gapMs: 120 });
  assert.equal(r.msg?.status, 408);
  assert.match(r.raw, /^HTTP\/1\.1 408 Request Time-out\r\n/);
  assert.ok(r.ms >= 250 && r.ms < 1500, `answered after ${r.ms} ms (timeout http-request 300ms)`);
  assert.equal(r.closed, true);
  assert.equal(d().hrsp_4xx, 1);
  assert.equal(d().ereq, 1);
});

test('timeout http-request on a connection that sent nothing', async () => {
  const r = await both('hreq', [''], { timeoutMs: 1500 });
  assert.equal(r.closed, true);
});

test('timeout http-keep-alive closes an idle keep-alive connection silently', async () => {
  const c = await Client.open(lbPorts.ka!);
  try {
    c.send(get('/1'));
    assert.equal((await c.response()).status, 200);
    const idle = Date.now();
    const rest = await c.closed(2000);
    const ms = Date.now() - idle;
    assert.equal(rest.length, 0, `no bytes on the idle close: ${JSON.stringify(rest.toString())}`);
    assert.ok(ms >= 250 && ms < 1500, `closed after ${ms} ms idle (timeout http-keep-alive 300ms)`);
  } finally {
    c.close();
  }
});

test('502: a malformed server answer (HTTP/1.1 abc), counted', async () => {
  const d = delta('bad/FRONTEND', ['hrsp_5xx']);
  const ds = delta('bad/bad', ['eresp', 'hrsp_5xx']);
  const r = await both('bad', [get('/')]);
  assert.equal(r.msg?.status, 502);
  assert.match(r.raw, /^HTTP\/1\.1 502 Bad Gateway\r\ncontent-length: 107\r\ncache-control: no-cache\r\ncontent-type: text\/html\r\n\r\n<html><body><h1>502 Bad Gateway<\/h1>\nThe server returned an invalid or incomplete response.\n<\/body><\/html>\n$/);
  assert.equal(d().hrsp_5xx, 1);
  assert.equal(ds().eresp, 1);
});

test('502: a server that closes without answering', async () => {
  badAnswer = '';
  try {
    const c = await Client.open(lbPorts.bad!);
    try {
      // the bad server writes '' and keeps the connection: make it close instead
      const srvClose = new Promise<void>((r) => {
        const sock = () => [...bad.sockets].forEach((s) => s.destroy());
        setTimeout(() => (sock(), r()), 100);
      });
      c.send(get('/'));
      await srvClose;
      const m = await c.response();
      assert.equal(m.status, 502);
    } finally {
      c.close();
    }
  } finally {
    badAnswer = 'HTTP/1.1 abc\r\n\r\n';
  }
});

test('503: every server refuses connections (retries 1), HAProxy\'s page, counted', async () => {
  const d = delta('down/BACKEND', ['hrsp_5xx']);
  const r = await both('down', [get('/')]);
  assert.equal(r.msg?.status, 503);
  assert.match(r.raw, /^HTTP\/1\.1 503 Service Unavailable\r\ncontent-length: 107\r\ncache-control: no-cache\r\ncontent-type: text\/html\r\n\r\n<html><body><h1>503 Service Unavailable<\/h1>\nNo server is available to handle this request.\n<\/body><\/html>\n$/);
  assert.equal(d().hrsp_5xx, 1);
  assert.ok(lb.num('down/d1', 'econ') + lb.num('down/d2', 'econ') >= 1, 'econ counted');
});

test('504: the server does not answer within timeout server', async () => {
  const d = delta('slow/FRONTEND', ['hrsp_5xx']);
  const r = await both('slow', [get('/')]);
  assert.equal(r.msg?.status, 504);
  assert.match(r.raw, /^HTTP\/1\.1 504 Gateway Time-out\r\ncontent-length: 92\r\ncache-control: no-cache\r\ncontent-type: text\/html\r\n\r\n<html><body><h1>504 Gateway Time-out<\/h1>\nThe server didn't respond in time.\n<\/body><\/html>\n$/);
  assert.ok(r.ms >= 250 && r.ms < 1500, `after ${r.ms} ms (timeout server 300ms)`);
  assert.equal(d().hrsp_5xx, 1);
});

test('503: timeout queue with maxconn 1 on the server', async () => {
  // the first request holds the only slot (the server never answers) ...
  const first = await Client.open(lbPorts.queue!);
  try {
    first.send(get('/hold'));
    await waitFor(() => lb.num('queue/q', 'scur') === 1, 2000, 'the first request to hold the slot');
    // ... the second waits in the queue, then gets 503
    const d = delta('queue/BACKEND', ['hrsp_5xx']);
    const r = await exchange(lbPorts.queue!, [get('/queued')]);
    assert.equal(r.msg?.status, 503);
    assert.ok(r.ms >= 250 && r.ms < 1500, `after ${r.ms} ms (timeout queue 300ms)`);
    assert.equal(d().hrsp_5xx, 1);
  } finally {
    first.close();
  }
  if (hx) {
    const hfirst = await Client.open(hxPorts.queue!);
    try {
      const held = holds;
      hfirst.send(get('/hold'));
      await waitFor(() => holds > held, 2000, 'HAProxy to give the first request the only slot');
      const ref = await exchange(hxPorts.queue!, [get('/queued')]);
      assert.equal(ref.msg?.status, 503, 'HAProxy also answers 503');
    } finally {
      hfirst.close();
    }
  }
});

test('timeout connect to a listener that never accepts (full backlog): 503 after the connect timeout', async (t) => {
  if (!hole) return t.skip('python3 is needed for a listener with a full accept queue');
  if (hole.fillers.length === 0) return t.skip('could not fill the accept queue');
  const r = await exchange(lbPorts.hole!, [get('/')]);
  assert.equal(r.msg?.status, 503);
  // HAProxy's default retries 3 with a 300 ms connect timeout: at least one connect timeout elapsed
  assert.ok(r.ms >= 250, `after ${r.ms} ms`);
  assert.ok(lb.num('hole/hole', 'econ') >= 1);
});

test('retries 2 + option redispatch: a server refusing connections, the request lands on the other', async () => {
  const before = okSrv.requests.length;
  for (let i = 0; i < 4; i++) {
    const r = await exchange(lbPorts.redisp!, [get(`/r${i}`)]);
    assert.equal(r.msg?.status, 200, `request ${i}`);
    assert.equal(r.msg?.body.toString(), `s1 /r${i}`);
  }
  assert.equal(okSrv.requests.length - before, 4);
  assert.ok(lb.num('redisp/dead', 'econ') >= 1, 'connect errors counted on the dead server');
  assert.ok(lb.num('redisp/dead', 'wredis') + lb.num('redisp/BACKEND', 'wredis') >= 1, 'redispatch counted');
  assert.equal(lb.num('redisp/BACKEND', 'hrsp_2xx'), 4);
});
