/**
 * One HTTP/2 connection, either end (RFC 9113): frame reading, SETTINGS, PING, GOAWAY, flow control
 * both ways, header blocks (HEADERS + CONTINUATION, HPACK), stream bookkeeping, and the protections a
 * proxy's HTTP/2 needs. The roles (daemon/h2/server.ts: lbd is the server, a client connected to a
 * frontend; daemon/h2/client.ts: lbd is the client of a `proto h2` server) add what a new stream means.
 *
 * Output: frames are written into one slab per connection and sent in one write per event-loop turn
 * (setImmediate), so a burst of responses on many streams costs one syscall. While the transport has
 * bytes it could not write, frames go into a new slab; beyond HIGH_WATER, streams stop sending DATA
 * (sendData returns what it took; the stream is told when it may go on), and beyond OUT_LIMIT the
 * connection stops reading: a peer that sends PINGs or SETTINGS without reading the answers only fills
 * its own buffers.
 *
 * Protections (each counted, see counters.ts):
 *  - header blocks: HPACK with a dynamic table of 4096 octets and a decoded header-list limit (a larger
 *    list is refused on its stream, the HPACK state stays in sync: the "HPACK bomb"); the encoded block
 *    over HEADERS + CONTINUATION is bounded in bytes and in frames (the CONTINUATION flood);
 *  - concurrent streams beyond what we advertised are refused (REFUSED_STREAM);
 *  - "glitches", frames that cost work and carry nothing (streams reset by the peer while in progress:
 *    the rapid-reset attack; PING and SETTINGS floods; empty DATA frames; frames on closed streams;
 *    refused streams), draw on a budget of GLITCH_BURST refilled at GLITCH_RATE per second: past it
 *    the connection ends with GOAWAY ENHANCE_YOUR_CALM.
 */
import { monoNow } from '../runtime/clock.js';
import type { Conn, ConnHandler } from '../proxy/conn.js';
import { HpackDecoder, HpackEncoder, HpackError } from './hpack.js';
import {
  DEFAULT_MAX_FRAME, DEFAULT_WINDOW, FRAME_HEADER, Flag, FrameType, H2Error, MAX_FRAME_LIMIT, MAX_WINDOW, PREFACE,
  SETTINGS_ACK, Setting, goawayFrame, pingFrame, rstStreamFrame, settingsFrame, windowUpdateFrame, writeFrameHeader,
} from './frames.js';
import type { H2Counters } from './counters.js';

/** What one end advertises and enforces. */
export interface H2Limits {
  /** SETTINGS_MAX_CONCURRENT_STREAMS we advertise (server role) and enforce. */
  readonly maxConcurrentStreams: number;
  /** SETTINGS_INITIAL_WINDOW_SIZE we advertise: each stream's receive window. */
  readonly initialWindow: number;
  /** Our connection-level receive window (raised with a WINDOW_UPDATE at the start). */
  readonly connWindow: number;
  /** SETTINGS_MAX_HEADER_LIST_SIZE: decoded size of a header list (RFC: name + value + 32 per field). */
  readonly maxHeaderList: number;
  /** Encoded header block (HEADERS + CONTINUATION) in bytes, and in frames. */
  readonly maxHeaderBlock: number;
  readonly maxHeaderFrames: number;
}

export const DEFAULT_LIMITS: H2Limits = {
  maxConcurrentStreams: 100,
  initialWindow: DEFAULT_WINDOW,
  connWindow: 1 << 20,
  maxHeaderList: 16384,
  maxHeaderBlock: 32768,
  maxHeaderFrames: 64,
};

/** A stream's user: the gateway to lbd's HTTP engine on one side, a pooled server request on the other. */
export interface StreamUser {
  /** DATA payload (buf lent for the call, as Conn.onData). */
  streamData(s: H2Stream, buf: Buffer, start: number, end: number, endStream: boolean): void;
  /** A header block after the first (trailers, or a response head in the client role). */
  streamHeaders(s: H2Stream, fields: string[], endStream: boolean, tooLarge: boolean): void;
  /** The peer reset the stream, or the connection is gone (code: the RST_STREAM or GOAWAY error). */
  streamReset(s: H2Stream, code: number): void;
  /** DATA that sendData could not take may go on (window opened, output drained). */
  streamWritable(s: H2Stream): void;
}

