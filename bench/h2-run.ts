/**
 * The HTTP/2 section of `make bench`: lbd beside HAProxy 2.6 (`nbthread 1`), both `mode http` with an
 * h2c listener (`bind … proto h2`) and an h2-over-TLS one (`bind … ssl crt <pem> alpn h2,http/1.1`, ECDSA
 * P-256), on the HTTP section's backends (two nginx ports, round robin, `200 ok\n` and `/1m`), loaded with
 * h2load (nghttp2-client).
 *
 * Runs (each an h2load `-n N` run; N is picked from HAProxy's warm-up rate so a run lasts ~3 s at HAProxy's
 * speed, and every run is killed past a time limit):
 *   - h2c, small responses: `-c 4 -m 100` (many streams over few connections) and `-c 32 -m 10`;
 *   - h2 over TLS (ALPN h2), the same two loads;
 *   - h2c, 1 MiB bodies (`/1m`): `-c 4 -m 4`.
 * Both peers run side by side (different ports; the idle one costs nothing) and take turns: every run kind is
 * repeated (3 times by default) with the peers' order alternating, and the table shows each peer's median and
 * range. A repetition whose requests did not all succeed with a 2xx, or that negotiated another protocol than
 * h2/h2c, is an error, not a figure. Per repetition: req/s, MiB/s, mean request time, the proxy's CPU (%) and
 * CPU-seconds per 100k requests (per GiB for the 1 MiB run), the backend's CPU.
 * Target (the HTTP/2 issue): lbd ≥ 0.5 × HAProxy in req/s, on every small-response run.
 */
import { textTable } from './table.js';
import os from 'node:os';
import path from 'node:path';
import { ALL_H2_PEERS, h2PeerUnavailable, h2ToolUnavailable, runH2load, startH2Peer, type H2loadResult, type H2PeerName, type H2Running } from './h2-targets.js';
import { BIG_BODY_BYTES, BIG_PATH, startHttpBackends } from './http-targets.js';
import { removeOnExit, stopProcess } from './procs.js';
import { mkdtempSync, rmSync } from 'node:fs';
import { cpuSeconds, freePorts, machineJiffies, median, rssKiB, settleTimeWait, which } from './sys.js';
import type { Backends } from './targets.js';
import { makeCert, tlsToolsUnavailable } from './tls-targets.js';

export { ALL_H2_PEERS, type H2PeerName };

export type H2RunKind = 'h2c-c4-m100' | 'h2c-c32-m10' | 'tls-c4-m100' | 'tls-c32-m10' | 'h2c-1m';
export const ALL_H2_RUNS: readonly H2RunKind[] = ['h2c-c4-m100', 'h2c-c32-m10', 'tls-c4-m100', 'tls-c32-m10', 'h2c-1m'];

