/**
 * One client connection of a `mode http` frontend: lbd's HTTP/1 engine.
 *
 * The client's bytes are parsed by lbd's strict wire layer (daemon/http), one request at a time:
 *  - head: parsed in place (HeadParser), framing decided (framing.ts), `monitor-uri`, frontend
 *    `http-request` rules, `use_backend`, backend rules, `option forwardfor`, cookie persistence or
 *    the balancer, then a server connection from the pool (http-reuse; a reused one is handed over
 *    synchronously, so a keep-alive request costs no extra tick) and the head is written to it;
 *  - body: streamed as it comes (Content-Length counted down, chunked passed through as received while
 *    a ChunkedDecoder finds its end), with one pending write per direction: a write that does not
 *    complete stops reading the other side until it drains, so memory stays flat;
 *  - response: parsed the same strict way (a malformed one is a 502), `http-response` rules, hop-by-hop
 *    fields removed, lbd's own Connection field, body streamed; then the server connection goes back
 *    to the pool when it can carry another request, and the next request is read.
 * Pipelined requests wait (copied, bounded by tune.bufsize, reading paused beyond) until the response
 * before them is complete, then are handled in order. `Upgrade` (WebSocket) and CONNECT switch to a
 * tunnel under `timeout tunnel`. Local answers (errors, deny, return, redirect, auth) are HAProxy's.
 *
 * Timeouts: one timer per session, re-armed lazily (a later deadline only updates a field): `timeout
 * http-request` for a head (408), `http-keep-alive` between requests (silent close), `server` for the
 * response head (504), `client`/`server` inactivity while bodies move, `tunnel`, `queue` (503), `connect`.
 */
import type { Backend, QueueWaiter } from '../runtime/backend.js';
import type { Server } from '../runtime/server.js';
import { observeResult } from '../runtime/server-state.js';
import type { Frontend } from '../runtime/frontend.js';
import type { Conn, ConnHandler } from './conn.js';
import { HeadParser, NEED_MORE, PARSE_ERROR } from '../http/parse-head.js';
import { HeadKind, Method } from '../http/head.js';
import { Body, Framing, requestFraming, responseFraming } from '../http/framing.js';
import { Chunk, ChunkedDecoder } from '../http/chunked.js';
import { HOP_KEEP_TRANSFER_ENCODING, HOP_KEEP_UPGRADE, markHopByHop } from '../http/hop-by-hop.js';
import { errorResponse, muxError } from '../http/errors.js';
import type { HeadEdits } from '../http/serialize.js';
import { RequestMessage, ResponseMessage } from '../http/message.js';
import { RuleResult, Verdict, errorPage, runRequestRules, runResponseRules, type RuleContext } from '../http/rules.js';
import { persistFromRequest, persistOnResponse, type CookieChoice } from '../http/cookie-persist.js';
import { connectionModeOf, forwardForOf, httpHashKey } from '../http/acl/index.js';
import { plainAddress, type RequestView } from '../http/acl/index.js';
import type { PooledConn, HttpPool, PoolError, PoolServer, ReuseMode } from '../http/pool.js';
import { parseKeepAliveTimeout } from '../http/pool-keepalive.js';
import type { HttpConnectionMode, RetryOn } from '../config/types.js';
import type { TxnLog } from '../http/txn-log.js';
import { proxyHeaderFor } from './proxy-protocol.js';
import { minTimeout } from './tcp-session.js';
import { nextSessionId } from './session-id.js';
import { Deadline, type DeadlineOwner } from '../runtime/deadline.js';
import { giveParser, sharedLimits, takeParser } from '../http/parser-pool.js';
import { H2ServerConn } from '../h2/server.js';
import { PREFACE } from '../h2/frames.js';
import { monoEpochNow, monoNow, monoToWall } from '../runtime/clock.js';


const enum C { HEAD, BODY, DONE, TUNNEL, CLOSING, CLOSED }
const enum S { NONE, WAIT, HEAD, BODY, DONE, TUNNEL }
const enum T { NONE, REQ, KEEPALIVE, SERVER, DATA, TUNNEL, FLUSH }

/** Keep the Upgrade field, or Transfer-Encoding, when forwarding. */
const KEEP_UPGRADE: ReadonlySet<string> = new Set(['upgrade']);
const KEEP_TE: ReadonlySet<string> = new Set(['transfer-encoding']);
const KEEP_BOTH: ReadonlySet<string> = new Set(['upgrade', 'transfer-encoding']);

const CONNECTION_CLOSE: readonly [string, string] = ['Connection', 'close'];
const CONNECTION_KEEP_ALIVE: readonly [string, string] = ['Connection', 'keep-alive'];
const CONNECTION_UPGRADE: readonly [string, string] = ['Connection', 'upgrade'];

/** What the client of a session is: a connection, or the first or a later HTTP/2 stream of one. */
export const STREAM_NONE = 0;
export const STREAM_FIRST = 1;
export const STREAM_LATER = 2;
export type StreamKind = typeof STREAM_NONE | typeof STREAM_FIRST | typeof STREAM_LATER;

const IDEMPOTENT = new Set<Method>([Method.GET, Method.HEAD, Method.PUT, Method.DELETE, Method.OPTIONS, Method.TRACE]);

/** What the HTTP engine needs from the process: the server connection pool and the backends by name. */
export interface HttpContext {
  readonly pool: HttpPool;
  readonly backends: ReadonlyMap<string, Backend>;
  readonly maxhdr: number;
}

/** The server connection's handler: forwards to the session (one object per session, no closures per request). */
class ServerSide implements ConnHandler {
  constructor(private readonly sess: HttpSession) {}
  onData(buf: Buffer): void {
    try {
      this.sess.serverData(buf);
    } catch (e) {
      this.sess.internalError(e);
    }
  }
  onEnd(): void {
    this.sess.serverEnd(null);
  }
  onError(code: string): void {
    this.sess.serverEnd(code);
  }
  onDrain(): void {
    this.sess.serverDrain();
  }
}

export class HttpSession implements ConnHandler, DeadlineOwner {
  readonly id = nextSessionId();
  private readonly start = monoEpochNow();
  private readonly reqParser: HeadParser;
  private readonly resParser: HeadParser;
  private readonly reqF = new Framing();
  private readonly resF = new Framing();
  private reqChunk: ChunkedDecoder | null = null;
  private resChunk: ChunkedDecoder | null = null;
  private readonly req = new RequestMessage();
  private readonly res = new ResponseMessage();
  private readonly rr = new RuleResult();
  private readonly srvSide = new ServerSide(this);
  private readonly ctx: HttpContext;
  private cState = C.HEAD;
  private sState = S.NONE;
  private clientReading = false;
  private clientEndedFlag = false;
  private reqBlocked = false;
  private resBlocked = false;
  /** Client bytes received while the server connection was being set up (the head and body start). */
  private held: Buffer | null = null;
  /** Pipelined bytes received while a response was still going. */
  private pending: Buffer | null = null;
  private requests = 0;

  // the current transaction
  private be: Backend | null = null;
  /** The server of this request (counted in its `cur` while the request lasts). */
  target: Server | null = null;
  private pc: PooledConn | null = null;
  /** http-reuse never: the session's own server connection, kept between its requests. */
  private ownPc: PooledConn | null = null;
  private reqHead: Buffer | null = null;
  private reqLeft = 0;
  private resLeft = 0;
  private closeAfter = false;
  private mode: HttpConnectionMode = 'keep-alive';
  private retriesLeft = 0;
  private tried: Set<Server> | null = null;
  private waiter: QueueWaiter | null = null;
  private resStarted = false;
  private srvExtra = false;
  private cookie: CookieChoice | null = null;
  private cookieState = '--';
  /** A head not written yet: it goes out with the first body bytes (see bytesToClient / bytesToServer). */
  private headOut: Buffer | null = null;
  private headIn: Buffer | null = null;
  private byCookie = false;
  private retryable = false;
  private redispatched = false;
  private retried = 0;
  private termination = '--';
  private status = -1;
  private bytesIn = 0;
  private bytesOut = 0;
  /** The server this request's connection goes to (for the log's %si:%sp). */
  private connectedTo: Server | null = null;
  // timestamps (ms)
  private tIdle = 0;
  private tReq = 0;
  private tHead = 0;
  private tQueue = 0;
  private tConn = 0;
  private tConnDone = 0;
  private tResHead = 0;
  private txnOpen = false;

