/**
 * The `net` transport: the Conn contract on top of `net.Socket`. Slower than the raw transport (a
 * Duplex stream per connection, a Buffer per read) but built only on public APIs: lbd uses it when the
 * TCP handle binding is unavailable, and the tests run the data path over both.
 */
import net from 'node:net';
import { TLSSocket } from 'node:tls';
import { bindError, bindHost, NO_HANDLER, type Conn, type ConnHandler, type ConnListener, type DialCallback, type DialOptions, type Endpoints, type TlsInfo, type Transport } from './conn.js';

export class NetConn implements Conn {
  handler: ConnHandler = NO_HANDLER;
  closed = false;
  /** Set by the TLS listener for connections it accepted. */
  tls?: TlsInfo;
  private reading = false;

  constructor(readonly sock: net.Socket) {
    sock.on('data', (d: Buffer) => this.handler.onData(d));
    sock.on('end', () => this.handler.onEnd());
    sock.on('error', (e: NodeJS.ErrnoException) => {
      if (!this.closed) this.handler.onError(e.code ?? e.message);
    });
    // a socket Node destroyed on its own (a TLS connection whose peer went away during or right after the
    // handshake ends this way, with neither 'end' nor 'error' reaching us): the connection is gone
    sock.on('close', () => {
      if (!this.closed) this.handler.onError('ECONNRESET');
    });
  }

  /** Writes not yet flushed (counted by their callbacks), and whether onDrain is owed. */
  private inFlight = 0;
  private owed = false;
  private readonly written = () => {
    this.inFlight--;
    if (this.inFlight === 0 && this.owed && !this.closed) {
      this.owed = false;
      this.handler.onDrain();
    }
  };

  readStart(): void {
    if (this.closed || this.reading) return;
    this.reading = true;
    this.sock.resume();
  }

  readStop(): void {
    if (this.closed || !this.reading) return;
    this.reading = false;
    this.sock.pause();
  }

  /** The Conn contract: true only if nothing is left queued; else onDrain follows once all is flushed. */
  write(buf: Buffer): boolean {
    if (this.closed || this.sock.destroyed) return true;
    this.inFlight++;
    this.sock.write(buf, this.written);
    if (this.sock.writableLength === 0) return true;
    this.owed = true;
    return false;
  }

  /** Each read is a fresh Buffer with `net`: nothing to detach. */
  detachReadBuffer(): void {}

  shutdown(): void {
    if (!this.closed) this.sock.end();
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.handler = NO_HANDLER;
    this.sock.destroy();
  }

  reset(): void {
    if (this.closed) return;
    this.closed = true;
    this.handler = NO_HANDLER;
    // a TLS socket has no TCP handle of its own to reset (Node throws ERR_INVALID_HANDLE_TYPE): it is destroyed
    if (!this.sock.connecting && !this.sock.destroyed && this.tls === undefined && !(this.sock instanceof TLSSocket)) this.sock.resetAndDestroy();
    else this.sock.destroy();
  }

  /**
   * Bytes not yet handed to the kernel. None can be any more on a destroyed socket, nor on a TLS socket whose
   * peer has closed (Node keeps what was written queued forever there): 0, so nobody waits for them.
   */
  pendingBytes(): number {
    const s = this.sock;
    if (s.destroyed || (this.tls !== undefined && s.readableEnded)) return 0;
    return s.writableLength;
  }

  remoteAddress(): string | null {
    return this.sock.remoteAddress ?? null;
  }

  localPort(): number | null {
    return this.sock.localPort ?? null;
  }

  endpoints(): Endpoints | null {
    const s = this.sock;
    if (s.destroyed || s.remoteAddress === undefined || s.localAddress === undefined) return null;
    return { src: s.remoteAddress, srcPort: s.remotePort ?? 0, dst: s.localAddress, dstPort: s.localPort ?? 0 };
  }
}

export const netTransport: Transport = {
  name: 'net',
  listen(bind, backlog, onConnection) {
    const server = net.createServer({ allowHalfOpen: true, pauseOnConnect: true, noDelay: true });
    server.on('connection', (sock: net.Socket) => onConnection(new NetConn(sock)));
    return new Promise<ConnListener>((resolve, reject) => {
      server.once('error', (err: NodeJS.ErrnoException) => reject(bindError(bind, err.code ?? err.message)));
      server.once('listening', () => {
        server.on('error', () => {});
        resolve({
          address() {
            const a = server.address();
            if (a && typeof a === 'object') return a.family === 'IPv6' ? `[${a.address}]:${a.port}` : `${a.address}:${a.port}`;
            return bind.fd !== null ? `fd@${bind.fd}` : bind.text;
          },
          close() {
            if (server.listening) server.close();
          },
        });
      });
      if (bind.fd !== null) server.listen({ fd: bind.fd, backlog });
      else server.listen({ host: bindHost(bind), port: bind.port, backlog, ipv6Only: bind.family === 'ipv6' && bind.host !== '' });
    });
  },
  dial(host: string, port: number, done: DialCallback, opts?: DialOptions): Conn {
    const sock = net.connect({ host, port, noDelay: opts?.noDelay ?? true, allowHalfOpen: true });
    sock.pause();
    const conn = new NetConn(sock);
    const onErr = (e: NodeJS.ErrnoException) => {
      if (!conn.closed) done(e.code ?? e.message);
    };
    sock.once('error', onErr);
    sock.once('connect', () => {
      sock.off('error', onErr);
      if (!conn.closed) done(null);
    });
    return conn;
  },
};
