/**
 * The HTTP upgrade of the admin socket's WebSocket side. The admin server hands over a connection whose
 * first bytes are `GET `; the HTTP request is parsed by Node's own parser (a `http.Server` that never listens) and the
 * upgrade by `ws`, so a GET without a valid upgrade gets a proper HTTP error and is closed. Each
 * upgraded connection is a WsSession at the socket's level (see shared/protocol.ts for the protocol).
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import type { Socket } from 'node:net';
import { WebSocketServer } from 'ws';
import { MAX_CLIENT_MESSAGE_BYTES } from '../../shared/protocol.js';
import type { AdminContext, AdminLevel, ExecuteCommand, WebSocketHandoff } from './types.js';
import { WsSession } from './ws-session.js';

/** How long a connection may take to send its HTTP request, then its `hello` (HAProxy's `stats timeout` default). */
const DEFAULT_TIMEOUT_MS = 10_000;

interface Pending {
  level: AdminLevel;
  ctx: AdminContext;
  execute: ExecuteCommand;
}

/**
 * Build a hand-off that runs commands with `executorFor(ctx)` (one executor per context). The daemon uses
 * `attachWebSocket` below; this form lets a test or another embedding supply its own command table.
 */
export function createWebSocketHandoff(executorFor: (ctx: AdminContext) => ExecuteCommand): WebSocketHandoff {
  const executors = new WeakMap<AdminContext, ExecuteCommand>();
  const pending = new WeakMap<Duplex, Pending>();
  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_CLIENT_MESSAGE_BYTES, perMessageDeflate: false, clientTracking: false });
  const http = createServer({ maxHeaderSize: 8192 });

  http.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    const p = pending.get(socket);
    pending.delete(socket);
    if (!p) return void socket.destroy();
    wss.handleUpgrade(req, socket, head, (ws) => {
      (socket as Socket).setTimeout(0);
      new WsSession(ws, { ctx: p.ctx, level: p.level, execute: p.execute }, timeoutOf(p.ctx));
    });
  });
  http.on('request', (_req: IncomingMessage, res: ServerResponse) => {
    const body = 'This is the lbd admin socket: speak WebSocket here (Upgrade: websocket), or send runtime API commands as text lines.\n';
    res.writeHead(426, { 'Content-Type': 'text/plain', 'Content-Length': Buffer.byteLength(body), Upgrade: 'websocket', Connection: 'close' });
    res.end(body);
  });
  http.on('clientError', (_err: Error, socket: Duplex) => {
    if ((socket as Socket).writable) socket.end('HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n');
    else socket.destroy();
  });

  return (socket, head, level, ctx) => {
    let execute = executors.get(ctx);
    if (!execute) executors.set(ctx, (execute = executorFor(ctx)));
    pending.set(socket, { level, ctx, execute });
    socket.on('error', () => {});
    // the HTTP request must arrive in time; after the upgrade the session's own handshake timer applies
    socket.setTimeout(timeoutOf(ctx), () => socket.destroy());
    if (head.length) socket.unshift(head);
    http.emit('connection', socket);
    // the admin server may have paused the socket while it sniffed the first bytes
    socket.resume();
  };
}

function timeoutOf(ctx: AdminContext): number {
  return ctx.runtime.config?.global.statsTimeout ?? DEFAULT_TIMEOUT_MS;
}