  // the single timer: tDeadline (monoNow() base) moves with activity; the heap deadline only when it must come earlier
  private tKind = T.NONE;
  private tMs = 0;
  private tDeadline = 0;
  private readonly deadline = new Deadline(this);

  /**
   * `stream`: the client is one HTTP/2 stream (daemon/h2/gateway.ts), not a connection: STREAM_FIRST for
   * the first of its connection, STREAM_LATER for the others (http-reuse safe treats them as later
   * requests of the client's session, as HAProxy does). The connection's frontend slot belongs to the
   * HTTP/2 connection, which frees it.
   */
  constructor(readonly client: Conn, readonly frontend: Frontend, ctx: HttpContext, private readonly stream: StreamKind = STREAM_NONE) {
    this.ctx = ctx;
    const limits = sharedLimits(frontend.proc.bufsize, 1024, ctx.maxhdr);
    this.reqParser = takeParser(HeadKind.REQUEST, limits);
    this.resParser = takeParser(HeadKind.RESPONSE, limits);
    this.req.endpoints = () => client.endpoints();
    this.req.tls = client.tls ?? null;
    frontend.proc.sessions.add(this);
    client.handler = this;
    // a logging frontend needs the client's address even after a reset: read it now
    if (frontend.accessLog) void this.req.src;
    this.tIdle = this.start;
    const t = frontend.cfg.timeouts;
    this.setTimer(T.REQ, t.httpRequest ?? t.client);
    this.readClient(true);
    const early = client.early;
    if (early) {
      client.early = null;
      this.clientData(early, 0, early.length);
    }
    if (client.earlyEnd) {
      client.earlyEnd = false;
      this.onEnd();
    }
  }

  /** Epoch ms when the client was accepted (`show sess`). */
  get startedAt(): number {
    return this.start;
  }

  /** A request is in progress (`show sess` lists only those, as HAProxy does for HTTP connections). */
  get inProgress(): boolean {
    return this.txnOpen;
  }

  /** The backend of the request in progress (`show sess`), or null between requests. */
  get backend(): Backend | null {
    return this.txnOpen ? this.be : null;
  }

  /** For `show sess`: the client sent FIN; the server side of the current request is over. */
  get clientEnded(): boolean {
    return this.clientEndedFlag;
  }
  get serverEnded(): boolean {
    return this.sState === S.DONE || this.sState === S.NONE;
  }

  // ---------------------------------------------------------------- client side

  onData(buf: Buffer): void {
    try {
      this.clientData(buf, 0, buf.length);
    } catch (e) {
      this.internalError(e);
    }
  }

  /**
   * A bug of lbd's met while handling this session (an exception): the daemon goes on. The request gets
   * HAProxy's 500 when nothing of its response was sent yet, else the connection closes; logged and
   * counted (eint).
   */
  internalError(e: unknown): void {
    this.frontend.log.alert(`${this.frontend.name}: internal error in HTTP session: ${e instanceof Error ? e.stack ?? e.message : String(e)}`);
    this.frontend.counters.internalErrors++;
    if (this.cState === C.CLOSED) return;
    try {
      if (this.txnOpen && this.sState !== S.BODY && this.sState !== S.TUNNEL && this.cState !== C.CLOSING) {
        this.termination = 'PI';
        return this.respondError(500);
      }
    } catch {
      // fall through to close
    }
    this.close();
  }

  private clientData(buf: Buffer, off: number, end: number): void {
    while (off < end) {
      switch (this.cState) {
        case C.HEAD: {
          if (!this.reqParser.started) {
            if (buf[off] === 0x50 && this.requests === 0 && this.stream === STREAM_NONE && isPrefacePrefix(buf, off, end)) {
              return this.upgradeToH2(buf, off, end);
            }
            this.firstByte();
          }
          const r = this.reqParser.execute(buf, off, end);
          if (r === NEED_MORE) return;
          if (r === PARSE_ERROR) return this.badRequest();
          if (!this.requestHead(buf, r, end)) return;
          off = r;
          continue;
        }
        case C.BODY:
          off = this.requestBody(buf, off, end);
          if (this.reqBlocked && off < end) {
            // a write is pending: keep the rest for when the server drains
            this.stash(buf, off, end);
            return;
          }
          continue;
        case C.DONE:
          this.stash(buf, off, end);
          return;
        case C.TUNNEL:
          this.bytesIn += end - off;
          this.touch();
          if (this.pc && !this.pc.conn.write(off === 0 ? buf : buf.subarray(off, end))) {
            this.client.detachReadBuffer();
            this.reqBlocked = true;
            this.readClient(false);
          }
          return;
        default:
          return;
      }
    }
  }

  /** Keep client bytes that cannot be handled now (pipelined requests, or a body behind a pending write). */
  private stash(buf: Buffer, off: number, end: number): void {
    const part = buf.subarray(off, end);
    this.pending = this.pending ? Buffer.concat([this.pending, part]) : Buffer.from(part);
    if (this.pending.length >= this.frontend.proc.bufsize) this.readClient(false);
  }

  /** The first byte of a request: the idle time ends, `timeout http-request` starts. */
  private firstByte(): void {
    const now = monoEpochNow();
    this.tReq = now;
    if (this.requests > 0) {
      const t = this.frontend.cfg.timeouts;
      this.setTimer(T.REQ, t.httpRequest ?? t.client);
    }
  }

  private readClient(on: boolean): void {
    if (on) {
      if (this.clientReading || this.clientEndedFlag || this.cState === C.CLOSED) return;
      if (this.reqBlocked || (this.pending !== null && this.pending.length >= this.frontend.proc.bufsize)) return;
      this.clientReading = true;
      this.client.readStart();
    } else if (this.clientReading) {
      this.clientReading = false;
      this.client.readStop();
    }
  }

  onEnd(): void {
    if (this.cState === C.CLOSED) return;
    this.clientEndedFlag = true;
    this.clientReading = false;
    switch (this.cState) {
      case C.HEAD:
        // HAProxy 2.6 answers 400 to a client that closes before its request is complete, even before the
        // first byte of a connection's first request; an idle keep-alive connection just closes
        if (this.reqParser.started || this.requests === 0) {
          this.countBadRequest();
          this.openTxnForLog();
          this.termination = 'CR';
          this.status = 400;
          this.countStatus(400, null);
          return this.sendAndClose(muxError(400));
        }
        return this.close();
      case C.BODY:
        this.abort('CD');
        return;
      case C.TUNNEL:
        this.pc?.conn.shutdown();
        if (this.sState !== S.TUNNEL) return this.close();
        return;
      case C.CLOSING:
        return;
      default:
        // the request is complete: the response still goes out, then lbd closes
        return;
    }
  }

  onError(code: string): void {
    if (this.cState === C.CLOSED) return;
    this.frontend.debug(`client error: ${code}`);
    if (this.cState === C.HEAD && !this.reqParser.started) return this.close();
    this.abort(this.cState === C.HEAD ? 'CR' : 'CD');
  }

  onDrain(): void {
    if (this.resBlocked) {
      this.resBlocked = false;
      if (this.pc && (this.sState === S.BODY || this.sState === S.TUNNEL)) this.pc.conn.readStart();
    }
    if (this.cState === C.CLOSING && this.client.pendingBytes() === 0) this.close();
  }

  // ---------------------------------------------------------------- request

