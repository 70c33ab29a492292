/**
 * A raw HTTP/2 client over a plain net.Socket, for hostile tests: it writes the preface, SETTINGS and any
 * frame (well-formed or not) and parses every frame the server sends, header blocks decoded in order with
 * one HPACK decoder (daemon/h2/hpack.ts), GOAWAY and RST_STREAM codes kept. By default it acknowledges the
 * server's SETTINGS and gives back flow-control window for every DATA it receives (`autoWindow: false`
 * to read nothing back, as a slow or hostile client).
 */
import type net from 'node:net';
import { HpackDecoder, HpackEncoder, encodeHeaderBlockLiteral } from '../../daemon/h2/hpack.js';
import { connect } from './net.js';

export const PREFACE = Buffer.from('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n', 'latin1');

/** Frame types (RFC 9113 §6). */
export const T = { DATA: 0, HEADERS: 1, PRIORITY: 2, RST_STREAM: 3, SETTINGS: 4, PUSH_PROMISE: 5, PING: 6, GOAWAY: 7, WINDOW_UPDATE: 8, CONTINUATION: 9 } as const;
/** Flags. */
export const F = { END_STREAM: 1, ACK: 1, END_HEADERS: 4, PADDED: 8, PRIORITY: 0x20 } as const;
/** Error codes (RFC 9113 §7). */
export const E = {
  NO_ERROR: 0, PROTOCOL_ERROR: 1, INTERNAL_ERROR: 2, FLOW_CONTROL_ERROR: 3, SETTINGS_TIMEOUT: 4, STREAM_CLOSED: 5,
  FRAME_SIZE_ERROR: 6, REFUSED_STREAM: 7, CANCEL: 8, COMPRESSION_ERROR: 9, CONNECT_ERROR: 10, ENHANCE_YOUR_CALM: 11,
} as const;
/** SETTINGS identifiers. */
export const S = { HEADER_TABLE_SIZE: 1, ENABLE_PUSH: 2, MAX_CONCURRENT_STREAMS: 3, INITIAL_WINDOW_SIZE: 4, MAX_FRAME_SIZE: 5, MAX_HEADER_LIST_SIZE: 6 } as const;

export interface Frame {
  type: number;
  flags: number;
  stream: number;
  payload: Buffer;
  /** HEADERS (with its CONTINUATIONs): the decoded fields as [name, value] pairs. */
  headers?: [string, string][];
}

/** One frame on the wire. */
export function frame(type: number, flags: number, stream: number, payload: Buffer = Buffer.alloc(0)): Buffer {
  const h = Buffer.alloc(9);
  h.writeUIntBE(payload.length, 0, 3);
  h[3] = type;
  h[4] = flags;
  h.writeUInt32BE(stream & 0x7fffffff, 5);
  return Buffer.concat([h, payload]);
}

export function settingsPayload(list: ReadonlyArray<readonly [number, number]>): Buffer {
  const b = Buffer.alloc(list.length * 6);
  list.forEach(([k, v], i) => {
    b.writeUInt16BE(k, i * 6);
    b.writeUInt32BE(v, i * 6 + 2);
  });
  return b;
}

export function u32(n: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(n >>> 0);
  return b;
}

/** A request's fields, flat: pseudo-headers first, then `extra`. */
export function req(path: string, o: { method?: string; authority?: string; scheme?: string; extra?: string[] } = {}): string[] {
  return [':method', o.method ?? 'GET', ':scheme', o.scheme ?? 'http', ':path', path, ':authority', o.authority ?? 'test', ...(o.extra ?? [])];
}

/** A literal header block (no table, no Huffman). */
export const literal = encodeHeaderBlockLiteral;

export interface Response {
  stream: number;
  status: number;
  headers: [string, string][];
  body: Buffer;
  trailers: [string, string][] | null;
  /** RST_STREAM code when the stream was reset (instead of, or after, a response). */
  rst: number | null;
}

export interface Goaway {
  last: number;
  code: number;
  debug: string;
}

export class H2Raw {
  /** Every frame received (unless `keep` is false). */
  readonly frames: Frame[] = [];
  /** Count of frames received by type. */
  readonly counts = new Map<number, number>();
  ended = false;
  goaway: Goaway | null = null;
  /** Bytes received in total. */
  received = 0;
  autoWindow = true;
  keep = true;
  readonly enc = new HpackEncoder();
  private readonly dec = new HpackDecoder(4096, 1 << 24);
  private buf: Buffer = Buffer.alloc(0);
  private hb: { stream: number; parts: Buffer[]; first: Frame } | null = null;
  private wakers = new Set<() => void>();
  /** Server SETTINGS as received (the first frame). */
  serverSettings: Map<number, number> | null = null;
  decodeError: string | null = null;
  /** Our preface (magic + SETTINGS) went out: SETTINGS ACKs may go now (not in the middle of the preface). */
  private started = false;
  private ackOwed = 0;

