/**
 * HTTP mode message bodies on real sockets: Content-Length and chunked request bodies arrive intact,
 * a chunked response keeps its trailers, `Expect: 100-continue`, a 20 MB response streamed to a slow
 * client with lbd's RSS (a real lbd process) staying flat, and WebSocket upgrades with `timeout tunnel`.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type net from 'node:net';
import { Client, field, get, httpBackend, ok } from '../helpers/http-wire.js';
import { DEFAULTS, startLb } from '../helpers/http-lb.js';
import { freePort, tcpServer } from '../helpers/net.js';
import { startLbd } from '../helpers/lbd-process.js';
import { waitFor } from '../helpers/wait.js';

const cfg = (extra = '') => `${DEFAULTS}
${extra}
frontend f
  bind 127.0.0.1:\${fe}
  default_backend b
backend b
  server s1 127.0.0.1:\${s1}
`;

const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');
const echoBody = () => httpBackend('s1', (r) => ok(sha(r.req.body), [`x-len: ${r.req.body.length}`, `x-te: ${field(r.req, 'transfer-encoding') ?? ''}`]));

test('a 1 MB Content-Length request body arrives intact (written in pieces)', async (t) => {
  const be = await echoBody();
  const lb = await startLb(cfg(), { s1: be.port });
  t.after(() => Promise.all([lb.close(), be.close()]));
  const body = Buffer.alloc(1 << 20);
  for (let i = 0; i < body.length; i++) body[i] = (i * 7 + (i >> 9)) & 255;
  const c = await Client.open(lb.port);
  t.after(() => c.close());
  c.send(`POST /up HTTP/1.1\r\nHost: t\r\nContent-Length: ${body.length}\r\n\r\n`);
  for (let o = 0; o < body.length; o += 100_000) c.send(body.subarray(o, o + 100_000));
  const r = await c.response({ timeoutMs: 5000 });
  assert.equal(r.status, 200);
  assert.equal(field(r, 'x-len'), String(body.length));
  assert.equal(r.body.toString(), sha(body));
  // the connection stays usable
  c.send(`POST /up HTTP/1.1\r\nHost: t\r\nContent-Length: 3\r\n\r\nabc`);
  assert.equal((await c.response()).body.toString(), sha(Buffer.from('abc')));
});

test('a chunked request body (odd chunk sizes, extensions, trailer) arrives intact, still chunked', async (t) => {
  const be = await echoBody();
  const lb = await startLb(cfg(), { s1: be.port });
  t.after(() => Promise.all([lb.close(), be.close()]));
  const parts = [Buffer.from('hello '), Buffer.alloc(70_000, 0x61), Buffer.from('x'), Buffer.alloc(4096, 0x62)];
  const c = await Client.open(lb.port);
  t.after(() => c.close());
  c.send('POST /c HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n');
  for (const [i, p] of parts.entries()) {
    c.send(`${p.length.toString(16)}${i === 1 ? ';ext=1' : ''}\r\n`);
    c.send(p);
    c.send('\r\n');
    await new Promise((r) => setImmediate(r));
  }
  c.send('0\r\nX-Checksum: abc\r\n\r\n');
  const r = await c.response();
  assert.equal(r.status, 200);
  const all = Buffer.concat(parts);
  assert.equal(field(r, 'x-len'), String(all.length));
  assert.equal(r.body.toString(), sha(all));
  assert.equal(field(r, 'x-te'), 'chunked');
  assert.deepEqual(be.requests[0]!.trailers, [['X-Checksum', 'abc']], 'request trailer forwarded');
});

test('a chunked response with trailers reaches the client with its trailers', async (t) => {
  const be = await httpBackend('s1', () => 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nTrailer: X-Sum\r\n\r\n5\r\nhello\r\n6\r\n world\r\n0\r\nX-Sum: 42\r\n\r\n');
  const lb = await startLb(cfg(), { s1: be.port });
  t.after(() => Promise.all([lb.close(), be.close()]));
  const c = await Client.open(lb.port);
  t.after(() => c.close());
  c.send(get('/t'));
  const r = await c.response();
  assert.equal(r.status, 200);
  assert.equal(r.chunked, true);
  assert.equal(r.body.toString(), 'hello world');
  assert.deepEqual(r.trailers, [['X-Sum', '42']]);
  c.send(get('/t2'));
  assert.equal((await c.response()).body.toString(), 'hello world', 'keep-alive after a chunked response');
});

test('a response without framing (until close) reaches an HTTP/1.1 client whole, then lbd closes', async (t) => {
  const be = await httpBackend('s1', (r) => {
    r.sock.end('HTTP/1.1 200 OK\r\n\r\nuntil-close body');
    return null;
  });
  const lb = await startLb(cfg(), { s1: be.port });
  t.after(() => Promise.all([lb.close(), be.close()]));
  const c = await Client.open(lb.port);
  t.after(() => c.close());
  c.send(get('/u'));
  const r = await c.response();
  assert.equal(r.status, 200);
  assert.equal(r.body.toString(), 'until-close body');
});

test('Expect: 100-continue: the server sends 100, then reads the body; the client gets 100 then 200', async (t) => {
  let sawExpect = '';
  const be = await httpBackend('s1', (r) => ok(`got ${r.req.body.toString()}`), {
    onHead(_line, head, sock) {
      if (/expect: 100-continue/i.test(head)) {
        sawExpect = 'yes';
        sock.write('HTTP/1.1 100 Continue\r\n\r\n');
      }
    },
  });
  const lb = await startLb(cfg(), { s1: be.port });
  t.after(() => Promise.all([lb.close(), be.close()]));
  const c = await Client.open(lb.port);
  t.after(() => c.close());
  c.send('POST /e HTTP/1.1\r\nHost: t\r\nContent-Length: 4\r\nExpect: 100-continue\r\n\r\n');
  const interim = await c.response();
  assert.equal(interim.status, 100);
  assert.equal(interim.line, 'HTTP/1.1 100 Continue');
  assert.equal(sawExpect, 'yes', 'Expect forwarded to the server');
  c.send('data');
  const r = await c.response();
  assert.equal(r.status, 200);
  assert.equal(r.body.toString(), 'got data');
  assert.equal(lb.num('f/FRONTEND', 'hrsp_2xx'), 1);
});

/** A backend that answers an Upgrade with 101 and then echoes, prefixed; or 200 to anything else. */
async function wsBackend(): Promise<ReturnType<typeof tcpServer> extends Promise<infer T> ? T & { heads: string[] } : never> {
  const heads: string[] = [];
  const ts = await tcpServer((s: net.Socket) => {
    let buf = '';
    let upgraded = false;
    s.on('end', () => s.end());
    s.on('data', (d: Buffer) => {
      if (upgraded) return void s.write(Buffer.concat([Buffer.from('echo:'), d]));
      buf += d.toString('latin1');
      const e = buf.indexOf('\r\n\r\n');
      if (e < 0) return;
      heads.push(buf.slice(0, e + 4));
      const rest = buf.slice(e + 4);
      if (/upgrade: websocket/i.test(buf)) {
        upgraded = true;
        s.write('HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n\r\nhello-from-server');
        if (rest) s.write(`echo:${rest}`);
      } else {
        s.write(ok('no upgrade'));
      }
      buf = '';
    });
  });
  return Object.assign(ts, { heads });
}