  /** A request refused before it was parsed (400, 408): HAProxy counts it in req_tot and ereq. */
  private countBadRequest(): void {
    const c = this.frontend.counters;
    c.reqErrors++;
    c.httpReqs++;
    c.reqRate.add(monoEpochNow());
  }

  private badRequest(): void {
    const p = this.reqParser;
    this.countBadRequest();
    this.openTxnForLog();
    this.status = p.errorStatus;
    this.termination = 'PR';
    const page = p.errorStatus === 400 || p.errorStatus === 408 || p.errorStatus === 422 ? muxError(p.errorStatus) : errorResponse(p.errorStatus, true);
    this.countStatus(p.errorStatus, null);
    this.sendAndClose(page);
  }

  /** A complete request head: decide where it goes. false when the rest of the bytes must wait (or the session ended). */
  private requestHead(buf: Buffer, bodyStart: number, end: number): boolean {
    const now = monoEpochNow();
    const fe = this.frontend;
    const h = this.reqParser.head;
    this.tHead = now;
    if (this.tReq === 0) this.tReq = now;
    this.openTxn();
    this.bytesIn = h.length + h.skipped;
    this.req.reset(h);
    const f = this.reqF;
    fe.counters.httpReqs++;
    fe.counters.reqRate.add(now);
    if (!requestFraming(h, f)) {
      fe.counters.reqErrors++;
      this.status = f.status;
      this.termination = 'PR';
      this.countStatus(f.status, null);
      this.sendAndClose(f.status === 400 || f.status === 422 ? muxError(f.status) : errorResponse(f.status, true));
      return false;
    }
    const feHttp = fe.cfg.http;
    this.closeAfter = !f.keepAlive || fe.proc.stopping;
    // monitor-uri: answered here, never forwarded
    if (feHttp?.monitorUri != null && (feHttp.monitorUri.startsWith('/') ? this.req.path === feHttp.monitorUri : this.req.url === feHttp.monitorUri)) {
      fe.counters.intercepted++;
      return this.respondLocally(errorResponse(200, this.closeAfter), 200, 'LR', bodyStart, end, buf);
    }
    const rctx = this.ruleContext(fe.name, feHttp?.errorFiles ?? []);
    if (feHttp && feHttp.requestRules.length) {
      this.rr.reset();
      runRequestRules(feHttp.requestRules, this.req, rctx, this.rr);
      if (this.rr.verdict !== Verdict.CONTINUE) return this.ruleVerdict(bodyStart, end, buf);
    }
    // backend
    const be = this.route();
    if (be === null) {
      fe.counters.failed++;
      return this.respondLocally(errorPage(503, feHttp?.errorFiles ?? [], this.closeAfter), 503, 'SC', bodyStart, end, buf);
    }
    this.be = be;
    be.counters.open(now);
    be.counters.httpReqs++;
    be.counters.reqRate.add(now);
    const beHttp = be.cfg.http;
    if (beHttp && beHttp.requestRules.length) {
      this.rr.reset();
      runRequestRules(beHttp.requestRules, this.req, this.ruleContext(be.cfg.name, beHttp.errorFiles), this.rr);
      if (this.rr.verdict !== Verdict.CONTINUE) return this.ruleVerdict(bodyStart, end, buf);
    }
    this.mode = connectionModeOf(feHttp, beHttp);
    if (this.mode === 'close') this.closeAfter = true;
    // body framing state
    if (f.body === Body.LENGTH) this.reqLeft = f.length;
    else if (f.body === Body.CHUNKED) (this.reqChunk ??= new ChunkedDecoder(this.reqParser.limits)).reset();
    // the head for the server
    this.reqHead = this.serializeRequest(be);
    this.retriesLeft = be.cfg.retries;
    this.tried = null;
    this.retryable = f.body === Body.NONE && !f.upgrade;
    this.held = null;
    // cookie persistence
    this.byCookie = false;
    this.cookie = null;
    const ck = beHttp?.cookie ?? null;
    if (ck !== null) {
      this.cookie = persistFromRequest(ck, be, this.req);
      if (this.cookie.server !== null) this.byCookie = true;
      if (this.req.edited) this.reqHead = this.serializeRequest(be);
    }
    // the rest of the client's bytes (body, pipelined requests) are handled once the server is there;
    // the head (a view of `buf` when unchanged) must survive until then
    this.held = bodyStart < end ? buf.subarray(bodyStart, end) : null;
    this.cState = f.body === Body.NONE ? C.DONE : C.BODY;
    this.sState = S.WAIT;
    this.assign();
    const c = this.cState as C;
    if (this.sState === S.WAIT && (c === C.DONE || c === C.BODY)) {
      // the connection comes later (dial, queue): copy what is still needed of the bytes lent by onData
      // (the head, a body start: small) rather than keep the connection's whole read buffer, and read nothing meanwhile
      if (this.reqHead !== null && this.reqHead.buffer === buf.buffer) this.reqHead = Buffer.from(this.reqHead);
      if (this.held !== null) this.held = Buffer.from(this.held);
      this.readClient(false);
    }
    return false;
  }

  private ruleContext(name: string, files: RuleContext['errorFiles']): RuleContext {
    return { proxyName: name, errorFiles: files, close: this.closeAfter, keepAlive10: !this.closeAfter && !this.reqParser.head.http11 };
  }

  /** A rule stopped the request: answer, or close (reject). */
  private ruleVerdict(bodyStart: number, end: number, buf: Buffer): boolean {
    const rr = this.rr;
    const fe = this.frontend;
    if (rr.verdict === Verdict.REJECT) {
      fe.counters.deniedReq++;
      this.termination = 'PR';
      this.logTxn();
      this.close();
      return false;
    }
    if (rr.denied) {
      fe.counters.deniedReq++;
      if (this.be) this.be.counters.deniedReq++;
    } else fe.counters.intercepted++;
    return this.respondLocally(rr.response!, rr.status, rr.denied ? 'PR' : 'LR', bodyStart, end, buf);
  }

  /** Which backend: `use_backend` rules (HTTP fetches allowed), else `default_backend`. */
  private route(): Backend | null {
    const fe = this.frontend;
    for (const r of fe.cfg.useBackends) {
      if (r.cond === null || r.cond.test(this.req)) return this.ctx.backends.get(r.backend) ?? null;
    }
    const d = fe.cfg.defaultBackend;
    return d === null ? null : this.ctx.backends.get(d) ?? null;
  }

  private serializeRequest(be: Backend): Buffer {
    const h = this.reqParser.head;
    const f = this.reqF;
    const chunked = f.body === Body.CHUNKED;
    markHopByHop(h, (f.upgrade ? HOP_KEEP_UPGRADE : 0) | (chunked ? HOP_KEEP_TRANSFER_ENCODING : 0));
    let conn: readonly [string, string] | null = null;
    if (f.upgrade) conn = CONNECTION_UPGRADE;
    else if (this.mode !== 'keep-alive') conn = CONNECTION_CLOSE;
    else if (!h.http11) conn = CONNECTION_KEEP_ALIVE;
    const feHttp = this.frontend.cfg.http;
    const xff = feHttp?.forwardFor || be.cfg.http?.forwardFor ? forwardForOf(feHttp, be.cfg.http, this.req.src) : null;
    let edits: HeadEdits | null = null;
    if (xff !== null && !(xff.ifNone && this.req.header(xff.header.toLowerCase()).length > 0)) {
      const field: readonly [string, string] = [xff.header, plainAddress(this.req.src)];
      edits = { add: conn ? [field, conn] : [field] };
    } else if (conn !== null) edits = conn === CONNECTION_CLOSE ? CLOSE_EDITS : conn === CONNECTION_UPGRADE ? UPGRADE_EDITS : KEEP_ALIVE_EDITS;
    return this.req.serialize(edits, f.upgrade ? (chunked ? KEEP_BOTH : KEEP_UPGRADE) : chunked ? KEEP_TE : null);
  }

