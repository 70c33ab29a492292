/**
 * HTTP/2 to servers (`server … proto h2`, h2c, and `ssl verify none proto h2`, h2 over TLS with ALPN),
 * end to end on real sockets: lbd in-process, `node:http2` servers written here (every session and stream
 * with an 'error' handler), HTTP/1.1 clients on raw sockets (test/helpers/http-wire.ts) and a `node:http2`
 * client on an HTTP/2 frontend. Covered: the request as the server sees it (pseudo-header fields, no
 * connection-specific fields, te: trailers), bodies with content-length and chunked both ways, response
 * trailers; gRPC-style trailers end to end (h2 client → lbd → h2 server and back, request trailers too,
 * trailers-only answers); multiplexing of many HTTP/1.1 clients over few server connections; a server
 * sending GOAWAY every N streams (nginx's http2_max_requests); the server's SETTINGS_MAX_CONCURRENT_STREAMS;
 * TLS with ALPN h2; 5 MiB both ways; a server resetting a stream; a server closing its idle connection;
 * an unreachable server.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import http2 from 'node:http2';
import type tls from 'node:tls';
import net from 'node:net';
import { createHash, randomBytes } from 'node:crypto';
import { DEFAULTS, startLb } from '../helpers/http-lb.js';
import { Client, field, get, type Message } from '../helpers/http-wire.js';
import { deadPort } from '../helpers/net.js';
import { selfSigned } from '../helpers/tls.js';
import { waitFor } from '../helpers/wait.js';

const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');
const { NGHTTP2_NO_ERROR, NGHTTP2_INTERNAL_ERROR } = http2.constants;

type T = { after(fn: () => unknown): void };

// ---------------------------------------------------------------- an HTTP/2 server

/** One session (connection) as the server saw it. */
interface Sess {
  no: number;
  session: http2.ServerHttp2Session;
  /** Streams begun on it. */
  streams: number;
  /** Streams open right now, and the most at once. */
  open: number;
  maxOpen: number;
  /** Highest stream id seen. */
  lastId: number;
  alpn: string | false | null | undefined;
}

/** One request as the server got it (once its body ended). */
interface Seen {
  headers: http2.IncomingHttpHeaders;
  /** Field names as received, in order (pseudo-header fields included). */
  names: string[];
  body: Buffer;
  trailers: http2.IncomingHttpHeaders | null;
  id: number;
  sess: Sess;
  /** The nth stream of its session (1-based). */
  nth: number;
}

type Handler = (st: http2.ServerHttp2Stream, r: Seen) => void;

interface H2Backend {
  port: number;
  sessions: Sess[];
  /** Sessions not closed yet. */
  readonly live: number;
  seen: Seen[];
  /** Most streams open at once on any session. */
  readonly maxOpen: number;
  handler: Handler;
  close(): Promise<void>;
}

/** Answer `body` with a content-length (unless `cl` is false) and extra fields; nothing when the stream is gone. */
function answer(st: http2.ServerHttp2Stream, body: Buffer | string, o: { status?: number; cl?: boolean; headers?: http2.OutgoingHttpHeaders } = {}): void {
  if (st.destroyed || st.closed) return;
  const b = typeof body === 'string' ? Buffer.from(body) : body;
  st.respond({ ':status': o.status ?? 200, ...(o.cl === false ? {} : { 'content-length': b.length }), ...(o.headers ?? {}) });
  st.end(b);
}

const defaultHandler: Handler = (st, r) => answer(st, `h2 ${r.headers[':path']}`, { headers: { 'x-server': 's1' } });

/**
 * A `node:http2` server on 127.0.0.1: h2c, or h2 over TLS when `tls` has a key and cert. The handler runs
 * once a request's body (and trailers) ended; `onStream` as soon as its HEADERS arrived.
 */
