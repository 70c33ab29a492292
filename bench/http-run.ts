/**
 * The HTTP-mode section of `make bench`: lbd (`mode http`) beside HAProxy 2.6 (`nbthread 1`), nginx
 * (one worker) and node-http-proxy (keep-alive agent), one peer at a time, on the same backends, with
 * three wrk runs each: keep-alive small responses, keep-alive 1 MiB bodies, and a new client connection
 * per request. Per run: req/s, MiB/s, latency (avg, p50, p99), errors, proxy and backend CPU, and the
 * proxy's RSS sampled every 500 ms (start, max, end, trend). Then the ratios against the targets of
 * issue 5: lbd ≥ 0.5 × HAProxy and ≥ 3 × node-http-proxy in req/s with keep-alive, lbd's p99 ≤ 2 ×
 * HAProxy's, lbd's memory flat under load.
 */
import { textTable } from './table.js';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ALL_HTTP_PEERS, BIG_PATH, httpPeerUnavailable, measuredWrkRun, startHttpBackends, startHttpPeer, type HttpPeerName } from './http-targets.js';
import { removeOnExit, stopProcess } from './procs.js';
import { freePorts, rssKiB, settleTimeWait } from './sys.js';
import type { Backends, Running } from './targets.js';
import { runWrk, type WrkResult } from './wrk.js';

export type HttpRunKind = 'keep-alive' | '1m' | 'close';
export const ALL_HTTP_RUNS: readonly HttpRunKind[] = ['keep-alive', '1m', 'close'];
export const HTTP_RUN_LABEL: Record<HttpRunKind, string> = {
  'keep-alive': 'keep-alive, small responses (`200 ok\\n`)',
  '1m': `keep-alive, 1 MiB bodies (${BIG_PATH})`,
  close: "new connection per request (-H 'Connection: close'), small responses",
};
/** Seconds of keep-alive load before a peer's first measured run (JIT, pools, heaps). */
const WARMUP_S = 2;
const SHORT_LABEL: Record<HttpRunKind, string> = { 'keep-alive': 'keep-alive', '1m': '1 MiB bodies', close: 'new conn/request' };

export interface HttpSectionOptions {
  readonly durationS: number;
  readonly connections: number;
  readonly peers: readonly HttpPeerName[];
  readonly runs: readonly HttpRunKind[];
}

/** The proxy's resident memory over one run, sampled every 500 ms. */
export interface RssSummary {
  readonly startKiB: number | null;
  readonly maxKiB: number | null;
  readonly endKiB: number | null;
  readonly samples: number;
  /** Least-squares slope of the samples, KiB per second (null with fewer than 3 samples). */
  readonly trendKiBPerS: number | null;
  /** The growth over the second half of the run: end minus the sample nearest mid-run (the trend once warmed up). */
  readonly secondHalfKiB: number | null;
}

/** One wrk run through one peer. */
export interface HttpRunResult {
  readonly peer: HttpPeerName;
  readonly run: HttpRunKind;
  readonly wrk: WrkResult | null;
  readonly error: string | null;
  /** CPU of the proxy process during the run, % of one core. */
  readonly cpuPercent: number | null;
  /** CPU of the backend process during the run. */
  readonly backendCpuPercent: number | null;
  readonly rss: RssSummary;
}

export interface HttpReport {
  readonly backend: string;
  readonly durationS: number;
  readonly connections: number;
  readonly skipped: Record<string, string>;
  /** What each peer was (`HAProxy, mode http, nbthread 1…`). */
  readonly peers: Record<string, string>;
  /** Things the reader must know to read the figures (lbd proxying `mode http` as TCP…). */
  readonly notes: string[];
  readonly runs: HttpRunResult[];
  /** Each peer's RSS before its first measured run and after its last. */
  readonly sectionRss: Record<string, { startKiB: number | null; endKiB: number | null }>;
  readonly ratios: Record<string, number | null>;
  readonly verdicts: Record<string, boolean | null>;
}

