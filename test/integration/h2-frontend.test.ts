/**
 * HTTP/2 on the client side of a mode http frontend, end to end on real sockets: lbd in-process, HTTP/1.1
 * backends on raw sockets (test/helpers/http-wire.ts), Node's `node:http2` client for well-behaved
 * traffic, the raw client of test/helpers/h2-raw.ts for exact frames, and curl / h2load for interop when
 * installed. Covered: prior knowledge on `proto h2`, ALPN h2 (and http/1.1) over TLS, the preface on a
 * plain bind; 200 multiplexed requests spread by round robin; a 5 MiB upload and a 12 MiB download with flow control holding
 * the server back while the client does not read; bodies without content-length, trailers both ways;
 * rules (use_backend on path and :authority, deny, return, redirect, set-header, req.ver, the log line);
 * malformed requests reset alone; a header list over tune.bufsize answered 431; the stream limit; soft
 * stop with GOAWAY; a stream reset while the server answers.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import http2 from 'node:http2';
import tls from 'node:tls';
import dgram from 'node:dgram';
import { createHash } from 'node:crypto';
import { execFile, execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type net from 'node:net';
import { DEFAULTS, startLb, type Lb } from '../helpers/http-lb.js';
import { Client, field, get, httpBackend, ok, type HttpBackend } from '../helpers/http-wire.js';
import { tcpServer } from '../helpers/net.js';
import { hasOpenssl, opensslCert } from '../helpers/tls.js';
import { waitFor } from '../helpers/wait.js';
import { E, F, H2Raw, S, T, frame, hdr, literal, req } from '../helpers/h2-raw.js';

const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

function has(cmd: string, args: string[]): boolean {
  try {
    execFileSync(cmd, args, { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}
const skipCurl = has('curl', ['--version']) && /HTTP2/.test(execFileSync('curl', ['--version']).toString()) ? false : 'curl with HTTP/2 is not installed';
const skipH2load = has('h2load', ['--version']) ? false : 'h2load (nghttp2-client) is not installed';
const skipTls = hasOpenssl() ? false : 'openssl is not installed';

function run(cmd: string, args: string[], timeoutMs = 10_000): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(cmd, args, { timeout: timeoutMs, maxBuffer: 16 << 20 }, (err, stdout, stderr) => {
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : -1) : 0, stdout: String(stdout), stderr: String(stderr) });
    });
  });
}

/** An http2 session to lbd (clear text, prior knowledge), closed after the test. */
async function session(t: { after(fn: () => unknown): void }, url: string, opts: http2.SecureClientSessionOptions = {}): Promise<http2.ClientHttp2Session> {
  const s = http2.connect(url, opts);
  s.on('error', () => {});
  t.after(() => {
    s.destroy();
  });
  await new Promise<void>((resolve, reject) => {
    const to = setTimeout(() => reject(new Error(`no HTTP/2 session to ${url}`)), 3000);
    s.once('connect', () => (clearTimeout(to), resolve()));
    s.once('error', (e) => (clearTimeout(to), reject(e)));
  });
  return s;
}

/** `p`, or a rejection after `ms` (the timer cleared either way). */
function within<V>(p: Promise<V>, ms: number, what: string): Promise<V> {
  let to: NodeJS.Timeout | undefined;
  return Promise.race([p, new Promise<V>((_, rej) => (to = setTimeout(() => rej(new Error(`no ${what} within ${ms} ms`)), ms)))]).finally(() => clearTimeout(to));
}

interface H2Res {
  status: number;
  headers: http2.IncomingHttpHeaders;
  body: Buffer;
  trailers: http2.IncomingHttpHeaders | null;
}

/** One request on `s`: headers, an optional body (written whole), the whole response; bounded. */
function h2req(s: http2.ClientHttp2Session, path: string, o: { method?: string; headers?: http2.OutgoingHttpHeaders; body?: Buffer; timeoutMs?: number } = {}): Promise<H2Res> {
  return new Promise((resolve, reject) => {
    const r = s.request({ ':method': o.method ?? 'GET', ':path': path, ...(o.headers ?? {}) }, { endStream: o.body === undefined && (o.method ?? 'GET') === 'GET' });
    const to = setTimeout(() => {
      r.close();
      reject(new Error(`no response to ${path} in time`));
    }, o.timeoutMs ?? 5000);
    let headers: http2.IncomingHttpHeaders = {};
    let trailers: http2.IncomingHttpHeaders | null = null;
    const chunks: Buffer[] = [];
    r.on('response', (h) => (headers = h));
    r.on('trailers', (h) => (trailers = h));
    r.on('data', (d: Buffer) => chunks.push(d));
    r.on('end', () => {
      clearTimeout(to);
      resolve({ status: Number(headers[':status']), headers, body: Buffer.concat(chunks), trailers });
    });
    r.on('error', (e) => {
      clearTimeout(to);
      reject(e);
    });
    if (o.body !== undefined) r.end(o.body);
    else if ((o.method ?? 'GET') !== 'GET') r.end();
  });
}

const oneBackend = (bind: string, extra = '') => `${DEFAULTS}
frontend f
  bind 127.0.0.1:\${fe} ${bind}
${extra}
  default_backend b
backend b
  server s1 127.0.0.1:\${s1}
`;

