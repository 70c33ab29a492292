/**
 * `make bench`: lbd beside HAProxy 2.6 and a bare Node pipe proxy, in TCP mode, on the same
 * backends (nginx, or a Node server when nginx is missing), loaded with wrk; then lbd in HTTP mode
 * beside HAProxy, nginx and node-http-proxy (bench/http-run.ts); then the health-check cost with
 * 1,000 servers (bench/checks.ts); then lbd terminating TLS beside HAProxy: handshakes/s with ECDSA and RSA
 * certificates, HTTPS requests and 1 MiB bodies (bench/tls-run.ts); then lbd speaking HTTP/2 to clients beside
 * HAProxy: h2c and h2 over TLS with h2load, small responses and 1 MiB bodies (bench/h2-run.ts).
 *
 *   node dist/bench/run.js [--duration 5] [--only lbd,haproxy,pipe,nginx,node-http-proxy] [--connections 50]
 *                          [--json [file]] [--checks-only | --no-checks] [--checks-haproxy]
 *                          [--http-only | --no-http | --no-tcp] [--http-runs keep-alive,1m,close]
 *                          [--tls-only | --no-tls] [--tls-clients 2] [--h2-only | --no-h2] [--h2-reps 3]
 *
 * Performance is measured, not assumed: every figure printed comes from this run on this machine.
 * Peers that are not installed are skipped with the reason; nothing started outlives the run.
 */
import { textTable } from './table.js';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DEFAULT_CHECKS, runChecksBench, type ChecksResult } from './checks.js';
import { ALL_H2_PEERS, formatH2Report, runH2Section, type H2PeerName, type H2Report } from './h2-run.js';
import { ALL_HTTP_PEERS, ALL_HTTP_RUNS, formatHttpReport, runHttpSection, type HttpPeerName, type HttpReport, type HttpRunKind } from './http-run.js';
import { removeOnExit, stopAll, stopProcess } from './procs.js';
import { ALL_TLS_PEERS, formatTlsReport, runTlsSection, type TlsPeerName, type TlsReport } from './tls-run.js';
import { benchMaxconn, clockTicks, hardFdLimit, freePorts, isMain, machineNote, median, rssKiB, settleTimeWait, which } from './sys.js';
import { measuredWrkRun } from './http-targets.js';
import { ALL_TARGETS, startBackends, startTarget, unavailable, type Backends, type Running, type TargetName } from './targets.js';
import { runWrk, type WrkResult } from './wrk.js';

export interface BenchOptions {
  readonly durationS: number;
  /** TCP-section targets (the TCP names in `--only`). */
  readonly only: readonly TargetName[];
  /** HTTP-section peers (the HTTP names in `--only`). */
  readonly httpPeers: readonly HttpPeerName[];
  readonly httpRuns: readonly HttpRunKind[];
  /** TLS-section peers (lbd, haproxy in `--only`). */
  readonly tlsPeers: readonly TlsPeerName[];
  /** Parallel `openssl s_time` clients per handshake run. */
  readonly tlsClients: number;
  /** HTTP/2-section peers (lbd, haproxy in `--only`). */
  readonly h2Peers: readonly H2PeerName[];
  /** Repetitions of each HTTP/2 run per peer. */
  readonly h2Reps: number;
  /** Repetitions of the TCP-mode runs, targets alternating; ratios are of medians. */
  readonly tcpReps: number;
  readonly connections: number;
  readonly json: string | null;
  /** The TCP-mode throughput section. */
  readonly throughput: boolean;
  /** The HTTP-mode section. */
  readonly http: boolean;
  /** The TLS section. */
  readonly tls: boolean;
  /** The HTTP/2 section. */
  readonly h2: boolean;
  readonly checks: boolean;
  readonly checksHaproxy: boolean;
}

type LoadMode = 'keep-alive' | 'close';
const MODES: readonly LoadMode[] = ['keep-alive', 'close'];
const MODE_LABEL: Record<LoadMode, string> = { 'keep-alive': 'keep-alive', close: 'new conn/request' };

