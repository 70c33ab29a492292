/**
 * `bind … ssl` parsing and certificate loading with real certificates made by `openssl` once for the file:
 * RSA and ECDSA for one name, a wildcard, CN without SANs, a chain, a key beside its certificate, a
 * directory, crt-lists, protocol versions, global ssl-default-bind-*, and every error with its file:line.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseConfigText, formatDiagnostic, type LoadResult } from '../../daemon/config/index.js';
import type { BindSslConfig } from '../../daemon/config/types.js';
import { certFilesOf, loadCertFile, parseCrtList, withBase } from '../../daemon/config/tls-certs.js';
import { foldVersions } from '../../daemon/config/build-tls.js';
import { hasOpenssl, opensslCert, type CertFiles } from '../helpers/tls.js';

const skip = hasOpenssl() ? false : 'openssl is not installed: cannot make test certificates';
const cfg = (...lines: string[]): string => lines.join('\n') + '\n';
const load = (text: string): Promise<LoadResult> => parseConfigText(text, 'lbd.cfg', { env: {}, resolveHost: async () => null });
const messages = (r: LoadResult): string[] => r.diagnostics.map(formatDiagnostic);
const BACKEND = ['    default_backend b', 'backend b', '    server s1 127.0.0.1:80'];

let dir = '';
let rsa: CertFiles, ec: CertFiles, wild: CertFiles, cnOnly: CertFiles, ca: CertFiles, leaf: CertFiles;

before(() => {
  if (skip) return;
  dir = mkdtempSync(join(tmpdir(), 'lbd-config-tls-'));
  rsa = opensslCert(dir, 'www-rsa', { cn: 'www.example.com', san: ['www.example.com', 'Example.COM'] });
  ec = opensslCert(dir, 'www-ec', { key: 'ec', cn: 'www.example.com', san: ['www.example.com', 'example.com'] });
  wild = opensslCert(dir, 'wild', { cn: '*.example.org', san: ['*.example.org'] });
  cnOnly = opensslCert(dir, 'cn-only', { cn: 'Only.Example.NET' });
  ca = opensslCert(dir, 'ca', { cn: 'Test CA', ca: true, days: 30 });
  leaf = opensslCert(dir, 'leaf', { key: 'ec', cn: 'chain.example.com', san: ['chain.example.com'], signer: ca });
  const read = (f: string): string => readFileSync(f, 'utf8');
  writeFileSync(join(dir, 'chain.pem'), read(leaf.cert) + read(ca.cert) + read(leaf.key));
  // a certificate whose key is in <file>.key, as HAProxy looks for it
  writeFileSync(join(dir, 'split.pem'), read(rsa.cert));
  writeFileSync(join(dir, 'split.pem.key'), read(rsa.key));
  writeFileSync(join(dir, 'nokey.pem'), read(rsa.cert));
  writeFileSync(join(dir, 'keyonly.pem'), read(rsa.key));
  writeFileSync(join(dir, 'mismatch.pem'), read(rsa.cert) + read(ec.key));
  writeFileSync(join(dir, 'split-bad.pem'), read(rsa.cert));
  writeFileSync(join(dir, 'split-bad.pem.key'), read(wild.key));
  writeFileSync(join(dir, 'garbage.pem'), 'not a certificate\n');
  mkdirSync(join(dir, 'certs'));
  writeFileSync(join(dir, 'certs', 'b-wild.pem'), read(wild.cert));
  writeFileSync(join(dir, 'certs', 'b-wild.pem.key'), read(wild.key));
  writeFileSync(join(dir, 'certs', 'a-www.pem'), read(rsa.pem));
  writeFileSync(join(dir, 'certs', 'a-www.pem.ocsp'), 'ocsp response');
  writeFileSync(join(dir, 'certs', 'c.pem.issuer'), read(ca.cert));
  writeFileSync(join(dir, 'certs', 'c.pem.sctl'), 'sct');
  writeFileSync(join(dir, 'certs', '.hidden.pem'), 'junk');
  mkdirSync(join(dir, 'certs', 'sub'));
  mkdirSync(join(dir, 'empty'));
  writeFileSync(
    join(dir, 'list.txt'),
    [
      '# certificates by name',
      '',
      'www-rsa.pem',
      `${wild.pem} *.example.org !bad.example.org !WORSE.example.org`,
      'cn-only.pem   Only.Example.NET  alias.example.net',
      '  # indented comment',
      'www-ec.pem !www.example.com',
    ].join('\n'),
  );
  writeFileSync(join(dir, 'bad-list.txt'), ['www-rsa.pem [alpn h2] www.example.com', 'missing.pem', '[ssl-min-ver TLSv1.3]', 'wild.pem bad..name', 'mismatch.pem'].join('\n'));
});

after(() => {
  if (dir !== '') rmSync(dir, { recursive: true, force: true });
});

/** The ssl settings of the first bind of the first frontend, after checking there is no diagnostic. */
async function sslOf(bindLine: string, globals: string[] = []): Promise<BindSslConfig> {
  const r = await load(cfg('global', `    crt-base ${dir}`, ...globals, 'frontend f', bindLine, ...BACKEND));
  assert.deepEqual(messages(r), []);
  const ssl = r.config!.frontends[0].binds[0].ssl;
  assert.ok(ssl);
  return ssl;
}

