/**
 * The admin socket server: listens on every `stats socket <path> [mode] [level]` of the config, or on
 * the default path (shared/paths.ts) when the config names none, and tells the two protocols apart by
 * the first bytes of each connection: an HTTP request (`GET `) goes to the WebSocket side (ws.ts),
 * anything else is a runtime API session (cli.ts), as HAProxy's CLI.
 *
 * - A stale socket file (nobody accepts on it) is replaced; a live one (another lbd answers) is an
 *   error at start, or a warning and a skip for the default path.
 * - On reload, sockets are added and removed and levels and modes change in place: new connections get
 *   the new level, running sessions are lowered to it (never raised).
 * - At most MAX_CONNECTIONS at once; more are closed at accept. On close, files are unlinked.
 */
import net from 'node:net';
import { chmodSync, existsSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Config } from '../config/types.js';
import type { Logger } from '../log.js';
import { defaultSocketPath } from '../../shared/paths.js';
import type { AdminContext, AdminLevel, AdminSocketInfo, WebSocketHandoff } from './types.js';
import { allows } from './command-types.js';
import { CliSession } from './cli.js';
import { attachWebSocket } from './ws.js';
import { closeAllSessions } from './ws-session.js';
import { errnoText, listenUnix, probeSocketFile, unlinkSocket } from './socket-file.js';

/** Admin connections open at once, all sockets together (HAProxy's stats frontend allows 10). */
export const MAX_CONNECTIONS = 100;

/** What an admin socket should be: path, file mode, level. */
export interface AdminSocketSpec {
  readonly path: string;
  readonly mode: number;
  readonly level: AdminLevel;
  /** The default socket (no `stats socket` in the config): a live one there is skipped, not fatal. */
  readonly isDefault: boolean;
}

interface Listening {
  spec: AdminSocketSpec;
  server: net.Server;
  sessions: Set<CliSession>;
}

export interface AdminServerOptions {
  /** Where HTTP requests go (default: the WebSocket protocol, ws.ts). */
  handoff?: WebSocketHandoff;
  /** The socket used when the config names none (default: shared/paths.ts defaultSocketPath()). */
  defaultPath?: string;
}

/** A socket the admin server could not open; the message says which and why. */
export class AdminSocketError extends Error {}

/** The sockets a config asks for: its `stats socket` lines, or the default path at admin level, mode 0600. */
export function socketSpecs(config: Config, defaultPath: string = defaultSocketPath()): AdminSocketSpec[] {
  if (config.global.statsSockets.length === 0) return [{ path: defaultPath, mode: 0o600, level: 'admin', isDefault: true }];
  return config.global.statsSockets.map((s) => ({ path: s.path, mode: s.mode, level: s.level, isDefault: false }));
}

/** `GET ` opens an HTTP request (WebSocket upgrade); true/false once the first bytes tell, null while they may. */
function isHttp(head: Buffer): boolean | null {
  const probe = 'GET ';
  for (let i = 0; i < Math.min(head.length, probe.length); i++) if (head[i] !== probe.charCodeAt(i)) return false;
  return head.length >= probe.length ? true : null;
}

export class AdminServer {
  private readonly listening = new Map<string, Listening>();
  private readonly conns = new Set<net.Socket>();
  private timeoutMs = 10_000;
  private readonly ctx: AdminContext;
  private closed = false;

  private readonly handoff: WebSocketHandoff;
  private readonly defaultPath: string;

  constructor(
    ctx: AdminContext,
    private readonly log: Logger,
    opts: AdminServerOptions = {},
  ) {
    this.ctx = { ...ctx, sockets: () => this.sockets() };
    this.handoff = opts.handoff ?? attachWebSocket;
    this.defaultPath = opts.defaultPath ?? defaultSocketPath();
  }

  /** The sockets listening now, for `show cli sockets`. */
  sockets(): AdminSocketInfo[] {
    return [...this.listening.values()].map((l) => ({ path: l.spec.path, level: l.spec.level }));
  }

  /** Open connections (runtime API and WebSocket). */
  connections(): number {
    return this.conns.size;
  }

  /** Largest unsent output of any runtime API session, in bytes (tests check it stays bounded). */
  maxPendingOutput(): number {
    let max = 0;
    for (const l of this.listening.values()) for (const s of l.sessions) max = Math.max(max, s.pendingOutput());
    return max;
  }

  /** Open the config's sockets; throws AdminSocketError when a configured one cannot be opened. */
  async start(config: Config): Promise<void> {
    this.timeoutMs = config.global.statsTimeout;
    for (const spec of socketSpecs(config, this.defaultPath)) await this.open(spec, true);
  }