// ---------------------------------------------------------------- 1. how a connection becomes HTTP/2

test('proto h2: prior knowledge (node:http2); the server gets HTTP/1.1 with host from :authority', async (t) => {
  const be = await httpBackend('s1');
  const lb = await startLb(oneBackend('proto h2'), { s1: be.port });
  t.after(() => Promise.all([lb.close(), be.close()]));
  const s = await session(t, `http://127.0.0.1:${lb.port}`);
  const r = await h2req(s, '/hello?x=1');
  assert.equal(r.status, 200);
  assert.equal(r.body.toString(), 's1 /hello?x=1');
  assert.equal(r.headers['x-server'], 's1');
  assert.equal(be.requests.length, 1);
  assert.equal(be.requests[0]!.line, 'GET /hello?x=1 HTTP/1.1');
  assert.equal(field(be.requests[0]!, 'host'), `127.0.0.1:${lb.port}`);
  const c = lb.rt.frontends.get('f')!.h2;
  assert.equal(c.totalConns, 1);
  assert.equal(c.totalStreams, 1);
});

test('proto h2: the server SETTINGS advertise 100 streams, a 64 KiB stream window and tune.bufsize as header list', async (t) => {
  const be = await httpBackend('s1');
  const lb = await startLb(oneBackend('proto h2'), { s1: be.port });
  t.after(() => Promise.all([lb.close(), be.close()]));
  const c = await H2Raw.open(lb.port);
  t.after(() => c.close());
  await c.until(() => c.serverSettings !== null, 3000, 'server SETTINGS');
  assert.equal(c.frames[0]!.type, T.SETTINGS, 'SETTINGS is the server preface');
  assert.equal(c.serverSettings!.get(S.MAX_CONCURRENT_STREAMS), 100);
  assert.equal(c.serverSettings!.get(S.INITIAL_WINDOW_SIZE), 65535);
  assert.equal(c.serverSettings!.get(S.MAX_HEADER_LIST_SIZE), 16384);
  // the connection window is raised to 1 MiB
  await c.until(() => c.frames.some((f) => f.type === T.WINDOW_UPDATE && f.stream === 0), 3000, 'connection WINDOW_UPDATE');
  const wu = c.frames.find((f) => f.type === T.WINDOW_UPDATE && f.stream === 0)!;
  assert.equal(wu.payload.readUInt32BE(0) + 65535, 1 << 20);
  c.get(1, '/raw');
  const r = await c.response(1);
  assert.equal(r.status, 200);
  assert.equal(r.body.toString(), 's1 /raw');
  assert.equal(hdr(r.headers, 'content-length'), String('s1 /raw'.length));
});

test('proto h2: curl --http2-prior-knowledge gets HTTP/2 200', { skip: skipCurl }, async (t) => {
  const be = await httpBackend('s1');
  const lb = await startLb(oneBackend('proto h2'), { s1: be.port });
  t.after(() => Promise.all([lb.close(), be.close()]));
  const r = await run('curl', ['-sS', '--max-time', '5', '--http2-prior-knowledge', '-D', '-', `http://127.0.0.1:${lb.port}/curl`]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^HTTP\/2 200 ?\r\n/);
  assert.match(r.stdout, /\r\n\r\ns1 \/curl$/);
});

test('TLS with alpn h2,http/1.1: h2 negotiated by node:http2 and curl; a client offering only http/1.1 gets HTTP/1.1', { skip: skipTls }, async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'lbd-h2-tls-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const pem = opensslCert(dir, 'c', { key: 'ec', cn: 'h2.example', san: ['h2.example'] }).pem;
  const be = await httpBackend('s1');
  const lb = await startLb(oneBackend(`ssl crt ${pem} alpn h2,http/1.1`), { s1: be.port });
  t.after(() => Promise.all([lb.close(), be.close()]));

  const s = await session(t, `https://127.0.0.1:${lb.port}`, { rejectUnauthorized: false, servername: 'h2.example' });
  assert.equal((s.socket as tls.TLSSocket).alpnProtocol, 'h2');
  const r = await h2req(s, '/tls');
  assert.equal(r.status, 200);
  assert.equal(r.body.toString(), 's1 /tls');

  // http/1.1 only
  const sock = tls.connect({ host: '127.0.0.1', port: lb.port, servername: 'h2.example', rejectUnauthorized: false, ALPNProtocols: ['http/1.1'] });
  sock.on('error', () => {});
  t.after(() => sock.destroy());
  await new Promise<void>((resolve, reject) => {
    sock.once('secureConnect', () => resolve());
    sock.once('error', reject);
  });
  assert.equal(sock.alpnProtocol, 'http/1.1');
  const c = new Client(sock as unknown as net.Socket);
  c.send(get('/one'));
  const r1 = await c.response();
  assert.equal(r1.line, 'HTTP/1.1 200 OK');
  assert.equal(r1.body.toString(), 's1 /one');

  if (!skipCurl) {
    const cr = await run('curl', ['-sS', '-k', '--max-time', '5', '--http2', '-D', '-', `https://127.0.0.1:${lb.port}/curl`]);
    assert.equal(cr.code, 0, cr.stderr);
    assert.match(cr.stdout, /^HTTP\/2 200 ?\r\n/);
    assert.match(cr.stdout, /s1 \/curl$/);
  } else t.diagnostic('curl part skipped: curl with HTTP/2 is not installed');
  assert.equal(lb.rt.frontends.get('f')!.h2.totalConns, skipCurl ? 1 : 2, 'the http/1.1 connection is not counted as HTTP/2');
});

