/**
 * Real TCP peers on 127.0.0.1 for integration tests. Every server tracks its sockets so close() leaves
 * nothing open.
 */
import net from 'node:net';
import { spawn, type ChildProcess } from 'node:child_process';

export interface TestServer {
  port: number;
  /** Sockets accepted so far (total). */
  accepted: number;
  sockets: Set<net.Socket>;
  close(): Promise<void>;
}

/** Listen on 127.0.0.1 with a handler per connection. */
export async function tcpServer(onConn: (s: net.Socket) => void, port = 0): Promise<TestServer> {
  const sockets = new Set<net.Socket>();
  const srv = net.createServer({ allowHalfOpen: true }, (s) => {
    sockets.add(s);
    ts.accepted++;
    s.on('error', () => {});
    s.on('close', () => sockets.delete(s));
    onConn(s);
  });
  await new Promise<void>((resolve, reject) => {
    srv.once('error', reject);
    srv.listen(port, '127.0.0.1', () => resolve());
  });
  const ts: TestServer = {
    port: (srv.address() as net.AddressInfo).port,
    accepted: 0,
    sockets,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        srv.close(() => resolve());
      }),
  };
  return ts;
}

/** Echo every byte back; half-close is passed back (end after the client's end). */
export function echoServer(port = 0): Promise<TestServer> {
  return tcpServer((s) => {
    s.pipe(s);
  }, port);
}

/** Answers each connection with `name\n` then echoes (tells which server a session reached). */
export function namedServer(name: string, port = 0): Promise<TestServer> {
  return tcpServer((s) => {
    s.write(`${name}\n`);
    s.pipe(s);
  }, port);
}

/** A port with nothing listening (bound then closed). */
export async function deadPort(): Promise<number> {
  const srv = net.createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', () => r()));
  const port = (srv.address() as net.AddressInfo).port;
  await new Promise<void>((r) => srv.close(() => r()));
  return port;
}

export async function freePort(): Promise<number> {
  return deadPort();
}

/** Connect to 127.0.0.1:port; resolves once connected. */
export function connect(port: number, opts: { allowHalfOpen?: boolean } = {}): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const s = net.connect({ host: '127.0.0.1', port, allowHalfOpen: opts.allowHalfOpen ?? false });
    s.once('connect', () => {
      s.off('error', reject);
      s.on('error', () => {});
      resolve(s);
    });
    s.once('error', reject);
  });
}

/** Read from a socket until `n` bytes (or a line with `untilLine`) arrived; bounded by timeoutMs. */
export function readBytes(s: net.Socket, n: number, timeoutMs = 5000): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let got = 0;
    const timer = setTimeout(() => done(new Error(`timed out reading ${n} bytes (got ${got})`)), timeoutMs);
    const onData = (d: Buffer) => {
      chunks.push(d);
      got += d.length;
      if (got >= n) done(null);
    };
    const onEnd = () => done(new Error(`connection ended after ${got} of ${n} bytes`));
    const done = (err: Error | null) => {
      clearTimeout(timer);
      s.off('data', onData);
      s.off('end', onEnd);
      s.off('close', onEnd);
      if (err) reject(err);
      else resolve(Buffer.concat(chunks));
    };
    s.on('data', onData);
    s.once('end', onEnd);
    s.once('close', onEnd);
  });
}

export function readLine(s: net.Socket, timeoutMs = 5000): Promise<string> {
  return new Promise((resolve, reject) => {
    let buf = '';
    const timer = setTimeout(() => done(new Error(`timed out reading a line (got ${JSON.stringify(buf)})`)), timeoutMs);
    const onData = (d: Buffer) => {
      buf += d.toString('latin1');
      if (buf.includes('\n')) done(null);
    };
    const onEnd = () => done(new Error(`connection closed before a line (got ${JSON.stringify(buf)})`));
    const done = (err: Error | null) => {
      clearTimeout(timer);
      s.off('data', onData);
      s.off('close', onEnd);
      if (err) reject(err);
      else {
        const i = buf.indexOf('\n');
        const rest = buf.slice(i + 1);
        if (rest) s.unshift(Buffer.from(rest, 'latin1'));
        resolve(buf.slice(0, i));
      }
    };
    s.on('data', onData);
    s.once('close', onEnd);
  });
}

/** Resolves when the socket is closed by the peer (end or close), rejects after timeoutMs. */
export function closed(s: net.Socket, timeoutMs = 5000): Promise<void> {
  return new Promise((resolve, reject) => {
    if (s.destroyed) return resolve();
    const timer = setTimeout(() => reject(new Error('socket not closed in time')), timeoutMs);
    s.once('close', () => {
      clearTimeout(timer);
      resolve();
    });
    s.resume();
  });
}

export interface Blackhole {
  readonly port: number;
  readonly proc: ChildProcess;
  /** Connections that filled the accept queue (none: the queue could not be filled here). */
  readonly fillers: net.Socket[];
  close(): void;
}

/**
 * A listener that never accepts, with its accept queue filled: a SYN to it is dropped, so a connect
 * hangs until `timeout connect` (python's socket with listen(0); null when python3 is missing).
 */
export async function blackhole(): Promise<Blackhole | null> {
  const proc = spawn('python3', ['-c', 'import socket,sys,time\ns=socket.socket()\ns.bind(("127.0.0.1",0))\ns.listen(0)\nprint(s.getsockname()[1],flush=True)\ntime.sleep(60)'], { stdio: ['ignore', 'pipe', 'ignore'] });
  const port = await new Promise<number | null>((resolve) => {
    const t = setTimeout(() => resolve(null), 3000);
    proc.on('error', () => resolve(null));
    proc.stdout!.once('data', (d: Buffer) => {
      clearTimeout(t);
      resolve(Number(d.toString().trim()));
    });
  });
  if (port === null) {
    proc.kill('SIGKILL');
    return null;
  }
  // fill the accept queue: these complete (the kernel accepts them into the queue), later SYNs are dropped
  const fillers: net.Socket[] = [];
  for (let i = 0; i < 3; i++) {
    const s = net.connect(port, '127.0.0.1');
    s.on('error', () => {});
    const connected = await new Promise<boolean>((resolve) => {
      const t = setTimeout(() => resolve(false), 300);
      s.once('connect', () => {
        clearTimeout(t);
        resolve(true);
      });
    });
    if (!connected) {
      s.destroy(); // the queue is full: this SYN waits unanswered, not a socket to leave behind
      break;
    }
    fillers.push(s);
  }
  return {
    port,
    proc,
    fillers,
    close() {
      for (const s of fillers) s.destroy();
      proc.kill('SIGKILL');
    },
  };
}