export class H2Stream {
  /** What we may still send, and the peer. */
  sendWindow: number;
  recvWindow: number;
  /** Bytes received and consumed, not yet given back by WINDOW_UPDATE. */
  unacked = 0;
  localEnded = false;
  remoteEnded = false;
  closed = false;
  waiting = false;
  user: StreamUser | null = null;
  constructor(readonly id: number, sendWindow: number, recvWindow: number) {
    this.sendWindow = sendWindow;
    this.recvWindow = recvWindow;
  }
}

const HIGH_WATER = 256 * 1024;
const OUT_LIMIT = 1024 * 1024;
const SLAB = 16384;
const GLITCH_BURST = 1000;
const GLITCH_RATE = 100;

export abstract class H2Endpoint implements ConnHandler {
  protected readonly streams = new Map<number, H2Stream>();
  protected readonly dec: HpackDecoder;
  protected readonly enc = new HpackEncoder();
  // the peer's settings
  protected peerMaxFrame = DEFAULT_MAX_FRAME;
  protected peerInitialWindow = DEFAULT_WINDOW;
  protected peerMaxStreams = 0x7fffffff;
  /** Connection-level windows. */
  protected sendWindow = DEFAULT_WINDOW;
  private recvWindow = DEFAULT_WINDOW;
  private recvUnacked = 0;
  /** Highest stream id the peer opened, and we opened. */
  protected lastPeerStream = 0;
  protected lastLocalStream = 0;
  /** GOAWAY sent (no new streams from the peer), received (none from us), connection over. */
  protected goawaySent = false;
  protected goawayRecvd = false;
  protected dead = false;
  protected settingsSeen = false;

  /** Parity (id & 1) of the streams the peer opens: 1 when it is the client, 0 when it is the server. */
  private readonly peerParity: number;
  // input
  private prefaceLeft: number;
  private part: Buffer | null = null;
  private partLen = 0;
  private partNeed = 0;
  // header block being assembled
  private hbStream = 0;
  private hbEnd = false;
  private hbParts: Buffer[] = [];
  private hbLen = 0;
  private hbFrames = 0;

  // output
  private slab: Buffer = Buffer.allocUnsafe(SLAB);
  private slabLen = 0;
  private flushQueued = false;
  private writing = false;
  private readPaused = false;
  private waiters: H2Stream[] = [];
  private readonly flushCb = (): void => {
    this.flushQueued = false;
    this.flush();
  };

  private glitchTokens = GLITCH_BURST;
  private glitchAt = monoNow();

  constructor(
    readonly conn: Conn,
    readonly limits: H2Limits,
    readonly counters: H2Counters,
    server: boolean,
  ) {
    this.dec = new HpackDecoder(4096, limits.maxHeaderList);
    this.prefaceLeft = server ? PREFACE.length : 0;
    this.peerParity = server ? 1 : 0;
  }

  /** Our preface: (client: the magic,) SETTINGS, and the connection window raised. */
  protected sendPreface(client: boolean, settings: ReadonlyArray<readonly [number, number]>): void {
    if (client) this.put(PREFACE);
    this.put(settingsFrame(settings));
    const grow = this.limits.connWindow - DEFAULT_WINDOW;
    if (grow > 0) {
      this.put(windowUpdateFrame(0, grow));
      this.recvWindow += grow;
    }
  }

  // ------------------------------------------------------------------ role hooks

  /** A complete header block on a stream the peer opens (server role) or on one of ours. */
  protected abstract headerBlock(id: number, fields: string[], endStream: boolean, tooLarge: boolean): void;
  /** A stream left the map (both ends done, or reset either way). */
  protected abstract streamClosed(s: H2Stream): void;
  /** The connection is over (after GOAWAY, error or transport end): release everything. */
  protected abstract connClosed(): void;
  /** The peer sent GOAWAY. */
  protected peerGoaway(_last: number, _code: number): void {}
  /** Any frame arrived (for idle timers). */
  protected activity(): void {}

  // ------------------------------------------------------------------ input

