/**
 * HTTP/2 to servers (`server … proto h2`): lbd is the client. Requests are streams multiplexed over a
 * few connections per server (h2c, or h2 over TLS with `ssl`, ALPN h2).
 *
 * The HTTP engine talks HTTP/1.1 to its server connections; for an h2 server the pool hands it a
 * ServerStream, a `Conn` that turns the engine's HTTP/1 request into a stream (HEADERS with the
 * pseudo-header fields, DATA, trailers) and the stream's response back into HTTP/1.1 bytes: the
 * content-length kept when the server sent one, else chunked, with the server's trailers (gRPC's
 * grpc-status) as chunked trailers, which the client side turns back into HTTP/2 trailers. `te:
 * trailers` is sent with every request (gRPC servers require it; lbd always accepts trailers).
 *
 * H2ServerSet keeps one server's connections: a request takes the first one with room for another
 * stream (under the server's SETTINGS_MAX_CONCURRENT_STREAMS, no GOAWAY), else a new one is dialled.
 * A connection without streams closes after the pool's idle limit. A stream refused by the server
 * (REFUSED_STREAM, or above a GOAWAY's last stream) reaches the engine as a failure before any
 * response byte on a reused connection: the engine retries it, as for an HTTP/1 connection that broke.
 */
import type { Conn, ConnHandler, Endpoints } from '../proxy/conn.js';
import { NO_HANDLER } from '../proxy/conn.js';
import { HeadParser, NEED_MORE, PARSE_ERROR } from '../http/parse-head.js';
import { HeadKind, Method, TargetForm } from '../http/head.js';
import { Body, Framing, requestFraming } from '../http/framing.js';
import { Chunk, ChunkedDecoder } from '../http/chunked.js';
import { headLimits, type HeadLimits } from '../http/limits.js';
import { DEFAULT_LIMITS, H2Endpoint, H2Stream, type H2Limits, type StreamUser } from './endpoint.js';
import { H2Error, Setting } from './frames.js';
import type { H2Counters } from './counters.js';

