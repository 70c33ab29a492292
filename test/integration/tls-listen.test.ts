/**
 * The TLS listener on real sockets, with certificates made by openssl and Node's `tls` as the client:
 * certificate choice by SNI (exact, wildcard, `!` exclusion, default, strict-sni), ECDSA and RSA side by
 * side for one name, ALPN, the version floor, client certificates (required), the Conn it hands over
 * (data both ways, `conn.tls`), and certificate rotation for new handshakes while an open connection lives on.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import tls from 'node:tls';
import net from 'node:net';
import { X509Certificate, createHash, createPrivateKey, randomBytes } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BindConfig, BindSslConfig, TlsCertificate } from '../../daemon/config/types.js';
import { listenTls, type TlsListener } from '../../daemon/proxy/tls-listen.js';
import type { Conn } from '../../daemon/proxy/conn.js';
import { hasOpenssl } from '../helpers/tls.js';

const skip = hasOpenssl() ? false : 'openssl is not installed';
let dir = '';

/** A certificate made by openssl: `rsa` or `ec` key, CN and DNS SANs, signed by `ca` when given. */
function makeCert(name: string, kind: 'rsa' | 'ec', cn: string, sans: string[], ca?: { key: string; cert: string }): { key: string; cert: string } {
  const key = join(dir, `${name}.key`);
  const crt = join(dir, `${name}.crt`);
  const newkey = kind === 'rsa' ? ['-newkey', 'rsa:2048'] : ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256'];
  const san = sans.length ? ['-addext', `subjectAltName=${sans.map((s) => `DNS:${s}`).join(',')}`] : [];
  if (!ca) {
    execFileSync('openssl', ['req', '-x509', ...newkey, '-nodes', '-keyout', key, '-out', crt, '-days', '2', '-subj', `/CN=${cn}`, ...san], { stdio: 'ignore' });
  } else {
    const csr = join(dir, `${name}.csr`);
    const caKey = join(dir, `${name}-ca.key`);
    const caCrt = join(dir, `${name}-ca.crt`);
    require_write(caKey, ca.key);
    require_write(caCrt, ca.cert);
    execFileSync('openssl', ['req', '-new', ...newkey, '-nodes', '-keyout', key, '-out', csr, '-subj', `/CN=${cn}`], { stdio: 'ignore' });
    execFileSync('openssl', ['x509', '-req', '-in', csr, '-CA', caCrt, '-CAkey', caKey, '-CAcreateserial', '-out', crt, '-days', '2'], { stdio: 'ignore' });
  }
  return { key: readFileSync(key, 'utf8'), cert: readFileSync(crt, 'utf8') };
}

function require_write(path: string, text: string): void {
  // a tiny wrapper so the openssl calls above read in order
  execFileSync('sh', ['-c', `cat > '${path}'`], { input: text });
}

function certOf(p: { key: string; cert: string }, names: string[], excluded: string[] = []): TlsCertificate {
  const x = new X509Certificate(p.cert);
  return {
    file: 'test.pem',
    certPem: p.cert,
    keyPem: p.key,
    keyType: createPrivateKey(p.key).asymmetricKeyType ?? 'unknown',
    names,
    excluded,
    subject: x.subject,
    issuer: x.issuer,
    serial: x.serialNumber,
    notBefore: Date.parse(x.validFrom),
    notAfter: Date.parse(x.validTo),
    where: { file: 'test.cfg', line: 1 },
  };
}

function sslConfig(certs: TlsCertificate[], o: Partial<BindSslConfig> = {}): BindSslConfig {
  return {
    certs,
    alpn: [],
    minVersion: 'TLSv1.2',
    maxVersion: 'TLSv1.3',
    ciphers: null,
    ciphersuites: null,
    curves: null,
    noTlsTickets: false,
    strictSni: false,
    verify: 'none',
    caFile: null,
    crlFile: null,
    ...o,
  };
}

const BIND: BindConfig = { where: { file: 'test.cfg', line: 1 }, text: '127.0.0.1:0', host: '127.0.0.1', port: 0, family: 'ipv4', fd: null, name: null, acceptProxy: false };