  onData(buf: Buffer): void {
    if (this.dead) return;
    this.activity();
    try {
      this.input(buf);
    } catch (e) {
      this.internal(e);
    }
  }

  private internal(e: unknown): void {
    this.onInternalError(e);
    this.connError(H2Error.INTERNAL_ERROR, 'internal error');
  }

  protected onInternalError(_e: unknown): void {}

  private input(buf: Buffer): void {
    let off = 0;
    const end = buf.length;
    if (this.prefaceLeft > 0) {
      const at = PREFACE.length - this.prefaceLeft;
      const n = Math.min(this.prefaceLeft, end);
      if (buf.compare(PREFACE, at, at + n, 0, n) !== 0) return this.connError(H2Error.PROTOCOL_ERROR, 'bad preface', true);
      this.prefaceLeft -= n;
      off = n;
      if (this.prefaceLeft > 0) return;
    }
    if (this.part !== null) {
      off = this.fillPart(buf, off, end);
      if (this.part !== null || this.dead) return;
    }
    while (end - off >= FRAME_HEADER) {
      const len = (buf[off] << 16) | (buf[off + 1] << 8) | buf[off + 2];
      if (len > DEFAULT_MAX_FRAME) return this.connError(H2Error.FRAME_SIZE_ERROR, 'frame too large');
      if (end - off < FRAME_HEADER + len) break;
      this.frame(buf, off, len);
      if (this.dead) return;
      off += FRAME_HEADER + len;
    }
    if (off < end) {
      // keep the partial frame in a buffer of its own, sized for the whole frame once its header is in
      const have = end - off;
      if (have >= FRAME_HEADER) {
        const len = (buf[off] << 16) | (buf[off + 1] << 8) | buf[off + 2];
        this.part = Buffer.allocUnsafe(FRAME_HEADER + len);
        this.partNeed = FRAME_HEADER + len;
      } else {
        this.part = Buffer.allocUnsafe(FRAME_HEADER);
        this.partNeed = FRAME_HEADER;
      }
      buf.copy(this.part, 0, off, end);
      this.partLen = have;
    }
  }

  /** Complete the partial frame from buf[off, end); returns where the rest of buf begins. */
  private fillPart(buf: Buffer, off: number, end: number): number {
    for (;;) {
      const p = this.part!;
      const n = Math.min(this.partNeed - this.partLen, end - off);
      buf.copy(p, this.partLen, off, off + n);
      this.partLen += n;
      off += n;
      if (this.partLen < this.partNeed) return off;
      if (this.partNeed === FRAME_HEADER) {
        const len = (p[0] << 16) | (p[1] << 8) | p[2];
        if (len > DEFAULT_MAX_FRAME) {
          this.connError(H2Error.FRAME_SIZE_ERROR, 'frame too large');
          return end;
        }
        if (len > 0) {
          const full = Buffer.allocUnsafe(FRAME_HEADER + len);
          p.copy(full, 0, 0, FRAME_HEADER);
          this.part = full;
          this.partNeed = FRAME_HEADER + len;
          continue;
        }
      }
      this.part = null;
      this.frame(p, 0, this.partNeed - FRAME_HEADER);
      return off;
    }
  }