/** One wrk run through one target. */
export interface RunResult {
  readonly target: TargetName;
  readonly mode: LoadMode;
  /** Which repetition (1-based). */
  readonly rep: number;
  readonly wrk: WrkResult | null;
  readonly error: string | null;
  /** CPU of the proxy process during the run, % of one core. */
  readonly cpuPercent: number | null;
  /** CPU of the backend process during the run (to see when the backend, not the proxy, is the limit). */
  readonly backendCpuPercent: number | null;
  readonly rssStartKiB: number | null;
  readonly rssEndKiB: number | null;
}

export interface BenchReport {
  readonly date: string;
  readonly machine: string;
  readonly backend: string;
  readonly durationS: number;
  readonly connections: number;
  readonly skipped: Record<string, string>;
  readonly runs: RunResult[];
  readonly ratios: Record<string, number | null>;
  readonly http: HttpReport | null;
  readonly tls: TlsReport | null;
  readonly h2: H2Report | null;
  readonly checks: ChecksResult[];
}

const USAGE = `usage: node dist/bench/run.js [options]
  --duration <s>         seconds per wrk run (default 5)
  --only <list>          proxies among lbd,haproxy,pipe (TCP section) and lbd,haproxy,nginx,node-http-proxy
                         (HTTP section); each section runs the ones it knows (default all)
  --connections <n>      wrk connections (default 50)
  --json [file]          also write the results as JSON (default file: /tmp/lbd-bench-<time>.json)
  --http-only            only the HTTP-mode section (no TCP throughput, no health checks)
  --no-http              skip the HTTP-mode section
  --no-tcp               skip the TCP-mode throughput section
  --http-runs <list>     HTTP runs among keep-alive,1m,close (default all)
  --tls-only             only the TLS section (handshakes/s, HTTPS requests; lbd and haproxy)
  --no-tls               skip the TLS section
  --tls-clients <n>      parallel openssl s_time clients per handshake run (default 2)
  --h2-only              only the HTTP/2 section (h2load, h2c and h2 over TLS; lbd and haproxy)
  --no-h2                skip the HTTP/2 section
  --h2-reps <n>          repetitions of each HTTP/2 run per peer, peers alternating (default 3)
  --tcp-reps <n>         repetitions of the TCP-mode runs, targets alternating, ratios of medians (default 5)
  --checks-only          only the health-check benchmark (1,000 servers)
  --no-checks            skip the health-check benchmark
  --checks-haproxy       also run the health-check benchmark on HAProxy, for reference`;

/** A repetition count option: 1 to 20. */
function repetitions(flag: string, v: string): number {
  const n = Math.max(1, Math.min(20, Math.round(Number(v))));
  if (!Number.isFinite(n)) throw new Error(`${flag} must be a number`);
  return n;
}

