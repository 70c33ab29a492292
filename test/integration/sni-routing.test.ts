/**
 * SNI routing of TLS passthrough on real sockets: lbd in mode tcp reads the ClientHello
 * (`tcp-request inspect-delay`, `tcp-request content`, `req.ssl_sni`) and picks the backend; TLS ends on
 * the servers. Also: a hello split over several packets, no SNI, not TLS, a silent client (the delay
 * applies), `reject` rules (counted in dreq) and the PROXY protocol in front of the inspection.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import tls from 'node:tls';
import { Duplex } from 'node:stream';
import { Runtime } from '../../daemon/runtime/runtime.js';
import { memoryLogger } from '../../daemon/log.js';
import { runProbe } from '../../daemon/health/probe.js';
import { parseConfigText } from '../../daemon/config/index.js';
import { encodeV1 } from '../../daemon/proxy/proxy-protocol.js';
import { closed, connect, freePort, namedServer, readBytes, readLine, type TestServer } from '../helpers/net.js';
import { selfSigned } from '../helpers/tls.js';
import { waitFor } from '../helpers/wait.js';

const api = selfSigned('api.example.com');
const www = selfSigned('www.example.com');
const skip = api === null || www === null ? 'openssl is not installed (needed to make the test certificates)' : false;

/** A TLS server that answers each handshake with its name. */
async function tlsServer(name: string, cert: { key: string; cert: string }): Promise<TestServer> {
  const sockets = new Set<net.Socket>();
  const srv = tls.createServer(cert, (s) => {
    s.on('error', () => {});
    s.end(`${name}\n`);
  });
  srv.on('connection', (s: net.Socket) => {
    sockets.add(s);
    ts.accepted++;
    s.on('error', () => {});
    s.on('close', () => sockets.delete(s));
  });
  srv.on('tlsClientError', () => {});
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', () => r()));
  const ts: TestServer = {
    port: (srv.address() as net.AddressInfo).port,
    accepted: 0,
    sockets,
    close: () =>
      new Promise<void>((r) => {
        for (const s of sockets) s.destroy();
        srv.close(() => r());
      }),
  };
  return ts;
}

let rt: Runtime;
let ports: { sni: number; plain: number; reject: number; pp: number };
let servers: TestServer[] = [];

before(async () => {
  if (skip) return;
  const [apiSrv, wwwSrv, plainSrv] = await Promise.all([tlsServer('api', api!), tlsServer('www', www!), namedServer('plain')]);
  servers = [apiSrv, wwwSrv, plainSrv];
  ports = { sni: await freePort(), plain: await freePort(), reject: await freePort(), pp: await freePort() };
  const text = `
defaults
  mode tcp
  timeout connect 1s
  timeout client 5s
  timeout server 5s
frontend sni
  bind 127.0.0.1:${ports.sni}
  tcp-request inspect-delay 3s
  tcp-request content accept if { req.ssl_hello_type 1 }
  use_backend api if { req.ssl_sni -i api.example.com }
  use_backend www if { req_ssl_sni -i www.example.com }
  default_backend www
frontend plain
  bind 127.0.0.1:${ports.plain}
  tcp-request inspect-delay 300ms
  tcp-request content accept if { req.ssl_hello_type 1 }
  use_backend api if { req.ssl_sni -i api.example.com }
  default_backend plain
frontend reject
  bind 127.0.0.1:${ports.reject}
  tcp-request inspect-delay 3s
  tcp-request content reject if !{ req.ssl_hello_type 1 }
  use_backend api if { req.ssl_sni -i api.example.com }
  default_backend plain
frontend pp
  bind 127.0.0.1:${ports.pp} accept-proxy
  tcp-request inspect-delay 3s
  tcp-request content accept if { req.ssl_hello_type 1 }
  use_backend api if { req.ssl_sni -i api.example.com } { src 10.1.2.3 }
  default_backend www
backend api
  server s 127.0.0.1:${apiSrv.port}
backend www
  server s 127.0.0.1:${wwwSrv.port}
backend plain
  server s 127.0.0.1:${plainSrv.port}
`;
  const r = await parseConfigText(text, 'sni.cfg');
  assert.ok(r.config, r.diagnostics.map((d) => d.message).join('\n'));
  rt = new Runtime({ log: memoryLogger(), probe: runProbe });
  await rt.apply(r.config);
});

after(async () => {
  if (skip) return;
  await rt.closeListeners();
  rt.shutdown();
  await Promise.all(servers.map((s) => s.close()));
});

/** Connect with TLS through lbd (optionally over a given socket); resolves with the server's line and certificate CN. */
function tlsThrough(port: number, servername: string | undefined, socket?: Duplex): Promise<{ line: string; cn: string }> {
  return new Promise((resolve, reject) => {
    const opts: tls.ConnectionOptions = { rejectUnauthorized: false, ...(socket ? { socket } : { host: '127.0.0.1', port }), ...(servername === undefined ? { servername: '' } : { servername }) };
    const c = tls.connect(opts);
    let data = '';
    c.on('error', reject);
    c.on('data', (d: Buffer) => (data += d.toString()));
    c.on('end', () => {
      const cn = String(c.getPeerCertificate().subject?.CN ?? '');
      c.destroy();
      resolve({ line: data.trim(), cn });
    });
  });
}

const frontend = (name: string) => rt.snapshot().frontends.find((f) => f.name === name)!;