async function h2Backend(
  o: {
    handler?: Handler;
    tls?: { key: string; cert: string };
    settings?: http2.Settings;
    onStream?: (st: http2.ServerHttp2Stream, sess: Sess) => void;
  } = {},
): Promise<H2Backend> {
  const settings = o.settings ?? {};
  const srv = o.tls ? http2.createSecureServer({ key: o.tls.key, cert: o.tls.cert, settings, allowHTTP1: false }) : http2.createServer({ settings });
  const sessions: Sess[] = [];
  const live = new Set<http2.ServerHttp2Session>();
  const seen: Seen[] = [];
  const bySession = new Map<http2.ServerHttp2Session, Sess>();
  srv.on('error', () => {});
  srv.on('sessionError', () => {});
  srv.on('session', (session: http2.ServerHttp2Session) => {
    session.on('error', () => {});
    live.add(session);
    session.on('close', () => live.delete(session));
    const sock = session.socket as tls.TLSSocket;
    const s: Sess = { no: sessions.length + 1, session, streams: 0, open: 0, maxOpen: 0, lastId: 0, alpn: sock.alpnProtocol };
    sessions.push(s);
    bySession.set(session, s);
  });
  srv.on('stream', (st: http2.ServerHttp2Stream, headers: http2.IncomingHttpHeaders, _flags: number, raw: string[]) => {
    st.on('error', () => {});
    const s = bySession.get(st.session as http2.ServerHttp2Session)!;
    s.streams++;
    s.open++;
    s.maxOpen = Math.max(s.maxOpen, s.open);
    s.lastId = Math.max(s.lastId, st.id!);
    const nth = s.streams;
    st.on('close', () => s.open--);
    o.onStream?.(st, s);
    const names: string[] = [];
    for (let i = 0; i < raw.length; i += 2) names.push(raw[i]!.toLowerCase());
    const chunks: Buffer[] = [];
    let trailers: http2.IncomingHttpHeaders | null = null;
    st.on('trailers', (t: http2.IncomingHttpHeaders) => (trailers = t));
    st.on('data', (d: Buffer) => chunks.push(d));
    st.on('end', () => {
      const r: Seen = { headers, names, body: Buffer.concat(chunks), trailers, id: st.id!, sess: s, nth };
      seen.push(r);
      self.handler(st, r);
    });
  });
  await new Promise<void>((resolve, reject) => {
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => resolve());
  });
  const self: H2Backend = {
    port: (srv.address() as net.AddressInfo).port,
    sessions,
    get live() {
      return live.size;
    },
    seen,
    get maxOpen() {
      return Math.max(0, ...sessions.map((x) => x.maxOpen));
    },
    handler: o.handler ?? defaultHandler,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of live) s.destroy();
        srv.close(() => resolve());
      }),
  };
  return self;
}

// ---------------------------------------------------------------- a TCP tap between lbd and a server

/** A TCP relay in front of a server: counts lbd's connections and HEADERS frames, can hold the server's bytes, cut every connection. */
interface Tap {
  port: number;
  /** Connections lbd made, and how many lbd has not ended (no FIN from lbd yet). */
  conns: number;
  readonly open: number;
  /** HEADERS frames lbd sent (all connections). */
  headers: number;
  /** Let the server's bytes held so far (and later) through. */
  release(): void;
  /** Destroy every connection both ways (no GOAWAY: as a server crash or a network cut). */
  cut(): void;
  close(): Promise<void>;
}

async function tapFor(t: T, target: number, o: { hold?: boolean } = {}): Promise<Tap> {
  let held: Array<() => void> | null = o.hold ? [] : null;
  const pairs = new Set<[net.Socket, net.Socket]>();
  let notEnded = 0;
  const srv = net.createServer({ allowHalfOpen: true }, (a) => {
    self.conns++;
    notEnded++;
    const b = net.connect({ host: '127.0.0.1', port: target, allowHalfOpen: true });
    const pair: [net.Socket, net.Socket] = [a, b];
    pairs.add(pair);
    a.on('error', () => b.destroy());
    b.on('error', () => a.destroy());
    let pending: Buffer<ArrayBufferLike> = Buffer.alloc(0);
    let skip = 24; // the client preface
    a.on('data', (d: Buffer) => {
      b.write(d);
      pending = pending.length ? Buffer.concat([pending, d]) : d;
      for (;;) {
        if (skip > 0) {
          const n = Math.min(skip, pending.length);
          skip -= n;
          pending = pending.subarray(n);
          if (skip > 0) break;
          continue;
        }
        if (pending.length < 9) break;
        if (pending[3] === 1) self.headers++;
        skip = 9 + pending.readUIntBE(0, 3);
      }
    });
    let aEnded = false;
    a.on('end', () => {
      aEnded = true;
      notEnded--;
      b.end();
    });
    a.on('close', () => {
      if (!aEnded) (aEnded = true), notEnded--;
      b.destroy();
      pairs.delete(pair);
    });
    b.on('data', (d: Buffer) => (held ? held.push(() => a.write(d)) : a.write(d)));
    b.on('end', () => (held ? held.push(() => a.end()) : a.end()));
    b.on('close', () => a.destroy());
  });
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', () => r()));
  const self: Tap = {
    port: (srv.address() as net.AddressInfo).port,
    conns: 0,
    get open() {
      return notEnded;
    },
    headers: 0,
    release() {
      const h = held;
      held = null;
      for (const f of h ?? []) f();
    },
    cut() {
      for (const [a, b] of pairs) {
        a.destroy();
        b.destroy();
      }
    },
    close: () =>
      new Promise<void>((r) => {
        self.cut();
        srv.close(() => r());
      }),
  };
  t.after(() => self.close());
  return self;
}