  private frame(buf: Buffer, off: number, len: number): void {
    const type = buf[off + 3];
    const flags = buf[off + 4];
    const id = buf.readUInt32BE(off + 5) & 0x7fffffff;
    const p = off + FRAME_HEADER;
    if (this.hbStream !== 0 && (type !== FrameType.CONTINUATION || id !== this.hbStream)) {
      return this.connError(H2Error.PROTOCOL_ERROR, 'header block interrupted');
    }
    if (!this.settingsSeen && type !== FrameType.SETTINGS) return this.connError(H2Error.PROTOCOL_ERROR, 'first frame is not SETTINGS');
    switch (type) {
      case FrameType.DATA:
        return this.dataFrame(buf, p, len, flags, id);
      case FrameType.HEADERS:
        return this.headersFrame(buf, p, len, flags, id);
      case FrameType.PRIORITY:
        if (id === 0) return this.connError(H2Error.PROTOCOL_ERROR, 'PRIORITY on stream 0');
        if (len !== 5) return this.streamError(id, H2Error.FRAME_SIZE_ERROR);
        return;
      case FrameType.RST_STREAM:
        return this.rstFrame(buf, p, len, id);
      case FrameType.SETTINGS:
        return this.settingsFrame(buf, p, len, flags, id);
      case FrameType.PUSH_PROMISE:
        return this.connError(H2Error.PROTOCOL_ERROR, 'PUSH_PROMISE');
      case FrameType.PING:
        if (id !== 0) return this.connError(H2Error.PROTOCOL_ERROR, 'PING on a stream');
        if (len !== 8) return this.connError(H2Error.FRAME_SIZE_ERROR, 'PING size');
        if ((flags & Flag.ACK) === 0) {
          if (!this.glitch()) return;
          this.put(pingFrame(true, buf, p));
        }
        return;
      case FrameType.GOAWAY: {
        if (id !== 0) return this.connError(H2Error.PROTOCOL_ERROR, 'GOAWAY on a stream');
        if (len < 8) return this.connError(H2Error.FRAME_SIZE_ERROR, 'GOAWAY size');
        this.counters.goawayRcvd++;
        this.goawayRecvd = true;
        return this.peerGoaway(buf.readUInt32BE(p) & 0x7fffffff, buf.readUInt32BE(p + 4));
      }
      case FrameType.WINDOW_UPDATE:
        return this.windowFrame(buf, p, len, id);
      case FrameType.CONTINUATION:
        return this.continuationFrame(buf, p, len, flags, id);
      default:
        return; // unknown frame types are ignored (RFC 9113 §4.1)
    }
  }

  /** The stream was opened once and is gone now (as opposed to idle: never opened). */
  private isClosedId(id: number): boolean {
    const peer = (id & 1) === this.peerParity;
    return peer ? id <= this.lastPeerStream : id <= this.lastLocalStream;
  }


  private dataFrame(buf: Buffer, p: number, len: number, flags: number, id: number): void {
    if (id === 0) return this.connError(H2Error.PROTOCOL_ERROR, 'DATA on stream 0');
    let ds = p;
    let de = p + len;
    if (flags & Flag.PADDED) {
      if (len < 1) return this.connError(H2Error.PROTOCOL_ERROR, 'bad padding');
      const pad = buf[p];
      ds++;
      de -= pad;
      if (de < ds) return this.connError(H2Error.PROTOCOL_ERROR, 'bad padding');
    }
    // connection flow control counts every byte, padding included, whatever the stream's state
    this.recvWindow -= len;
    if (this.recvWindow < 0) return this.connError(H2Error.FLOW_CONTROL_ERROR, 'connection window exceeded');
    this.recvUnacked += len;
    if (this.recvUnacked >= this.limits.connWindow >>> 2) {
      this.put(windowUpdateFrame(0, this.recvUnacked));
      this.recvWindow += this.recvUnacked;
      this.recvUnacked = 0;
    }
    this.counters.dataRcvd++;
    const s = this.streams.get(id);
    const end = (flags & Flag.END_STREAM) !== 0;
    if (s === undefined) {
      if (!this.isClosedId(id)) return this.connError(H2Error.PROTOCOL_ERROR, 'DATA on an idle stream');
      this.glitch();
      return;
    }
    if (s.remoteEnded) return this.streamError(id, H2Error.STREAM_CLOSED);
    s.recvWindow -= len;
    if (s.recvWindow < 0) return this.streamError(id, H2Error.FLOW_CONTROL_ERROR);
    // padding is given back at once; the data when its user consumed it
    s.unacked += len - (de - ds);
    if (de === ds && !end && !this.glitch()) return;
    if (end) s.remoteEnded = true;
    s.user?.streamData(s, buf, ds, de, end);
    if (end) this.maybeClose(s);
  }

