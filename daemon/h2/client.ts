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
import { NEED_MORE, PARSE_ERROR, type HeadParser } from '../http/parse-head.js';
import { giveParser, sharedLimits, takeParser } from '../http/parser-pool.js';
import { HeadKind, Method, TargetForm } from '../http/head.js';
import { Body, Framing, requestFraming } from '../http/framing.js';
import type { HeadLimits } from '../http/limits.js';
import { BodyToData, CTL_IN_VALUE, HOP_FIELDS, Inbox, Pump, TOKEN_LOWER, chunkOf, fieldsOf } from './h1-bridge.js';
import { DEFAULT_LIMITS, H2Endpoint, H2Stream, type H2Limits, type StreamUser } from './endpoint.js';
import { H2Error, Setting } from './frames.js';
import type { H2Counters } from './counters.js';

/**
 * Streams a new connection opens before the server's SETTINGS say how many it takes: the 100 RFC 9113
 * §6.5.2 recommends as a minimum, or what the server's SETTINGS said on an earlier connection.
 */
const PRE_SETTINGS_STREAMS = 100;
/** Connections dialled at once to one server. */
const MAX_DIALS = 8;
/** The engine's own requests: room for what http-request rules may have added. */
const REQUEST_LIMITS: HeadLimits = sharedLimits(65536, 1024, 1024);
/** Request fields not sent as such: HTTP/1's own, and Host (it becomes :authority). */
const DROP: ReadonlySet<string> = new Set([...HOP_FIELDS, 'host']);

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
  /** Streams opened so far. */
  opened = 0;

  constructor(conn: Conn, counters: H2Counters, private readonly set: H2ServerSet, limits: H2Limits = DEFAULT_LIMITS) {
    super(conn, limits, counters, false);
    this.peerMaxStreams = set.preSettingsStreams;
    counters.openConns++;
    counters.totalConns++;
    conn.handler = this;
    this.sendPreface(true, [
      [Setting.ENABLE_PUSH, 0],
      [Setting.INITIAL_WINDOW_SIZE, this.limits.initialWindow],
      [Setting.MAX_HEADER_LIST_SIZE, this.limits.maxHeaderList],
    ]);
    conn.readStart();
    // a connection no request ends up using closes like an idle one
    this.armIdle();
  }

  /** Room for one more stream now. */
  get available(): boolean {
    return !this.dead && !this.draining && !this.goawayRecvd && this.streams.size < this.peerMaxStreams && this.lastLocalStream < 0x7fff0000;
  }

  /** Usable, but the server's SETTINGS (its stream limit) have not arrived yet. */
  get awaitingSettings(): boolean {
    return !this.settingsSeen && !this.dead && !this.draining;
  }

  /** A new stream for `user` (the caller checked `available`). */
  open(user: StreamUser): H2Stream {
    const id = this.lastLocalStream === 0 ? 1 : this.lastLocalStream + 2;
    this.lastLocalStream = id;
    const s = new H2Stream(id, this.peerInitialWindow, this.limits.initialWindow);
    s.user = user;
    this.streams.set(id, s);
    this.opened++;
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

  protected override peerSettings(): void {
    this.set.learn(this.peerMaxStreams);
    this.set.serve();
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
    if (this.dead) return;
    if (this.streams.size > 0) {
      // room for a request waiting on a server that limits its streams
      if (!this.draining) this.set.serve();
      return;
    }
    if (this.draining) return this.close();
    this.set.serve();
    if (this.streams.size === 0) this.armIdle();
  }

  private armIdle(): void {
    if (this.idleTimer) clearTimeout(this.idleTimer);
    this.idleTimer = setTimeout(() => {
      this.idleTimer = null;
      if (this.streams.size === 0 && !this.dead) {
        this.draining = true;
        this.goaway(H2Error.NO_ERROR);
        this.close();
      }
    }, this.set.idleMs);
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

type WaiterCb = (conn: H2ClientConn | null, err: string | null, reused: boolean) => void;

/**
 * One server's HTTP/2 connections. A request takes a stream on the first connection with room; else it
 * waits for room that is coming (a connection being dialled, or one whose SETTINGS have not arrived yet),
 * and connections are dialled, a few at a time, for the requests that room will not cover. Once a server's
 * SETTINGS are known, new connections open no more streams than it takes before their own SETTINGS
 * arrive, so a burst on a cold start is not refused connection after connection.
 */
export class H2ServerSet {
  private readonly conns: H2ClientConn[] = [];
  /** Requests waiting for room, oldest first. */
  private waiting: Array<{ cb: WaiterCb; timeoutMs: number | null }> = [];
  private dials = 0;
  /** The server's stream limit from the last SETTINGS seen (null: none seen yet). */
  private knownMax: number | null = null;
  private serving = false;

  constructor(readonly key: string, private readonly dialer: H2Dialer, readonly counters: H2Counters, readonly idleMs: number, private readonly connectTimeoutMs: number | null) {}

  /** Streams a new connection may open before its SETTINGS arrive. */
  get preSettingsStreams(): number {
    return this.knownMax === null ? PRE_SETTINGS_STREAMS : Math.max(1, Math.min(this.knownMax, PRE_SETTINGS_STREAMS));
  }

  learn(maxStreams: number): void {
    this.knownMax = maxStreams;
  }

  private firstAvailable(): H2ClientConn | null {
    for (const c of this.conns) if (c.available) return c;
    return null;
  }

  /** A connection with room for a stream: `cb(conn, null, reused)` at once when one has room, else once one does. */
  get(cb: WaiterCb, timeoutMs: number | null): void {
    const c = this.waiting.length === 0 ? this.firstAvailable() : null;
    if (c !== null) return cb(c, null, c.opened > 0);
    this.waiting.push({ cb, timeoutMs });
    this.serve();
  }

  /** Give waiting requests the room there is; dial for those the room coming will not cover. */
  serve(): void {
    if (this.serving) return;
    this.serving = true;
    try {
      for (let c = this.firstAvailable(); c !== null && this.waiting.length > 0; c = this.firstAvailable()) {
        this.waiting.shift()!.cb(c, null, c.opened > 0);
      }
      if (this.waiting.length === 0) return;
      const per = this.preSettingsStreams;
      let coming = this.dials * per;
      for (const c of this.conns) if (c.awaitingSettings) coming++;
      while (this.waiting.length > coming && this.dials < MAX_DIALS) {
        this.dial(this.waiting[this.waiting.length - 1]!.timeoutMs ?? this.connectTimeoutMs);
        coming += per;
      }
    } finally {
      this.serving = false;
    }
  }

  /** No room is coming: the waiting requests fail with `err`. */
  private failIfStuck(err: string): void {
    if (this.dials > 0 || this.waiting.length === 0) return;
    for (const c of this.conns) if (c.available || c.awaitingSettings) return;
    const waiting = this.waiting;
    this.waiting = [];
    for (const w of waiting) w.cb(null, err, false);
  }

  private dial(timeoutMs: number | null): void {
    this.dials++;
    let timer: NodeJS.Timeout | null = null;
    let over = false;
    const done = (err: string | null): void => {
      if (over) return;
      over = true;
      if (timer) clearTimeout(timer);
      this.dials--;
      if (err !== null) {
        conn.close();
        return this.failIfStuck(err);
      }
      this.conns.push(new H2ClientConn(conn, this.counters, this));
      this.serve();
    };
    const conn = this.dialer(done);
    if (timeoutMs !== null && !over) {
      timer = setTimeout(() => done('ETIMEDOUT'), timeoutMs);
    }
  }

  gone(c: H2ClientConn): void {
    const i = this.conns.indexOf(c);
    if (i >= 0) this.conns.splice(i, 1);
    // a connection lost before its SETTINGS: its waiters fail unless other room is coming (no redial loop)
    this.failIfStuck('ECONNRESET');
  }

  /** Server removed, in maintenance, or the process stops: no new streams, close when idle. */
  drainAll(): void {
    for (const c of [...this.conns]) c.drain();
  }
}

const enum Q { HEAD, BODY, DONE }
const enum P { WAIT, HEAD_SENT, BODY, DONE }

/**
 * One request to an h2 server, seen by the HTTP engine as its server connection: HTTP/1 bytes in
 * (the request), HTTP/1 bytes out (the response).
 */
export class ServerStream implements Conn, StreamUser {
  handler: ConnHandler = NO_HANDLER;
  private stream: H2Stream | null = null;
  private isClosed = false;
  // request (engine -> server)
  private parser: HeadParser = takeParser(HeadKind.REQUEST, REQUEST_LIMITS);
  private parserGiven = false;
  private readonly framing = new Framing();
  private q = Q.HEAD;
  private readonly body = new BodyToData();
  private pend: Buffer | null = null;
  private pendOff = 0;
  private method = Method.OTHER;
  // response (server -> engine)
  private p = P.WAIT;
  private resChunked = false;
  private readonly inbox = new Inbox(this);
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
          h2.sendHeaders(s, fields, f.body === Body.NONE);
          if (f.body === Body.NONE) {
            this.q = Q.DONE;
          } else {
            this.body.start(f, REQUEST_LIMITS);
            this.q = Q.BODY;
          }
          continue;
        }
        case Q.BODY: {
          const r = this.body.run(h2, s, buf, this.pendOff, end);
          this.pendOff = this.body.pos;
          if (r === Pump.BLOCKED) return false;
          if (r === Pump.ERROR) {
            this.abort();
            return true;
          }
          if (r === Pump.TAKEN) return true;
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
    fieldsOf(h, DROP, out);
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
        if (name.charCodeAt(0) === 0x3a || CTL_IN_VALUE.test(fields[i + 1]!)) continue;
        lines += `${name}: ${fields[i + 1]}\r\n`;
      }
      this.inbox.put(Buffer.from(`${lines}\r\n`, 'latin1'), 0);
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
      if (name.charCodeAt(0) === 0x3a || !TOKEN_LOWER.test(name) || CTL_IN_VALUE.test(value)) {
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
      this.inbox.put(Buffer.from(`${start}${lines}\r\n`, 'latin1'), 0);
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
    this.inbox.put(Buffer.from(`${start}${lines}${framing}\r\n`, 'latin1'), 0);
  }

  streamData(s: H2Stream, buf: Buffer, start: number, end: number, endStream: boolean): void {
    if (this.isClosed) return;
    const n = end - start;
    if (this.p !== P.BODY) {
      if (n > 0) return this.h2.streamError(s.id, H2Error.PROTOCOL_ERROR);
      return;
    }
    if (this.resChunked) {
      if (n > 0 || endStream) this.inbox.put(chunkOf(buf, start, end, endStream), n);
    } else if (n > 0) {
      this.inbox.put(buf.subarray(start, end), n, true);
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

  /** InboxTarget: the engine takes response bytes (from the inbox: now when it reads, else once it does). */
  toEngine(buf: Buffer, dataBytes: number): void {
    this.handler.onData(buf);
    if (dataBytes > 0 && this.stream !== null) this.h2.consumed(this.stream, dataBytes);
  }

  // ------------------------------------------------------------------ Conn

  readStart(): void {
    this.inbox.start();
  }

  readStop(): void {
    this.inbox.stop();
  }

  /** The engine keeps a body part it was given: the transport's read buffer must not be reused. */
  detachReadBuffer(): void {
    this.h2.conn.detachReadBuffer();
  }

  shutdown(): void {}

  close(): void {
    if (!this.parserGiven) {
      this.parserGiven = true;
      giveParser(this.parser);
    }
    if (this.isClosed && (this.stream === null || this.stream.closed)) return;
    this.isClosed = true;
    const s = this.stream;
    if (s !== null && !s.closed) {
      // a request abandoned by the engine (client gone, timeout): the server may stop working on it
      this.h2.resetStream(s, this.q === Q.DONE && this.p === P.DONE ? H2Error.NO_ERROR : H2Error.CANCEL);
    }
    this.pend = null;
    this.inbox.clear();
  }

  reset(): void {
    this.close();
  }

  get closed(): boolean {
    return this.isClosed;
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
