/**
 * `show ssl cert` formatting against HAProxy 2.6.12's answers for the same PEM files (captured with
 * test/fixtures/tls/haproxy.cfg: an EC certificate with its CA in the chain, a self-signed RSA one, a
 * transaction in progress), the payload rules of `set ssl cert`, the SslStore's reload rule, and the
 * rows of `lbctl cert list`.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from '../helpers/lbd-process.js';
import { formatCertDetail, formatCertList } from '../../daemon/admin/cmd-ssl.js';
import { SslStore, completePem, parsePayload, replaceCert } from '../../daemon/runtime/ssl-store.js';
import { parsePem } from '../../daemon/config/tls-certs.js';
import type { Config, TlsCertificate } from '../../daemon/config/types.js';
import type { Snapshot } from '../../shared/snapshot.js';
import { certRows, formatCertRows } from '../../tui/lbctl/certs.js';

const FIX = join(ROOT, 'test/fixtures/tls');
const read = (f: string) => readFileSync(join(FIX, f), 'utf8');
/** A captured answer without the empty line that ends it (the framing adds that). */
const captured = (f: string) => read(f).replace(/\n$/, '');

test('show ssl cert <file>: byte for byte what HAProxy 2.6 printed for the same files', () => {
  assert.equal(formatCertDetail('/tmp/hapc/site.pem', 'Used', read('site-ec-chain.pem')), captured('haproxy-2.6-show-ssl-cert-site.txt'));
  assert.equal(formatCertDetail('/tmp/hapc/plain.pem', 'Used', read('plain-rsa.pem')), captured('haproxy-2.6-show-ssl-cert-plain.txt'));
  assert.equal(formatCertDetail('*/tmp/hapc/plain.pem', 'Unused', read('lb2-rsa.pem')), captured('haproxy-2.6-show-ssl-cert-star.txt'));
});

test('show ssl cert: the list, with and without a transaction', () => {
  assert.equal(formatCertList(['/tmp/hapc/plain.pem', '/tmp/hapc/site.pem'], null), captured('haproxy-2.6-show-ssl-cert.txt'));
  assert.equal(formatCertList(['/tmp/hapc/plain.pem', '/tmp/hapc/site.pem'], '/tmp/hapc/plain.pem'), captured('haproxy-2.6-show-ssl-cert-transaction.txt'));
});

test('set ssl cert payloads: a certificate is required; the key is checked at commit', () => {
  assert.deepEqual(parsePayload('/x.pem', 'hello'), { error: "unable to load certificate from file '/x.pem'.\n" });
  const onlyCert = parsePayload('/x.pem', read('lb2-rsa.pem').replace(/-----BEGIN PRIVATE KEY-----[\s\S]*$/, ''));
  assert.ok(!('error' in onlyCert) && onlyCert.keyPem === null);
  assert.deepEqual(completePem('/x.pem', onlyCert), { error: 'The transaction must contain at least a certificate and a private key!\n' });
  const cert = read('lb2-rsa.pem').replace(/-----BEGIN PRIVATE KEY-----[\s\S]*$/, '');
  const otherKey = /-----BEGIN PRIVATE KEY-----[\s\S]*-----END PRIVATE KEY-----/.exec(read('plain-rsa.pem'))![0];
  const mismatch = parsePayload('/x.pem', cert + otherKey);
  assert.ok(!('error' in mismatch) && mismatch.mismatch);
  assert.deepEqual(completePem('/x.pem', mismatch), { error: "inconsistencies between private key and certificate loaded '/x.pem'.\n" });
  const good = parsePayload('/x.pem', read('lb2-rsa.pem'));
  assert.ok(!('error' in good));
  const full = completePem('/x.pem', good);
  assert.ok(!('error' in full) && full.subject === '/CN=lb2.test');
});

function tlsCert(file: string, pemFile: string, filters?: { names: string[]; excluded: string[] }): TlsCertificate {
  const p = parsePem(file, read(pemFile), null);
  assert.ok(!('error' in p));
  const { chainBreaks: _, ...rest } = p;
  return { file, ...rest, names: filters ? filters.names : p.names, excluded: filters?.excluded ?? [], where: { file: 'lbd.cfg', line: 1 } };
}

