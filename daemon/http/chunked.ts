// Chunked transfer coding (RFC 9112 §7.1): a streaming decoder that never copies body bytes, and
// encoder helpers.
//
// The decoder is a byte-resumable state machine driven by next(buf, pos, end), which returns one event
// at a time and leaves `pos` where the caller continues:
//   SIZE  a chunk begins; chunkSize is its size (0 = the last chunk, trailers follow);
//   DATA  body bytes: buf[dataStart, dataEnd) (a slice of the caller's buffer, never copied);
//   DONE  the message ended at pos (after the trailer section); `trailers` holds its fields, if any;
//   NEED_MORE  every byte up to end was consumed; ERROR  see `error`.
// No callbacks, no closures, no allocation per chunk. Rules as in HAProxy 2.6's h1_parse_chunk_size:
// 1*HEXDIG, value below 2^52 (leading zeros allowed), optional SP/HTAB, optional ';' extensions up to the
// line end (bounded), CRLF or bare LF; after the data CRLF or bare LF. Trailer fields follow the head
// rules (parse-head.ts): an invalid trailer name is refused (HAProxy 2.6 refuses or forwards it, by timing).

import { CR, HEX, HT, LF, SP } from './bytes.js';
import { HeadKind } from './head.js';
import type { HttpHead } from './head.js';
import { DEFAULT_LIMITS } from './limits.js';
import type { HeadLimits } from './limits.js';
import { HeadParser, NEED_MORE, PARSE_ERROR } from './parse-head.js';
import type { WireError } from './wire-error.js';

/** Events returned by ChunkedDecoder.next(). */
export const enum Chunk { NEED_MORE = 0, SIZE = 1, DATA = 2, DONE = 3, ERROR = 4 }

const enum St { SIZE_FIRST, SIZE, SIZE_WS, EXT, SIZE_LF, DATA, DATA_END, DATA_LF, TRAILERS, DONE, ERROR }

const MAX_CHUNK = 2 ** 52; // HAProxy: never more than 13 hex digits of value

/** Decodes one chunked body; reset() before the next message. */
export class ChunkedDecoder {
  /** Where the caller continues after the event just returned. */
  pos = 0;
  /** After DATA: the body bytes are buf[dataStart, dataEnd). */
  dataStart = 0;
  dataEnd = 0;
  /** After SIZE: the size of the chunk that begins. */
  chunkSize = 0;
  /** After DONE: the trailer section's fields, or null when there was none. Valid until reset(). */
  trailers: HttpHead | null = null;
  /** After ERROR: why (the request is answered 400, a response becomes a 502). */
  error: WireError | null = null;
  /** Body bytes decoded so far (data only, for logs and counters). */
  bodyBytes = 0;

  private state = St.SIZE_FIRST;
  private remaining = 0;
  private lineLen = 0;
  private trailerParser: HeadParser | null = null;
  private readonly limits: HeadLimits;
  private readonly maxLine: number;

  /** maxLine bounds a chunk-size line with its extensions (default: the head's raw limit). */
  constructor(limits: HeadLimits = DEFAULT_LIMITS, maxLine = limits.maxRaw) {
    this.limits = limits;
    this.maxLine = maxLine;
  }

  reset(): void {
    this.state = St.SIZE_FIRST;
    this.remaining = this.lineLen = this.chunkSize = this.bodyBytes = 0;
    this.trailers = null;
    this.error = null;
    this.trailerParser?.reset();
  }

  /** Whether the whole message has been decoded. */
  get done(): boolean {
    return this.state === St.DONE;
  }

  private fail(code: WireError, at: number): Chunk {
    this.state = St.ERROR;
    this.error = code;
    this.pos = at;
    return Chunk.ERROR;
  }

  /** Decode from buf[pos, end) up to the next event. */
  next(buf: Buffer, pos: number, end: number): Chunk {
    let p = pos;
    for (;;) {
      if (this.state === St.DATA) {
        if (p >= end) break;
        const n = Math.min(this.remaining, end - p);
        this.dataStart = p;
        this.dataEnd = this.pos = p + n;
        this.remaining -= n;
        this.bodyBytes += n;
        if (this.remaining === 0) this.state = St.DATA_END;
        return Chunk.DATA;
      }
      if (this.state === St.TRAILERS) return this.trailerSection(buf, p, end);
      if (this.state === St.DONE) { this.pos = p; return Chunk.DONE; }
      if (this.state === St.ERROR) { this.pos = p; return Chunk.ERROR; }
      if (p >= end) break;
      const c = buf[p];
      switch (this.state) {
        case St.SIZE_FIRST: {
          const d = HEX[c];
          if (d < 0) return this.fail('bad-chunk-size', p);
          this.chunkSize = d;
          this.lineLen = 1;
          this.state = St.SIZE;
          p++;
          continue;
        }
        case St.SIZE: {
          const d = HEX[c];
          if (d >= 0) {
            this.chunkSize = this.chunkSize * 16 + d;
            if (this.chunkSize >= MAX_CHUNK) return this.fail('bad-chunk-size', p);
            p++;
            if (++this.lineLen > this.maxLine) return this.fail('chunk-line-too-long', p);
            continue;
          }
          this.state = St.SIZE_WS;
          continue;
        }
        case St.SIZE_WS:
          if (c === SP || c === HT) { p++; break; }
          if (c === 0x3b) { this.state = St.EXT; p++; break; }
          if (c === CR) { this.state = St.SIZE_LF; p++; continue; }
          if (c === LF) return this.sizeDone(p + 1);
          return this.fail('bad-chunk-size', p);
        case St.EXT:
          if (c === CR) { this.state = St.SIZE_LF; p++; continue; }
          if (c === LF) return this.sizeDone(p + 1);
          p++;
          break;
        case St.SIZE_LF:
          if (c !== LF) return this.fail('bad-chunk-size', p);
          return this.sizeDone(p + 1);
        case St.DATA_END:
          if (c === CR) { this.state = St.DATA_LF; p++; continue; }
          if (c !== LF) return this.fail('bad-chunk-end', p);
          this.state = St.SIZE_FIRST;
          p++;
          continue;
        case St.DATA_LF:
          if (c !== LF) return this.fail('bad-chunk-end', p);
          this.state = St.SIZE_FIRST;
          p++;
          continue;
      }
      // whitespace and extension bytes count toward the line limit
      if (++this.lineLen > this.maxLine) return this.fail('chunk-line-too-long', p);
    }
    this.pos = end;
    return Chunk.NEED_MORE;
  }

