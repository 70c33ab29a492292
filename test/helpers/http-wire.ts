/**
 * HTTP/1.1 on raw sockets for integration tests: a client that writes exact bytes and reads whole
 * responses (Content-Length, chunked with trailers, until close, 1xx interim answers), and a backend
 * server that parses requests the same way, counts connections and requests, and answers through a
 * handler that can write any bytes it likes.
 */
import type net from 'node:net';
import { connect, tcpServer, type TestServer } from './net.js';

export interface Message {
  /** Everything received for this message, head and body as on the wire. */
  raw: Buffer;
  /** Head text up to and including the empty line. */
  head: string;
  /** Request or status line. */
  line: string;
  status: number;
  /** Header fields in order, names as sent. */
  fields: [string, string][];
  /** Body after chunked decoding. */
  body: Buffer;
  /** Trailer fields of a chunked body. */
  trailers: [string, string][];
  chunked: boolean;
}

/** The first value of a field (case-insensitive), or undefined. */
export function field(m: { fields: [string, string][] }, name: string): string | undefined {
  const n = name.toLowerCase();
  return m.fields.find(([k]) => k.toLowerCase() === n)?.[1];
}

/** Every value of a field, in order. */
export function fields(m: { fields: [string, string][] }, name: string): string[] {
  const n = name.toLowerCase();
  return m.fields.filter(([k]) => k.toLowerCase() === n).map(([, v]) => v);
}

type Parsed = { msg: Message; used: number } | null;

/**
 * Parse one message at the start of `buf`. `bodyless` says the message has no body whatever its fields
 * (a response to HEAD, 1xx/204/304), `untilClose` that a response without framing runs to the end
 * (`ended` tells the end was seen). Returns null when more bytes are needed.
 */
export function parseMessage(buf: Buffer, o: { bodyless?: boolean; request?: boolean; ended?: boolean }): Parsed {
  const end = buf.indexOf('\r\n\r\n');
  if (end < 0) return null;
  const head = buf.subarray(0, end + 4).toString('latin1');
  const lines = head.slice(0, -4).split('\r\n');
  const line = lines[0]!;
  const flds: [string, string][] = lines.slice(1).map((l) => {
    const i = l.indexOf(':');
    return [l.slice(0, i), l.slice(i + 1).trim()];
  });
  const status = o.request ? 0 : Number(line.split(' ')[1]);
  const m = { fields: flds };
  const te = field(m, 'transfer-encoding');
  const cl = field(m, 'content-length');
  let pos = end + 4;
  const base = { head, line, status, fields: flds, trailers: [] as [string, string][], chunked: false };
  const bodyless = o.bodyless || (!o.request && (status < 200 || status === 204 || status === 304));
  if (bodyless) return { msg: { ...base, raw: buf.subarray(0, pos), body: Buffer.alloc(0) }, used: pos };
  if (te && /chunked\s*$/i.test(te)) {
    const parts: Buffer[] = [];
    for (;;) {
      const le = buf.indexOf('\r\n', pos);
      if (le < 0) return null;
      const size = parseInt(buf.subarray(pos, le).toString('latin1').split(';')[0]!, 16);
      if (Number.isNaN(size)) throw new Error(`bad chunk size at ${pos}: ${JSON.stringify(buf.subarray(pos, le + 2).toString('latin1'))}`);
      pos = le + 2;
      if (size === 0) {
        // trailers until an empty line
        const trailers: [string, string][] = [];
        for (;;) {
          const te2 = buf.indexOf('\r\n', pos);
          if (te2 < 0) return null;
          const t = buf.subarray(pos, te2).toString('latin1');
          pos = te2 + 2;
          if (t === '') break;
          const i = t.indexOf(':');
          trailers.push([t.slice(0, i), t.slice(i + 1).trim()]);
        }
        return { msg: { ...base, chunked: true, trailers, raw: buf.subarray(0, pos), body: Buffer.concat(parts) }, used: pos };
      }
      if (buf.length < pos + size + 2) return null;
      parts.push(buf.subarray(pos, pos + size));
      pos += size + 2;
    }
  }
  if (cl !== undefined) {
    const n = Number(cl);
    if (buf.length < pos + n) return null;
    return { msg: { ...base, raw: buf.subarray(0, pos + n), body: buf.subarray(pos, pos + n) }, used: pos + n };
  }
  if (o.request) return { msg: { ...base, raw: buf.subarray(0, pos), body: Buffer.alloc(0) }, used: pos };
  if (!o.ended) return null;
  return { msg: { ...base, raw: buf, body: buf.subarray(pos) }, used: buf.length };
}

/** A client connection that reads whole responses. */
export class Client {
  private buf: Buffer<ArrayBufferLike> = Buffer.alloc(0);
  ended = false;
  closedAt: number | null = null;
  private wake: (() => void) | null = null;
  constructor(readonly sock: net.Socket) {
    sock.on('data', (d: Buffer) => {
      this.buf = this.buf.length ? Buffer.concat([this.buf, d]) : d;
      this.wake?.();
    });
    sock.on('end', () => {
      this.ended = true;
      this.wake?.();
    });
    sock.on('close', () => {
      this.ended = true;
      this.closedAt ??= Date.now();
      this.wake?.();
    });
  }