  constructor(readonly sock: net.Socket) {
    sock.on('data', (d: Buffer) => this.onData(d));
    const end = () => {
      this.ended = true;
      this.wake();
    };
    sock.on('end', end);
    sock.on('close', end);
  }

  /**
   * Connect, send the preface and a SETTINGS frame (`settings`, empty by default). `preface: false` sends
   * nothing.
   */
  static async open(port: number, o: { settings?: ReadonlyArray<readonly [number, number]>; preface?: boolean } = {}): Promise<H2Raw> {
    const c = new H2Raw(await connect(port, { allowHalfOpen: true }));
    if (o.preface !== false) {
      c.send(Buffer.concat([PREFACE, frame(T.SETTINGS, 0, 0, settingsPayload(o.settings ?? []))]));
      c.started = true;
    }
    return c;
  }

  send(b: Buffer): boolean {
    if (this.sock.destroyed) return false;
    return this.sock.write(b);
  }

  frame(type: number, flags: number, stream: number, payload?: Buffer): boolean {
    return this.send(frame(type, flags, stream, payload));
  }

  /** HEADERS with a literal block of `fields` (END_HEADERS unless `endHeaders: false`). */
  headers(stream: number, fields: readonly string[], o: { endStream?: boolean; endHeaders?: boolean; block?: Buffer } = {}): boolean {
    const block = o.block ?? literal(fields);
    const flags = (o.endStream ? F.END_STREAM : 0) | (o.endHeaders === false ? 0 : F.END_HEADERS);
    return this.frame(T.HEADERS, flags, stream, block);
  }

  /** A GET (END_STREAM on the HEADERS). */
  get(stream: number, path: string, extra: string[] = []): boolean {
    return this.headers(stream, req(path, { extra }), { endStream: true });
  }

  data(stream: number, payload: Buffer, endStream = false): boolean {
    return this.frame(T.DATA, endStream ? F.END_STREAM : 0, stream, payload);
  }

  rst(stream: number, code: number = E.CANCEL): boolean {
    return this.frame(T.RST_STREAM, 0, stream, u32(code));
  }

  ping(payload: Buffer = Buffer.alloc(8)): boolean {
    return this.frame(T.PING, 0, 0, payload);
  }

  /** A SETTINGS frame; the first one after a hand-written preface also releases the SETTINGS ACKs owed. */
  settings(list: ReadonlyArray<readonly [number, number]> = []): boolean {
    const r = this.frame(T.SETTINGS, 0, 0, settingsPayload(list));
    if (!this.started) {
      this.started = true;
      for (; this.ackOwed > 0; this.ackOwed--) this.frame(T.SETTINGS, F.ACK, 0);
    }
    return r;
  }

  windowUpdate(stream: number, inc: number): boolean {
    return this.frame(T.WINDOW_UPDATE, 0, stream, u32(inc));
  }

  private wake(): void {
    for (const w of [...this.wakers]) w();
  }

  private onData(d: Buffer): void {
    this.received += d.length;
    this.buf = this.buf.length ? Buffer.concat([this.buf, d]) : d;
    let off = 0;
    while (this.buf.length - off >= 9) {
      const len = this.buf.readUIntBE(off, 3);
      if (this.buf.length - off < 9 + len) break;
      const f: Frame = {
        type: this.buf[off + 3]!,
        flags: this.buf[off + 4]!,
        stream: this.buf.readUInt32BE(off + 5) & 0x7fffffff,
        payload: Buffer.from(this.buf.subarray(off + 9, off + 9 + len)),
      };
      off += 9 + len;
      this.onFrame(f);
    }
    this.buf = off === this.buf.length ? Buffer.alloc(0) : this.buf.subarray(off);
    this.wake();
  }

  private decode(block: Buffer): [string, string][] {
    const out: string[] = [];
    const r = this.dec.decode(block, 0, block.length, out);
    if (r !== 0) this.decodeError = `HPACK decode error ${r}`;
    const pairs: [string, string][] = [];
    for (let i = 0; i + 1 < out.length; i += 2) pairs.push([out[i]!, out[i + 1]!]);
    return pairs;
  }

