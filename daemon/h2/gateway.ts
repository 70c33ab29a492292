/**
 * One HTTP/2 stream of a client connection, carried by lbd's HTTP engine (daemon/proxy/http-session.ts).
 *
 * As HAProxy 1.8 did before HTX, the stream is translated to HTTP/1.1 inside the process: the request's
 * header block becomes an HTTP/1 head ("GET /path HTTP/2.0", so logs and `req.ver` say 2.0 as HAProxy's
 * do; the engine sends HTTP/1.1 to servers), DATA frames its body (chunked when the request has no
 * content-length, trailers included), and the engine's HTTP/1 response bytes become HEADERS and DATA
 * frames again (1xx interim heads, content-length, chunked with trailers, close-delimited bodies and
 * CONNECT tunnels). The engine sees this object as its client `Conn`: every rule, balancer, retry,
 * timeout, log and error page of `mode http` applies to HTTP/2 requests unchanged.
 *
 * Flow control both ways: request DATA is acknowledged (WINDOW_UPDATE) only when the engine took it, so
 * a slow server slows the client; response DATA goes out as the client's windows allow, and a write the
 * windows cannot take stays pending (the engine then stops reading the server until onDrain).
 *
 * The request is validated first (RFC 9113 §8.2, §8.3): pseudo-header fields, lowercase names,
 * no connection-specific fields, no CR/LF/NUL, no surrounding whitespace; a malformed request is a
 * stream error (RST_STREAM PROTOCOL_ERROR), a header list over the limit gets a 431.
 */
import type { Conn, ConnHandler, Endpoints, TlsInfo } from '../proxy/conn.js';
import { NO_HANDLER } from '../proxy/conn.js';
import { NEED_MORE, PARSE_ERROR, type HeadParser } from '../http/parse-head.js';
import { HeadKind, Method } from '../http/head.js';
import { Body, Framing, responseFraming } from '../http/framing.js';
import type { HeadLimits } from '../http/limits.js';
import { giveParser, sharedLimits, takeParser } from '../http/parser-pool.js';
import type { H2Endpoint, H2Stream, StreamUser } from './endpoint.js';
import { H2Error } from './frames.js';
import { BodyToData, CTL_IN_VALUE, HOP_FIELDS, Inbox, Pump, TOKEN_LOWER, chunkOf, fieldsOf } from './h1-bridge.js';

/** What the gateway needs from its HTTP/2 connection and the engine. */
export interface GatewayHost {
  readonly h2: H2Endpoint;
  /** The stream is over and the engine session waits for the next request: keep the pair for the next stream. */
  park(gw: StreamGateway): void;
  /** A parked gateway closed (its session timed out or stopped). */
  unpark(gw: StreamGateway): void;
  /** Start lbd's HTTP engine on the gateway (it becomes the engine's client connection). */
  startSession(gw: StreamGateway): SessionLike;
  /** A request refused before reaching the engine (malformed, too large): counted on the frontend. */
  requestError(): void;
  readonly bufsize: number;
  readonly maxhdr: number;
}

export interface SessionLike {
  close(): void;
}

const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
/** RFC 9113 §8.2.1: besides CR, LF and NUL, a request's value may not start or end with whitespace. */
const EDGE_SPACE = /^[ \t]|[ \t]$/;
const VISIBLE = /^[\x21-\x7e]+$/;