  // ---------------------------------------------------------------- server selection and connection

  private hashKey(be: Backend): string | null {
    const b = be.cfg.balance;
    if (b.algorithm === 'source') return this.req.src;
    if (b.key) return httpHashKey(b.key, this.req);
    return null;
  }

  private assign(): void {
    const be = this.be!;
    if (this.byCookie && this.cookie?.server && (this.tried === null || !this.tried.has(this.cookie.server))) {
      const s = this.cookie.server;
      if (s.cfg.maxconn === 0 || s.counters.cur < s.cfg.maxconn) return this.connect(s);
    }
    const key = this.hashKey(be);
    const r = be.select(key, this.tried);
    if (r === null) return this.noServer('SC');
    if (r === 'queue') {
      if (!be.canQueue()) return this.noServer('sQ');
      this.tQueue = monoEpochNow();
      const waiter: QueueWaiter = {
        enqueuedAt: this.tQueue,
        tried: this.tried,
        hashKey: key,
        timer: null,
        assigned: (s) => {
          this.waiter = null;
          if (this.cState === C.CLOSED) {
            if (s) be.dequeue();
            return;
          }
          if (s === null) return this.noServer('sQ');
          this.connect(s);
        },
      };
      this.waiter = waiter;
      be.enqueue(waiter);
      return;
    }
    this.connect(r);
  }

  /** No server (none usable, queue full or timed out, connect failed): 503. */
  private noServer(term: string): void {
    const be = this.be!;
    be.counters.connectErrors++;
    this.frontend.counters.failed++;
    this.termination = term;
    this.respondError(503);
  }

  private connect(s: Server): void {
    const now = monoEpochNow();
    if (this.target !== s) {
      if (this.target) this.leaveServer();
      this.target = s;
      s.counters.open(now);
      s.counters.httpReqs++;
      s.counters.reqRate.add(now);
      s.sessionsSet.add(this);
    }
    this.tConn = now;
    const be = this.be!;
    const reuse = be.cfg.http?.httpReuse ?? 'safe';
    const own = this.ownPc;
    if (own !== null) {
      this.ownPc = null;
      if (own.serverKey === poolServer(s, this.client, this.req).key && !own.conn.closed) return this.connected(own, s, true);
      this.ctx.pool.release(own, { reusable: false, keepAliveMs: null });
    }
    // a request with a PROXY header gets a connection of its own
    this.acquire(s, s.cfg.sendProxy !== 0 ? 'never' : reuse, this.requests === 0 && this.stream !== STREAM_LATER);
  }

  /** Ask the pool for a connection to `s` (cb runs at once for an idle one). */
  private acquire(s: Server, reuse: ReuseMode, first: boolean): void {
    const o = this.acquireOpts;
    o.reuse = reuse;
    o.firstRequestOfClientSession = first;
    o.idempotent = IDEMPOTENT.has(this.reqParser.head.methodId);
    o.connectTimeoutMs = this.be!.cfg.timeouts.connect;
    this.acquiring = s;
    this.ctx.pool.acquire(poolServer(s, this.client, this.req), o, this.onAcquired);
  }

  private readonly acquireOpts: { reuse: ReuseMode; firstRequestOfClientSession: boolean; idempotent: boolean; connectTimeoutMs: number | null } = {
    reuse: 'safe',
    firstRequestOfClientSession: true,
    idempotent: true,
    connectTimeoutMs: null,
  };
  private acquiring: Server | null = null;

  private readonly onAcquired = (err: PoolError | null, pc: PooledConn | null): void => {
    const s = this.acquiring;
    this.acquiring = null;
    if (this.cState === C.CLOSED || s === null) {
      if (pc) this.ctx.pool.release(pc, { reusable: true, keepAliveMs: null });
      return;
    }
    if (err !== null) return this.connectFailed(s, err.code);
    this.connected(pc!, s, pc!.reused);
  };

