/**
 * The transport under lbd's data path: one TCP connection, reduced to what a proxy needs.
 *
 * Two implementations: `raw-conn.ts` drives libuv's TCP handles directly (the handles Node's `net`
 * is built on) with one reusable read buffer per connection; `net-conn.ts` wraps `net.Socket`. The raw
 * transport costs about half the CPU per connection and a third less per chunk (measured; see the
 * README's performance notes), so it is the default; the `net` transport is the fallback when the
 * handle binding is missing, and the reference the tests run the same scenarios against.
 *
 * Buffer ownership: `onData(buf)` lends `buf` for the duration of the call. If the receiver keeps it
 * (a write that could not complete at once), it calls `detachReadBuffer()` so the next read goes into
 * a fresh buffer. Callbacks never fire after `close()`.
 */
import type { BindConfig } from '../config/types.js';

export interface ConnHandler {
  /** Bytes arrived; `buf` is only valid during the call unless detachReadBuffer() is called. */
  onData(buf: Buffer): void;
  /** The peer sent FIN. */
  onEnd(): void;
  /** A read or write failed (code like 'ECONNRESET'); the connection should be closed. */
  onError(code: string): void;
  /** Every pending write reached the kernel. */
  onDrain(): void;
}

export interface Conn {
  handler: ConnHandler;
  readStart(): void;
  readStop(): void;
  /** Write `buf`. true: written at once (buf may be reused); false: pending, `onDrain` follows (buf must not change). */
  write(buf: Buffer): boolean;
  /** The last buffer lent by onData is kept by someone: read into a new one from now on. */
  detachReadBuffer(): void;
  /** Send FIN once pending writes are done. */
  shutdown(): void;
  /** Close now (a RST if data is unread). Idempotent. */
  close(): void;
  /** Close with a RST (no TIME_WAIT on our side): health checks end this way, as in HAProxy. */
  reset(): void;
  readonly closed: boolean;
  /** Bytes written but not yet handed to the kernel. */
  pendingBytes(): number;
  remoteAddress(): string | null;
  localPort(): number | null;
  /** Both ends (address and port), for layer 4 fetches (`src`, `src_port`, `dst`, `dst_port`); null once closed. */
  endpoints(): Endpoints | null;
  /**
   * Payload bytes read before the session started (those that came with a PROXY header, `accept-proxy`):
   * the session sends them to the server before reading more. Unset on every other connection.
   */
  early?: Buffer | null;
  /** The client sent FIN before the session started (during `tcp-request` inspection): passed on after `early`. */
  earlyEnd?: boolean;
  /** Accepted on a `bind … proto h2` listener: HTTP/2 with prior knowledge. */
  proto?: 'h2';
  /** A connection accepted on a TLS listener (`bind … ssl`): what its handshake settled. Unset otherwise. */
  tls?: TlsInfo;
}

/** The TLS side of a connection accepted on a `bind … ssl` listener (for `ssl_fc*` fetches, logs and counters). */
export interface TlsInfo {
  /** The SNI name the client sent, or null. */
  readonly sni: string | null;
  /** 'TLSv1.2', 'TLSv1.3' … */
  readonly protocol: string;
  /** OpenSSL's cipher name. */
  readonly cipher: string;
  /** The ALPN protocol agreed, or null. */
  readonly alpn: string | null;
  /** The session was resumed (ticket or id). */
  readonly resumed: boolean;
  /** Client certificate: whether one was sent, its verification result (0 = ok, as ssl_c_verify) and subject DN. */
  readonly clientCert: boolean;
  readonly clientVerify: number;
  readonly clientSubject: string | null;
}

export interface Endpoints {
  readonly src: string;
  readonly srcPort: number;
  readonly dst: string;
  readonly dstPort: number;
}

export type DialCallback = (err: string | null) => void;

export interface DialOptions {
  /** TCP_NODELAY (default true). A probe that writes once does not need the extra setsockopt. */
  readonly noDelay?: boolean;
}

export interface ConnListener {
  /** `ip:port` actually bound, or `fd@N`. */
  address(): string;
  close(): void;
}

/** A way to accept and dial connections. */
export interface Transport {
  readonly name: 'raw' | 'net';
  /** Listen; resolves once bound, rejects with an operator-readable message. New connections do not read until readStart(). */
  listen(bind: BindConfig, backlog: number, onConnection: (c: Conn) => void): Promise<ConnListener>;
  /** Connect; `done` runs once with null or an error code (ECONNREFUSED, ETIMEDOUT …). The Conn is usable after done(null). */
  dial(host: string, port: number, done: DialCallback, opts?: DialOptions): Conn;
}

/** A handler that ignores everything (the state of a connection before it is wired, and after). */
export const NO_HANDLER: ConnHandler = {
  onData() {},
  onEnd() {},
  onError() {},
  onDrain() {},
};

/** The listen address for a bind: `*` is 0.0.0.0, an IPv6 wildcard is `::`. */
export function bindHost(b: BindConfig): string {
  if (b.host !== '') return b.host;
  return b.family === 'ipv6' ? '::' : '0.0.0.0';
}

const ERRNO_TEXT: Record<string, string> = {
  EADDRINUSE: 'Address already in use',
  EACCES: 'Permission denied',
  EADDRNOTAVAIL: 'Cannot assign requested address',
  EBADF: 'Bad file descriptor',
  ENOTSOCK: 'Socket operation on non-socket',
};

/** `cannot bind socket (Address already in use) [0.0.0.0:80]`, as HAProxy says it. */
export function bindError(b: BindConfig, code: string): Error {
  return new Error(`cannot bind socket (${ERRNO_TEXT[code] ?? code}) [${b.text}]`);
}