  private headersFrame(buf: Buffer, p: number, len: number, flags: number, id: number): void {
    if (id === 0) return this.connError(H2Error.PROTOCOL_ERROR, 'HEADERS on stream 0');
    let fs = p;
    let fe = p + len;
    if (flags & Flag.PADDED) {
      if (len < 1) return this.connError(H2Error.PROTOCOL_ERROR, 'bad padding');
      fe -= buf[p];
      fs++;
    }
    if (flags & Flag.PRIORITY) fs += 5;
    if (fe < fs) return this.connError(H2Error.PROTOCOL_ERROR, 'bad padding');
    this.counters.headersRcvd++;
    const end = (flags & Flag.END_STREAM) !== 0;
    if (flags & Flag.END_HEADERS) return this.decodeBlock(id, end, buf, fs, fe);
    if (fe - fs > this.limits.maxHeaderBlock) return this.flood('header block too large');
    this.hbStream = id;
    this.hbEnd = end;
    this.hbParts = [Buffer.from(buf.subarray(fs, fe))];
    this.hbLen = fe - fs;
    this.hbFrames = 1;
  }

  private continuationFrame(buf: Buffer, p: number, len: number, flags: number, id: number): void {
    if (this.hbStream === 0 || id !== this.hbStream) return this.connError(H2Error.PROTOCOL_ERROR, 'unexpected CONTINUATION');
    this.hbLen += len;
    this.hbFrames++;
    if (this.hbLen > this.limits.maxHeaderBlock || this.hbFrames > this.limits.maxHeaderFrames) {
      return this.flood('CONTINUATION flood');
    }
    if (len === 0 && (flags & Flag.END_HEADERS) === 0 && !this.glitch()) return;
    this.hbParts.push(Buffer.from(buf.subarray(p, p + len)));
    if ((flags & Flag.END_HEADERS) === 0) return;
    const block = Buffer.concat(this.hbParts, this.hbLen);
    this.hbStream = 0;
    this.hbParts = [];
    this.decodeBlock(id, this.hbEnd, block, 0, block.length);
  }

  private decodeBlock(id: number, end: boolean, buf: Buffer, s: number, e: number): void {
    const fields: string[] = [];
    const r = this.dec.decode(buf, s, e, fields);
    if (r === HpackError.COMPRESSION) return this.connError(H2Error.COMPRESSION_ERROR, 'HPACK');
    this.headerBlock(id, fields, end, r === HpackError.HEADER_LIST_TOO_LARGE);
  }

  private rstFrame(buf: Buffer, p: number, len: number, id: number): void {
    if (len !== 4) return this.connError(H2Error.FRAME_SIZE_ERROR, 'RST_STREAM size');
    if (id === 0) return this.connError(H2Error.PROTOCOL_ERROR, 'RST_STREAM on stream 0');
    this.counters.rstRcvd++;
    const s = this.streams.get(id);
    if (s === undefined) {
      if (!this.isClosedId(id)) return this.connError(H2Error.PROTOCOL_ERROR, 'RST_STREAM on an idle stream');
      return;
    }
    const code = buf.readUInt32BE(p);
    // a stream reset before its response was complete: the rapid-reset pattern when repeated
    if (!s.localEnded && !this.glitch()) return;
    this.dropStream(s);
    s.user?.streamReset(s, code);
  }