function configWith(certs: TlsCertificate[]): Config {
  const ssl = { certs, alpn: [], minVersion: 'TLSv1.2', maxVersion: 'TLSv1.3', ciphers: null, ciphersuites: null, curves: null, noTlsTickets: false, strictSni: false, verify: 'none', caFile: null, crlFile: null };
  const bind = { where: { file: 'lbd.cfg', line: 2 }, text: '127.0.0.1:443', host: '127.0.0.1', port: 443, family: 'ipv4', fd: null, name: null, acceptProxy: false, ssl };
  return { frontends: [{ name: 'web', disabled: false, binds: [bind] }] } as unknown as Config;
}

test('SslStore: a committed certificate replaces the configured one in binds, and survives a sync while the file is unchanged', () => {
  const store = new SslStore();
  const site = tlsCert('/etc/lbd/site.pem', 'site-ec-chain.pem');
  const cfg = configWith([site]);
  assert.deepEqual(store.sync(cfg), []);
  assert.deepEqual(store.files(), ['/etc/lbd/site.pem']);
  const bind = cfg.frontends[0]!.binds[0]!;
  assert.equal(store.bind(bind), bind, 'nothing committed: the same object');
  const next = parsePem('/etc/lbd/site.pem', read('lb2-rsa.pem'), null);
  assert.ok(!('error' in next));
  store.commit('/etc/lbd/site.pem', next, 0);
  const eff = store.bind(bind).ssl!.certs[0]!;
  assert.equal(eff.subject, '/CN=lb2.test');
  assert.deepEqual(eff.names, ['lb2.test'], "the certificate's own names follow the new certificate");
  assert.match(store.sync(configWith([site]))[0]!, /keeping the certificate committed at runtime \(\/CN=lb2.test\)/);
  assert.equal(store.bind(bind).ssl!.certs[0]!.subject, '/CN=lb2.test');
  // the file changed on disk: it wins
  const changed = tlsCert('/etc/lbd/site.pem', 'plain-rsa.pem');
  assert.match(store.sync(configWith([changed]))[0]!, /the file changed on disk/);
  const b2 = configWith([changed]).frontends[0]!.binds[0]!;
  assert.equal(store.bind(b2), b2);
});

test('replaceCert keeps a crt-list line\'s SNI filters', () => {
  const filtered = tlsCert('/c.pem', 'site-ec-chain.pem', { names: ['api.example'], excluded: ['no.example'] });
  const next = parsePem('/c.pem', read('lb2-rsa.pem'), null);
  assert.ok(!('error' in next));
  const r = replaceCert(filtered, next);
  assert.deepEqual([r.names, r.excluded, r.subject], [['api.example'], ['no.example'], '/CN=lb2.test']);
});

test('lbctl cert list: one row per file with every listener using it, days left and state', () => {
  const now = Date.parse('2026-11-21T00:00:00Z');
  const cert = (file: string, days: number) => ({ file, names: ['lb.test'], subject: '/CN=lb.test', issuer: '/CN=CA', notAfter: now + days * 86_400_000 + 3_600_000, keyType: 'ec', algorithm: 'EC256' });
  const snap = {
    process: { now },
    frontends: [
      { name: 'web', listeners: [{ name: 'main', addr: '127.0.0.1:443', status: 'OPEN', certs: [cert('/a.pem', 90), cert('/b.pem', 10)] }, { name: 'plain', addr: '127.0.0.1:80', status: 'OPEN' }] },
      { name: 'api', listeners: [{ name: 'sock-1', addr: '127.0.0.1:8443', status: 'OPEN', certs: [cert('/b.pem', 10), cert('/c.pem', -2)] }] },
    ],
    backends: [],
  } as unknown as Snapshot;
  const rows = certRows(snap, 30);
  assert.deepEqual(
    rows.map((r) => [r.file, r.daysLeft, r.state, r.usedBy.map((u) => `${u.frontend}/${u.listener}`)]),
    [
      ['/a.pem', 90, 'ok', ['web/main']],
      ['/b.pem', 10, 'expiring', ['web/main', 'api/sock-1']],
      ['/c.pem', -2, 'expired', ['api/sock-1']],
    ],
  );
  assert.equal(certRows(snap, 5)[1]!.state, 'ok');
  assert.equal(
    formatCertRows(rows),
    'FILE    NAMES    KEY    EXPIRES     DAYS     USED BY\n' +
      '/a.pem  lb.test  EC256  2027-02-19  90       web/main\n' +
      '/b.pem  lb.test  EC256  2026-12-01  10 !     web/main,api/sock-1\n' +
      '/c.pem  lb.test  EC256  2026-11-19  EXPIRED  api/sock-1\n',
  );
  assert.equal(formatCertRows([]), 'no certificate in use (no `bind … ssl` listener)\n');
});
