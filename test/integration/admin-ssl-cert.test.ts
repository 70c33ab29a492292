/**
 * Certificate hot update on a real admin socket with real TLS listeners: `show ssl cert` (list, details
 * checked against openssl's own reading of the file, the transaction `*file`), `set`/`commit`/`abort ssl
 * cert` with HAProxy 2.6's answers, a commit seen by a new `tls.connect` while a connection opened before
 * keeps echoing, bad payloads answered while the daemon keeps serving, levels, the snapshot's listener
 * certificates, and what a reload does with a committed certificate (kept while the file is unchanged).
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import tls from 'node:tls';
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync, copyFileSync } from 'node:fs';
import { join } from 'node:path';
import { startAdmin, exchange, type AdminHarness } from './admin-harness.js';
import { createExecutor } from '../../daemon/admin/commands.js';
import { hasOpenssl, opensslCert, type CertFiles } from '../helpers/tls.js';
import { echoServer, freePort, type TestServer } from '../helpers/net.js';

const skip = hasOpenssl() ? false : 'openssl is not installed';
let h: AdminHarness;
let echo: TestServer;
let site = '';
let other = '';
let ca: CertFiles;
let leaf: CertFiles;
let next: CertFiles;
let plain: CertFiles;
let fe1 = 0;
let fe2 = 0;

const config = () => `
defaults
    mode tcp
    timeout connect 1s
    timeout client 5s
    timeout server 5s
frontend tls1
    bind 127.0.0.1:${fe1} ssl crt ${site} name main
    bind 127.0.0.1:${fe2} ssl crt ${other} crt ${site}
    default_backend echo
backend echo
    server e1 127.0.0.1:${echo.port}
`;

/** The peer certificate's CN a new client sees on `port` (SNI lb.test). */
function peerCn(port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const c = tls.connect({ host: '127.0.0.1', port, servername: 'lb.test', rejectUnauthorized: false }, () => {
      const cn = c.getPeerCertificate().subject?.CN;
      c.destroy();
      resolve(String(cn));
    });
    c.on('error', reject);
  });
}

const ask = (line: string) => exchange(h.sock, `${line}\n`);
const setCert = (file: string, pem: string) => exchange(h.sock, `set ssl cert ${file} <<\n${pem.trimEnd()}\n\n`);
const openssl = (args: string[]) => execFileSync('openssl', args, { encoding: 'utf8' }).trim();

before(async () => {
  if (skip) return;
  echo = await echoServer();
  fe1 = await freePort();
  fe2 = await freePort();
  h = await startAdmin('defaults\n    mode tcp\n');
  ca = opensslCert(h.dir, 'ca', { cn: 'Test CA', ca: true, days: 30 });
  leaf = opensslCert(h.dir, 'leaf', { cn: 'lb.test', san: ['lb.test', 'www.lb.test'], key: 'ec', signer: ca, days: 20 });
  next = opensslCert(h.dir, 'next', { cn: 'lb2.test', san: ['lb.test'], days: 90 });
  plain = opensslCert(h.dir, 'plain', { cn: 'plain.test' });
  site = join(h.dir, 'site.pem');
  other = join(h.dir, 'a-other.pem');
  writeFileSync(site, readFileSync(leaf.cert, 'utf8') + readFileSync(ca.cert, 'utf8') + readFileSync(leaf.key, 'utf8'));
  copyFileSync(plain.pem, other);
  h.writeConfig(config());
  // the reply comes once the new configuration is applied
  assert.match(await ask('reload'), /^Success=1\n/);
  assert.equal(await peerCn(fe1), 'lb.test');
});

after(async () => {
  await h?.close();
  await echo?.close();
});

test('show ssl cert lists every certificate file, sorted; details as HAProxy 2.6 prints them', { skip }, async () => {
  assert.equal(await ask('show ssl cert'), `# filename\n${other}\n${site}\n\n`);
  const serial = openssl(['x509', '-in', leaf.cert, '-noout', '-serial']).replace(/^serial=/, '');
  const sha1 = openssl(['x509', '-in', leaf.cert, '-noout', '-fingerprint', '-sha1']).replace(/^.*=/, '').replace(/:/g, '');
  const start = openssl(['x509', '-in', leaf.cert, '-noout', '-startdate']).replace(/^notBefore=/, '');
  const end = openssl(['x509', '-in', leaf.cert, '-noout', '-enddate']).replace(/^notAfter=/, '');
  assert.equal(
    await ask(`show ssl cert ${site}`),
    `Filename: ${site}\nStatus: Used\nSerial: ${serial}\nnotBefore: ${start}\nnotAfter: ${end}\n` +
      'Subject Alternative Name: DNS:lb.test, DNS:www.lb.test\nAlgorithm: EC256\n' +
      `SHA1 FingerPrint: ${sha1}\nSubject: /CN=lb.test\nIssuer: /CN=Test CA\nChain Subject: /CN=Test CA\nChain Issuer: /CN=Test CA\nOCSP Response Key: \n\n`,
  );
  const o = await ask(`show ssl cert ${other}`);
  assert.match(o, /^Filename: .*\nStatus: Used\n[\s\S]*\nSubject Alternative Name: \nAlgorithm: RSA2048\n[\s\S]*Subject: \/CN=plain.test\nIssuer: \/CN=plain.test\nOCSP Response Key: \n\n$/);
  assert.equal(await ask('show ssl cert /nope.pem'), "Can't display the certificate: Not found or the certificate is a bundle!\n\n");
  assert.equal(await ask(`show ssl cert *${site}`), "Can't display the certificate: Not found or the certificate is a bundle!\n\n");
});

