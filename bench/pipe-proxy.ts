/**
 * The floor a Node TCP proxy starts from: accept, connect to the next backend (round robin),
 * `a.pipe(b); b.pipe(a)`, error handlers. No health checks, timeouts, stats or limits.
 *
 *   node dist/bench/pipe-proxy.js --port 20000 --backend 127.0.0.1:20001 --backend 127.0.0.1:20002
 *
 * Listens on 127.0.0.1 unless `--host` says otherwise. SIGTERM/SIGINT close it.
 */
import net from 'node:net';
import { isMain } from './sys.js';

export interface PipeProxyOptions {
  readonly port: number;
  readonly host?: string;
  readonly backends: readonly { host: string; port: number }[];
}

/** Start the pipe proxy; resolves once it listens. */
export function startPipeProxy(o: PipeProxyOptions): Promise<net.Server> {
  if (o.backends.length === 0) throw new Error('pipe-proxy: at least one --backend is needed');
  let next = 0;
  const server = net.createServer({ noDelay: true }, (client) => {
    const b = o.backends[next];
    next = (next + 1) % o.backends.length;
    const upstream = net.connect({ host: b.host, port: b.port, noDelay: true });
    client.on('error', () => upstream.destroy());
    upstream.on('error', () => client.destroy());
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
    client.pipe(upstream);
    upstream.pipe(client);
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen({ port: o.port, host: o.host ?? '127.0.0.1', backlog: 4096 }, () => resolve(server));
  });
}

function parseArgs(argv: readonly string[]): PipeProxyOptions {
  let port = 0;
  let host = '127.0.0.1';
  const backends: { host: string; port: number }[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const v = argv[i + 1];
    if (a === '--port' && v) (port = Number(v)), i++;
    else if (a === '--host' && v) (host = v), i++;
    else if (a === '--backend' && v) {
      const k = v.lastIndexOf(':');
      backends.push({ host: v.slice(0, k) || '127.0.0.1', port: Number(v.slice(k + 1)) });
      i++;
    } else throw new Error(`pipe-proxy: unknown argument ${a}`);
  }
  return { port, host, backends };
}

if (isMain(import.meta.url)) {
  const opts = parseArgs(process.argv.slice(2));
  const server = await startPipeProxy(opts);
  const stop = () => {
    server.close();
    process.exit(0);
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}
