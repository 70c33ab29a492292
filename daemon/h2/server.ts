/**
 * An HTTP/2 client connection on a `mode http` frontend (lbd is the HTTP/2 server): ALPN `h2` on a
 * `bind … ssl` listener, `proto h2` on a bind, or the HTTP/2 preface seen on a clear-text connection
 * (prior knowledge, as HAProxy accepts it). Each stream the client opens is a request for lbd's HTTP
 * engine through a StreamGateway (gateway.ts).
 *
 * Timeouts, as HAProxy's: while no stream is open, `timeout http-request` until the first request,
 * then `timeout http-keep-alive` (both falling back to `timeout client`); the connection then ends with
 * GOAWAY. A stream in progress is timed by its own transaction (server, client, queue …).
 * A graceful stop or reload sends GOAWAY(NO_ERROR): streams in progress finish, no new ones start, and
 * the connection closes once the last one is done.
 */
import type { Conn } from '../proxy/conn.js';
import type { Frontend } from '../runtime/frontend.js';
import { HttpSession, STREAM_FIRST, STREAM_LATER, type HttpContext } from '../proxy/http-session.js';
import { nextSessionId } from '../proxy/session-id.js';
import { Deadline, type DeadlineOwner } from '../runtime/deadline.js';
import { monoNow } from '../runtime/clock.js';
import { DEFAULT_LIMITS, H2Endpoint, H2Stream, type H2Limits } from './endpoint.js';
import { H2Error, Setting, errorName, rstStreamFrame } from './frames.js';
import { StreamGateway, type GatewayHost, type SessionLike } from './gateway.js';

export class H2ServerConn extends H2Endpoint implements GatewayHost, DeadlineOwner {
  readonly id = nextSessionId();
  /** monoNow() when the last stream closed (or the connection opened): idle timeouts count from here. */
  private lastActive = monoNow();
  private readonly deadline = new Deadline(this);
  private requests = 0;
  /** Gateways (with their engine sessions) waiting for the next stream. */
  private parked: StreamGateway[] = [];
  readonly bufsize: number;
  readonly maxhdr: number;

  constructor(conn: Conn, readonly frontend: Frontend, readonly ctx: HttpContext, limits: H2Limits = DEFAULT_LIMITS) {
    super(conn, { ...limits, maxHeaderList: Math.max(limits.maxHeaderList, frontend.proc.bufsize) }, frontend.h2, true);
    this.bufsize = frontend.proc.bufsize;
    this.maxhdr = ctx.maxhdr;
    const c = this.counters;
    c.openConns++;
    c.totalConns++;
    frontend.proc.sessions.add(this);
    conn.handler = this;
    this.sendPreface(false, [
      [Setting.MAX_CONCURRENT_STREAMS, this.limits.maxConcurrentStreams],
      [Setting.INITIAL_WINDOW_SIZE, this.limits.initialWindow],
      [Setting.MAX_HEADER_LIST_SIZE, this.limits.maxHeaderList],
    ]);
    this.armTimer();
    conn.readStart();
    const early = conn.early;
    if (early) {
      conn.early = null;
      this.onData(early);
    }
    if (conn.earlyEnd) {
      conn.earlyEnd = false;
      this.onEnd();
    }
  }

  get h2(): H2Endpoint {
    return this;
  }

  protected override activity(): void {
    this.lastActive = monoNow();
  }

