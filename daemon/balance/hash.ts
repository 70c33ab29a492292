/**
 * Hash functions for the hash-based algorithms (`balance source`, the consistent-hash ring).
 *
 * The choice: HAProxy's default hash function is sdbm, for both `hash-type map-based` and
 * `consistent`. sdbm alone spreads short, similar keys (client addresses differing in their last
 * digits) poorly over the high bits, which is what a ring lookup or a modulo by a small total weight
 * looks at. HAProxy offers the `avalanche` modifier for that (Bob Jenkins' full-avalanche integer
 * hash); we always apply a full-avalanche finaliser, MurmurHash3's `fmix32`, after sdbm. fmix32 is a
 * bijection on 32-bit values, so it never adds collisions to those sdbm already has, and every input
 * bit flips each output bit with probability close to 1/2.
 *
 * Strings are hashed by UTF-16 code unit (for the ASCII text of an IP address that is the byte).
 * Nothing here allocates.
 */

/** sdbm over the string's code units: h = c + h * 65599, kept to 32 bits (unsigned). */
export function sdbm(s: string): number {
  let h = 0;
  for (let i = 0; i < s.length; i++) {
    // (h << 6) + (h << 16) - h === h * 65599
    h = (s.charCodeAt(i) + Math.imul(h, 65599)) | 0;
  }
  return h >>> 0;
}

/** MurmurHash3's 32-bit finaliser: full avalanche, bijective. Returns an unsigned 32-bit value. */
export function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** The hash lbd uses for a balancing key: sdbm followed by fmix32 (unsigned 32-bit). */
export function hashString(s: string): number {
  return fmix32(sdbm(s));
}

/**
 * Hash of the `replica`-th point of a server on the consistent-hash ring, derived from the hash of
 * the server's name so a server keeps the same points whatever else is in the pool.
 */
export function ringPointHash(nameHash: number, replica: number): number {
  // Golden-ratio stride: distinct replicas of one server never collide (fmix32 is a bijection).
  return fmix32((nameHash + Math.imul(replica + 1, 0x9e3779b1)) | 0);
}