test('a plain mode http bind answers HTTP/1.1 and, on the same port, h2c with prior knowledge (the preface)', async (t) => {
  const be = await httpBackend('s1');
  const lb = await startLb(oneBackend(''), { s1: be.port });
  t.after(() => Promise.all([lb.close(), be.close()]));
  const c = await Client.open(lb.port);
  t.after(() => c.close());
  c.send(get('/h1'));
  const r1 = await c.response();
  assert.equal(r1.line, 'HTTP/1.1 200 OK');
  assert.equal(r1.body.toString(), 's1 /h1');

  const s = await session(t, `http://127.0.0.1:${lb.port}`);
  const r2 = await h2req(s, '/h2');
  assert.equal(r2.status, 200);
  assert.equal(r2.body.toString(), 's1 /h2');
  assert.equal(lb.rt.frontends.get('f')!.h2.totalConns, 1);

  // the preface in small pieces is still recognised
  const raw = await H2Raw.open(lb.port, { preface: false });
  t.after(() => raw.close());
  const pre = Buffer.from('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n', 'latin1');
  for (let i = 0; i < pre.length; i += 5) {
    raw.send(pre.subarray(i, i + 5));
    await new Promise((r) => setTimeout(r, 2));
  }
  raw.settings();
  raw.get(1, '/split');
  const r3 = await raw.response(1);
  assert.equal(r3.status, 200);
  assert.equal(r3.body.toString(), 's1 /split');
});

// ---------------------------------------------------------------- 2. many streams on one connection

test('200 requests, 50 at a time, on one connection spread over 3 servers by round robin, each body right', async (t) => {
  const bes = await Promise.all(['a', 'b', 'c'].map((n) => httpBackend(n)));
  const lb = await startLb(`${DEFAULTS}
frontend f
  bind 127.0.0.1:\${fe} proto h2
  default_backend b
backend b
  balance roundrobin
  server a 127.0.0.1:\${a}
  server b 127.0.0.1:\${b}
  server c 127.0.0.1:\${c}
`, { a: bes[0]!.port, b: bes[1]!.port, c: bes[2]!.port });
  t.after(() => Promise.all([lb.close(), ...bes.map((b) => b.close())]));
  const s = await session(t, `http://127.0.0.1:${lb.port}`);
  const results: H2Res[] = [];
  let next = 0;
  const worker = async () => {
    while (next < 200) {
      const i = next++;
      const r = await h2req(s, `/item/${i}`);
      assert.equal(r.status, 200, `request ${i}`);
      const server = String(r.headers['x-server']);
      assert.equal(r.body.toString(), `${server} /item/${i}`, `request ${i} got its own body`);
      results[i] = r;
    }
  };
  await Promise.all(Array.from({ length: 50 }, worker));
  assert.equal(results.filter(Boolean).length, 200);
  const share = bes.map((b) => b.requests.length);
  assert.equal(share.reduce((a, b) => a + b, 0), 200);
  for (const [i, n] of share.entries()) assert.ok(n >= 50, `server ${bes[i]!.name} saw ${n} of 200 (${share.join('/')})`);
  const c = lb.rt.frontends.get('f')!.h2;
  assert.equal(c.totalConns, 1, 'all on one connection');
  assert.equal(c.totalStreams, 200);
});

// ---------------------------------------------------------------- 3. large bodies and flow control

test('a 5 MiB POST (content-length) reaches the server whole', async (t) => {
  const be = await httpBackend('s1', (r) => ok(sha(r.req.body), [`x-len: ${r.req.body.length}`, `x-te: ${field(r.req, 'transfer-encoding') ?? ''}`]));
  const lb = await startLb(oneBackend('proto h2'), { s1: be.port });
  t.after(() => Promise.all([lb.close(), be.close()]));
  const body = Buffer.alloc(5 << 20);
  for (let i = 0; i < body.length; i++) body[i] = (i * 31 + (i >> 11)) & 255;
  const s = await session(t, `http://127.0.0.1:${lb.port}`);
  const r = await h2req(s, '/upload', { method: 'POST', headers: { 'content-length': body.length }, body, timeoutMs: 10_000 });
  assert.equal(r.status, 200);
  assert.equal(r.headers['x-len'], String(body.length));
  assert.equal(r.headers['x-te'], '', 'content-length kept, not chunked');
  assert.equal(r.body.toString(), sha(body));
});

