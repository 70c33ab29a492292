/**
 * HTTP basic authentication against a `userlist`: what `http_auth(<userlist>)` and
 * `http_auth_group(<userlist>)` evaluate. Passwords are `insecure-password` text or crypt(3) hashes
 * (crypt.ts). Hashing is deliberately slow, so results are cached per (user, password) digest, bounded.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { verifyCrypt } from './crypt.js';

/** A user's password as configured: clear text, a crypt(3) hash, or none (the user cannot log in). */
export type UserPassword = { readonly kind: 'insecure'; readonly value: string } | { readonly kind: 'crypt'; readonly hash: string } | null;

/** What the fetches need from a userlist. */
export interface UserlistAuth {
  /** True when the user exists and the password is right. */
  check(user: string, password: string): boolean;
  /** The groups of a user (from `user … groups` and `group … users`), [] for an unknown user. */
  groupsOf(user: string): readonly string[];
}

const CACHE_SIZE = 1024;

function sameText(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/** Build the checker of one userlist from its users' passwords and group memberships. */
export function compileUserlist(users: ReadonlyMap<string, UserPassword>, groups: ReadonlyMap<string, readonly string[]>): UserlistAuth {
  const cache = new Map<string, boolean>();
  return {
    check(user, password) {
      const pw = users.get(user);
      if (pw === undefined || pw === null) return false;
      if (pw.kind === 'insecure') return sameText(password, pw.value);
      const key = createHash('sha256').update(user).update('\0').update(password).digest('base64');
      const hit = cache.get(key);
      if (hit !== undefined) return hit;
      const ok = verifyCrypt(password, pw.hash);
      if (cache.size >= CACHE_SIZE) cache.delete(cache.keys().next().value as string);
      cache.set(key, ok);
      return ok;
    },
    groupsOf: (user) => groups.get(user) ?? [],
  };
}

/** The user and password of an `Authorization: Basic …` header (the first one), or null. */
export function basicCredentials(authorization: readonly string[]): { user: string; password: string } | null {
  const h = authorization[0];
  if (h === undefined) return null;
  const m = /^\s*basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(h);
  if (m === null) return null;
  const decoded = Buffer.from(m[1], 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) return null;
  return { user: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}