interface RunSpec {
  readonly tls: boolean;
  readonly clients: number;
  readonly streams: number;
  readonly big: boolean;
  /** Requests of the warm-up run (whose rate picks N). */
  readonly warmup: number;
  /** Bounds on N. */
  readonly minN: number;
  readonly maxN: number;
  readonly label: string;
}
const SPEC: Record<H2RunKind, RunSpec> = {
  'h2c-c4-m100': { tls: false, clients: 4, streams: 100, big: false, warmup: 30_000, minN: 20_000, maxN: 1_000_000, label: 'h2c, -c 4 -m 100, small responses (`200 ok\\n`)' },
  'h2c-c32-m10': { tls: false, clients: 32, streams: 10, big: false, warmup: 30_000, minN: 20_000, maxN: 1_000_000, label: 'h2c, -c 32 -m 10, small responses' },
  'tls-c4-m100': { tls: true, clients: 4, streams: 100, big: false, warmup: 30_000, minN: 20_000, maxN: 1_000_000, label: 'h2 over TLS (ALPN h2, ECDSA P-256), -c 4 -m 100, small responses' },
  'tls-c32-m10': { tls: true, clients: 32, streams: 10, big: false, warmup: 30_000, minN: 20_000, maxN: 1_000_000, label: 'h2 over TLS (ALPN h2, ECDSA P-256), -c 32 -m 10, small responses' },
  'h2c-1m': { tls: false, clients: 4, streams: 4, big: true, warmup: 100, minN: 400, maxN: 20_000, label: `h2c, -c 4 -m 4, 1 MiB bodies (${BIG_PATH})` },
};
const SHORT: Record<H2RunKind, string> = {
  'h2c-c4-m100': 'h2c -c4 -m100',
  'h2c-c32-m10': 'h2c -c32 -m10',
  'tls-c4-m100': 'TLS -c4 -m100',
  'tls-c32-m10': 'TLS -c32 -m10',
  'h2c-1m': 'h2c 1 MiB -c4 -m4',
};
/** Seconds a run lasts at the calibrating peer's (HAProxy's) warm-up rate. */
const RUN_S = 3;
/** A run is killed after max(MIN_LIMIT_S, LIMIT_FACTOR × its expected time at HAProxy's rate). */
const MIN_LIMIT_S = 20;
const LIMIT_FACTOR = 10;
/** Time limit of a warm-up run; a peer whose warm-up does not finish in it is not measured in that run kind. */
const WARMUP_LIMIT_S = 20;
/** The target: lbd / HAProxy req/s on the small-response runs. */
export const H2_TARGET = 0.5;

export interface H2SectionOptions {
  readonly peers: readonly H2PeerName[];
  /** Repetitions of each run kind per peer (peers alternate). */
  readonly reps: number;
}

/** One h2load run against one peer. */
export interface H2Rep {
  readonly peer: H2PeerName;
  readonly run: H2RunKind;
  readonly rep: number;
  readonly requests: number;
  readonly h2load: H2loadResult | null;
  /** Why the repetition is not a figure (h2load failed, errors or non-2xx, wrong protocol, proxy died), or null. */
  readonly error: string | null;
  readonly rps: number | null;
  readonly mibPerS: number | null;
  /** Proxy CPU-seconds during the run. */
  readonly cpuS: number | null;
  readonly cpuPercent: number | null;
  readonly backendCpuPercent: number | null;
  /** h2load's own CPU, % of one core (h2load is one thread: near 100 % means the client was the limit). */
  readonly clientCpuPercent: number | null;
  /** The whole machine's CPU, % of all cores (beyond proxy + backend + h2load: other work on the machine). */
  readonly machinePercent: number | null;
  readonly rssEndKiB: number | null;
}

/** One peer's repetitions of one run kind, summarised. */
export interface H2Summary {
  readonly peer: H2PeerName;
  readonly run: H2RunKind;
  readonly ok: number;
  readonly reps: number;
  readonly rpsMedian: number | null;
  readonly rpsMin: number | null;
  readonly rpsMax: number | null;
  readonly mibPerSMedian: number | null;
  readonly meanMsMedian: number | null;
  readonly cpuPercentMedian: number | null;
  /** Proxy CPU-seconds per 100k requests (small runs) or per GiB (1 MiB run), median. */
  readonly cpuPerUnitMedian: number | null;
  readonly backendCpuPercentMedian: number | null;
  readonly clientCpuPercentMedian: number | null;
  readonly machinePercentMedian: number | null;
}

export interface H2Report {
  readonly backend: string;
  readonly reps: number;
  readonly skipped: Record<string, string>;
  readonly peers: Record<string, string>;
  readonly notes: string[];
  /** N per run kind (requests per h2load run). */
  readonly requests: Partial<Record<H2RunKind, number>>;
  readonly repsDone: H2Rep[];
  readonly summaries: H2Summary[];
  readonly ratios: Record<string, number | null>;
  readonly verdicts: Record<string, boolean | null>;
}

/** N for a run kind: `RUN_S` seconds at `rps`, rounded to 2 significant digits, within the kind's bounds. */
function pickN(spec: RunSpec, rps: number | null): number {
  if (!rps || !Number.isFinite(rps)) return spec.big ? spec.minN : 250_000;
  const raw = rps * RUN_S;
  const mag = 10 ** Math.max(0, Math.floor(Math.log10(raw)) - 1);
  return Math.min(spec.maxN, Math.max(spec.minN, Math.round(raw / mag) * mag));
}

