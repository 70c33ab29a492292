import type { CheckResult, CheckStatusCode } from '../../shared/check-status.js';
import type { CancelToken, ProbeTarget, ProbeTimeouts } from './probe-types.js';
import type { Conn, ConnHandler } from '../proxy/conn.js';
import { selectTransport } from '../proxy/transport.js';
import { dialTls } from '../proxy/tls-dial.js';
import { encodeV1, encodeV2 } from '../proxy/proxy-protocol.js';

/** Probes dial over the same transport as the data path (raw libuv handles when available). */
const transport = selectTransport();

/**
 * What every probe kind shares: one TCP connection at a time, a connect deadline then a read
 * deadline, a bounded input buffer, an AbortSignal, and exactly one result. Subclasses react to
 * connect / data / end / error / timeout and call `finish()`; `finish()` clears the timer, drops
 * the abort listener and destroys the socket, so no path can leave a handle behind.
 */

/** HAProxy's check buffer (`tune.bufsize`): a probe never holds more of an answer than this. */
export const CHECK_BUFFER_SIZE = 16384;

/** strerror() texts for the errors a connect or a read can give, as HAProxy prints them in `last_chk`. */
const ERRNO_TEXT: Readonly<Record<string, string>> = {
  ECONNREFUSED: 'Connection refused',
  ECONNRESET: 'Connection reset by peer',
  ECONNABORTED: 'Software caused connection abort',
  ETIMEDOUT: 'Connection timed out',
  EHOSTUNREACH: 'No route to host',
  EHOSTDOWN: 'Host is down',
  ENETUNREACH: 'Network is unreachable',
  ENETDOWN: 'Network is down',
  EADDRNOTAVAIL: 'Cannot assign requested address',
  EADDRINUSE: 'Address already in use',
  EACCES: 'Permission denied',
  EPERM: 'Operation not permitted',
  EPIPE: 'Broken pipe',
  EMFILE: 'Too many open files',
  ENFILE: 'Too many open files in system',
  ENOBUFS: 'No buffer space available',
  EAFNOSUPPORT: 'Address family not supported by protocol',
  EINVAL: 'Invalid argument',
  ENOTFOUND: 'Name or service not known',
  EAI_AGAIN: 'Temporary failure in name resolution',
};

/** The `last_chk` text for a socket error: strerror() of its errno, else Node's message. */
export function errnoText(err: unknown): string {
  const code = (err as NodeJS.ErrnoException | null)?.code;
  if (code !== undefined && ERRNO_TEXT[code] !== undefined) return ERRNO_TEXT[code];
  return err instanceof Error ? err.message : String(err);
}

/**
 * The PROXY header of a health check, as HAProxy 2.6 sends it (captured on loopback): v1 carries the
 * check connection's own addresses (local → server), v2 is a LOCAL command with no addresses.
 */
export function checkProxyHeader(c: Conn, version: 1 | 2): Buffer {
  if (version === 2) return encodeV2(null);
  const e = c.endpoints();
  return encodeV1(e && { src: e.dst, srcPort: e.dstPort, dst: e.src, dstPort: e.srcPort });
}

/** The PROXY header of a TLS check, written before the connection exists (no addresses yet): v2 LOCAL, v1 UNKNOWN. */
function checkPrefaceFor(version: 1 | 2): Buffer {
  return version === 2 ? encodeV2(null) : encodeV1(null);
}

const NOOP = (): void => {};
/** setTimeout's largest delay; anything longer (or not finite) is clamped to it. */
const MAX_DELAY = 2 ** 31 - 1;

function clampDelay(ms: number): number {
  if (!(ms > 1)) return 1;
  return ms > MAX_DELAY ? MAX_DELAY : Math.ceil(ms);
}

export abstract class ProbeRun {
  protected socket: Conn | null = null;
  /** True once the current connection is established. */
  protected connected = false;
  /** Bytes received on the current connection since the last reset (bounded by CHECK_BUFFER_SIZE). */
  protected input: Buffer | null = null;
  /** The input buffer reached CHECK_BUFFER_SIZE: HAProxy treats that as the last read. */
  protected inputFull = false;
  protected eof = false;
  /**
   * Disable Nagle: only worth its setsockopt() when a probe writes several times per connection
   * (tcp-check); a single request write is never delayed by Nagle.
   */
  protected noDelay = false;
  private timer: NodeJS.Timeout | null = null;
  private phase: 'connect' | 'read' = 'connect';
  private done = false;
  private readonly startedAt = performance.now();
  private resolveResult: (r: CheckResult) => void = NOOP;
  private readonly cancel: CancelToken | undefined;

  constructor(
    protected readonly timeouts: ProbeTimeouts,
    cancel: CancelToken | undefined,
    /** PROXY protocol version written first on each connection (0: none). */
    private readonly sendProxy: 0 | 1 | 2 = 0,
    /** `check-ssl`: connect with TLS (a failed handshake is an L6RSP, a slow one L6TOUT). */
    private readonly tls: ProbeTarget['tls'] | null = null,
  ) {
    this.cancel = cancel;
  }

  /** Starts the probe; the promise always resolves (never rejects). */
  run(): Promise<CheckResult> {
    const p = new Promise<CheckResult>((resolve) => {
      this.resolveResult = resolve;
    });
    if (this.cancel?.cancelled) {
      this.cancel.cancelled = false;
      this.finish('UNK', null, 'aborted');
      return p;
    }
    if (this.cancel) this.cancel.onCancel = this.onAbort;
    try {
      this.begin();
    } catch (e) {
      this.finish('SOCKERR', null, errnoText(e));
    }
    return p;
  }

