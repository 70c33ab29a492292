/**
 * lbd's WebSocket admin protocol, spoken on the admin socket beside HAProxy's text runtime API (a
 * connection whose first bytes are `GET ` with `Upgrade: websocket`). Every message is one JSON text
 * frame. The daemon (daemon/admin/ws*.ts) and the one client (shared/admin-client.ts, used by lbctl,
 * top and dash) both read these declarations; nothing here depends on the daemon.
 *
 * A session:
 *   client → {type:'hello', version:1, client:'lbctl/0.1.0'}
 *   server → {type:'welcome', version:1, server:'lbd 0.1.0', level:'admin', pid, startedAt, limits}
 *   client → {type:'request', id:1, op:'set-server-state', server:'server-2', state:'maint'}
 *   server → {type:'reply', id:1, ok:true, result:{targets:[{backend:'myApp', server:'server-2', …}]}}
 *   client → {type:'request', id:2, op:'subscribe', topic:'snapshot', intervalMs:1000}
 *   server → {type:'reply', id:2, ok:true, result:{sub:2}}
 *   server → {type:'snapshot', sub:2, seq:1, snapshot:{…}}          the full snapshot, once
 *   server → {type:'delta', sub:2, seq:2, base:1, patch:{…}}        then what changed, every interval
 *   client → {type:'request', id:3, op:'unsubscribe', sub:2}
 *
 * Requests are answered in any order (match them by `id`); a request's failure is a reply with
 * `ok:false` and an error code, never a closed connection. Levels are the socket's (`stats socket …
 * level`): a request needs at least the level in REQUEST_LEVELS, and `command` runs at the socket's level
 * through the same command table as the text runtime API.
 */
import type { LbdEvent } from './events.js';
import type { Snapshot } from './snapshot.js';
import type { ObjectPatch } from './snapshot-delta.js';

export type { ObjectPatch };

/** A socket's level (`stats socket … level`), as the daemon's config has it. */
export type AdminLevel = 'user' | 'operator' | 'admin';

/** The version this build speaks. A peer with another version gets `version-mismatch` and is closed. */
export const PROTOCOL_VERSION = 1;

/** Largest message a client may send (bytes); a bigger frame closes the connection with 1009. */
export const MAX_CLIENT_MESSAGE_BYTES = 64 * 1024;

/** Largest message a client accepts from the daemon: a full snapshot of thousands of servers fits. */
export const MAX_SERVER_MESSAGE_BYTES = 256 * 1024 * 1024;

/** Snapshot subscription interval: default, and the bounds the daemon clamps a requested one to. */
export const SNAPSHOT_INTERVAL = Object.freeze({ defaultMs: 1000, minMs: 100, maxMs: 3_600_000 });

/** WebSocket close codes the daemon uses (4000–4999 are the application's range). */
export const CLOSE = Object.freeze({
  /** 1001: the daemon is stopping (clients reconnect with backoff). */
  GOING_AWAY: 1001,
  /** 1009: a message over MAX_CLIENT_MESSAGE_BYTES (sent by `ws` itself). */
  TOO_BIG: 1009,
  /** The client's protocol version is not this daemon's. */
  VERSION_MISMATCH: 4001,
  /** No `hello` within the handshake timeout. */
  HANDSHAKE_TIMEOUT: 4002,
  /** Too many bad messages on one connection. */
  TOO_MANY_ERRORS: 4003,
});

/** Error codes of `reply` (ok:false) and `error` messages, and of AdminClientError on the client side. */
export type ErrorCode =
  /** The message is not JSON, not an object, or has no known `type`. */
  | 'bad-message'
  /** A request's `op` is unknown. */
  | 'unknown-op'
  /** A field is missing or has the wrong type or value (the message says which). */
  | 'bad-request'
  /** A request before `hello`. */
  | 'handshake-required'
  /** `hello` with a protocol version this side does not speak. */
  | 'version-mismatch'
  /** The socket's level is below what the request needs. */
  | 'permission-denied'
  /** No such backend or server (or subscription). */
  | 'not-found'
  /** The daemon understood and refused (a runtime API error answer, lbd stopping …). */
  | 'refused'
  /** Too many requests in flight or subscriptions on this connection. */
  | 'busy'
  /** A bug in the daemon; the message says what failed. */
  | 'internal'
  // client side only:
  /** No daemon on the socket (ENOENT, ECONNREFUSED, EACCES …). */
  | 'unreachable'
  /** The connection closed before the reply. */
  | 'disconnected'
  /** No reply within the request timeout. */
  | 'timeout'
  /** The client was closed. */
  | 'closed';

/** An error as it travels in a reply or an `error` message. */
export interface ProtocolError {
  code: ErrorCode;
  message: string;
}

// ─── client → server ───────────────────────────────────────────────────────────────────────────────

/** First message of every connection: the protocol version the client speaks, and who it is (for logs). */
export interface Hello {
  type: 'hello';
  version: number;
  client?: string;
}