export function parseArgs(argv: readonly string[]): BenchOptions {
  let durationS = 5;
  let only: TargetName[] = [...ALL_TARGETS];
  let httpPeers: HttpPeerName[] = [...ALL_HTTP_PEERS];
  let httpRuns: HttpRunKind[] = [...ALL_HTTP_RUNS];
  let http = true;
  let tls = true;
  let tlsPeers: TlsPeerName[] = [...ALL_TLS_PEERS];
  let tlsClients = 2;
  let h2 = true;
  let h2Peers: H2PeerName[] = [...ALL_H2_PEERS];
  let h2Reps = 3;
  let tcpReps = 5;
  let connections = 50;
  let json: string | null = null;
  let throughput = true;
  let checks = true;
  let checksHaproxy = false;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const [flag, inline] = a.includes('=') ? [a.slice(0, a.indexOf('=')), a.slice(a.indexOf('=') + 1)] : [a, undefined];
    const value = (): string => {
      const v = inline ?? argv[++i];
      if (v === undefined) throw new Error(`${flag} needs a value\n${USAGE}`);
      return v;
    };
    switch (flag) {
      case '--duration':
        durationS = Math.max(1, Math.round(Number(value())));
        if (!Number.isFinite(durationS)) throw new Error('--duration must be a number of seconds');
        break;
      case '--only': {
        const names = value().split(',').map((s) => s.trim()).filter(Boolean);
        const known = [...new Set<string>([...ALL_TARGETS, ...ALL_HTTP_PEERS, ...ALL_TLS_PEERS, ...ALL_H2_PEERS])];
        const bad = names.filter((n) => !known.includes(n));
        if (bad.length) throw new Error(`--only: unknown target(s) ${bad.join(', ')} (known: ${known.join(', ')})`);
        only = ALL_TARGETS.filter((n) => names.includes(n));
        httpPeers = ALL_HTTP_PEERS.filter((n) => names.includes(n));
        tlsPeers = ALL_TLS_PEERS.filter((n) => names.includes(n));
        h2Peers = ALL_H2_PEERS.filter((n) => names.includes(n));
        break;
      }
      case '--http-runs': {
        const names = value().split(',').map((s) => s.trim()).filter(Boolean);
        const bad = names.filter((n) => !(ALL_HTTP_RUNS as readonly string[]).includes(n));
        if (bad.length || !names.length) throw new Error(`--http-runs: unknown run(s) ${bad.join(', ')} (known: ${ALL_HTTP_RUNS.join(', ')})`);
        httpRuns = ALL_HTTP_RUNS.filter((n) => names.includes(n));
        break;
      }
      case '--http-only':
        throughput = false;
        checks = false;
        tls = false;
        h2 = false;
        http = true;
        break;
      case '--tls-only':
        throughput = false;
        checks = false;
        http = false;
        h2 = false;
        tls = true;
        break;
      case '--h2-only':
        throughput = false;
        checks = false;
        http = false;
        tls = false;
        h2 = true;
        break;
      case '--no-h2':
        h2 = false;
        break;
      case '--tcp-reps':
        tcpReps = repetitions(a, value());
        break;
      case '--h2-reps':
        h2Reps = repetitions(a, value());
        break;
      case '--no-tls':
        tls = false;
        break;
      case '--tls-clients':
        tlsClients = Math.max(1, Math.min(16, Math.round(Number(value()))));
        if (!Number.isFinite(tlsClients)) throw new Error('--tls-clients must be a number');
        break;
      case '--no-http':
        http = false;
        break;
      case '--no-tcp':
        throughput = false;
        break;
      case '--connections':
        connections = Math.max(1, Number(value()));
        break;
      case '--json':
        json = inline ?? (argv[i + 1] && !argv[i + 1].startsWith('--') ? argv[++i] : path.join(os.tmpdir(), `lbd-bench-${new Date().toISOString().replace(/[:.]/g, '-')}.json`));
        break;
      case '--checks-only':
        throughput = false;
        http = false;
        tls = false;
        h2 = false;
        checks = true;
        break;
      case '--no-checks':
        checks = false;
        break;
      case '--checks-haproxy':
        checksHaproxy = true;
        break;
      case '-h':
      case '--help':
        console.log(USAGE);
        process.exit(0);
        break;
      default:
        throw new Error(`unknown option ${a}\n${USAGE}`);
    }
  }
  return { durationS, only, httpPeers, httpRuns, tlsPeers, tlsClients, h2Peers, h2Reps, tcpReps, connections, json, throughput, http, tls, h2, checks, checksHaproxy };
}

function firstLine(cmd: string, args: string[]): string {
  // nginx -v writes to stderr, wrk -v exits 1: take the first non-empty line of either stream.
  const r = spawnSync(cmd, args, { encoding: 'utf8' });
  return `${r.stdout ?? ''}\n${r.stderr ?? ''}`.split('\n').map((l) => l.trim()).find(Boolean) ?? `${cmd}: no version`;
}

const ms = (v: number | null | undefined) => (v === null || v === undefined ? 'n/a' : v >= 100 ? `${v.toFixed(0)}ms` : v >= 1 ? `${v.toFixed(2)}ms` : `${(v * 1000).toFixed(0)}us`);
const pct = (v: number | null) => (v === null ? 'n/a' : `${v.toFixed(0)}%`);
const mib = (v: number | null) => (v === null ? '?' : (v / 1024).toFixed(1));