/** Samples a process's RSS every `everyMs` between start() and stop(). */
export class RssSampler {
  private readonly samples: { t: number; kib: number }[] = [];
  private timer: NodeJS.Timeout | null = null;
  private t0 = 0;
  private startKiB: number | null = null;
  constructor(
    private readonly pid: number,
    private readonly everyMs = 500,
  ) {}
  start(): void {
    this.t0 = Date.now();
    this.startKiB = rssKiB(this.pid);
    if (this.startKiB !== null) this.samples.push({ t: 0, kib: this.startKiB });
    this.timer = setInterval(() => {
      const kib = rssKiB(this.pid);
      if (kib !== null) this.samples.push({ t: (Date.now() - this.t0) / 1000, kib });
    }, this.everyMs);
  }
  stop(): RssSummary {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    const endKiB = rssKiB(this.pid);
    if (endKiB !== null) this.samples.push({ t: (Date.now() - this.t0) / 1000, kib: endKiB });
    const s = this.samples;
    return {
      startKiB: this.startKiB,
      maxKiB: s.length ? Math.max(...s.map((x) => x.kib)) : null,
      endKiB,
      samples: s.length,
      trendKiBPerS: slope(s),
      secondHalfKiB: secondHalf(s),
    };
  }
}

/** End minus the sample nearest the middle of the run. */
function secondHalf(s: readonly { t: number; kib: number }[]): number | null {
  if (s.length < 3) return null;
  const end = s[s.length - 1];
  const mid = s.reduce((best, x) => (Math.abs(x.t - end.t / 2) < Math.abs(best.t - end.t / 2) ? x : best), s[0]);
  return end.kib - mid.kib;
}

/** Least-squares slope of kib over t. */
function slope(s: readonly { t: number; kib: number }[]): number | null {
  if (s.length < 3) return null;
  const n = s.length;
  const mt = s.reduce((a, x) => a + x.t, 0) / n;
  const mk = s.reduce((a, x) => a + x.kib, 0) / n;
  let num = 0;
  let den = 0;
  for (const x of s) {
    num += (x.t - mt) * (x.kib - mk);
    den += (x.t - mt) ** 2;
  }
  return den > 0 ? num / den : null;
}

/**
 * "Memory flat": the run ends within max(2 MiB, 10 %) of where it started, and grows by no more than
 * max(1 MiB, 5 %) over its second half (no growth trend once the run's first allocations are made).
 */
export function rssFlat(r: RssSummary): boolean | null {
  if (r.startKiB === null || r.endKiB === null || r.secondHalfKiB === null) return null;
  return r.endKiB - r.startKiB <= Math.max(2048, r.startKiB * 0.1) && r.secondHalfKiB <= Math.max(1024, r.startKiB * 0.05);
}
const FLAT_RULE = 'end-start <= max(2 MiB, 10%), 2nd half <= max(1 MiB, 5%)';

const ms = (v: number | null | undefined) => (v === null || v === undefined ? 'n/a' : v >= 100 ? `${v.toFixed(0)}ms` : v >= 1 ? `${v.toFixed(2)}ms` : `${(v * 1000).toFixed(0)}us`);
const pct = (v: number | null) => (v === null ? 'n/a' : `${v.toFixed(0)}%`);
const mib = (v: number | null | undefined) => (v === null || v === undefined ? '?' : (v / 1024).toFixed(1));
const mibps = (bytes: number | null | undefined) => (bytes === null || bytes === undefined ? 'n/a' : (bytes / 1024 / 1024).toFixed(1));

