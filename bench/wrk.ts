/**
 * Runs wrk against a URL and parses its report (Requests/sec, latency average and percentiles
 * from `--latency`, errors).
 */
import { startProcess, stopProcess } from './procs.js';

export interface WrkOptions {
  readonly url: string;
  readonly durationS: number;
  readonly connections: number;
  readonly threads: number;
  /** Send `Connection: close` so that every request uses a new connection. */
  readonly closeEach: boolean;
}

/** What one wrk run measured. Latencies are in milliseconds. */
export interface WrkResult {
  readonly requests: number;
  readonly rps: number;
  readonly latencyAvgMs: number | null;
  readonly p50Ms: number | null;
  readonly p75Ms: number | null;
  readonly p90Ms: number | null;
  readonly p99Ms: number | null;
  /** Response bytes per second (wrk's `Transfer/sec`, binary units: 1 KB = 1024 B), or null if absent. */
  readonly bytesPerSec: number | null;
  /** Socket errors (connect + read + write + timeout) plus non-2xx/3xx responses. */
  readonly errors: number;
  readonly errorText: string;
}

const UNIT_MS: Record<string, number> = { us: 0.001, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** A wrk duration such as `421.00us`, `1.23ms`, `2.01s` in milliseconds. */
export function parseDuration(text: string): number | null {
  const m = /^([\d.]+)(us|ms|s|m|h)$/.exec(text.trim());
  if (!m) return null;
  return Number(m[1]) * UNIT_MS[m[2]];
}

const UNIT_BYTES: Record<string, number> = { B: 1, KB: 1024, MB: 1024 ** 2, GB: 1024 ** 3, TB: 1024 ** 4 };

/** A wrk byte count such as `12.34MB` in bytes (wrk's units are binary). */
export function parseBytes(text: string): number | null {
  const m = /^([\d.]+)(B|KB|MB|GB|TB)$/.exec(text.trim());
  return m ? Number(m[1]) * UNIT_BYTES[m[2]] : null;
}

/** Parse wrk's text report (run with `--latency`). */
export function parseWrk(out: string): WrkResult {
  const num = (re: RegExp) => {
    const m = re.exec(out);
    return m ? Number(m[1]) : null;
  };
  const dur = (re: RegExp) => {
    const m = re.exec(out);
    return m ? parseDuration(m[1]) : null;
  };
  const sock = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(out);
  const non2xx = num(/Non-2xx or 3xx responses: (\d+)/) ?? 0;
  const sockErrors = sock ? sock.slice(1, 5).reduce((a, b) => a + Number(b), 0) : 0;
  const parts: string[] = [];
  if (sock && sockErrors > 0) parts.push(`socket errors c/r/w/t ${sock.slice(1, 5).join('/')}`);
  if (non2xx > 0) parts.push(`${non2xx} non-2xx/3xx`);
  return {
    requests: num(/(\d+) requests in /) ?? 0,
    rps: num(/Requests\/sec:\s+([\d.]+)/) ?? 0,
    latencyAvgMs: dur(/^\s*Latency\s+(\S+)/m),
    p50Ms: dur(/^\s*50%\s+(\S+)/m),
    p75Ms: dur(/^\s*75%\s+(\S+)/m),
    p90Ms: dur(/^\s*90%\s+(\S+)/m),
    p99Ms: dur(/^\s*99%\s+(\S+)/m),
    bytesPerSec: (() => {
      const m = /Transfer\/sec:\s+(\S+)/.exec(out);
      return m ? parseBytes(m[1]) : null;
    })(),
    errors: sockErrors + non2xx,
    errorText: parts.join(', '),
  };
}

/** Run wrk once; throws with wrk's output when it fails or prints nothing usable. */
export async function runWrk(wrkPath: string, o: WrkOptions): Promise<WrkResult> {
  const args = [`-t${o.threads}`, `-c${o.connections}`, `-d${o.durationS}s`, '--latency', '--timeout', '5s'];
  if (o.closeEach) args.push('-H', 'Connection: close');
  args.push(o.url);
  const p = startProcess('wrk', wrkPath, args);
  const guard = setTimeout(() => void stopProcess(p, 1000), (o.durationS + 15) * 1000);
  const code = await p.exited;
  clearTimeout(guard);
  const out = p.tail();
  const r = parseWrk(out);
  if (code !== 0 || !/Requests\/sec/.test(out)) throw new Error(`wrk exited with ${code}:\n${out.trim()}`);
  return r;
}
