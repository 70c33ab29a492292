/**
 * The raw transport: libuv TCP handles driven directly, as Node's own `net` does underneath, without
 * the stream layers (no Readable/Writable state, no per-read allocation: each connection reads into one
 * reusable buffer). Only the handle methods `net` itself relies on are used: bind/listen/open,
 * connect, readStart/readStop with a user buffer, writeBuffer, shutdown, close, getpeername/getsockname.
 * `rawTransport()` returns null when the binding is not available, and lbd falls back to `net`.
 */
import { getSystemErrorName } from 'node:util';
import { constants as osConstants } from 'node:os';
import type { BindConfig } from '../config/types.js';
import { bindError, bindHost, NO_HANDLER, type Conn, type ConnHandler, type ConnListener, type DialCallback, type DialOptions, type Endpoints, type TlsInfo, type Transport } from './conn.js';

/* The subset of the internal binding's shapes that this file uses. */
export interface UvTcp {
  onread: (this: UvTcp, ab?: ArrayBuffer) => Uint8Array | undefined;
  onconnection: (err: number, h: UvTcp) => void;
  readonly writeQueueSize: number;
  readStart(): number;
  readStop(): number;
  useUserBuffer(buf: Uint8Array): void;
  writeBuffer(req: UvReq, buf: Uint8Array): number;
  shutdown(req: UvReq): number;
  close(cb?: () => void): void;
  reset?(cb?: () => void): number;
  setNoDelay(on: boolean): number;
  bind(addr: string, port: number): number;
  bind6(addr: string, port: number, flags: number): number;
  listen(backlog: number): number;
  open(fd: number): number;
  connect(req: UvReq, addr: string, port: number): number;
  connect6(req: UvReq, addr: string, port: number): number;
  getpeername(out: Record<string, unknown>): number;
  getsockname(out: Record<string, unknown>): number;
}
export interface UvReq {
  oncomplete: ((status: number) => void) | null;
  handle: UvTcp | null;
  async?: boolean;
  address?: string;
  port?: number;
  buffer?: Uint8Array | null;
}
export interface Bindings {
  TCP: new (type: number) => UvTcp;
  TCPConnectWrap: new () => UvReq;
  WriteWrap: new () => UvReq;
  ShutdownWrap: new () => UvReq;
  SERVER: number;
  SOCKET: number;
  state: Int32Array;
  kReadBytesOrError: number;
  kLastWriteWasAsync: number;
}

const READ_BUFFER = 64 * 1024;
/** Read buffers of closed connections, reused by new ones: no allocation per connection in steady state. */
const freeBuffers: Buffer[] = [];
const MAX_FREE_BUFFERS = 256;
const takeBuffer = () => freeBuffers.pop() ?? Buffer.allocUnsafe(READ_BUFFER);
const UV_EOF = -4095;
const UV_TCP_IPV6ONLY = 1;
/** libuv reports errors as negated errno values; ENOTCONN differs between systems. */
const UV_ENOTCONN = -(osConstants.errno.ENOTCONN ?? 107);

function loadBindings(): Bindings | null {
  try {
    const binding = (process as unknown as { binding(name: string): Record<string, unknown> }).binding;
    const tcp = binding('tcp_wrap') as { TCP: Bindings['TCP']; TCPConnectWrap: Bindings['TCPConnectWrap']; constants: { SERVER: number; SOCKET: number } };
    const sw = binding('stream_wrap') as { WriteWrap: Bindings['WriteWrap']; ShutdownWrap: Bindings['ShutdownWrap']; streamBaseState: Int32Array; kReadBytesOrError: number; kLastWriteWasAsync: number };
    const b: Bindings = {
      TCP: tcp.TCP,
      TCPConnectWrap: tcp.TCPConnectWrap,
      WriteWrap: sw.WriteWrap,
      ShutdownWrap: sw.ShutdownWrap,
      SERVER: tcp.constants.SERVER,
      SOCKET: tcp.constants.SOCKET,
      state: sw.streamBaseState,
      kReadBytesOrError: sw.kReadBytesOrError,
      kLastWriteWasAsync: sw.kLastWriteWasAsync,
    };
    const probe = new b.TCP(b.SOCKET);
    const ok = typeof probe.useUserBuffer === 'function' && typeof probe.writeBuffer === 'function' && typeof b.state?.length === 'number';
    probe.close();
    return ok ? b : null;
  } catch {
    return null;
  }
}

/** The native slots take functions only: after close they point here. */
function ignore(): undefined {
  return undefined;
}

export const errName = (code: number) => {
  try {
    return getSystemErrorName(code);
  } catch {
    return `E${-code}`;
  }
};