test('one PEM: chain, key, key type, names, subject, validity; secure defaults', { skip }, async () => {
  const r = await load(cfg('frontend f', `    bind :443 ssl crt ${rsa.pem}`, ...BACKEND));
  assert.deepEqual(messages(r), []);
  const ssl = r.config!.frontends[0].binds[0].ssl!;
  assert.equal(ssl.certs.length, 1);
  const c = ssl.certs[0];
  assert.equal(c.file, rsa.pem);
  assert.equal(c.keyType, 'rsa');
  assert.deepEqual(c.names, ['www.example.com', 'example.com']);
  assert.deepEqual(c.excluded, []);
  assert.equal(c.subject, '/CN=www.example.com');
  assert.equal(c.issuer, '/CN=www.example.com');
  assert.match(c.serial, /^[0-9A-F]+$/);
  assert.ok(c.notBefore <= Date.now() && Date.now() < c.notAfter && c.notAfter - c.notBefore === 2 * 86_400_000);
  assert.equal(c.certPem, readFileSync(rsa.cert, 'utf8'));
  assert.equal(c.keyPem, readFileSync(rsa.key, 'utf8'));
  assert.deepEqual(c.where, { file: 'lbd.cfg', line: 2, col: 23 });
  const { certs: _, ...rest } = ssl;
  assert.deepEqual(rest, {
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
  });
  assert.ok(Object.isFrozen(c));
  assert.equal(r.config!.global.sslDefaultBind, undefined);
});

test('RSA and ECDSA certificates for the same name live side by side; the first is the default', { skip }, async () => {
  const ssl = await sslOf('    bind :443 ssl crt www-rsa.pem crt www-ec.pem');
  assert.deepEqual(
    ssl.certs.map((c) => [c.file, c.keyType, c.names]),
    [
      [join(dir, 'www-rsa.pem'), 'rsa', ['www.example.com', 'example.com']],
      [join(dir, 'www-ec.pem'), 'ec', ['www.example.com', 'example.com']],
    ],
  );
});

test('a wildcard, a CN without SANs, a chain (leaf first), a key in <file>.key', { skip }, async () => {
  const ssl = await sslOf('    bind :443 ssl crt wild.pem crt cn-only.pem crt chain.pem crt split.pem');
  assert.deepEqual(
    ssl.certs.map((c) => c.names),
    [['*.example.org'], ['only.example.net'], ['chain.example.com'], ['www.example.com', 'example.com']],
  );
  const chain = ssl.certs[2];
  assert.equal(chain.certPem, readFileSync(leaf.cert, 'utf8') + readFileSync(ca.cert, 'utf8'));
  assert.equal(chain.subject, '/CN=chain.example.com');
  assert.equal(chain.issuer, '/CN=Test CA');
  assert.equal(chain.keyType, 'ec');
  assert.equal(ssl.certs[3].keyPem, readFileSync(rsa.key, 'utf8'));
});

