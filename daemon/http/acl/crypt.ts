/**
 * crypt(3) password hashes for `userlist … user <name> password <hash>`, computed with node:crypto:
 * `$6$` (SHA-512) and `$5$` (SHA-256) as specified by Ulrich Drepper's "Unix crypt using SHA-256 and
 * SHA-512" (with `rounds=<n>$`), and `$1$` (the MD5-based crypt of FreeBSD/glibc).
 * Other schemes glibc may know (`$y$` yescrypt, `$2b$` bcrypt, DES) are refused at load by `hashScheme`.
 */
import { createHash, timingSafeEqual } from 'node:crypto';

const B64 = './0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

/** The schemes lbd verifies, by their `$id$` prefix. */
export const CRYPT_SCHEMES: Readonly<Record<string, string>> = { '1': 'MD5', '5': 'SHA-256', '6': 'SHA-512' };

/** The scheme of a hash, or an error message naming what lbd cannot verify. */
export function hashScheme(hash: string): string | { error: string } {
  const m = /^\$([^$]+)\$/.exec(hash);
  if (m === null) return { error: 'DES crypt hashes (no $id$ prefix) are not supported by lbd; use a $6$ (SHA-512), $5$ or $1$ hash, or insecure-password' };
  if (!Object.hasOwn(CRYPT_SCHEMES, m[1])) {
    const names: Record<string, string> = { y: 'yescrypt', gy: 'gost-yescrypt', '2a': 'bcrypt', '2b': 'bcrypt', '2y': 'bcrypt', '7': 'scrypt', sha1: 'SHA-1 crypt' };
    return { error: `password hash scheme '$${m[1]}$'${names[m[1]] ? ` (${names[m[1]]})` : ''} is not supported by lbd; use a $6$ (SHA-512), $5$ or $1$ hash (e.g. 'openssl passwd -6'), or insecure-password` };
  }
  const parts = hash.split('$');
  if (parts.length < 4 || parts[parts.length - 1] === '') return { error: `malformed ${CRYPT_SCHEMES[m[1]]} crypt hash (expected $${m[1]}$<salt>$<hash>)` };
  return m[1];
}

/** Encode 3 bytes (as HAProxy's libc does: b2 high) into n base-64 characters, low bits first. */
function b64From24(b2: number, b1: number, b0: number, n: number): string {
  let w = (b2 << 16) | (b1 << 8) | b0;
  let out = '';
  for (let i = 0; i < n; i++) {
    out += B64[w & 0x3f];
    w >>= 6;
  }
  return out;
}

/** `n` bytes made of `block` repeated (and cut). */
function repeatTo(block: Buffer, n: number): Buffer {
  const out = Buffer.alloc(n);
  for (let i = 0; i < n; i += block.length) block.copy(out, i, 0, Math.min(block.length, n - i));
  return out;
}

const SHA512_ORDER = [
  [0, 21, 42], [22, 43, 1], [44, 2, 23], [3, 24, 45], [25, 46, 4], [47, 5, 26], [6, 27, 48], [28, 49, 7], [50, 8, 29], [9, 30, 51], [31, 52, 10],
  [53, 11, 32], [12, 33, 54], [34, 55, 13], [56, 14, 35], [15, 36, 57], [37, 58, 16], [59, 17, 38], [18, 39, 60], [40, 61, 19], [62, 20, 41],
];
const SHA256_ORDER = [[0, 10, 20], [21, 1, 11], [12, 22, 2], [3, 13, 23], [24, 4, 14], [15, 25, 5], [6, 16, 26], [27, 7, 17], [18, 28, 8], [9, 19, 29]];