function onWriteComplete(this: UvReq, status: number): void {
  const conn = (this as UvReq & { conn: RawConn }).conn;
  this.buffer = null;
  conn.writeDone(status);
}

function onShutdownComplete(this: UvReq, status: number): void {
  const conn = (this as UvReq & { conn: RawConn }).conn;
  if (status < 0 && status !== UV_ENOTCONN) conn.fail(errName(status));
}

/** A stream handle layered on a TCP handle (Node's TLSWrap): it reads and writes, the TCP handle closes. */
export interface LayeredStream extends UvTcp {
  destroySSL(): void;
}

export class RawConn implements Conn {
  handler: ConnHandler = NO_HANDLER;
  closed = false;
  /** Set by the TLS listener for connections it accepted. */
  tls?: TlsInfo;
  private buf: Buffer;
  private pendingWrites = 0;
  private shutdownWanted = false;
  private reading = false;
  /** Bytes a layered stream produced while not reading (copies), delivered by the next readStart. */
  private held: Buffer[] | null = null;
  /** The TCP handle: `h` itself, or the one under a layered stream. */
  readonly tcp: UvTcp;

  /** `h` reads and writes; with a layered stream (TLS), `tcp` is the TCP handle under it. */
  constructor(readonly b: Bindings, readonly h: UvTcp, tcp?: UvTcp) {
    this.tcp = tcp ?? h;
    this.buf = takeBuffer();
    h.useUserBuffer(this.buf);
    const self = this;
    const state = b.state;
    const k = b.kReadBytesOrError;
    // the value onread returns becomes the handle's next read buffer (how Node's own net switches
    // buffers); calling useUserBuffer again would stack a native listener per switch
    h.onread = function () {
      const n = state[k]!;
      if (self.closed) return undefined;
      if (n > 0) {
        const lent = self.buf;
        // a layered stream may still hand over what it had decrypted in the read that stopped it
        if (!self.reading) {
          (self.held ??= []).push(Buffer.from(lent.subarray(0, n)));
          return undefined;
        }
        self.handler.onData(lent.subarray(0, n));
        return self.buf !== lent && !self.closed ? self.buf : undefined;
      }
      if (n < 0 && !self.reading) {
        // the end (or an error) behind bytes held back: reported after them, once reading again
        self.heldEnd = n;
        return undefined;
      }
      self.ended(n);
      return undefined;
    };
  }

  /** What came after the data, once read (0: nothing). */
  private heldEnd = 0;

  private ended(n: number): void {
    if (n === UV_EOF) {
      this.eofSeen = true;
      if (this.pendingWrites > 0) this.watchStall();
      this.readStop();
      this.handler.onEnd();
    } else if (n < 0) this.fail(errName(n));
  }

  readStart(): void {
    if (this.closed || this.reading) return;
    this.reading = true;
    while (this.held !== null) {
      const b = this.held.shift()!;
      if (this.held.length === 0) this.held = null;
      this.deliveringHeld = true;
      try {
        this.handler.onData(b);
      } finally {
        this.deliveringHeld = false;
      }
      if (this.closed || !this.reading) return;
    }
    if (this.heldEnd !== 0) {
      const n = this.heldEnd;
      this.heldEnd = 0;
      return this.ended(n);
    }
    const err = this.h.readStart();
    if (err < 0) this.fail(errName(err));
  }

  readStop(): void {
    if (this.closed || !this.reading) return;
    this.reading = false;
    this.h.readStop();
  }

  /** A write request object kept for the next write: a write that completes at once leaves it unused by libuv. */
  private spareReq: (UvReq & { conn: RawConn }) | null = null;

  /** Writes behind the one in flight on a layered stream (TLSWrap takes one write at a time), and their size. */
  private queued: Buffer[] | null = null;
  private queuedBytes = 0;

  write(data: Buffer): boolean {
    if (this.closed) return true;
    if (this.pendingWrites > 0 && this.tcp !== this.h) {
      (this.queued ??= []).push(data);
      this.queuedBytes += data.length;
      return false;
    }
    let req = this.spareReq;
    if (req === null) {
      req = new this.b.WriteWrap() as UvReq & { conn: RawConn };
      req.handle = this.h;
      req.oncomplete = onWriteComplete;
      req.conn = this;
    }
    req.async = false;
    const err = this.h.writeBuffer(req, data);
    if (err < 0) {
      this.spareReq = null;
      this.fail(errName(err));
      return true;
    }
    if (this.b.state[this.b.kLastWriteWasAsync] === 0) {
      // written at once: libuv holds nothing of `req`, the next write may use it again
      this.spareReq = req;
      return true;
    }
    this.spareReq = null;
    req.buffer = data; // keep the bytes alive until libuv is done with them
    this.pendingWrites++;
    if (this.eofSeen) this.watchStall();
    return false;
  }

