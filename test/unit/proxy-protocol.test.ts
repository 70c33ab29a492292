import { test } from 'node:test';
import assert from 'node:assert/strict';
import { encodeV1, encodeV2, parseProxyHeader, V2_SIGNATURE, type ProxyHeaderParse } from '../../daemon/proxy/proxy-protocol.js';
import { readIPv6, writeIPv6 } from '../../daemon/proxy/ip-bytes.js';

const v4 = { src: '192.0.2.1', srcPort: 51234, dst: '198.51.100.7', dstPort: 443 };
const v6 = { src: '2001:db8::1', srcPort: 1, dst: 'fe80::a:b:c:d', dstPort: 65535 };

/** Feed `bytes` one split at a time (as packets would arrive) and return the first non-'more' answer. */
function feed(bytes: Buffer, cuts: number[]): ProxyHeaderParse {
  let r: ProxyHeaderParse = { state: 'more' };
  for (const end of [...cuts, bytes.length]) {
    r = parseProxyHeader(bytes.subarray(0, end));
    if (r.state !== 'more') return r;
  }
  return r;
}

test('v1 TCP4 and TCP6 lines give the addresses and where the payload starts', () => {
  const line = Buffer.from('PROXY TCP4 192.0.2.1 198.51.100.7 51234 443\r\nGET /');
  assert.deepEqual(parseProxyHeader(line), { state: 'done', version: 1, endpoints: v4, end: line.length - 5 });
  const l6 = Buffer.from('PROXY TCP6 2001:db8::1 fe80::a:b:c:d 1 65535\r\n');
  assert.deepEqual(parseProxyHeader(l6), { state: 'done', version: 1, endpoints: v6, end: l6.length });
});

test('v1 UNKNOWN keeps the connection addresses', () => {
  assert.deepEqual(parseProxyHeader(Buffer.from('PROXY UNKNOWN\r\nx')), { state: 'done', version: 1, endpoints: null, end: 15 });
  const r = parseProxyHeader(Buffer.from('PROXY UNKNOWN ffff:f...f:ffff 1 2\r\n'));
  assert.equal(r.state, 'done');
});

test('encoders round-trip through the parser (v1 and v2, IPv4 and IPv6)', () => {
  for (const e of [v4, v6]) {
    for (const enc of [encodeV1, encodeV2]) {
      const b = Buffer.concat([enc(e), Buffer.from('payload')]);
      const r = parseProxyHeader(b);
      assert.equal(r.state, 'done');
      if (r.state !== 'done') return;
      assert.deepEqual(r.endpoints, e);
      assert.equal(b.subarray(r.end).toString(), 'payload');
    }
  }
});

test('encoders: IPv4-mapped pairs are sent as TCP4; a mixed pair as TCP6; no endpoints as UNKNOWN / LOCAL', () => {
  assert.equal(encodeV1({ ...v4, src: '::ffff:192.0.2.1', dst: '::ffff:198.51.100.7' }).toString(), 'PROXY TCP4 192.0.2.1 198.51.100.7 51234 443\r\n');
  assert.equal(encodeV1({ ...v4, dst: '::1' }).toString(), 'PROXY TCP6 ::ffff:192.0.2.1 ::1 51234 443\r\n');
  assert.equal(encodeV1(null).toString(), 'PROXY UNKNOWN\r\n');
  // what HAProxy 2.6 sends on a check with send-proxy-v2 (captured): LOCAL, AF_UNSPEC, length 0
  assert.equal(encodeV2(null).toString('hex'), '0d0a0d0a000d0a515549540a20000000');
  const local = parseProxyHeader(encodeV2(null));
  assert.deepEqual(local, { state: 'done', version: 2, endpoints: null, end: 16 });
  const v2 = encodeV2(v4);
  assert.equal(v2.length, 28);
  assert.equal(v2.subarray(12, 16).toString('hex'), '2111000c');
});

test('headers split at every byte boundary parse the same', () => {
  for (const whole of [Buffer.from('PROXY TCP4 192.0.2.1 198.51.100.7 51234 443\r\nXY'), Buffer.concat([encodeV2(v6), Buffer.from('XY')])]) {
    for (let cut = 1; cut < whole.length; cut++) {
      const r = feed(whole, [cut]);
      assert.equal(r.state, 'done', `cut at ${cut}`);
      if (r.state === 'done') assert.equal(whole.subarray(r.end).toString(), 'XY');
    }
    // one byte at a time: 'more' until the last header byte
    const cuts = Array.from({ length: whole.length }, (_, i) => i + 1);
    assert.equal(feed(whole, cuts).state, 'done');
  }
});

