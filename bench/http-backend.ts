/**
 * Fallback benchmark backend when nginx is not installed: one Node process answering
 * `200 ok\n` with keep-alive on each `--port` given, and a 1 MiB body on `/1m` (the HTTP-mode
 * benchmark's large-body run).
 *
 *   node dist/bench/http-backend.js --port 20001 --port 20002
 */
import http from 'node:http';
import { isMain } from './sys.js';

const BODY = Buffer.from('ok\n');
/** The size of the `/1m` body: 1 MiB. */
export const BIG_BODY_BYTES = 1024 * 1024;
const BIG = Buffer.alloc(BIG_BODY_BYTES, 'x');

/** Start one server per port on 127.0.0.1; resolves once all listen. */
export async function startHttpBackends(ports: readonly number[]): Promise<http.Server[]> {
  return Promise.all(
    ports.map(
      (port) =>
        new Promise<http.Server>((resolve, reject) => {
          const s = http.createServer((req, res) => {
            req.resume();
            const body = req.url === '/1m' ? BIG : BODY;
            res.writeHead(200, { 'content-type': body === BIG ? 'application/octet-stream' : 'text/plain', 'content-length': body.length });
            res.end(body);
          });
          s.keepAliveTimeout = 60_000;
          s.headersTimeout = 65_000;
          s.maxRequestsPerSocket = 0;
          s.once('error', reject);
          s.listen({ port, host: '127.0.0.1', backlog: 4096 }, () => resolve(s));
        }),
    ),
  );
}

if (isMain(import.meta.url)) {
  const ports: number[] = [];
  const argv = process.argv.slice(2);
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--port' && argv[i + 1]) ports.push(Number(argv[++i]));
    else throw new Error(`http-backend: unknown argument ${argv[i]}`);
  }
  const servers = await startHttpBackends(ports);
  const stop = () => {
    for (const s of servers) s.close();
    process.exit(0);
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}