  private settingsFrame(buf: Buffer, p: number, len: number, flags: number, id: number): void {
    if (id !== 0) return this.connError(H2Error.PROTOCOL_ERROR, 'SETTINGS on a stream');
    if (flags & Flag.ACK) {
      if (len !== 0) return this.connError(H2Error.FRAME_SIZE_ERROR, 'SETTINGS ack with payload');
      return;
    }
    if (len % 6 !== 0) return this.connError(H2Error.FRAME_SIZE_ERROR, 'SETTINGS size');
    this.counters.settingsRcvd++;
    if (this.settingsSeen && !this.glitch()) return;
    // the peer's first SETTINGS: what it leaves out is HTTP/2's default (no stream limit)
    if (!this.settingsSeen) this.peerMaxStreams = 0x7fffffff;
    this.settingsSeen = true;
    for (let o = p; o < p + len; o += 6) {
      const k = buf.readUInt16BE(o);
      const v = buf.readUInt32BE(o + 2);
      switch (k) {
        case Setting.HEADER_TABLE_SIZE:
          this.enc.setPeerMaxTableSize(v);
          break;
        case Setting.ENABLE_PUSH:
          if (v > 1) return this.connError(H2Error.PROTOCOL_ERROR, 'ENABLE_PUSH');
          break;
        case Setting.MAX_CONCURRENT_STREAMS:
          this.peerMaxStreams = v;
          break;
        case Setting.INITIAL_WINDOW_SIZE: {
          if (v > MAX_WINDOW) return this.connError(H2Error.FLOW_CONTROL_ERROR, 'INITIAL_WINDOW_SIZE');
          const delta = v - this.peerInitialWindow;
          this.peerInitialWindow = v;
          for (const s of this.streams.values()) {
            s.sendWindow += delta;
            if (s.sendWindow > MAX_WINDOW) return this.connError(H2Error.FLOW_CONTROL_ERROR, 'window overflow');
          }
          if (delta > 0) this.wakeWaiters();
          break;
        }
        case Setting.MAX_FRAME_SIZE:
          if (v < DEFAULT_MAX_FRAME || v > MAX_FRAME_LIMIT) return this.connError(H2Error.PROTOCOL_ERROR, 'MAX_FRAME_SIZE');
          this.peerMaxFrame = v;
          break;
        default:
          break; // MAX_HEADER_LIST_SIZE is advisory; unknown settings are ignored
      }
    }
    this.put(SETTINGS_ACK);
    this.peerSettings();
  }

  /** The peer's SETTINGS were applied (its stream limit may have changed). */
  protected peerSettings(): void {}

  private windowFrame(buf: Buffer, p: number, len: number, id: number): void {
    if (len !== 4) return this.connError(H2Error.FRAME_SIZE_ERROR, 'WINDOW_UPDATE size');
    const inc = buf.readUInt32BE(p) & 0x7fffffff;
    if (id === 0) {
      if (inc === 0) return this.connError(H2Error.PROTOCOL_ERROR, 'WINDOW_UPDATE of 0');
      this.sendWindow += inc;
      if (this.sendWindow > MAX_WINDOW) return this.connError(H2Error.FLOW_CONTROL_ERROR, 'connection window overflow');
      return this.wakeWaiters();
    }
    const s = this.streams.get(id);
    if (s === undefined) {
      if (!this.isClosedId(id)) return this.connError(H2Error.PROTOCOL_ERROR, 'WINDOW_UPDATE on an idle stream');
      return;
    }
    if (inc === 0) return this.streamError(id, H2Error.PROTOCOL_ERROR);
    s.sendWindow += inc;
    if (s.sendWindow > MAX_WINDOW) return this.streamError(id, H2Error.FLOW_CONTROL_ERROR);
    if (s.waiting) this.wakeWaiters();
  }

  // ------------------------------------------------------------------ protections and errors

  /** Count one glitch; false (and the connection ended) once the budget is spent. */
  protected glitch(): boolean {
    const now = monoNow(); // a wall-clock step back must not drain the budget
    const t = this.glitchTokens + ((now - this.glitchAt) * GLITCH_RATE) / 1000;
    this.glitchAt = now;
    this.glitchTokens = Math.min(GLITCH_BURST, t) - 1;
    if (this.glitchTokens >= 0) return true;
    this.flood('too many useless frames');
    return false;
  }

  protected flood(why: string): void {
    this.counters.floods++;
    this.connError(H2Error.ENHANCE_YOUR_CALM, why);
  }

  /** A connection error: GOAWAY with `code`, every stream reset, the transport closed once the GOAWAY is out. */
  connError(code: number, why: string, silent = false): void {
    if (this.dead) return;
    if (code === H2Error.PROTOCOL_ERROR || code === H2Error.FRAME_SIZE_ERROR || code === H2Error.COMPRESSION_ERROR ||
        code === H2Error.FLOW_CONTROL_ERROR) this.counters.connProtoErrors++;
    this.onConnError(code, why);
    if (!silent) {
      this.counters.goawayResp++;
      this.put(goawayFrame(this.lastPeerStream, code, why));
    }
    this.finish(code);
  }

  protected onConnError(_code: number, _why: string): void {}