  private sizeDone(p: number): Chunk {
    this.pos = p;
    this.lineLen = 0;
    if (this.chunkSize === 0) {
      this.state = St.TRAILERS;
      this.trailerParser ??= new HeadParser(HeadKind.TRAILERS, this.limits);
      this.trailerParser.reset();
    } else {
      this.remaining = this.chunkSize;
      this.state = St.DATA;
    }
    return Chunk.SIZE;
  }

  private trailerSection(buf: Buffer, p: number, end: number): Chunk {
    const tp = this.trailerParser as HeadParser;
    if (p >= end) { this.pos = end; return Chunk.NEED_MORE; }
    const r = tp.execute(buf, p, end);
    if (r === NEED_MORE) { this.pos = end; return Chunk.NEED_MORE; }
    if (r === PARSE_ERROR) return this.fail('bad-trailers', p);
    this.state = St.DONE;
    this.trailers = tp.head.count > 0 ? tp.head : null;
    this.pos = r;
    return Chunk.DONE;
  }
}

/** "0\r\n\r\n": the last chunk with no trailers. */
export const LAST_CHUNK: Buffer = Buffer.from('0\r\n\r\n', 'latin1');
/** "\r\n" after each chunk's data. */
export const CRLF: Buffer = Buffer.from('\r\n', 'latin1');

const HEXCHARS = '0123456789abcdef';

/** Write "<size in hex>\r\n" at buf[offset] and return the bytes written (at most 15 for sizes < 2^52). */
export function writeChunkHeader(buf: Buffer, offset: number, size: number): number {
  let digits = 1;
  for (let v = size; v >= 16; v = Math.floor(v / 16)) digits++;
  let v = size;
  for (let i = digits - 1; i >= 0; i--) {
    buf[offset + i] = HEXCHARS.charCodeAt(v % 16);
    v = Math.floor(v / 16);
  }
  buf[offset + digits] = CR;
  buf[offset + digits + 1] = LF;
  return digits + 2;
}

/** "<size in hex>\r\n" as its own buffer (for writev with the data and CRLF). */
export function chunkHeader(size: number): Buffer {
  const b = Buffer.allocUnsafe(16);
  return b.subarray(0, writeChunkHeader(b, 0, size));
}

/** One whole chunk in one buffer: size line, data[start, end), CRLF (one allocation, one copy). */
export function encodeChunk(data: Buffer, start = 0, end = data.length): Buffer {
  const n = end - start;
  const b = Buffer.allocUnsafe(n + 18);
  let o = writeChunkHeader(b, 0, n);
  o += data.copy(b, o, start, end);
  b[o] = CR;
  b[o + 1] = LF;
  return b.subarray(0, o + 2);
}

/** The last chunk with trailer fields (not the ones marked skip), or LAST_CHUNK when there are none. */
export function lastChunk(trailers: HttpHead | null): Buffer {
  if (trailers === null || trailers.count === 0) return LAST_CHUNK;
  let size = 5;
  const o = trailers.offs;
  for (let i = 0; i < trailers.count; i++) if (!trailers.skip[i]) size += o[4 * i + 1] - o[4 * i] + o[4 * i + 3] - o[4 * i + 2] + 4;
  const b = Buffer.allocUnsafe(size);
  b[0] = 0x30; b[1] = CR; b[2] = LF;
  let w = 3;
  for (let i = 0; i < trailers.count; i++) {
    if (trailers.skip[i]) continue;
    w += trailers.buf.copy(b, w, o[4 * i], o[4 * i + 1]);
    b[w++] = 0x3a; b[w++] = SP;
    w += trailers.buf.copy(b, w, o[4 * i + 2], o[4 * i + 3]);
    b[w++] = CR; b[w++] = LF;
  }
  b[w++] = CR; b[w++] = LF;
  return b;
}