// 12 MiB rather than 5: loopback socket buffers alone took ~4 MB of the server's writes here, so a 5 MiB body
// could nearly all be written even with lbd holding back; the margin must not depend on kernel tuning.
test('a 12 MiB download: while the client reads nothing the server is held back; then every byte arrives', async (t) => {
  const total = 12 << 20;
  const body = Buffer.alloc(total);
  for (let i = 0; i < total; i++) body[i] = (i * 13 + (i >> 13)) & 255;
  let accepted = 0; // bytes the backend's socket took (kernel or a drained user buffer)
  let done = false;
  const be = await tcpServer((s) => {
    s.once('data', () => {
      s.write(`HTTP/1.1 200 OK\r\ncontent-length: ${total}\r\n\r\n`);
      let off = 0;
      const pump = () => {
        while (off < total) {
          const n = Math.min(16384, total - off);
          const more = s.write(body.subarray(off, off + n));
          off += n;
          if (!more) {
            s.once('drain', () => {
              accepted = off;
              pump();
            });
            return;
          }
          accepted = off;
        }
        done = true;
      };
      pump();
    });
  });
  const lb = await startLb(oneBackend('proto h2'), { s1: be.port });
  t.after(() => Promise.all([lb.close(), be.close()]));
  const c = await H2Raw.open(lb.port);
  t.after(() => c.close());
  c.autoWindow = false; // a client that reads nothing: no WINDOW_UPDATE
  c.get(1, '/big');
  // wait until the backend makes no progress for 300 ms
  let last = -1;
  let since = Date.now();
  await waitFor(() => {
    if (accepted !== last) {
      last = accepted;
      since = Date.now();
    }
    return Date.now() - since > 300;
  }, 8000, 'the backend to stall');
  const dataIn = () => c.frames.filter((f) => f.type === T.DATA && f.stream === 1).reduce((a, f) => a + f.payload.length, 0);
  assert.equal(done, false, 'the backend could not write the whole body while the client read nothing');
  assert.ok(accepted < total - (1 << 20), `the backend pushed ${accepted} of ${total} bytes`);
  assert.ok(dataIn() <= 65535, `DATA within the client's windows (got ${dataIn()})`);
  t.diagnostic(`stalled: backend wrote ${accepted} bytes, client got ${dataIn()}`);
  // resume: give back what was received, then keep reading
  c.autoWindow = true;
  const got = dataIn();
  if (got > 0) {
    c.windowUpdate(0, got);
    c.windowUpdate(1, got);
  }
  const r = await c.response(1, 15_000);
  assert.equal(r.status, 200);
  assert.equal(r.rst, null);
  assert.equal(r.body.length, total);
  assert.ok(r.body.equals(body), 'every byte intact and in order');
});

test('a 12 MiB upload to a server that does not read: the client is held back by flow control, then all arrives', async (t) => {
  const total = 12 << 20;
  let reading = false;
  let serverSock: net.Socket | null = null;
  let got = 0;
  const hash = createHash('sha256');
  const be = await tcpServer((s) => {
    serverSock = s;
    let head = true;
    s.on('data', (d: Buffer) => {
      if (head) {
        const i = d.indexOf('\r\n\r\n');
        d = d.subarray(i + 4);
        head = false;
        s.pause(); // read nothing more for now
      }
      got += d.length;
      hash.update(d);
      if (got === total) s.write(`HTTP/1.1 200 OK\r\ncontent-length: 64\r\n\r\n${hash.digest('hex')}`);
    });
  });
  const lb = await startLb(oneBackend('proto h2'), { s1: be.port });
  t.after(() => Promise.all([lb.close(), be.close()]));
  const body = Buffer.alloc(total);
  for (let i = 0; i < total; i++) body[i] = (i * 7 + (i >> 12)) & 255;
  const s = await session(t, `http://127.0.0.1:${lb.port}`);
  const r = s.request({ ':method': 'POST', ':path': '/up', 'content-length': total });
  let status = 0;
  const chunks: Buffer[] = [];
  r.on('response', (h) => (status = Number(h[':status'])));
  r.on('data', (d: Buffer) => chunks.push(d));
  const ended = new Promise<void>((resolve, reject) => {
    r.on('end', resolve);
    r.on('error', reject);
  });
  let written = 0;
  const writer = (async () => {
    while (written < total) {
      const more = r.write(body.subarray(written, written + 65536));
      written = Math.min(total, written + 65536);
      if (!more) await new Promise((x) => r.once('drain', x));
    }
    r.end();
  })();
  // wait until the client can write no more for 300 ms
  let last = -1;
  let since = Date.now();
  await waitFor(() => {
    if (r.bufferSize + written !== last) {
      last = r.bufferSize + written;
      since = Date.now();
    }
    return Date.now() - since > 300;
  }, 8000, 'the client to stall');
  const sentOut = written - r.bufferSize;
  t.diagnostic(`stalled: client wrote ${written} (${r.bufferSize} buffered), the server read ${got}`);
  assert.ok(written < total, 'the client could not write the whole body');
  assert.ok(sentOut < total - (1 << 20), `the client sent ${sentOut} of ${total}`);
  assert.ok(serverSock, 'the server got the request');
  reading = true;
  (serverSock as unknown as net.Socket).resume();
  await writer;
  await within(ended, 10_000, 'response');
  assert.equal(reading, true);
  assert.equal(status, 200);
  assert.equal(got, total);
  assert.equal(Buffer.concat(chunks).toString(), sha(body));
});

// ---------------------------------------------------------------- 4. framing, trailers