  /** A stream error: RST_STREAM, the stream's user told. */
  streamError(id: number, code: number): void {
    if (code === H2Error.PROTOCOL_ERROR || code === H2Error.FLOW_CONTROL_ERROR || code === H2Error.STREAM_CLOSED) {
      this.counters.streamProtoErrors++;
    }
    this.counters.rstResp++;
    this.put(rstStreamFrame(id, code));
    const s = this.streams.get(id);
    if (s === undefined) return;
    this.dropStream(s);
    s.user?.streamReset(s, code);
  }

  /** Reset one of the streams from our side (its user is not called back). */
  resetStream(s: H2Stream, code: number): void {
    if (s.closed) return;
    // both ends are done (the user learnt it before the endpoint did): nothing to reset
    if (s.localEnded && s.remoteEnded) return this.dropStream(s);
    this.counters.rstResp++;
    this.put(rstStreamFrame(s.id, code));
    this.dropStream(s);
  }

  private dropStream(s: H2Stream): void {
    if (s.closed) return;
    s.closed = true;
    this.streams.delete(s.id);
    this.streamClosed(s);
  }

  /** Both directions ended: the stream is over. */
  protected maybeClose(s: H2Stream): void {
    if (s.localEnded && s.remoteEnded) this.dropStream(s);
  }

  /** End the connection: streams reset (users told), pending output written, transport shut. */
  protected finish(code: number): void {
    if (this.dead) return;
    this.dead = true;
    const list = [...this.streams.values()];
    for (const s of list) {
      this.dropStream(s);
      s.user?.streamReset(s, code);
    }
    this.waiters = [];
    this.flush();
    this.conn.shutdown();
    // the peer gets a moment to read the GOAWAY; then the socket goes
    const t = setTimeout(() => this.conn.close(), 1000);
    t.unref();
    this.connClosed();
  }

  // ------------------------------------------------------------------ transport events

  onEnd(): void {
    this.transportGone();
  }

  onError(_code: string): void {
    this.transportGone();
  }

  private transportGone(): void {
    if (this.dead) {
      this.conn.close();
      return;
    }
    this.dead = true;
    const list = [...this.streams.values()];
    for (const s of list) {
      this.dropStream(s);
      s.user?.streamReset(s, H2Error.CANCEL);
    }
    this.waiters = [];
    this.conn.close();
    this.connClosed();
  }

  onDrain(): void {
    this.writing = false;
    if (this.slabLen > 0) this.flush();
    if (this.writing) return;
    if (this.readPaused && !this.dead) {
      this.readPaused = false;
      this.conn.readStart();
    }
    this.wakeWaiters();
  }

  // ------------------------------------------------------------------ output

  /** Room for n bytes at the end of the slab; returns the offset. */
  private reserve(n: number): number {
    if (this.slabLen + n > this.slab.length) {
      const next = Buffer.allocUnsafe(Math.max(this.slab.length * 2, this.slabLen + n));
      this.slab.copy(next, 0, 0, this.slabLen);
      this.slab = next;
    }
    const o = this.slabLen;
    this.slabLen += n;
    if (this.writing) {
      // the peer is not reading what is already pending: past OUT_LIMIT, stop reading what it sends
      if (!this.readPaused && this.slabLen + this.conn.pendingBytes() > OUT_LIMIT) {
        this.readPaused = true;
        this.conn.readStop();
      }
    } else if (!this.flushQueued) {
      this.flushQueued = true;
      setImmediate(this.flushCb);
    }
    return o;
  }

  /** Queue a ready-made frame. */
  protected put(frame: Buffer): void {
    const o = this.reserve(frame.length);
    frame.copy(this.slab, o);
  }

  /** Write the slab now (when no write is pending). */
  protected flush(): void {
    if (this.writing || this.slabLen === 0 || this.conn.closed) return;
    const out = this.slab.subarray(0, this.slabLen);
    this.slabLen = 0;
    if (this.conn.write(out)) {
      // streams that stopped on a full slab may go on
      if (this.waiters.length > 0) this.wakeWaiters();
      return;
    }
    // the transport keeps `out`: later frames go into a new slab
    this.writing = true;
    this.slab = Buffer.allocUnsafe(SLAB);
    if (!this.readPaused && this.conn.pendingBytes() > OUT_LIMIT) {
      this.readPaused = true;
      this.conn.readStop();
    }
  }