  static async open(port: number): Promise<Client> {
    return new Client(await connect(port, { allowHalfOpen: true }));
  }

  send(data: string | Buffer): this {
    this.sock.write(data);
    return this;
  }

  /** Bytes received and not consumed yet. */
  get pending(): Buffer {
    return this.buf;
  }

  /** Wait until `pred(buffer, ended)` holds, bounded by timeoutMs. */
  async until(pred: (buf: Buffer, ended: boolean) => boolean, timeoutMs = 3000, what = 'data'): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!pred(this.buf, this.ended)) {
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`timed out waiting for ${what}; got ${JSON.stringify(this.buf.subarray(0, 400).toString('latin1'))} ended=${this.ended}`);
      await new Promise<void>((r) => {
        const t = setTimeout(r, left);
        this.wake = () => {
          clearTimeout(t);
          r();
        };
      });
      this.wake = null;
    }
  }

  /** Read the next whole response (1xx interim answers are responses of their own). */
  async response(o: { head?: boolean; timeoutMs?: number } = {}): Promise<Message> {
    let p: Parsed = null;
    await this.until((b, ended) => (p = parseMessage(b, { bodyless: o.head, ended })) !== null, o.timeoutMs ?? 3000, 'a response');
    const { msg, used } = p as unknown as { msg: Message; used: number };
    msg.raw = Buffer.from(msg.raw);
    this.buf = this.buf.subarray(used);
    return msg;
  }

  /** Wait until the peer closed (or ended); returns what remained unread. */
  async closed(timeoutMs = 3000): Promise<Buffer> {
    await this.until((_, ended) => ended, timeoutMs, 'the connection to close');
    return this.buf;
  }

  close(): void {
    this.sock.destroy();
  }
}

/** Send one request on a new connection, read the response, close. */
export async function request(port: number, data: string | Buffer, o: { head?: boolean; timeoutMs?: number } = {}): Promise<Message> {
  const c = await Client.open(port);
  try {
    c.send(data);
    return await c.response(o);
  } finally {
    c.close();
  }
}

/** `GET path` with Host, as HTTP/1.1 keep-alive, extra header lines appended. */
export function get(path: string, extra: string[] = [], method = 'GET'): string {
  return `${method} ${path} HTTP/1.1\r\nHost: test\r\n${extra.map((l) => `${l}\r\n`).join('')}\r\n`;
}

export interface BackendRequest extends Message {
  method: string;
  path: string;
  /** Which accepted connection (1-based) carried it. */
  conn: number;
}

export interface Reply {
  /** The request being answered. */
  req: BackendRequest;
  sock: net.Socket;
}

export interface HttpBackend extends TestServer {
  name: string;
  requests: BackendRequest[];
  /** Change the handler at run time. */
  handler: Handler;
}

/**
 * How a backend answers: return the bytes to write (keep-alive continues), or null when the handler
 * wrote (or will write) itself. `onHead` runs when a head arrived, before its body (for 100-continue).
 */
export type Handler = (r: Reply) => string | Buffer | null;

/** A plain answer: `200 OK`, Content-Length, `x-server: <name>`, and a body. */
export function ok(body: string, extra: string[] = [], status = '200 OK'): string {
  return `HTTP/1.1 ${status}\r\ncontent-length: ${Buffer.byteLength(body)}\r\n${extra.map((l) => `${l}\r\n`).join('')}\r\n${body}`;
}

/**
 * A keep-alive HTTP/1.1 backend on raw sockets. Default handler: `200` with body `<name> <path>` and
 * `x-server: <name>`. `onHead(req-so-far, sock)` sees every head as soon as it arrives (before its body).
 */
export async function httpBackend(name: string, handler?: Handler, o: { onHead?: (line: string, head: string, sock: net.Socket) => void } = {}): Promise<HttpBackend> {
  const requests: BackendRequest[] = [];
  let connNo = 0;
  const dflt: Handler = (r) => ok(`${name} ${r.req.path}`, [`x-server: ${name}`]);
  let self: HttpBackend | null = null;
  const ts = await tcpServer((s) => {
    const conn = ++connNo;
    let buf: Buffer<ArrayBufferLike> = Buffer.alloc(0);
    let headSeen = -1;
    s.on('end', () => s.end());
    s.on('data', (d: Buffer) => {
      buf = Buffer.concat([buf, d]);
      for (;;) {
        const he = buf.indexOf('\r\n\r\n');
        if (he >= 0 && headSeen !== he && o.onHead) {
          headSeen = he;
          const head = buf.subarray(0, he + 4).toString('latin1');
          o.onHead(head.split('\r\n')[0]!, head, s);
        }
        const p = parseMessage(buf, { request: true });
        if (!p) return;
        buf = buf.subarray(p.used);
        headSeen = -1;
        const [method, path] = p.msg.line.split(' ') as [string, string];
        const req: BackendRequest = { ...p.msg, raw: Buffer.from(p.msg.raw), body: Buffer.from(p.msg.body), method, path, conn };
        requests.push(req);
        const out = self!.handler({ req, sock: s });
        if (out !== null && !s.destroyed) s.write(out);
      }
    });
  });
  self = Object.assign(ts, { name, requests, handler: handler ?? dflt });
  return self;
}