test('a crt directory loads its files in lexical order, skipping companions, hidden files and subdirectories', { skip }, async () => {
  assert.deepEqual(certFilesOf(join(dir, 'certs')), [join(dir, 'certs', 'a-www.pem'), join(dir, 'certs', 'b-wild.pem')]);
  const ssl = await sslOf('    bind :443 ssl crt certs');
  assert.deepEqual(
    ssl.certs.map((c) => [c.file, c.names]),
    [
      [join(dir, 'certs', 'a-www.pem'), ['www.example.com', 'example.com']],
      [join(dir, 'certs', 'b-wild.pem'), ['*.example.org']],
    ],
  );
});

test('crt-list: SNI filters replace the certificate names, !exclusions, comments, crt-base for its certificates', { skip }, async () => {
  const ssl = await sslOf(`    bind :443 ssl crt-list ${join(dir, 'list.txt')} alpn h2,http/1.1`);
  const list = join(dir, 'list.txt');
  assert.deepEqual(
    ssl.certs.map((c) => ({ file: c.file, names: c.names, excluded: c.excluded, where: c.where })),
    [
      { file: join(dir, 'www-rsa.pem'), names: ['www.example.com', 'example.com'], excluded: [], where: { file: list, line: 3 } },
      { file: wild.pem, names: ['*.example.org'], excluded: ['bad.example.org', 'worse.example.org'], where: { file: list, line: 4 } },
      { file: join(dir, 'cn-only.pem'), names: ['only.example.net', 'alias.example.net'], excluded: [], where: { file: list, line: 5 } },
      // only exclusions: no positive filter, so the certificate serves no name by SNI (HAProxy's rule)
      { file: join(dir, 'www-ec.pem'), names: [], excluded: ['www.example.com'], where: { file: list, line: 7 } },
    ],
  );
  assert.deepEqual(ssl.alpn, ['h2', 'http/1.1']);
});

test('parseCrtList on its own', () => {
  const r = parseCrtList('l.txt', 'a.pem\n#x\n\nb.pem *.X.org !y.x.org\n[alpn h2] c.pem\n');
  assert.deepEqual(r.value, [
    { crt: 'a.pem', names: [], excluded: [], where: { file: 'l.txt', line: 1 } },
    { crt: 'b.pem', names: ['*.x.org'], excluded: ['y.x.org'], where: { file: 'l.txt', line: 4 } },
  ]);
  assert.deepEqual(r.problems.map((p) => p.message), ["crt-list: expected a certificate file first on the line, got '[alpn'"]);
  assert.equal(withBase('/etc/ssl', 'a.pem'), '/etc/ssl/a.pem');
  assert.equal(withBase('/etc/ssl', '/abs/a.pem'), '/abs/a.pem');
  assert.equal(withBase(undefined, 'a.pem'), 'a.pem');
});

test('protocol versions: ssl-min-ver/ssl-max-ver, no-tlsv1x and force-tlsv1x folded into Node names', { skip }, async () => {
  const cases: [string, string, string][] = [
    ['', 'TLSv1.2', 'TLSv1.3'],
    ['ssl-min-ver TLSv1.0', 'TLSv1', 'TLSv1.3'],
    ['ssl-min-ver TLSv1.1 ssl-max-ver TLSv1.2', 'TLSv1.1', 'TLSv1.2'],
    ['ssl-min-ver TLSv1.3', 'TLSv1.3', 'TLSv1.3'],
    ['no-tlsv12', 'TLSv1.3', 'TLSv1.3'],
    ['no-tlsv13', 'TLSv1.2', 'TLSv1.2'],
    ['no-sslv3 no-tlsv10 no-tlsv11', 'TLSv1.2', 'TLSv1.3'],
    ['force-tlsv12', 'TLSv1.2', 'TLSv1.2'],
    ['force-tlsv10', 'TLSv1', 'TLSv1'],
  ];
  for (const [opts, min, max] of cases) {
    const ssl = await sslOf(`    bind :443 ssl crt www-rsa.pem ${opts}`);
    assert.deepEqual([ssl.minVersion, ssl.maxVersion], [min, max], opts);
  }
});