test('the snapshot carries each TLS listener\'s certificates', { skip }, () => {
  const fe = h.rt.snapshot().frontends.find((f) => f.name === 'tls1')!;
  const main = fe.listeners.find((l) => l.name === 'main')!;
  assert.equal(main.certs?.length, 1);
  assert.deepEqual({ ...main.certs![0], notAfter: 0 }, { file: site, names: ['lb.test', 'www.lb.test'], subject: '/CN=lb.test', issuer: '/CN=Test CA', notAfter: 0, keyType: 'ec', algorithm: 'EC256' });
  assert.ok(Math.abs(main.certs![0]!.notAfter - (Date.now() + 20 * 86_400_000)) < 3_600_000);
  assert.deepEqual(fe.listeners[1]!.certs!.map((c) => c.file), [other, site]);
});

test('errors as HAProxy words them; a bad payload leaves the daemon serving', { skip }, async () => {
  assert.equal(await ask('set ssl cert'), "'set ssl cert expects a filename and a certificate as a payload\n\n");
  assert.equal(await ask(`set ssl cert ${site}`), "'set ssl cert expects a filename and a certificate as a payload\n\n");
  assert.equal(await ask('commit ssl cert'), "'commit ssl cert expects a filename\n\n");
  assert.equal(await ask('abort ssl cert'), "'abort ssl cert' expects a filename\n\n");
  assert.equal(await ask(`commit ssl cert ${site}`), `No ongoing transaction! !\nCan't commit ${site}!\n\n`);
  assert.equal(await ask(`abort ssl cert ${site}`), 'No ongoing transaction!\n\n');
  assert.equal(await setCert('/nope.pem', readFileSync(next.pem, 'utf8')), "Can't replace a certificate which is not referenced by the configuration!\nCan't update /nope.pem!\n\n");
  assert.equal(await exchange(h.sock, `set ssl cert ${site} <<\nhello\nnot a pem\n\n`), `unable to load certificate from file '${site}'.\nCan't load the payload\nCan't update ${site}!\n\n`);
  const broken = readFileSync(next.cert, 'utf8').replace(/\n[A-Za-z0-9+/]{10}/, '\n!!!!!!!!!!');
  assert.match(await setCert(site, broken), /^unable to load certificate from file '.*'\.\nCan't load the payload\nCan't update .*!\n\n$/);
  assert.equal(await ask('show ssl cert'), `# filename\n${other}\n${site}\n\n`, 'no transaction was created');
  // a certificate without its key, or with another key: the transaction exists, the commit refuses it
  assert.equal(await setCert(site, readFileSync(next.cert, 'utf8')), `Transaction created for certificate ${site}!\n\n`);
  assert.equal(await ask(`commit ssl cert ${site}`), `The transaction must contain at least a certificate and a private key!\nCan't commit ${site}!\n\n`);
  assert.equal(await setCert(site, readFileSync(next.cert, 'utf8') + readFileSync(plain.key, 'utf8')), `Transaction updated for certificate ${site}!\n\n`);
  assert.equal(await ask(`commit ssl cert ${site}`), `inconsistencies between private key and certificate loaded '${site}'.\nCan't commit ${site}!\n\n`);
  assert.equal(await setCert(other, readFileSync(next.pem, 'utf8')), `The ongoing transaction is about '${site}' but you are trying to set '${other}'\nCan't update ${other}!\n\n`);
  assert.equal(await ask(`commit ssl cert ${other}`), `The ongoing transaction is about '${site}' but you are trying to set '${other}'\nCan't commit ${other}!\n\n`);
  assert.equal(await ask(`abort ssl cert ${other}`), `The ongoing transaction is about '${site}' but you are trying to abort a transaction for '${other}'\n\n`);
  assert.equal(await ask(`abort ssl cert ${site}`), `Transaction aborted for certificate '${site}'!\n\n`);
  assert.equal(await peerCn(fe1), 'lb.test', 'still serving the configured certificate');
});