  protected headerBlock(id: number, fields: string[], endStream: boolean, tooLarge: boolean): void {
    const s = this.streams.get(id);
    if (s !== undefined) {
      this.activity();
      if (s.remoteEnded) return this.streamError(id, H2Error.STREAM_CLOSED);
      s.user?.streamHeaders(s, fields, endStream, tooLarge);
      if (endStream && !s.closed) {
        s.remoteEnded = true;
        this.maybeClose(s);
      }
      return;
    }
    if ((id & 1) === 0) return this.connError(H2Error.PROTOCOL_ERROR, 'even stream id from a client');
    if (id <= this.lastPeerStream) {
      // a stream that is over (reset by us, most likely, while the client was sending)
      this.glitch();
      return;
    }
    this.lastPeerStream = id;
    if (this.goawaySent) return; // above the last stream our GOAWAY announced: ignored (RFC 9113 §6.8)
    if (this.streams.size >= this.limits.maxConcurrentStreams) {
      this.counters.rstResp++;
      this.put(rstStreamFrame(id, H2Error.REFUSED_STREAM));
      this.glitch();
      return;
    }
    const st = new H2Stream(id, this.peerInitialWindow, this.limits.initialWindow);
    st.remoteEnded = endStream;
    this.streams.set(id, st);
    this.counters.totalStreams++;
    this.counters.openStreams++;
    this.requests++;
    const gw = this.parked.pop() ?? new StreamGateway(this);
    gw.parker = false;
    gw.open(st, fields, endStream, tooLarge);
  }

  park(gw: StreamGateway): void {
    if (this.dead) return gw.endSession();
    if (gw.parker) return;
    gw.parker = true;
    this.parked.push(gw);
  }

  unpark(gw: StreamGateway): void {
    gw.parker = false;
    const i = this.parked.indexOf(gw);
    if (i >= 0) this.parked.splice(i, 1);
  }

  startSession(gw: StreamGateway): SessionLike {
    return new HttpSession(gw, this.frontend, this.ctx, this.requests === 1 ? STREAM_FIRST : STREAM_LATER);
  }

  requestError(): void {
    this.frontend.counters.reqErrors++;
  }

  protected streamClosed(_s: H2Stream): void {
    this.counters.openStreams--;
    if (this.streams.size === 0) {
      this.lastActive = monoNow();
      if (this.goawaySent && !this.dead) return this.close();
      // idle from now: `timeout http-keep-alive` (the timer may have been armed for longer)
      const ms = this.idleMs();
      if (!this.dead && ms !== null && (!this.deadline.armed || this.deadline.at > this.lastActive + ms)) this.armTimer();
    }
  }

  protected override onConnError(code: number, why: string): void {
    this.frontend.debug(`HTTP/2 connection error ${errorName(code)}: ${why}`);
  }

  protected override onInternalError(e: unknown): void {
    this.frontend.debug(`HTTP/2 internal error: ${e instanceof Error ? e.stack ?? e.message : String(e)}`);
    this.frontend.counters.internalErrors++;
  }

  protected connClosed(): void {
    const parked = this.parked;
    this.parked = [];
    for (const gw of parked) {
      gw.parker = false;
      gw.endSession();
    }
    this.deadline.cancel();
    this.counters.openConns--;
    this.frontend.proc.sessions.delete(this);
    this.frontend.release();
  }

  /** The idle timeout while no stream is open. */
  private idleMs(): number | null {
    const t = this.frontend.cfg.timeouts;
    return (this.requests === 0 ? t.httpRequest : t.httpKeepAlive) ?? t.client;
  }

  private armTimer(): void {
    const ms = this.streams.size === 0 ? this.idleMs() : this.frontend.cfg.timeouts.client;
    if (ms === null || ms === undefined) return;
    this.deadline.arm(ms);
  }

  /** The deadline heap calls this when the connection's deadline is due. */
  onDeadline(): void {
    if (this.dead) return;
    const ms = this.idleMs();
    if (this.streams.size > 0 || ms === null) {
      this.armTimer();
      return;
    }
    const due = this.lastActive + ms;
    if (monoNow() < due) {
      this.deadline.armAt(due);
      return;
    }
    this.goaway(H2Error.NO_ERROR, 'idle timeout');
    this.close();
  }

  /** Graceful stop or reload: GOAWAY, finish what is in progress. */
  softStop(): void {
    this.goaway(H2Error.NO_ERROR);
  }

  /** Hard stop. */
  kill(reason: string): void {
    this.frontend.debug(`HTTP/2 connection killed: ${reason}`);
    this.goaway(H2Error.NO_ERROR);
    this.close();
  }
}