const WS_REQ = 'GET /chat HTTP/1.1\r\nHost: t\r\nConnection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n';

test('WebSocket upgrade: 101 forwarded with Upgrade/Connection, then bytes flow both ways', async (t) => {
  const be = await wsBackend();
  const lb = await startLb(cfg(), { s1: be.port });
  t.after(() => Promise.all([lb.close(), be.close()]));
  const c = await Client.open(lb.port);
  t.after(() => c.close());
  c.send(WS_REQ);
  const r = await c.response();
  assert.equal(r.status, 101);
  assert.equal(field(r, 'upgrade'), 'websocket');
  assert.match(field(r, 'connection') ?? '', /upgrade/i);
  assert.match(be.heads[0]!, /\r\nupgrade: websocket\r\n/i, 'Upgrade forwarded to the server');
  assert.match(be.heads[0]!, /\r\nconnection: upgrade\r\n/i, 'Connection: upgrade forwarded to the server');
  await c.until((b) => b.toString() === 'hello-from-server', 2000, 'server-first bytes');
  const payload = Buffer.from([0x81, 0x85, 1, 2, 3, 4, 0x69, 0x67, 0x6f, 0x68, 0x6e]); // binary-ish frame bytes
  c.send(payload);
  const want = Buffer.concat([Buffer.from('hello-from-server'), Buffer.from('echo:'), payload]);
  await c.until((b) => b.equals(want), 2000, 'echo through the tunnel');
  // a big write both ways
  const big = Buffer.alloc(300_000, 0x42);
  c.send(big);
  await c.until((b) => b.length >= want.length + 300_000 + 5, 5000, 'big echo');
});