test('levels: show ssl cert needs operator, set/commit/abort admin; severities as HAProxy', { skip }, async () => {
  assert.equal(await ask('user; show ssl cert'), '\nPermission denied\n\n');
  assert.match(await ask('operator; show ssl cert'), /^\n# filename\n/);
  assert.equal(await ask(`operator; abort ssl cert ${site}`), '\nPermission denied\n\n');
  assert.equal(await exchange(h.sock, `set severity-output number\nset ssl cert ${site} <<\n${readFileSync(next.pem, 'utf8').trimEnd()}\n\n`), `\n[5]: Transaction created for certificate ${site}!\n\n`);
  assert.equal(await ask(`set severity-output number; abort ssl cert ${site}`), `\n[5]: Transaction aborted for certificate '${site}'!\n\n`);
  assert.equal(await ask(`set severity-output number; abort ssl cert ${site}`), '\n[3]: No ongoing transaction!\n\n');
});

test('set + commit: new handshakes get the new certificate on every listener using the file; an open connection keeps working', { skip }, async () => {
  const open = await new Promise<tls.TLSSocket>((resolve, reject) => {
    const c = tls.connect({ host: '127.0.0.1', port: fe1, servername: 'lb.test', rejectUnauthorized: false }, () => resolve(c));
    c.on('error', reject);
  });
  const echoOnce = (s: tls.TLSSocket, text: string) =>
    new Promise<string>((resolve) => {
      s.once('data', (d: Buffer) => resolve(d.toString()));
      s.write(text);
    });
  assert.equal(await echoOnce(open, 'before'), 'before');
  assert.equal(await setCert(site, readFileSync(next.pem, 'utf8')), `Transaction created for certificate ${site}!\n\n`);
  assert.equal(await ask('show ssl cert'), `# transaction\n*${site}\n# filename\n${other}\n${site}\n\n`);
  assert.match(await ask(`show ssl cert *${site}`), new RegExp(`^Filename: \\*${site}\nStatus: Unused\n[\\s\\S]*Subject: /CN=lb2.test\n`));
  assert.equal(await peerCn(fe1), 'lb.test', 'nothing changes before the commit');
  assert.equal(await ask(`commit ssl cert ${site}`), `Committing ${site}.\nSuccess!\n\n`);
  assert.equal(await peerCn(fe1), 'lb2.test');
  assert.equal(await peerCn(fe2), 'lb2.test', 'the second listener serves the same file for lb.test');
  assert.equal(open.getPeerCertificate().subject.CN, 'lb.test');
  assert.equal(await echoOnce(open, 'after'), 'after', 'the connection opened before the commit still works');
  open.destroy();
  assert.match(await ask(`show ssl cert ${site}`), /\nStatus: Used\n[\s\S]*\nSubject: \/CN=lb2.test\nIssuer: \/CN=lb2.test\nOCSP/);
  assert.equal(await ask('show ssl cert'), `# filename\n${other}\n${site}\n\n`);
  const snapCert = h.rt.snapshot().frontends[0]!.listeners[0]!.certs![0]!;
  assert.equal(snapCert.subject, '/CN=lb2.test');
  assert.ok(h.rt.events.recent().some((e) => e.message.includes(`Certificate ${site} replaced at runtime`)));

  // abort leaves the committed certificate in place
  assert.equal(await setCert(site, readFileSync(leaf.cert, 'utf8') + readFileSync(leaf.key, 'utf8')), `Transaction created for certificate ${site}!\n\n`);
  assert.equal(await ask(`abort ssl cert ${site}`), `Transaction aborted for certificate '${site}'!\n\n`);
  assert.equal(await peerCn(fe1), 'lb2.test');
});

test('the WebSocket side runs the same commands, the payload in its own field', { skip }, async () => {
  const run = createExecutor({ runtime: h.rt, control: h.control });
  assert.equal(await run(['set', 'ssl', 'cert', site], readFileSync(next.pem, 'utf8'), 'admin'), `Transaction created for certificate ${site}!\n`);
  assert.equal(await run(['set', 'ssl', 'cert', site], readFileSync(next.pem, 'utf8'), 'operator'), 'Permission denied\n');
  assert.equal(await run(['show', 'ssl', 'cert'], null, 'operator'), `# transaction\n*${site}\n# filename\n${other}\n${site}\n`);
  assert.equal(await run(['abort', 'ssl', 'cert', site], null, 'admin'), `Transaction aborted for certificate '${site}'!\n`);
});

test('reload: a committed certificate stays while its file is unchanged (and the reload says so); a changed file wins', { skip }, async () => {
  assert.equal(await peerCn(fe1), 'lb2.test');
  const answer = await ask('reload');
  assert.match(answer, new RegExp(`^Success=1\n--\nssl cert ${site}: keeping the certificate committed at runtime \\(/CN=lb2.test\\); the file is unchanged since\n`));
  assert.equal(await peerCn(fe1), 'lb2.test', 'not silently reverted');
  assert.ok(h.rt.lastReload!.messages.some((m) => m.startsWith(`ssl cert ${site}: keeping the certificate committed at runtime (/CN=lb2.test)`)), h.rt.lastReload!.messages.join('\n'));
  // the operator installs a new file: the reload takes it
  writeFileSync(site, readFileSync(plain.pem, 'utf8'));
  assert.match(await ask('reload'), /^Success=1\n/);
  assert.equal(await peerCn(fe1), 'plain.test');
  assert.ok(h.rt.lastReload!.messages.some((m) => m === `ssl cert ${site}: the file changed on disk; it replaces the certificate committed at runtime`), h.rt.lastReload!.messages.join('\n'));
  assert.match(await ask(`show ssl cert ${site}`), /\nSubject: \/CN=plain.test\n/);
});