test('a request without content-length goes chunked to the HTTP/1.1 server; request trailers are forwarded', async (t) => {
  const be = await httpBackend('s1', (r) => ok(sha(r.req.body), [`x-len: ${r.req.body.length}`, `x-te: ${field(r.req, 'transfer-encoding') ?? ''}`]));
  const lb = await startLb(oneBackend('proto h2'), { s1: be.port });
  t.after(() => Promise.all([lb.close(), be.close()]));
  const s = await session(t, `http://127.0.0.1:${lb.port}`);
  const parts = [Buffer.from('hello '), Buffer.alloc(70_000, 0x61), Buffer.from('end')];
  const res = await new Promise<H2Res>((resolve, reject) => {
    const r = s.request({ ':method': 'POST', ':path': '/chunked' }, { waitForTrailers: true });
    const to = setTimeout(() => reject(new Error('no response')), 5000);
    let headers: http2.IncomingHttpHeaders = {};
    const chunks: Buffer[] = [];
    r.on('wantTrailers', () => r.sendTrailers({ 'x-checksum': 'abc' }));
    r.on('response', (h) => (headers = h));
    r.on('data', (d: Buffer) => chunks.push(d));
    r.on('end', () => (clearTimeout(to), resolve({ status: Number(headers[':status']), headers, body: Buffer.concat(chunks), trailers: null })));
    r.on('error', (e) => (clearTimeout(to), reject(e)));
    (async () => {
      for (const p of parts) {
        r.write(p);
        await new Promise((x) => setTimeout(x, 5));
      }
      r.end();
    })();
  });
  const all = Buffer.concat(parts);
  assert.equal(res.status, 200);
  assert.equal(res.headers['x-te'], 'chunked');
  assert.equal(res.headers['x-len'], String(all.length));
  assert.equal(res.body.toString(), sha(all));
  assert.deepEqual(be.requests[0]!.trailers.map(([k, v]) => [k.toLowerCase(), v]), [['x-checksum', 'abc']]);
});