test('TLS passthrough: the ClientHello\'s server name picks the backend (matched with -i), TLS ends on the server', { skip }, async () => {
  assert.deepEqual(await tlsThrough(ports.sni, 'api.example.com'), { line: 'api', cn: 'api.example.com' });
  assert.deepEqual(await tlsThrough(ports.sni, 'WWW.Example.com'), { line: 'www', cn: 'www.example.com' });
  assert.deepEqual(await tlsThrough(ports.sni, 'api.example.com'), { line: 'api', cn: 'api.example.com' });
});

test('no SNI: default_backend', { skip }, async () => {
  assert.deepEqual(await tlsThrough(ports.sni, undefined), { line: 'www', cn: 'www.example.com' });
  // where the default backend is a plain server, the TLS client reaches it (and its handshake fails there)
  const before = servers[2].accepted;
  await assert.rejects(tlsThrough(ports.plain, undefined));
  assert.equal(servers[2].accepted, before + 1);
});

test('a ClientHello split over several packets is reassembled before routing', { skip }, async () => {
  const raw = await connect(ports.sni);
  raw.setNoDelay(true);
  let first = true;
  const duplex = new Duplex({
    read() {},
    write(chunk: Buffer, _enc, cb) {
      if (!first) return raw.write(chunk, () => cb());
      first = false;
      // the hello in 5 pieces, each its own packet
      const n = Math.ceil(chunk.length / 5);
      void (async () => {
        for (let i = 0; i < chunk.length; i += n) {
          raw.write(chunk.subarray(i, i + n));
          await new Promise((r) => setTimeout(r, 15));
        }
        cb();
      })();
    },
    final(cb) {
      raw.end();
      cb();
    },
  });
  raw.on('data', (d) => duplex.push(d));
  raw.on('end', () => duplex.push(null));
  raw.on('error', (e) => duplex.destroy(e));
  try {
    assert.deepEqual(await tlsThrough(ports.sni, 'api.example.com', duplex), { line: 'api', cn: 'api.example.com' });
  } finally {
    raw.destroy();
  }
});

test('not TLS: routed at once to default_backend (no hello to wait for), bytes forwarded', { skip }, async () => {
  const c = await connect(ports.plain);
  const t0 = Date.now();
  c.write('hello\n');
  assert.equal((await readBytes(c, 12)).toString(), 'plain\nhello\n');
  assert.ok(Date.now() - t0 < 250, 'no inspect-delay wait for data that is not TLS');
  c.destroy();
});

test('a silent client: the rules wait for inspect-delay, then the connection goes to default_backend', { skip }, async () => {
  const c = await connect(ports.plain);
  const t0 = Date.now();
  assert.equal(await readLine(c), 'plain');
  assert.ok(Date.now() - t0 >= 280, `waited ${Date.now() - t0} ms`);
  c.destroy();
});

test('a client that half-closes during inspection: final evaluation, then its bytes and its FIN reach the server', { skip }, async () => {
  const c = await connect(ports.plain, { allowHalfOpen: true });
  const t0 = Date.now();
  // the start of a TLS record: the hello rule waits for more, until the FIN makes the evaluation final
  c.end(Buffer.from([0x16, 0x03, 0x01]));
  assert.deepEqual(await readBytes(c, 9), Buffer.concat([Buffer.from('plain\n'), Buffer.from([0x16, 0x03, 0x01])]));
  await closed(c);
  assert.ok(Date.now() - t0 < 250, 'no wait for inspect-delay once the client ended');
});

test('tcp-request content reject if !{ req.ssl_hello_type 1 }: not TLS is closed and counted (dreq); TLS passes', { skip }, async () => {
  const before = frontend('reject').counters.deniedReq ?? 0;
  const accepted = servers[2].accepted;
  const c = await connect(ports.reject);
  c.write('GET / HTTP/1.1\r\n\r\n');
  await closed(c);
  await waitFor(() => (frontend('reject').counters.deniedReq ?? 0) === before + 1, 2000, 'dreq counted');
  assert.equal(servers[2].accepted, accepted, 'no server connection for a rejected client');
  assert.deepEqual(await tlsThrough(ports.reject, 'api.example.com'), { line: 'api', cn: 'api.example.com' });
  const csv = rt.snapshot().frontends.find((f) => f.name === 'reject')!;
  assert.equal(csv.counters.deniedReq, before + 1);
  await waitFor(() => rt.proc.cur === 0, 2000, 'sessions over');
});

test('accept-proxy then inspection: the PROXY header first, then the ClientHello; both fetch kinds work', { skip }, async () => {
  const via = async (src: string) => {
    // the header is written before TLS starts, so it goes first
    const raw = await connect(ports.pp);
    raw.write(encodeV1({ src, srcPort: 1000, dst: '10.0.0.1', dstPort: 443 }));
    const duplex = new Duplex({
      read() {},
      write(chunk: Buffer, _enc, cb) {
        raw.write(chunk, () => cb());
      },
    });
    raw.on('data', (d) => duplex.push(d));
    raw.on('end', () => duplex.push(null));
    raw.on('error', (e) => duplex.destroy(e));
    return { raw, duplex };
  };
  const a = await via('10.1.2.3');
  assert.deepEqual(await tlsThrough(ports.pp, 'api.example.com', a.duplex), { line: 'api', cn: 'api.example.com' });
  a.raw.destroy();
  const b = await via('10.9.9.9');
  assert.deepEqual(await tlsThrough(ports.pp, 'api.example.com', b.duplex), { line: 'www', cn: 'www.example.com' });
  b.raw.destroy();
});