  private onFrame(f: Frame): void {
    this.counts.set(f.type, (this.counts.get(f.type) ?? 0) + 1);
    switch (f.type) {
      case T.SETTINGS:
        if ((f.flags & F.ACK) === 0) {
          if (this.serverSettings === null) {
            this.serverSettings = new Map();
            for (let o = 0; o + 6 <= f.payload.length; o += 6) this.serverSettings.set(f.payload.readUInt16BE(o), f.payload.readUInt32BE(o + 2));
          }
          if (this.started) this.frame(T.SETTINGS, F.ACK, 0);
          else this.ackOwed++;
        }
        break;
      case T.HEADERS: {
        let s = 0;
        let e = f.payload.length;
        if (f.flags & F.PADDED) {
          e -= f.payload[0]!;
          s = 1;
        }
        if (f.flags & F.PRIORITY) s += 5;
        const block = f.payload.subarray(s, e);
        if (f.flags & F.END_HEADERS) f.headers = this.decode(block);
        else {
          this.hb = { stream: f.stream, parts: [block], first: f };
          return; // kept once complete
        }
        break;
      }
      case T.CONTINUATION:
        if (this.hb) {
          this.hb.parts.push(f.payload);
          if (f.flags & F.END_HEADERS) {
            const first = this.hb.first;
            first.headers = this.decode(Buffer.concat(this.hb.parts));
            first.flags |= F.END_HEADERS;
            this.hb = null;
            if (this.keep) this.frames.push(first);
          }
        }
        return;
      case T.DATA:
        if (this.autoWindow && f.payload.length > 0) {
          this.windowUpdate(0, f.payload.length);
          if ((f.flags & F.END_STREAM) === 0) this.windowUpdate(f.stream, f.payload.length);
        }
        break;
      case T.GOAWAY:
        this.goaway = { last: f.payload.readUInt32BE(0) & 0x7fffffff, code: f.payload.readUInt32BE(4), debug: f.payload.subarray(8).toString('latin1') };
        break;
    }
    if (this.keep) this.frames.push(f);
  }

  /** Wait until `pred()` holds (checked on every frame received and on close), bounded by timeoutMs. */
  async until(pred: () => boolean, timeoutMs = 3000, what = 'a condition'): Promise<void> {
    if (pred()) return;
    await new Promise<void>((resolve, reject) => {
      const t = setTimeout(() => {
        this.wakers.delete(w);
        reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}; received ${this.summary()}`));
      }, timeoutMs);
      const w = () => {
        if (!pred()) return;
        clearTimeout(t);
        this.wakers.delete(w);
        resolve();
      };
      this.wakers.add(w);
    });
  }

  /** A short account of the frames received, for failure messages. */
  summary(): string {
    const names = ['DATA', 'HEADERS', 'PRIORITY', 'RST_STREAM', 'SETTINGS', 'PUSH_PROMISE', 'PING', 'GOAWAY', 'WINDOW_UPDATE', 'CONTINUATION'];
    const c = [...this.counts].map(([k, v]) => `${names[k] ?? k}×${v}`).join(' ');
    return `${c || 'no frames'}${this.goaway ? ` GOAWAY(code ${this.goaway.code}, "${this.goaway.debug}")` : ''} ended=${this.ended}`;
  }

  /** The RST_STREAM code received on `stream`, or null. */
  rstCode(stream: number): number | null {
    const f = this.frames.find((x) => x.type === T.RST_STREAM && x.stream === stream);
    return f ? f.payload.readUInt32BE(0) : null;
  }

  private streamDone(stream: number): boolean {
    return this.frames.some((f) => f.stream === stream && (f.type === T.RST_STREAM || ((f.type === T.DATA || f.type === T.HEADERS) && f.flags & F.END_STREAM)));
  }

  /** Wait until `stream` ended (END_STREAM or RST_STREAM) and assemble what came on it. */
  async response(stream: number, timeoutMs = 3000): Promise<Response> {
    await this.until(() => this.streamDone(stream) || (this.ended && this.buf.length === 0), timeoutMs, `the end of stream ${stream}`);
    if (!this.streamDone(stream)) throw new Error(`connection closed before stream ${stream} ended; received ${this.summary()}`);
    const fs = this.frames.filter((f) => f.stream === stream);
    const heads = fs.filter((f) => f.type === T.HEADERS);
    // interim 1xx heads are skipped
    const final = heads.find((h) => !/^1\d\d$/.test(h.headers?.find(([n]) => n === ':status')?.[1] ?? ''));
    const trailers = final ? heads.slice(heads.indexOf(final) + 1).find((h) => !h.headers?.some(([n]) => n === ':status')) : undefined;
    const rst = fs.find((f) => f.type === T.RST_STREAM);
    return {
      stream,
      status: Number(final?.headers?.find(([n]) => n === ':status')?.[1] ?? 0),
      headers: final?.headers ?? [],
      body: Buffer.concat(fs.filter((f) => f.type === T.DATA).map((f) => f.payload)),
      trailers: trailers?.headers ?? null,
      rst: rst ? rst.payload.readUInt32BE(0) : null,
    };
  }

  /** Wait for a GOAWAY. */
  async waitGoaway(timeoutMs = 3000): Promise<Goaway> {
    await this.until(() => this.goaway !== null, timeoutMs, 'GOAWAY');
    return this.goaway!;
  }

  /** Wait until the server closed the connection. */
  async closed(timeoutMs = 3000): Promise<void> {
    await this.until(() => this.ended, timeoutMs, 'the connection to close');
  }

  close(): void {
    this.sock.destroy();
  }
}

/** The value of `name` among decoded fields. */
export function hdr(fields: [string, string][] | null | undefined, name: string): string | undefined {
  return fields?.find(([n]) => n === name)?.[1];
}
