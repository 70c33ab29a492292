/**
 * Sends access-log lines to `log` targets (HAProxy 2.6 manual, `log` keyword): UDP syslog, stdout/stderr,
 * fd@N, UNIX and TCP stream sockets, each with its syslog header format, facility and levels, `len`
 * truncation and `sample` ranges. `log global` in a proxy stands for the global section's targets.
 *
 * The data path never waits for a log: a UDP datagram is sent and forgotten, writes to file descriptors
 * go through libuv's thread pool one batch at a time, and when a destination cannot keep up (more than
 * `maxPendingBytes` waiting, or too many datagrams in flight) lines are dropped and counted in
 * `dropped`, never buffered without bound. Every socket has an 'error' listener; nothing here throws.
 *
 * Limits, said once at creation as a warning: Node cannot open UNIX *datagram* sockets (what
 * /dev/log and syslog daemons use), so a UNIX path is tried as a stream socket and its lines are dropped
 * when that fails; `ring@` targets are not supported; TCP targets get newline-framed lines (HAProxy
 * requires a ring for TCP).
 *
 * Header formats, as the real HAProxy 2.6.12 sends them (test/fixtures/http/haproxy-logs.txt):
 *   raw       msg
 *   local     <PRI>Nov 21 04:53:09 tag[pid]: msg
 *   rfc3164   <PRI>Nov 21 04:53:09 localhost tag[pid]: msg     (hostname when set)
 *   rfc5424   <PRI>1 2026-11-21T04:53:09.804727+00:00 - tag pid - - msg   (hostname when set)
 *   priority  <PRI>msg
 *   short     <LEVEL>msg
 *   timed     <LEVEL>2026-11-21T04:53:09.804739+00:00 msg
 *   iso       2026-11-21T04:53:09.804741+00:00 msg
 * each followed by "\n"; PRI = facility × 8 + level. `len` bounds header and message; the "\n" comes after.
 */
import dgram from 'node:dgram';
import fs from 'node:fs';
import net from 'node:net';
import { performance } from 'node:perf_hooks';
import type { LogFormatName, LogLevel, LogTarget } from './config/types-http.js';
import { createLogger, type Logger } from './log.js';

type Target = Extract<LogTarget, { kind: 'target' }>;

/** Syslog levels, most severe first: the index is the level's code. */
export const LOG_LEVELS: readonly LogLevel[] = ['emerg', 'alert', 'crit', 'err', 'warning', 'notice', 'info', 'debug'];
/** Syslog facilities in code order (HAProxy's list). */
export const LOG_FACILITIES: readonly string[] = ['kern', 'user', 'mail', 'daemon', 'auth', 'syslog', 'lpr', 'news', 'uucp', 'cron', 'auth2', 'ftp', 'ntp', 'audit', 'alert', 'cron2', 'local0', 'local1', 'local2', 'local3', 'local4', 'local5', 'local6', 'local7'];

/** The access log of a proxy: where its lines go. */
export interface AccessLog {
  /** Send one line (without "\n") at `level` to every target that accepts that level. */
  emit(line: string, level?: LogLevel): void;
  /** Close the sockets this log opened (never fd 1, 2 or fd@N); resolves once they are closed. */
  close(): Promise<void>;
  /** Lines a target could not take (congested, socket failed, unsupported target). */
  readonly dropped: number;
  /** Lines handed to a destination. */
  readonly sent: number;
}

