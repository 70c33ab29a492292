/**
 * `bind … accept-proxy`: before a session starts, read the PROXY header the connection must begin with.
 * Only listeners with the option come here; the data path of the others is untouched.
 */
import type { Conn, ConnHandler, Endpoints } from './conn.js';
import { NO_HANDLER } from './conn.js';
import { parseProxyHeader } from './proxy-protocol.js';

/** What the header told: the connection now reports these addresses, and `early` holds payload bytes read with the header. */
export type ProxyHeaderDone = (error: string | null) => void;

/**
 * Make `conn` report the addresses from a PROXY header (for `src` fetches, `balance source`, `show sess`
 * and a `send-proxy` header further on). Instance methods shadow the transport's, so connections of
 * other listeners pay nothing.
 */
export function adoptEndpoints(conn: Conn, e: Endpoints): void {
  conn.endpoints = () => (conn.closed ? null : e);
  conn.remoteAddress = () => (conn.closed ? null : e.src);
}

/**
 * Reads a connection's PROXY header, at most `timeoutMs` (HAProxy bounds the wait with `timeout client`).
 * Then `done(null)`: the connection is paused with NO_HANDLER, its addresses replaced (unless the header
 * was `UNKNOWN`/LOCAL) and any payload read with the header kept in `conn.early`; or `done(reason)`: the
 * header was malformed, late or missing, and the caller closes the connection. Holds at most one v2
 * header (16 + 65535 bytes) or 107 bytes of v1 line.
 */
export class ProxyHeaderReader implements ConnHandler {
  private buf: Buffer | null = null;
  private timer: NodeJS.Timeout | null;
  private finished = false;

  constructor(readonly conn: Conn, timeoutMs: number, private readonly done: ProxyHeaderDone) {
    conn.handler = this;
    this.timer = setTimeout(() => this.finish('timeout waiting for the PROXY header'), timeoutMs);
    conn.readStart();
  }

  onData(chunk: Buffer): void {
    if (this.finished) return;
    const buf = this.buf === null ? Buffer.from(chunk) : Buffer.concat([this.buf, chunk]);
    const r = parseProxyHeader(buf);
    if (r.state === 'more') {
      this.buf = buf;
      return;
    }
    if (r.state === 'error') return this.finish(r.reason);
    if (r.endpoints) adoptEndpoints(this.conn, r.endpoints);
    if (r.end < buf.length) this.conn.early = buf.subarray(r.end);
    this.finish(null);
  }

  onEnd(): void {
    this.finish('connection closed before the PROXY header');
  }

  onError(code: string): void {
    this.finish(`${code} before the PROXY header`);
  }

  onDrain(): void {}

  /** Process stopping: give up now. */
  kill(reason: string): void {
    this.finish(reason);
  }

  private finish(error: string | null): void {
    if (this.finished) return;
    this.finished = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.buf = null;
    this.conn.readStop();
    this.conn.handler = NO_HANDLER;
    this.done(error);
  }
}
