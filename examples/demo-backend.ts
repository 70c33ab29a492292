#!/usr/bin/env node
/**
 * A tiny HTTP backend for the demo, the tests and the benchmarks. No logging per request; bodies
 * are prepared once; keep-alive is on.
 *
 *   GET  /readyz                       the current ready status (200 → `ok`, else e.g. `Service Unavailable`),
 *                                      after the configured delay; setBody() replaces that text
 *   GET  /                             `hello from <name>\n`
 *   POST /control/ready?status=503     set the ready status (any 100..599)
 *   POST /control/fail                 ready status 503
 *   POST /control/recover              ready status 200
 *   anything else                      404
 *
 * CLI: `node dist/examples/demo-backend.js --port 18001 --name backend-1 [--host 127.0.0.1] [--ready-status 200]`;
 * prints one line `demo-backend <name> listening on <host>:<port>` once listening; SIGUSR2 toggles 200/503;
 * SIGINT/SIGTERM close it.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';

export interface DemoBackendOptions {
  /** 0 or absent: any free port. */
  readonly port?: number;
  /** Default 127.0.0.1. */
  readonly host?: string;
  /** Default `backend-<port>`. */
  readonly name?: string;
  /** Initial /readyz status, default 200. */
  readonly readyStatus?: number;
}

export interface DemoBackend {
  readonly port: number;
  readonly host: string;
  readonly name: string;
  /** Current /readyz status. */
  readonly readyStatus: number;
  /** Requests answered or being answered since start (all routes). */
  readonly requests: number;
  setReady(status: number): void;
  /** Delay before answering /readyz (0 = none). */
  setDelay(ms: number): void;
  /** Body of /readyz instead of the default (`ok` or the reason phrase); null restores the default. */
  setBody(text: string | null): void;
  /** Stops listening, closes every open connection (keep-alive ones too) and pending delayed answers. */
  close(): Promise<void>;
}

const TEXT = 'text/plain; charset=utf-8';

function validStatus(s: number): boolean {
  return Number.isInteger(s) && s >= 100 && s <= 599;
}

/** Starts a demo backend; resolves once it listens. */
export async function startDemoBackend(opts: DemoBackendOptions = {}): Promise<DemoBackend> {
  const host = opts.host ?? '127.0.0.1';
  let readyStatus = opts.readyStatus ?? 200;
  if (!validStatus(readyStatus)) throw new RangeError(`invalid ready status ${readyStatus}`);
  let delayMs = 0;
  let customBody: Buffer | null = null;
  let readyBody: Buffer = Buffer.alloc(0);
  let helloBody: Buffer = Buffer.alloc(0);
  let requests = 0;
  let closing = false;
  const delayed = new Set<NodeJS.Timeout>();

  const refreshReadyBody = (): void => {
    readyBody = customBody ?? Buffer.from(readyStatus === 200 ? 'ok\n' : `${http.STATUS_CODES[readyStatus] ?? 'status'}\n`);
  };

  const send = (res: http.ServerResponse, status: number, body: Buffer): void => {
    res.writeHead(status, { 'Content-Type': TEXT, 'Content-Length': body.length });
    res.end(body);
  };

  const answerReady = (res: http.ServerResponse): void => {
    if (res.destroyed) return;
    send(res, readyStatus, readyBody);
  };

  const control = (path: string, query: string, res: http.ServerResponse): void => {
    let status: number;
    if (path === '/control/fail') status = 503;
    else if (path === '/control/recover') status = 200;
    else status = Number(new URLSearchParams(query).get('status') ?? NaN);
    if (!validStatus(status)) {
      send(res, 400, Buffer.from('status must be 100..599\n'));
      return;
    }
    backend.setReady(status);
    send(res, 200, Buffer.from(`ready ${status}\n`));
  };

  const server = http.createServer({ noDelay: true }, (req, res) => {
    requests++;
    const url = req.url ?? '/';
    const q = url.indexOf('?');
    const path = q < 0 ? url : url.slice(0, q);
    const method = req.method ?? 'GET';
    if (path === '/readyz' && (method === 'GET' || method === 'HEAD' || method === 'OPTIONS')) {
      if (delayMs > 0) {
        const t = setTimeout(() => {
          delayed.delete(t);
          answerReady(res);
        }, delayMs);
        delayed.add(t);
        res.once('close', () => {
          clearTimeout(t);
          delayed.delete(t);
        });
      } else answerReady(res);
      return;
    }
    if (path === '/' && (method === 'GET' || method === 'HEAD')) {
      send(res, 200, helloBody);
      return;
    }
    if (path.startsWith('/control/') && method === 'POST') {
      // Drain the (ignored) request body before answering so keep-alive stays usable.
      req.resume();
      req.once('end', () => control(path, q < 0 ? '' : url.slice(q + 1), res));
      return;
    }
    send(res, 404, Buffer.from('not found\n'));
  });
  server.keepAliveTimeout = 5000;
  server.on('clientError', (_err, socket) => {
    if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n');
    else socket.destroy();
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen({ port: opts.port ?? 0, host }, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  const name = opts.name ?? `backend-${port}`;
  helloBody = Buffer.from(`hello from ${name}\n`);
  refreshReadyBody();

  let closed: Promise<void> = Promise.resolve();
  const backend: DemoBackend = {
    port,
    host,
    name,
    get readyStatus() {
      return readyStatus;
    },
    get requests() {
      return requests;
    },
    setReady(status: number) {
      if (!validStatus(status)) throw new RangeError(`invalid ready status ${status}`);
      readyStatus = status;
      refreshReadyBody();
    },
    setDelay(ms: number) {
      delayMs = Math.max(0, ms);
    },
    setBody(text: string | null) {
      customBody = text === null ? null : Buffer.from(text);
      refreshReadyBody();
    },
    close() {
      if (closing) return closed;
      closing = true;
      for (const t of delayed) clearTimeout(t);
      delayed.clear();
      closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      return closed;
    },
  };
  return backend;
}

async function main(argv: readonly string[]): Promise<void> {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      port: { type: 'string', short: 'p' },
      host: { type: 'string' },
      name: { type: 'string', short: 'n' },
      'ready-status': { type: 'string' },
    },
  });
  const b = await startDemoBackend({
    port: values.port !== undefined ? Number(values.port) : 0,
    host: values.host,
    name: values.name,
    readyStatus: values['ready-status'] !== undefined ? Number(values['ready-status']) : 200,
  });
  process.stdout.write(`demo-backend ${b.name} listening on ${b.host}:${b.port}\n`);
  process.on('SIGUSR2', () => b.setReady(b.readyStatus === 200 ? 503 : 200));
  const stop = (): void => {
    void b.close().then(() => process.exit(0));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main(process.argv.slice(2)).catch((e: unknown) => {
    process.stderr.write(`demo-backend: ${e instanceof Error ? e.message : String(e)}\n`);
    process.exit(1);
  });
}
