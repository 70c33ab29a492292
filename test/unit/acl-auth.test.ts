import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { crypt, hashScheme, verifyCrypt } from '../../daemon/http/acl/crypt.js';
import { basicCredentials, compileUserlist } from '../../daemon/http/acl/auth.js';

// Vectors produced by `openssl passwd` and glibc crypt(3) (Python's crypt module) on this project's machine.
const VECTORS: [string, string][] = [
  ['$6$saltstring$svn8UoSVapNtMuq1ukKS4tPQd8iKwSMHWjl/O817G3uBnIFNjnQJuesI68u4OTLiBFdcbYEdFCoEOfaS35inz1', 'Hello world!'],
  ['$5$saltstring$5B8vYYiY.CVt1RlTTf8KbXBH3hsxY/GNooZaBBGWEc5', 'Hello world!'],
  ['$1$saltstri$YMyguxXMBpd2TEZ.vS/3q1', 'Hello world!'],
  ['$5$rounds=10000$saltstringsaltst$3xv.VbSHBb41AL9AvLeujZkZRBAwqFMz2.opqey6IcA', 'Hello world!'],
  ['$6$rounds=1000$abc$Z1qGqKjJ955Q3hxAKRENp11lM160CDktIAQXrnkWjszWG6/BYyr9DR5eFLvBn4Tv/XyP46lXwBA6X4flRX5/B0', 'Hello world!'],
];

test('crypt(3) SHA-512, SHA-256 (with rounds=) and MD5 give the same hashes as glibc/openssl', () => {
  for (const [hash, pw] of VECTORS) {
    assert.equal(crypt(pw, hash), hash);
    assert.equal(verifyCrypt(pw, hash), true);
    assert.equal(verifyCrypt(`${pw}x`, hash), false);
    assert.equal(verifyCrypt('', hash), false);
  }
});

test('hashes made by the local openssl verify (when openssl is installed)', (t) => {
  let made: string[];
  try {
    made = ['-6', '-5', '-1'].map((alg) => execFileSync('openssl', ['passwd', alg, 'pässwörd with spaces'], { encoding: 'utf8' }).trim());
  } catch {
    t.skip('openssl not installed');
    return;
  }
  for (const h of made) {
    assert.equal(verifyCrypt('pässwörd with spaces', h), true, h);
    assert.equal(verifyCrypt('passwörd with spaces', h), false, h);
  }
});

test('schemes lbd cannot verify are named at load', () => {
  assert.equal(hashScheme('$6$salt$hash'), '6');
  assert.match((hashScheme('$y$j9T$abc$def') as { error: string }).error, /^password hash scheme '\$y\$' \(yescrypt\) is not supported by lbd/);
  assert.match((hashScheme('$2b$10$abcdefghijklmnopqrstuu') as { error: string }).error, /\(bcrypt\) is not supported by lbd/);
  assert.match((hashScheme('abJnggxhB/yWI') as { error: string }).error, /^DES crypt hashes \(no \$id\$ prefix\) are not supported by lbd/);
  assert.match((hashScheme('$6$onlysalt') as { error: string }).error, /^malformed SHA-512 crypt hash/);
});

test('a userlist checks clear and hashed passwords, knows groups, and never authenticates a user without a password', () => {
  const ul = compileUserlist(
    new Map([
      ['tiger', { kind: 'crypt' as const, hash: VECTORS[0][0] }],
      ['scott', { kind: 'insecure' as const, value: 'elgato' }],
      ['nopass', null],
    ]),
    new Map([['scott', ['G1', 'G2']]]),
  );
  assert.equal(ul.check('tiger', 'Hello world!'), true);
  assert.equal(ul.check('tiger', 'Hello world!'), true, 'cached');
  assert.equal(ul.check('tiger', 'nope'), false);
  assert.equal(ul.check('scott', 'elgato'), true);
  assert.equal(ul.check('scott', 'elgat'), false);
  assert.equal(ul.check('nopass', ''), false);
  assert.equal(ul.check('ghost', 'x'), false);
  assert.deepEqual(ul.groupsOf('scott'), ['G1', 'G2']);
  assert.deepEqual(ul.groupsOf('tiger'), []);
});

test('basic credentials: scheme case-insensitive, colon in the password kept, other schemes ignored', () => {
  const b64 = (s: string): string => Buffer.from(s).toString('base64');
  assert.deepEqual(basicCredentials([`Basic ${b64('u:p:q')}`]), { user: 'u', password: 'p:q' });
  assert.deepEqual(basicCredentials([`basic ${b64('u:')}`]), { user: 'u', password: '' });
  assert.equal(basicCredentials([`Bearer abc`]), null);
  assert.equal(basicCredentials([`Basic ${b64('nocolon')}`]), null);
  assert.equal(basicCredentials([]), null);
});