/** Measure every selected target in both load modes on one set of backends. */
async function runThroughput(o: BenchOptions, wrk: string, skipped: Record<string, string>, log: (s: string) => void): Promise<{ backend: string; runs: RunResult[] }> {
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'lbd-bench-'));
  removeOnExit(tmp);
  const runs: RunResult[] = [];
  let backends: Backends | null = null;
  try {
    const [b1, b2, ...proxyPorts] = await freePorts(2 + o.only.length);
    backends = await startBackends(tmp, [b1, b2]);
    log(`backends: ${backends.describe} on 127.0.0.1:${b1} and :${b2}`);
    log(`load: wrk -t1 -c${o.connections} -d${o.durationS}s --latency (keep-alive), then the same with -H 'Connection: close'; ${o.tcpReps} repetition(s), targets alternating (the order rotates each repetition); each target warmed up first with 1 s of each load\n`);
    const live: { target: TargetName; t: Running; base: string }[] = [];
    try {
      for (const [i, target] of o.only.entries()) {
        const why = unavailable(target);
        if (why) {
          skipped[target] = why;
          log(`${target}: SKIPPED — ${why}`);
          continue;
        }
        try {
          const t = await startTarget(target, tmp, proxyPorts[i]!, backends.ports);
          live.push({ target, t, base: `http://127.0.0.1:${proxyPorts[i]}` });
          log(`${target}: ${t.describe} (pid ${t.proc.pid}) on 127.0.0.1:${proxyPorts[i]}`);
        } catch (e) {
          skipped[target] = `did not start: ${e instanceof Error ? e.message : String(e)}`;
          log(`${target}: SKIPPED — ${skipped[target]}`);
        }
      }
      // warm-up: V8 compiles the accept/connect/close path too, not only the keep-alive one
      for (const l of live) {
        await runWrk(wrk, { url: `${l.base}/`, durationS: 1, connections: o.connections, threads: 1, closeEach: false }).catch(() => null);
        await runWrk(wrk, { url: `${l.base}/`, durationS: 1, connections: o.connections, threads: 1, closeEach: true }).catch(() => null);
      }
      for (let rep = 1; rep <= o.tcpReps && live.length > 0; rep++) {
        if (o.tcpReps > 1) log(`-- repetition ${rep} of ${o.tcpReps}`);
        const shift = (rep - 1) % live.length;
        for (const l of [...live.slice(shift), ...live.slice(0, shift)]) {
          if (l.t.proc.done) continue;
          log(`${l.target}:`);
          for (const mode of MODES) {
            // every new-connection run starts with the same (near-empty) loopback TIME_WAIT table
            if (mode === 'close') {
              const settled = await settleTimeWait();
              if (settled.waitedMs > 1500) log(`  (waited ${(settled.waitedMs / 1000).toFixed(0)} s for loopback TIME_WAIT sockets to clear: ${settled.left ?? '?'} left)`);
            }
            const r = await oneRun(o, wrk, l, backends, mode, rep);
            runs.push(r);
            const res = r.wrk;
            log(`  ${MODE_LABEL[mode].padEnd(17)} ${res ? `${res.rps.toFixed(0).padStart(7)} req/s  p50 ${ms(res.p50Ms)}  p99 ${ms(res.p99Ms)}  CPU ${pct(r.cpuPercent)}` : `FAILED: ${r.error}`}`);
            if (l.t.proc.done) break;
          }
        }
      }
    } finally {
      for (const l of live) await stopProcess(l.t.proc);
    }
    return { backend: backends.describe, runs };
  } finally {
    if (backends) await stopProcess(backends.proc);
    rmSync(tmp, { recursive: true, force: true });
  }
}

/** One wrk run through a running target (measuredWrkRun), with the proxy's RSS before and after. */
async function oneRun(o: BenchOptions, wrk: string, l: { target: TargetName; t: Running; base: string }, backends: Backends, mode: LoadMode, rep: number): Promise<RunResult> {
  const rssStart = rssKiB(l.t.proc.pid);
  const m = await measuredWrkRun(wrk, l.t, backends, l.base, mode, o);
  return { target: l.target, mode, rep, ...m, rssStartKiB: rssStart, rssEndKiB: rssKiB(l.t.proc.pid) };
}

/** Requests/s of every successful run of a target in a mode. */
function rpsOf(runs: readonly RunResult[], t: TargetName, mode: LoadMode): number[] {
  return runs.filter((r) => r.target === t && r.mode === mode && r.wrk).map((r) => r.wrk!.rps);
}

/** Ratio of the medians of a's and b's runs. */
function ratio(runs: readonly RunResult[], a: TargetName, b: TargetName, mode: LoadMode): number | null {
  const ra = median(rpsOf(runs, a, mode));
  const rb = median(rpsOf(runs, b, mode));
  return ra && rb ? ra / rb : null;
}

