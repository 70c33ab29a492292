/**
 * A daemon-less harness for the WebSocket admin protocol: a Runtime built from a config string (written
 * to a temp file, so Control.reload works), and Unix sockets that sniff the first bytes the way the admin
 * server does and hand `GET ` connections to attachWebSocket at a chosen level. stop() closes everything;
 * restart() replaces the runtime with a fresh one on the same socket paths (a daemon restart).
 */
import net from 'node:net';
import { join } from 'node:path';
import { writeFileSync } from 'node:fs';
import { loadConfig, formatDiagnostic } from '../../daemon/config/index.js';
import { Runtime } from '../../daemon/runtime/runtime.js';
import { Control } from '../../daemon/control.js';
import { memoryLogger } from '../../daemon/log.js';
import { runProbe } from '../../daemon/health/probe.js';
import type { AdminContext, AdminLevel, WebSocketHandoff } from '../../daemon/admin/types.js';
import { attachWebSocket } from '../../daemon/admin/ws.js';
import WebSocket from 'ws';
import { AdminClient, type AdminClientOptions } from '../../shared/admin-client.js';
import { PROTOCOL_VERSION } from '../../shared/protocol.js';
import { tempDir } from './lbd-process.js';

/** Two backends sharing a server name (server-2), no checks: states change only when a test changes them. */
export const TWO_BACKENDS = `
global
    stats timeout 2s
defaults
    mode tcp
    timeout connect 1s
backend myApp
    server server-1 127.0.0.1:18001
    server server-2 127.0.0.1:18002 weight 10
backend monitoring
    server server-2 127.0.0.1:18002
    server server-3 127.0.0.1:18003
`;

export interface WsHarness {
  rt: Runtime;
  control: Control;
  ctx: AdminContext;
  dir: string;
  cfgPath: string;
  /** Socket path of the admin-level socket; others come from listen(). */
  path: string;
  /** Server-side sockets currently open (to watch their write buffers). */
  sockets: Set<net.Socket>;
  /** Another socket at `level`; returns its path. */
  listen(level: AdminLevel): Promise<string>;
  /** An AdminClient on `path` (default: the admin socket), closed by stop(). */
  client(opts?: Partial<AdminClientOptions>): AdminClient;
  /** Close the sockets and connections (the daemon went away); the runtime is shut down. */
  down(): Promise<void>;
  /** A new runtime from the same config, listening on the same paths again (the daemon came back). */
  up(): Promise<void>;
  stop(): Promise<void>;
}

async function buildRuntime(cfgPath: string): Promise<{ rt: Runtime; control: Control }> {
  const { config, diagnostics } = await loadConfig([cfgPath]);
  if (!config) throw new Error(diagnostics.map(formatDiagnostic).join('\n'));
  const log = memoryLogger();
  const rt = new Runtime({ log, probe: runProbe });
  await rt.apply(config);
  return { rt, control: new Control(rt, [cfgPath], log) };
}