// ---------------------------------------------------------------- lbd and clients

const cfg = (server: string, o: { bind?: string; backend?: string } = {}) => `${DEFAULTS}
frontend f
  bind 127.0.0.1:\${fe} ${o.bind ?? ''}
  default_backend b
backend b
${o.backend ?? '  retries 3'}
  server s1 127.0.0.1:\${s1} ${server}
`;

/** lbd in front of `be`, both closed after the test. */
async function lbFor(t: T, be: H2Backend, server = 'proto h2', o: { bind?: string; backend?: string; port?: number } = {}) {
  const lb = await startLb(cfg(server, o), { s1: o.port ?? be.port });
  t.after(async () => {
    await lb.close();
    await be.close();
  });
  return lb;
}

/** An HTTP/1.1 keep-alive client to lbd, closed after the test. */
async function client(t: T, port: number): Promise<Client> {
  const c = await Client.open(port);
  t.after(() => c.close());
  return c;
}

/** Run `total` jobs, `width` at a time (job i gets its index). */
async function parallel(width: number, total: number, job: (i: number, worker: number) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: width }, async (_, w) => {
      while (next < total) await job(next++, w);
    }),
  );
}

/** An HTTP/2 session to lbd (prior knowledge), destroyed after the test. */
async function h2session(t: T, port: number): Promise<http2.ClientHttp2Session> {
  const s = http2.connect(`http://127.0.0.1:${port}`);
  s.on('error', () => {});
  t.after(() => s.destroy());
  await new Promise<void>((resolve, reject) => {
    const to = setTimeout(() => reject(new Error('no HTTP/2 session to lbd')), 3000);
    s.once('connect', () => (clearTimeout(to), resolve()));
    s.once('error', (e) => (clearTimeout(to), reject(e)));
  });
  return s;
}