  private connectFailed(s: Server, code: string): void {
    const be = this.be!;
    s.counters.connectErrors++;
    be.counters.connectErrors++;
    observeResult(s, false);
    this.frontend.debug(`connect to ${s.key} failed: ${code}`);
    if (this.retriesLeft <= 0) {
      this.termination = 'SC';
      this.frontend.counters.failed++;
      return this.respondError(503);
    }
    this.countRetry(s);
    if (be.cfg.redispatch && (this.retriesLeft === 0 || !s.eligible())) return this.redispatch(s);
    // HAProxy waits min(timeout connect, 1 s) before trying the same server again
    const delay = Math.min(be.cfg.timeouts.connect ?? 1000, 1000);
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      if (this.cState !== C.CLOSED && this.target === s) this.connect(s);
    }, delay);
  }

  private retryTimer: NodeJS.Timeout | null = null;

  /** One more attempt of this request on `s` (wretr). */
  private countRetry(s: Server): void {
    this.retriesLeft--;
    this.retried++;
    s.counters.retries++;
    this.be!.counters.retries++;
  }

  /** `option redispatch`: leave `s` for good (this request) and let the balancer choose another server. */
  private redispatch(s: Server): void {
    const be = this.be!;
    (this.tried ??= new Set()).add(s);
    s.counters.redispatches++;
    be.counters.redispatches++;
    this.redispatched = true;
    this.byCookie = false;
    this.leaveServer();
    this.target = null;
    // the slot left may serve a request waiting in the queue
    if (s.cfg.maxconn > 0) be.dequeue();
    this.assign();
  }

  private connected(pc: PooledConn, s: Server, reused: boolean): void {
    const now = monoEpochNow();
    this.pc = pc;
    this.tConnDone = now;
    const be = this.be!;
    if (reused) {
      s.counters.reuse++;
      be.counters.reuse++;
    } else {
      s.counters.connects++;
      be.counters.connects++;
      const ms = now - this.tConn;
      s.counters.connectTime.add(ms);
      s.counters.connectSamples++;
      be.counters.connectTime.add(ms);
      be.counters.connectSamples++;
      // a connect that works says nothing under `observe layer7` (HAProxy ignores it there): only layer4 counts it
      if (s.cfg.observe === 'layer4') observeResult(s, true);
    }
    this.connectedTo = s;
    pc.conn.handler = this.srvSide;
    this.sState = S.HEAD;
    this.resStarted = false;
    this.srvExtra = false;
    this.resParser.reset();
    if (s.cfg.sendProxy !== 0 && !reused && !s.cfg.ssl) pc.conn.write(proxyHeaderFor(this.client, s.cfg.sendProxy));
    // the head leaves with the first body bytes when they are here (one write)
    this.headIn = this.reqHead!;
    if (this.cState === C.DONE) this.setTimer(T.SERVER, be.cfg.timeouts.server);
    else this.setTimer(T.DATA, minTimeout(this.frontend.cfg.timeouts.client, be.cfg.timeouts.server));
    const held = this.held;
    this.held = null;
    if (held !== null) {
      if (this.cState === C.DONE) this.stash(held, 0, held.length);
      else this.clientData(held, 0, held.length);
    }
    if (this.headIn !== null && this.pc === pc) this.bytesToServer(EMPTY);
    if (this.cState !== C.CLOSED) this.readClient(this.cState === C.BODY || this.cState === C.DONE);
  }

  private bytesToServer(b: Buffer): void {
    const pc = this.pc!;
    const head = this.headIn;
    if (head !== null) {
      this.headIn = null;
      const joined = joinOut(head, b);
      if (joined === null) pc.conn.write(head);
      else b = joined;
    }
    if (!pc.conn.write(b)) {
      this.client.detachReadBuffer();
      this.reqBlocked = true;
      this.readClient(false);
    }
  }

  /** Forward request body bytes; returns where the request's bytes end in `buf`. */
  private requestBody(buf: Buffer, off: number, end: number): number {
    this.touch();
    const f = this.reqF;
    if (f.body === Body.LENGTH) {
      const n = Math.min(this.reqLeft, end - off);
      this.reqLeft -= n;
      this.bytesIn += n;
      this.bytesToServer(off === 0 && n === buf.length ? buf : buf.subarray(off, off + n));
      if (this.reqLeft === 0) this.requestDone();
      return off + n;
    }
    if (f.body === Body.CHUNKED) {
      const p = scanChunked(this.reqChunk!, buf, off, end);
      if (p === CHUNK_ERROR) {
        // a bad chunked request body: HAProxy's 400 while no response has started, else the connection goes
        this.frontend.counters.reqErrors++;
        if (this.sState === S.HEAD && !this.resStarted) {
          this.termination = 'PD';
          this.releaseServer(false);
          this.status = 400;
          this.countStatus(400, null);
          this.sendAndClose(muxError(400));
        } else this.abort('PD');
        return end;
      }
      if (p !== CHUNK_MORE) {
        this.bytesIn += p - off;
        this.bytesToServer(buf.subarray(off, p));
        this.requestDone();
        return p;
      }
      this.bytesIn += end - off;
      this.bytesToServer(off === 0 && end === buf.length ? buf : buf.subarray(off, end));
      return end;
    }
    return end;
  }

  private requestDone(): void {
    this.cState = C.DONE;
    if (this.sState === S.HEAD) this.setTimer(T.SERVER, this.be?.cfg.timeouts.server ?? null);
  }

  serverDrain(): void {
    if (this.reqBlocked) {
      this.reqBlocked = false;
      const p = this.pending;
      if (p !== null && (this.cState === C.BODY || this.cState === C.TUNNEL)) {
        this.pending = null;
        this.clientData(p, 0, p.length);
      }
      if (this.cState === C.BODY || this.cState === C.TUNNEL || this.cState === C.DONE) this.readClient(true);
    }
  }

  // ---------------------------------------------------------------- response

  serverData(buf: Buffer): void {
    let off = 0;
    const end = buf.length;
    while (off < end) {
      switch (this.sState) {
        case S.HEAD: {
          const r = this.resParser.execute(buf, off, end);
          this.resStarted = true;
          if (r === NEED_MORE) return;
          if (r === PARSE_ERROR) {
            if (this.retryable && this.retriesLeft > 0 && this.retryOn('junk-response')) return this.retry('junk response');
            return this.badResponse('PH');
          }
          if (!this.responseHead(buf, r)) return;
          off = r;
          continue;
        }
        case S.BODY:
          off = this.responseBody(buf, off, end);
          continue;
        case S.TUNNEL:
          this.bytesOut += end - off;
          this.touch();
          this.bytesToClient(off === 0 ? buf : buf.subarray(off, end));
          return;
        case S.DONE:
          this.srvExtra = true;
          return;
        default:
          return;
      }
    }
    if (this.headOut !== null) this.bytesToClient(EMPTY);
  }

  /** The response head: rules, headers for the client, body framing. false when the session stops. */
  private responseHead(buf: Buffer, bodyStart: number): boolean {
    const now = monoEpochNow();
    const h = this.resParser.head;
    const rf = this.resF;
    const s = this.target!;
    const be = this.be!;
    if (!responseFraming(h, this.reqParser.head.methodId, this.reqF.upgrade, rf)) {
      this.badResponse('PH');
      return false;
    }
    if (rf.interim) {
      // 100 Continue and other 1xx: pass on, then read the final response
      markHopByHop(h);
      this.res.reset(h);
      const head = this.res.serialize(null, null);
      this.bytesOut += head.length;
      this.bytesToClient(head);
      this.countStatus(h.status, s);
      this.resParser.reset();
      return true;
    }
    // retry-on <status>: the response is dropped and the request sent again (idempotent, bodyless requests only)
    if (this.retryable && this.retriesLeft > 0 && this.retryOn(h.status as RetryOn)) {
      this.countStatus(h.status, s);
      this.retry(`status ${h.status}`);
      return false;
    }
    this.tResHead = now;
    const rt = now - this.tConnDone;
    s.counters.responseTime.add(rt);
    be.counters.responseTime.add(rt);
    s.counters.responseSamples++;
    be.counters.responseSamples++;
    this.res.reset(h);
    this.req.response = this.res;
    // rules: the backend's first, then the frontend's (HAProxy's order)
    const beHttp = be.cfg.http;
    const feHttp = this.frontend.cfg.http;
    if ((this.cState !== C.DONE && !rf.upgrade) || this.frontend.proc.stopping) this.closeAfter = true;
    if (rf.body === Body.UNTIL_CLOSE) this.closeAfter = true;
    if ((beHttp && beHttp.responseRules.length) || (feHttp && feHttp.responseRules.length)) {
      this.rr.reset();
      if (beHttp && beHttp.responseRules.length) runResponseRules(beHttp.responseRules, this.res, this.req, this.ruleContext(be.cfg.name, beHttp.errorFiles), this.rr);
      if (this.rr.verdict === Verdict.CONTINUE && feHttp && feHttp.responseRules.length) {
        runResponseRules(feHttp.responseRules, this.res, this.req, this.ruleContext(this.frontend.name, feHttp.errorFiles), this.rr);
      }
      if (this.rr.verdict !== Verdict.CONTINUE) {
        this.frontend.counters.deniedResp++;
        be.counters.deniedResp++;
        s.counters.deniedResp++;
        this.releaseServer(false);
        this.termination = 'PH';
        this.status = this.rr.status;
        this.countStatus(this.rr.status, null);
        this.closeAfter = true;
        this.bytesOut += this.rr.response!.length;
        this.finishWith(this.rr.response!);
        return false;
      }
    }
    const status = this.res.status;
    this.status = status;
    this.countStatus(status, s);
    if (s.cfg.observe === 'layer7') observeResult(s, !(status >= 500 && status !== 501 && status !== 505));
    let cookieLetter = 'N';
    if (beHttp?.cookie) cookieLetter = persistOnResponse(beHttp.cookie, s, this.cookie?.state ?? 'N', this.byCookie, this.res);
    if (beHttp?.cookie) this.cookieState = `${this.cookie?.state ?? 'N'}${cookieLetter}`;
    // the head for the client
    const chunked = rf.body === Body.CHUNKED;
    markHopByHop(h, (rf.upgrade ? HOP_KEEP_UPGRADE : 0) | (chunked ? HOP_KEEP_TRANSFER_ENCODING : 0));
    const reqHead = this.reqParser.head;
    let edits: HeadEdits | null = null;
    if (rf.upgrade && this.reqF.upgrade) edits = UPGRADE_EDITS;
    else if (this.closeAfter || this.clientEndedFlag) edits = CLOSE_EDITS;
    else if (!reqHead.http11) edits = KEEP_ALIVE_EDITS;
    const head = this.res.serialize(edits, rf.upgrade ? (chunked ? KEEP_BOTH : KEEP_UPGRADE) : chunked ? KEEP_TE : null);
    this.bytesOut += head.length;
    // the body
    switch (rf.body) {
      case Body.NONE:
        this.bytesToClient(head);
        this.responseDone();
        return false;
      case Body.LENGTH:
        this.resLeft = rf.length;
        break;
      case Body.CHUNKED:
        (this.resChunk ??= new ChunkedDecoder(this.resParser.limits)).reset();
        break;
      case Body.TUNNEL:
        this.bytesToClient(head);
        this.startTunnel();
        return bodyStartRest(buf, bodyStart, this);
      default:
        break;
    }
    this.sState = S.BODY;
    this.setTimer(T.DATA, minTimeout(this.frontend.cfg.timeouts.client, be.cfg.timeouts.server));
    this.headOut = head;
    return true;
  }

  private responseBody(buf: Buffer, off: number, end: number): number {
    this.touch();
    const rf = this.resF;
    if (rf.body === Body.LENGTH) {
      const n = Math.min(this.resLeft, end - off);
      this.resLeft -= n;
      this.bytesOut += n;
      this.bytesToClient(off === 0 && n === buf.length ? buf : buf.subarray(off, off + n));
      if (this.resLeft === 0) {
        if (off + n < end) this.srvExtra = true;
        this.responseDone();
        return end;
      }
      return off + n;
    }
    if (rf.body === Body.CHUNKED) {
      const p = scanChunked(this.resChunk!, buf, off, end);
      if (p === CHUNK_ERROR) {
        if (this.headOut !== null) {
          // nothing of this response reached the client yet: it becomes a 502
          this.headOut = null;
          this.sState = S.HEAD;
          this.badResponse('PH');
        } else this.badResponse('SD');
        return end;
      }
      if (p !== CHUNK_MORE) {
        this.bytesOut += p - off;
        this.bytesToClient(buf.subarray(off, p));
        if (p < end) this.srvExtra = true;
        this.responseDone();
        return end;
      }
      this.bytesOut += end - off;
      this.bytesToClient(off === 0 && end === buf.length ? buf : buf.subarray(off, end));
      return end;
    }
    // until close
    this.bytesOut += end - off;
    this.bytesToClient(off === 0 ? buf : buf.subarray(off, end));
    return end;
  }

  /**
   * Write to the client. A response head waits in `headOut` for the first body bytes so both leave in
   * one write (one syscall instead of two for a small response): a head that is a view just before the
   * body in the same buffer is extended over it, else the two are copied together when the body part is small.
   */
  private bytesToClient(b: Buffer): void {
    const head = this.headOut;
    if (head !== null) {
      this.headOut = null;
      const joined = joinOut(head, b);
      if (joined === null) this.client.write(head);
      else b = joined;
    }
    if (!this.client.write(b)) {
      const pc = this.pc;
      if (pc && (this.sState === S.BODY || this.sState === S.TUNNEL || this.sState === S.HEAD)) {
        pc.conn.detachReadBuffer();
        pc.conn.readStop();
        this.resBlocked = true;
      }
    }
  }

  /** 101 Switching Protocols or CONNECT: bytes flow both ways untouched until one side closes. */
  startTunnel(): void {
    this.sState = S.TUNNEL;
    this.cState = C.TUNNEL;
    const t = this.be!.cfg.timeouts;
    this.setTimer(T.TUNNEL, t.tunnel ?? minTimeout(this.frontend.cfg.timeouts.client, t.server));
    const p = this.pending;
    this.pending = null;
    if (p) this.clientData(p, 0, p.length);
    this.readClient(true);
  }

  /** The response is complete: account, log, give the server connection back, go on with the next request. */
  private responseDone(): void {
    this.sState = S.DONE;
    const reusable = this.resF.keepAlive && this.mode === 'keep-alive' && this.cState === C.DONE && !this.srvExtra;
    this.releaseServer(reusable);
    if (this.cState !== C.DONE) this.closeAfter = true;
    this.endTxn();
    if (this.closeAfter || this.clientEndedFlag) return this.closeWhenFlushed();
    this.nextRequest();
  }

  private releaseServer(reusable: boolean): void {
    const pc = this.pc;
    if (pc === null) return;
    this.pc = null;
    if (this.resBlocked) {
      this.resBlocked = false;
    }
    const ka = reusable ? parseKeepAliveTimeout(this.res.head?.get('keep-alive')) : null;
    if (reusable && pc.mode === 'never' && !pc.stream) {
      // http-reuse never: the connection stays this session's (an HTTP/2 stream carries one request: it goes back)
      pc.conn.handler = this.ownIdle ??= {
        onData: () => this.dropOwn(),
        onEnd: () => this.dropOwn(),
        onError: () => this.dropOwn(),
        onDrain: () => {},
      };
      this.ownPc = pc;
      return;
    }
    this.ctx.pool.release(pc, { reusable, keepAliveMs: ka });
  }

  /** The session's own idle server connection (http-reuse never) heard from its server: drop it. */
  private ownIdle: ConnHandler | null = null;

  private dropOwn(): void {
    const pc = this.ownPc;
    if (!pc) return;
    this.ownPc = null;
    this.ctx.pool.release(pc, { reusable: false, keepAliveMs: null });
  }

  private nextRequest(): void {
    this.reqParser.reset();
    this.cState = C.HEAD;
    this.sState = S.NONE;
    this.requests++;
    this.tIdle = monoEpochNow();
    this.tReq = 0;
    const t = this.frontend.cfg.timeouts;
    this.setTimer(T.KEEPALIVE, t.httpKeepAlive ?? t.httpRequest ?? t.client);
    const p = this.pending;
    this.pending = null;
    if (p !== null) this.clientData(p, 0, p.length);
    if (this.cState === C.HEAD) this.readClient(true);
  }

  /** The server closed or failed. */
  serverEnd(code: string | null): void {
    if (this.cState === C.CLOSED) return;
    const s = this.target;
    switch (this.sState) {
      case S.HEAD:
        // EREFUSED: an HTTP/2 server refused the stream (REFUSED_STREAM, or above its GOAWAY): never processed, always safe to send again
        if (!this.resStarted && this.retryable && this.retriesLeft > 0 && this.reqHead !== null && (this.pc?.reused || code === 'EREFUSED' || this.retryOn('empty-response'))) {
          return this.retry(code === null ? 'empty response' : code);
        }
        if (s) {
          s.counters.srvAborts++;
          this.be!.counters.srvAborts++;
        }
        return this.badResponse('SH');
      case S.BODY:
        if (this.resF.body === Body.UNTIL_CLOSE && code === null) {
          this.releaseServer(false);
          return this.responseDone();
        }
        if (s) s.counters.srvAborts++;
        this.be!.counters.srvAborts++;
        return this.abort('SD');
      case S.TUNNEL:
        if (code !== null) return this.abort('SD');
        this.client.shutdown();
        this.sState = S.DONE;
        if (this.clientEndedFlag) this.closeWhenFlushed();
        return;
      default:
        return;
    }
  }

  private retryOn(what: RetryOn): boolean {
    const list = this.be?.cfg.http?.retryOn;
    if (!list) return false;
    if (!list.includes(what)) return false;
    return IDEMPOTENT.has(this.reqParser.head.methodId);
  }

  /** Send the request again on a fresh connection (a reused one broke, or `retry-on` says so). */
  private retry(why: string): void {
    const s = this.target!;
    const be = this.be!;
    this.frontend.debug(`retrying request to ${s.key}: ${why}`);
    this.releaseServer(false);
    this.countRetry(s);
    this.sState = S.WAIT;
    if (be.cfg.redispatch && this.retriesLeft === 0) return this.redispatch(s);
    // a fresh connection to the same server
    this.tConn = monoEpochNow();
    this.acquire(s, 'never', true);
  }

  /** The server's response is unusable: 502 (or 504) when nothing was sent yet, else close. */
  private badResponse(term: string): void {
    const s = this.target;
    const be = this.be;
    if (s) s.counters.responseErrors++;
    if (be) be.counters.responseErrors++;
    if (s && s.cfg.observe) observeResult(s, false);
    this.termination = term;
    this.releaseServer(false);
    if (this.sState === S.BODY || this.sState === S.TUNNEL) return this.abort(term);
    this.respondError(502);
  }

  // ---------------------------------------------------------------- local answers

  /** An error page for the current request (nothing of the response was sent yet). */
  private respondError(status: number): void {
    this.releaseServer(false);
    const files = this.be?.cfg.http?.errorFiles.length ? this.be.cfg.http.errorFiles : this.frontend.cfg.http?.errorFiles ?? [];
    this.status = status;
    this.countStatus(status, null);
    // as HAProxy: the client connection stays open after a 502/503/504 when the whole request was read
    // and the client keeps alive; else `connection: close` and close
    if (this.cState !== C.DONE || this.reqF.upgrade) this.closeAfter = true;
    const close = this.closeAfter || this.clientEndedFlag;
    const page = errorPage(status, files, close);
    this.bytesOut += page.length;
    if (close) return this.finishWith(page);
    this.client.write(page);
    this.endTxn();
    const held = this.held;
    this.held = null;
    if (held !== null) this.stash(held, 0, held.length);
    this.nextRequest();
  }

  /** Answer the request from lbd (monitor-uri, rules, no backend); the request's body is not read. */
  private respondLocally(page: Buffer, status: number, term: string, bodyStart: number, end: number, buf: Buffer): boolean {
    const f = this.reqF;
    this.status = status;
    this.termination = term;
    this.countStatus(status, null);
    this.bytesOut += page.length;
    if (f.body !== Body.NONE || f.upgrade) {
      // the body is not read: the connection cannot carry another request
      this.closeAfter = true;
      this.finishWith(page);
      return false;
    }
    this.client.write(page);
    this.endTxn();
    if (this.closeAfter) {
      this.closeWhenFlushed();
      return false;
    }
    // keep-alive: the next request may follow in the same buffer
    const rest = bodyStart < end ? Buffer.from(buf.subarray(bodyStart, end)) : null;
    this.nextRequest();
    if (rest) this.clientData(rest, 0, rest.length);
    return false;
  }

  /** Send `page` as the end of this transaction, then close the client. */
  private finishWith(page: Buffer): void {
    this.client.write(page);
    this.endTxn();
    this.closeWhenFlushed();
  }

  private sendAndClose(page: Buffer): void {
    this.bytesOut += page.length;
    this.finishWith(page);
  }

  private closeWhenFlushed(): void {
    if (this.cState === C.CLOSED) return;
    this.cState = C.CLOSING;
    this.readClient(false);
    this.releaseServer(false);
    if (this.client.pendingBytes() === 0) return this.close();
    this.client.shutdown();
    this.setTimer(T.FLUSH, this.frontend.cfg.timeouts.client ?? 5000);
  }

  /** Something broke mid-transfer: log with `term`, close both sides. */
  private abort(term: string): void {
    if (this.cState === C.CLOSED) return;
    if (this.termination === '--') this.termination = term;
    if (term[0] === 'C' || term[0] === 'c') {
      if (this.target) this.target.counters.cliAborts++;
      if (this.be) this.be.counters.cliAborts++;
    }
    this.releaseServer(false);
    this.endTxn();
    this.close();
  }

  // ---------------------------------------------------------------- accounting

  private countStatus(status: number, s: Server | null): void {
    const i = status >= 100 && status < 600 ? Math.floor(status / 100) - 1 : 5;
    this.frontend.counters.hrsp[i]!++;
    if (this.be) this.be.counters.hrsp[i]!++;
    if (s) s.counters.hrsp[i]!++;
  }

  private openTxn(): void {
    this.txnOpen = true;
    this.termination = '--';
    this.cookieState = '--';
    this.status = -1;
    this.bytesIn = this.bytesOut = 0;
    this.retried = 0;
    this.redispatched = false;
    this.tQueue = this.tConn = this.tConnDone = this.tResHead = 0;
    this.connectedTo = null;
    this.be = null;
    this.req.response = null;
  }

  /** A transaction that ends before its head was complete (bad request, client gone): log what there is. */
  private openTxnForLog(): void {
    if (this.txnOpen) return;
    if (this.tReq === 0) this.tReq = monoEpochNow();
    this.openTxn();
    this.tHead = 0;
  }

  /** The transaction is over: counters, log, server slot. */
  private endTxn(): void {
    if (!this.txnOpen) return;
    this.txnOpen = false;
    const now = monoEpochNow();
    const fe = this.frontend;
    fe.counters.bytesIn += this.bytesIn;
    fe.counters.bytesOut += this.bytesOut;
    const be = this.be;
    const s = this.target;
    if (this.tHead !== 0 && this.status > 0) {
      // the request's latency (first byte of the request to the end of the response), for the consoles' percentiles
      const ms = now - this.tReq;
      fe.counters.latency(ms);
      be?.counters.latency(ms);
      s?.counters.latency(ms);
    }
    if (be) {
      be.counters.bytesIn += this.bytesIn;
      be.counters.bytesOut += this.bytesOut;
      be.counters.cur--;
      be.counters.totalTime.add(now - this.tReq);
      be.counters.totalSamples++;
    }
    if (s) {
      s.counters.bytesIn += this.bytesIn;
      s.counters.bytesOut += this.bytesOut;
      s.counters.totalTime.add(now - this.tReq);
      s.counters.totalSamples++;
    }
    // the server slot is given back before the log line, which then counts it as HAProxy 2.6 does (%sc)
    if (s) this.leaveServer();
    this.logTxn(now);
    if (s) {
      this.target = null;
      if (s.cfg.maxconn > 0) be?.dequeue();
    }
    if (this.waiter && be) {
      be.dequeueWaiter(this.waiter);
      this.waiter = null;
    }
    this.tried = null;
  }

  private logTxn(now = monoEpochNow()): void {
    const log = this.frontend.accessLog;
    if (log === null) return;
    log(this.txnRecord(now), this.txnOpen || this.tHead ? this.req : null);
  }

  private txnRecord(now: number): TxnLog {
    const fe = this.frontend;
    const tReq = this.tReq || now;
    const ti = Math.max(0, tReq - this.tIdle);
    const tR = this.tHead ? this.tHead - tReq : -1;
    const tw = this.tQueue ? (this.tConn || now) - this.tQueue : this.tConn ? 0 : -1;
    const tc = this.tConnDone && this.tConn ? this.tConnDone - this.tConn : -1;
    const tr = this.tResHead && this.tConnDone ? this.tResHead - this.tConnDone : -1;
    const h = this.tHead ? this.reqParser.head : null;
    const s = this.target;
    return {
      frontend: fe.name,
      transport: this.client.tls ? '~' : '',
      backend: this.be?.cfg.name ?? fe.name,
      server: s ? s.cfg.name : null,
      src: this.req.src,
      srcPort: this.req.srcPort,
      dst: this.req.dst,
      dstPort: this.req.dstPort,
      serverAddr: this.connectedTo ? this.connectedTo.address ?? this.connectedTo.cfg.host : null,
      serverPort: this.connectedTo ? this.connectedTo.port ?? this.req.dstPort : null,
      backendSrc: null,
      backendSrcPort: null,
      acceptMs: monoToWall(this.start),
      requestMs: monoToWall(tReq),
      th: 0,
      ti,
      tR,
      tw,
      tc,
      tr,
      ta: now - tReq,
      tt: now - this.start,
      status: this.status,
      bytesOut: this.bytesOut,
      bytesIn: this.bytesIn,
      termination: this.termination,
      cookieState: this.cookieState,
      actconn: fe.proc.cur,
      feconn: fe.counters.cur,
      beconn: this.be?.counters.cur ?? 0,
      srvconn: s?.counters.cur ?? 0,
      retries: this.retried,
      redispatched: this.redispatched,
      srvQueue: 0,
      backendQueue: 0,
      method: h ? this.req.method : null,
      uri: h ? this.req.url : null,
      version: h ? `HTTP/${h.versionMajor}.${h.versionMinor}` : null,
    };
  }

  private leaveServer(): void {
    const s = this.target;
    if (!s) return;
    s.counters.cur--;
    s.sessionsSet.delete(this);
  }

  // ---------------------------------------------------------------- timer

  private setTimer(kind: T, ms: number | null): void {
    if (ms === null) {
      this.tKind = T.NONE;
      return;
    }
    this.tKind = kind;
    this.tMs = ms;
    this.tDeadline = monoNow() + ms;
    if (!this.deadline.armed || this.deadline.at > this.tDeadline) this.deadline.armAt(this.tDeadline);
  }

  /** Activity while bodies move: the inactivity deadline moves with it. */
  private touch(): void {
    if (this.tKind === T.DATA || this.tKind === T.TUNNEL) this.tDeadline = monoNow() + this.tMs;
  }

  /** The deadline heap calls this when the session's deadline is due. */
  onDeadline(): void {
    if (this.cState === C.CLOSED || this.tKind === T.NONE) return;
    if (monoNow() < this.tDeadline) {
      this.deadline.armAt(this.tDeadline);
      return;
    }
    this.timedOut(this.tKind);
  }

  private timedOut(kind: T): void {
    this.tKind = T.NONE;
    switch (kind) {
      case T.REQ:
        if (this.cState !== C.HEAD) return;
        // HAProxy: 408 on a connection's first request (even with no byte), or on a started one
        if (this.requests > 0 && !this.reqParser.started) return this.close();
        this.countBadRequest();
        this.openTxnForLog();
        this.termination = 'cR';
        this.status = 408;
        this.countStatus(408, null);
        return this.sendAndClose(muxError(408));
      case T.KEEPALIVE:
        if (this.cState === C.HEAD && !this.reqParser.started) return this.close();
        return;
      case T.SERVER:
        if (this.sState !== S.HEAD) return;
        if (!this.resStarted && this.retryable && this.retriesLeft > 0 && this.retryOn('response-timeout')) return this.retry('response timeout');
        this.termination = 'sH';
        if (this.target) this.target.counters.srvAborts++;
        if (this.be) this.be.counters.srvAborts++;
        if (this.target?.cfg.observe) observeResult(this.target, false);
        return this.respondError(504);
      case T.DATA:
        return this.abort(this.cState === C.BODY ? 'cD' : 'sD');
      case T.TUNNEL:
        return this.abort('sD');
      case T.FLUSH:
        return this.close();
      default:
        return;
    }
  }

  /**
   * The client's first bytes are the HTTP/2 preface (prior knowledge on a clear-text listener, which
   * HAProxy accepts too): the connection becomes an HTTP/2 one, which takes over this session's slot.
   */
  private upgradeToH2(buf: Buffer, off: number, end: number): void {
    this.client.early = Buffer.from(buf.subarray(off, end));
    this.client.detachReadBuffer();
    this.finish(false);
    new H2ServerConn(this.client, this.frontend, this.ctx);
  }

  // ---------------------------------------------------------------- end

  /** Graceful stop: an idle keep-alive connection closes now; a busy one after its response (`connection: close`). */
  softStop(): void {
    if (this.cState === C.HEAD && !this.reqParser.started && !this.txnOpen) return this.close();
    this.closeAfter = true;
  }

  /** `shutdown sessions`, hard stop. */
  kill(reason: string): void {
    this.frontend.debug(`session killed: ${reason}`);
    if (this.termination === '--') this.termination = 'KI';
    this.releaseServer(false);
    this.endTxn();
    this.close();
  }

  close(): void {
    this.finish(true);
  }

  /** The session ends; `own`: with its client connection (else the connection lives on, handed to HTTP/2). */
  private finish(own: boolean): void {
    if (this.cState === C.CLOSED) return;
    this.cState = C.CLOSED;
    this.deadline.cancel();
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = null;
    this.tKind = T.NONE;
    if (this.waiter && this.be) this.be.dequeueWaiter(this.waiter);
    this.waiter = null;
    this.releaseServer(false);
    this.dropOwn();
    if (this.txnOpen) this.endTxn();
    if (own) this.client.close();
    this.pending = this.held = null;
    // nothing calls into this session any more (the Conn contract, the pool's checks of cState): its parsers serve others
    giveParser(this.reqParser);
    giveParser(this.resParser);
    this.frontend.proc.sessions.delete(this);
    if (own && this.stream === STREAM_NONE) this.frontend.release();
  }
}