  /**
   * Follow a new config: open added sockets, close removed ones, change levels and modes in place.
   * A socket that cannot be opened is logged (the reload has happened; the other sockets serve).
   */
  async update(config: Config): Promise<void> {
    if (this.closed) return;
    this.timeoutMs = config.global.statsTimeout;
    const want = new Map(socketSpecs(config, this.defaultPath).map((s) => [s.path, s]));
    for (const [path, l] of this.listening) {
      if (!want.has(path)) await this.closeOne(l);
    }
    for (const spec of want.values()) {
      const have = this.listening.get(spec.path);
      if (!have) {
        await this.open(spec, false);
        continue;
      }
      if (have.spec.mode !== spec.mode) {
        try {
          chmodSync(spec.path, spec.mode);
        } catch (e) {
          this.log.alert(`admin socket ${spec.path}: cannot change mode: ${errnoText(e)}`);
        }
      }
      if (have.spec.level !== spec.level) {
        for (const s of have.sessions) if (!allows(spec.level, s.state.level)) s.state.level = spec.level;
      }
      have.spec = spec;
    }
  }

  /** Stop listening, close every connection, remove the socket files. */
  async close(): Promise<void> {
    this.closed = true;
    // server.close() only completes once every connection has ended: say goodbye to WebSocket clients
    // (1001) and cut runtime API sessions first, or a connected console would hold the stop forever
    const listeners = [...this.listening.values()].map((l) => this.closeOne(l));
    await closeAllSessions();
    for (const c of this.conns) c.destroy();
    this.conns.clear();
    await Promise.all(listeners);
  }

  private async open(spec: AdminSocketSpec, atStart: boolean): Promise<void> {
    const fail = (why: string) => {
      const m = `cannot open admin socket ${spec.path}: ${why}`;
      if (atStart && !spec.isDefault) throw new AdminSocketError(m);
      this.log.warn(spec.isDefault ? `${m}; continuing without the default admin socket` : m);
    };
    if (spec.isDefault) {
      try {
        mkdirSync(dirname(spec.path), { recursive: true, mode: 0o700 });
      } catch (e) {
        return fail(`cannot create its directory (${errnoText(e)})`);
      }
    }
    if (!existsSync(dirname(spec.path))) return fail(`its directory ${dirname(spec.path)} does not exist`);
    let state;
    try {
      state = await probeSocketFile(spec.path);
    } catch (e) {
      return fail(errnoText(e));
    }
    if (state === 'live') return fail('another process is listening on it (is another lbd running with this socket?)');
    if (state === 'not-socket') return fail('the path exists and is not a socket');
    if (state === 'stale') {
      this.log.notice(`admin socket ${spec.path}: replacing a stale socket file`);
      unlinkSocket(spec.path);
    }
    const entry: Listening = { spec, server: net.createServer({ allowHalfOpen: true }, (c) => this.accept(c, entry)), sessions: new Set() };
    try {
      await listenUnix(entry.server, spec.path, spec.mode);
    } catch (e) {
      entry.server.close();
      return fail(errnoText(e));
    }
    entry.server.on('error', (e) => this.log.alert(`admin socket ${spec.path}: ${errnoText(e)}`));
    this.listening.set(spec.path, entry);
    this.log.debug(`admin socket listening on ${spec.path} (level ${spec.level}, mode ${spec.mode.toString(8)})`);
  }

  private closeOne(l: Listening): Promise<void> {
    this.listening.delete(l.spec.path);
    return new Promise((resolve) => {
      l.server.close(() => resolve());
      unlinkSocket(l.spec.path);
    });
  }

  /** A new connection: bounded, guarded, then handed to a protocol once its first bytes tell which. */
  private accept(sock: net.Socket, l: Listening): void {
    sock.on('error', () => {}); // a peer that goes away mid-answer is normal; the 'close' that follows cleans up
    if (this.closed || this.conns.size >= MAX_CONNECTIONS) {
      sock.destroy();
      return;
    }
    this.conns.add(sock);
    sock.once('close', () => this.conns.delete(sock));
    sock.setTimeout(this.timeoutMs);
    const onTimeout = () => sock.destroy();
    sock.on('timeout', onTimeout);
    let head: Buffer = Buffer.alloc(0);
    const decide = (ended: boolean) => {
      const http = isHttp(head);
      if (http === null && !ended) return;
      sock.off('data', onData);
      sock.off('end', onEnd);
      sock.off('timeout', onTimeout);
      if (http) {
        sock.setTimeout(0);
        sock.pause();
        this.handoff(sock, head, l.spec.level, this.ctx);
        return;
      }
      const session = new CliSession(sock, head, { ctx: this.ctx, level: l.spec.level, timeoutMs: this.timeoutMs, ended });
      l.sessions.add(session);
      sock.once('close', () => l.sessions.delete(session));
    };
    const onData = (d: Buffer) => {
      head = head.length ? Buffer.concat([head, d]) : d;
      decide(false);
    };
    const onEnd = () => decide(true);
    sock.on('data', onData);
    sock.on('end', onEnd);
  }
}
