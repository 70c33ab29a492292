/**
 * The contract between the admin socket's parts: the Unix socket server (server.ts) tells protocols
 * apart by the first bytes and hands a connection to the runtime API (cli.ts) or to the WebSocket
 * protocol (ws.ts); both run commands from the one command table (commands.ts) at the socket's level.
 */
import type { Socket } from 'node:net';
import type { AdminLevel } from '../config/types.js';
import type { Runtime } from '../runtime/runtime.js';
import type { Control } from '../control.js';

export type { AdminLevel };

/** Levels in increasing power; a command needs `level <= session level`. */
export const LEVELS: readonly AdminLevel[] = ['user', 'operator', 'admin'];

/** A listening admin socket as `show cli sockets` lists it. */
export interface AdminSocketInfo {
  readonly path: string;
  readonly level: AdminLevel;
}

/** What every command handler and protocol needs from the daemon. */
export interface AdminContext {
  readonly runtime: Runtime;
  readonly control: Control;
  /** The admin server's listening sockets (the AdminServer fills it in for its connections). */
  readonly sockets?: () => readonly AdminSocketInfo[];
}

/**
 * Runs one runtime API command (already split into words, payload after `<<` or null) at a level and
 * returns the exact text HAProxy's CLI would print for it, without the empty line that ends an answer
 * in one-shot mode. Errors (unknown command, permission denied, bad arguments) are answers too: it
 * never throws.
 */
export type ExecuteCommand = (words: string[], payload: string | null, level: AdminLevel) => Promise<string>;

/**
 * Hand-off of a connection whose first bytes are an HTTP request (`GET `): `head` holds the bytes read
 * so far (already consumed from the socket). The WebSocket side answers a non-upgrade request itself.
 */
export type WebSocketHandoff = (socket: Socket, head: Buffer, level: AdminLevel, ctx: AdminContext) => void;
