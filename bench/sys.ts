/**
 * Small system helpers for the benchmark: finding programs and free ports, waiting for a port to
 * accept, and reading a process's CPU time and memory from /proc.
 */
import { execFileSync } from 'node:child_process';
import { accessSync, constants, readFileSync, realpathSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

/** Full path of `prog` found on PATH (or the given absolute path if executable), else null. */
export function which(prog: string): string | null {
  const candidates = prog.includes('/') ? [prog] : (process.env.PATH ?? '').split(':').concat(['/usr/sbin', '/sbin']).map((d) => path.join(d, prog));
  for (const c of candidates) {
    try {
      accessSync(c, constants.X_OK);
      return c;
    } catch {
      /* next */
    }
  }
  return null;
}

/** A port on 127.0.0.1 nobody listens on right now (the kernel picks it). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const addr = s.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      s.close(() => resolve(port));
    });
  });
}

/** `n` distinct free ports. */
export async function freePorts(n: number): Promise<number[]> {
  const out = new Set<number>();
  while (out.size < n) out.add(await freePort());
  return [...out];
}

/** True when something accepts a TCP connection on host:port. */
export function canConnect(port: number, host = '127.0.0.1', timeoutMs = 500): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect({ port, host });
    const done = (ok: boolean) => {
      s.destroy();
      resolve(ok);
    };
    s.setTimeout(timeoutMs, () => done(false));
    s.once('connect', () => done(true));
    s.once('error', () => done(false));
  });
}

/**
 * Wait until host:port accepts connections, or throw after `timeoutMs`.
 * `gone` lets the caller abort early when the process that should listen has exited.
 */
export async function waitForPort(port: number, timeoutMs: number, gone: () => string | null = () => null, host = '127.0.0.1'): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const why = gone();
    if (why) throw new Error(why);
    if (await canConnect(port, host)) return;
    if (Date.now() > deadline) throw new Error(`nothing listens on ${host}:${port} after ${timeoutMs} ms`);
    await sleep(50);
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

let clkTck: number | null = null;
/** Clock ticks per second of /proc/<pid>/stat times (`getconf CLK_TCK`, 100 on Linux in practice). */
export function clockTicks(): number {
  if (clkTck !== null) return clkTck;
  try {
    clkTck = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  } catch {
    clkTck = 100;
  }
  return clkTck;
}

/** User + system CPU time of a process in seconds (children not included), or null if it is gone. */
export function cpuSeconds(pid: number): number | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may contain spaces and parentheses: fields are counted after the last ')'.
    const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // rest[0] is field 3 (state); utime is field 14, stime field 15.
    const utime = Number(rest[11]);
    const stime = Number(rest[12]);
    return (utime + stime) / clockTicks();
  } catch {
    return null;
  }
}

/** Resident set size of a process in KiB (`VmRSS`), or null if it is gone. */
export function rssKiB(pid: number): number | null {
  try {
    const m = /^VmRSS:\s+(\d+)\s+kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) : null;
  } catch {
    return null;
  }
}

/** Measures a process's CPU use between `start()` and `stop()` as a percentage of one core. */
export class CpuMeter {
  private cpu0 = 0;
  private t0 = 0n;
  constructor(private readonly pid: number) {}
  start(): void {
    this.cpu0 = cpuSeconds(this.pid) ?? 0;
    this.t0 = process.hrtime.bigint();
  }
  /** Percent of one core used since start(); null if the process vanished. */
  stop(): number | null {
    const cpu1 = cpuSeconds(this.pid);
    if (cpu1 === null) return null;
    const wall = Number(process.hrtime.bigint() - this.t0) / 1e9;
    return wall > 0 ? ((cpu1 - this.cpu0) / wall) * 100 : null;
  }
}

/** The number of CPUs and the 1-minute load average, for the report header (numbers are noisy on a busy machine). */
export function machineNote(): string {
  try {
    const load = readFileSync('/proc/loadavg', 'utf8').split(' ')[0];
    const cpus = execFileSync('nproc', { encoding: 'utf8' }).trim();
    return `${cpus} CPU(s), load average ${load} before the run`;
  } catch {
    return '';
  }
}

/** True when the module at `metaUrl` is the script Node was started with (`node dist/bench/x.js`). */
export function isMain(metaUrl: string): boolean {
  const argv1 = process.argv[1];
  if (!argv1) return false;
  try {
    return pathToFileURL(realpathSync(argv1)).href === metaUrl;
  } catch {
    return pathToFileURL(argv1).href === metaUrl;
  }
}

/** The hard limit on open files for processes we start (`ulimit -Hn`), or null if unknown. */
export function hardFdLimit(): number | null {
  try {
    const m = /^Max open files\s+\S+\s+(\S+)/m.exec(readFileSync('/proc/self/limits', 'utf8'));
    if (!m) return null;
    return m[1] === 'unlimited' ? null : Number(m[1]);
  } catch {
    return null;
  }
}

/**
 * The `maxconn` both proxies get: 10,000, or less when the hard file limit cannot hold two sockets per
 * connection (HAProxy refuses to start when it cannot raise its FD limit to about 2 × maxconn).
 */
export function benchMaxconn(wanted = 10_000): number {
  const hard = hardFdLimit();
  if (hard === null) return wanted;
  return Math.max(100, Math.min(wanted, Math.floor((hard - 200) / 2)));
}

/** Loopback TCP sockets in TIME_WAIT (IPv4 and IPv6), from /proc/net/tcp*; null where /proc is not there. */
export function timeWaitCount(): number | null {
  let n = 0;
  let seen = false;
  for (const f of ['/proc/net/tcp', '/proc/net/tcp6']) {
    let text: string;
    try {
      text = readFileSync(f, 'utf8');
    } catch {
      continue;
    }
    seen = true;
    // `sl local rem st ...`: trim first, the slot number is right-aligned (no leading space from 10000 on)
    for (const line of text.split('\n').slice(1)) if (line.trim().split(/\s+/)[3] === '06') n++;
  }
  return seen ? n : null;
}

/**
 * Wait (at most `maxMs`) until fewer than `below` sockets are in TIME_WAIT. A run with a new connection
 * per request leaves tens of thousands behind for 60 s, and they slow connect() for whatever runs next:
 * without this wait the targets measured later in a run would be handicapped.
 */
export async function settleTimeWait(below = 2000, maxMs = 150_000): Promise<{ waitedMs: number; left: number | null }> {
  const t0 = Date.now();
  let left = timeWaitCount();
  while (left !== null && left >= below && Date.now() - t0 < maxMs) {
    await sleep(1000);
    left = timeWaitCount();
  }
  return { waitedMs: Date.now() - t0, left };
}

/** The median of `xs` (the mean of the middle two for an even count), or null when empty. */
export function median(xs: readonly number[]): number | null {
  if (xs.length === 0) return null;
  const v = [...xs].sort((a, b) => a - b);
  const m = v.length >> 1;
  return v.length % 2 ? v[m]! : (v[m - 1]! + v[m]!) / 2;
}

/** Busy and total jiffies of the whole machine, from /proc/stat's `cpu` line. */
export function machineJiffies(): { busy: number; total: number } | null {
  try {
    const f = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
    const total = f.slice(0, 8).reduce((a, b) => a + b, 0);
    const idle = (f[3] ?? 0) + (f[4] ?? 0);
    return { busy: total - idle, total };
  } catch {
    return null;
  }
}
