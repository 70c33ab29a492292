/**
 * WebSocket side of the admin socket (the protocol: shared/protocol.ts). The admin server calls
 * `attachWebSocket` with a connection whose first bytes are `GET `; ws-upgrade.ts answers the HTTP part,
 * ws-session.ts each upgraded connection, ws-ops.ts and ws-feed.ts its requests and subscriptions.
 */
import type { WebSocketHandoff } from './types.js';
import { createExecutor } from './commands.js';
import { createWebSocketHandoff } from './ws-upgrade.js';

/** The daemon's hand-off: requests run through the admin command table (commands.ts) at the socket's level. */
export const attachWebSocket: WebSocketHandoff = createWebSocketHandoff(createExecutor);