/** The lowest and highest ratio of a's and b's runs of the same repetition. */
function ratioRange(runs: readonly RunResult[], a: TargetName, b: TargetName, mode: LoadMode): [number, number] | null {
  const rs: number[] = [];
  for (const ra of runs) {
    if (ra.target !== a || ra.mode !== mode || !ra.wrk) continue;
    const rb = runs.find((r) => r.target === b && r.mode === mode && r.rep === ra.rep && r.wrk);
    if (rb) rs.push(ra.wrk.rps / rb.wrk!.rps);
  }
  return rs.length ? [Math.min(...rs), Math.max(...rs)] : null;
}

/** The table and the ratios, as printed at the end. */
export function formatReport(runs: readonly RunResult[]): string {
  const head = ['target', 'mode', 'rep', 'req/s', 'avg', 'p50', 'p99', 'errors', 'CPU proxy', 'CPU backend', 'RSS MiB start→end'];
  const sorted = [...runs].sort((a, b) => a.target.localeCompare(b.target) || MODES.indexOf(a.mode) - MODES.indexOf(b.mode) || a.rep - b.rep);
  const rows = sorted.map((r) => [
    r.target,
    MODE_LABEL[r.mode],
    String(r.rep),
    r.wrk ? r.wrk.rps.toFixed(0) : 'failed',
    ms(r.wrk?.latencyAvgMs),
    ms(r.wrk?.p50Ms),
    ms(r.wrk?.p99Ms),
    r.wrk ? (r.wrk.errors ? `${r.wrk.errors}` : '0') : '-',
    pct(r.cpuPercent),
    pct(r.backendCpuPercent),
    `${mib(r.rssStartKiB)}→${mib(r.rssEndKiB)}`,
  ]);
  const right = new Set([2, 3, 4, 5, 6, 7, 8, 9]);
  const out = textTable(head, rows, (i) => !right.has(i));
  const targets = [...new Set(runs.map((r) => r.target))];
  const reps = Math.max(0, ...runs.map((r) => r.rep));
  if (reps > 1) {
    const med: string[][] = [];
    for (const t of targets) {
      for (const mode of MODES) {
        const xs = rpsOf(runs, t, mode);
        if (xs.length) med.push([t, MODE_LABEL[mode], String(xs.length), median(xs)!.toFixed(0), `${Math.min(...xs).toFixed(0)}–${Math.max(...xs).toFixed(0)}`]);
      }
    }
    out.push('', ...textTable(['target', 'mode', 'runs', 'median req/s', 'range'], med, (i) => i < 2));
  }
  const errs = runs.filter((r) => r.wrk?.errorText).map((r) => `  ${r.target} ${MODE_LABEL[r.mode]}: ${r.wrk?.errorText}`);
  if (errs.length) out.push('', 'errors reported by wrk:', ...errs);
  out.push('');
  const show = (label: string, v: number | null, target?: number) => {
    const verdict = target === undefined || v === null ? '' : v >= target ? `  (target >= ${target.toFixed(1)}) OK` : `  (target >= ${target.toFixed(1)}) BELOW TARGET`;
    out.push(`${label.padEnd(40)} ${v === null ? 'n/a' : `${v.toFixed(2)} x`}${verdict}`);
  };
  const range = (mode: LoadMode) => {
    const r = ratioRange(runs, 'lbd', 'haproxy', mode);
    if (r && reps > 1) out.push(`${''.padEnd(40)}   (per repetition ${r[0].toFixed(2)}–${r[1].toFixed(2)})`);
  };
  if (reps > 1) out.push(`ratios of the medians of ${reps} runs:`);
  show('lbd / HAProxy, keep-alive', ratio(runs, 'lbd', 'haproxy', 'keep-alive'), 0.8);
  range('keep-alive');
  show('lbd / HAProxy, new conn per request', ratio(runs, 'lbd', 'haproxy', 'close'), 0.6);
  range('close');
  show('lbd / pipe proxy, keep-alive', ratio(runs, 'lbd', 'pipe', 'keep-alive'));
  show('lbd / pipe proxy, new conn per request', ratio(runs, 'lbd', 'pipe', 'close'));
  show('pipe proxy / HAProxy, keep-alive', ratio(runs, 'pipe', 'haproxy', 'keep-alive'));
  show('pipe proxy / HAProxy, new conn', ratio(runs, 'pipe', 'haproxy', 'close'));
  return out.join('\n');
}

