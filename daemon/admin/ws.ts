/**
 * WebSocket side of the admin socket. STUB: the real implementation (shared/protocol.ts) is in progress;
 * until then an HTTP request is answered 501 and closed.
 */
import type { WebSocketHandoff } from './types.js';

export const attachWebSocket: WebSocketHandoff = (socket) => {
  socket.on('error', () => {});
  socket.end('HTTP/1.1 501 Not Implemented\r\nContent-Length: 0\r\nConnection: close\r\n\r\n');
};