export async function startWsHarness(cfg: string, opts: { handoff?: WebSocketHandoff } = {}): Promise<WsHarness> {
  const handoff = opts.handoff ?? attachWebSocket;
  const { dir, cleanup } = tempDir('lbd-ws-');
  const cfgPath = join(dir, 'lbd.cfg');
  writeFileSync(cfgPath, cfg);
  const servers = new Map<string, { level: AdminLevel; server: net.Server | null }>();
  const sockets = new Set<net.Socket>();
  const clients = new Set<AdminClient>();

  const serve = (path: string, level: AdminLevel) =>
    new Promise<net.Server>((resolve, reject) => {
      const srv = net.createServer((s) => {
        sockets.add(s);
        s.on('close', () => sockets.delete(s));
        s.on('error', () => {});
        s.once('data', (head: Buffer) => {
          s.pause();
          if (head.subarray(0, 4).toString('latin1') === 'GET ') handoff(s, head, level, h.ctx);
          else s.end('Unknown command (this harness only speaks WebSocket)\n\n');
        });
      });
      srv.once('error', reject);
      srv.listen(path, () => resolve(srv));
    });

  const { rt, control } = await buildRuntime(cfgPath);
  const h: WsHarness = {
    rt,
    control,
    ctx: { runtime: rt, control },
    dir,
    cfgPath,
    path: join(dir, 'admin.sock'),
    sockets,
    async listen(level) {
      const path = join(dir, `${level}-${servers.size}.sock`);
      servers.set(path, { level, server: await serve(path, level) });
      return path;
    },
    client(o = {}) {
      const c = new AdminClient({ socketPath: h.path, requestTimeoutMs: 5000, backoff: { initialMs: 20, maxMs: 200 }, ...o });
      clients.add(c);
      return c;
    },
    async down() {
      const closing: Promise<void>[] = [];
      for (const entry of servers.values()) {
        const srv = entry.server;
        entry.server = null;
        if (srv) closing.push(new Promise<void>((r) => srv.close(() => r())));
      }
      for (const s of sockets) s.destroy();
      await Promise.all(closing);
      await h.rt.closeListeners();
      h.rt.shutdown();
    },
    async up() {
      const next = await buildRuntime(cfgPath);
      h.rt = next.rt;
      h.control = next.control;
      h.ctx = { runtime: next.rt, control: next.control };
      for (const [path, entry] of servers) entry.server = await serve(path, entry.level);
    },
    async stop() {
      for (const c of clients) await c.close();
      await h.down();
      cleanup();
    },
  };
  servers.set(h.path, { level: 'admin', server: await serve(h.path, 'admin') });
  return h;
}

/** A bare WebSocket on an admin socket, for protocol tests: messages queue up, next() takes the oldest. */
export interface RawClient {
  ws: WebSocket;
  send(msg: unknown): void;
  /** The next message (parsed), or a rejection after `timeoutMs`. */
  next(timeoutMs?: number): Promise<Record<string, any>>;
  /** The next message that satisfies `pred`, skipping others. */
  nextWhere(pred: (m: Record<string, any>) => boolean, timeoutMs?: number): Promise<Record<string, any>>;
  /** Resolves with the close code and reason. */
  closed: Promise<{ code: number; reason: string }>;
  close(): void;
}

export async function rawClient(path: string, hello: Record<string, unknown> | null = { type: 'hello', version: PROTOCOL_VERSION }): Promise<RawClient> {
  const ws = new WebSocket('ws://lbd/', { createConnection: () => net.connect(path) } as WebSocket.ClientOptions);
  const queue: Record<string, any>[] = [];
  const waiters: (() => void)[] = [];
  let isClosed = false;
  const wake = () => {
    for (const w of waiters.splice(0)) w();
  };
  ws.on('message', (d) => {
    queue.push(JSON.parse(d.toString()) as Record<string, any>);
    wake();
  });
  ws.on('error', () => {});
  const closed = new Promise<{ code: number; reason: string }>((r) =>
    ws.on('close', (code, reason) => {
      isClosed = true;
      wake();
      r({ code, reason: reason.toString() });
    }),
  );
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });
  const next = (timeoutMs = 3000) =>
    new Promise<Record<string, any>>((resolve, reject) => {
      let done = false;
      const finish = (err: Error | null, m?: Record<string, any>) => {
        if (done) return;
        done = true;
        clearTimeout(t);
        if (err) reject(err);
        else resolve(m!);
      };
      const t = setTimeout(() => finish(new Error(`no message within ${timeoutMs} ms`)), timeoutMs);
      const wait = () => {
        if (done) return;
        if (queue.length) finish(null, queue.shift());
        else if (isClosed) finish(new Error('closed before a message'));
        else waiters.push(wait);
      };
      wait();
    });
  const c: RawClient = {
    ws,
    send: (m) => ws.send(typeof m === 'string' ? m : JSON.stringify(m)),
    next,
    async nextWhere(pred, timeoutMs = 3000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const m = await next(Math.max(1, deadline - Date.now()));
        if (pred(m)) return m;
      }
    },
    closed,
    close: () => ws.terminate(),
  };
  if (hello) {
    c.send(hello);
    const w = await next();
    if (w.type !== 'welcome') throw new Error(`expected welcome, got ${JSON.stringify(w)}`);
  }
  return c;
}