/** Why an h2load result is not a clean figure, or null. */
function judge(r: H2loadResult, spec: RunSpec, requested: number): string | null {
  const problems: string[] = [];
  const want = spec.tls ? 'h2' : 'h2c';
  if (r.protocol !== want) problems.push(`negotiated ${r.protocol ?? 'no application protocol'}, not ${want}`);
  if (r.succeeded < requested || r.failed || r.errored || r.timeout) problems.push(`${r.succeeded} of ${requested} succeeded (${r.failed} failed, ${r.errored} errored, ${r.timeout} timeout)`);
  if (r.status2xx < requested) problems.push(`status codes: ${r.status2xx} 2xx, ${r.status3xx} 3xx, ${r.status4xx} 4xx, ${r.status5xx} 5xx`);
  if (spec.big && r.status2xx > 0 && r.dataBytes / r.status2xx < BIG_BODY_BYTES * 0.9) problems.push(`responses average ${(r.dataBytes / r.status2xx).toFixed(0)} bytes, not ~1 MiB`);
  return problems.length ? problems.join('; ') : null;
}

const pct = (v: number | null | undefined) => (v === null || v === undefined ? 'n/a' : `${v.toFixed(0)}%`);
const ms = (v: number | null | undefined) => (v === null || v === undefined ? 'n/a' : v >= 100 ? `${v.toFixed(0)}ms` : v >= 1 ? `${v.toFixed(2)}ms` : `${(v * 1000).toFixed(0)}us`);
const num = (v: number | null | undefined, d = 0) => (v === null || v === undefined ? 'n/a' : v.toFixed(d));

/** One measured h2load run against a peer: CPU from /proc before and after, the result judged. */
async function measure(h2load: string, t: H2Running, backends: Backends, run: H2RunKind, rep: number, requests: number, limitS: number): Promise<H2Rep> {
  const spec = SPEC[run];
  const url = `${spec.tls ? 'https' : 'http'}://127.0.0.1:${spec.tls ? t.tlsPort : t.port}${spec.big ? BIG_PATH : '/'}`;
  const cpu0 = cpuSeconds(t.proc.pid);
  const bcpu0 = cpuSeconds(backends.proc.pid);
  const j0 = machineJiffies();
  const t0 = process.hrtime.bigint();
  const { result, error: runError, clientCpuS } = await runH2load(h2load, url, { clients: spec.clients, streams: spec.streams, requests }, limitS);
  const wallS = Number(process.hrtime.bigint() - t0) / 1e9;
  const cpu1 = cpuSeconds(t.proc.pid);
  const bcpu1 = cpuSeconds(backends.proc.pid);
  const j1 = machineJiffies();
  const cpuS = cpu0 !== null && cpu1 !== null ? cpu1 - cpu0 : null;
  let error = runError ?? (result ? judge(result, spec, requests) : null);
  if (t.proc.done) error = (error ? `${error}; ` : '') + `${t.name} exited:\n${t.proc.tail().trim()}`;
  const ok = result !== null && error === null;
  return {
    peer: t.name as H2PeerName,
    run,
    rep,
    requests,
    h2load: result,
    error,
    rps: ok ? result.rps : null,
    mibPerS: ok && result.finishedS > 0 ? result.trafficBytes / result.finishedS / 1024 / 1024 : null,
    cpuS,
    cpuPercent: cpuS !== null && wallS > 0 ? (cpuS / wallS) * 100 : null,
    backendCpuPercent: bcpu0 !== null && bcpu1 !== null && wallS > 0 ? ((bcpu1 - bcpu0) / wallS) * 100 : null,
    clientCpuPercent: clientCpuS !== null && wallS > 0 ? (clientCpuS / wallS) * 100 : null,
    machinePercent: j0 && j1 && j1.total > j0.total ? ((j1.busy - j0.busy) / (j1.total - j0.total)) * 100 : null,
    rssEndKiB: rssKiB(t.proc.pid),
  };
}

