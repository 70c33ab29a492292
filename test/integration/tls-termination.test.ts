/**
 * TLS termination end to end through the runtime: `bind … ssl crt` from a real config, in mode http
 * (requests reach a plain backend, `ssl_fc_sni` routes, `%ft~` in the log line, show stat's ssl_sess)
 * and in mode tcp (bytes flow once the handshake is done), a TLS 1.1 client refused and counted,
 * `curl` over TLS when installed, and a reload that changes the certificate file: new handshakes get
 * the new certificate while a connection opened before keeps working.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import tls from 'node:tls';
import dgram from 'node:dgram';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, copyFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startLb, type Lb } from '../helpers/http-lb.js';
import { httpBackend, type HttpBackend } from '../helpers/http-wire.js';
import { hasOpenssl, opensslCert } from '../helpers/tls.js';
import { tcpServer, type TestServer } from '../helpers/net.js';
import { parseConfigText } from '../../daemon/config/index.js';

const skip = hasOpenssl() ? false : 'openssl is not installed';
let dir = '';
let certA = '';
let certB = '';
let live = '';
let be1: HttpBackend;
let be2: HttpBackend;
let echo: TestServer;
let logSock: dgram.Socket;
const logLines: string[] = [];
let lb: Lb;

const config = () => `
global
    log 127.0.0.1:${(logSock.address() as { port: number }).port} format raw local0
defaults
    mode http
    log global
    option httplog
    timeout connect 1s
    timeout client 5s
    timeout server 5s
frontend web
    bind 127.0.0.1:\${fe} ssl crt ${live} alpn h2,http/1.1
    use_backend two if { ssl_fc_sni -i two.example }
    http-request set-header X-TLS %[ssl_fc_protocol]
    default_backend one
frontend raw
    mode tcp
    bind 127.0.0.1:\${fe2} ssl crt ${live}
    default_backend echo
backend one
    server s1 127.0.0.1:\${b1}
backend two
    server s1 127.0.0.1:\${b2}
backend echo
    mode tcp
    server e1 127.0.0.1:\${e}
`;

before(async () => {
  if (skip) return;
  dir = mkdtempSync(join(tmpdir(), 'lbd-tls-e2e-'));
  certA = opensslCert(dir, 'a', { key: 'ec', cn: 'one.example', san: ['one.example', 'two.example'] }).pem;
  certB = opensslCert(dir, 'b', { key: 'rsa', cn: 'rotated.example', san: ['one.example', 'two.example'] }).pem;
  live = join(dir, 'live.pem');
  copyFileSync(certA, live);
  be1 = await httpBackend('one');
  be2 = await httpBackend('two');
  echo = await tcpServer((s) => s.on('data', (d: Buffer) => s.write(d)));
  logSock = dgram.createSocket('udp4');
  logSock.on('message', (m) => logLines.push(m.toString()));
  await new Promise<void>((r) => logSock.bind(0, '127.0.0.1', () => r()));
  lb = await startLb(config(), { b1: be1.port, b2: be2.port, e: echo.port });
});

after(async () => {
  if (skip) return;
  await lb.close();
  await Promise.all([be1.close(), be2.close(), echo.close()]);
  logSock.close();
  rmSync(dir, { recursive: true, force: true });
});

/** One HTTPS request with Node's tls (raw HTTP/1.1 over it); the response text and the peer certificate's CN. */
function httpsGet(port: number, servername: string, path = '/'): Promise<{ text: string; cn: string; alpn: string | false | null }> {
  return new Promise((resolve, reject) => {
    const s = tls.connect({ host: '127.0.0.1', port, servername, rejectUnauthorized: false, ALPNProtocols: ['http/1.1'] }, () => {
      s.write(`GET ${path} HTTP/1.1\r\nHost: ${servername}\r\nConnection: close\r\n\r\n`);
    });
    let text = '';
    s.on('data', (d: Buffer) => (text += d.toString('latin1')));
    s.on('end', () => resolve({ text, cn: s.getPeerX509Certificate()?.subject ?? '', alpn: s.alpnProtocol }));
    s.on('error', reject);
    s.setTimeout(3000, () => s.destroy(new Error('timed out')));
  });
}

test('mode http over TLS: the request reaches the backend, ssl_fc_sni routes, %[ssl_fc_protocol] in a header', { skip }, async () => {
  const r1 = await httpsGet(lb.port, 'one.example', '/a');
  assert.match(r1.text, /^HTTP\/1\.1 200 /);
  assert.match(r1.text, /one \/a/);
  assert.equal(r1.alpn, 'http/1.1');
  const seen = be1.requests.at(-1)!;
  assert.equal(seen.fields.find(([n]) => n.toLowerCase() === 'x-tls')?.[1], 'TLSv1.3');
  const r2 = await httpsGet(lb.port, 'two.example', '/b');
  assert.match(r2.text, /two \/b/, 'routed on the SNI');
  assert.equal(lb.num('web/FRONTEND', 'ssl_sess'), 2);
});