test('protocol versions: HAProxy 2.6 warnings and errors', { skip }, async () => {
  const r = await load(
    cfg(
      'global',
      `    crt-base ${dir}`,
      'frontend f',
      '    bind :441 ssl crt www-rsa.pem ssl-min-ver TLSv1.0 no-tlsv11',
      '    bind :442 ssl crt www-rsa.pem ssl-max-ver TLSv1.1',
      '    bind :443 ssl crt www-rsa.pem no-tlsv12 no-tlsv13',
      '    bind :444 ssl crt www-rsa.pem ssl-min-ver TLSv1.3 ssl-max-ver TLSv1.2',
      '    bind :445 ssl crt www-rsa.pem ssl-min-ver SSLv3',
      '    bind :446 ssl crt www-rsa.pem force-sslv3',
      '    bind :447 ssl crt www-rsa.pem ssl-max-ver TLSv2',
      '    bind :448 ssl crt www-rsa.pem ssl-min-ver',
      ...BACKEND,
    ),
  );
  assert.deepEqual(messages(r), [
    "lbd.cfg:4: warning: 'bind': no-sslv3/no-tlsv1x are ignored for this bind. Use only 'ssl-min-ver' and 'ssl-max-ver' to fix.",
    "lbd.cfg:5: warning: 'bind': ambiguous configuration: ssl-min-ver is not set and ssl-max-ver is lower than the default ssl-min-ver (TLSv1.2). Setting ssl-min-ver to TLSv1.1. Use 'ssl-min-ver' to fix this.",
    "lbd.cfg:6: 'bind': all SSL/TLS versions are disabled",
    "lbd.cfg:7: 'bind': all SSL/TLS versions are disabled",
    "lbd.cfg:8: 'bind': 'ssl-min-ver': SSLv3 is not supported by lbd (insecure, and Node's TLS cannot speak it)",
    "lbd.cfg:9: 'bind': option 'force-sslv3' is not supported by lbd",
    "lbd.cfg:10: 'bind': 'ssl-max-ver': unknown version 'TLSv2' (expected TLSv1.0, TLSv1.1, TLSv1.2, TLSv1.3)",
    "lbd.cfg:11: 'bind': option 'ssl-min-ver' expects TLSv1.0|TLSv1.1|TLSv1.2|TLSv1.3",
  ]);
  assert.deepEqual(foldVersions({ max: 'TLSv1.1', disabled: [] }, undefined).range, { min: 'TLSv1.1', max: 'TLSv1.1' });
});

test('global ssl-default-bind-* apply to every bind … ssl; a bind\'s own setting wins', { skip }, async () => {
  const globals = [
    '    ssl-default-bind-options no-sslv3 no-tls-tickets ssl-min-ver TLSv1.3',
    '    ssl-default-bind-ciphers ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256',
    '    ssl-default-bind-ciphersuites TLS_AES_128_GCM_SHA256:TLS_CHACHA20_POLY1305_SHA256',
    '    ssl-default-bind-curves X25519:P-256',
  ];
  const r = await load(
    cfg('global', `    crt-base ${dir}`, ...globals, 'frontend f', '    bind :443 ssl crt www-rsa.pem', '    bind :444 ssl crt www-rsa.pem ssl-min-ver TLSv1.2 ciphers ECDHE-RSA-AES256-GCM-SHA384 ciphersuites TLS_AES_256_GCM_SHA384 curves P-384', ...BACKEND),
  );
  // no-sslv3 with ssl-min-ver in the defaults: HAProxy warns that the flag is ignored, on each bind
  assert.deepEqual(messages(r), [
    "lbd.cfg:8: warning: 'bind': no-sslv3/no-tlsv1x are ignored for this bind. Use only 'ssl-min-ver' and 'ssl-max-ver' to fix.",
    "lbd.cfg:9: warning: 'bind': no-sslv3/no-tlsv1x are ignored for this bind. Use only 'ssl-min-ver' and 'ssl-max-ver' to fix.",
  ]);
  const [a, b] = r.config!.frontends[0].binds.map((x) => x.ssl!);
  assert.deepEqual([a.minVersion, a.maxVersion, a.noTlsTickets, a.ciphers, a.ciphersuites, a.curves], ['TLSv1.3', 'TLSv1.3', true, 'ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256', 'TLS_AES_128_GCM_SHA256:TLS_CHACHA20_POLY1305_SHA256', 'X25519:P-256']);
  assert.deepEqual([b.minVersion, b.maxVersion, b.noTlsTickets, b.ciphers, b.ciphersuites, b.curves], ['TLSv1.2', 'TLSv1.3', true, 'ECDHE-RSA-AES256-GCM-SHA384', 'TLS_AES_256_GCM_SHA384', 'P-384']);
  assert.deepEqual(r.config!.global.sslDefaultBind, {
    minVersion: 'TLSv1.3',
    maxVersion: null,
    disabled: ['SSLv3'],
    noTlsTickets: true,
    ciphers: 'ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256',
    ciphersuites: 'TLS_AES_128_GCM_SHA256:TLS_CHACHA20_POLY1305_SHA256',
    curves: 'X25519:P-256',
  });
  // the no-tlsv1x flags of the defaults and of the bind add up
  const c = await sslOf('    bind :443 ssl crt www-rsa.pem no-tlsv12', ['    ssl-default-bind-options no-tlsv10 no-tlsv11']);
  assert.deepEqual([c.minVersion, c.maxVersion], ['TLSv1.3', 'TLSv1.3']);
});