  protected abstract begin(): void;
  protected abstract onConnected(): void;
  /** New bytes were appended to `input` (or `inputFull` became true). */
  protected abstract onInput(): void;
  /** The peer closed its side; `eof` is now true. */
  protected abstract onEof(): void;

  /** Connect failed before the connection was established. */
  protected onConnectError(err: unknown): void {
    const e = err as NodeJS.ErrnoException | null;
    // a TLS handshake that failed (protocol alert, certificate refused): HAProxy's layer 6 result
    if (this.tls && e?.code !== undefined && !/^E[A-Z]+$/.test(e.code)) return this.finish('L6RSP', null, e.code);
    const code = e?.syscall === 'getaddrinfo' ? 'SOCKERR' : 'L4CON';
    this.finish(code, null, errnoText(err));
  }

  /** Read/write error on an established connection. */
  protected onIoError(err: unknown): void {
    this.finish('SOCKERR', null, errnoText(err));
  }

  protected onConnectTimeout(): void {
    this.finish(this.tls ? 'L6TOUT' : 'L4TOUT', null, '');
  }

  protected onReadTimeout(): void {
    this.finish('L7TOUT', null, '');
  }

  protected get finished(): boolean {
    return this.done;
  }

  /** Opens a new connection (closing any previous one) and arms the connect deadline. */
  protected connect(host: string, port: number): void {
    this.closeSocket();
    this.connected = false;
    this.input = null;
    this.inputFull = false;
    this.eof = false;
    if (!Number.isInteger(port) || port <= 0 || port > 65535) {
      this.finish('SOCKERR', null, `invalid check port ${port}`);
      return;
    }
    this.arm('connect', this.timeouts.connectMs);
    let s: Conn;
    try {
      s = this.tls
        ? dialTls(host, port, this.tls.ssl, this.tls.servername, `check:${host}:${port}|${this.tls.servername ?? ''}`, this.onDialed, this.sendProxy !== 0 ? checkPrefaceFor(this.sendProxy) : null)
        : transport.dial(host, port, this.onDialed, { noDelay: this.noDelay });
    } catch (e) {
      // May run inside a socket callback (a tcp-check connect step): never let it throw.
      this.finish('SOCKERR', null, errnoText(e));
      return;
    }
    s.handler = this.handler;
    this.socket = s;
  }

  protected write(data: Buffer): void {
    this.socket?.write(data);
  }

  /** Forgets what was received so far (HAProxy releases its input buffer on each send). */
  protected resetInput(): void {
    this.input = null;
    this.inputFull = false;
  }

  /** Resolves the probe once: clears the timer, the abort listener and the socket. */
  protected finish(status: CheckStatusCode, code: number | null, info: string): void {
    if (this.done) return;
    this.done = true;
    const durationMs = Math.floor(performance.now() - this.startedAt);
    if (this.timer !== null) {
      clearTimeout(this.timer);
      this.timer = null;
    }
    if (this.cancel && this.cancel.onCancel === this.onAbort) this.cancel.onCancel = null;
    this.closeSocket();
    this.resolveResult({ status, code, durationMs, info });
  }

  /**
   * Closes the current socket with a reset when it is established, as HAProxy does for checks
   * (no TIME_WAIT left on our side at 1,000 checks per second); a pending connect is just dropped.
   */
  protected closeSocket(): void {
    const s = this.socket;
    if (s === null) return;
    this.socket = null;
    if (this.connected) s.reset();
    else s.close();
  }

  private arm(phase: 'connect' | 'read', ms: number): void {
    if (this.timer !== null) clearTimeout(this.timer);
    this.phase = phase;
    this.timer = setTimeout(this.onTimer, clampDelay(ms));
  }

  private readonly onTimer = (): void => {
    this.timer = null;
    if (this.done) return;
    if (this.phase === 'connect') this.onConnectTimeout();
    else this.onReadTimeout();
  };

  private readonly onAbort = (): void => {
    this.finish('UNK', null, 'aborted');
  };

  private readonly onDialed = (err: string | null): void => {
    if (this.done) return;
    if (err !== null) return this.onConnectError({ code: err });
    this.connected = true;
    this.arm('read', this.timeouts.readMs);
    this.socket?.readStart();
    if (this.sendProxy !== 0 && this.socket && !this.tls) this.socket.write(checkProxyHeader(this.socket, this.sendProxy));
    this.onConnected();
  };

  /** Connection events; `onData` copies what it keeps (the transport lends its read buffer). */
  private readonly handler: ConnHandler = {
    onData: (chunk: Buffer): void => {
      if (this.done || this.inputFull) return;
      let buf = this.input === null ? Buffer.from(chunk) : Buffer.concat([this.input, chunk]);
      if (buf.length >= CHECK_BUFFER_SIZE) {
        buf = buf.subarray(0, CHECK_BUFFER_SIZE);
        this.inputFull = true;
      }
      this.input = buf;
      this.onInput();
    },
    onEnd: (): void => {
      if (this.done) return;
      this.eof = true;
      this.onEof();
    },
    onError: (code: string): void => {
      if (this.done) return;
      if (this.connected) this.onIoError({ code });
      else this.onConnectError({ code });
    },
    onDrain: NOOP,
  };
}