/** A listener whose connections echo what they read; resolves with it and its port. */
async function echoListener(ssl: BindSslConfig, seen: Conn[] = []): Promise<{ l: TlsListener; port: number }> {
  const l = await listenTls({ ...BIND, ssl }, ssl, 128, 2000, (c) => {
    seen.push(c);
    c.handler = {
      onData: (b) => void c.write(Buffer.from(b)),
      onEnd: () => c.shutdown(),
      onError: () => c.close(),
      onDrain: () => {},
    };
    c.readStart();
  });
  return { l, port: Number(l.address().split(':').pop()) };
}

/** Handshake, send `ping`, read the echo; resolves with what the client saw. */
function hello(port: number, o: tls.ConnectionOptions = {}): Promise<{ cn: string; alpn: string | false | null; protocol: string | null; echo: string; keyType: string }> {
  return new Promise((resolve, reject) => {
    const s = tls.connect({ host: '127.0.0.1', port, rejectUnauthorized: false, ...o }, () => {
      const peer = s.getPeerX509Certificate();
      s.write('ping');
      s.once('data', (d: Buffer) => {
        resolve({ cn: peer?.subject.replace(/^CN=/, '') ?? '', alpn: s.alpnProtocol, protocol: s.getProtocol(), echo: d.toString(), keyType: peer?.publicKey.asymmetricKeyType ?? '' });
        s.destroy();
      });
    });
    s.setTimeout(3000, () => {
      s.destroy();
      reject(new Error('timed out'));
    });
    s.on('error', reject);
    // a connection refused after its handshake (strict-sni without SNI on the tls.Server path) just closes
    s.on('close', () => reject(new Error('closed before the echo')));
  });
}

let rsaA: { key: string; cert: string };
let ecA: { key: string; cert: string };
let wild: { key: string; cert: string };
let other: { key: string; cert: string };

before(() => {
  if (skip) return;
  dir = mkdtempSync(join(tmpdir(), 'lbd-tls-listen-'));
  rsaA = makeCert('rsa-a', 'rsa', 'a.example', ['a.example']);
  ecA = makeCert('ec-a', 'ec', 'a.example', ['a.example']);
  wild = makeCert('wild', 'ec', 'wild', ['*.w.example']);
  other = makeCert('other', 'rsa', 'default.example', ['default.example']);
});