const PRE_SETTINGS_STREAMS = 100;
const REQUEST_LIMITS: HeadLimits = headLimits(65536, 1024, 1024);
const DROP = new Set(['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'upgrade', 'te', 'trailer', 'host']);
const TOKEN_LOWER = /^[!#$%&'*+\-.^_`|~0-9a-z]+$/;

const REASONS: Record<number, string> = {
  100: 'Continue', 103: 'Early Hints', 200: 'OK', 201: 'Created', 202: 'Accepted', 204: 'No Content', 206: 'Partial Content',
  301: 'Moved Permanently', 302: 'Found', 303: 'See Other', 304: 'Not Modified', 307: 'Temporary Redirect', 308: 'Permanent Redirect',
  400: 'Bad Request', 401: 'Unauthorized', 403: 'Forbidden', 404: 'Not Found', 405: 'Method Not Allowed', 408: 'Request Timeout',
  409: 'Conflict', 410: 'Gone', 413: 'Payload Too Large', 415: 'Unsupported Media Type', 429: 'Too Many Requests',
  500: 'Internal Server Error', 501: 'Not Implemented', 502: 'Bad Gateway', 503: 'Service Unavailable', 504: 'Gateway Timeout',
};

/** One HTTP/2 connection to a server. */
export class H2ClientConn extends H2Endpoint {
  private idleTimer: NodeJS.Timeout | null = null;
  /** The connection carries no more new streams (GOAWAY either way, error, or closing). */
  draining = false;

  constructor(conn: Conn, counters: H2Counters, private readonly set: H2ServerSet, limits: H2Limits = DEFAULT_LIMITS) {
    super(conn, limits, counters, false);
    // until the server's SETTINGS say how many streams it takes: the 100 RFC 9113 §6.5.2 recommends as a
    // minimum (streams a server with a lower limit refuses are retried)
    this.peerMaxStreams = PRE_SETTINGS_STREAMS;
    counters.openConns++;
    counters.totalConns++;
    conn.handler = this;
    this.sendPreface(true, [
      [Setting.ENABLE_PUSH, 0],
      [Setting.INITIAL_WINDOW_SIZE, this.limits.initialWindow],
      [Setting.MAX_HEADER_LIST_SIZE, this.limits.maxHeaderList],
    ]);
    conn.readStart();
  }

  protected prefacePeerParity(): number {
    return 0;
  }

  /** Room for one more stream now. */
  get available(): boolean {
    return !this.dead && !this.draining && !this.goawayRecvd && this.streams.size < this.peerMaxStreams && this.lastLocalStream < 0x7fff0000;
  }

  get isDead(): boolean {
    return this.dead;
  }

  /** A new stream for `user` (the caller checked `available`). */
  open(user: StreamUser): H2Stream {
    const id = this.lastLocalStream === 0 ? 1 : this.lastLocalStream + 2;
    this.lastLocalStream = id;
    const s = new H2Stream(id, this.peerInitialWindow, this.limits.initialWindow);
    s.user = user;
    this.streams.set(id, s);
    this.counters.openStreams++;
    this.counters.totalStreams++;
    if (this.idleTimer) {
      clearTimeout(this.idleTimer);
      this.idleTimer = null;
    }
    return s;
  }

  protected headerBlock(id: number, fields: string[], endStream: boolean, tooLarge: boolean): void {
    const s = this.streams.get(id);
    if (s === undefined) {
      if ((id & 1) === 0 || id > this.lastLocalStream) return this.connError(H2Error.PROTOCOL_ERROR, 'HEADERS on a stream we did not open');
      return; // a stream we reset meanwhile
    }
    if (s.remoteEnded) return this.streamError(id, H2Error.STREAM_CLOSED);
    if (endStream) s.remoteEnded = true;
    s.user?.streamHeaders(s, fields, endStream, tooLarge);
    if (endStream) this.maybeClose(s);
  }

  protected override peerGoaway(last: number, _code: number): void {
    this.draining = true;
    // streams the server will not process: refused, so the engine may retry them elsewhere
    for (const s of [...this.streams.values()]) {
      if (s.id > last) {
        this.resetStream(s, H2Error.CANCEL);
        s.user?.streamReset(s, H2Error.REFUSED_STREAM);
      }
    }
    if (this.streams.size === 0) this.close();
  }

  protected streamClosed(_s: H2Stream): void {
    this.counters.openStreams--;
    if (this.streams.size > 0 || this.dead) return;
    if (this.draining) return this.close();
    const ms = this.set.idleMs;
    this.idleTimer = setTimeout(() => {
      this.idleTimer = null;
      if (this.streams.size === 0) {
        this.draining = true;
        this.goaway(H2Error.NO_ERROR);
        this.close();
      }
    }, ms);
    this.idleTimer.unref();
  }

  protected connClosed(): void {
    if (this.idleTimer) clearTimeout(this.idleTimer);
    this.idleTimer = null;
    this.draining = true;
    this.counters.openConns--;
    this.set.gone(this);
  }

  /** Stop taking streams; close once the ones in progress are done. */
  drain(): void {
    this.draining = true;
    if (this.streams.size === 0) {
      this.goaway(H2Error.NO_ERROR);
      this.close();
    }
  }
}

/** How a set dials a connection to its server (TCP, or TLS offering h2). */
export type H2Dialer = (done: (err: string | null) => void) => Conn;

/** One server's HTTP/2 connections. */
export class H2ServerSet {
  private readonly conns: H2ClientConn[] = [];
  /** Requests waiting for a connection being dialled. */
  private waiting: Array<(conn: H2ClientConn | null, err: string | null) => void> = [];
  private dialing = false;

  constructor(readonly key: string, private readonly dialer: H2Dialer, readonly counters: H2Counters, readonly idleMs: number, private readonly connectTimeoutMs: number | null) {}

  /** A connection with room for a stream: `cb(conn, reused)` at once when one exists, else after dialling. */
  get(cb: (conn: H2ClientConn | null, err: string | null, reused: boolean) => void, timeoutMs: number | null): void {
    for (const c of this.conns) {
      if (c.available) return cb(c, null, true);
    }
    this.waiting.push((c, err) => cb(c, err, false));
    if (!this.dialing) this.dial(timeoutMs ?? this.connectTimeoutMs);
  }

  private dial(timeoutMs: number | null): void {
    this.dialing = true;
    let timer: NodeJS.Timeout | null = null;
    let over = false;
    const done = (err: string | null): void => {
      if (over) return;
      over = true;
      if (timer) clearTimeout(timer);
      this.dialing = false;
      const waiting = this.waiting;
      this.waiting = [];
      if (err !== null) {
        conn.close();
        for (const w of waiting) w(null, err);
        return;
      }
      const h2 = new H2ClientConn(conn, this.counters, this);
      this.conns.push(h2);
      // each waiter takes a stream as it can; those beyond the server's limit (known later) wait for another connection
      for (const w of waiting) {
        if (h2.available) w(h2, null);
        else this.get((c, e) => w(c, e), timeoutMs);
      }
    };
    const conn = this.dialer(done);
    if (timeoutMs !== null) {
      timer = setTimeout(() => done('ETIMEDOUT'), timeoutMs);
    }
  }

  gone(c: H2ClientConn): void {
    const i = this.conns.indexOf(c);
    if (i >= 0) this.conns.splice(i, 1);
  }

  /** Server removed, in maintenance, or the process stops: no new streams, close when idle. */
  drainAll(): void {
    for (const c of [...this.conns]) c.drain();
  }

  get size(): number {
    return this.conns.length;
  }
}

const enum Q { HEAD, BODY_LENGTH, BODY_CHUNKED, DONE }
const enum P { WAIT, HEAD_SENT, BODY, DONE }

/**
 * One request to an h2 server, seen by the HTTP engine as its server connection: HTTP/1 bytes in
 * (the request), HTTP/1 bytes out (the response).
 */
export class ServerStream implements Conn, StreamUser {
  handler: ConnHandler = NO_HANDLER;
  private stream: H2Stream | null = null;
  private isClosed = false;
  private reading = false;
  // request (engine -> server)
  private readonly parser = new HeadParser(HeadKind.REQUEST, REQUEST_LIMITS);
  private readonly framing = new Framing();
  private q = Q.HEAD;
  private reqLeft = 0;
  private chunk: ChunkedDecoder | null = null;
  private chunkS = 0;
  private chunkE = 0;
  private pend: Buffer | null = null;
  private pendOff = 0;
  private method = Method.OTHER;
  // response (server -> engine)
  private p = P.WAIT;
  private resChunked = false;
  private inQ: Buffer[] | null = null;
  private inQData: number[] | null = null;
  private deliverQueued = false;
  private gotResponse = false;

  constructor(private readonly h2: H2ClientConn, private readonly tlsConn: boolean) {}

  /** Open the stream (right away, so its id orders the requests as the engine sent them). */
  start(): void {
    this.stream = this.h2.open(this);
  }

  // ------------------------------------------------------------------ request: engine -> h2

  write(buf: Buffer): boolean {
    if (this.isClosed || this.stream === null) return true;
    if (this.pend !== null) {
      this.pend = Buffer.concat([this.pend.subarray(this.pendOff), buf]);
      this.pendOff = 0;
      return false;
    }
    this.pend = buf;
    this.pendOff = 0;
    if (this.pump()) {
      this.pend = null;
      return true;
    }
    return false;
  }

  private pump(): boolean {
    const s = this.stream!;
    const h2 = this.h2;
    const buf = this.pend!;
    const end = buf.length;
    while (!this.isClosed) {
      switch (this.q) {
        case Q.HEAD: {
          if (this.pendOff >= end) return true;
          const r = this.parser.execute(buf, this.pendOff, end);
          if (r === NEED_MORE) {
            this.pendOff = end;
            return true;
          }
          if (r === PARSE_ERROR || !requestFraming(this.parser.head, this.framing)) {
            this.abort();
            return true;
          }
          this.pendOff = r;
          const h = this.parser.head;
          this.method = h.methodId;
          const f = this.framing;
          const fields = this.requestFields();
          if (f.body === Body.NONE) {
            h2.sendHeaders(s, fields, true);
            this.q = Q.DONE;
          } else if (f.body === Body.LENGTH) {
            h2.sendHeaders(s, fields, false);
            this.reqLeft = f.length;
            this.q = Q.BODY_LENGTH;
          } else {
            h2.sendHeaders(s, fields, false);
            if (this.chunk === null) this.chunk = new ChunkedDecoder(REQUEST_LIMITS);
            else this.chunk.reset();
            this.q = Q.BODY_CHUNKED;
          }
          continue;
        }
        case Q.BODY_LENGTH: {
          const n = Math.min(this.reqLeft, end - this.pendOff);
          if (n === 0) return true;
          const took = h2.sendData(s, buf, this.pendOff, this.pendOff + n, n === this.reqLeft);
          this.pendOff += took;
          this.reqLeft -= took;
          if (took < n) return false;
          if (this.reqLeft === 0) this.q = Q.DONE;
          continue;
        }
        case Q.BODY_CHUNKED: {
          if (this.chunkS < this.chunkE) {
            const took = h2.sendData(s, buf, this.chunkS, this.chunkE, false);
            this.chunkS += took;
            if (this.chunkS < this.chunkE) return false;
          }
          const d = this.chunk!;
          const ev = d.next(buf, this.pendOff, end);
          this.pendOff = d.pos;
          if (ev === Chunk.DATA) {
            this.chunkS = d.dataStart;
            this.chunkE = d.dataEnd;
            continue;
          }
          if (ev === Chunk.SIZE) continue;
          if (ev === Chunk.NEED_MORE) {
            this.pendOff = end;
            return true;
          }
          if (ev === Chunk.ERROR) {
            this.abort();
            return true;
          }
          const t = d.trailers;
          if (t !== null && t.count > 0) {
            const fields: string[] = [];
            for (let i = 0; i < t.count; i++) {
              if (t.skip[i]) continue;
              const name = t.name(i).toLowerCase();
              if (!DROP.has(name) && name !== 'content-length') fields.push(name, t.value(i));
            }
            h2.sendHeaders(s, fields, true);
          } else {
            h2.sendData(s, buf, 0, 0, true);
          }
          this.q = Q.DONE;
          continue;
        }
        case Q.DONE:
          return true;
      }
    }
    return true;
  }

  /** The HTTP/2 fields of the engine's request head. */
  private requestFields(): string[] {
    const h = this.parser.head;
    let authority = '';
    let path = h.target;
    if (h.targetForm === TargetForm.ABSOLUTE || h.targetForm === TargetForm.AUTHORITY) {
      authority = h.authority;
      if (h.targetForm === TargetForm.ABSOLUTE) {
        const t = h.target;
        const slash = t.indexOf('/', t.indexOf('//') + 2);
        path = slash < 0 ? '/' : t.slice(slash);
      }
    }
    if (authority === '') authority = h.get('host') ?? '';
    const out: string[] = [':method', h.method];
    if (h.methodId === Method.CONNECT) {
      out.push(':authority', authority || path);
    } else {
      out.push(':scheme', this.tlsConn ? 'https' : 'http', ':path', path === '' ? '/' : path);
      if (authority !== '') out.push(':authority', authority);
    }
    for (let i = 0; i < h.count; i++) {
      if (h.skip[i]) continue;
      const name = h.name(i).toLowerCase();
      if (DROP.has(name) || !TOKEN_LOWER.test(name)) continue;
      out.push(name, h.value(i));
    }
    out.push('te', 'trailers');
    return out;
  }

  /** The engine's request could not be carried: reset the stream, the engine sees the server fail. */
  private abort(): void {
    if (this.stream !== null && !this.stream.closed) this.h2.resetStream(this.stream, H2Error.INTERNAL_ERROR);
    this.fail('EPROTO');
  }

  streamWritable(_s: H2Stream): void {
    if (this.isClosed || this.pend === null) return;
    if (this.pump()) {
      this.pend = null;
      this.handler.onDrain();
    }
  }

  // ------------------------------------------------------------------ response: h2 -> engine

  streamHeaders(_s: H2Stream, fields: string[], endStream: boolean, tooLarge: boolean): void {
    if (this.isClosed) return;
    if (tooLarge) {
      this.h2.resetStream(this.stream!, H2Error.CANCEL);
      return this.fail('EPROTO');
    }
    if (this.p === P.BODY) {
      // trailers
      if (!endStream) {
        this.h2.streamError(this.stream!.id, H2Error.PROTOCOL_ERROR);
        return;
      }
      this.p = P.DONE;
      if (!this.resChunked) return; // a body with a content-length carries no trailers in HTTP/1
      let lines = '0\r\n';
      for (let i = 0; i < fields.length; i += 2) {
        const name = fields[i]!;
        if (name.charCodeAt(0) === 0x3a || BAD.test(fields[i + 1]!)) continue;
        lines += `${name}: ${fields[i + 1]}\r\n`;
      }
      this.deliver(Buffer.from(`${lines}\r\n`, 'latin1'), 0);
      return;
    }
    let status = 0;
    let cl: string | null = null;
    let lines = '';
    for (let i = 0; i < fields.length; i += 2) {
      const name = fields[i]!;
      const value = fields[i + 1]!;
      if (name === ':status') {
        status = /^[1-5][0-9][0-9]$/.test(value) ? Number(value) : 0;
        continue;
      }
      if (name.charCodeAt(0) === 0x3a || !TOKEN_LOWER.test(name) || BAD.test(value)) {
        this.h2.streamError(this.stream!.id, H2Error.PROTOCOL_ERROR);
        return;
      }
      if (DROP.has(name)) continue;
      if (name === 'content-length') {
        if (cl !== null) continue;
        cl = value;
      }
      lines += `${name}: ${value}\r\n`;
    }
    if (status === 0 || status === 101) {
      this.h2.streamError(this.stream!.id, H2Error.PROTOCOL_ERROR);
      return;
    }
    this.gotResponse = true;
    const start = `HTTP/1.1 ${status} ${REASONS[status] ?? 'Unknown'}\r\n`;
    if (status < 200) {
      this.deliver(Buffer.from(`${start}${lines}\r\n`, 'latin1'), 0);
      return;
    }
    const noBody = this.method === Method.HEAD || status === 204 || status === 304;
    let framing = '';
    if (noBody) {
      this.p = P.DONE;
    } else if (endStream) {
      if (cl === null) framing = 'content-length: 0\r\n';
      this.p = P.DONE;
    } else if (cl !== null) {
      this.p = P.BODY;
    } else {
      framing = 'transfer-encoding: chunked\r\n';
      this.resChunked = true;
      this.p = P.BODY;
    }
    this.deliver(Buffer.from(`${start}${lines}${framing}\r\n`, 'latin1'), 0);
  }

  streamData(s: H2Stream, buf: Buffer, start: number, end: number, endStream: boolean): void {
    if (this.isClosed) return;
    const n = end - start;
    if (this.p !== P.BODY) {
      if (n > 0) return this.h2.streamError(s.id, H2Error.PROTOCOL_ERROR);
      return;
    }
    if (this.resChunked) {
      if (n > 0 || endStream) this.deliver(chunkOf(buf, start, end, endStream), n);
    } else if (n > 0) {
      this.deliver(Buffer.from(buf.subarray(start, end)), n);
    }
    if (endStream) this.p = P.DONE;
  }

  streamReset(_s: H2Stream, code: number): void {
    if (this.isClosed) return;
    // a refused stream was not processed (RFC 9113 §8.7): the engine may send it again, whatever the connection
    this.fail(code === H2Error.REFUSED_STREAM && !this.gotResponse ? 'EREFUSED' : 'ECONNRESET');
  }

  private fail(code: string): void {
    if (this.isClosed) return;
    this.isClosed = true;
    this.handler.onError(code);
  }

  private deliver(out: Buffer, dataBytes: number): void {
    if (this.reading && this.inQ === null) {
      this.handler.onData(out);
      if (dataBytes > 0 && this.stream !== null) this.h2.consumed(this.stream, dataBytes);
      return;
    }
    if (this.inQ === null) {
      this.inQ = [];
      this.inQData = [];
    }
    this.inQ.push(out);
    this.inQData!.push(dataBytes);
  }

  private drainQueue(): void {
    this.deliverQueued = false;
    while (this.reading && !this.isClosed && this.inQ !== null) {
      const b = this.inQ.shift()!;
      const n = this.inQData!.shift()!;
      if (this.inQ.length === 0) this.inQ = this.inQData = null;
      this.handler.onData(b);
      if (n > 0 && this.stream !== null) this.h2.consumed(this.stream, n);
    }
  }

  // ------------------------------------------------------------------ Conn

  readStart(): void {
    this.reading = true;
    if (this.inQ !== null && !this.deliverQueued) {
      this.deliverQueued = true;
      queueMicrotask(() => this.drainQueue());
    }
  }

  readStop(): void {
    this.reading = false;
  }

  detachReadBuffer(): void {}

  shutdown(): void {}

  close(): void {
    if (this.isClosed && (this.stream === null || this.stream.closed)) return;
    this.isClosed = true;
    const s = this.stream;
    if (s !== null && !s.closed) {
      // a request abandoned by the engine (client gone, timeout): the server may stop working on it
      this.h2.resetStream(s, this.q === Q.DONE && this.p === P.DONE ? H2Error.NO_ERROR : H2Error.CANCEL);
    }
    this.pend = null;
    this.inQ = this.inQData = null;
  }

  reset(): void {
    this.close();
  }

  get closed(): boolean {
    return this.isClosed;
  }

  /** The response is complete and the request was all sent: the stream is over. */
  get finished(): boolean {
    return this.q === Q.DONE && this.p === P.DONE;
  }

  pendingBytes(): number {
    return this.pend === null ? 0 : this.pend.length - this.pendOff;
  }

  remoteAddress(): string | null {
    return this.h2.conn.remoteAddress();
  }

  localPort(): number | null {
    return this.h2.conn.localPort();
  }

  endpoints(): Endpoints | null {
    return this.h2.conn.endpoints();
  }
}

const BAD = /[\0\r\n]/;
const EMPTY_LAST = Buffer.from('0\r\n\r\n', 'latin1');

function chunkOf(buf: Buffer, start: number, end: number, last: boolean): Buffer {
  const n = end - start;
  if (n === 0) return last ? EMPTY_LAST : Buffer.alloc(0);
  const size = n.toString(16);
  const out = Buffer.allocUnsafe(size.length + 2 + n + 2 + (last ? 5 : 0));
  let o = out.write(size, 0, 'latin1');
  out[o++] = 0x0d;
  out[o++] = 0x0a;
  o += buf.copy(out, o, start, end);
  out[o++] = 0x0d;
  out[o++] = 0x0a;
  if (last) out.write('0\r\n\r\n', o, 'latin1');
  return out;
}