/** Fields HTTP/2 forbids in a request (RFC 9113 §8.2.2; `te` is checked apart: `trailers` is allowed). */
const CONNECTION_SPECIFIC = new Set(['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'upgrade']);

const enum R { HEAD, BODY, DONE }

/** The engine's own output: room for what http-response rules may have added. */
function responseLimits(bufsize: number, maxhdr: number): HeadLimits {
  return sharedLimits(bufsize * 4, 1024, maxhdr * 2 + 64);
}

/** Methods whose request without body gets no content-length (the others get `content-length: 0`). */
const NO_BODY_METHODS = new Set(['GET', 'HEAD', 'DELETE', 'OPTIONS', 'TRACE']);

const badValue = (v: string): boolean => CTL_IN_VALUE.test(v) || EDGE_SPACE.test(v);

export class StreamGateway implements Conn, StreamUser {
  handler: ConnHandler = NO_HANDLER;
  early: Buffer | null = null;
  tls?: TlsInfo;
  private isClosed = false;
  private readonly inbox = new Inbox(this);
  private session: SessionLike | null = null;
  // request side
  private methodId = Method.OTHER;
  private reqChunked = false;
  private reqLeft = -1;
  private tunnel = false;
  // response side
  private parser: HeadParser | null = null;
  private readonly framing = new Framing();
  private rs = R.HEAD;
  private readonly body = new BodyToData();
  private pend: Buffer | null = null;
  private pendOff = 0;
  private shutdownAsked = false;
  private ending = false;
  /** Parked by the host between streams. */
  parker = false;

  /** The stream carried now (a gateway and its engine session serve the connection's streams one after another). */
  stream!: H2Stream;

  constructor(private readonly host: GatewayHost) {
    this.tls = host.h2.conn.tls;
  }

  /**
   * Carry stream `s`: validate its request and hand it to the engine (a new session the first time; the
   * same one, as a keep-alive request, when this gateway was parked after an earlier stream).
   */
  open(stream: H2Stream, fields: string[], endStream: boolean, tooLarge: boolean): void {
    const h2 = this.host.h2;
    this.stream = stream;
    stream.user = this;
    this.methodId = Method.OTHER;
    this.reqChunked = this.tunnel = this.shutdownAsked = this.ending = false;
    this.reqLeft = -1;
    this.rs = R.HEAD;
    this.pend = null;
    this.parker = false;
    if (tooLarge) {
      this.host.requestError();
      h2.sendHeaders(stream, [':status', '431', 'content-length', '0'], true);
      if (!stream.closed) h2.resetStream(stream, H2Error.NO_ERROR);
      this.afterStream();
      return;
    }
    const head = this.requestHead(fields, endStream);
    if (head === null) {
      this.host.requestError();
      h2.streamError(stream.id, H2Error.PROTOCOL_ERROR);
      this.afterStream();
      return;
    }
    if (this.session === null) {
      this.early = head;
      this.session = this.host.startSession(this);
    } else {
      this.inbox.put(head, 0, false);
    }
  }

  /** A stream ended before reaching the engine: a fresh gateway goes back to the host, a used one stays parked. */
  private afterStream(): void {
    if (this.session === null) {
      this.isClosed = true;
      this.release();
    } else {
      this.host.park(this);
    }
  }

  /** The HTTP/1 head for the request's fields, or null when the request is malformed. */
  private requestHead(f: string[], endStream: boolean): Buffer | null {
    let method: string | null = null;
    let scheme: string | null = null;
    let path: string | null = null;
    let authority: string | null = null;
    let host: string | null = null;
    let cookie: string | null = null;
    let cl: string | null = null;
    let regular = false;
    let lines = '';
    for (let i = 0; i < f.length; i += 2) {
      const name = f[i]!;
      const value = f[i + 1]!;
      if (name.charCodeAt(0) === 0x3a) {
        if (regular) return null;
        switch (name) {
          case ':method': if (method !== null) return null; method = value; break;
          case ':scheme': if (scheme !== null) return null; scheme = value; break;
          case ':path': if (path !== null) return null; path = value; break;
          case ':authority': if (authority !== null) return null; authority = value; break;
          default: return null;
        }
        continue;
      }
      regular = true;
      if (!TOKEN_LOWER.test(name) || badValue(value)) return null;
      if (CONNECTION_SPECIFIC.has(name)) return null;
      switch (name) {
        case 'te':
          if (value !== 'trailers') return null;
          break;
        case 'host':
          if (host !== null && host !== value) return null;
          host = value;
          continue;
        case 'cookie':
          cookie = cookie === null ? value : `${cookie}; ${value}`;
          continue;
        case 'content-length':
          if (cl !== null && cl !== value) return null;
          if (!/^[0-9]{1,15}$/.test(value)) return null;
          if (cl !== null) continue;
          cl = value;
          break;
      }
      lines += `${name}: ${value}\r\n`;
    }
    if (method === null || !TOKEN.test(method)) return null;
    let target: string;
    if (method === 'CONNECT') {
      if (scheme !== null || path !== null || authority === null || !VISIBLE.test(authority)) return null;
      target = authority;
      this.methodId = Method.CONNECT;
      this.tunnel = true;
    } else {
      if (scheme === null || path === null || path === '' || !VISIBLE.test(path)) return null;
      if (authority !== null && (authority === '' || !VISIBLE.test(authority))) return null;
      target = path;
      this.methodId = method === 'HEAD' ? Method.HEAD : method === 'GET' ? Method.GET : Method.OTHER;
    }
    const hostLine = authority !== null ? `host: ${authority}\r\n` : host !== null ? `host: ${host}\r\n` : '';
    let framing = '';
    if (!this.tunnel) {
      if (endStream) {
        if (cl !== null) {
          if (Number(cl) !== 0) return null;
        } else if (!NO_BODY_METHODS.has(method)) framing = 'content-length: 0\r\n';
      } else if (cl !== null) {
        this.reqLeft = Number(cl);
      } else {
        framing = 'transfer-encoding: chunked\r\n';
        this.reqChunked = true;
      }
    }
    const cookieLine = cookie !== null ? `cookie: ${cookie}\r\n` : '';
    return Buffer.from(`${method} ${target} HTTP/2.0\r\n${hostLine}${lines}${cookieLine}${framing}\r\n`, 'latin1');
  }

  // ------------------------------------------------------------------ request body (StreamUser)

  streamData(s: H2Stream, buf: Buffer, start: number, end: number, endStream: boolean): void {
    if (this.isClosed) return;
    const n = end - start;
    let out: Buffer;
    let lent = false;
    if (this.reqLeft >= 0) {
      if (n > this.reqLeft || (endStream && n !== this.reqLeft)) return this.malformed();
      this.reqLeft -= n;
      out = buf.subarray(start, end);
      lent = true;
    } else if (this.reqChunked) {
      out = chunkOf(buf, start, end, endStream);
    } else {
      out = buf.subarray(start, end);
      lent = true;
    }
    if (out.length === 0) {
      if (n > 0) this.host.h2.consumed(s, n);
      return;
    }
    this.inbox.put(out, n, lent);
  }

  streamHeaders(s: H2Stream, fields: string[], endStream: boolean, tooLarge: boolean): void {
    if (this.isClosed) return;
    if (!endStream || tooLarge) return this.malformed();
    let lines = '';
    for (let i = 0; i < fields.length; i += 2) {
      const name = fields[i]!;
      const value = fields[i + 1]!;
      if (name.charCodeAt(0) === 0x3a || !TOKEN_LOWER.test(name) || badValue(value) || CONNECTION_SPECIFIC.has(name)) {
        return this.malformed();
      }
      lines += `${name}: ${value}\r\n`;
    }
    void s;
    if (this.reqLeft >= 0) {
      if (this.reqLeft !== 0) return this.malformed();
      return; // a body with a content-length carries no trailers in HTTP/1
    }
    if (this.reqChunked) this.inbox.put(Buffer.from(`0\r\n${lines}\r\n`, 'latin1'), 0, false);
  }

  streamReset(_s: H2Stream, _code: number): void {
    if (this.isClosed) return;
    this.isClosed = true;
    this.pend = null;
    // the engine sees its client go away (counted as a client abort)
    this.handler.onError('ECONNRESET');
    this.release();
  }

  streamWritable(_s: H2Stream): void {
    if (this.isClosed || this.pend === null) return;
    if (this.pump()) {
      this.pend = null;
      this.afterPump();
      this.handler.onDrain();
    }
  }

  private malformed(): void {
    this.host.h2.streamError(this.stream.id, H2Error.PROTOCOL_ERROR);
  }

  /** InboxTarget: the engine takes request bytes (from the inbox: now when it reads, else once it does). */
  toEngine(buf: Buffer, dataBytes: number): void {
    this.handler.onData(buf);
    this.host.h2.consumed(this.stream, dataBytes);
  }

  // ------------------------------------------------------------------ Conn (the engine's client)

  readStart(): void {
    this.inbox.start();
  }

  readStop(): void {
    this.inbox.stop();
  }

  detachReadBuffer(): void {
    this.host.h2.conn.detachReadBuffer();
  }

  /** The engine's HTTP/1 response bytes. */
  write(buf: Buffer): boolean {
    if (this.isClosed || this.rs === R.DONE) return true;
    if (this.pend !== null) {
      // the engine keeps one write pending; should a second come, keep both in order
      const from = this.body.keptFrom(this.pendOff);
      this.pend = Buffer.concat([this.pend.subarray(from), buf]);
      this.body.rebase(from);
      this.pendOff -= from;
      return false;
    }
    this.pend = buf;
    this.pendOff = 0;
    if (this.pump()) {
      this.pend = null;
      this.afterPump();
      return true;
    }
    return false;
  }

  /** Convert pend[pendOff..] to frames; true when all of it was taken. */
  private pump(): boolean {
    const h2 = this.host.h2;
    const s = this.stream;
    const buf = this.pend!;
    const end = buf.length;
    while (!this.isClosed) {
      switch (this.rs) {
        case R.HEAD: {
          if (this.pendOff >= end) return true;
          if (this.parser === null) this.parser = takeParser(HeadKind.RESPONSE, responseLimits(this.host.bufsize, this.host.maxhdr));
          const r = this.parser.execute(buf, this.pendOff, end);
          if (r === NEED_MORE) {
            this.pendOff = end;
            return true;
          }
          if (r === PARSE_ERROR || !responseFraming(this.parser.head, this.methodId, false, this.framing) || this.framing.upgrade && !this.tunnel) {
            this.fail();
            return true;
          }
          this.pendOff = r;
          const f = this.framing;
          const fields = fieldsOf(this.parser.head, HOP_FIELDS, [':status', String(this.parser.head.status)]);
          if (f.interim) {
            h2.sendHeaders(s, fields, false);
            this.parser.reset();
            continue;
          }
          h2.sendHeaders(s, fields, f.body === Body.NONE);
          if (f.body === Body.NONE) {
            this.rs = R.DONE;
            continue;
          }
          // a 2xx to CONNECT: a tunnel, the request's DATA goes as it comes
          if (f.body === Body.TUNNEL) this.reqLeft = -1;
          this.body.start(f, responseLimits(this.host.bufsize, this.host.maxhdr));
          this.rs = R.BODY;
          continue;
        }
        case R.BODY: {
          const r = this.body.run(h2, s, buf, this.pendOff, end);
          this.pendOff = this.body.pos;
          if (r === Pump.BLOCKED) return false;
          if (r === Pump.ERROR) {
            this.fail();
            return true;
          }
          if (r === Pump.TAKEN) return true;
          this.rs = R.DONE;
          continue;
        }
        case R.DONE:
          this.responseDone();
          return true;
      }
    }
    return true;
  }

  /** The response's body ends when the engine closes (a body without length, a tunnel). */
  private closeDelimited(): boolean {
    return this.rs === R.BODY && this.framing.body !== Body.LENGTH && this.framing.body !== Body.CHUNKED;
  }

  /** After a write was fully taken: a shutdown asked meanwhile ends a close-delimited body. */
  private afterPump(): void {
    if (this.shutdownAsked && this.closeDelimited() && !this.isClosed) {
      this.host.h2.sendData(this.stream, EMPTY, 0, 0, true);
      this.rs = R.DONE;
      this.responseDone();
    }
  }

  /**
   * The response is complete (END_STREAM sent): stop an upload nobody reads; once the engine has finished
   * the transaction (out of its call stack), the pair waits for the connection's next stream.
   */
  private responseDone(): void {
    if (this.ending) return;
    this.ending = true;
    const s = this.stream;
    if (!s.closed && !s.remoteEnded) this.host.h2.resetStream(s, H2Error.NO_ERROR);
    queueMicrotask(() => {
      if (this.isClosed || this.stream !== s) return;
      this.inbox.clear();
      this.host.park(this);
    });
  }

  /** The engine's response could not be carried (it is lbd's own output: this is a bug, or a bad errorfile). */
  private fail(): void {
    this.host.h2.resetStream(this.stream, H2Error.INTERNAL_ERROR);
    this.rs = R.DONE;
    this.responseDone();
  }

  shutdown(): void {
    if (this.isClosed) return;
    this.shutdownAsked = true;
    if (this.pend !== null) return;
    if (this.closeDelimited()) {
      this.host.h2.sendData(this.stream, EMPTY, 0, 0, true);
      this.rs = R.DONE;
      this.responseDone();
    } else if (this.rs !== R.DONE) {
      this.fail();
    }
  }

  close(): void {
    if (this.isClosed) return;
    this.isClosed = true;
    if (this.parker) this.host.unpark(this);
    const s = this.stream;
    if (!s.closed) {
      if (this.closeDelimited() && this.pend === null) {
        this.host.h2.sendData(s, EMPTY, 0, 0, true);
        if (!s.closed) this.host.h2.resetStream(s, H2Error.NO_ERROR);
      } else if (this.rs === R.DONE) {
        if (!s.closed) this.host.h2.resetStream(s, H2Error.NO_ERROR);
      } else {
        this.host.h2.resetStream(s, H2Error.INTERNAL_ERROR);
      }
    }
    this.pend = null;
    this.session = null;
    this.release();
  }

  reset(): void {
    if (this.isClosed) return;
    if (!this.stream.closed) this.host.h2.resetStream(this.stream, H2Error.CANCEL);
    this.close();
  }

  private release(): void {
    this.inbox.clear();
    if (this.parser !== null) {
      giveParser(this.parser);
      this.parser = null;
    }
  }

  get closed(): boolean {
    return this.isClosed;
  }

  /** The connection is over: end the engine session (which closes this gateway). */
  endSession(): void {
    const sess = this.session;
    this.session = null;
    if (sess !== null) sess.close();
    else this.close();
  }

  pendingBytes(): number {
    return this.pend === null ? 0 : this.pend.length - this.pendOff;
  }

  remoteAddress(): string | null {
    return this.host.h2.conn.remoteAddress();
  }

  localPort(): number | null {
    return this.host.h2.conn.localPort();
  }

  endpoints(): Endpoints | null {
    return this.host.h2.conn.endpoints();
  }
}

const EMPTY = Buffer.alloc(0);
