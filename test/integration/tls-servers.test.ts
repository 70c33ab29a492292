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