/** Measure every selected peer in every selected run on one set of backends. */
export async function runHttpSection(o: HttpSectionOptions, wrk: string, log: (s: string) => void = (s) => console.log(s)): Promise<HttpReport> {
  const skipped: Record<string, string> = {};
  const peersDescribed: Record<string, string> = {};
  const notes: string[] = [];
  const runs: HttpRunResult[] = [];
  const sectionRss: HttpReport['sectionRss'] = {};
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'lbd-bench-http-'));
  removeOnExit(tmp);
  let backends: Backends | null = null;
  try {
    const [b1, b2, proxyPort] = await freePorts(3);
    backends = await startHttpBackends(tmp, [b1, b2]);
    log(`backends: ${backends.describe} on 127.0.0.1:${b1} and :${b2}`);
    log(`load: wrk -t1 -c${o.connections} -d${o.durationS}s --latency --timeout 5s, per peer: ${o.runs.map((r) => SHORT_LABEL[r]).join(', ')}; ${WARMUP_S} s warm-up per peer; RSS sampled every 500 ms\n`);
    if (o.peers.length === 0) log('no HTTP peers selected (--only names none of haproxy, nginx, node-http-proxy, lbd)');
    for (const peer of o.peers) {
      const why = httpPeerUnavailable(peer);
      if (why) {
        skipped[peer] = why;
        log(`${peer}: SKIPPED — ${why}`);
        continue;
      }
      let t: Running;
      try {
        t = await startHttpPeer(peer, tmp, proxyPort, backends.ports);
      } catch (e) {
        skipped[peer] = `did not start: ${e instanceof Error ? e.message : String(e)}`;
        log(`${peer}: SKIPPED — ${skipped[peer]}`);
        continue;
      }
      peersDescribed[peer] = t.describe;
      const base = `http://127.0.0.1:${proxyPort}`;
      try {
        log(`${peer}: ${t.describe} (pid ${t.proc.pid}) on 127.0.0.1:${proxyPort}`);
        await runWrk(wrk, { url: `${base}/`, durationS: WARMUP_S, connections: o.connections, threads: 1, closeEach: false }).catch(() => null);
        if (peer === 'lbd' && /proxied as TCP/i.test(t.proc.tail())) {
          const note = "lbd said `mode http traffic is proxied as TCP` (its HTTP engine has not landed): lbd's figures below are TCP-mode forwarding of HTTP traffic, not HTTP-mode proxying.";
          notes.push(note);
          log(`  NOTE: ${note}`);
        }
        if (peer === 'lbd' || peer === 'haproxy') {
          // the config is meant to be clean for both: any warning is worth seeing beside the figures
          for (const w of t.proc.tail().split('\n').filter((l) => /\[(WARNING|ALERT)\]/.test(l) && !/proxied as TCP/i.test(l)).slice(0, 5)) {
            notes.push(`${peer}: ${w.trim()}`);
            log(`  ${peer} warned: ${w.trim()}`);
          }
        }
        const firstRss = rssKiB(t.proc.pid);
        for (const run of o.runs) {
          // every peer starts each run with the same (near-empty) loopback TIME_WAIT table
          const settled = await settleTimeWait();
          if (settled.waitedMs > 1500) log(`  (waited ${(settled.waitedMs / 1000).toFixed(0)} s for loopback TIME_WAIT sockets to clear: ${settled.left ?? '?'} left)`);
          const rss = new RssSampler(t.proc.pid);
          rss.start();
          const { wrk: res, error, cpuPercent, backendCpuPercent } = await measuredWrkRun(wrk, t, backends, base, run, o);
          const rssSummary = rss.stop();
          runs.push({ peer, run, wrk: res, error, cpuPercent, backendCpuPercent, rss: rssSummary });
          log(
            `  ${SHORT_LABEL[run].padEnd(17)} ${
              res
                ? `${res.rps.toFixed(0).padStart(7)} req/s ${mibps(res.bytesPerSec).padStart(7)} MiB/s  p50 ${ms(res.p50Ms)}  p99 ${ms(res.p99Ms)}  CPU ${pct(cpuPercent)}  RSS ${mib(rssSummary.startKiB)}→${mib(rssSummary.endKiB)} MiB${res.errors ? `  ERRORS: ${res.errorText}` : ''}${error ? `  ${error}` : ''}`
                : `FAILED: ${error}`
            }`,
          );
          if (t.proc.done) break;
        }
        sectionRss[peer] = { startKiB: firstRss, endKiB: rssKiB(t.proc.pid) };
      } finally {
        await stopProcess(t.proc);
      }
    }
  } finally {
    if (backends) await stopProcess(backends.proc);
    rmSync(tmp, { recursive: true, force: true });
  }
  const { ratios, verdicts } = computeRatios(runs);
  return { backend: backends?.describe ?? 'n/a', durationS: o.durationS, connections: o.connections, skipped, peers: peersDescribed, notes, runs, sectionRss, ratios, verdicts };
}

function find(runs: readonly HttpRunResult[], peer: HttpPeerName, run: HttpRunKind): HttpRunResult | undefined {
  return runs.find((r) => r.peer === peer && r.run === run);
}