test('the access log names the frontend with ~ on a TLS listener', { skip }, async () => {
  const before = logLines.length;
  await httpsGet(lb.port, 'one.example', '/logged');
  const deadline = Date.now() + 2000;
  while (!logLines.slice(before).some((l) => l.includes('/logged')) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
  const line = logLines.slice(before).find((l) => l.includes('/logged'));
  assert.ok(line, 'a log line for the request');
  assert.match(line, / web~ one\/s1 /);
});

test('mode tcp over TLS: bytes flow after the handshake', { skip }, async () => {
  const got = await new Promise<string>((resolve, reject) => {
    const s = tls.connect({ host: '127.0.0.1', port: lb.ports.fe2!, servername: 'one.example', rejectUnauthorized: false }, () => s.write('hello'));
    s.once('data', (d: Buffer) => {
      resolve(d.toString());
      s.destroy();
    });
    s.on('error', reject);
  });
  assert.equal(got, 'hello');
});

test('a TLS 1.1 client is refused (secure default floor TLS 1.2) and counted as a failed handshake', { skip }, async () => {
  const failed = lb.num('web/FRONTEND', 'ssl_failed_handshake');
  await assert.rejects(httpsGetWith({ minVersion: 'TLSv1', maxVersion: 'TLSv1.1', ciphers: 'DEFAULT@SECLEVEL=0' }));
  assert.equal(lb.num('web/FRONTEND', 'ssl_failed_handshake'), failed + 1);
});

function httpsGetWith(o: tls.ConnectionOptions): Promise<void> {
  return new Promise((resolve, reject) => {
    const s = tls.connect({ host: '127.0.0.1', port: lb.port, servername: 'one.example', rejectUnauthorized: false, ...o }, () => {
      s.destroy();
      resolve();
    });
    s.on('error', reject);
  });
}

test('curl over TLS with --resolve (SNI) gets the backend answer', { skip: skip || (process.env.PATH?.split(':').some(() => true) ? false : 'no PATH') }, async (t) => {
  const out = await new Promise<string | null>((resolve) => {
    execFile('curl', ['-sk', '--max-time', '3', '--resolve', `one.example:${lb.port}:127.0.0.1`, `https://one.example:${lb.port}/curl`], (err, stdout) => resolve(err && (err as NodeJS.ErrnoException).code === 'ENOENT' ? null : stdout));
  });
  if (out === null) return t.skip('curl is not installed');
  assert.equal(out, 'one /curl');
});

test('reload with a new certificate in the same file: new handshakes get it, an open connection lives on', { skip }, async () => {
  const open = await new Promise<tls.TLSSocket>((resolve, reject) => {
    const s = tls.connect({ host: '127.0.0.1', port: lb.port, servername: 'one.example', rejectUnauthorized: false }, () => resolve(s));
    s.on('error', reject);
  });
  try {
    assert.match(open.getPeerX509Certificate()!.subject, /one\.example/);
    copyFileSync(certB, live);
    const text = config().replace(/\$\{fe\}/, String(lb.port)).replace(/\$\{fe2\}/, String(lb.ports.fe2)).replace(/\$\{b1\}/, String(be1.port)).replace(/\$\{b2\}/, String(be2.port)).replace(/\$\{e\}/, String(echo.port));
    const loaded = await parseConfigText(text, 'reload.cfg');
    assert.ok(loaded.config, loaded.diagnostics.map((d) => d.message).join('\n'));
    await lb.rt.apply(loaded.config);
    const r = await httpsGet(lb.port, 'one.example', '/after');
    assert.match(r.cn, /rotated\.example/, 'the new certificate');
    assert.match(r.text, /one \/after/);
    open.write('GET /still HTTP/1.1\r\nHost: one.example\r\nConnection: close\r\n\r\n');
    const text2 = await new Promise<string>((resolve) => {
      let acc = '';
      open.on('data', (d: Buffer) => (acc += d.toString()));
      open.on('end', () => resolve(acc));
    });
    assert.match(text2, /one \/still/, 'the connection opened before the reload still works');
  } finally {
    open.destroy();
  }
});

test('clients that close right after the handshake (openssl s_time -new) leave no session behind', { skip }, async (t) => {
  const ran = await new Promise<boolean>((resolve) => {
    execFile('openssl', ['s_time', '-connect', `127.0.0.1:${lb.port}`, '-new', '-time', '1'], { timeout: 10_000 }, (err) => resolve(!(err && (err as NodeJS.ErrnoException).code === 'ENOENT')));
  });
  if (!ran) return t.skip('openssl s_time did not run');
  assert.ok(lb.num('web/FRONTEND', 'ssl_sess') > 20, 'handshakes happened');
  const deadline = Date.now() + 3000;
  while (lb.num('web/FRONTEND', 'scur') > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  assert.equal(lb.num('web/FRONTEND', 'scur'), 0, 'every session ended (not held until timeout client)');
});
