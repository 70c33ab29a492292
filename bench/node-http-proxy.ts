/**
 * The Node HTTP reverse proxy most Node users would reach for: node-http-proxy (the `http-proxy`
 * npm package) behind `http.createServer`, with a keep-alive `http.Agent` towards the backends,
 * round robin over them, and an error handler (502 when nothing was sent yet, else the client
 * connection is dropped). No health checks, timeouts beyond Node's, stats or limits.
 *
 *   node dist/bench/node-http-proxy.js --port 20000 --backend 127.0.0.1:20001 --backend 127.0.0.1:20002 [--max-sockets 128]
 *
 * Listens on 127.0.0.1 unless `--host` says otherwise. SIGTERM/SIGINT close it.
 */
import http from 'node:http';
import type net from 'node:net';
import httpProxy from 'http-proxy';
import { isMain } from './sys.js';

export interface NodeHttpProxyOptions {
  readonly port: number;
  readonly host?: string;
  readonly backends: readonly { host: string; port: number }[];
  /** The agent's `maxSockets` (per backend); also its `maxFreeSockets`. */
  readonly maxSockets?: number;
}

/** Start the proxy; resolves once it listens. */
export function startNodeHttpProxy(o: NodeHttpProxyOptions): Promise<http.Server> {
  if (o.backends.length === 0) throw new Error('node-http-proxy: at least one --backend is needed');
  const maxSockets = o.maxSockets ?? 128;
  const agent = new http.Agent({ keepAlive: true, maxSockets, maxFreeSockets: maxSockets, keepAliveMsecs: 1000 });
  const proxy = httpProxy.createProxyServer({ agent, xfwd: false });
  proxy.on('error', (err, _req, res) => {
    // `res` is a ServerResponse for web requests (a Socket only for WebSocket upgrades, unused here).
    if (res instanceof http.ServerResponse) {
      if (!res.headersSent) {
        res.writeHead(502, { 'content-type': 'text/plain', connection: 'close' });
        res.end(`bad gateway: ${err.message}\n`);
      } else res.destroy();
    } else (res as net.Socket).destroy();
  });
  const targets = o.backends.map((b) => `http://${b.host}:${b.port}`);
  let next = 0;
  const server = http.createServer((req, res) => {
    const target = targets[next];
    next = (next + 1) % targets.length;
    proxy.web(req, res, { target });
  });
  server.keepAliveTimeout = 60_000;
  server.headersTimeout = 65_000;
  server.maxRequestsPerSocket = 0;
  server.on('clientError', (_err, socket) => socket.destroy());
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen({ port: o.port, host: o.host ?? '127.0.0.1', backlog: 4096 }, () => resolve(server));
  });
}

function parseArgs(argv: readonly string[]): NodeHttpProxyOptions {
  let port = 0;
  let host = '127.0.0.1';
  let maxSockets = 128;
  const backends: { host: string; port: number }[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const v = argv[i + 1];
    if (a === '--port' && v) (port = Number(v)), i++;
    else if (a === '--host' && v) (host = v), i++;
    else if (a === '--max-sockets' && v) (maxSockets = Math.max(1, Number(v))), i++;
    else if (a === '--backend' && v) {
      const k = v.lastIndexOf(':');
      backends.push({ host: v.slice(0, k) || '127.0.0.1', port: Number(v.slice(k + 1)) });
      i++;
    } else throw new Error(`node-http-proxy: unknown argument ${a}`);
  }
  return { port, host, backends, maxSockets };
}

if (isMain(import.meta.url)) {
  const opts = parseArgs(process.argv.slice(2));
  const server = await startNodeHttpProxy(opts);
  const stop = () => {
    server.close();
    process.exit(0);
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}