/** CPU-seconds per 100k requests, or per GiB received for the 1 MiB run. */
function cpuPerUnit(r: H2Rep): number | null {
  if (r.cpuS === null || !r.h2load || r.error) return null;
  if (SPEC[r.run].big) return r.h2load.trafficBytes > 0 ? r.cpuS / (r.h2load.trafficBytes / 2 ** 30) : null;
  return r.h2load.succeeded > 0 ? (r.cpuS / r.h2load.succeeded) * 100_000 : null;
}

function repLine(r: H2Rep): string {
  const head = `  ${SHORT[r.run].padEnd(18)} #${r.rep + 1} ${r.peer.padEnd(7)}`;
  if (r.rps === null) return `${head} FAILED: ${r.error}`;
  const unit = SPEC[r.run].big ? 'CPU-s/GiB' : 'CPU-s/100k';
  return `${head} ${num(r.rps).padStart(7)} req/s ${num(r.mibPerS, 1).padStart(7)} MiB/s  mean ${ms(r.h2load?.meanMs)}  CPU proxy ${pct(r.cpuPercent)}  ${num(cpuPerUnit(r), 2)} ${unit}  backend ${pct(r.backendCpuPercent)}  h2load ${pct(r.clientCpuPercent)}  machine ${pct(r.machinePercent)}`;
}

