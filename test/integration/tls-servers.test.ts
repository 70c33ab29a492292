/**
 * TLS towards servers (`server … ssl`), on real sockets: `verify none` to a self-signed server;
 * `verify required ca-file` with `sni` checked against the certificate (a wrong name fails the connect:
 * 503, counted in econ); session resumption on the next connection; a client certificate (`crt`) the
 * server sees; and re-encryption in mode tcp.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import tls from 'node:tls';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startLb } from '../helpers/http-lb.js';
import { request, get } from '../helpers/http-wire.js';
import { hasOpenssl, opensslCert } from '../helpers/tls.js';
import net from 'node:net';
import { Duplex } from 'node:stream';
import { parseProxyHeader } from '../../daemon/proxy/proxy-protocol.js';

const skip = hasOpenssl() ? false : 'openssl is not installed';
let dir = '';
let ca: { cert: string; key: string; pem: string };
let srv: { cert: string; key: string; pem: string };
let client: { cert: string; key: string; pem: string };

/** An HTTPS-ish server on raw TLS: answers every request with `200` and what it knows of the handshake. */
async function tlsServer(o: tls.TlsOptions): Promise<{ port: number; resumed: boolean[]; peers: string[]; close: () => Promise<void> }> {
  const resumed: boolean[] = [];
  const peers: string[] = [];
  const server = tls.createServer(o, (s) => {
    resumed.push(s.isSessionReused());
    peers.push(s.getPeerX509Certificate()?.subject ?? '');
    s.on('error', () => {});
    let buf = '';
    s.on('data', (d: Buffer) => {
      buf += d.toString('latin1');
      while (buf.includes('\r\n\r\n')) {
        buf = buf.slice(buf.indexOf('\r\n\r\n') + 4);
        const body = `tls ${s.servername || '-'} ${s.getProtocol()}`;
        s.write(`HTTP/1.1 200 OK\r\ncontent-length: ${body.length}\r\n\r\n${body}`);
      }
    });
  });
  server.on('tlsClientError', () => {});
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return {
    port: (server.address() as { port: number }).port,
    resumed,
    peers,
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

before(() => {
  if (skip) return;
  dir = mkdtempSync(join(tmpdir(), 'lbd-tls-srv-'));
  const caFiles = opensslCert(dir, 'ca', { key: 'rsa', cn: 'Test CA', ca: true });
  ca = { ...caFiles, cert: caFiles.cert, key: caFiles.key };
  srv = opensslCert(dir, 'srv', { key: 'ec', cn: 'backend.example', san: ['backend.example'], signer: caFiles });
  client = opensslCert(dir, 'client', { key: 'rsa', cn: 'lbd-client', signer: caFiles });
});

after(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const DEFAULTS = `
defaults
    mode http
    timeout connect 1s
    timeout client 5s
    timeout server 5s
    retries 0
`;

test('verify none to a self-signed server; the next connection resumes the TLS session', { skip }, async (t) => {
  const be = await tlsServer({ key: readFileSync(srv.key), cert: readFileSync(srv.cert) });
  const lb = await startLb(`${DEFAULTS}
frontend f
    bind 127.0.0.1:\${fe}
    default_backend b
backend b
    http-reuse never
    server s1 127.0.0.1:${be.port} ssl verify none sni str(backend.example)
`);
  t.after(async () => {
    await lb.close();
    await be.close();
  });
  const r1 = await request(lb.port, get('/'));
  assert.equal(r1.status, 200);
  assert.equal(r1.body.toString(), 'tls backend.example TLSv1.3');
  const r2 = await request(lb.port, get('/'));
  assert.equal(r2.status, 200);
  assert.deepEqual(be.resumed, [false, true], 'the second connection resumed the session');
});

test('verify required: the CA and the name are checked (a wrong sni fails the connect: 503, econ)', { skip }, async (t) => {
  const be = await tlsServer({ key: readFileSync(srv.key), cert: readFileSync(srv.cert) });
  const lb = await startLb(`${DEFAULTS}
frontend good
    bind 127.0.0.1:\${fe}
    default_backend good
frontend bad
    bind 127.0.0.1:\${fe2}
    default_backend bad
backend good
    server s1 127.0.0.1:${be.port} ssl verify required ca-file ${ca.cert} sni str(backend.example)
backend bad
    server s1 127.0.0.1:${be.port} ssl verify required ca-file ${ca.cert} sni str(other.example)
`);
  t.after(async () => {
    await lb.close();
    await be.close();
  });
  assert.equal((await request(lb.port, get('/'))).status, 200);
  assert.equal((await request(lb.ports.fe2!, get('/'))).status, 503);
  assert.equal(lb.num('bad/s1', 'econ'), 1);
});

test('a client certificate (crt) is presented to a server that asks for one', { skip }, async (t) => {
  const be = await tlsServer({ key: readFileSync(srv.key), cert: readFileSync(srv.cert), requestCert: true, rejectUnauthorized: true, ca: readFileSync(ca.cert) });
  const lb = await startLb(`${DEFAULTS}
frontend f
    bind 127.0.0.1:\${fe}
    default_backend b
backend b
    server s1 127.0.0.1:${be.port} ssl verify required ca-file ${ca.cert} sni str(backend.example) crt ${client.pem}
`);
  t.after(async () => {
    await lb.close();
    await be.close();
  });
  assert.equal((await request(lb.port, get('/'))).status, 200);
  assert.deepEqual(be.peers, ['CN=lbd-client']);
});

test('mode tcp re-encrypts: plain client, TLS server', { skip }, async (t) => {
  const be = await tlsServer({ key: readFileSync(srv.key), cert: readFileSync(srv.cert) });
  const lb = await startLb(`
defaults
    mode tcp
    timeout connect 1s
    timeout client 5s
    timeout server 5s
frontend f
    bind 127.0.0.1:\${fe}
    default_backend b
backend b
    server s1 127.0.0.1:${be.port} ssl verify none sni str(backend.example)
`);
  t.after(async () => {
    await lb.close();
    await be.close();
  });
  const r = await request(lb.port, get('/'));
  assert.equal(r.body.toString(), 'tls backend.example TLSv1.3');
});

test('check-ssl: health checks run over TLS (L6OK); a server whose certificate fails verification is L6RSP', { skip }, async (t) => {
  const be = await tlsServer({ key: readFileSync(srv.key), cert: readFileSync(srv.cert) });
  const lb = await startLb(`${DEFAULTS}
frontend f
    bind 127.0.0.1:\${fe}
    default_backend b
backend b
    server ok 127.0.0.1:${be.port} ssl verify required ca-file ${ca.cert} check-sni backend.example check inter 100 rise 1 fall 1
    server bad 127.0.0.1:${be.port} ssl verify required ca-file ${ca.cert} check-sni wrong.example check inter 100 rise 1 fall 1
`);
  t.after(async () => {
    await lb.close();
    await be.close();
  });
  const deadline = Date.now() + 5000;
  const status = () => [lb.stat()['b/ok']?.check_status, lb.stat()['b/bad']?.check_status];
  while (Date.now() < deadline && !(status()[0] === 'L6OK' && status()[1] === 'L6RSP')) await new Promise((r) => setTimeout(r, 20));
  assert.deepEqual(status(), ['L6OK', 'L6RSP']);
  assert.equal(lb.stat()['b/ok']?.status, 'UP');
  assert.equal(lb.stat()['b/bad']?.status, 'DOWN');
});

test('send-proxy-v2 with ssl: the PROXY header goes before the TLS handshake (mode http and tcp)', { skip }, async (t) => {
  const seen: string[] = [];
  // a server that reads a PROXY header on the plain socket, then speaks TLS on the rest
  const server = net.createServer((raw) => {
    raw.on('error', () => {});
    let buf = Buffer.alloc(0);
    const onData = (chunk: Buffer): void => {
      buf = Buffer.concat([buf, chunk]);
      const h = parseProxyHeader(buf);
      if (h.state === 'more') return;
      raw.off('data', onData);
      if (h.state === 'error') return void raw.destroy();
      seen.push(h.endpoints ? `${h.endpoints.src}` : 'local');
      // TLS over a JS stream that starts with the bytes read past the header (a TLSSocket on `raw` itself would
      // read its handle directly and miss them)
      const tunnel = new Duplex({
        read() {},
        write(chunk: Buffer, _enc, cb) {
          raw.write(chunk, cb);
        },
        final(cb) {
          raw.end();
          cb();
        },
      });
      tunnel.push(buf.subarray(h.end));
      raw.on('data', (x: Buffer) => tunnel.push(x));
      raw.on('end', () => tunnel.push(null));
      const s = new tls.TLSSocket(tunnel, { isServer: true, key: readFileSync(srv.key), cert: readFileSync(srv.cert) });
      s.on('error', () => {});
      let req = '';
      s.on('data', (x: Buffer) => {
        req += x.toString('latin1');
        if (req.includes('\r\n\r\n')) s.write('HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok');
      });
    };
    raw.on('data', onData);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const port = (server.address() as net.AddressInfo).port;
  const lb = await startLb(`${DEFAULTS}
frontend web
    bind 127.0.0.1:\${fe}
    default_backend b
frontend raw
    mode tcp
    bind 127.0.0.1:\${fe2}
    default_backend braw
backend b
    server s1 127.0.0.1:${port} ssl verify none send-proxy-v2
backend braw
    mode tcp
    server s1 127.0.0.1:${port} ssl verify none send-proxy
`);
  t.after(async () => {
    await lb.close();
    await new Promise<void>((r) => server.close(() => r()));
  });
  const r = await request(lb.port, get('/'));
  assert.equal(r.status, 200);
  assert.equal(r.body.toString(), 'ok');
  const r2 = await request(lb.ports.fe2!, get('/'));
  assert.equal(r2.body.toString(), 'ok');
  assert.deepEqual(seen, ['127.0.0.1', '127.0.0.1'], 'each server connection started with the client\'s PROXY header');
});