/** SHA-crypt (`$5$`/`$6$`) of a password with the settings of an existing hash; returns the full hash string. */
function shaCrypt(id: '5' | '6', password: Buffer, setting: string): string | null {
  const alg = id === '6' ? 'sha512' : 'sha256';
  const h = (...parts: Buffer[]): Buffer => {
    const c = createHash(alg);
    for (const p of parts) c.update(p);
    return c.digest();
  };
  let rest = setting.slice(3);
  let rounds = 5000;
  let custom = false;
  const r = /^rounds=(\d+)\$/.exec(rest);
  if (r) {
    rounds = Math.min(999_999_999, Math.max(1000, Number(r[1])));
    custom = true;
    rest = rest.slice(r[0].length);
  }
  const saltText = rest.split('$')[0].slice(0, 16);
  const salt = Buffer.from(saltText, 'latin1');
  const pl = password.length;
  const b = h(password, salt, password);
  const a = createHash(alg).update(password).update(salt).update(repeatTo(b, pl));
  for (let n = pl; n > 0; n >>= 1) a.update(n & 1 ? b : password);
  const aDigest = a.digest();
  const p = repeatTo(h(repeatTo(password, pl * pl)), pl);
  const s = repeatTo(h(repeatTo(salt, salt.length * (16 + aDigest[0]))), salt.length);
  let c = aDigest;
  for (let i = 0; i < rounds; i++) {
    const ctx = createHash(alg);
    ctx.update(i & 1 ? p : c);
    if (i % 3) ctx.update(s);
    if (i % 7) ctx.update(p);
    ctx.update(i & 1 ? c : p);
    c = ctx.digest();
  }
  let out = '';
  if (id === '6') {
    for (const [x, y, z] of SHA512_ORDER) out += b64From24(c[x], c[y], c[z], 4);
    out += b64From24(0, 0, c[63], 2);
  } else {
    for (const [x, y, z] of SHA256_ORDER) out += b64From24(c[x], c[y], c[z], 4);
    out += b64From24(0, c[31], c[30], 3);
  }
  return `$${id}$${custom ? `rounds=${rounds}$` : ''}${saltText}$${out}`;
}

/** MD5-crypt (`$1$`). */
function md5Crypt(password: Buffer, setting: string): string {
  const magic = Buffer.from('$1$');
  const saltText = setting.slice(3).split('$')[0].slice(0, 8);
  const salt = Buffer.from(saltText, 'latin1');
  let fin = createHash('md5').update(password).update(salt).update(password).digest();
  const ctx = createHash('md5').update(password).update(magic).update(salt);
  for (let pl = password.length; pl > 0; pl -= 16) ctx.update(fin.subarray(0, Math.min(pl, 16)));
  for (let i = password.length; i; i >>= 1) ctx.update(i & 1 ? Buffer.from([0]) : password.subarray(0, 1));
  fin = ctx.digest();
  for (let i = 0; i < 1000; i++) {
    const c = createHash('md5');
    c.update(i & 1 ? password : fin);
    if (i % 3) c.update(salt);
    if (i % 7) c.update(password);
    c.update(i & 1 ? fin : password);
    fin = c.digest();
  }
  const f = fin;
  const out =
    b64From24(f[0], f[6], f[12], 4) + b64From24(f[1], f[7], f[13], 4) + b64From24(f[2], f[8], f[14], 4) + b64From24(f[3], f[9], f[15], 4) + b64From24(f[4], f[10], f[5], 4) + b64From24(0, 0, f[11], 2);
  return `$1$${saltText}$${out}`;
}

/** crypt(3) of `password` with the scheme and salt of `hash` (one of $1$, $5$, $6$); null for another scheme. */
export function crypt(password: string, hash: string): string | null {
  const pw = Buffer.from(password, 'utf8');
  if (hash.startsWith('$6$')) return shaCrypt('6', pw, hash);
  if (hash.startsWith('$5$')) return shaCrypt('5', pw, hash);
  if (hash.startsWith('$1$')) return md5Crypt(pw, hash);
  return null;
}

/** Whether `password` matches a crypt(3) hash; constant-time comparison of the results. */
export function verifyCrypt(password: string, hash: string): boolean {
  const got = crypt(password, hash);
  if (got === null || got.length !== hash.length) return false;
  return timingSafeEqual(Buffer.from(got), Buffer.from(hash));
}