const EMPTY = Buffer.alloc(0);

/** buf[off, end) is the start of (or all of, and more) the HTTP/2 client preface. */
function isPrefacePrefix(buf: Buffer, off: number, end: number): boolean {
  const n = Math.min(end - off, PREFACE.length);
  return buf.compare(PREFACE, 0, n, off, off + n) === 0;
}

/** Bytes copied to join a head and a body part in one write; beyond, two writes are cheaper than the copy. */
const JOIN_LIMIT = 16384;

/** `head` followed by `body` as one buffer (a wider view when they are adjacent in memory), or null when joining would copy too much. */
function joinOut(head: Buffer, body: Buffer): Buffer | null {
  if (body.length === 0) return head;
  if (head.buffer === body.buffer && head.byteOffset + head.length === body.byteOffset) {
    return Buffer.from(head.buffer, head.byteOffset, head.length + body.length);
  }
  if (body.length > JOIN_LIMIT) return null;
  return Buffer.concat([head, body], head.length + body.length);
}

const UPGRADE_EDITS: HeadEdits = { add: [CONNECTION_UPGRADE] };
const CLOSE_EDITS: HeadEdits = { add: [CONNECTION_CLOSE] };
const KEEP_ALIVE_EDITS: HeadEdits = { add: [CONNECTION_KEEP_ALIVE] };