/** The requests, by `op`, with their fields; every request also carries a client-chosen `id`. */
export interface RequestOps {
  /** Run one runtime API line (`show stat`, `set server myApp/server-1 state drain`) at the socket's level.
   *  One command per request: `;` is not a separator here. `payload` is what would follow `<<`. */
  command: { line: string; payload?: string };
  /** The full snapshot now. */
  snapshot: Record<string, never>;
  /** Reload the configuration files lbd was started with (admin). */
  reload: Record<string, never>;
  /** Set a server's admin state (admin). `server` is `backend/server` or a bare name, which acts on every
   *  backend with a server of that name; `backend` narrows a bare name to one backend. */
  'set-server-state': { server: string; backend?: string; state: ServerAdminState };
  /** Set a server's weight (admin): `weight` is `n` (0..256) or `n%` of the configured weight. Same naming as above. */
  'set-server-weight': { server: string; backend?: string; weight: string };
  /** Recent events from the daemon's ring, oldest first: at most `limit`, only those after `since` (a seq). */
  events: { limit?: number; since?: number };
  /** Start a subscription; the reply carries its id (`sub`, the request's id). */
  subscribe: SubscribeSnapshot | SubscribeEvents;
  /** Stop a subscription. */
  unsubscribe: { sub: number };
  /** Round trip check. */
  ping: Record<string, never>;
}

export type ServerAdminState = 'ready' | 'drain' | 'maint';

/** Snapshots every `intervalMs` (default 1000): the first message is the full snapshot, then deltas. */
export interface SubscribeSnapshot {
  topic: 'snapshot';
  intervalMs?: number;
}

/** Events as they happen. `backlog` first sends up to that many recent events from the ring; `since`
 *  sends the ring's events after that seq instead (to resume without gaps or repeats). */
export interface SubscribeEvents {
  topic: 'events';
  backlog?: number;
  since?: number;
}

export type RequestOp = keyof RequestOps;

/** A request of one op: `{type:'request', id, op, …fields}`. */
export type RequestOf<K extends RequestOp> = { type: 'request'; id: number; op: K } & RequestOps[K];
export type Request = { [K in RequestOp]: RequestOf<K> }[RequestOp];

export type ClientMessage = Hello | Request;

// ─── server → client ───────────────────────────────────────────────────────────────────────────────

/** Answer to `hello`: who the daemon is and what this connection may do. */
export interface Welcome {
  type: 'welcome';
  version: number;
  /** `lbd <version>`. */
  server: string;
  /** The socket's level: requests above it are refused with `permission-denied`. */
  level: AdminLevel;
  pid: number;
  /** Epoch ms the daemon started: a different value after a reconnect means a new daemon (event seqs restart). */
  startedAt: number;
  limits: { maxMessageBytes: number; maxInFlight: number; maxSubscriptions: number; minIntervalMs: number };
}

/** What each op's successful reply carries in `result`. */
export interface ResultOps {
  /** The runtime API's answer text, exactly as the text socket would print it (without the final empty line). */
  command: { output: string };
  snapshot: { snapshot: Snapshot };
  /** Control.reload()'s result: `ok:false` with every error as `file:line: message` when the config was refused. */
  reload: ReloadOutcome;
  'set-server-state': { targets: ServerTarget[] };
  'set-server-weight': { targets: ServerTarget[] };
  events: { events: LbdEvent[] };
  /** `intervalMs` as clamped (snapshot); `lastSeq`: the newest event's seq when an events subscription started. */
  subscribe: { sub: number; intervalMs?: number; lastSeq?: number };
  unsubscribe: Record<string, never>;
  ping: { now: number };
}

/** The daemon's ReloadResult (daemon/control.ts), as it travels. */
export interface ReloadOutcome {
  ok: boolean;
  changes: string[];
  errors: string[];
  warnings: string[];
  durationMs: number;
}

/** One server a set-server-* request acted on, with its status before and after (HAProxy's status string). */
export interface ServerTarget {
  backend: string;
  server: string;
  /** Status before and after, as `show stat` shows it (`UP`, `MAINT`, `DRAIN` …). */
  from: string;
  to: string;
  /** Weight after the change, as `get weight` answers (`50 (initial 100)`), for set-server-weight. */
  weight?: string;
  /** Set when this server's change was refused while another's succeeded (when all fail, the reply is an error). */
  error?: ProtocolError;
}

export type ReplyOk<K extends RequestOp = RequestOp> = { type: 'reply'; id: number; ok: true; result: ResultOps[K] };
export interface ReplyError {
  type: 'reply';
  id: number;
  ok: false;
  error: ProtocolError;
}
export type Reply = ReplyOk | ReplyError;

/** First message of a snapshot subscription, and again if the daemon ever has to resynchronise. */
export interface SnapshotMessage {
  type: 'snapshot';
  sub: number;
  seq: number;
  snapshot: Snapshot;
}

/** The changes since the message with seq `base` (always the previous one sent on this subscription):
 *  applyDelta(previous, patch) is the snapshot at `seq`. Ticks with no change are not sent; a tick is
 *  skipped while the client is slow to read, and the next delta covers both. */
export interface DeltaMessage {
  type: 'delta';
  sub: number;
  seq: number;
  base: number;
  patch: ObjectPatch;
}

/** One event of an events subscription. */
export interface EventMessage {
  type: 'event';
  sub: number;
  event: LbdEvent;
}

/** An error not tied to a request (bad JSON, unknown type, handshake problems); may precede a close. */
export interface ErrorMessage {
  type: 'error';
  error: ProtocolError;
}

export type ServerMessage = Welcome | Reply | SnapshotMessage | DeltaMessage | EventMessage | ErrorMessage;

/** The level each op needs; `command` needs what its command needs (checked by the command table). */
export const REQUEST_LEVELS: Readonly<Record<RequestOp, AdminLevel>> = Object.freeze({
  command: 'user',
  snapshot: 'user',
  reload: 'admin',
  'set-server-state': 'admin',
  'set-server-weight': 'admin',
  events: 'user',
  subscribe: 'user',
  unsubscribe: 'user',
  ping: 'user',
});