const CONNECTION_SPECIFIC = ['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'upgrade', 'host'];

// ---------------------------------------------------------------- 1. HTTP/1.1 client → h2c server

test('HTTP/1.1 → h2c: GET, POST content-length, POST chunked, a response without content-length goes chunked with its trailers; fields as an HTTP/2 server wants them', async (t) => {
  const be = await h2Backend({
    handler: (st, r) => {
      const path = String(r.headers[':path']);
      if (path === '/nocl') {
        // no content-length: three writes, then trailers
        st.respond({ ':status': 200, 'x-kind': 'streamed' }, { waitForTrailers: true });
        st.on('wantTrailers', () => st.sendTrailers({ 'x-sum': 'abc123' }));
        st.write('first,');
        st.write(Buffer.alloc(70_000, 0x62));
        st.end(',last');
        return;
      }
      answer(st, path.startsWith('/post') ? sha(r.body) : `got ${path}`, {
        headers: { 'x-len': String(r.body.length), 'x-cl': String(r.headers['content-length'] ?? '') },
      });
    },
  });
  const lb = await lbFor(t, be);
  const c = await client(t, lb.port);

  // GET, with connection-specific fields the server must not see, and TE: gzip
  c.send('GET /get/x?y=1&z=%20 HTTP/1.1\r\nHost: example.test\r\nConnection: keep-alive\r\nKeep-Alive: timeout=5\r\nProxy-Connection: keep-alive\r\nTE: gzip\r\nX-Custom: v1\r\n\r\n');
  const r1 = await c.response({ timeoutMs: 3000 });
  assert.equal(r1.status, 200, r1.head);
  assert.equal(r1.body.toString(), 'got /get/x?y=1&z=%20');
  assert.equal(field(r1, 'content-length'), String(r1.body.length), 'content-length kept');
  assert.equal(r1.chunked, false);
  const q1 = be.seen[0]!;
  assert.equal(q1.headers[':method'], 'GET');
  assert.equal(q1.headers[':path'], '/get/x?y=1&z=%20');
  assert.equal(q1.headers[':authority'], 'example.test');
  assert.equal(q1.headers[':scheme'], 'http');
  assert.equal(q1.headers['x-custom'], 'v1');
  assert.equal(q1.headers.te, 'trailers', 'te: trailers only');
  for (const n of CONNECTION_SPECIFIC) assert.ok(!q1.names.includes(n), `the server got "${n}": ${q1.names.join(' ')}`);
  assert.deepEqual(q1.names.slice(0, 4).sort(), [':authority', ':method', ':path', ':scheme'], 'pseudo-header fields first');

  // POST with content-length (beyond the 64 KiB initial stream window)
  const body = randomBytes(200_000);
  c.send(Buffer.concat([Buffer.from(`POST /post-cl HTTP/1.1\r\nHost: example.test\r\nContent-Length: ${body.length}\r\n\r\n`), body]));
  const r2 = await c.response({ timeoutMs: 5000 });
  assert.equal(r2.status, 200, r2.head);
  assert.equal(r2.body.toString(), sha(body));
  assert.equal(field(r2, 'x-len'), String(body.length));
  assert.equal(field(r2, 'x-cl'), String(body.length), 'content-length passed to the server');
  const q2 = be.seen[1]!;
  assert.equal(q2.headers[':method'], 'POST');

  // POST chunked, written in pieces: no content-length, no transfer-encoding at the server, body whole
  const parts = [Buffer.from('hello '), randomBytes(100_000), Buffer.from(''), randomBytes(33_333), Buffer.from(' end')].filter((p) => p.length > 0);
  c.send(`POST /post-chunked HTTP/1.1\r\nHost: example.test\r\nTransfer-Encoding: chunked\r\n\r\n`);
  for (const p of parts) {
    c.send(Buffer.concat([Buffer.from(`${p.length.toString(16)}\r\n`), p, Buffer.from('\r\n')]));
    await new Promise((r) => setImmediate(r));
  }
  c.send('0\r\n\r\n');
  const all = Buffer.concat(parts);
  const r3 = await c.response({ timeoutMs: 5000 });
  assert.equal(r3.status, 200, r3.head);
  assert.equal(field(r3, 'x-len'), String(all.length));
  assert.equal(r3.body.toString(), sha(all));
  const q3 = be.seen[2]!;
  assert.equal(q3.headers['content-length'], undefined);
  assert.ok(!q3.names.includes('transfer-encoding'));

  // a response without content-length: chunked to the HTTP/1.1 client, complete, with the trailers
  c.send(get('/nocl'));
  const r4 = await c.response({ timeoutMs: 5000 });
  assert.equal(r4.status, 200, r4.head);
  assert.equal(r4.chunked, true, `chunked expected: ${r4.head}`);
  assert.equal(field(r4, 'content-length'), undefined);
  assert.equal(field(r4, 'x-kind'), 'streamed');
  assert.equal(r4.body.toString('latin1'), `first,${'b'.repeat(70_000)},last`);
  assert.deepEqual(r4.trailers.map(([k, v]) => [k.toLowerCase(), v]), [['x-sum', 'abc123']]);

  // one server connection for the four requests; the client connection still open
  assert.equal(be.sessions.length, 1);
  assert.equal(c.ended, false);
});

// ---------------------------------------------------------------- 2. gRPC-style end to end

test('gRPC style: h2 client → lbd (proto h2) → h2c server; grpc-status trailers come back, request trailers reach the server, trailers-only answers too', async (t) => {
  const be = await h2Backend({
    handler: (st, r) => {
      if (st.destroyed || st.closed) return;
      if (r.headers[':path'] === '/pkg.Svc/Fail') {
        // Trailers-Only: one HEADERS with END_STREAM carrying grpc-status
        st.respond({ ':status': 200, 'content-type': 'application/grpc', 'grpc-status': '5', 'grpc-message': 'not found' }, { endStream: true });
        return;
      }
      st.respond({ ':status': 200, 'content-type': 'application/grpc' }, { waitForTrailers: true });
      st.on('wantTrailers', () => st.sendTrailers({ 'grpc-status': '0', 'grpc-message': 'ok' }));
      // echo the request message back, after a 5-byte gRPC frame header of our own
      const msg = Buffer.concat([Buffer.from([0, 0, 0, 0, r.body.length]), r.body]);
      st.end(msg);
    },
  });
  const lb = await lbFor(t, be, 'proto h2', { bind: 'proto h2' });
  const s = await h2session(t, lb.port);

  const call = (path: string, payload: Buffer | null) =>
    new Promise<{ headers: http2.IncomingHttpHeaders; body: Buffer; trailers: http2.IncomingHttpHeaders | null }>((resolve, reject) => {
      const r = s.request(
        { ':method': 'POST', ':path': path, 'content-type': 'application/grpc', te: 'trailers', 'grpc-timeout': '5S' },
        { waitForTrailers: true },
      );
      const to = setTimeout(() => (r.close(), reject(new Error(`no answer to ${path}`))), 5000);
      let headers: http2.IncomingHttpHeaders = {};
      let trailers: http2.IncomingHttpHeaders | null = null;
      const chunks: Buffer[] = [];
      r.on('wantTrailers', () => r.sendTrailers({ 'x-req-trailer': 'yes', 'x-req-sum': payload ? sha(payload).slice(0, 16) : '-' }));
      r.on('response', (h) => (headers = h));
      r.on('trailers', (h) => (trailers = h));
      r.on('data', (d: Buffer) => chunks.push(d));
      r.on('end', () => (clearTimeout(to), resolve({ headers, body: Buffer.concat(chunks), trailers })));
      r.on('error', (e) => (clearTimeout(to), reject(e)));
      r.end(payload ?? undefined);
    });

  const payload = Buffer.concat([Buffer.from([0, 0, 0, 0, 11]), Buffer.from('hello grpc!')]);
  const res = await call('/pkg.Svc/Echo', payload);
  assert.equal(res.headers[':status'], 200);
  assert.equal(res.headers['content-type'], 'application/grpc');
  assert.ok(res.body.equals(Buffer.concat([Buffer.from([0, 0, 0, 0, payload.length]), payload])), `body ${res.body.toString('hex')}`);
  assert.ok(res.trailers, 'a trailers event');
  assert.equal(res.trailers!['grpc-status'], '0');
  assert.equal(res.trailers!['grpc-message'], 'ok');
  assert.equal(res.headers['grpc-status'], undefined, 'grpc-status in the trailers, not the headers');

  const q = be.seen[0]!;
  assert.equal(q.headers[':method'], 'POST');
  assert.equal(q.headers[':path'], '/pkg.Svc/Echo');
  assert.equal(q.headers[':scheme'], 'http');
  assert.equal(q.headers.te, 'trailers');
  assert.equal(q.headers['content-type'], 'application/grpc');
  assert.equal(q.headers['grpc-timeout'], '5S');
  assert.ok(q.body.equals(payload));
  assert.ok(q.trailers, 'request trailers reached the server');
  assert.equal(q.trailers!['x-req-trailer'], 'yes');
  assert.equal(q.trailers!['x-req-sum'], sha(payload).slice(0, 16));

  // Trailers-Only: grpc-status reaches the client (as a header of the only HEADERS, or as a trailer)
  const f = await call('/pkg.Svc/Fail', Buffer.alloc(0));
  assert.equal(f.headers[':status'], 200);
  assert.equal(f.body.length, 0);
  assert.equal(f.headers['grpc-status'] ?? f.trailers?.['grpc-status'], '5');
  assert.equal(f.headers['grpc-message'] ?? f.trailers?.['grpc-message'], 'not found');

  // 20 calls at once on the one client connection
  const many = await Promise.all(Array.from({ length: 20 }, (_, i) => call('/pkg.Svc/Echo', Buffer.from(`m${i}`))));
  many.forEach((m, i) => {
    assert.equal(m.trailers?.['grpc-status'], '0', `call ${i}`);
    assert.equal(m.body.subarray(5).toString(), `m${i}`);
  });
});

// ---------------------------------------------------------------- 3. multiplexing

test('200 requests from 20 HTTP/1.1 keep-alive clients share at most 3 server connections, streams really concurrent', async (t) => {
  const be = await h2Backend({
    // hold each answer a little so that streams overlap on the connection
    handler: (st, r) => void setTimeout(() => defaultHandler(st, r), 3),
  });
  const lb = await lbFor(t, be);
  const clients = await Promise.all(Array.from({ length: 20 }, () => client(t, lb.port)));
  const statuses: number[] = [];
  await parallel(20, 200, async (i, w) => {
    const c = clients[w]!;
    c.send(get(`/m/${i}`));
    const r = await c.response({ timeoutMs: 5000 });
    assert.equal(r.body.toString(), `h2 /m/${i}`, `request ${i}`);
    statuses.push(r.status);
  });
  assert.equal(statuses.length, 200);
  assert.ok(statuses.every((s) => s === 200));
  assert.equal(be.seen.length, 200);
  assert.ok(be.sessions.length <= 3, `server connections: ${be.sessions.length}`);
  assert.ok(be.maxOpen >= 2, `streams never overlapped (max ${be.maxOpen} open at once): not multiplexed`);
  assert.ok(clients.every((c) => !c.ended), 'every client connection still open');
});

// ---------------------------------------------------------------- 4. GOAWAY every N streams

test('a server sending GOAWAY after 50 streams per connection (http2_max_requests): 500 GETs, 20 at a time, all 200, none hangs', async (t) => {
  const N = 50;
  const be = await h2Backend({
    onStream: (_st, s) => {
      // as nginx: the Nth stream is the last one this connection takes; later ones are refused
      if (s.streams === N) s.session.goaway(NGHTTP2_NO_ERROR, s.lastId);
    },
  });
  // through a tap: Node's server stops reading a session once its GOAWAY went out and no stream is left, so
  // lbd's FIN is seen there
  const tap = await tapFor(t, be.port);
  const lb = await lbFor(t, be, 'proto h2', { backend: '  retries 3', port: tap.port });
  const clients = await Promise.all(Array.from({ length: 20 }, () => client(t, lb.port)));
  const bad: string[] = [];
  let okCount = 0;
  const started = Date.now();
  await parallel(20, 500, async (i, w) => {
    const c = clients[w]!;
    if (c.ended) {
      bad.push(`${i}: client connection closed`);
      return;
    }
    c.send(get(`/g/${i}`));
    let r: Message;
    try {
      r = await c.response({ timeoutMs: 3000 });
    } catch (e) {
      bad.push(`${i}: ${(e as Error).message.slice(0, 200)}`);
      c.close();
      return;
    }
    if (r.status === 200 && r.body.toString() === `h2 /g/${i}`) okCount++;
    else bad.push(`${i}: ${r.status} ${r.body.toString().slice(0, 80)}`);
  });
  assert.deepEqual(bad.slice(0, 10), [], `${bad.length} failed of 500 in ${Date.now() - started} ms`);
  assert.equal(okCount, 500);
  assert.ok(be.sessions.length >= 500 / N, `the server's GOAWAY made lbd open new connections: ${be.sessions.length}`);
  // connections that got GOAWAY are closed once their streams are done
  assert.equal(tap.conns, be.sessions.length);
  await waitFor(() => tap.open <= 1, 3000, `lbd to close the connections that got GOAWAY (${tap.open} of ${tap.conns} open)`);
});

// ---------------------------------------------------------------- 5. SETTINGS_MAX_CONCURRENT_STREAMS

async function streamLimit(t: T, warm: boolean): Promise<void> {
  const be = await h2Backend({
    settings: { maxConcurrentStreams: 5 },
    handler: (st, r) => void setTimeout(() => defaultHandler(st, r), 20),
  });
  // cold: the server's bytes (its SETTINGS first) held until lbd sent its streams, as over a network with some latency
  const tap = await tapFor(t, be.port, { hold: !warm });
  const lb = await lbFor(t, be, 'proto h2', { backend: '  retries 3', port: tap.port });
  if (warm) {
    // one request first: lbd has the server's SETTINGS before the burst
    const c0 = await client(t, lb.port);
    c0.send(get('/warm'));
    assert.equal((await c0.response({ timeoutMs: 3000 })).status, 200);
  }
  const clients = await Promise.all(Array.from({ length: 50 }, () => client(t, lb.port)));
  const all = Promise.all(
    clients.map(async (c, i) => {
      c.send(get(`/c/${i}`));
      try {
        const r = await c.response({ timeoutMs: 5000 });
        return r.status === 200 && r.body.toString() === `h2 /c/${i}` ? 'ok' : `${i}: ${r.status} ${r.body.toString().slice(0, 60)}`;
      } catch (e) {
        return `${i}: ${(e as Error).message.slice(0, 120)}`;
      }
    }),
  );
  if (!warm) {
    // the 50 requests reached lbd and became streams (or lbd holds them for the SETTINGS: then 1 s passes)
    await waitFor(() => tap.headers >= 50, 1000, 'lbd to send the 50 streams').catch(() => {});
    tap.release();
  }
  const results = await all;
  const bad = results.filter((r) => r !== 'ok');
  assert.deepEqual(bad.slice(0, 5), [], `${bad.length} of 50 failed; server sessions ${be.sessions.length}, streams per session ${be.sessions.map((s) => s.streams).join(',')}`);
  assert.ok(be.sessions.length > 1, `lbd opened more connections (${be.sessions.length})`);
  assert.ok(be.maxOpen <= 5, `the server saw ${be.maxOpen} streams open at once`);
  if (!warm) {
    // the first connection's refused streams are sent once more, on connections that open no more streams
    // than the server's SETTINGS said, so they are not refused again
    assert.ok(tap.headers <= 100, `lbd sent ${tap.headers} HEADERS for 50 requests`);
  }
}

test('server SETTINGS_MAX_CONCURRENT_STREAMS 5 (known from a first request): 50 concurrent requests all succeed over several connections, ≤ 5 streams each', async (t) => {
  await streamLimit(t, true);
});

test(
  'server SETTINGS_MAX_CONCURRENT_STREAMS 5, 50 concurrent requests on a cold start (server SETTINGS late): the refused streams are retried, all succeed',
  async (t) => {
    await streamLimit(t, false);
  },
);

// ---------------------------------------------------------------- 6. TLS

const cert = selfSigned('h2-server.test');

test('h2 over TLS (ssl verify none proto h2): ALPN h2 on the server side, :scheme https, GET and POST work', { skip: cert ? false : 'openssl is not installed' }, async (t) => {
  const be = await h2Backend({
    tls: cert!,
    handler: (st, r) => answer(st, `${r.headers[':scheme']} ${r.headers[':path']} ${sha(r.body).slice(0, 8)}`),
  });
  const lb = await lbFor(t, be, 'ssl verify none proto h2');
  const c = await client(t, lb.port);
  c.send(get('/tls'));
  const r = await c.response({ timeoutMs: 3000 });
  assert.equal(r.status, 200, r.head);
  assert.equal(r.body.toString(), `https /tls ${sha(Buffer.alloc(0)).slice(0, 8)}`);
  const body = randomBytes(100_000);
  c.send(Buffer.concat([Buffer.from(`POST /up HTTP/1.1\r\nHost: x\r\nContent-Length: ${body.length}\r\n\r\n`), body]));
  const r2 = await c.response({ timeoutMs: 3000 });
  assert.equal(r2.body.toString(), `https /up ${sha(body).slice(0, 8)}`);
  assert.equal(be.sessions.length, 1);
  assert.equal(be.sessions[0]!.alpn, 'h2', 'ALPN negotiated h2');
  assert.equal(be.seen[0]!.headers[':authority'], 'test');
});

// ---------------------------------------------------------------- 7. large bodies

test('5 MiB upload (content-length) and 5 MiB downloads (with and without content-length) through an h2c server, intact', async (t) => {
  const big = randomBytes(5 << 20);
  const be = await h2Backend({
    handler: (st, r) => {
      const p = String(r.headers[':path']);
      if (p === '/up') return answer(st, `${r.body.length} ${sha(r.body)}`);
      answer(st, big, { cl: p === '/down-cl' });
    },
  });
  const lb = await lbFor(t, be);
  const c = await client(t, lb.port);
  c.send(Buffer.concat([Buffer.from(`POST /up HTTP/1.1\r\nHost: x\r\nContent-Length: ${big.length}\r\n\r\n`), big]));
  const up = await c.response({ timeoutMs: 8000 });
  assert.equal(up.status, 200, up.head);
  assert.equal(up.body.toString(), `${big.length} ${sha(big)}`);

  c.send(get('/down-cl'));
  const d1 = await c.response({ timeoutMs: 8000 });
  assert.equal(d1.status, 200);
  assert.equal(field(d1, 'content-length'), String(big.length));
  assert.equal(d1.body.length, big.length);
  assert.equal(sha(d1.body), sha(big));

  c.send(get('/down'));
  const d2 = await c.response({ timeoutMs: 8000 });
  assert.equal(d2.status, 200);
  assert.equal(d2.chunked, true);
  assert.equal(d2.body.length, big.length);
  assert.equal(sha(d2.body), sha(big));
  assert.equal(be.sessions.length, 1);
});

// ---------------------------------------------------------------- 8. a stream reset by the server

test('the server resets a stream (RST_STREAM INTERNAL_ERROR) before answering: 502 in time, the client connection and the server connection go on', async (t) => {
  let flaky = 0;
  const be = await h2Backend({
    handler: (st, r) => {
      const p = String(r.headers[':path']);
      if (p === '/reset') return st.close(NGHTTP2_INTERNAL_ERROR);
      if (p === '/flaky' && flaky++ === 0) return st.close(NGHTTP2_INTERNAL_ERROR);
      defaultHandler(st, r);
    },
  });
  const lb = await lbFor(t, be, 'proto h2', { backend: '  retries 2' });
  const c = await client(t, lb.port);

  // on a fresh connection
  c.send(get('/reset'));
  const r1 = await c.response({ timeoutMs: 3000 });
  assert.equal(r1.status, 502, r1.head);
  const attempts1 = be.seen.filter((s) => s.headers[':path'] === '/reset').length;
  assert.ok(attempts1 >= 1 && attempts1 <= 3, `at most 1 + retries attempts: ${attempts1}`);

  // the client connection still serves requests (a new one if lbd closed it after the 502)
  const c2 = c.ended ? await client(t, lb.port) : c;
  c2.send(get('/after'));
  const r2 = await c2.response({ timeoutMs: 3000 });
  assert.equal(r2.status, 200);
  assert.equal(r2.body.toString(), 'h2 /after');

  // on a connection in use: reset every time → 502 after the retries (retries 2); reset once → the retry answers
  c2.send(get('/reset'));
  const r3 = await c2.response({ timeoutMs: 3000 });
  assert.equal(r3.status, 502, r3.head);
  const attempts3 = be.seen.filter((s) => s.headers[':path'] === '/reset').length - attempts1;
  assert.ok(attempts3 >= 1 && attempts3 <= 3, `at most 1 + retries attempts: ${attempts3}`);
  const c3 = c2.ended ? await client(t, lb.port) : c2;
  c3.send(get('/flaky'));
  const r4 = await c3.response({ timeoutMs: 3000 });
  assert.equal(r4.status, 200, `a GET reset once on a connection in use is retried: ${r4.head}`);
  assert.equal(r4.body.toString(), 'h2 /flaky');
  assert.equal(be.seen.filter((s) => s.headers[':path'] === '/flaky').length, 2, 'retried once');

  // stream errors did not cost the server connection
  assert.equal(be.sessions.length, 1, 'one server connection throughout');
  assert.equal(be.live, 1);
  const c4 = c3.ended ? await client(t, lb.port) : c3;
  c4.send(get('/last'));
  assert.equal((await c4.response({ timeoutMs: 3000 })).status, 200);
});

// ---------------------------------------------------------------- server closes its connection

test('the server closes an idle connection (GOAWAY, or the socket just destroyed): the next request gets a new connection and 200', async (t) => {
  const be = await h2Backend();
  const tap = await tapFor(t, be.port);
  const lb = await lbFor(t, be, 'proto h2', { port: tap.port });
  const c = await client(t, lb.port);
  c.send(get('/one'));
  assert.equal((await c.response({ timeoutMs: 3000 })).status, 200);

  // graceful: GOAWAY NO_ERROR then close
  be.sessions[0]!.session.close();
  await waitFor(() => be.live === 0, 3000, 'the server session to close');
  c.send(get('/two'));
  const r2 = await c.response({ timeoutMs: 3000 });
  assert.equal(r2.status, 200, r2.head);
  assert.equal(r2.body.toString(), 'h2 /two');
  assert.equal(be.sessions.length, 2);

  // abrupt: the TCP connection destroyed without a GOAWAY
  tap.cut();
  await waitFor(() => be.live === 0 && tap.open === 0, 3000, 'the connection to be cut');
  c.send(get('/three'));
  const r3 = await c.response({ timeoutMs: 3000 });
  assert.equal(r3.status, 200, r3.head);
  assert.equal(r3.body.toString(), 'h2 /three');
  assert.equal(be.sessions.length, 3);
});

// ---------------------------------------------------------------- 9. unreachable

test('an unreachable h2 server (closed port): 503 in time, also for 5 requests at once and again later; connect errors counted', async (t) => {
  const port = await deadPort();
  // a 100 ms connect timeout: the turn-around before a retry is min(timeout connect, 1 s)
  const lb = await startLb(cfg('proto h2', { backend: '  retries 1\n  timeout connect 100ms' }), { s1: port });
  t.after(() => lb.close());
  const one = async (path: string) => {
    const c = await Client.open(lb.port);
    try {
      c.send(get(path));
      return await c.response({ timeoutMs: 4000 });
    } finally {
      c.close();
    }
  };
  const r = await one('/x');
  assert.equal(r.status, 503, r.head);
  const burst = await Promise.all(Array.from({ length: 5 }, (_, i) => one(`/b/${i}`)));
  assert.deepEqual(burst.map((m) => m.status), [503, 503, 503, 503, 503]);
  assert.equal((await one('/again')).status, 503);
  assert.ok(lb.num('b/s1', 'econ') >= 7, `econ ${lb.num('b/s1', 'econ')}`);
  assert.ok(lb.num('f/FRONTEND', 'hrsp_5xx') >= 7, `frontend hrsp_5xx ${lb.num('f/FRONTEND', 'hrsp_5xx')}`);
});