  private eofSeen = false;
  private stallTimer: NodeJS.Timeout | null = null;

  /**
   * A layered stream (TLSWrap) whose own write to the TCP handle failed (its session tickets, sent right
   * after the handshake to a client that has already closed and reset) never completes the writes queued
   * behind it, nor reports anything. After the peer's end, a write still pending is watched: once the TCP
   * connection is gone (getpeername fails after a reset) the connection fails instead of waiting forever.
   */
  private watchStall(): void {
    if (this.tcp === this.h || this.stallTimer !== null) return;
    this.stallTimer = setInterval(() => {
      if (this.closed || this.pendingWrites === 0) {
        clearInterval(this.stallTimer!);
        this.stallTimer = null;
        return;
      }
      if (this.tcp.getpeername({}) !== 0) {
        clearInterval(this.stallTimer!);
        this.stallTimer = null;
        this.fail('EPIPE');
      }
    }, 50);
    this.stallTimer.unref();
  }

  /** A pending write finished (called by onWriteComplete). */
  writeDone(status: number): void {
    this.pendingWrites--;
    if (this.closed) return;
    if (status < 0) return this.fail(errName(status));
    if (this.queued !== null && this.pendingWrites === 0) {
      // what waited behind the write just done goes out as one write
      const q = this.queued;
      this.queued = null;
      this.queuedBytes = 0;
      if (!this.write(q.length === 1 ? q[0]! : Buffer.concat(q)) || this.closed) return;
    }
    if (this.pendingWrites === 0) {
      if (this.shutdownWanted) this.doShutdown();
      this.handler.onDrain();
    }
  }

  /** Only valid inside onData (the only place a buffer is lent): the new buffer is handed over on return. */
  detachReadBuffer(): void {
    // held bytes are copies the handler may keep: the read buffer is not theirs to give away
    if (this.deliveringHeld) return;
    this.buf = takeBuffer();
  }

  private deliveringHeld = false;

  shutdown(): void {
    if (this.closed || this.shutdownWanted) return;
    this.shutdownWanted = true;
    if (this.pendingWrites === 0) this.doShutdown();
  }

  private doShutdown(): void {
    const req = new this.b.ShutdownWrap() as UvReq & { conn: RawConn };
    req.oncomplete = onShutdownComplete;
    req.handle = this.h;
    req.conn = this;
    const err = this.h.shutdown(req);
    if (err < 0 && err !== UV_ENOTCONN) this.fail(errName(err));
  }

  fail(code: string): void {
    if (this.closed) return;
    this.handler.onError(code);
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    if (this.stallTimer !== null) clearInterval(this.stallTimer);
    this.handler = NO_HANDLER;
    this.h.onread = ignore;
    this.held = null;
    this.queued = null;
    if (this.tcp !== this.h) {
      // OpenSSL's state goes once the TCP handle is closed (not on OpenSSL's own stack), as Node does
      const w = this.h as LayeredStream;
      this.tcp.close(() => w.destroySSL());
    } else this.h.close();
    // the current read buffer is lent to nobody (a kept buffer is always detached first): recycle it
    if (freeBuffers.length < MAX_FREE_BUFFERS) freeBuffers.push(this.buf);
  }

  reset(): void {
    if (this.closed) return;
    // libuv refuses a reset while a shutdown is in flight, and the handle would never close
    if (typeof this.tcp.reset !== 'function' || this.shutdownWanted) return this.close();
    this.closed = true;
    if (this.stallTimer !== null) clearInterval(this.stallTimer);
    this.handler = NO_HANDLER;
    this.h.onread = ignore;
    this.held = null;
    this.queued = null;
    const after = this.tcp !== this.h ? () => (this.h as LayeredStream).destroySSL() : undefined;
    if (this.tcp.reset(after) < 0) this.tcp.close(after);
    if (freeBuffers.length < MAX_FREE_BUFFERS) freeBuffers.push(this.buf);
  }

  pendingBytes(): number {
    if (this.closed) return 0;
    if (this.tcp === this.h) return this.h.writeQueueSize;
    // a layered stream's own bytes (session tickets, close_notify) are not waited for: only writes made here
    return this.pendingWrites === 0 ? 0 : Math.max(1, (this.h.writeQueueSize ?? 0) + this.tcp.writeQueueSize + this.queuedBytes);
  }

  remoteAddress(): string | null {
    const out: Record<string, unknown> = {};
    return !this.closed && this.tcp.getpeername(out) === 0 ? (out.address as string) : null;
  }