test('timeout tunnel closes an idle WebSocket tunnel (and not before)', async (t) => {
  const be = await wsBackend();
  const lb = await startLb(`${DEFAULTS}
  timeout tunnel 400ms
frontend f
  bind 127.0.0.1:\${fe}
  default_backend b
backend b
  server s1 127.0.0.1:\${s1}
`, { s1: be.port });
  t.after(() => Promise.all([lb.close(), be.close()]));
  const c = await Client.open(lb.port);
  t.after(() => c.close());
  c.send(WS_REQ);
  assert.equal((await c.response()).status, 101);
  await c.until((b) => b.toString() === 'hello-from-server', 2000);
  // activity keeps it open past the tunnel timeout
  for (let i = 0; i < 4; i++) {
    await new Promise((r) => setTimeout(r, 200));
    c.send('x');
  }
  await c.until((b) => b.toString().endsWith('echo:x'), 1000);
  assert.equal(c.ended, false, 'still open after 800 ms of activity');
  const idleFrom = Date.now();
  await c.closed(3000);
  const idle = Date.now() - idleFrom;
  assert.ok(idle >= 300 && idle < 1500, `closed after ${idle} ms idle (timeout tunnel 400ms)`);
  await waitFor(() => be.sockets.size === 0, 2000, 'the server side of the tunnel to close');
});

test('a 20 MB response to a slow-reading client: all bytes arrive, lbd (a process) RSS stays flat', async (t) => {
  const SIZE = 20 * 1024 * 1024;
  const chunk = Buffer.alloc(64 * 1024, 0x5a);
  let sent = 0;
  const be = await httpBackend('s1', (r) => {
    r.sock.write(`HTTP/1.1 200 OK\r\nContent-Length: ${SIZE}\r\n\r\n`);
    const pump = () => {
      while (sent < SIZE) {
        sent += chunk.length;
        if (!r.sock.write(chunk)) return void r.sock.once('drain', pump);
      }
    };
    pump();
    return null;
  });
  const fe = await freePort();
  const lbd = await startLbd(cfg().replace('${fe}', String(fe)).replace('${s1}', String(be.port)));
  t.after(async () => {
    await lbd.stop();
    await be.close();
  });
  const rss = () => {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${lbd.proc.pid}/status`, 'utf8'));
    return Number(m![1]) * 1024;
  };
  // warm up: one small exchange so the baseline includes the HTTP code paths
  const c = await Client.open(fe);
  t.after(() => c.close());
  const base = rss();
  let peak = base;
  let got = 0;
  let headDone = false;
  const sock = c.sock;
  sock.removeAllListeners('data');
  const done = new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`only ${got} of ${SIZE} body bytes in time`)), 15000);
    let head = Buffer.alloc(0);
    sock.on('data', (d: Buffer) => {
      if (!headDone) {
        head = Buffer.concat([head, d]);
        const e = head.indexOf('\r\n\r\n');
        if (e < 0) return;
        headDone = true;
        assert.match(head.subarray(0, e).toString(), /^HTTP\/1.1 200/);
        got += head.length - e - 4;
      } else got += d.length;
      // read slowly: pause after each piece
      sock.pause();
      setTimeout(() => sock.resume(), 2);
      peak = Math.max(peak, rss());
      if (got >= SIZE) {
        clearTimeout(timer);
        resolve();
      }
    });
  });
  // first the client does not read at all: the server must stall (backpressure through lbd)
  sock.pause();
  c.send(get('/big'));
  await waitFor(async () => {
    const s1 = sent;
    await new Promise((r) => setTimeout(r, 200));
    return s1 > 0 && sent === s1;
  }, 8000, 'the server to stall while the client does not read');
  // socket buffers in the kernel hold several MB on loopback; lbd itself must not hold the rest
  assert.ok(sent < SIZE, `the server wrote all ${sent} bytes into a client that reads nothing`);
  const stalledGrowth = rss() - base;
  peak = Math.max(peak, base + stalledGrowth);
  assert.ok(stalledGrowth < 12 * 1024 * 1024, `lbd RSS grew by ${(stalledGrowth / 1048576).toFixed(1)} MB holding a stalled response (server wrote ${sent})`);
  if (process.env.LBD_TEST_VERBOSE) console.log({ sent, stalledGrowth });
  sock.resume();
  await done;
  assert.equal(got, SIZE);
  const grew = peak - base;
  if (process.env.LBD_TEST_VERBOSE) console.log({ grew });
  assert.ok(grew < 30 * 1024 * 1024, `lbd RSS grew by ${(grew / 1048576).toFixed(1)} MB while streaming 20 MB`);
});
