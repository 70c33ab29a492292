/**
 * The HPACK Huffman code (RFC 7541 Appendix B): encoder, encoded length, and a table-driven decoder.
 *
 * The code is canonical (codes of one length are consecutive, in symbol order, and shorter codes sort first),
 * so the table below holds only the code length of each symbol 0..255 and EOS (256); the codes are rebuilt
 * from the lengths at load time (and test/unit/hpack.test.ts checks them against rows of the RFC's table).
 *
 * Decoding runs a finite-state machine over whole input octets: a state is an internal node of the code tree
 * (256 of them, the root is 0), and DECODE_FSM[state << 8 | octet] gives the state after those 8 bits, the
 * 0..2 symbols completed on the way and whether EOS was met. A string is accepted when it ends in a state
 * reached from the root by at most 7 one bits (RFC 7541 §5.2: padding is a prefix of EOS, shorter than 8 bits).
 */

type Latin1Buf = Buffer & { latin1Slice(start: number, end: number): string };

/** Code length in bits of each symbol 0..255 and of EOS (256), RFC 7541 Appendix B. */
// prettier-ignore
const LENGTHS: readonly number[] = [
  13, 23, 28, 28, 28, 28, 28, 28, 28, 24, 30, 28, 28, 30, 28, 28, // 0x00
  28, 28, 28, 28, 28, 28, 30, 28, 28, 28, 28, 28, 28, 28, 28, 28, // 0x10
  6, 10, 10, 12, 13, 6, 8, 11, 10, 10, 8, 11, 8, 6, 6, 6, //          0x20  ' ' .. '/'
  5, 5, 5, 6, 6, 6, 6, 6, 6, 6, 7, 8, 15, 6, 12, 10, //               0x30  '0' .. '?'
  13, 6, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, //                 0x40  '@' .. 'O'
  7, 7, 7, 7, 7, 7, 7, 7, 8, 7, 8, 13, 19, 13, 14, 6, //              0x50  'P' .. '_'
  15, 5, 6, 5, 6, 5, 6, 6, 6, 5, 7, 7, 6, 6, 6, 5, //                 0x60  '`' .. 'o'
  6, 7, 6, 5, 5, 6, 7, 7, 7, 7, 7, 15, 11, 14, 13, 28, //             0x70  'p' .. 0x7f
  20, 22, 20, 20, 22, 22, 22, 23, 22, 23, 23, 23, 23, 23, 24, 23, // 0x80
  24, 24, 22, 23, 24, 23, 23, 23, 23, 21, 22, 23, 22, 23, 23, 24, // 0x90
  22, 21, 20, 22, 22, 23, 23, 21, 23, 22, 22, 24, 21, 22, 23, 23, // 0xa0
  21, 21, 22, 21, 23, 22, 23, 23, 20, 22, 22, 22, 23, 22, 22, 23, // 0xb0
  26, 26, 20, 19, 22, 23, 22, 25, 26, 26, 26, 27, 27, 26, 24, 25, // 0xc0
  19, 21, 26, 27, 27, 26, 27, 24, 21, 21, 26, 26, 28, 27, 27, 27, // 0xd0
  20, 24, 20, 21, 22, 21, 21, 23, 22, 22, 25, 25, 24, 24, 26, 23, // 0xe0
  26, 27, 26, 26, 27, 27, 27, 27, 27, 28, 27, 27, 27, 27, 27, 26, // 0xf0
  30, //                                                              EOS
];

/** Code length in bits of symbols 0..256 (256 is EOS). */
export const HUFFMAN_LENGTHS = Uint8Array.from(LENGTHS);
/** Code of symbols 0..256, right-aligned (the low HUFFMAN_LENGTHS[s] bits). */
export const HUFFMAN_CODES = new Uint32Array(257);

{
  const order = Array.from({ length: 257 }, (_, i) => i).sort((a, b) => LENGTHS[a] - LENGTHS[b] || a - b);
  let code = 0;
  let len = LENGTHS[order[0]];
  for (const s of order) {
    code = code * 2 ** (LENGTHS[s] - len); // < 2^30: no 32-bit overflow in the shift-free form
    len = LENGTHS[s];
    HUFFMAN_CODES[s] = code;
    code++;
  }
}

const EOS = 256;
const FSM_FAIL = 1 << 27;
/** State after the octet (bits 0-7), first symbol (8-15), second symbol (16-23), symbol count (24-25), FSM_FAIL. */
const DECODE_FSM = new Uint32Array(256 * 256);
/** 1 when a string may end in that state (at most 7 one bits since the last symbol). */
const ACCEPT = new Uint8Array(256);