test('other bind TLS options: strict-sni, no-tls-tickets, verify with ca-file and crl-file under ca-base; a comma list shares one setting', { skip }, async () => {
  writeFileSync(join(dir, 'ca.crl'), '-----BEGIN X509 CRL-----\nMIIB\n-----END X509 CRL-----\n');
  const r = await load(
    cfg('global', `    crt-base ${dir}`, `    ca-base ${dir}`, 'frontend f', '    bind :443,:8443 ssl crt www-rsa.pem strict-sni no-tls-tickets verify optional ca-file ca.crt crl-file ca.crl', ...BACKEND),
  );
  assert.deepEqual(messages(r), []);
  const [a, b] = r.config!.frontends[0].binds.map((x) => x.ssl!);
  assert.equal(a, b);
  assert.equal(a.strictSni, true);
  assert.equal(a.noTlsTickets, true);
  assert.equal(a.verify, 'optional');
  assert.deepEqual(a.caFile, { path: join(dir, 'ca.crt'), pem: readFileSync(ca.cert, 'utf8') });
  assert.equal(a.crlFile?.path, join(dir, 'ca.crl'));
});

test('ssl without crt is an error; crt without ssl loads the certificate and keeps the listener plain, with a warning', { skip }, async () => {
  const r = await load(cfg('global', `    crt-base ${dir}`, 'frontend f', '    bind :443 ssl', '    bind :444 crt www-rsa.pem', '    bind :445 alpn h2 strict-sni', ...BACKEND));
  assert.deepEqual(messages(r), [
    "lbd.cfg:4: 'bind': no SSL certificate specified (use 'crt' or 'crt-list')",
    "lbd.cfg:5: warning: 'bind': 'crt' without 'ssl': the certificates are loaded but the listener stays plain TCP (as in HAProxy); add 'ssl' to terminate TLS",
    "lbd.cfg:6: warning: 'bind': 'alpn', 'strict-sni' ignored without 'ssl'",
  ]);
  const ok = await load(cfg('global', `    crt-base ${dir}`, 'frontend f', '    bind :444 crt www-rsa.pem', '    bind :80', ...BACKEND));
  assert.deepEqual(ok.config!.frontends[0].binds.map((b) => b.ssl ?? null), [null, null]);
  assert.equal('ssl' in ok.config!.frontends[0].binds[1], false);
});

