/**
 * HPACK (daemon/h2/hpack.ts, daemon/h2/huffman.ts): the examples of RFC 7541 Appendix C, the Huffman code of
 * Appendix B, malformed blocks, the header list limit (and HPACK bombs), and encoder/decoder round trips.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  HpackDecoder,
  HpackEncoder,
  HpackError,
  encodeHeaderBlockLiteral,
  staticEntry,
} from '../../daemon/h2/hpack.js';
import {
  HUFFMAN_CODES,
  HUFFMAN_LENGTHS,
  encodedLength,
  huffmanDecode,
  huffmanEncode,
} from '../../daemon/h2/huffman.js';

const hex = (s: string): Buffer => Buffer.from(s.replace(/\s+/g, ''), 'hex');

function decodeOk(d: HpackDecoder, block: Buffer): string[] {
  const out: string[] = [];
  const rc = d.decode(block, 0, block.length, out);
  assert.equal(rc, HpackError.OK, 'decode result');
  return out;
}

function decodeRc(d: HpackDecoder, block: Buffer): HpackError {
  return d.decode(block, 0, block.length, []);
}

function huff(s: string): Buffer {
  const b = Buffer.alloc(encodedLength(s));
  assert.equal(huffmanEncode(s, b, 0), b.length);
  return b;
}

const huffDec = (b: Buffer): string | null => huffmanDecode(b, 0, b.length);

// ---------------------------------------------------------------------------------------------------------
// Huffman (Appendix B)

test('Huffman: the code is complete and matches rows of RFC 7541 Appendix B', () => {
  let kraft = 0;
  for (let s = 0; s <= 256; s++) kraft += 2 ** -HUFFMAN_LENGTHS[s];
  assert.equal(kraft, 1);
  const rows: Array<[number, number, number]> = [
    [0, 0x1ff8, 13],
    [1, 0x7fffd8, 23],
    [10, 0x3ffffffc, 30],
    [13, 0x3ffffffd, 30],
    [22, 0x3ffffffe, 30],
    [32, 0x14, 6],
    [48, 0x0, 5],
    [97, 0x3, 5],
    [0x5c, 0x7fff0, 19],
    [0x7f, 0xffffffc, 28],
    [0x80, 0xfffe6, 20],
    [0xc3, 0x7fff1, 19],
    [0xf9, 0xffffffe, 28],
    [0xff, 0x3ffffee, 26],
    [256, 0x3fffffff, 30],
  ];
  for (const [sym, code, len] of rows) {
    assert.equal(HUFFMAN_LENGTHS[sym], len, `length of ${sym}`);
    assert.equal(HUFFMAN_CODES[sym], code, `code of ${sym}`);
  }
});

test('Huffman: the strings of RFC 7541 C.4 and C.6', () => {
  const vectors: Array<[string, string]> = [
    ['f1e3c2e5f23a6ba0ab90f4ff', 'www.example.com'],
    ['a8eb10649cbf', 'no-cache'],
    ['25a849e95ba97d7f', 'custom-key'],
    ['25a849e95bb8e8b4bf', 'custom-value'],
    ['6402', '302'],
    ['aec3771a4b', 'private'],
    ['d07abe941054d444a8200595040b8166e082a62d1bff', 'Mon, 21 Oct 2013 20:13:21 GMT'],
    ['9d29ad171863c78f0b97c8e9ae82ae43d3', 'https://www.example.com'],
    ['9bd9ab', 'gzip'],
    [
      '94e7821dd7f2e6c7b335dfdfcd5b3960d5af27087f3672c1ab270fb5291f9587316065c003ed4ee5b1063d5007',
      'foo=ASDJKHQKBZXOQWEOPIUAXQWEOIU; max-age=3600; version=1',
    ],
  ];
  for (const [h, s] of vectors) {
    assert.equal(huffDec(hex(h)), s);
    assert.equal(huff(s).toString('hex'), h);
    assert.equal(encodedLength(s), h.length / 2);
  }
  assert.equal(huffDec(Buffer.alloc(0)), '');
});

test('Huffman: every octet value round-trips, alone and all together', () => {
  let all = '';
  for (let c = 0; c < 256; c++) {
    const s = String.fromCharCode(c);
    assert.equal(huffDec(huff(s)), s, `octet ${c}`);
    assert.equal(huffDec(huff(s + 'a' + s + s)), s + 'a' + s + s, `octet ${c} in a string`);
    all += s;
  }
  assert.equal(huffDec(huff(all)), all);
  const rev = all.split('').reverse().join('');
  assert.equal(huffDec(huff(rev)), rev);
  // Random strings of random octets.
  let seed = 12345;
  const rnd = (n: number): number => {
    seed = (seed * 1103515245 + 12345) >>> 0;
    return (seed >>> 8) % n;
  };
  for (let i = 0; i < 500; i++) {
    let s = '';
    const n = rnd(40);
    for (let j = 0; j < n; j++) s += String.fromCharCode(rnd(256));
    assert.equal(huffDec(huff(s)), s);
  }
});

test('Huffman: padding must be a prefix of EOS shorter than 8 bits, and EOS is never decoded', () => {
  // 'a' is 00011: padded with 111 it is 0x1f.
  assert.equal(huffDec(Buffer.from([0x1f])), 'a');
  // Padding of zeros, or mixed.
  assert.equal(huffDec(Buffer.from([0x18])), null);
  assert.equal(huffDec(Buffer.from([0x1e])), null);
  assert.equal(huffDec(Buffer.from([0x1d])), null);
  // A whole octet of padding (8 ones) after a complete string.
  assert.equal(huffDec(hex('f1e3c2e5f23a6ba0ab90f4ff ff')), null);
  assert.equal(huffDec(Buffer.from([0xff])), null);
  // 'aa' (00011 00011) then 6 ones is fine, then 14 ones is padding over 7 bits.
  assert.equal(huffDec(hex('18ff')), 'aa');
  assert.equal(huffDec(hex('18ffff')), null);
  // EOS (30 ones) + 2 ones of padding, alone and after a symbol.
  assert.equal(huffDec(hex('ffffffff')), null);
  // 'a' (00011) then EOS (30 ones) then 5 ones of padding: 00011111 11111111 11111111 11111111 11111111
  assert.equal(huffDec(hex('1fffffffff')), null);
  // Ending inside a long code (15 ones then a zero: a prefix of the 19-bit code of 0x5c).
  assert.equal(huffDec(hex('fffe')), null);
  // 0x00 (13 bits 1111111111000) + 3 ones: valid.
  assert.equal(huffDec(hex('ffc7')), '\x00');
});

// ---------------------------------------------------------------------------------------------------------
// RFC 7541 Appendix C

test('RFC 7541 C.1: integer representation (read as dynamic table size updates, 5-bit prefix)', () => {
  // C.1.1: 10 is 0a (with the 001 of a size update: 2a); C.1.2: 1337 is 1f 9a 0a (3f 9a 0a).
  assert.equal(decodeRc(new HpackDecoder(10), hex('2a')), HpackError.OK);
  assert.equal(decodeRc(new HpackDecoder(9), hex('2a')), HpackError.COMPRESSION);
  assert.equal(decodeRc(new HpackDecoder(1337), hex('3f9a0a')), HpackError.OK);
  assert.equal(decodeRc(new HpackDecoder(1336), hex('3f9a0a')), HpackError.COMPRESSION);
  // C.1.3: 42 at an octet boundary (8-bit prefix) is the string length octet 2a.
  const out = decodeOk(new HpackDecoder(), Buffer.concat([hex('00 01 61 2a'), Buffer.alloc(42, 0x7a)]));
  assert.deepEqual(out, ['a', 'z'.repeat(42)]);
});

test('RFC 7541 C.2.1: literal header field with indexing', () => {
  const d = new HpackDecoder();
  const out = decodeOk(d, hex('400a 6375 7374 6f6d 2d6b 6579 0d63 7573 746f 6d2d 6865 6164 6572'));
  assert.deepEqual(out, ['custom-key', 'custom-header']);
  assert.deepEqual(d.dynamicEntries(), [['custom-key', 'custom-header']]);
  assert.equal(d.tableSize, 55);
});

test('RFC 7541 C.2.2: literal header field without indexing', () => {
  const d = new HpackDecoder();
  assert.deepEqual(decodeOk(d, hex('040c 2f73 616d 706c 652f 7061 7468')), [':path', '/sample/path']);
  assert.deepEqual(d.dynamicEntries(), []);
  assert.equal(d.tableSize, 0);
});

test('RFC 7541 C.2.3: literal header field never indexed', () => {
  const d = new HpackDecoder();
  assert.deepEqual(decodeOk(d, hex('1008 7061 7373 776f 7264 0673 6563 7265 74')), ['password', 'secret']);
  assert.deepEqual(d.dynamicEntries(), []);
  assert.equal(d.tableSize, 0);
});

test('RFC 7541 C.2.4: indexed header field', () => {
  const d = new HpackDecoder();
  assert.deepEqual(decodeOk(d, hex('82')), [':method', 'GET']);
  assert.deepEqual(d.dynamicEntries(), []);
  assert.equal(d.tableSize, 0);
});

const REQ1 = [':method', 'GET', ':scheme', 'http', ':path', '/', ':authority', 'www.example.com'];
const REQ2 = [...REQ1, 'cache-control', 'no-cache'];
const REQ3 = [
  ':method',
  'GET',
  ':scheme',
  'https',
  ':path',
  '/index.html',
  ':authority',
  'www.example.com',
  'custom-key',
  'custom-value',
];
const REQ_TABLES: Array<[Array<[string, string]>, number]> = [
  [[[':authority', 'www.example.com']], 57],
  [
    [
      ['cache-control', 'no-cache'],
      [':authority', 'www.example.com'],
    ],
    110,
  ],
  [
    [
      ['custom-key', 'custom-value'],
      ['cache-control', 'no-cache'],
      [':authority', 'www.example.com'],
    ],
    164,
  ],
];

function requestSequence(blocks: string[]): void {
  const d = new HpackDecoder();
  const want = [REQ1, REQ2, REQ3];
  blocks.forEach((b, i) => {
    assert.deepEqual(decodeOk(d, hex(b)), want[i], `request ${i + 1}`);
    assert.deepEqual(d.dynamicEntries(), REQ_TABLES[i][0], `table after request ${i + 1}`);
    assert.equal(d.tableSize, REQ_TABLES[i][1], `table size after request ${i + 1}`);
  });
}

test('RFC 7541 C.3: requests without Huffman', () => {
  requestSequence([
    '8286 8441 0f77 7777 2e65 7861 6d70 6c65 2e63 6f6d',
    '8286 84be 5808 6e6f 2d63 6163 6865',
    '8287 85bf 400a 6375 7374 6f6d 2d6b 6579 0c63 7573 746f 6d2d 7661 6c75 65',
  ]);
});

test('RFC 7541 C.4: requests with Huffman', () => {
  requestSequence([
    '8286 8441 8cf1 e3c2 e5f2 3a6b a0ab 90f4 ff',
    '8286 84be 5886 a8eb 1064 9cbf',
    '8287 85bf 4088 25a8 49e9 5ba9 7d7f 8925 a849 e95b b8e8 b4bf',
  ]);
});

test('RFC 7541 C.3: our encoder produces the RFC blocks, and a fresh decoder reads them back', () => {
  const e = new HpackEncoder();
  const d = new HpackDecoder();
  // Same strategy as the RFC example: static exact match, then literal with indexing and an indexed name.
  const rfc = [
    '828684410f7777772e6578616d706c652e636f6d',
    '828684be58086e6f2d6361636865',
    '828785bf400a637573746f6d2d6b65790c637573746f6d2d76616c7565',
  ];
  [REQ1, REQ2, REQ3].forEach((want, i) => {
    const block = e.encode(want);
    assert.equal(block.toString('hex'), rfc[i]);
    assert.deepEqual(decodeOk(d, block), want);
    assert.equal(d.tableSize, e.tableSize);
    assert.deepEqual(d.dynamicEntries(), e.dynamicEntries());
    assert.deepEqual(d.dynamicEntries(), REQ_TABLES[i][0]);
  });
  // With Huffman: the C.4 blocks.
  const eh = new HpackEncoder({ huffman: true });
  assert.equal(eh.encode(REQ1).toString('hex'), '828684418cf1e3c2e5f23a6ba0ab90f4ff');
  assert.equal(eh.encode(REQ2).toString('hex'), '828684be5886a8eb10649cbf');
  assert.equal(eh.encode(REQ3).toString('hex'), '828785bf408825a849e95ba97d7f8925a849e95bb8e8b4bf');
  // Huffman only when shorter: octets 0xff take 26 bits each, so that value stays raw.
  const bin = new HpackEncoder({ huffman: true }).encode(['x-bin', '\xff\xff']);
  assert.equal(bin[1], 0x84, 'the name is Huffman-coded: 30 bits');
  assert.equal(bin.subarray(6).toString('hex'), '02ffff');
  assert.equal(bin.length, 9);
});

const RESP1 = [
  ':status',
  '302',
  'cache-control',
  'private',
  'date',
  'Mon, 21 Oct 2013 20:13:21 GMT',
  'location',
  'https://www.example.com',
];
const RESP2 = [...RESP1];
RESP2[1] = '307';
const RESP3 = [
  ':status',
  '200',
  'cache-control',
  'private',
  'date',
  'Mon, 21 Oct 2013 20:13:22 GMT',
  'location',
  'https://www.example.com',
  'content-encoding',
  'gzip',
  'set-cookie',
  'foo=ASDJKHQKBZXOQWEOPIUAXQWEOIU; max-age=3600; version=1',
];
const RESP_TABLES: Array<[Array<[string, string]>, number]> = [
  [
    [
      ['location', 'https://www.example.com'],
      ['date', 'Mon, 21 Oct 2013 20:13:21 GMT'],
      ['cache-control', 'private'],
      [':status', '302'],
    ],
    222,
  ],
  [
    [
      [':status', '307'],
      ['location', 'https://www.example.com'],
      ['date', 'Mon, 21 Oct 2013 20:13:21 GMT'],
      ['cache-control', 'private'],
    ],
    222,
  ],
  [
    [
      ['set-cookie', 'foo=ASDJKHQKBZXOQWEOPIUAXQWEOIU; max-age=3600; version=1'],
      ['content-encoding', 'gzip'],
      ['date', 'Mon, 21 Oct 2013 20:13:22 GMT'],
    ],
    215,
  ],
];

function responseSequence(blocks: string[]): void {
  const d = new HpackDecoder(256);
  const want = [RESP1, RESP2, RESP3];
  blocks.forEach((b, i) => {
    assert.deepEqual(decodeOk(d, hex(b)), want[i], `response ${i + 1}`);
    assert.deepEqual(d.dynamicEntries(), RESP_TABLES[i][0], `table after response ${i + 1}`);
    assert.equal(d.tableSize, RESP_TABLES[i][1], `table size after response ${i + 1}`);
  });
}

test('RFC 7541 C.5: responses without Huffman, 256-octet table with eviction', () => {
  responseSequence([
    '4803 3330 3258 0770 7269 7661 7465 611d 4d6f 6e2c 2032 3120 4f63 7420 3230 3133 2032 303a 3133 3a32 3120 474d' +
      '546e 1768 7474 7073 3a2f 2f77 7777 2e65 7861 6d70 6c65 2e63 6f6d',
    '4803 3330 37c1 c0bf',
    '88c1 611d 4d6f 6e2c 2032 3120 4f63 7420 3230 3133 2032 303a 3133 3a32 3220 474d 54c0 5a04 677a 6970 7738 666f' +
      '6f3d 4153 444a 4b48 514b 425a 584f 5157 454f 5049 5541 5851 5745 4f49 553b 206d 6178 2d61 6765 3d33 3630 303b' +
      '2076 6572 7369 6f6e 3d31',
  ]);
});

test('RFC 7541 C.6: responses with Huffman, 256-octet table with eviction', () => {
  responseSequence([
    '4882 6402 5885 aec3 771a 4b61 96d0 7abe 9410 54d4 44a8 2005 9504 0b81 66e0 82a6 2d1b ff6e 919d 29ad 1718 63c7' +
      '8f0b 97c8 e9ae 82ae 43d3',
    '4883 640e ffc1 c0bf',
    '88c1 6196 d07a be94 1054 d444 a820 0595 040b 8166 e084 a62d 1bff c05a 839b d9ab 77ad 94e7 821d d7f2 e6c7 b335' +
      'dfdf cd5b 3960 d5af 2708 7f36 72c1 ab27 0fb5 291f 9587 3160 65c0 03ed 4ee5 b106 3d50 07',
  ]);
});

// ---------------------------------------------------------------------------------------------------------
// Malformed blocks

test('errors: index 0, indices past the tables, in indexed fields and literal names', () => {
  assert.equal(decodeRc(new HpackDecoder(), hex('80')), HpackError.COMPRESSION);
  assert.equal(decodeRc(new HpackDecoder(), hex('be')), HpackError.COMPRESSION); // 62, empty dynamic table
  assert.equal(decodeRc(new HpackDecoder(), hex('bd')), HpackError.OK); // 61 is www-authenticate
  assert.equal(decodeRc(new HpackDecoder(), hex('ff49')), HpackError.COMPRESSION); // 200
  assert.equal(decodeRc(new HpackDecoder(), hex('7e 03 616263')), HpackError.COMPRESSION); // name index 62
  assert.equal(decodeRc(new HpackDecoder(), hex('0f2f 03 616263')), HpackError.COMPRESSION); // name index 62
  const d = new HpackDecoder();
  decodeOk(d, hex('400a 6375 7374 6f6d 2d6b 6579 0d63 7573 746f 6d2d 6865 6164 6572'));
  assert.deepEqual(decodeOk(d, hex('be')), ['custom-key', 'custom-header']);
  assert.deepEqual(decodeOk(d, hex('0f2f 03 616263')), ['custom-key', 'abc']);
  assert.equal(decodeRc(d, hex('bf')), HpackError.COMPRESSION);
});

test('errors: integers over 2^31 or with too many continuation octets, truncated integers', () => {
  // Index 127 + 0x7fffff80 (fits: 2^31 - 1) is just past the tables; one more is an overflow.
  assert.equal(decodeRc(new HpackDecoder(), hex('ff 80 ff ff ff 07')), HpackError.COMPRESSION);
  assert.equal(decodeRc(new HpackDecoder(), hex('ff 81 ff ff ff 07')), HpackError.COMPRESSION);
  assert.equal(decodeRc(new HpackDecoder(), hex('ff ff ff ff ff 0f')), HpackError.COMPRESSION);
  assert.equal(decodeRc(new HpackDecoder(), hex('ff 80 80 80 80 80 00')), HpackError.COMPRESSION); // 6 octets
  assert.equal(decodeRc(new HpackDecoder(), hex('ff 80 80')), HpackError.COMPRESSION); // truncated
  assert.equal(decodeRc(new HpackDecoder(), hex('ff')), HpackError.COMPRESSION);
  // A string length of 2^31: overflow rather than "past the end".
  assert.equal(decodeRc(new HpackDecoder(), hex('00 7f 81 ff ff ff 07')), HpackError.COMPRESSION);
  // A name index of 62 (15 + 47) written with redundant continuation octets (4 of them) is still accepted.
  const d = new HpackDecoder();
  decodeOk(d, hex('4003616263 03646566'));
  assert.deepEqual(decodeOk(d, hex('0f af 80 80 00 03 78797a')), ['abc', 'xyz']);
  assert.deepEqual(decodeOk(d, hex('0f af 80 80 80 00 03 78797a')), ['abc', 'xyz']); // 5 octets
  assert.equal(decodeRc(d, hex('0f af 80 80 80 80 00 03 78797a')), HpackError.COMPRESSION); // 6 octets
});

test('errors: truncated strings and blocks', () => {
  assert.equal(decodeRc(new HpackDecoder(), hex('400a6375')), HpackError.COMPRESSION);
  assert.equal(decodeRc(new HpackDecoder(), hex('40')), HpackError.COMPRESSION);
  assert.equal(decodeRc(new HpackDecoder(), hex('4003616263')), HpackError.COMPRESSION); // no value
  assert.equal(decodeRc(new HpackDecoder(), hex('0003616263 04 6465')), HpackError.COMPRESSION);
  assert.equal(decodeRc(new HpackDecoder(), hex('0003616263 7f')), HpackError.COMPRESSION);
  assert.equal(decodeRc(new HpackDecoder(), hex('44')), HpackError.COMPRESSION); // :path, no value
  // A Huffman string with bad padding inside a block.
  assert.equal(decodeRc(new HpackDecoder(), hex('04 81 18')), HpackError.COMPRESSION);
  assert.equal(decodeRc(new HpackDecoder(), hex('04 81 1f')), HpackError.OK);
  // The decode range is honoured: the block ends at `end`, not at the buffer's end.
  const buf = hex('ff 0400 8286 4003616263 03646566 ffff');
  assert.equal(new HpackDecoder().decode(buf, 3, 5, []), HpackError.OK);
  assert.equal(new HpackDecoder().decode(buf, 5, 12, []), HpackError.COMPRESSION);
  const out: string[] = [];
  assert.equal(new HpackDecoder().decode(buf, 5, 14, out), HpackError.OK);
  assert.deepEqual(out, ['abc', 'def']);
});

test('errors: dynamic table size updates above the limit or after a field', () => {
  assert.equal(decodeRc(new HpackDecoder(4096), hex('3fe11f')), HpackError.OK); // 31 + 4065 = 4096
  assert.equal(decodeRc(new HpackDecoder(4096), hex('3fe21f')), HpackError.COMPRESSION); // 4097
  assert.equal(decodeRc(new HpackDecoder(0), hex('25')), HpackError.COMPRESSION);
  assert.equal(decodeRc(new HpackDecoder(), hex('82 20')), HpackError.COMPRESSION);
  assert.equal(decodeRc(new HpackDecoder(), hex('20 82 20')), HpackError.COMPRESSION);
  assert.equal(decodeRc(new HpackDecoder(), hex('20 3f e1 1f 82')), HpackError.OK); // two at the start
  // A size update evicts; growing back is allowed up to the limit.
  const d = new HpackDecoder();
  decodeOk(d, hex('4003616263 03646566'));
  assert.equal(d.tableSize, 38);
  decodeOk(d, hex('3f07')); // 38: still fits
  assert.equal(d.tableSize, 38);
  decodeOk(d, hex('3f06')); // 37
  assert.equal(d.tableSize, 0);
  // The table max is now 37: an entry of 38 octets empties the table rather than being added.
  decodeOk(d, hex('4003616263 03646566'));
  assert.equal(d.tableSize, 0);
  assert.equal(decodeRc(d, hex('be')), HpackError.COMPRESSION);
});

test('SETTINGS_HEADER_TABLE_SIZE lowered: the next block must start with a size update within it', () => {
  const d = new HpackDecoder(4096);
  decodeOk(d, hex('4003616263 03646566'));
  d.setMaxTableSize(100);
  assert.equal(decodeRc(d, hex('82')), HpackError.COMPRESSION);
  const d2 = new HpackDecoder(4096);
  d2.setMaxTableSize(100);
  assert.equal(decodeRc(d2, hex('3f 46 82')), HpackError.COMPRESSION); // 101 > 100
  const d3 = new HpackDecoder(4096);
  decodeOk(d3, hex('4003616263 03646566'));
  d3.setMaxTableSize(0);
  d3.setMaxTableSize(4096);
  assert.equal(decodeRc(d3, hex('3fe11f 82')), HpackError.COMPRESSION); // must signal 0 first
  const d3b = new HpackDecoder(4096);
  decodeOk(d3b, hex('4003616263 03646566'));
  d3b.setMaxTableSize(0);
  d3b.setMaxTableSize(4096);
  assert.equal(decodeRc(d3b, hex('20 3fe11f 82')), HpackError.OK);
  assert.equal(d3b.tableSize, 0);
  assert.equal(decodeRc(d3b, hex('82')), HpackError.OK); // only once
  // Raising the limit needs no update.
  const d4 = new HpackDecoder(4096);
  d4.setMaxTableSize(8192);
  assert.equal(decodeRc(d4, hex('82')), HpackError.OK);
  assert.equal(decodeRc(d4, hex('3f e1 3f')), HpackError.OK); // 8192
});

test('hostile input: random and mutated blocks never throw', () => {
  let seed = 7;
  const rnd = (n: number): number => {
    seed = (seed * 1103515245 + 12345) >>> 0;
    return (seed >>> 8) % n;
  };
  const valid = new HpackEncoder({ huffman: true }).encode([...RESP3, ...REQ3]);
  const seen = new Set<HpackError>();
  for (let i = 0; i < 5000; i++) {
    let b: Buffer;
    if (i % 2 === 0) {
      b = Buffer.alloc(rnd(64));
      for (let j = 0; j < b.length; j++) b[j] = rnd(256);
    } else {
      b = Buffer.from(valid.subarray(0, rnd(valid.length + 1)));
      for (let k = rnd(4); k > 0 && b.length > 0; k--) b[rnd(b.length)] = rnd(256);
    }
    const d = new HpackDecoder(4096, 200);
    decodeOk(d, hex('4003616263 03646566'));
    const rc = d.decode(b, 0, b.length, []);
    seen.add(rc);
    assert.ok(d.tableSize <= 4096);
  }
  assert.deepEqual([...seen].sort(), [HpackError.OK, HpackError.COMPRESSION, HpackError.HEADER_LIST_TOO_LARGE]);
});

// ---------------------------------------------------------------------------------------------------------
// Header list size

test('HEADER_LIST_TOO_LARGE: the block is still decoded to its end and the table stays in sync', () => {
  const big = 'v'.repeat(200);
  const fields = ['x-a', big, 'x-b', big, 'x-c', big, 'x-d', 'small'];
  const enc = new HpackEncoder();
  const block1 = enc.encode(fields);
  const block2 = enc.encode(fields); // all four indexed from the dynamic table
  assert.equal(block2.length, 4);

  const ref = new HpackDecoder(4096, 1000);
  assert.deepEqual(decodeOk(ref, block1), fields);
  const d = new HpackDecoder(4096, 500); // 3 + 200 + 32 = 235 per big field: the third crosses 500
  const out: string[] = [];
  assert.equal(d.decode(block1, 0, block1.length, out), HpackError.HEADER_LIST_TOO_LARGE);
  assert.deepEqual(out, fields.slice(0, 4));
  assert.equal(d.tableSize, ref.tableSize);
  assert.deepEqual(d.dynamicEntries(), ref.dynamicEntries());
  // The next block refers to entries the oversized one inserted.
  d.maxHeaderListSize = 2000;
  assert.deepEqual(decodeOk(d, block2), fields);
  // Exactly at the limit is fine.
  const exact = new HpackDecoder(4096, 3 * 235 + 3 + 5 + 32);
  assert.deepEqual(decodeOk(exact, block1), fields);
  const under = new HpackDecoder(4096, 3 * 235 + 3 + 5 + 31);
  assert.equal(decodeRc(under, block1), HpackError.HEADER_LIST_TOO_LARGE);
  assert.equal(under.tableSize, ref.tableSize);
});

test('HPACK bomb: 10,000 references to a 4000-octet entry stop at the header list limit', () => {
  const d = new HpackDecoder(4096, 65536);
  const value = 'b'.repeat(4000);
  const first = Buffer.concat([hex('40 01 78 7f a1 1e'), Buffer.from(value, 'latin1')]); // 127 + 3873 = 4000
  assert.deepEqual(decodeOk(d, first), ['x', value]);
  assert.equal(d.tableSize, 4033);
  const bomb = Buffer.alloc(10000, 0xbe);
  const out: string[] = [];
  const t0 = process.hrtime.bigint();
  assert.equal(d.decode(bomb, 0, bomb.length, out), HpackError.HEADER_LIST_TOO_LARGE);
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  assert.ok(out.length <= 2 * 17, `out.length ${out.length}`);
  assert.ok(ms < 100, `${ms} ms`);
  assert.equal(d.tableSize, 4033);
  // An invalid reference after the limit is still a connection error.
  bomb[9999] = 0xbf;
  assert.equal(d.decode(bomb, 0, bomb.length, []), HpackError.COMPRESSION);
});

// ---------------------------------------------------------------------------------------------------------
// Encoder

test('encoder: a table size update opens the next block, and a table of 0 stops indexing', () => {
  const e = new HpackEncoder();
  const d = new HpackDecoder();
  const h = ['x-custom', 'one', 'cookie', 'a=b'];
  decodeOk(d, e.encode(h));
  assert.equal(e.tableSize, 8 + 3 + 32);
  e.setPeerMaxTableSize(0);
  assert.equal(e.tableSize, 0);
  const b = e.encode(h);
  assert.equal(b[0], 0x20);
  assert.equal(b[1] & 0xc0, 0x00, 'literal without indexing');
  assert.deepEqual(decodeOk(d, b), h);
  assert.equal(e.tableSize, 0);
  assert.equal(d.tableSize, 0);
  const b2 = e.encode(h);
  assert.notEqual(b2[0] & 0xe0, 0x20, 'the update is sent once');
  assert.deepEqual(decodeOk(d, b2), h);
  // Back to 4096 (and beyond: capped at 4096): an update of 4096 = 3f e1 1f.
  e.setPeerMaxTableSize(65536);
  const b3 = e.encode(h);
  assert.equal(b3.subarray(0, 3).toString('hex'), '3fe11f');
  assert.deepEqual(decodeOk(d, b3), h);
  assert.equal(d.tableSize, e.tableSize);
  assert.equal(e.tableSize, 43);
  // Down to 100 and back before a block: both updates, the smallest first.
  e.setPeerMaxTableSize(100);
  e.setPeerMaxTableSize(4096);
  const b4 = e.encode(h);
  assert.equal(b4.subarray(0, 5).toString('hex'), '3f453fe11f');
  assert.deepEqual(decodeOk(d, b4), h);
  assert.deepEqual(d.dynamicEntries(), e.dynamicEntries());
  // A peer that never changes its setting gets no update.
  const e2 = new HpackEncoder();
  e2.setPeerMaxTableSize(4096);
  assert.equal(e2.encode([':method', 'GET'])[0], 0x82);
});

test('encoder: sensitive and large fields are not indexed', () => {
  const e = new HpackEncoder();
  const b = e.encode([
    'authorization',
    'Basic Zm9vOmJhcg==',
    'proxy-authorization',
    'x',
    'cookie',
    'sid=1',
    'set-cookie',
    'a=1',
    'x-big',
    'z'.repeat(500),
  ]);
  assert.equal(b[0], 0x1f); // never indexed, name index 23 = 15 + 8
  assert.equal(b[1], 0x08);
  assert.deepEqual(
    e.dynamicEntries().map(([n]) => n),
    ['set-cookie'],
  );
  const out = decodeOk(new HpackDecoder(), b);
  assert.equal(out[0], 'authorization');
  assert.equal(out[9], 'z'.repeat(500));
  assert.deepEqual(encodeHeaderBlockLiteral(['a', 'b']).toString('hex'), '0001610162');
  assert.deepEqual(decodeOk(new HpackDecoder(), encodeHeaderBlockLiteral(out)), out);
  assert.deepEqual(staticEntry(2), [':method', 'GET']);
});

test('encoder/decoder: 1,000 random header lists round-trip and both tables stay in sync', () => {
  let seed = 42;
  const rnd = (n: number): number => {
    seed = (seed * 1103515245 + 12345) >>> 0;
    return (seed >>> 8) % n;
  };
  const TCHARS = "abcdefghijklmnopqrstuvwxyz0123456789-!#$%&'*+.^_`|~";
  const randName = (): string => {
    const k = rnd(10);
    if (k < 3) return staticEntry(1 + rnd(61))![0];
    if (k < 6) return ['x-a', 'x-b', 'x-request-id', 'accept', 'user-agent'][rnd(5)];
    let s = '';
    const n = 1 + rnd(k === 9 ? 300 : 20);
    for (let i = 0; i < n; i++) s += TCHARS[rnd(TCHARS.length)];
    return s;
  };
  const randValue = (): string => {
    const k = rnd(10);
    if (k < 3) return ['', 'GET', '/', '200', 'gzip, deflate', 'text/html', '1', 'abc'][rnd(8)];
    let s = '';
    const n = rnd(k === 9 ? 1000 : 60);
    for (let i = 0; i < n; i++) s += String.fromCharCode(rnd(256));
    return s;
  };
  for (const huffman of [false, true]) {
    const e = new HpackEncoder({ huffman });
    const d = new HpackDecoder(4096, 1 << 20);
    for (let iter = 0; iter < 1000; iter++) {
      if (rnd(50) === 0) {
        const n = [0, 64, 256, 1000, 4096, 8192][rnd(6)];
        e.setPeerMaxTableSize(n);
      }
      const h: string[] = [];
      const n = rnd(15);
      for (let i = 0; i < n; i++) {
        if (rnd(4) === 0 && iter > 0) {
          h.push(':path', '/same'); // repeats: exact dynamic matches
        } else {
          h.push(randName(), randValue());
        }
      }
      const block = e.encode(h);
      const out: string[] = [];
      assert.equal(d.decode(block, 0, block.length, out), HpackError.OK, `iteration ${iter}`);
      assert.deepEqual(out, h, `iteration ${iter}`);
      assert.equal(d.tableSize, e.tableSize, `table size, iteration ${iter}`);
      assert.ok(e.tableSize <= 4096);
    }
    assert.deepEqual(d.dynamicEntries(), e.dynamicEntries());
  }
});
