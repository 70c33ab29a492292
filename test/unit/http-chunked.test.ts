import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Chunk, ChunkedDecoder, chunkHeader, encodeChunk, LAST_CHUNK, lastChunk, writeChunkHeader } from '../../daemon/http/chunked.js';

const B = (s: string) => Buffer.from(s, 'latin1');

interface Run { data: string; sizes: number[]; event: 'done' | 'error' | 'more'; error: string | null; end: number; trailers: Array<[string, string]> }

/** Decode `buf` fed in pieces (cut points), collecting data, chunk sizes and the outcome. */
function decode(buf: Buffer, cuts: number[] = [], dec = new ChunkedDecoder()): Run {
  const out: Run = { data: '', sizes: [], event: 'more', error: null, end: -1, trailers: [] };
  let start = 0;
  for (const cut of [...cuts, buf.length]) {
    if (cut <= start) continue;
    let pos = start;
    for (;;) {
      const ev = dec.next(buf, pos, cut);
      pos = dec.pos;
      if (ev === Chunk.SIZE) out.sizes.push(dec.chunkSize);
      else if (ev === Chunk.DATA) {
        assert.ok(dec.dataStart >= start && dec.dataEnd <= cut, 'data is a slice of the bytes given');
        out.data += buf.toString('latin1', dec.dataStart, dec.dataEnd);
      } else if (ev === Chunk.DONE) {
        out.event = 'done';
        out.end = pos;
        out.trailers = dec.trailers?.headers() ?? [];
        return out;
      } else if (ev === Chunk.ERROR) {
        out.event = 'error';
        out.error = dec.error;
        return out;
      } else break;
    }
    start = cut;
  }
  return out;
}

test('decodes chunks, extensions, LF-only lines, trailers; reports where the message ends', () => {
  const r = decode(B('5;name=val\r\nhello\r\n6\r\n world\r\n0\r\nX-Sum: 1\r\n\r\nNEXT'));
  assert.deepEqual([r.data, r.sizes, r.event, r.trailers], ['hello world', [5, 6, 0], 'done', [['X-Sum', '1']]]);
  assert.equal(r.end, 45);
  assert.deepEqual(decode(B('3\nabc\n0\n\n')).data, 'abc');
  assert.equal(decode(B('a  \r\n0123456789\r\n0\r\n\r\n')).data, '0123456789');
  assert.equal(decode(B('0000000000000000003\r\nabc\r\n0\r\n\r\n')).data, 'abc');
});

test('byte by byte and random splits give the same data without ever copying it', () => {
  const raw = B('1a;x="a;b"\r\nabcdefghijklmnopqrstuvwxyz\r\n3\r\n123\r\n0\r\nT: v\r\n\r\n');
  const whole = decode(raw);
  assert.equal(whole.event, 'done');
  assert.deepEqual(decode(raw, Array.from({ length: raw.length }, (_, i) => i + 1)), whole);
  let seed = 3;
  for (let k = 0; k < 200; k++) {
    const cuts = Array.from({ length: 4 }, () => ((seed = (seed * 16807) % 2147483647), 1 + (seed % raw.length))).sort((a, b) => a - b);
    assert.deepEqual(decode(raw, cuts), whole, `cuts ${cuts}`);
  }
});

test('strict chunk sizes: hex only, present, below 2^52; CRLF after the data', () => {
  const err = (s: string) => decode(B(s)).error;
  assert.equal(err('zz\r\n'), 'bad-chunk-size');
  assert.equal(err('-5\r\nhello\r\n'), 'bad-chunk-size');
  assert.equal(err('\r\nhello\r\n'), 'bad-chunk-size');
  assert.equal(err('0x5\r\nhello\r\n'), 'bad-chunk-size');
  assert.equal(err('5 x\r\nhello\r\n'), 'bad-chunk-size');
  assert.equal(err('5\rX'), 'bad-chunk-size');
  assert.equal(err('10000000000000\r\n'), 'bad-chunk-size', '2^52');
  assert.equal(decode(B('fffffffffffff\r\n')).event, 'more', '2^52 - 1 is fine');
  assert.equal(err('5\r\nhelloXX'), 'bad-chunk-end');
  assert.equal(err('5\r\nhello\rX'), 'bad-chunk-end');
  assert.equal(err('3\r\nhello\r\n'), 'bad-chunk-end');
  assert.equal(err('0\r\nX T: 1\r\n\r\n'), 'bad-trailers');
});

test('a chunk-size line is bounded, extensions included', () => {
  const d = new ChunkedDecoder(undefined, 64);
  assert.equal(decode(B(`5;${'e'.repeat(61)}\r\nhello\r\n0\r\n\r\n`), [], d).event, 'done');
  d.reset();
  assert.equal(decode(B(`5;${'e'.repeat(70)}\r\n`), [], d).error, 'chunk-line-too-long');
});

test('incomplete input waits; reset() starts a new body', () => {
  const d = new ChunkedDecoder();
  assert.equal(decode(B('5\r\nhel'), [], d).event, 'more');
  assert.equal(d.bodyBytes, 3);
  assert.equal(decode(B('lo\r\n0\r\n\r\n'), [], d).event, 'done');
  assert.equal(d.done, true);
  d.reset();
  assert.equal(decode(B('1\r\nx\r\n0\r\n\r\n'), [], d).data, 'x');
});

test('encoder: headers, whole chunks and last chunks decode back to the same data and trailers', () => {
  assert.equal(chunkHeader(0).toString(), '0\r\n');
  assert.equal(chunkHeader(255).toString(), 'ff\r\n');
  assert.equal(chunkHeader(2 ** 52 - 1).toString(), 'fffffffffffff\r\n');
  const b = Buffer.alloc(20);
  assert.equal(writeChunkHeader(b, 2, 4096), 6);
  assert.equal(b.toString('latin1', 2, 8), '1000\r\n');
  assert.equal(LAST_CHUNK.toString(), '0\r\n\r\n');
  const parts = ['', 'a', 'x'.repeat(5000), '\r\n0\r\n'];
  const wire = Buffer.concat([...parts.filter((p) => p.length).map((p) => encodeChunk(B(`..${p}..`), 2, p.length + 2)), LAST_CHUNK]);
  assert.deepEqual(decode(wire).data, parts.join(''));
  const withTrailers = decode(B('0\r\nA: 1\r\nB: 2\r\n\r\n'));
  const d = new ChunkedDecoder();
  decode(B('0\r\nA: 1\r\nB: 2\r\n\r\n'), [], d);
  assert.equal(lastChunk(d.trailers).toString(), '0\r\nA: 1\r\nB: 2\r\n\r\n');
  assert.deepEqual(withTrailers.trailers, [['A', '1'], ['B', '2']]);
  assert.equal(lastChunk(null), LAST_CHUNK);
});