  private congested(): boolean {
    return this.slabLen + (this.writing ? this.conn.pendingBytes() : 0) > HIGH_WATER;
  }

  private wait(s: H2Stream): void {
    if (s.waiting) return;
    s.waiting = true;
    this.waiters.push(s);
  }

  private wakeWaiters(): void {
    if (this.waiters.length === 0) return;
    const list = this.waiters;
    this.waiters = [];
    for (const s of list) {
      s.waiting = false;
      if (!s.closed && !this.dead) s.user?.streamWritable(s);
    }
  }

  /** Send a header block on `s` (HEADERS, CONTINUATION as needed). */
  sendHeaders(s: H2Stream, fields: readonly string[], endStream: boolean): void {
    if (s.closed || this.dead) return;
    const block = this.enc.encode(fields);
    const max = this.peerMaxFrame;
    const n = block.length;
    const frames = n === 0 ? 1 : Math.ceil(n / max);
    const o0 = this.reserve(n + FRAME_HEADER * frames);
    const slab = this.slab;
    let o = o0;
    for (let i = 0, at = 0; i < frames; i++) {
      const len = Math.min(max, n - at);
      const last = i === frames - 1;
      const flags = (last ? Flag.END_HEADERS : 0) | (i === 0 && endStream ? Flag.END_STREAM : 0);
      writeFrameHeader(slab, o, len, i === 0 ? FrameType.HEADERS : FrameType.CONTINUATION, flags, s.id);
      block.copy(slab, o + FRAME_HEADER, at, at + len);
      o += FRAME_HEADER + len;
      at += len;
    }
    if (endStream) {
      s.localEnded = true;
      this.maybeClose(s);
    }
  }

  /**
   * Send buf[start, end) as DATA on `s`, as far as the windows and the output allow; END_STREAM with the
   * last byte when `endStream`. Returns how many bytes were taken (copied); when fewer than given, the
   * stream's user is called back (streamWritable) once it may go on.
   */
  sendData(s: H2Stream, buf: Buffer, start: number, end: number, endStream: boolean): number {
    if (s.closed || this.dead) return end - start;
    let off = start;
    while (off < end) {
      const room = Math.min(s.sendWindow, this.sendWindow, this.peerMaxFrame);
      if (room <= 0 || this.congested()) {
        this.wait(s);
        return off - start;
      }
      const n = Math.min(room, end - off);
      const last = off + n === end;
      const o = this.reserve(FRAME_HEADER + n);
      writeFrameHeader(this.slab, o, n, FrameType.DATA, last && endStream ? Flag.END_STREAM : 0, s.id);
      buf.copy(this.slab, o + FRAME_HEADER, off, off + n);
      s.sendWindow -= n;
      this.sendWindow -= n;
      off += n;
    }
    if (endStream) {
      if (start === end) {
        const o = this.reserve(FRAME_HEADER);
        writeFrameHeader(this.slab, o, 0, FrameType.DATA, Flag.END_STREAM, s.id);
      }
      s.localEnded = true;
      this.maybeClose(s);
    }
    return end - start;
  }

  /** The stream's user consumed n bytes of DATA: give the window back in halves. */
  consumed(s: H2Stream, n: number): void {
    s.unacked += n;
    if (s.closed || s.remoteEnded) return;
    if (s.unacked >= this.limits.initialWindow >>> 1) {
      this.put(windowUpdateFrame(s.id, s.unacked));
      s.recvWindow += s.unacked;
      s.unacked = 0;
    }
  }

  /** GOAWAY NO_ERROR: no new streams from the peer; streams in progress finish. */
  goaway(code: number = H2Error.NO_ERROR, why = ''): void {
    if (this.dead || this.goawaySent) return;
    this.goawaySent = true;
    this.counters.goawayResp++;
    this.put(goawayFrame(this.lastPeerStream, code, why));
    if (this.streams.size === 0) this.close();
  }

  /** Close after what is queued went out. */
  close(): void {
    if (this.dead) return;
    this.finish(H2Error.NO_ERROR);
  }
}