test('certificate and option errors name the bind line (or the crt-list line)', { skip }, async () => {
  const list = join(dir, 'bad-list.txt');
  const r = await load(
    cfg(
      'global',
      `    crt-base ${dir}`,
      'frontend f',
      '    bind :441 ssl crt missing.pem',
      '    bind :442 ssl crt nokey.pem',
      '    bind :443 ssl crt keyonly.pem',
      '    bind :444 ssl crt mismatch.pem',
      '    bind :455 ssl crt split-bad.pem',
      '    bind :445 ssl crt garbage.pem',
      '    bind :446 ssl crt empty',
      `    bind :447 ssl crt-list ${join(dir, 'nolist.txt')}`,
      `    bind :448 ssl crt-list ${list}`,
      '    bind :449 ssl crt www-rsa.pem verify required',
      '    bind :450 ssl crt www-rsa.pem ca-file nothere.pem verify sometimes',
      '    bind :451 ssl crt www-rsa.pem ciphers BOGUS ciphersuites TLS_NOPE curves P-999',
      '    bind :452 ssl crt www-rsa.pem alpn h2,,http/1.1',
      '    bind :453 ssl crt www-rsa.pem npn h2',
      ...BACKEND,
    ),
  );
  assert.equal(r.config, null);
  assert.deepEqual(messages(r), [
    `${list}:1: crt-list: per-certificate SSL options ('[…]') are not supported by lbd; set them on the bind line`,
    `${list}:2: unable to stat SSL certificate from file '${join(dir, 'missing.pem')}' : No such file or directory`,
    `${list}:3: crt-list: expected a certificate file first on the line, got '[ssl-min-ver'`,
    `${list}:4: crt-list: invalid SNI filter 'bad..name' (expected a host name, *.domain, or !name)`,
    `${list}:5: inconsistencies between private key and certificate loaded from '${join(dir, 'mismatch.pem')}': the key does not match the certificate`,
    `lbd.cfg:4: 'bind': unable to stat SSL certificate from file '${join(dir, 'missing.pem')}' : No such file or directory`,
    `lbd.cfg:5: 'bind': no private key found in '${join(dir, 'nokey.pem')}' nor in '${join(dir, 'nokey.pem')}.key'`,
    `lbd.cfg:6: 'bind': unable to load certificate from file '${join(dir, 'keyonly.pem')}' (no PEM CERTIFICATE block)`,
    `lbd.cfg:7: 'bind': inconsistencies between private key and certificate loaded from '${join(dir, 'mismatch.pem')}': the key does not match the certificate`,
    `lbd.cfg:8: 'bind': inconsistencies between private key and certificate loaded from '${join(dir, 'split-bad.pem')}' (key from '${join(dir, 'split-bad.pem')}.key'): the key does not match the certificate`,
    `lbd.cfg:9: 'bind': unable to load certificate from file '${join(dir, 'garbage.pem')}' (no PEM CERTIFICATE block)`,
    `lbd.cfg:10: 'bind': no certificate found in directory '${join(dir, 'empty')}'`,
    `lbd.cfg:11: 'bind': 'crt-list' : cannot open file '${join(dir, 'nolist.txt')}' : No such file or directory`,
    "lbd.cfg:13: 'bind': verify is enabled but no CA file specified (use 'ca-file')",
    "lbd.cfg:14: 'bind': unknown verify mode 'sometimes' (expected none, optional, required)",
    // no ca-base in this config: the path is taken as written
    "lbd.cfg:14: 'bind': unable to load CA file 'nothere.pem' : No such file or directory",
    "lbd.cfg:15: 'bind': unable to set SSL cipher list to 'BOGUS'",
    "lbd.cfg:15: 'bind': unable to set TLS 1.3 cipher suites to 'TLS_NOPE' (unknown: TLS_NOPE)",
    "lbd.cfg:15: 'bind': unable to set SSL curves list to 'P-999'",
    "lbd.cfg:16: 'bind': 'alpn': invalid protocol list 'h2,,http/1.1' (expected names separated by commas, each 1 to 255 bytes)",
    "lbd.cfg:17: 'bind': option 'npn' is not supported by lbd",
  ]);
});

test('an expired certificate loads with a warning; a chain out of order is a warning', { skip }, () => {
  const where = { file: 'lbd.cfg', line: 3 };
  const later = Date.now() + 10 * 86_400_000;
  const expired = loadCertFile(rsa.pem, where, null, later);
  assert.ok(expired.value);
  assert.deepEqual(expired.problems.map((p) => [p.severity, p.message]), [['warning', `certificate '${rsa.pem}' expired on ${new Date(expired.value.notAfter).toISOString()} (loaded anyway, as HAProxy does)`]]);
  const early = loadCertFile(rsa.pem, where, null, Date.now() - 86_400_000);
  assert.match(early.problems[0].message, /is not valid before/);
  writeFileSync(join(dir, 'wrong-order.pem'), readFileSync(leaf.cert, 'utf8') + readFileSync(rsa.cert, 'utf8') + readFileSync(leaf.key, 'utf8'));
  const wrong = loadCertFile(join(dir, 'wrong-order.pem'), where);
  assert.ok(wrong.value);
  assert.deepEqual(wrong.problems.map((p) => p.severity), ['warning']);
  assert.match(wrong.problems[0].message, /chain certificate 1 did not issue the certificate before it/);
});
