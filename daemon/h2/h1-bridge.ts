/**
 * What both HTTP/1 ↔ HTTP/2 translators share (gateway.ts: a client's stream carried by the HTTP engine;
 * client.ts: the engine's request to a `proto h2` server): field rules, the conversion of an HTTP/1 head
 * or trailer section to HTTP/2 fields, HTTP/1 body bytes to DATA frames, DATA back to HTTP/1 chunks, and
 * the queue that holds bytes for the engine while it does not read.
 */
import type { HttpHead } from '../http/head.js';
import { Body, type Framing } from '../http/framing.js';
import { Chunk, ChunkedDecoder } from '../http/chunked.js';
import type { HeadLimits } from '../http/limits.js';
import type { H2Endpoint, H2Stream } from './endpoint.js';

/** An HTTP/2 field name: a token, lower case (RFC 9113 §8.2.1). */
export const TOKEN_LOWER = /^[!#$%&'*+\-.^_`|~0-9a-z]+$/;
/** Bytes no field value may carry into HTTP/1. */
export const CTL_IN_VALUE = /[\0\r\n]/;

/** Fields that describe one HTTP/1 connection or its framing: never carried as HTTP/2 fields. */
export const HOP_FIELDS: ReadonlySet<string> = new Set(['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'upgrade', 'te', 'trailer']);
/** The same, for a trailer section (its own content-length means nothing either). */
const TRAILER_DROP: ReadonlySet<string> = new Set([...HOP_FIELDS, 'content-length']);

/** Append the fields of an HTTP/1 head or trailer section to `out` as HTTP/2 pairs: lower case, without `drop`. */
export function fieldsOf(h: HttpHead, drop: ReadonlySet<string>, out: string[]): string[] {
  for (let i = 0; i < h.count; i++) {
    if (h.skip[i]) continue;
    const name = h.name(i).toLowerCase();
    if (!drop.has(name)) out.push(name, h.value(i));
  }
  return out;
}

const LAST_CHUNK = Buffer.from('0\r\n\r\n', 'latin1');
const EMPTY = Buffer.alloc(0);

/** buf[start, end) as one HTTP/1 chunk (the last chunk after it when `last`), in one new buffer. */
export function chunkOf(buf: Buffer, start: number, end: number, last: boolean): Buffer {
  const n = end - start;
  if (n === 0) return last ? LAST_CHUNK : EMPTY;
  const size = n.toString(16);
  const out = Buffer.allocUnsafe(size.length + 2 + n + 2 + (last ? LAST_CHUNK.length : 0));
  let o = out.write(size, 0, 'latin1');
  out[o++] = 0x0d;
  out[o++] = 0x0a;
  o += buf.copy(out, o, start, end);
  out[o++] = 0x0d;
  out[o++] = 0x0a;
  if (last) LAST_CHUNK.copy(out, o);
  return out;
}

/** What BodyToData.run() did with the bytes it was given. */
export const enum Pump {
  /** All taken; the body goes on. */
  TAKEN,
  /** The stream's or connection's window is full: go on from `pos` when the stream is writable again. */
  BLOCKED,
  /** The body is complete (END_STREAM sent, trailers included); `pos` is where it ended. */
  DONE,
  /** A malformed chunked body. */
  ERROR,
}

/** An HTTP/1 message body (content-length, chunked with trailers, or delimited by close) sent as DATA frames. */
export class BodyToData {
  /** Where run() stopped in the buffer it was given. */
  pos = 0;
  private kind = Body.NONE;
  private left = 0;
  private chunk: ChunkedDecoder | null = null;
  /** A chunk's data decoded but not all sent yet (a window was full), in the same buffer. */
  private chunkS = 0;
  private chunkE = 0;

  /** Start a body framed as `f` (LENGTH, CHUNKED, or anything else: up to the end of the stream). */
  start(f: Framing, limits: HeadLimits): void {
    this.kind = f.body === Body.LENGTH || f.body === Body.CHUNKED ? f.body : Body.UNTIL_CLOSE;
    this.left = f.length;
    this.chunkS = this.chunkE = 0;
    if (this.kind !== Body.CHUNKED) return;
    if (this.chunk === null) this.chunk = new ChunkedDecoder(limits);
    else this.chunk.reset();
  }

  /** Send what buf[off, end) holds of the body on `s`. */
  run(h2: H2Endpoint, s: H2Stream, buf: Buffer, off: number, end: number): Pump {
    if (this.kind === Body.LENGTH) {
      const n = Math.min(this.left, end - off);
      const took = n > 0 ? h2.sendData(s, buf, off, off + n, n === this.left) : 0;
      this.pos = off + took;
      this.left -= took;
      if (took < n) return Pump.BLOCKED;
      return this.left === 0 ? Pump.DONE : Pump.TAKEN;
    }
    if (this.kind !== Body.CHUNKED) {
      this.pos = off + h2.sendData(s, buf, off, end, false);
      return this.pos < end ? Pump.BLOCKED : Pump.TAKEN;
    }
    const d = this.chunk!;
    for (;;) {
      if (this.chunkS < this.chunkE) {
        this.chunkS += h2.sendData(s, buf, this.chunkS, this.chunkE, false);
        if (this.chunkS < this.chunkE) {
          this.pos = off;
          return Pump.BLOCKED;
        }
      }
      const ev = d.next(buf, off, end);
      off = d.pos;
      switch (ev) {
        case Chunk.DATA:
          this.chunkS = d.dataStart;
          this.chunkE = d.dataEnd;
          continue;
        case Chunk.SIZE:
          continue;
        case Chunk.NEED_MORE:
          this.pos = end;
          return Pump.TAKEN;
        case Chunk.ERROR:
          return Pump.ERROR;
        default: {
          // the trailers (gRPC's status) as a last HEADERS frame, else an empty DATA with END_STREAM
          const t = d.trailers;
          if (t !== null && t.count > 0) h2.sendHeaders(s, fieldsOf(t, TRAILER_DROP, []), true);
          else h2.sendData(s, EMPTY, 0, 0, true);
          this.pos = off;
          return Pump.DONE;
        }
      }
    }
  }

  /** The first byte of the buffer a BLOCKED run still needs (for a caller that must join a new write to it). */
  keptFrom(pos: number): number {
    return this.chunkS < this.chunkE ? Math.min(this.chunkS, pos) : pos;
  }

  /** That buffer was replaced by one starting at its byte `from`. */
  rebase(from: number): void {
    if (this.chunkS < this.chunkE) {
      this.chunkS -= from;
      this.chunkE -= from;
    }
  }
}

/** Where an Inbox delivers: the engine, as long as the stream lives. */
export interface InboxTarget {
  readonly closed: boolean;
  /** Hand `buf` to the engine; `dataBytes` of DATA payload are consumed by it (window given back). */
  toEngine(buf: Buffer, dataBytes: number): void;
}

/**
 * Bytes for the HTTP engine: delivered at once while it reads, else kept in order (a buffer lent by the
 * transport is copied) and delivered after readStart, out of the engine's own call stack.
 */
export class Inbox {
  reading = false;
  private q: Buffer[] | null = null;
  private n: number[] | null = null;
  private scheduled = false;
  private readonly drainCb = (): void => this.drain();

  constructor(private readonly target: InboxTarget) {}

  put(buf: Buffer, dataBytes: number, lent = false): void {
    if (this.reading && this.q === null) return this.target.toEngine(buf, dataBytes);
    if (this.q === null) {
      this.q = [];
      this.n = [];
    }
    this.q.push(lent ? Buffer.from(buf) : buf);
    this.n!.push(dataBytes);
  }

  start(): void {
    this.reading = true;
    if (this.q !== null && !this.scheduled) {
      this.scheduled = true;
      queueMicrotask(this.drainCb);
    }
  }

  stop(): void {
    this.reading = false;
  }

  clear(): void {
    this.q = this.n = null;
  }

  private drain(): void {
    this.scheduled = false;
    while (this.reading && !this.target.closed && this.q !== null) {
      const b = this.q.shift()!;
      const n = this.n!.shift()!;
      if (this.q.length === 0) this.q = this.n = null;
      this.target.toEngine(b, n);
    }
  }
}
