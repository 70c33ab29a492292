/**
 * What the HTTP/2 section of `make bench` starts and runs: HAProxy 2.6 (`nbthread 1`) and lbd, both
 * `mode http` on the HTTP section's config with two listeners in the one frontend — `bind … proto h2`
 * (h2c, prior knowledge) and `bind … ssl crt <pem> alpn h2,http/1.1` (h2 over TLS) — and h2load
 * (nghttp2-client) as the load generator, with its report parsed.
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { httpProxyConfig } from './http-targets.js';
import { startProcess, stopProcess } from './procs.js';
import { cpuSeconds, waitForPort, which } from './sys.js';
import { LBD_BIN, startListening, unavailable as tcpUnavailable, type Running } from './targets.js';
import { lbdArgv } from '../shared/lbd-command.js';

export type H2PeerName = 'haproxy' | 'lbd';
export const ALL_H2_PEERS: readonly H2PeerName[] = ['haproxy', 'lbd'];

/** Why an HTTP/2 peer cannot run here, or null when it can. */
export function h2PeerUnavailable(peer: H2PeerName): string | null {
  return tcpUnavailable(peer);
}

/** Why the section cannot run at all (no h2load), or null. */
export function h2ToolUnavailable(): string | null {
  return which('h2load') ? null : 'h2load not installed (Debian package `nghttp2-client`): no HTTP/2 load generator, HTTP/2 section skipped';
}

/**
 * The HTTP section's `mode http` config with its one bind line replaced by an h2c listener on `h2cPort`
 * and, when `crt` is given, an h2-over-TLS listener on `tlsPort` (ALPN h2, then http/1.1).
 */
export function h2ProxyConfig(h2cPort: number, tlsPort: number | null, crt: string | null, backendPorts: readonly number[], globalExtra: readonly string[] = []): string {
  const plain = httpProxyConfig(h2cPort, backendPorts, globalExtra);
  const bind = `    bind 127.0.0.1:${h2cPort}\n`;
  if (!plain.includes(bind)) throw new Error('h2ProxyConfig: the HTTP config has no bind line to replace');
  const binds = [`    bind 127.0.0.1:${h2cPort} proto h2\n`];
  if (tlsPort !== null && crt !== null) binds.push(`    bind 127.0.0.1:${tlsPort} ssl crt ${crt} alpn h2,http/1.1\n`);
  return plain.replace(bind, binds.join('')).replace('bench/http-targets.ts', 'bench/h2-targets.ts');
}

/** A started HTTP/2 peer: its h2c port, and its TLS port when it has one. */
export interface H2Running extends Running {
  readonly tlsPort: number | null;
}

/** Start one peer with its h2c listener (and TLS listener when `crt`), waiting until both accept. */
export async function startH2Peer(peer: H2PeerName, tmp: string, h2cPort: number, tlsPort: number | null, crt: string | null, backendPorts: readonly number[]): Promise<H2Running> {
  const withTls = tlsPort !== null && crt !== null;
  const what = `mode http, bind proto h2${withTls ? ' + bind ssl crt (ECDSA P-256) alpn h2,http/1.1' : ''}`;
  let r: Running;
  if (peer === 'haproxy') {
    const haproxy = which('haproxy') as string;
    const cfg = path.join(tmp, 'haproxy-h2.cfg');
    writeFileSync(cfg, h2ProxyConfig(h2cPort, tlsPort, crt, backendPorts, ['nbthread 1', `stats socket ${tmp}/haproxy-h2.sock mode 600 level admin`]));
    r = await startListening('haproxy', haproxy, ['-db', '-f', cfg], h2cPort, `HAProxy, nbthread 1, ${what}, http-reuse safe`);
  } else {
    const cfg = path.join(tmp, 'lbd-h2.cfg');
    // its own admin socket in the temp dir, not the default /run/lbd/admin.sock another lbd may hold
    writeFileSync(cfg, h2ProxyConfig(h2cPort, tlsPort, crt, backendPorts, [`stats socket ${tmp}/lbd-h2.sock mode 600 level admin`]));
    r = await startListening('lbd', process.execPath, [...lbdArgv(LBD_BIN), '-f', cfg], h2cPort, `lbd, ${what}, http-reuse safe, no checks`);
  }
  if (withTls) {
    try {
      await waitForPort(tlsPort, 10_000, () => (r.proc.done ? `${peer} exited` : null));
    } catch (e) {
      await stopProcess(r.proc, 500);
      throw new Error(`${peer}: its TLS listener on 127.0.0.1:${tlsPort} did not accept: ${e instanceof Error ? e.message : String(e)}\n${r.proc.tail().trim()}`);
    }
  }
  return { ...r, tlsPort: withTls ? tlsPort : null };
}

