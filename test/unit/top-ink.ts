/**
 * Mount the console's Ink app on a fake terminal of a given size (Ink's own render, debug mode: every
 * render writes the whole frame, as the painter receives it), with a fake admin client that records
 * requests and lets a test push snapshots and connection events. Keys go in through a fake stdin.
 */
import { EventEmitter } from 'node:events';
import React from 'react';
import { render, type Instance } from 'ink';
import type { LbdEvent } from '../../shared/events.js';
import type { RequestOp, RequestOps, ResultOps, Welcome } from '../../shared/protocol.js';
import type { Snapshot } from '../../shared/snapshot.js';
import { App } from '../../tui/top/app.js';
import { Feed, type TopClient } from '../../tui/top/feed.js';
import { waitFor } from '../helpers/wait.js';

export const WELCOME: Welcome = { type: 'welcome', version: 1, server: 'lbd 0.1.0', level: 'admin', pid: 1, startedAt: 1, limits: { maxMessageBytes: 65536, maxInFlight: 16, maxSubscriptions: 8, minIntervalMs: 100 } };

export class FakeClient extends EventEmitter implements TopClient {
  welcome: Welcome | null = null;
  readonly requests: { op: string; fields: unknown }[] = [];
  private onSnap: ((s: Snapshot, full: boolean) => void) | null = null;
  private onEvent: ((e: LbdEvent) => void) | null = null;
  /** What request() answers, by op (default: targets from→to for set-server-*, ok for reload). */
  answer: (op: string, fields: any) => unknown = (op, f) =>
    op === 'reload' ? { ok: true, changes: [], errors: [], warnings: [], durationMs: 1 } : { targets: [{ backend: f.server.split('/')[0], server: f.server.split('/')[1] ?? f.server, from: 'UP', to: f.state === 'maint' ? 'MAINT' : 'UP' }] };

  constructor(private snapshot: Snapshot | null, private readonly welcomeMsg: Welcome = WELCOME) {
    super();
  }
  async connect(): Promise<Welcome> {
    this.welcome = this.welcomeMsg;
    return this.welcomeMsg;
  }
  async request<K extends RequestOp>(op: K, fields: RequestOps[K]): Promise<ResultOps[K]> {
    this.requests.push({ op, fields });
    return this.answer(op, fields) as ResultOps[K];
  }
  async subscribeSnapshots(_o: { intervalMs?: number }, cb: (s: Snapshot, full: boolean) => void) {
    this.onSnap = cb;
    if (this.snapshot) setImmediate(() => cb(this.snapshot!, true));
    return { close: async () => {} };
  }
  async subscribeEvents(_o: unknown, cb: (e: LbdEvent) => void) {
    this.onEvent = cb;
    return { close: async () => {} };
  }
  async close(): Promise<void> {}
  push(s: Snapshot): void {
    this.snapshot = s;
    this.onSnap?.(s, false);
  }
  event(e: LbdEvent): void {
    this.onEvent?.(e);
  }
  /** The daemon went away / came back, as AdminClient reports it. */
  drop(): void {
    this.welcome = null;
    this.emit('close', { code: 1006, reason: '' });
    this.emit('reconnecting', { attempt: 1, delayMs: 200 });
  }
  back(): void {
    this.welcome = this.welcomeMsg;
    this.emit('open', this.welcomeMsg);
  }
}

class FakeStdout extends EventEmitter {
  frames: string[] = [];
  constructor(
    public columns: number,
    public rows: number,
  ) {
    super();
  }
  write = (s: string) => {
    this.frames.push(s);
    return true;
  };
}

class FakeStdin extends EventEmitter {
  isTTY = true;
  private data: string | null = null;
  write(s: string): void {
    this.data = s;
    this.emit('readable');
  }
  read = () => {
    const d = this.data;
    this.data = null;
    return d;
  };
  setEncoding() {}
  setRawMode() {}
  resume() {}
  pause() {}
  ref() {}
  unref() {}
}

export const KEY = { up: '\x1b[A', down: '\x1b[B', enter: '\r', esc: '\x1b', tab: '\t', pgdn: '\x1b[6~' };

export interface Mounted {
  client: FakeClient;
  feed: Feed;
  instance: Instance;
  stdout: FakeStdout;
  frame(): string;
  lines(): string[];
  press(...keys: string[]): Promise<void>;
  waitFor(re: RegExp | ((f: string) => boolean), what?: string, ms?: number): Promise<string>;
  resize(cols: number, rows: number): void;
  unmount(): Promise<void>;
}

const ANSI = /\x1b\[[0-9;?]*[A-Za-z]/g;

/** The console on a `cols`×`rows` fake terminal, fed `snapshot`; resolves once the first snapshot is drawn. */
export async function mountTop(snapshot: Snapshot | null, o: { cols: number; rows: number; readOnly?: boolean; client?: FakeClient; now?: () => number }): Promise<Mounted> {
  const client = o.client ?? new FakeClient(snapshot);
  const feed = new Feed(client, { intervalMs: 1000, coalesceMs: 5, retry: { initialMs: 20, maxMs: 100 } });
  const stdout = new FakeStdout(o.cols, o.rows);
  const stdin = new FakeStdin();
  feed.start();
  const instance = render(React.createElement(App, { client, feed, opts: { readOnly: !!o.readOnly, ascii: false, color: true, socket: '/run/lbd/admin.sock', intervalMs: 1000 }, ...(o.now ? { now: o.now } : {}), tickMs: 50 }), {
    stdout: stdout as unknown as NodeJS.WriteStream,
    stdin: stdin as unknown as NodeJS.ReadStream,
    debug: true,
    exitOnCtrlC: false,
    patchConsole: false,
  });
  const frame = () => (stdout.frames[stdout.frames.length - 1] ?? '').replace(ANSI, '');
  const m: Mounted = {
    client,
    feed,
    instance,
    stdout,
    frame,
    lines: () => frame().split('\n'),
    async press(...keys) {
      for (const k of keys) {
        const before = stdout.frames.length;
        stdin.write(k);
        // each key is handled before the next is sent (Ink parses escape sequences per chunk)
        await waitFor(() => stdout.frames.length > before, 2000, `a frame after key ${JSON.stringify(k)}`, 2).catch(() => {});
      }
    },
    async waitFor(re, what, ms = 3000) {
      const ok = (f: string) => (typeof re === 'function' ? re(f) : re.test(f));
      await waitFor(() => ok(frame()), ms, what ?? String(re), 5).catch((e: Error) => {
        throw new Error(`${e.message}\nlast frame:\n${frame()}`);
      });
      return frame();
    },
    resize(cols, rows) {
      stdout.columns = cols;
      stdout.rows = rows;
      stdout.emit('resize');
    },
    async unmount() {
      instance.unmount();
      await feed.stop();
    },
  };
  if (snapshot) await m.waitFor(/NAME/, 'the first snapshot on screen');
  return m;
}