/** After a 101 head: bytes the server sent behind it go to the client as tunnel data. */
function bodyStartRest(buf: Buffer, bodyStart: number, sess: HttpSession): boolean {
  if (bodyStart < buf.length) sess.serverData(buf.subarray(bodyStart));
  return false;
}

/**
 * A server as the pool knows it: its identity and the address dialled (a reload that moves it gets new
 * connections). Cached per server while its address stays; a server without a port takes the port the
 * client connected to (as HAProxy), so that case is not cached.
 */
const poolServers = new WeakMap<Server, PoolServer>();
function poolServer(s: Server, client: Conn, view: RequestView): PoolServer {
  const host = s.address ?? s.cfg.host;
  const ssl = s.cfg.ssl;
  const h2 = s.cfg.proto === 'h2';
  if (ssl) {
    // TLS: the SNI is part of the connection's identity (a connection made for one name is not reused for another)
    const port = s.port ?? client.localPort() ?? 0;
    const servername = ssl.sni ? ssl.sni.format(view) || null : null;
    // send-proxy: the header goes before the TLS handshake (such a connection is the session's own: http-reuse never)
    const preface = s.cfg.sendProxy !== 0 ? proxyHeaderFor(client, s.cfg.sendProxy) : null;
    if (h2) return { key: `${s.key}@${host}:${port}|tls|${servername ?? ''}|h2`, host, port, tls: { ssl, servername, preface: null }, h2: s.backend.h2 };
    return { key: `${s.key}@${host}:${port}|tls|${servername ?? ''}`, host, port, tls: { ssl, servername, preface } };
  }
  if (s.port === null) {
    const port = client.localPort() ?? 0;
    return h2 ? { key: `${s.key}@${host}:${port}|h2`, host, port, h2: s.backend.h2 } : { key: `${s.key}@${host}:${port}`, host, port };
  }
  let p = poolServers.get(s);
  if (p === undefined || p.host !== host || p.port !== s.port) {
    poolServers.set(s, (p = h2 ? { key: `${s.key}@${host}:${s.port}|h2`, host, port: s.port, h2: s.backend.h2 } : { key: `${s.key}@${host}:${s.port}`, host, port: s.port }));
  }
  return p;
}

const CHUNK_MORE = -1;
const CHUNK_ERROR = -2;

/** Decode a chunked body over buf[off, end): where the message ends (DONE), CHUNK_MORE (every byte taken) or CHUNK_ERROR. */
function scanChunked(d: ChunkedDecoder, buf: Buffer, off: number, end: number): number {
  let p = off;
  for (;;) {
    const ev = d.next(buf, p, end);
    p = d.pos;
    if (ev === Chunk.NEED_MORE) return CHUNK_MORE;
    if (ev === Chunk.ERROR) return CHUNK_ERROR;
    if (ev === Chunk.DONE) return p;
  }
}