test('a chunked HTTP/1.1 response with trailers reaches the h2 client with its trailers (no transfer-encoding)', async (t) => {
  const be = await httpBackend('s1', () => 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nTrailer: X-Sum\r\n\r\n5\r\nhello\r\n6\r\n world\r\n0\r\nX-Sum: 42\r\n\r\n');
  const lb = await startLb(oneBackend('proto h2'), { s1: be.port });
  t.after(() => Promise.all([lb.close(), be.close()]));
  const s = await session(t, `http://127.0.0.1:${lb.port}`);
  const r = await h2req(s, '/t');
  assert.equal(r.status, 200);
  assert.equal(r.body.toString(), 'hello world');
  assert.equal(r.headers['transfer-encoding'], undefined);
  assert.ok(r.trailers, 'a trailers event');
  assert.equal(r.trailers!['x-sum'], '42');
  // and again on the same connection
  const r2 = await h2req(s, '/t2');
  assert.equal(r2.trailers?.['x-sum'], '42');
});

test('cookies in several fields reach the server joined; HEAD; a close-delimited response ends the stream', async (t) => {
  const be = await httpBackend('s1', (r) => {
    if (r.req.path === '/close') {
      r.sock.end('HTTP/1.1 200 OK\r\n\r\nuntil close');
      return null;
    }
    if (r.req.method === 'HEAD') return 'HTTP/1.1 200 OK\r\ncontent-length: 1234\r\n\r\n';
    return ok(`cookie=${field(r.req, 'cookie')}`);
  });
  const lb = await startLb(oneBackend('proto h2'), { s1: be.port });
  t.after(() => Promise.all([lb.close(), be.close()]));
  const c = await H2Raw.open(lb.port);
  t.after(() => c.close());
  c.get(1, '/cookies', ['cookie', 'a=1', 'cookie', 'b=2']);
  assert.equal((await c.response(1)).body.toString(), 'cookie=a=1; b=2');
  c.headers(3, req('/h', { method: 'HEAD' }), { endStream: true });
  const h = await c.response(3);
  assert.equal(h.status, 200);
  assert.equal(hdr(h.headers, 'content-length'), '1234');
  assert.equal(h.body.length, 0);
  c.get(5, '/close');
  const cl = await c.response(5);
  assert.equal(cl.status, 200);
  assert.equal(cl.body.toString(), 'until close');
  assert.equal(cl.rst, null, 'ended with END_STREAM, not a reset');
  c.get(7, '/after');
  assert.match((await c.response(7)).body.toString(), /^cookie=/);
  assert.equal(c.goaway, null);
});

test('request DATA beyond its content-length, or short of it at END_STREAM: RST_STREAM PROTOCOL_ERROR', async (t) => {
  const be = await httpBackend('s1');
  const lb = await startLb(oneBackend('proto h2'), { s1: be.port });
  t.after(() => Promise.all([lb.close(), be.close()]));
  const c = await H2Raw.open(lb.port);
  t.after(() => c.close());
  c.headers(1, req('/long', { method: 'POST', extra: ['content-length', '5'] }));
  c.data(1, Buffer.from('0123456789'), true);
  c.headers(3, req('/short', { method: 'POST', extra: ['content-length', '5'] }));
  c.data(3, Buffer.from('012'), true);
  for (const id of [1, 3]) {
    const r = await c.response(id);
    assert.equal(r.rst, E.PROTOCOL_ERROR, `stream ${id}: status ${r.status} rst ${r.rst}`);
  }
  c.get(5, '/ok');
  assert.equal((await c.response(5)).status, 200);
  assert.equal(c.goaway, null);
});

// Bug: H2ServerConn arms its idle timer once at accept with timeout http-request (falling back to timeout
// client, 5 s here) and re-arms only when that timer fires; the end of the last stream does not re-arm it
// with timeout http-keep-alive, so the GOAWAY comes 5 s after accept instead of 300 ms after the response.
test('timeout http-keep-alive: an idle HTTP/2 connection gets GOAWAY NO_ERROR and is closed', async (t) => {
  const be = await httpBackend('s1');
  const lb = await startLb(oneBackend('proto h2', '  timeout http-keep-alive 300ms'), { s1: be.port });
  t.after(() => Promise.all([lb.close(), be.close()]));
  const c = await H2Raw.open(lb.port);
  t.after(() => c.close());
  c.get(1, '/x');
  assert.equal((await c.response(1)).status, 200);
  const t0 = Date.now();
  const g = await c.waitGoaway(1500);
  assert.equal(g.code, E.NO_ERROR);
  assert.equal(g.last, 1);
  await c.closed(3000);
  assert.ok(Date.now() - t0 >= 200, 'not before the timeout');
});

// ---------------------------------------------------------------- 5. rules

test('rules on h2 requests: use_backend on path and :authority, deny, return, redirect, set-header, req.ver, log line HTTP/2.0', async (t) => {
  const logSock = dgram.createSocket('udp4');
  const lines: string[] = [];
  logSock.on('message', (m) => lines.push(m.toString('latin1').replace(/\n$/, '')));
  await new Promise<void>((r) => logSock.bind(0, '127.0.0.1', () => r()));
  const main = await httpBackend('main');
  const api = await httpBackend('api');
  const other = await httpBackend('other');
  const lb = await startLb(`
global
  log 127.0.0.1:${logSock.address().port} format raw local0
${DEFAULTS}
  log global
  option httplog
frontend f
  bind 127.0.0.1:\${fe} proto h2
  http-request deny if { path /deny }
  http-request return status 200 content-type text/plain string returned if { path /return }
  http-request redirect location /elsewhere code 302 if { path /redir }
  http-request set-header X-Ver %[req.ver]
  http-request set-header X-Added yes
  use_backend api if { path_beg /api }
  use_backend other if { hdr(host) -i other.example }
  default_backend main
backend main
  server s1 127.0.0.1:\${m}
backend api
  server s1 127.0.0.1:\${a}
backend other
  server s1 127.0.0.1:\${o}
`, { m: main.port, a: api.port, o: other.port });
  t.after(async () => {
    await Promise.all([lb.close(), main.close(), api.close(), other.close()]);
    await new Promise<void>((r) => logSock.close(() => r()));
  });
  const s = await session(t, `http://127.0.0.1:${lb.port}`);
  const a = await h2req(s, '/api/x');
  assert.equal(a.headers['x-server'], 'api');
  const o = await h2req(s, '/y', { headers: { ':authority': 'other.example' } });
  assert.equal(o.headers['x-server'], 'other');
  const m = await h2req(s, '/z');
  assert.equal(m.headers['x-server'], 'main');
  assert.equal(field(main.requests[0]!, 'x-ver'), '2.0', 'req.ver is 2.0');
  assert.equal(field(main.requests[0]!, 'x-added'), 'yes');
  assert.equal(field(other.requests[0]!, 'host'), 'other.example');

  const d = await h2req(s, '/deny');
  assert.equal(d.status, 403);
  const ret = await h2req(s, '/return');
  assert.equal(ret.status, 200);
  assert.equal(ret.body.toString(), 'returned');
  assert.equal(ret.headers['content-type'], 'text/plain');
  const red = await h2req(s, '/redir');
  assert.equal(red.status, 302);
  assert.equal(red.headers.location, '/elsewhere');
  assert.equal(main.requests.length + api.requests.length + other.requests.length, 3, 'deny/return/redirect reach no server');

  // the same connection still serves after the answers lbd made itself
  assert.equal((await h2req(s, '/after')).status, 200);
  await waitFor(() => lines.length >= 7, 3000, '7 log lines');
  const zl = lines.find((l) => l.includes('/z '));
  assert.ok(zl, `a line for /z in ${lines.join('\n')}`);
  assert.match(zl, /"GET \/z HTTP\/2\.0"/);
  assert.match(zl, / f main\/s1 /);
  const dl = lines.find((l) => l.includes('/deny'));
  assert.match(dl ?? '', / 403 .*"GET \/deny HTTP\/2\.0"/);
});

// ---------------------------------------------------------------- 6. malformed requests

test('malformed requests are reset alone (RST_STREAM PROTOCOL_ERROR); the other streams on the connection succeed', async (t) => {
  const be = await httpBackend('s1');
  const lb = await startLb(oneBackend('proto h2'), { s1: be.port });
  t.after(() => Promise.all([lb.close(), be.close()]));
  const c = await H2Raw.open(lb.port);
  t.after(() => c.close());
  const bad: [string, string[]][] = [
    ['uppercase name', req('/u', { extra: ['X-Upper', 'v'] })],
    ['connection: keep-alive', req('/c', { extra: ['connection', 'keep-alive'] })],
    ['missing :path', [':method', 'GET', ':scheme', 'http', ':authority', 'test']],
    ['te: gzip', req('/te', { extra: ['te', 'gzip'] })],
    ['pseudo-header after a regular one', [':method', 'GET', ':scheme', 'http', 'x-a', '1', ':path', '/p']],
    ['transfer-encoding', req('/tr', { extra: ['transfer-encoding', 'chunked'] })],
  ];
  let id = 1;
  const ids: number[] = [];
  c.get(id, '/before');
  const first = id;
  id += 2;
  for (const [, fields] of bad) {
    c.headers(id, fields, { endStream: true });
    ids.push(id);
    id += 2;
  }
  c.headers(id, req('/te-trailers', { extra: ['te', 'trailers'] }), { endStream: true });
  const teOk = id;
  id += 2;
  c.get(id, '/after');
  const last = id;
  for (const [i, sid] of ids.entries()) {
    const r = await c.response(sid);
    assert.equal(r.rst, E.PROTOCOL_ERROR, `${bad[i]![0]}: RST_STREAM PROTOCOL_ERROR (got status ${r.status}, rst ${r.rst})`);
    assert.equal(r.status, 0, `${bad[i]![0]}: no response head`);
  }
  for (const [sid, path] of [[first, '/before'], [teOk, '/te-trailers'], [last, '/after']] as const) {
    const r = await c.response(sid);
    assert.equal(r.status, 200, path);
    assert.equal(r.body.toString(), `s1 ${path}`);
  }
  assert.equal(c.goaway, null, 'no GOAWAY');
  assert.deepEqual(be.requests.map((r) => r.path), ['/before', '/te-trailers', '/after'], 'no malformed request reached the server');
  assert.ok(lb.rt.frontends.get('f')!.h2.streamProtoErrors >= bad.length);
});

test('a header list over tune.bufsize (16 KiB, HEADERS + CONTINUATION) gets 431; the connection goes on', async (t) => {
  const be = await httpBackend('s1');
  const lb = await startLb(oneBackend('proto h2'), { s1: be.port });
  t.after(() => Promise.all([lb.close(), be.close()]));
  const c = await H2Raw.open(lb.port);
  t.after(() => c.close());
  const block = literal(req('/big', { extra: ['x-big-1', 'a'.repeat(9000), 'x-big-2', 'b'.repeat(9000)] }));
  assert.ok(block.length > 16384 && block.length < 32768);
  c.send(Buffer.concat([frame(T.HEADERS, F.END_STREAM, 1, block.subarray(0, 16384)), frame(T.CONTINUATION, F.END_HEADERS, 1, block.subarray(16384))]));
  const r = await c.response(1);
  assert.equal(r.status, 431);
  c.get(3, '/small');
  const r2 = await c.response(3);
  assert.equal(r2.status, 200);
  assert.equal(r2.body.toString(), 's1 /small');
  assert.equal(c.goaway, null);
  assert.deepEqual(be.requests.map((x) => x.path), ['/small']);

  // node:http2 sees the same 431 (it does not enforce the advertised list size itself)
  const s = await session(t, `http://127.0.0.1:${lb.port}`);
  const r3 = await h2req(s, '/big2', { headers: { 'x-big': 'c'.repeat(17000) } }).catch((e: Error) => ({ status: -1, err: e.message }));
  assert.equal(r3.status, 431, JSON.stringify(r3).slice(0, 200));
});

// ---------------------------------------------------------------- 7. stream limit

test('more than 100 streams at once: the extra ones get REFUSED_STREAM, the first 100 are served, the connection survives', async (t) => {
  const held: (() => void)[] = [];
  const be = await httpBackend('s1', (r) => {
    held.push(() => r.sock.write(ok(`s1 ${r.req.path}`)));
    return null;
  });
  const lb = await startLb(oneBackend('proto h2'), { s1: be.port });
  t.after(() => Promise.all([lb.close(), be.close()]));
  const c = await H2Raw.open(lb.port);
  t.after(() => c.close());
  await c.until(() => c.serverSettings !== null, 3000, 'server SETTINGS');
  const out: Buffer[] = [];
  for (let i = 0; i < 150; i++) out.push(frame(T.HEADERS, F.END_STREAM | F.END_HEADERS, 1 + 2 * i, literal(req(`/s${i}`))));
  c.send(Buffer.concat(out));
  await c.until(() => c.frames.filter((f) => f.type === T.RST_STREAM).length >= 50, 3000, '50 RST_STREAM');
  const refused = c.frames.filter((f) => f.type === T.RST_STREAM);
  assert.equal(refused.length, 50);
  for (const f of refused) {
    assert.equal(f.payload.readUInt32BE(0), E.REFUSED_STREAM);
    assert.ok(f.stream > 199, `stream ${f.stream} refused: only streams past the 100th are`);
  }
  await waitFor(() => held.length === 100, 3000, '100 requests at the server');
  for (const h of held.splice(0)) h();
  for (let i = 0; i < 100; i++) {
    const r = await c.response(1 + 2 * i);
    assert.equal(r.status, 200);
    assert.equal(r.body.toString(), `s1 /s${i}`);
  }
  // refused streams may be retried: the connection is alive
  be.handler = (r) => ok(`s1 ${r.req.path}`);
  c.get(301, '/again');
  const r = await c.response(301);
  assert.equal(r.status, 200);
  assert.equal(c.goaway, null);
  assert.equal(c.ended, false);
});

// ---------------------------------------------------------------- 9. soft stop

test('soft stop: GOAWAY NO_ERROR naming the last stream; the stream in progress completes, then the connection closes', async (t) => {
  let release: (() => void) | null = null;
  const be = await httpBackend('s1', (r) => {
    if (r.req.path !== '/slow') return ok('fast');
    release = () => r.sock.write(ok('slow'));
    return null;
  });
  const lb = await startLb(oneBackend('proto h2', '  timeout http-keep-alive 30s'), { s1: be.port });
  t.after(() => Promise.all([lb.close(), be.close()]));
  const c = await H2Raw.open(lb.port);
  t.after(() => c.close());
  c.get(1, '/fast');
  assert.equal((await c.response(1)).status, 200);
  c.get(3, '/slow');
  await waitFor(() => release, 3000, 'the slow request at the server');
  await lb.rt.closeListeners();
  const g = await c.waitGoaway(2000);
  assert.equal(g.code, E.NO_ERROR);
  assert.equal(g.last, 3, 'GOAWAY names the stream in progress');
  assert.equal(c.ended, false, 'not closed while a stream is in progress');
  (release as unknown as () => void)();
  const r = await c.response(3);
  assert.equal(r.status, 200);
  assert.equal(r.body.toString(), 'slow');
  await c.closed(3000);
  assert.equal(await lb.rt.waitIdle(2000), true);
});

test('soft stop seen by node:http2: a goaway event, the request in flight still answered', async (t) => {
  let release: (() => void) | null = null;
  const be = await httpBackend('s1', (r) => {
    release = () => r.sock.write(ok('done'));
    return null;
  });
  const lb = await startLb(oneBackend('proto h2'), { s1: be.port });
  t.after(() => Promise.all([lb.close(), be.close()]));
  const s = await session(t, `http://127.0.0.1:${lb.port}`);
  const goaway = new Promise<number>((r) => s.once('goaway', (code: number) => r(code)));
  const p = h2req(s, '/slow');
  await waitFor(() => release, 3000, 'the request at the server');
  await lb.rt.closeListeners();
  assert.equal(await within(goaway, 2000, 'goaway'), 0);
  (release as unknown as () => void)();
  const r = await p;
  assert.equal(r.status, 200);
  assert.equal(r.body.toString(), 'done');
  assert.equal(await lb.rt.waitIdle(2000), true);
});

// ---------------------------------------------------------------- 10. reset while the server answers

test('a client reset while the server is still answering frees the server connection; the next stream works', async (t) => {
  const serverSocks: net.Socket[] = [];
  const be = await httpBackend('s1', (r) => {
    if (r.req.path === '/endless') {
      serverSocks.push(r.sock);
      r.sock.write(`HTTP/1.1 200 OK\r\ncontent-length: 10000000\r\n\r\n${'x'.repeat(1000)}`);
      return null;
    }
    return ok('fine');
  });
  const lb = await startLb(oneBackend('proto h2'), { s1: be.port });
  t.after(() => Promise.all([lb.close(), be.close()]));
  const c = await H2Raw.open(lb.port);
  t.after(() => c.close());
  c.get(1, '/endless');
  await c.until(() => c.frames.some((f) => f.type === T.DATA && f.stream === 1), 3000, 'the first DATA');
  assert.equal(lb.num('b/s1', 'scur'), 1);
  c.rst(1, E.CANCEL);
  // the half-sent response cannot be reused: lbd closes that server connection
  await waitFor(() => serverSocks[0]!.destroyed || serverSocks[0]!.readableEnded, 3000, 'the server connection closed');
  await waitFor(() => lb.num('b/s1', 'scur') === 0, 3000, 'scur back to 0');
  await waitFor(() => lb.rt.frontends.get('f')!.h2.openStreams === 0, 3000, 'no open stream');
  c.get(3, '/next');
  const r = await c.response(3);
  assert.equal(r.status, 200);
  assert.equal(r.body.toString(), 'fine');
  assert.equal(c.goaway, null);
  assert.equal(lb.num('b/s1', 'scur'), 0);
});

// ---------------------------------------------------------------- interop load

test('h2load: 400 requests over 2 connections, 50 streams each, all 2xx', { skip: skipH2load }, async (t) => {
  const bes = await Promise.all(['a', 'b'].map((n) => httpBackend(n)));
  const lb = await startLb(`${DEFAULTS}
frontend f
  bind 127.0.0.1:\${fe} proto h2
  default_backend b
backend b
  server a 127.0.0.1:\${a}
  server b 127.0.0.1:\${b}
`, { a: bes[0]!.port, b: bes[1]!.port });
  t.after(() => Promise.all([lb.close(), ...bes.map((b) => b.close())]));
  const r = await run('h2load', ['-n', '400', '-c', '2', '-m', '50', `http://127.0.0.1:${lb.port}/load`], 15_000);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /requests: 400 total, 400 started, 400 done, 400 succeeded, 0 failed, 0 errored/);
  assert.match(r.stdout, /status codes: 400 2xx/);
  assert.equal(bes[0]!.requests.length + bes[1]!.requests.length, 400);
  assert.ok(bes[0]!.requests.length >= 150 && bes[1]!.requests.length >= 150, `${bes[0]!.requests.length}/${bes[1]!.requests.length}`);
});
