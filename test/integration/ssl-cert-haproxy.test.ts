/**
 * The certificate commands side by side with the real HAProxy 2.6: the same certificate files served by
 * both (an EC leaf with its CA in the chain, a self-signed RSA one), the same sequence of `show`, `set`,
 * `commit` and `abort ssl cert` commands (successes and every error) sent to each admin socket, the answers
 * compared byte for byte, then what a new TLS client sees on each. Skipped (visibly) without haproxy.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import tls from 'node:tls';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HAPROXY, startHaproxy } from '../helpers/http-haproxy.js';
import { hasOpenssl, opensslCert } from '../helpers/tls.js';
import { freePort } from '../helpers/net.js';
import { exchange, startAdmin, type AdminHarness } from './admin-harness.js';

const skip = !HAPROXY ? 'haproxy is not installed' : !hasOpenssl() ? 'openssl is not installed' : false;
let dir = '';
let hx: { stop(): void } | null = null;
let lb: AdminHarness | null = null;
let hxSock = '';
const hxPorts: number[] = [];
const lbPorts: number[] = [];

const frontends = (dir: string, p: number[], b: number) => `
defaults
  mode tcp
  timeout connect 1s
  timeout client 5s
  timeout server 5s
frontend fe
  bind 127.0.0.1:${p[0]} ssl crt ${dir}/site.pem
  bind 127.0.0.1:${p[1]} ssl crt ${dir}/plain.pem
  default_backend be
backend be
  server s1 127.0.0.1:${b}
`;

function peerCn(port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const c = tls.connect({ host: '127.0.0.1', port, rejectUnauthorized: false }, () => {
      const cn = c.getPeerCertificate().subject?.CN;
      c.destroy();
      resolve(String(cn));
    });
    c.on('error', reject);
  });
}

before(async () => {
  if (skip) return;
  dir = mkdtempSync(join(tmpdir(), 'lbd-sslcmp-'));
  const ca = opensslCert(dir, 'ca', { cn: 'Test CA', ca: true, days: 30 });
  const leaf = opensslCert(dir, 'leaf', { cn: 'lb.test', san: ['lb.test', 'www.lb.test'], key: 'ec', signer: ca, days: 20 });
  opensslCert(dir, 'plain', { cn: 'plain.test' });
  opensslCert(dir, 'next', { cn: 'lb2.test' });
  opensslCert(dir, 'other', { cn: 'other.test' });
  writeFileSync(join(dir, 'site.pem'), readFileSync(leaf.cert, 'utf8') + readFileSync(ca.cert, 'utf8') + readFileSync(leaf.key, 'utf8'));
  for (let i = 0; i < 2; i++) hxPorts.push(await freePort());
  for (let i = 0; i < 2; i++) lbPorts.push(await freePort());
  const dead = await freePort();
  hxSock = join(dir, 'hx.sock');
  hx = await startHaproxy(`global\n  stats socket ${hxSock} level admin\n${frontends(dir, hxPorts, dead)}`, hxPorts[1]!);
  lb = await startAdmin(frontends(dir, lbPorts, dead));
});

after(async () => {
  hx?.stop();
  await lb?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

test('show/set/commit/abort ssl cert: the same answers as HAProxy 2.6, byte for byte, and the same certificate served after', { skip }, async () => {
  const pem = (...names: string[]) => names.map((n) => readFileSync(join(dir, n), 'utf8')).join('').trimEnd();
  const site = join(dir, 'site.pem');
  const plain = join(dir, 'plain.pem');
  const steps = [
    'show ssl cert\n',
    `show ssl cert ${site}\n`,
    `show ssl cert ${plain}\n`,
    'show ssl cert /nope.pem\n',
    `show ssl cert *${site}\n`,
    'set ssl cert\n',
    'commit ssl cert\n',
    'abort ssl cert\n',
    `commit ssl cert ${site}\n`,
    `abort ssl cert ${site}\n`,
    `set ssl cert ${site} <<\nhello\n\n`,
    `set ssl cert /nope.pem <<\n${pem('next.pem')}\n\n`,
    `set ssl cert ${plain} <<\n${pem('next.crt')}\n\n`,
    'show ssl cert\n',
    `commit ssl cert ${plain}\n`,
    `set ssl cert ${plain} <<\n${pem('next.crt', 'other.key')}\n\n`,
    `commit ssl cert ${plain}\n`,
    `abort ssl cert ${site}\n`,
    `commit ssl cert ${site}\n`,
    `set ssl cert ${plain} <<\n${pem('next.pem')}\n\n`,
    `show ssl cert *${plain}\n`,
    'show ssl cert\n',
    `set severity-output number;commit ssl cert ${plain}\n`,
    `show ssl cert ${plain}\n`,
    'show ssl cert\n',
    `set ssl cert ${site} <<\n${pem('other.pem')}\n\n`,
    `set severity-output string;abort ssl cert ${site}\n`,
    `operator;abort ssl cert ${site}\n`,
    `operator;show ssl cert ${site}\n`,
  ];
  for (const s of steps) {
    const want = await exchange(hxSock, s);
    const got = await exchange(lb!.sock, s);
    assert.equal(got, want, `after ${JSON.stringify(s.slice(0, 60))}`);
  }
  assert.equal(await peerCn(hxPorts[1]!), 'lb2.test');
  assert.equal(await peerCn(lbPorts[1]!), 'lb2.test');
  assert.equal(await peerCn(lbPorts[0]!), await peerCn(hxPorts[0]!));
});