after(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

test('SNI picks the certificate: exact, wildcard, excluded, unknown and absent names get the default', { skip }, async (t) => {
  const ssl = sslConfig([certOf(other, ['default.example']), certOf(rsaA, ['a.example']), certOf(wild, ['*.w.example'], ['no.w.example'])]);
  const { l, port } = await echoListener(ssl);
  t.after(() => l.close());
  assert.equal((await hello(port, { servername: 'a.example' })).cn, 'a.example');
  assert.equal((await hello(port, { servername: 'A.Example' })).cn, 'a.example', 'names are case-insensitive');
  assert.equal((await hello(port, { servername: 'x.w.example' })).cn, 'wild');
  assert.equal((await hello(port, { servername: 'deep.x.w.example' })).cn, 'default.example', 'a wildcard covers one label');
  assert.equal((await hello(port, { servername: 'no.w.example' })).cn, 'default.example', '!no.w.example excludes it');
  assert.equal((await hello(port, { servername: 'unknown.example' })).cn, 'default.example');
  const r = await hello(port, { servername: '' });
  assert.equal(r.cn, 'default.example');
  assert.equal(r.echo, 'ping');
  const a = await hello(port, { servername: 'a.example', ALPNProtocols: ['h2', 'http/1.1'] });
  assert.equal(a.alpn, false, 'a listener without alpn accepts a client offering ALPN, and agrees on none');
  assert.equal(l.counters.handshakes, 8);
});

test('strict-sni refuses a name without a certificate, and counts the failure', { skip }, async (t) => {
  const { l, port } = await echoListener(sslConfig([certOf(rsaA, ['a.example'])], { strictSni: true }));
  t.after(() => l.close());
  assert.equal((await hello(port, { servername: 'a.example' })).echo, 'ping');
  await assert.rejects(hello(port, { servername: 'b.example' }));
  assert.equal(l.counters.failures, 1);
});

test('ECDSA and RSA certificates for one name: each client gets the one it can verify', { skip }, async (t) => {
  const { l, port } = await echoListener(sslConfig([certOf(rsaA, ['a.example']), certOf(ecA, ['a.example'])]));
  t.after(() => l.close());
  assert.equal((await hello(port, { servername: 'a.example', sigalgs: 'ecdsa_secp256r1_sha256' })).keyType, 'ec');
  assert.equal((await hello(port, { servername: 'a.example', sigalgs: 'rsa_pss_rsae_sha256:rsa_pkcs1_sha256' })).keyType, 'rsa');
});

test('ALPN, the version floor (a TLS 1.1 client is refused), and what the Conn knows of its handshake', { skip }, async (t) => {
  const seen: Conn[] = [];
  const { l, port } = await echoListener(sslConfig([certOf(rsaA, ['a.example'])], { alpn: ['h2', 'http/1.1'] }), seen);
  t.after(() => l.close());
  const r = await hello(port, { servername: 'a.example', ALPNProtocols: ['http/1.1'] });
  assert.equal(r.alpn, 'http/1.1');
  assert.equal(r.protocol, 'TLSv1.3');
  const info = seen[0]!.tls!;
  assert.deepEqual([info.sni, info.alpn, info.protocol, info.clientCert], ['a.example', 'http/1.1', 'TLSv1.3', false]);
  assert.ok(info.cipher.length > 0);
  await assert.rejects(hello(port, { servername: 'a.example', minVersion: 'TLSv1', maxVersion: 'TLSv1.1', ciphers: 'DEFAULT@SECLEVEL=0' }));
  assert.equal(l.counters.failures, 1);
});

test('verify required: no client certificate is refused; one signed by the ca-file is accepted and its DN is known', { skip }, async (t) => {
  const ca = makeCert('ca', 'rsa', 'Test CA', []);
  const client = makeCert('client', 'rsa', 'client-1', [], ca);
  const seen: Conn[] = [];
  const { l, port } = await echoListener(sslConfig([certOf(rsaA, ['a.example'])], { verify: 'required', caFile: { path: 'ca.pem', pem: ca.cert } }), seen);
  t.after(() => l.close());
  await assert.rejects(hello(port, { servername: 'a.example' }).then((r) => assert.fail(`accepted without a certificate: ${JSON.stringify(r)}`)));
  const r = await hello(port, { servername: 'a.example', key: client.key, cert: client.cert });
  assert.equal(r.echo, 'ping');
  const info = seen.at(-1)!.tls!;
  assert.equal(info.clientCert, true);
  assert.equal(info.clientVerify, 0);
  assert.equal(info.clientSubject, '/CN=client-1');
});

test('new certificates apply to new handshakes; an open connection keeps working', { skip }, async (t) => {
  const { l, port } = await echoListener(sslConfig([certOf(rsaA, ['a.example'])]));
  t.after(() => l.close());
  const open = await new Promise<tls.TLSSocket>((resolve, reject) => {
    const s = tls.connect({ host: '127.0.0.1', port, servername: 'a.example', rejectUnauthorized: false }, () => resolve(s));
    s.on('error', reject);
  });
  t.after(() => open.destroy());
  l.setCertificates(sslConfig([certOf(other, ['a.example'])]));
  assert.equal((await hello(port, { servername: 'a.example' })).cn, 'default.example', 'the new certificate');
  assert.equal((await hello(port)).cn, 'default.example', 'and as the default');
  open.write('still');
  const echo = await new Promise<string>((resolve) => open.once('data', (d: Buffer) => resolve(d.toString())));
  assert.equal(echo, 'still');
  assert.equal(open.getPeerX509Certificate()?.subject, 'CN=a.example', 'the open connection kept its certificate');
});

test('strict-sni without any SNI is refused too (no default certificate), as HAProxy does', { skip }, async (t) => {
  const { l, port } = await echoListener(sslConfig([certOf(rsaA, ['a.example'])], { strictSni: true }));
  t.after(() => l.close());
  await assert.rejects(hello(port, { servername: '' }));
  assert.equal(l.counters.failures, 1);
  assert.match(l.counters.lastErrors.at(-1)!, /SNI/);
});

test('a client that half-closes after its request still gets the whole answer; the end comes after the data', { skip }, async (t) => {
  const { l, port } = await echoListener(sslConfig([certOf(rsaA, ['a.example'])]));
  t.after(() => l.close());
  const big = Buffer.alloc(200_000, 'x');
  const got = await new Promise<{ n: number; ended: boolean }>((resolve, reject) => {
    // allowHalfOpen: the client keeps reading after its end
    const s = tls.connect({ host: '127.0.0.1', port, servername: 'a.example', rejectUnauthorized: false, allowHalfOpen: true } as tls.ConnectionOptions, () => {
      s.write(big);
      s.end();
    });
    let n = 0;
    s.on('data', (d: Buffer) => (n += d.length));
    s.on('end', () => resolve({ n, ended: true }));
    s.on('error', reject);
    s.setTimeout(3000, () => reject(new Error(`timed out after ${n} bytes`)));
  });
  assert.deepEqual(got, { n: big.length, ended: true });
});

test('bytes the client sends with its last handshake flight are not lost while the connection waits to be read, nor what follows when the reader keeps lent buffers', { skip }, async (t) => {
  // the Conn is handed over paused: the listener holds what was already decrypted until readStart, which
  // comes once the client has handed all its bytes and its end to the kernel
  const seen: Conn[] = [];
  let clientFinished!: () => void;
  const finished = new Promise<void>((resolve) => (clientFinished = resolve));
  const l = await listenTls({ ...BIND, ssl: sslConfig([certOf(ecA, ['a.example'])]) }, sslConfig([certOf(ecA, ['a.example'])]), 128, 2000, (c) => {
    seen.push(c);
    // (and not before the turn that made the connection ends: that read's decrypted bytes are held by then)
    void finished.then(() => setImmediate(() => {
      // chunks kept as lent (the engine keeps body parts so), each time taking the read buffer away
      const kept: Buffer[] = [];
      c.handler = {
        onData: (b) => {
          kept.push(b);
          c.detachReadBuffer();
        },
        onEnd: () => {
          const all = Buffer.concat(kept);
          c.write(Buffer.from(`got ${all.subarray(0, 11).toString()} ${all.length} ${createHash('sha256').update(all).digest('hex').slice(0, 16)}`));
          c.shutdown();
        },
        onError: () => c.close(),
        onDrain: () => {},
      };
      c.readStart();
    }));
  });
  t.after(() => l.close());
  const port = Number(l.address().split(':').pop());
  const more = randomBytes(300_000);
  const answer = await new Promise<string>((resolve, reject) => {
    const s = tls.connect({ host: '127.0.0.1', port, servername: 'a.example', rejectUnauthorized: false, allowHalfOpen: true } as tls.ConnectionOptions);
    // written before the handshake completes: goes out right behind the client's Finished; more follows
    s.write('early bytes');
    s.once('secureConnect', () => {
      s.write(more);
      s.end();
    });
    s.once('finish', clientFinished);
    let text = '';
    s.on('data', (d: Buffer) => (text += d.toString()));
    s.on('end', () => resolve(text));
    s.on('error', reject);
    s.setTimeout(3000, () => reject(new Error('timed out')));
  });
  const all = Buffer.concat([Buffer.from('early bytes'), more]);
  assert.equal(answer, `got early bytes ${all.length} ${createHash('sha256').update(all).digest('hex').slice(0, 16)}`);
  assert.equal(seen.length, 1);
});

test('TLS 1.2 renegotiation asked by the client is refused; the connection is not renegotiated', { skip }, async (t) => {
  const { l, port } = await echoListener(sslConfig([certOf(rsaA, ['a.example'])]));
  t.after(() => l.close());
  const err = await new Promise<string>((resolve) => {
    const timer = setTimeout(() => resolve('no answer within 3 s'), 3000);
    const done = (why: string) => {
      clearTimeout(timer);
      s.destroy();
      resolve(why);
    };
    const s = tls.connect({ host: '127.0.0.1', port, servername: 'a.example', rejectUnauthorized: false, maxVersion: 'TLSv1.2' }, () => {
      if (!s.renegotiate({ rejectUnauthorized: false }, (e) => done(e ? e.message : 'renegotiated'))) done('renegotiate() did not start');
    });
    // the server's no_renegotiation alert ends the client's connection with an error
    s.on('error', (e) => done(e.message));
    s.on('close', () => done('closed'));
  });
  assert.match(err, /no renegotiation/);
});

test('TLS 1.2 session resumption works, also after the certificates changed (the ticket key is kept)', { skip }, async (t) => {
  const { l, port } = await echoListener(sslConfig([certOf(rsaA, ['a.example'])]));
  t.after(() => l.close());
  const connect = (session?: Buffer) =>
    new Promise<{ reused: boolean; session: Buffer }>((resolve, reject) => {
      const s = tls.connect({ host: '127.0.0.1', port, servername: 'a.example', rejectUnauthorized: false, maxVersion: 'TLSv1.2', session }, () => {
        const reused = s.isSessionReused();
        s.write('x');
        s.once('data', () => {
          resolve({ reused, session: s.getSession()! });
          s.destroy();
        });
      });
      s.on('error', reject);
      s.setTimeout(3000, () => reject(new Error('timed out')));
    });
  const first = await connect();
  assert.equal(first.reused, false);
  assert.equal((await connect(first.session)).reused, true);
  l.setCertificates(sslConfig([certOf(rsaA, ['a.example'])]));
  assert.equal((await connect(first.session)).reused, true, 'resumed after setCertificates');
  assert.equal(l.counters.resumed, 2);
});

test('verify optional: a client without a certificate is accepted; one with an unknown issuer too, with its verify code', { skip }, async (t) => {
  const ca = makeCert('ca-opt', 'rsa', 'Opt CA', []);
  const stranger = makeCert('stranger', 'rsa', 'stranger', []);
  const seen: Conn[] = [];
  const { l, port } = await echoListener(sslConfig([certOf(rsaA, ['a.example'])], { verify: 'optional', caFile: { path: 'ca.pem', pem: ca.cert } }), seen);
  t.after(() => l.close());
  assert.equal((await hello(port, { servername: 'a.example' })).echo, 'ping');
  assert.deepEqual([seen[0]!.tls!.clientCert, seen[0]!.tls!.clientVerify], [false, 0]);
  assert.equal((await hello(port, { servername: 'a.example', key: stranger.key, cert: stranger.cert })).echo, 'ping');
  assert.equal(seen[1]!.tls!.clientCert, true);
  assert.ok(seen[1]!.tls!.clientVerify > 0, `verify code ${seen[1]!.tls!.clientVerify}`);
  assert.equal(seen[1]!.tls!.clientSubject, '/CN=stranger');
});

test('a client that never finishes its handshake is closed at the handshake timeout and counted', { skip }, async (t) => {
  const l = await listenTls({ ...BIND, ssl: sslConfig([certOf(ecA, ['a.example'])]) }, sslConfig([certOf(ecA, ['a.example'])]), 128, 200, () => assert.fail('no connection expected'));
  t.after(() => l.close());
  const port = Number(l.address().split(':').pop());
  const started = Date.now();
  const closed = await new Promise<number>((resolve) => {
    const s = net.connect(port, '127.0.0.1');
    s.on('close', () => resolve(Date.now() - started));
    s.on('error', () => {});
    s.resume();
  });
  assert.ok(closed >= 150 && closed < 2000, `closed after ${closed} ms`);
  assert.equal(l.counters.failures, 1);
  assert.equal(l.counters.lastErrors.at(-1), 'ERR_TLS_HANDSHAKE_TIMEOUT');
});