export interface AccessLogOptions {
  /** Hostname in rfc3164/rfc5424 headers (`log-send-hostname`); null: `localhost` / `-` as HAProxy. */
  readonly hostname?: string | null;
  /** Process id in headers; default process.pid. */
  readonly pid?: number;
  /** Wall clock in ms, fractions for microseconds (tests); default performance's. */
  readonly now?: () => number;
  /** Where one-time warnings go; default the daemon's stderr logger. */
  readonly logger?: Logger;
  /** Bytes that may wait for a stream or fd before lines are dropped; default 64 KiB. */
  readonly maxPendingBytes?: number;
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const p2 = (n: number): string => (n < 10 ? `0${n}` : String(n));

/** `Nov 21 04:53:09`, `Nov  1 04:53:09`: RFC 3164's local timestamp. */
export function rfc3164Date(ms: number): string {
  const d = new Date(ms);
  return `${MONTHS[d.getMonth()]} ${String(d.getDate()).padStart(2, ' ')} ${p2(d.getHours())}:${p2(d.getMinutes())}:${p2(d.getSeconds())}`;
}

/** `2026-11-21T04:53:09.804727+00:00`: local time with microseconds and the offset. */
export function isoDate(ms: number): string {
  const whole = Math.floor(ms);
  const d = new Date(whole);
  const us = Math.min(999, Math.round((ms - whole) * 1000)) + (whole % 1000) * 1000;
  const off = -d.getTimezoneOffset();
  const a = Math.abs(off);
  return `${d.getFullYear()}-${p2(d.getMonth() + 1)}-${p2(d.getDate())}T${p2(d.getHours())}:${p2(d.getMinutes())}:${p2(d.getSeconds())}.${String(us).padStart(6, '0')}${off < 0 ? '-' : '+'}${p2(Math.floor(a / 60))}:${p2(a % 60)}`;
}

/** The header HAProxy puts before a message for `format`. */
export function syslogHeader(format: LogFormatName, facility: number, level: number, ms: number, tag: string, pid: number, hostname: string | null): string {
  const pri = `<${facility * 8 + level}>`;
  switch (format) {
    case 'raw':
      return '';
    case 'local':
      return `${pri}${rfc3164Date(ms)} ${tag}[${pid}]: `;
    case 'rfc3164':
      return `${pri}${rfc3164Date(ms)} ${hostname ?? 'localhost'} ${tag}[${pid}]: `;
    case 'rfc5424':
      return `${pri}1 ${isoDate(ms)} ${hostname ?? '-'} ${tag} ${pid} - - `;
    case 'priority':
      return pri;
    case 'short':
      return `<${level}>`;
    case 'timed':
      return `<${level}>${isoDate(ms)} `;
    case 'iso':
      return `${isoDate(ms)} `;
  }
}

/** `sample 1,3-4:5`: which messages of each run of `size` a target keeps (1-based). */
export function parseSample(text: string): { readonly size: number; readonly keep: (n: number) => boolean } | null {
  const m = /^(\d+(?:-\d+)?(?:,\d+(?:-\d+)?)*):(\d+)$/.exec(text);
  if (m === null) return null;
  const size = Number(m[2]);
  if (size < 1) return null;
  const ranges = m[1].split(',').map((r) => {
    const [a, b] = r.split('-').map(Number);
    return [a, b ?? a] as const;
  });
  return { size, keep: (n) => ranges.some(([a, b]) => n >= a && n <= b) };
}

/** A place bytes go. */
interface Writer {
  /** false when the line was dropped. */
  write(data: Buffer): boolean;
  close(): Promise<void>;
}

/** Datagrams to host:port; at most MAX_INFLIGHT sends waiting for libuv, beyond that lines are dropped. */
const MAX_INFLIGHT = 1024;
function udpWriter(host: string, port: number, onError: (e: Error) => void): Writer {
  const sock = dgram.createSocket(net.isIPv6(host) ? 'udp6' : 'udp4');
  sock.on('error', onError);
  let inflight = 0;
  let closed = false;
  let drained: (() => void) | null = null;
  const done = (err: Error | null): void => {
    inflight--;
    if (err) onError(err);
    if (inflight === 0) drained?.();
  };
  return {
    write(data) {
      if (closed || inflight >= MAX_INFLIGHT) return false;
      inflight++;
      try {
        sock.send(data, port, host, done);
      } catch (e) {
        inflight--;
        onError(e as Error);
        return false;
      }
      return true;
    },
    // lets the datagrams already handed to libuv leave first (closing discards a send still queued)
    close: () =>
      new Promise((resolve) => {
        if (closed) return resolve();
        closed = true;
        const shut = (): void => {
          try {
            sock.close(() => resolve());
          } catch {
            resolve();
          }
        };
        if (inflight === 0) shut();
        else drained = shut;
      }),
  };
}

/**
 * Lines to a file descriptor we do not own (1, 2, fd@N): one fs.write at a time in the thread pool, so a
 * blocked pipe never stalls the event loop; what arrives meanwhile is batched up to `max` bytes, then dropped.
 * Batches stay within 4 KiB (PIPE_BUF) when they can, so lines from other writers do not interleave with ours.
 */
function fdWriter(fd: number, max: number, onError: (e: Error) => void): Writer {
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  let busy = false;
  let dead = false;
  let idle: (() => void) | null = null;
  const next = (): void => {
    if (pending.length === 0 || dead) {
      busy = false;
      idle?.();
      return;
    }
    let n = 0;
    let bytes = 0;
    while (n < pending.length && (n === 0 || bytes + pending[n].length <= 4096)) bytes += pending[n++].length;
    const batch = n === 1 ? pending[0] : Buffer.concat(pending.slice(0, n), bytes);
    pending = pending.slice(n);
    pendingBytes -= bytes;
    busy = true;
    const writeAll = (buf: Buffer): void => {
      fs.write(fd, buf, 0, buf.length, null, (err, written) => {
        if (err) {
          dead = true; // EBADF, EPIPE: this descriptor will not take more
          pending = [];
          pendingBytes = 0;
          onError(err);
          next();
        } else if (written < buf.length) writeAll(buf.subarray(written));
        else next();
      });
    };
    writeAll(batch);
  };
  return {
    write(data) {
      if (dead || pendingBytes + data.length > max) return false;
      pending.push(data);
      pendingBytes += data.length;
      if (!busy) next();
      return true;
    },
    close: () =>
      new Promise((resolve) => {
        if (!busy) return resolve();
        idle = resolve;
      }),
  };
}

/** Lines appended to a file (opened once, `O_APPEND`), written off the event loop like fd targets; the file is closed with the log. */
function fileWriter(path: string, max: number, onError: (e: Error) => void): Writer | null {
  let fd: number;
  try {
    fd = fs.openSync(path, 'a', 0o640);
  } catch (e) {
    onError(e as Error);
    return null;
  }
  const w = fdWriter(fd, max, onError);
  return {
    write: (data) => w.write(data),
    close: async () => {
      await w.close();
      fs.close(fd, () => {});
    },
  };
}

/** Lines over a stream socket (UNIX path or TCP), newline-framed; dropped while congested or after a failure. */
function streamWriter(connect: () => net.Socket, max: number, onError: (e: Error) => void): Writer {
  const sock = connect();
  let dead = false;
  sock.on('error', (e) => {
    dead = true;
    onError(e);
  });
  sock.on('close', () => {
    dead = true;
  });
  sock.on('data', () => {}); // a log server has nothing to say; keep the socket flowing
  return {
    write(data) {
      if (dead || sock.writableLength + data.length > max) return false;
      sock.write(data);
      return true;
    },
    close: () =>
      new Promise((resolve) => {
        if (sock.destroyed) return resolve();
        sock.once('close', () => resolve());
        sock.destroy();
      }),
  };
}

/** One target: its filter, header, sampling and writer. */
interface Sink {
  readonly target: Target;
  readonly facility: number;
  readonly maxLevel: number;
  readonly minLevel: number;
  readonly sample: ReturnType<typeof parseSample>;
  seen: number;
  readonly writer: Writer | null;
}

/**
 * The access log for a proxy's `log` lines (`log global` → the global ones); null when there is none.
 * `tag` is the program name in syslog headers (HAProxy's `log-tag`).
 */
export function createAccessLog(targets: readonly LogTarget[], globalTargets: readonly LogTarget[], tag = 'lbd', opts: AccessLogOptions = {}): AccessLog | null {
  const resolved: Target[] = [];
  for (const t of targets) {
    if (t.kind === 'target') resolved.push(t);
    else for (const g of globalTargets) if (g.kind === 'target') resolved.push(g);
  }
  if (resolved.length === 0) return null;

  const logger = opts.logger ?? createLogger();
  const now = opts.now ?? (() => performance.timeOrigin + performance.now());
  const pid = opts.pid ?? process.pid;
  const hostname = opts.hostname ?? null;
  const max = opts.maxPendingBytes ?? 64 * 1024;
  let dropped = 0;
  let sent = 0;

  const sinks: Sink[] = resolved.map((t) => {
    const warned = new Set<string>();
    const onError = (e: Error): void => {
      const code = (e as NodeJS.ErrnoException).code ?? e.message;
      if (warned.has(code)) return;
      warned.add(code);
      logger.warn(`log ${t.address}: ${e.message}; lines for this target are dropped while it fails`);
    };
    let writer: Writer | null = null;
    switch (t.transport) {
      case 'udp':
        writer = udpWriter(t.host, t.port ?? 514, onError);
        break;
      case 'stdout':
        writer = fdWriter(1, max, onError);
        break;
      case 'stderr':
        writer = fdWriter(2, max, onError);
        break;
      case 'fd':
        writer = fdWriter(Number(t.host), max, onError);
        break;
      case 'unix': {
        // a path that is an existing regular file is a log file, appended to (create it first: a missing path
        // is taken for a socket, as in HAProxy)
        let st: fs.Stats | null = null;
        try {
          st = fs.statSync(t.host);
        } catch {
          st = null;
        }
        if (st !== null && st.isFile()) {
          writer = fileWriter(t.host, max, onError);
          break;
        }
        logger.warn(`log ${t.address}: Node.js cannot open UNIX datagram sockets; lbd connects as a stream socket and drops lines if the path does not accept one`);
        writer = streamWriter(() => net.connect({ path: t.host }), max, onError);
        break;
      }
      case 'tcp':
        writer = streamWriter(() => net.connect({ host: t.host, port: t.port ?? 514 }), max, onError);
        break;
      case 'ring':
        logger.warn(`log ${t.address}: ring buffers are not supported by lbd; lines for this target are dropped`);
        break;
    }
    const level = (l: LogLevel | null, dflt: number): number => (l === null ? dflt : LOG_LEVELS.indexOf(l));
    return {
      target: t,
      facility: Math.max(0, LOG_FACILITIES.indexOf(t.facility)),
      maxLevel: level(t.level, 7),
      minLevel: level(t.minLevel, 0),
      sample: t.sample === null ? null : parseSample(t.sample),
      seen: 0,
      writer,
    };
  });

  let closed = false;
  return {
    emit(line, lvl = 'info') {
      if (closed) return;
      const code = LOG_LEVELS.indexOf(lvl);
      let stamp = -1;
      for (const s of sinks) {
        if (code > s.maxLevel) continue;
        if (s.sample !== null && !s.sample.keep((s.seen++ % s.sample.size) + 1)) continue;
        if (s.writer === null) {
          dropped++;
          continue;
        }
        if (stamp < 0) stamp = now();
        const head = syslogHeader(s.target.format, s.facility, Math.max(code, s.minLevel), stamp, tag, pid, hostname);
        let data = Buffer.from(head + line + '\n');
        if (data.length > s.target.len + 1) {
          data = Buffer.from(data.subarray(0, s.target.len + 1));
          data[s.target.len] = 0x0a;
        }
        if (s.writer.write(data)) sent++;
        else dropped++;
      }
    },
    async close() {
      if (closed) return;
      closed = true;
      await Promise.all(sinks.map((s) => s.writer?.close()));
    },
    get dropped() {
      return dropped;
    },
    get sent() {
      return sent;
    },
  };
}
