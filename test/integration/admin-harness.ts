/**
 * Test harness for the admin socket: a Runtime, a Control and an AdminServer in-process, configured
 * from a config text written to a temp dir (so `reload` re-reads a real file), plus clients that talk
 * to the socket over real Unix sockets: one-shot exchanges read to EOF, interactive ones to the prompt.
 */
import net from 'node:net';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import assert from 'node:assert/strict';
import { loadConfig, formatDiagnostic } from '../../daemon/config/index.js';
import type { Config } from '../../daemon/config/types.js';
import { Runtime } from '../../daemon/runtime/runtime.js';
import { memoryLogger } from '../../daemon/log.js';
import { runProbe } from '../../daemon/health/probe.js';
import { Control } from '../../daemon/control.js';
import { AdminServer, type AdminServerOptions } from '../../daemon/admin/server.js';
import { freePort } from '../helpers/net.js';

export interface AdminHarness {
  dir: string;
  /** The first `stats socket` path (admin level unless the config says otherwise). */
  sock: string;
  cfgPath: string;
  /** The free port `@PORT@` stood for. */
  port: number;
  rt: Runtime;
  control: Control;
  admin: AdminServer;
  log: ReturnType<typeof memoryLogger>;
  /** Replace the config file (then `reload`). `@DIR@` is replaced by the temp dir. */
  writeConfig(text: string): void;
  close(): Promise<void>;
}

export async function loadText(path: string): Promise<Config> {
  const r = await loadConfig([path]);
  assert.ok(r.config, r.diagnostics.map(formatDiagnostic).join('\n'));
  return r.config;
}

/**
 * Start with `cfg` (`@DIR@` replaced by a fresh temp dir, `@PORT@` by a free port). When the config has
 * no `stats socket`, one is added: `@DIR@/admin.sock level admin`.
 */
export async function startAdmin(cfg: string, opts: AdminServerOptions = {}): Promise<AdminHarness> {
  const dir = mkdtempSync(join(tmpdir(), 'lbd-admin-'));
  const port = await freePort();
  const fill = (t: string) => {
    t = t.replaceAll('@DIR@', dir).replaceAll('@PORT@', String(port));
    return /stats socket/.test(t) ? t : `global\n    stats socket ${dir}/admin.sock level admin\n${t.replace(/^\s*global\s*\n/, '')}`;
  };
  const cfgPath = join(dir, 'lbd.cfg');
  writeFileSync(cfgPath, fill(cfg));
  const config = await loadText(cfgPath);
  const log = memoryLogger();
  const rt = new Runtime({ log, probe: runProbe });
  await rt.apply(config);
  const control = new Control(rt, [cfgPath], log);
  const admin = new AdminServer({ runtime: rt, control }, log, opts);
  try {
    await admin.start(config);
  } catch (e) {
    rt.shutdown();
    await rt.closeListeners();
    rmSync(dir, { recursive: true, force: true });
    throw e;
  }
  control.onApplied = (next) => admin.update(next);
  return {
    dir,
    sock: config.global.statsSockets[0]!.path,
    cfgPath,
    port,
    rt,
    control,
    admin,
    log,
    writeConfig: (t) => writeFileSync(cfgPath, fill(t)),
    async close() {
      await admin.close();
      await rt.closeListeners();
      rt.shutdown();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Connect to a Unix socket; resolves once connected (every socket gets an error listener). */
export function connectUnix(path: string): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const s = net.connect({ path, allowHalfOpen: true });
    s.once('connect', () => {
      s.off('error', reject);
      s.on('error', () => {});
      resolve(s);
    });
    s.once('error', reject);
  });
}

/**
 * Send `data` (one write) and read until the server closes: the exact text received. Rejects when the
 * server keeps the connection open longer than `timeoutMs` (the text so far is in the message).
 */
export async function exchange(path: string, data: string | Buffer, timeoutMs = 3000): Promise<string> {
  const s = await connectUnix(path);
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    const t = setTimeout(() => {
      s.destroy();
      reject(new Error(`connection still open after ${timeoutMs} ms; received ${JSON.stringify(Buffer.concat(chunks).toString())}`));
    }, timeoutMs);
    s.on('data', (d: Buffer) => chunks.push(d));
    const done = () => {
      clearTimeout(t);
      s.destroy();
      resolve(Buffer.concat(chunks).toString());
    };
    s.once('end', done);
    s.once('close', done); // a reset (EPIPE on our write) closes without an end
    s.write(data);
  });
}

/** An interactive client: `send` writes and resolves with everything up to and including the next `\n> ` prompt. */
export interface PromptClient {
  socket: net.Socket;
  send(data: string, timeoutMs?: number): Promise<string>;
  /** Resolves with what arrives until the server closes. */
  closed(timeoutMs?: number): Promise<string>;
  close(): void;
}

export async function promptClient(path: string): Promise<PromptClient> {
  const socket = await connectUnix(path);
  let buf = '';
  let waiter: (() => void) | null = null;
  let ended = false;
  socket.on('data', (d: Buffer) => {
    buf += d.toString();
    waiter?.();
  });
  const onEnd = () => {
    ended = true;
    waiter?.();
  };
  socket.once('end', onEnd);
  socket.once('close', onEnd);
  const waitUntil = (done: () => boolean, timeoutMs: number, what: string) =>
    new Promise<void>((resolve, reject) => {
      const check = () => {
        if (!done()) return;
        clearTimeout(t);
        waiter = null;
        resolve();
      };
      const t = setTimeout(() => {
        waiter = null;
        reject(new Error(`timed out waiting for ${what}; received ${JSON.stringify(buf)}`));
      }, timeoutMs);
      waiter = check;
      check();
    });
  return {
    socket,
    async send(data, timeoutMs = 3000) {
      socket.write(data);
      await waitUntil(() => buf.endsWith('> ') || ended, timeoutMs, 'the prompt');
      const out = buf;
      buf = '';
      return out;
    },
    async closed(timeoutMs = 3000) {
      await waitUntil(() => ended, timeoutMs, 'the server to close');
      const out = buf;
      buf = '';
      return out;
    },
    close: () => socket.destroy(),
  };
}

/** The config most tests use: the TCP + track example, servers on dead ports, no traffic. */
export function trackConfig(extraGlobal = ''): string {
  return `global
    stats socket @DIR@/admin.sock mode 600 level admin
    stats socket @DIR@/oper.sock
    stats socket @DIR@/user.sock level user
${extraGlobal}
defaults
    retries 0
    timeout connect 2s
    timeout client 30s
    timeout server 30s
frontend myApp
    bind 127.0.0.1:@PORT@
    mode tcp
    default_backend myApp
backend myApp
    mode tcp
    server server-1 127.0.0.1:9 track monitoring/server-1
    server server-2 127.0.0.1:9 track monitoring/server-2
backend monitoring
    mode http
    option httpchk GET /readyz
    http-check expect status 200
    server server-1 127.0.0.1:9 check inter 60s fall 2 rise 2
    server server-2 127.0.0.1:9 check inter 60s fall 2 rise 2
    server nochk 127.0.0.1:9
backend static
    balance static-rr
    server s1 127.0.0.1:9 weight 4
`;
}