function rpsRatio(runs: readonly HttpRunResult[], a: HttpPeerName, b: HttpPeerName, run: HttpRunKind): number | null {
  const ra = find(runs, a, run)?.wrk?.rps;
  const rb = find(runs, b, run)?.wrk?.rps;
  return ra && rb ? ra / rb : null;
}

function p99Ratio(runs: readonly HttpRunResult[], a: HttpPeerName, b: HttpPeerName, run: HttpRunKind): number | null {
  const ra = find(runs, a, run)?.wrk?.p99Ms;
  const rb = find(runs, b, run)?.wrk?.p99Ms;
  return ra && rb ? ra / rb : null;
}

/** Every ratio (keyed for the JSON) and the verdicts on issue 5's targets. */
export function computeRatios(runs: readonly HttpRunResult[]): { ratios: Record<string, number | null>; verdicts: Record<string, boolean | null> } {
  const ratios: Record<string, number | null> = {};
  for (const run of ALL_HTTP_RUNS) {
    for (const other of ['haproxy', 'nginx', 'node-http-proxy'] as const) {
      ratios[`lbd/${other} req/s ${run}`] = rpsRatio(runs, 'lbd', other, run);
      ratios[`lbd/${other} p99 ${run}`] = p99Ratio(runs, 'lbd', other, run);
    }
  }
  const ge = (v: number | null, t: number) => (v === null ? null : v >= t);
  const le = (v: number | null, t: number) => (v === null ? null : v <= t);
  const verdicts: Record<string, boolean | null> = {
    'lbd/haproxy req/s keep-alive >= 0.5': ge(ratios['lbd/haproxy req/s keep-alive'], 0.5),
    'lbd/node-http-proxy req/s keep-alive >= 3': ge(ratios['lbd/node-http-proxy req/s keep-alive'], 3),
    'lbd p99 <= 2 x haproxy p99, keep-alive': le(ratios['lbd/haproxy p99 keep-alive'], 2),
  };
  for (const run of ALL_HTTP_RUNS) {
    const r = find(runs, 'lbd', run);
    if (r) verdicts[`lbd RSS flat, ${run}`] = rssFlat(r.rss);
  }
  return { ratios, verdicts };
}