/** Measure both peers, alternating, in every run kind; resolves with the report. */
export async function runH2Section(o: H2SectionOptions, log: (s: string) => void = (s) => console.log(s)): Promise<H2Report> {
  const skipped: Record<string, string> = {};
  const peersDescribed: Record<string, string> = {};
  const notes: string[] = [];
  const requests: Partial<Record<H2RunKind, number>> = {};
  const repsDone: H2Rep[] = [];
  let backendDescribe = 'n/a';
  const report = (): H2Report => {
    const summaries = summarise(repsDone, o.reps);
    const { ratios, verdicts } = computeH2Ratios(summaries);
    return { backend: backendDescribe, reps: o.reps, skipped, peers: peersDescribed, notes, requests, repsDone, summaries, ratios, verdicts };
  };
  const noTool = h2ToolUnavailable();
  if (noTool) {
    skipped.h2 = noTool;
    log(`SKIPPED — ${noTool}`);
    return report();
  }
  const h2load = which('h2load') as string;
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'lbd-bench-h2-'));
  removeOnExit(tmp);
  let backends: Backends | null = null;
  const running: H2Running[] = [];
  try {
    let crt: string | null = null;
    const noOpenssl = tlsToolsUnavailable();
    if (noOpenssl) {
      skipped.tls = `${noOpenssl}: no h2-over-TLS runs`;
      log(`NOTE: ${skipped.tls}`);
    } else {
      crt = makeCert(tmp, 'ecdsa');
    }
    const runs = ALL_H2_RUNS.filter((r) => crt !== null || !SPEC[r].tls);
    const [b1, b2] = await freePorts(2);
    backends = await startHttpBackends(tmp, [b1, b2]);
    backendDescribe = backends.describe;
    log(`backends: ${backends.describe} on 127.0.0.1:${b1} and :${b2}${crt ? '; certificate: ECDSA P-256 (self-signed, openssl req)' : ''}`);
    log(`load: h2load -t1 -c <c> -m <m> -n <N>: ${runs.map((r) => SHORT[r]).join(', ')}; N from HAProxy's warm-up rate (~${RUN_S} s per run at its speed);`);
    log(`      ${o.reps} repetitions per peer, peers alternating; a run is killed after max(${MIN_LIMIT_S} s, ${LIMIT_FACTOR} x its expected time)\n`);
    const settled = await settleTimeWait();
    if (settled.waitedMs > 1500) log(`(waited ${(settled.waitedMs / 1000).toFixed(0)} s for loopback TIME_WAIT sockets to clear: ${settled.left ?? '?'} left)`);
    if (o.peers.length === 0) log('no HTTP/2 peers selected (--only names neither haproxy nor lbd)');
    for (const peer of o.peers) {
      const why = h2PeerUnavailable(peer);
      if (why) {
        skipped[peer] = why;
        log(`${peer}: SKIPPED — ${why}`);
        continue;
      }
      const [h2cPort, tlsPort] = await freePorts(2);
      try {
        const t = await startH2Peer(peer, tmp, h2cPort, crt ? tlsPort : null, crt, backends.ports);
        running.push(t);
        peersDescribed[peer] = t.describe;
        log(`${peer}: ${t.describe} (pid ${t.proc.pid}) — h2c on 127.0.0.1:${t.port}${t.tlsPort ? `, TLS on :${t.tlsPort}` : ''}`);
      } catch (e) {
        skipped[peer] = `did not start: ${e instanceof Error ? e.message : String(e)}`;
        log(`${peer}: SKIPPED — ${skipped[peer]}`);
      }
    }
    // a peer that says anything at startup (a keyword it ignores…) gets the line shown beside the figures
    await new Promise((r) => setTimeout(r, 300));
    for (const t of running) {
      for (const w of t.proc.tail().split('\n').filter((l) => /\[(WARNING|ALERT)\]/.test(l)).slice(0, 5)) {
        notes.push(`${t.name}: ${w.trim()}`);
        log(`  ${t.name} warned: ${w.trim()}`);
      }
    }
    // the peer whose warm-up rate sizes the runs: HAProxy when it runs
    const calibrator = running.find((t) => t.name === 'haproxy') ?? running[0];
    for (const run of runs) {
      if (!running.length) break;
      const spec = SPEC[run];
      log(`\n${spec.label}`);
      let calibRps: number | null = null;
      const stalled = new Set<H2Running>();
      for (const t of running) {
        if (t.proc.done) continue;
        const w = await measure(h2load, t, backends, run, -1, spec.warmup, WARMUP_LIMIT_S);
        if (t === calibrator) calibRps = w.rps;
        log(`  warm-up ${t.name.padEnd(7)} ${spec.warmup} requests: ${w.rps !== null ? `${num(w.rps)} req/s` : `FAILED: ${w.error}`}`);
        if (w.h2load === null && w.error && /did not finish/.test(w.error)) {
          // a peer that cannot finish the warm-up would only time out o.reps more times: one failed entry instead
          stalled.add(t);
          repsDone.push({ ...w, rep: 0, error: `warm-up (${spec.warmup} requests) did not finish in ${WARMUP_LIMIT_S} s: not measured in this run` });
        }
      }
      const n = pickN(spec, calibRps);
      requests[run] = n;
      const expectedS = calibRps ? n / calibRps : RUN_S;
      const limitS = Math.ceil(Math.max(MIN_LIMIT_S, LIMIT_FACTOR * expectedS));
      log(`  N = ${n} requests per run${calibRps ? ` (~${expectedS.toFixed(1)} s at ${calibrator.name}'s warm-up rate)` : " (no warm-up rate: the default)"}; limit ${limitS} s`);
      for (let rep = 0; rep < o.reps; rep++) {
        const order = rep % 2 === 0 ? running : [...running].reverse();
        for (const t of order) {
          if (t.proc.done || stalled.has(t)) continue;
          const r = await measure(h2load, t, backends, run, rep, n, limitS);
          repsDone.push(r);
          log(repLine(r));
        }
      }
    }
    return report();
  } finally {
    for (const t of running) await stopProcess(t.proc);
    if (backends) await stopProcess(backends.proc);
    rmSync(tmp, { recursive: true, force: true });
  }
}

/** Median and range of each peer's repetitions, per run kind (failed repetitions left out). */
export function summarise(reps: readonly H2Rep[], nReps: number): H2Summary[] {
  const out: H2Summary[] = [];
  for (const run of ALL_H2_RUNS) {
    for (const peer of ALL_H2_PEERS) {
      const rs = reps.filter((r) => r.run === run && r.peer === peer);
      if (!rs.length) continue;
      const ok = rs.filter((r) => r.rps !== null);
      const vals = (f: (r: H2Rep) => number | null | undefined) => ok.map(f).filter((v): v is number => v !== null && v !== undefined);
      const rps = vals((r) => r.rps);
      out.push({
        peer,
        run,
        ok: ok.length,
        reps: Math.max(nReps, rs.length),
        rpsMedian: median(rps),
        rpsMin: rps.length ? Math.min(...rps) : null,
        rpsMax: rps.length ? Math.max(...rps) : null,
        mibPerSMedian: median(vals((r) => r.mibPerS)),
        meanMsMedian: median(vals((r) => r.h2load?.meanMs)),
        cpuPercentMedian: median(vals((r) => r.cpuPercent)),
        cpuPerUnitMedian: median(vals(cpuPerUnit)),
        backendCpuPercentMedian: median(vals((r) => r.backendCpuPercent)),
        clientCpuPercentMedian: median(vals((r) => r.clientCpuPercent)),
        machinePercentMedian: median(vals((r) => r.machinePercent)),
      });
    }
  }
  return out;
}

const findSum = (s: readonly H2Summary[], peer: H2PeerName, run: H2RunKind) => s.find((x) => x.peer === peer && x.run === run);
const div = (a: number | null | undefined, b: number | null | undefined) => (a && b ? a / b : null);

/** lbd / HAProxy per run kind (keyed for the JSON), and the verdicts on the 0.5 target. */
export function computeH2Ratios(s: readonly H2Summary[]): { ratios: Record<string, number | null>; verdicts: Record<string, boolean | null> } {
  const ratios: Record<string, number | null> = {};
  const verdicts: Record<string, boolean | null> = {};
  for (const run of ALL_H2_RUNS) {
    const l = findSum(s, 'lbd', run);
    const h = findSum(s, 'haproxy', run);
    if (!l && !h) continue;
    ratios[`lbd/haproxy req/s ${run}`] = div(l?.rpsMedian, h?.rpsMedian);
    ratios[`lbd/haproxy CPU per ${SPEC[run].big ? 'GiB' : 'request'} ${run}`] = div(l?.cpuPerUnitMedian, h?.cpuPerUnitMedian);
    if (SPEC[run].big) ratios[`lbd/haproxy MiB/s ${run}`] = div(l?.mibPerSMedian, h?.mibPerSMedian);
    else {
      const v = ratios[`lbd/haproxy req/s ${run}`];
      verdicts[`lbd/haproxy req/s ${run} >= ${H2_TARGET}`] = v === null ? null : v >= H2_TARGET;
    }
  }
  return { ratios, verdicts };
}

/** The tables (one per run kind), the errors, and the ratios with the target, as printed. */
export function formatH2Report(rep: H2Report): string {
  const out: string[] = [];
  const table = (head: string[], rows: string[][], left: Set<number>) => out.push(...textTable(head, rows, (i) => left.has(i)));
  for (const run of ALL_H2_RUNS) {
    const ss = rep.summaries.filter((x) => x.run === run);
    if (!ss.length) continue;
    const big = SPEC[run].big;
    out.push(`-- ${SPEC[run].label}, N = ${rep.requests[run] ?? '?'}, median of ${rep.reps} (range) --`);
    table(
      ['peer', 'req/s', 'range', 'MiB/s', 'mean req time', 'CPU proxy', big ? 'CPU-s/GiB' : 'CPU-s/100k req', 'CPU backend', 'CPU h2load', 'machine CPU', 'ok runs'],
      ss.map((x) => [
        x.peer,
        x.rpsMedian === null ? 'failed' : num(x.rpsMedian),
        x.rpsMin === null ? '-' : `${num(x.rpsMin)}–${num(x.rpsMax)}`,
        num(x.mibPerSMedian, 1),
        ms(x.meanMsMedian),
        pct(x.cpuPercentMedian),
        num(x.cpuPerUnitMedian, 2),
        pct(x.backendCpuPercentMedian),
        pct(x.clientCpuPercentMedian),
        pct(x.machinePercentMedian),
        `${x.ok}/${x.reps}`,
      ]),
      new Set([0]),
    );
    const errs = rep.repsDone.filter((r) => r.run === run && r.error).map((r) => `  ${r.peer} #${r.rep + 1}: ${r.error}`);
    if (errs.length) out.push('errors (these runs are left out of the medians):', ...errs);
    out.push('');
  }
  for (const [p, d] of Object.entries(rep.peers)) out.push(`${p}: ${d}`);
  for (const [p, why] of Object.entries(rep.skipped)) out.push(`skipped: ${p} — ${why}`);
  for (const n of rep.notes) out.push(`NOTE: ${n}`);
  out.push('');
  if (!rep.summaries.length) {
    out.push('no HTTP/2 runs measured: no ratios');
    return out.join('\n');
  }
  const x = (v: number | null | undefined) => (v === null || v === undefined ? 'n/a' : `${v.toFixed(2)} x`);
  const row = (label: string, value: string, tail = '') => out.push(`${label.padEnd(50)} ${value.padStart(8)}${tail}`);
  out.push('targets (HTTP/2 issue):');
  for (const run of ALL_H2_RUNS) {
    if (SPEC[run].big || !rep.summaries.some((s) => s.run === run)) continue;
    const v = rep.verdicts[`lbd/haproxy req/s ${run} >= ${H2_TARGET}`];
    row(`lbd / HAProxy req/s, ${SHORT[run]}`, x(rep.ratios[`lbd/haproxy req/s ${run}`]), `   target >= ${H2_TARGET}   ${v === null || v === undefined ? '? (n/a: a peer has no figure)' : v ? '✓' : '✗'}`);
  }
  out.push('', 'for information:');
  for (const run of ALL_H2_RUNS) {
    if (!rep.summaries.some((s) => s.run === run)) continue;
    if (SPEC[run].big) {
      row(`lbd / HAProxy MiB/s, ${SHORT[run]}`, x(rep.ratios[`lbd/haproxy MiB/s ${run}`]));
      row(`lbd / HAProxy CPU-s per GiB, ${SHORT[run]}`, x(rep.ratios[`lbd/haproxy CPU per GiB ${run}`]));
    } else row(`lbd / HAProxy CPU-s per request, ${SHORT[run]}`, x(rep.ratios[`lbd/haproxy CPU per request ${run}`]));
  }
  const clientBound = rep.summaries.filter((s) => (s.clientCpuPercentMedian ?? 0) > 90);
  if (clientBound.length) out.push('', `NOTE: h2load (one thread) was near a full core in ${clientBound.map((s) => `${s.peer} ${SHORT[s.run]}`).join(', ')}: there the client, not the proxy, may be the limit, and req/s understates the faster proxy (compare CPU-s per request).`);
  const busy = rep.summaries.filter((s) => (s.backendCpuPercentMedian ?? 0) > 85);
  if (busy.length) out.push('', `NOTE: the backend (one nginx worker) was near a full core in ${busy.map((s) => `${s.peer} ${SHORT[s.run]}`).join(', ')}: there it, not the proxy, may be the limit.`);
  if (rep.summaries.some((s) => s.peer === 'lbd' && (s.cpuPercentMedian ?? 0) > 105)) out.push('', "NOTE: lbd's CPU exceeds 100 % of a core in some runs: Node's GC and libuv threads run beside its main thread, while HAProxy has nbthread 1.");
  const wide = rep.summaries.filter((s) => s.rpsMedian && s.rpsMin !== null && s.rpsMax !== null && (s.rpsMax - s.rpsMin) / s.rpsMedian > 0.15);
  if (wide.length) out.push('', `NOTE: repetitions spread by more than 15 % of the median in ${wide.map((s) => `${s.peer} ${SHORT[s.run]}`).join(', ')}: noisy (other work on the machine?); compare medians with care.`);
  return out.join('\n');
}