  localPort(): number | null {
    const out: Record<string, unknown> = {};
    return !this.closed && this.tcp.getsockname(out) === 0 ? (out.port as number) : null;
  }

  endpoints(): Endpoints | null {
    const peer: Record<string, unknown> = {};
    const self: Record<string, unknown> = {};
    if (this.closed || this.tcp.getpeername(peer) !== 0 || this.tcp.getsockname(self) !== 0) return null;
    return { src: peer.address as string, srcPort: peer.port as number, dst: self.address as string, dstPort: self.port as number };
  }
}

export class RawListener implements ConnListener {
  private open = true;
  constructor(readonly h: UvTcp, readonly bind: BindConfig) {}
  address(): string {
    if (this.bind.fd !== null) return `fd@${this.bind.fd}`;
    const out: Record<string, unknown> = {};
    if (this.h.getsockname(out) !== 0) return this.bind.text;
    return out.family === 'IPv6' ? `[${out.address}]:${out.port}` : `${out.address}:${out.port}`;
  }
  close(): void {
    if (!this.open) return;
    this.open = false;
    this.h.onconnection = ignore;
    this.h.close();
  }
}

/**
 * Linux gives an accepted socket the listening socket's TCP_NODELAY: set once on the listener, it saves
 * a setsockopt (and a native call) per connection. Elsewhere each accepted handle sets it (`acceptedNoDelay`).
 */
const NODELAY_INHERITED = process.platform === 'linux';

/** TCP_NODELAY on an accepted handle, where the listener did not already give it. */
export function acceptedNoDelay(client: UvTcp): void {
  if (!NODELAY_INHERITED) client.setNoDelay(true);
}

/** A listening TCP handle for the bind (with TCP_NODELAY for what it accepts), or the error's name. */
export function listenHandle(b: Bindings, bind: BindConfig, backlog: number): UvTcp | string {
  const h = new b.TCP(b.SERVER);
  let err: number;
  if (bind.fd !== null) err = h.open(bind.fd);
  else {
    const host = bindHost(bind);
    err = host.includes(':') ? h.bind6(host, bind.port, bind.family === 'ipv6' && bind.host !== '' ? UV_TCP_IPV6ONLY : 0) : h.bind(host, bind.port);
  }
  if (err === 0) err = h.listen(backlog);
  if (err < 0) {
    h.close();
    return errName(err);
  }
  if (NODELAY_INHERITED) h.setNoDelay(true);
  return h;
}

function createRawTransport(b: Bindings): Transport {
  return {
    name: 'raw',
    listen(bind, backlog, onConnection) {
      const h = listenHandle(b, bind, backlog);
      if (typeof h === 'string') return Promise.reject(bindError(bind, h));
      h.onconnection = (status, client) => {
        if (status < 0 || !client) return;
        acceptedNoDelay(client);
        onConnection(new RawConn(b, client));
      };
      return Promise.resolve(new RawListener(h, bind));
    },
    dial(host: string, port: number, done: DialCallback, opts?: DialOptions): Conn {
      const h = new b.TCP(b.SOCKET);
      const noDelay = opts?.noDelay ?? true;
      const conn = new RawConn(b, h);
      const req = new b.TCPConnectWrap();
      req.address = host;
      req.port = port;
      req.oncomplete = (status: number) => {
        if (conn.closed) return;
        if (status < 0) return done(errName(status));
        if (noDelay) h.setNoDelay(true);
        done(null);
      };
      const err = host.includes(':') ? h.connect6(req, host, port) : h.connect(req, host, port);
      if (err < 0) queueMicrotask(() => !conn.closed && done(errName(err)));
      // Read from the start: libuv then turns the connect's EPOLLOUT registration into EPOLLIN with one
      // epoll_ctl MOD, where a read started after the connect costs a failed ADD (EEXIST) and a MOD. One
      // syscall less per server connection; no byte can be read before the connect callback, in which
      // every user installs its handler.
      else conn.readStart();
      return conn;
    },
  };
}

let cached: Transport | null | undefined;
let cachedBindings: Bindings | null | undefined;

/** The TCP handle bindings, or null when this Node.js does not expose them. */
export function rawBindings(): Bindings | null {
  if (cachedBindings === undefined) cachedBindings = loadBindings();
  return cachedBindings;
}

/** The raw transport, or null when this Node.js does not expose the TCP handle binding. */
export function rawTransport(): Transport | null {
  if (cached === undefined) {
    const b = rawBindings();
    cached = b ? createRawTransport(b) : null;
  }
  return cached;
}