/** The tables (one per run kind), the errors, and the ratios with their targets, as printed. */
export function formatHttpReport(rep: HttpReport): string {
  const out: string[] = [];
  const head = ['peer', 'req/s', 'MiB/s', 'avg', 'p50', 'p99', 'errors', 'CPU proxy', 'CPU backend', 'RSS MiB start/max/end', 'RSS 2nd half', 'RSS trend'];
  const right = new Set([1, 2, 3, 4, 5, 6, 7, 8, 10, 11]);
  for (const run of ALL_HTTP_RUNS) {
    const rs = rep.runs.filter((r) => r.run === run);
    if (!rs.length) continue;
    out.push(`-- ${HTTP_RUN_LABEL[run]} --`);
    const rows = rs.map((r) => [
      r.peer,
      r.wrk ? r.wrk.rps.toFixed(0) : 'failed',
      mibps(r.wrk?.bytesPerSec),
      ms(r.wrk?.latencyAvgMs),
      ms(r.wrk?.p50Ms),
      ms(r.wrk?.p99Ms),
      r.wrk ? `${r.wrk.errors}` : '-',
      pct(r.cpuPercent),
      pct(r.backendCpuPercent),
      `${mib(r.rss.startKiB)}/${mib(r.rss.maxKiB)}/${mib(r.rss.endKiB)}`,
      r.rss.secondHalfKiB === null ? 'n/a' : `${r.rss.secondHalfKiB >= 0 ? '+' : ''}${mib(r.rss.secondHalfKiB)} MiB`,
      r.rss.trendKiBPerS === null ? 'n/a' : `${r.rss.trendKiBPerS >= 0 ? '+' : ''}${((r.rss.trendKiBPerS * 60) / 1024).toFixed(1)} MiB/min`,
    ]);
    out.push(...textTable(head, rows, (i) => !right.has(i)));
    const errs = rs.filter((r) => r.wrk?.errorText || r.error).map((r) => `  ${r.peer}: ${[r.wrk?.errorText, r.error].filter(Boolean).join('; ')}`);
    if (errs.length) out.push('errors:', ...errs);
    out.push('');
  }
  const rssPeers = Object.entries(rep.sectionRss);
  if (rssPeers.length) out.push(`RSS over all runs (before the first → after the last): ${rssPeers.map(([p, v]) => `${p} ${mib(v.startKiB)}→${mib(v.endKiB)} MiB`).join(', ')}`, '');
  for (const [p, why] of Object.entries(rep.skipped)) out.push(`skipped: ${p} — ${why}`);
  for (const n of rep.notes) out.push(`NOTE: ${n}`);
  if (Object.keys(rep.skipped).length || rep.notes.length) out.push('');

  if (!rep.runs.length) {
    out.push('no HTTP runs measured: no ratios');
    return out.join('\n');
  }
  const missing = (['lbd', 'haproxy', 'node-http-proxy'] as const).filter((p) => !rep.runs.some((r) => r.peer === p && r.run === 'keep-alive' && r.wrk));
  const mark = (ok: boolean | null) => (ok === null ? `? (n/a: no keep-alive figure for ${missing.join(', ') || 'a peer'})` : ok ? '✓' : '✗');
  const x = (v: number | null) => (v === null ? 'n/a' : `${v.toFixed(2)} x`);
  const row = (label: string, value: string, tail = '') => out.push(`${label.padEnd(46)} ${value.padStart(9)}${tail}`);
  out.push('targets (issue 5):');
  const v = rep.verdicts;
  row('lbd / HAProxy req/s, keep-alive', x(rep.ratios['lbd/haproxy req/s keep-alive']), `   target >= 0.5   ${mark(v['lbd/haproxy req/s keep-alive >= 0.5'])}`);
  row('lbd / node-http-proxy req/s, keep-alive', x(rep.ratios['lbd/node-http-proxy req/s keep-alive']), `   target >= 3     ${mark(v['lbd/node-http-proxy req/s keep-alive >= 3'])}`);
  row('lbd p99 / HAProxy p99, keep-alive', x(rep.ratios['lbd/haproxy p99 keep-alive']), `   target <= 2     ${mark(v['lbd p99 <= 2 x haproxy p99, keep-alive'])}`);
  for (const run of ALL_HTTP_RUNS) {
    const r = rep.runs.find((y) => y.peer === 'lbd' && y.run === run);
    if (!r) continue;
    const growth = r.rss.startKiB !== null && r.rss.endKiB !== null ? r.rss.endKiB - r.rss.startKiB : null;
    const growthText = growth === null ? 'n/a' : `${growth >= 0 ? '+' : ''}${mib(growth)} MiB`;
    const half = r.rss.secondHalfKiB === null ? 'n/a' : `${r.rss.secondHalfKiB >= 0 ? '+' : ''}${mib(r.rss.secondHalfKiB)} MiB`;
    const flat = v[`lbd RSS flat, ${run}`];
    row(`lbd RSS growth, ${SHORT_LABEL[run]}`, growthText, ` (2nd half ${half})   flat: ${FLAT_RULE}   ${flat === null ? '? (n/a: no RSS samples)' : flat ? '✓' : '✗'}`);
  }
  out.push('', 'for information:');
  for (const run of ALL_HTTP_RUNS) {
    if (!rep.runs.some((r) => r.run === run)) continue;
    const parts = (['haproxy', 'nginx', 'node-http-proxy'] as const).map((o) => `${o === 'haproxy' ? 'HAProxy' : o} ${x(rep.ratios[`lbd/${o} req/s ${run}`])}`);
    out.push(`${`lbd / peer req/s, ${SHORT_LABEL[run]}`.padEnd(46)} ${parts.join(', ')}`);
    const p99s = (['haproxy', 'nginx', 'node-http-proxy'] as const).map((o) => `${o === 'haproxy' ? 'HAProxy' : o} ${x(rep.ratios[`lbd/${o} p99 ${run}`])}`);
    out.push(`${`lbd p99 / peer p99, ${SHORT_LABEL[run]}`.padEnd(46)} ${p99s.join(', ')}`);
  }
  return out.join('\n');
}

export { ALL_HTTP_PEERS };
export type { HttpPeerName };