test('v2 TLVs are skipped when well formed and bound by the header length', () => {
  const base = encodeV2(v4);
  const tlv = Buffer.from([0x04, 0x00, 0x02, 0xaa, 0xbb]); // PP2_TYPE_NOOP, 2 bytes
  const h = Buffer.concat([base, tlv]);
  h.writeUInt16BE(12 + tlv.length, 14);
  const r = parseProxyHeader(Buffer.concat([h, Buffer.from('z')]));
  assert.equal(r.state, 'done');
  if (r.state === 'done') assert.equal(r.end, h.length);
});

/** Malformed headers: each must be an error (never 'more' forever, never 'done'). */
const v2With = (mut: (b: Buffer) => Buffer): Buffer => mut(Buffer.from(encodeV2(v4)));
const MALFORMED: [string, Buffer][] = [
  ['not PROXY at all', Buffer.from('GET / HTTP/1.1\r\n')],
  ['lower case', Buffer.from('proxy TCP4 1.2.3.4 5.6.7.8 1 2\r\n')],
  ['first letters then junk', Buffer.from('PROXX')],
  ['unknown protocol', Buffer.from('PROXY UDP4 1.2.3.4 5.6.7.8 1 2\r\n')],
  ['bad IPv4 octet', Buffer.from('PROXY TCP4 1.2.3.999 5.6.7.8 1 2\r\n')],
  ['IPv6 in TCP4', Buffer.from('PROXY TCP4 ::1 ::1 1 2\r\n')],
  ['IPv4 in TCP6', Buffer.from('PROXY TCP6 1.2.3.4 5.6.7.8 1 2\r\n')],
  ['port over 65535', Buffer.from('PROXY TCP4 1.2.3.4 5.6.7.8 65536 2\r\n')],
  ['negative port', Buffer.from('PROXY TCP4 1.2.3.4 5.6.7.8 -1 2\r\n')],
  ['missing field', Buffer.from('PROXY TCP4 1.2.3.4 5.6.7.8 1\r\n')],
  ['extra field', Buffer.from('PROXY TCP4 1.2.3.4 5.6.7.8 1 2 3\r\n')],
  ['double space', Buffer.from('PROXY TCP4  1.2.3.4 5.6.7.8 1 2\r\n')],
  ['LF without CR', Buffer.from('PROXY TCP4 1.2.3.4 5.6.7.8 1 2\n')],
  ['over 107 bytes without LF', Buffer.from(`PROXY UNKNOWN ${'x'.repeat(100)}`)],
  ['LF after byte 107', Buffer.from(`PROXY UNKNOWN ${'x'.repeat(100)}\r\n`)],
  ['bad v2 signature', v2With((b) => ((b[7] = 0x52), b))],
  ['v2 version 1', v2With((b) => ((b[12] = 0x11), b))],
  ['v2 command 2', v2With((b) => ((b[12] = 0x22), b))],
  ['v2 UDP over IPv4', v2With((b) => ((b[13] = 0x12), b))],
  ['v2 AF_UNIX', v2With((b) => ((b[13] = 0x31), b))],
  ['v2 length too short for IPv4', v2With((b) => (b.writeUInt16BE(8, 14), b.subarray(0, 24)))],
  ['v2 IPv6 family with IPv4 length', v2With((b) => ((b[13] = 0x21), b))],
  ['v2 truncated TLV', v2With((b) => (b.writeUInt16BE(14, 14), Buffer.concat([b, Buffer.from([0x04, 0x00])])))],
  ['v2 TLV longer than the header', v2With((b) => (b.writeUInt16BE(16, 14), Buffer.concat([b, Buffer.from([0x04, 0x00, 0x09, 0x00])])))],
];

test('malformed headers are rejected', () => {
  for (const [what, bytes] of MALFORMED) {
    const r = parseProxyHeader(bytes);
    assert.equal(r.state, 'error', `${what}: ${JSON.stringify(r)}`);
  }
});

test('a wrong first byte is refused at once; a valid prefix asks for more', () => {
  assert.equal(parseProxyHeader(Buffer.from('G')).state, 'error');
  assert.equal(parseProxyHeader(Buffer.from('PRO')).state, 'more');
  assert.equal(parseProxyHeader(V2_SIGNATURE.subarray(0, 5)).state, 'more');
  assert.equal(parseProxyHeader(Buffer.from([0x0d, 0x0a, 0x0d, 0x0a, 0x01])).state, 'error');
});

test('IPv6 text ⇄ bytes', () => {
  for (const a of ['::', '::1', '2001:db8::1', 'fe80::a:b:c:d', '1:2:3:4:5:6:7:8', '::ffff:10.0.0.1', '1:0:0:2::3']) {
    const b = Buffer.alloc(16);
    writeIPv6(a, b, 0);
    assert.equal(readIPv6(b, 0), a);
  }
});