{
  // The code tree: internal node n has children CHILD[2n] (bit 0) and CHILD[2n+1] (bit 1); a child >= 0 is an
  // internal node, a child < 0 is the leaf of symbol -child-1. A complete code of 257 leaves has 256 nodes.
  const CHILD = new Int32Array(512).fill(0x7fffffff);
  let nodes = 1;
  for (let s = 0; s <= EOS; s++) {
    const len = LENGTHS[s];
    const code = HUFFMAN_CODES[s];
    let n = 0;
    for (let i = len - 1; i >= 0; i--) {
      const bit = Math.floor(code / 2 ** i) & 1;
      const k = 2 * n + bit;
      if (i === 0) {
        if (CHILD[k] !== 0x7fffffff) throw new Error('HPACK Huffman table: not a prefix code');
        CHILD[k] = -s - 1;
      } else {
        if (CHILD[k] === 0x7fffffff) {
          if (nodes === 256) throw new Error('HPACK Huffman table: too many nodes');
          CHILD[k] = nodes++;
        } else if (CHILD[k] < 0) throw new Error('HPACK Huffman table: not a prefix code');
        n = CHILD[k];
      }
    }
  }
  if (nodes !== 256 || CHILD.includes(0x7fffffff)) throw new Error('HPACK Huffman table: incomplete code');

  // Depth and "reached by ones only" of each node, for ACCEPT.
  const depth = new Uint8Array(256);
  const ones = new Uint8Array(256);
  ones[0] = 1;
  for (let n = 0; n < 256; n++) {
    for (let bit = 0; bit < 2; bit++) {
      const c = CHILD[2 * n + bit];
      if (c > 0) {
        depth[c] = depth[n] + 1;
        ones[c] = ones[n] & bit;
      }
    }
  }
  for (let n = 0; n < 256; n++) ACCEPT[n] = ones[n] === 1 && depth[n] <= 7 ? 1 : 0;

  for (let state = 0; state < 256; state++) {
    for (let octet = 0; octet < 256; octet++) {
      let n = state;
      let count = 0;
      let syms = 0;
      let fail = false;
      for (let i = 7; i >= 0; i--) {
        const c = CHILD[2 * n + ((octet >> i) & 1)];
        if (c >= 0) {
          n = c;
          continue;
        }
        const s = -c - 1;
        if (s === EOS) {
          fail = true;
          break;
        }
        syms |= s << (8 * count);
        count++;
        n = 0;
      }
      DECODE_FSM[(state << 8) | octet] = fail ? FSM_FAIL : n | (syms << 8) | (count << 24);
    }
  }
}

let scratch = Buffer.allocUnsafe(4096) as Latin1Buf;

/**
 * Decode the Huffman-coded octets buf[start, end) to a latin1 string (one char per decoded octet), or null when
 * they are malformed: EOS inside, padding longer than 7 bits, or padding that is not all ones.
 */
export function huffmanDecode(buf: Uint8Array, start: number, end: number): string | null {
  // At most 8 bits -> 2 symbols, and 5-bit codes are the shortest: (8/5) * len + 1 is enough.
  const need = (end - start) * 2;
  if (need > scratch.length) scratch = Buffer.allocUnsafe(Math.max(need, scratch.length * 2)) as Latin1Buf;
  const out = scratch;
  const fsm = DECODE_FSM;
  let state = 0;
  let n = 0;
  for (let i = start; i < end; i++) {
    const e = fsm[(state << 8) | buf[i]];
    if (e >= 1 << 24) {
      if (e & FSM_FAIL) return null;
      out[n++] = e >>> 8;
      if (e >= 2 << 24) out[n++] = e >>> 16;
    }
    state = e & 0xff;
  }
  if (ACCEPT[state] === 0) return null;
  return n === 0 ? '' : out.latin1Slice(0, n);
}

/** Length in octets of the Huffman encoding of the latin1 string s. */
export function encodedLength(s: string): number {
  const lens = HUFFMAN_LENGTHS;
  let bits = 0;
  for (let i = 0; i < s.length; i++) bits += lens[s.charCodeAt(i) & 0xff];
  return (bits + 7) >>> 3;
}

/**
 * Write the Huffman encoding of the latin1 string s (each char's low octet) at out[pos], padded with one bits
 * (the EOS prefix); returns the position after it. out must have room for encodedLength(s) octets.
 */
export function huffmanEncode(s: string, out: Uint8Array, pos: number): number {
  const codes = HUFFMAN_CODES;
  const lens = HUFFMAN_LENGTHS;
  let acc = 0; // pending bits, right-aligned; fewer than 8 between symbols
  let nbits = 0;
  for (let i = 0; i < s.length; i++) {
    const sym = s.charCodeAt(i) & 0xff;
    let code = codes[sym];
    let len = lens[sym];
    if (len > 24) {
      // Keep acc within 31 bits: push the high part first.
      const hi = len - 16;
      acc = (acc << hi) | (code >>> 16);
      nbits += hi;
      while (nbits >= 8) {
        nbits -= 8;
        out[pos++] = acc >>> nbits;
      }
      acc &= (1 << nbits) - 1;
      code &= 0xffff;
      len = 16;
    }
    acc = (acc << len) | code;
    nbits += len;
    while (nbits >= 8) {
      nbits -= 8;
      out[pos++] = acc >>> nbits;
    }
    acc &= (1 << nbits) - 1;
  }
  if (nbits > 0) out[pos++] = (acc << (8 - nbits)) | (0xff >>> nbits);
  return pos;
}