/** Run the whole benchmark; resolves with the report. */
export async function runBench(o: BenchOptions, log: (s: string) => void = (s) => console.log(s)): Promise<BenchReport> {
  const skipped: Record<string, string> = {};
  const machine = machineNote();
  log(`lbd benchmark — ${new Date().toISOString()} — ${machine}, CLK_TCK ${clockTicks()}`);
  log('CPU is % of one core (from /proc/<pid>/stat); wrk, the proxy and the backend share the machine, so numbers are noisy when other work runs.');
  const haproxy = which('haproxy');
  log(`versions: node ${process.version}; ${haproxy ? firstLine(haproxy, ['-v']) : 'haproxy: not installed'}; ${which('nginx') ? firstLine('nginx', ['-v']) : 'nginx: not installed'}; ${which('wrk') ? firstLine('wrk', ['-v']) : 'wrk: not installed'}`);
  let backend = 'n/a';
  let runs: RunResult[] = [];
  if (o.throughput) {
    log('\n== Throughput, TCP mode ==');
    const maxconn = benchMaxconn();
    if (maxconn < 10_000) log(`maxconn ${maxconn} for HAProxy and lbd (not 10000): the hard open-files limit here is ${hardFdLimit()}, and HAProxy needs about 2 FDs per connection.`);
    const wrk = which('wrk');
    if (!wrk) {
      skipped.throughput = 'wrk not installed (Debian package `wrk`): no load generator, throughput skipped';
      log(`SKIPPED — ${skipped.throughput}`);
    } else {
      ({ backend, runs } = await runThroughput(o, wrk, skipped, log));
      log('\n' + formatReport(runs));
    }
  }
  let http: HttpReport | null = null;
  if (o.http) {
    log('\n== HTTP mode: lbd beside HAProxy, nginx and node-http-proxy ==');
    const wrk = which('wrk');
    if (!wrk) {
      skipped.http = 'wrk not installed (Debian package `wrk`): no load generator, HTTP section skipped';
      log(`SKIPPED — ${skipped.http}`);
    } else {
      http = await runHttpSection({ durationS: o.durationS, connections: o.connections, peers: o.httpPeers, runs: o.httpRuns }, wrk, log);
      log('\n' + formatHttpReport(http));
    }
  }
  let tls: TlsReport | null = null;
  if (o.tls) {
    log('\n== TLS: lbd beside HAProxy, both terminating TLS (mode http, bind ssl crt) ==');
    tls = await runTlsSection({ durationS: o.durationS, connections: o.connections, peers: o.tlsPeers, clients: o.tlsClients }, which('wrk'), log);
    log('\n' + formatTlsReport(tls));
  }
  let h2: H2Report | null = null;
  if (o.h2) {
    log('\n== HTTP/2: lbd beside HAProxy, h2c (bind proto h2) and h2 over TLS (bind ssl crt alpn h2,http/1.1), h2load ==');
    h2 = await runH2Section({ peers: o.h2Peers, reps: o.h2Reps }, log);
    log('\n' + formatH2Report(h2));
  }
  let checks: ChecksResult[] = [];
  if (o.checks) checks = await runChecksBench({ ...DEFAULT_CHECKS, withHaproxy: o.checksHaproxy }, log);
  const report: BenchReport = {
    date: new Date().toISOString(),
    machine,
    backend,
    durationS: o.durationS,
    connections: o.connections,
    skipped,
    runs,
    ratios: {
      lbdOverHaproxyKeepAlive: ratio(runs, 'lbd', 'haproxy', 'keep-alive'),
      lbdOverHaproxyClose: ratio(runs, 'lbd', 'haproxy', 'close'),
      lbdOverPipeKeepAlive: ratio(runs, 'lbd', 'pipe', 'keep-alive'),
      lbdOverPipeClose: ratio(runs, 'lbd', 'pipe', 'close'),
    },
    http,
    tls,
    h2,
    checks,
  };
  if (o.json) {
    writeFileSync(o.json, JSON.stringify(report, null, 2) + '\n');
    log(`\nresults written to ${o.json}`);
  }
  return report;
}

if (isMain(import.meta.url)) {
  try {
    await runBench(parseArgs(process.argv.slice(2)));
  } catch (e) {
    console.error(e instanceof Error ? e.message : e);
    process.exitCode = 1;
  } finally {
    await stopAll();
  }
}