/** What h2load reports at the end of a run. */
export interface H2loadResult {
  /** `Application protocol:` (h2c, h2, http/1.1…), null when none was negotiated. */
  readonly protocol: string | null;
  readonly finishedS: number;
  readonly rps: number;
  readonly total: number;
  readonly succeeded: number;
  readonly failed: number;
  readonly errored: number;
  readonly timeout: number;
  readonly status2xx: number;
  readonly status3xx: number;
  readonly status4xx: number;
  readonly status5xx: number;
  readonly trafficBytes: number;
  readonly dataBytes: number;
  /** Mean of `time for request`, ms. */
  readonly meanMs: number | null;
  /** Max of `time for request`, ms. */
  readonly maxMs: number | null;
}

/** h2load's durations: `68us`, `16.13ms`, `1.2s`. */
function durationMs(text: string): number | null {
  const m = /^([\d.]+)(us|ms|s)$/.exec(text);
  if (!m) return null;
  const v = Number(m[1]);
  return m[2] === 'us' ? v / 1000 : m[2] === 'ms' ? v : v * 1000;
}

/** Parse h2load's report; null when the summary is missing (h2load died or was killed). */
export function parseH2load(out: string): H2loadResult | null {
  const fin = /^finished in ([\d.]+)(ms|s), ([\d.]+) req\/s/m.exec(out);
  const req = /^requests: (\d+) total, (\d+) started, (\d+) done, (\d+) succeeded, (\d+) failed, (\d+) errored, (\d+) timeout/m.exec(out);
  const st = /^status codes: (\d+) 2xx, (\d+) 3xx, (\d+) 4xx, (\d+) 5xx/m.exec(out);
  if (!fin || !req || !st) return null;
  const traffic = /^traffic: .*?\((\d+)\) total, .*?\((\d+)\) headers .*?\((\d+)\) data/m.exec(out);
  const tfr = /^time for request:\s+(\S+)\s+(\S+)\s+(\S+)/m.exec(out);
  const proto = /^Application protocol: (\S+)/m.exec(out);
  return {
    protocol: proto ? proto[1] : null,
    finishedS: Number(fin[1]) / (fin[2] === 'ms' ? 1000 : 1),
    rps: Number(fin[3]),
    total: Number(req[1]),
    succeeded: Number(req[4]),
    failed: Number(req[5]),
    errored: Number(req[6]),
    timeout: Number(req[7]),
    status2xx: Number(st[1]),
    status3xx: Number(st[2]),
    status4xx: Number(st[3]),
    status5xx: Number(st[4]),
    trafficBytes: traffic ? Number(traffic[1]) : 0,
    dataBytes: traffic ? Number(traffic[3]) : 0,
    meanMs: tfr ? durationMs(tfr[3]) : null,
    maxMs: tfr ? durationMs(tfr[2]) : null,
  };
}

/** One h2load run's load: `-c clients -m streams -n requests`. */
export interface H2loadLoad {
  readonly clients: number;
  readonly streams: number;
  readonly requests: number;
}

/**
 * Run h2load once (one thread), killed after `limitS` seconds. Resolves with the parsed report, or
 * with why there is none (timed out, or h2load's own error), and h2load's own CPU-seconds: sampled from
 * /proc every 100 ms while it runs (the last sample before it exits, so up to 100 ms short).
 */
export async function runH2load(h2load: string, url: string, load: H2loadLoad, limitS: number): Promise<{ result: H2loadResult | null; error: string | null; wallS: number; clientCpuS: number | null }> {
  const args = ['-t', '1', '-c', String(load.clients), '-m', String(load.streams), '-n', String(load.requests), url];
  const t0 = process.hrtime.bigint();
  const p = startProcess('h2load', h2load, args);
  const chunks: string[] = [];
  p.child.stdout?.on('data', (d: Buffer) => chunks.push(d.toString('utf8')));
  let clientCpuS: number | null = null;
  const sampler = setInterval(() => {
    const c = cpuSeconds(p.pid);
    if (c !== null) clientCpuS = c;
  }, 100);
  let timedOut = false;
  const guard = setTimeout(() => {
    timedOut = true;
    void stopProcess(p, 1000);
  }, limitS * 1000);
  const code = await p.exited;
  clearTimeout(guard);
  clearInterval(sampler);
  const wallS = Number(process.hrtime.bigint() - t0) / 1e9;
  if (timedOut) return { result: null, error: `h2load did not finish ${load.requests} requests in ${limitS} s (killed)`, wallS, clientCpuS };
  const result = parseH2load(chunks.join(''));
  if (!result) return { result: null, error: `h2load exited with ${code} and no report:\n${p.tail().trim().split('\n').slice(-6).join('\n')}`, wallS, clientCpuS };
  return { result, error: null, wallS, clientCpuS };
}
