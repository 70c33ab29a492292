/**
 * The TLS section of `make bench` (issue 6, the parts lbd has today: TLS termination over HTTP/1.1;
 * no HTTP/2): lbd beside HAProxy 2.6 (`nbthread 1`), both `mode http` with `bind … ssl crt <pem>`, one
 * peer at a time, on the HTTP section's backends.
 *
 * Per peer and certificate (ECDSA P-256, RSA 2048, made with openssl in the temp dir):
 *   - full handshakes per second: `openssl s_time -new` (TLS 1.3, no resumption), several in parallel
 *     (`--tls-clients`, default 2: the machine has few cores and s_time is sequential), with the proxy's
 *     CPU and the whole machine's, to see whether the proxy or the clients were the limit;
 *   - resumed handshakes per second, for information: `s_time -reuse -tls1_2` (s_time cannot resume TLS 1.3:
 *     it never reads the post-handshake ticket), counting the connections s_time marks resumed.
 * With the ECDSA certificate, three wrk runs over TLS: keep-alive small responses, keep-alive 1 MiB
 * bodies (`/1m`), and a new connection (a new TLS handshake) per request.
 * Then lbd / HAProxy, with issue 6's target for full handshakes (≥ 0.8) marked ✓/✗; the rest for information.
 */
import { textTable } from './table.js';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { BIG_PATH, measuredWrkRun, startHttpBackends } from './http-targets.js';
import { removeOnExit, startProcess, stopProcess } from './procs.js';
import { CpuMeter, freePorts, machineJiffies, settleTimeWait, which } from './sys.js';
import type { Backends, Running } from './targets.js';
import { ALL_CERTS, ALL_TLS_PEERS, CERT_LABEL, currConns, makeCert, negotiated, startTlsPeer, statsSocket, tlsPeerUnavailable, tlsToolsUnavailable, type CertKind, type TlsPeerName } from './tls-targets.js';
import { runWrk, type WrkResult } from './wrk.js';

export { ALL_TLS_PEERS, type TlsPeerName };

export interface TlsSectionOptions {
  readonly durationS: number;
  readonly connections: number;
  readonly peers: readonly TlsPeerName[];
  /** Parallel `openssl s_time` processes per handshake run. */
  readonly clients: number;
}

export type HandshakeKind = 'full' | 'resumed';
export type TlsWrkKind = 'keep-alive' | '1m' | 'close';
export const ALL_TLS_WRK_RUNS: readonly TlsWrkKind[] = ['keep-alive', '1m', 'close'];
const WRK_LABEL: Record<TlsWrkKind, string> = {
  'keep-alive': 'HTTPS keep-alive, small responses (`200 ok\\n`)',
  '1m': `HTTPS keep-alive, 1 MiB bodies (${BIG_PATH})`,
  close: "HTTPS, new connection per request (-H 'Connection: close'; wrk resumes its TLS session, so mostly abbreviated handshakes)",
};
const WRK_SHORT: Record<TlsWrkKind, string> = { 'keep-alive': 'keep-alive', '1m': '1 MiB bodies', close: 'new conn/request' };
/** Seconds of load before a peer's first measured run (JIT, pools). */
const WARMUP_S = 2;

/** One handshake run (s_time × clients) against one peer with one certificate. */
export interface HandshakeRun {
  readonly peer: TlsPeerName;
  readonly cert: CertKind;
  readonly kind: HandshakeKind;
  /** Connections s_time completed, all clients together. */
  readonly connections: number;
  /** Connections s_time marked resumed (`r`) and new (`*`). */
  readonly resumed: number;
  readonly full: number;
  readonly clients: number;
  readonly wallS: number;
  /** Handshakes per second (connections / wall time). */
  readonly perSecond: number | null;
  /** CPU of the proxy, % of one core. */
  readonly cpuPercent: number | null;
  /** CPU of the whole machine (all processes), % of all cores. */
  readonly machinePercent: number | null;
  /** The proxy's `CurrConns` (show info) 1 s after the clients finished: connections it still holds. */
  readonly openAfter: number | null;
  readonly error: string | null;
}

/** One wrk run over TLS. */
export interface TlsWrkRun {
  readonly peer: TlsPeerName;
  readonly run: TlsWrkKind;
  readonly wrk: WrkResult | null;
  readonly error: string | null;
  readonly cpuPercent: number | null;
  readonly backendCpuPercent: number | null;
  /** The proxy's `CurrConns` 1 s after wrk finished. */
  readonly openAfter: number | null;
}

export interface TlsReport {
  readonly backend: string;
  readonly durationS: number;
  readonly connections: number;
  readonly clients: number;
  readonly skipped: Record<string, string>;
  /** What each peer was, and what it negotiated with `openssl s_client`. */
  readonly peers: Record<string, string>;
  readonly notes: string[];
  readonly handshakes: HandshakeRun[];
  readonly wrkRuns: TlsWrkRun[];
  readonly ratios: Record<string, number | null>;
  readonly verdicts: Record<string, boolean | null>;
}

/** Machine CPU busy between start() and stop(), % of all cores. */
class MachineMeter {
  private j0: { busy: number; total: number } | null = null;
  start(): void {
    this.j0 = machineJiffies();
  }
  stop(): number | null {
    const j1 = machineJiffies();
    if (!this.j0 || !j1 || j1.total <= this.j0.total) return null;
    return ((j1.busy - this.j0.busy) / (j1.total - this.j0.total)) * 100;
  }
}

/** One s_time process's result. */
interface STimeOne {
  readonly connections: number;
  readonly resumed: number;
  readonly full: number;
  readonly wallS: number;
}

/** Parse s_time's output: the connection count, and the `*` (new) / `r` (resumed) marks it prints per connection. */
export function parseSTime(out: string): { connections: number | null; resumed: number; full: number } {
  const m = /(\d+) connections in [\d.]+s;/.exec(out);
  let resumed = 0;
  let full = 0;
  for (const line of out.split('\n')) {
    if (!/^[r*]+$/.test(line)) continue;
    for (const c of line) c === 'r' ? resumed++ : full++;
  }
  return { connections: m ? Number(m[1]) : null, resumed, full };
}

/** Run `openssl s_time` once (bounded: killed 15 s after its own time limit). */
async function runSTimeOne(openssl: string, port: number, kind: HandshakeKind, durationS: number): Promise<STimeOne> {
  const args = ['s_time', '-connect', `127.0.0.1:${port}`, '-time', String(durationS)];
  args.push(...(kind === 'full' ? ['-new'] : ['-reuse', '-tls1_2']));
  const t0 = process.hrtime.bigint();
  const p = startProcess('s_time', openssl, args);
  const chunks: string[] = [];
  p.child.stdout?.on('data', (d: Buffer) => chunks.push(d.toString('latin1')));
  const guard = setTimeout(() => void stopProcess(p, 1000), (durationS + 15) * 1000);
  const code = await p.exited;
  clearTimeout(guard);
  const wallS = Number(process.hrtime.bigint() - t0) / 1e9;
  const out = chunks.join('');
  const r = parseSTime(out);
  if (code !== 0 || r.connections === null) throw new Error(`openssl s_time exited with ${code}:\n${p.tail().trim().slice(-600)}`);
  return { connections: r.connections, resumed: r.resumed, full: r.full, wallS };
}

/** `clients` s_time processes in parallel against the port, with the proxy's and the machine's CPU. */
async function runHandshakes(openssl: string, t: Running, peer: TlsPeerName, cert: CertKind, kind: HandshakeKind, o: TlsSectionOptions, sock: string): Promise<HandshakeRun> {
  const cpu = new CpuMeter(t.proc.pid);
  const machine = new MachineMeter();
  cpu.start();
  machine.start();
  const settled = await Promise.allSettled(Array.from({ length: o.clients }, () => runSTimeOne(openssl, t.port, kind, o.durationS)));
  const cpuPercent = cpu.stop();
  const machinePercent = machine.stop();
  const ok = settled.flatMap((s) => (s.status === 'fulfilled' ? [s.value] : []));
  const failed = settled.flatMap((s) => (s.status === 'rejected' ? [s.reason instanceof Error ? s.reason.message : String(s.reason)] : []));
  const connections = ok.reduce((a, r) => a + r.connections, 0);
  const wallS = ok.length ? Math.max(...ok.map((r) => r.wallS)) : 0;
  let error = failed.length ? `${failed.length} of ${o.clients} s_time client(s) failed: ${failed[0]}` : null;
  if (t.proc.done) error = (error ? `${error}; ` : '') + `${peer} exited:\n${t.proc.tail().trim()}`;
  const openAfter = t.proc.done ? null : await openAfterRun(sock);
  return {
    peer,
    cert,
    kind,
    connections,
    resumed: ok.reduce((a, r) => a + r.resumed, 0),
    full: ok.reduce((a, r) => a + r.full, 0),
    clients: o.clients,
    wallS,
    perSecond: ok.length && wallS > 0 ? connections / wallS : null,
    cpuPercent,
    machinePercent,
    openAfter,
    error,
  };
}

/** CurrConns one second after a run's clients are gone. */
async function openAfterRun(sock: string): Promise<number | null> {
  await new Promise((r) => setTimeout(r, 1000));
  return currConns(sock);
}
/** More connections than this still open after a run is worth a note. */
const LEFT_OPEN_NOTE = 10;

const ms = (v: number | null | undefined) => (v === null || v === undefined ? 'n/a' : v >= 100 ? `${v.toFixed(0)}ms` : v >= 1 ? `${v.toFixed(2)}ms` : `${(v * 1000).toFixed(0)}us`);
const pct = (v: number | null) => (v === null ? 'n/a' : `${v.toFixed(0)}%`);
const mibps = (bytes: number | null | undefined) => (bytes === null || bytes === undefined ? 'n/a' : (bytes / 1024 / 1024).toFixed(1));

async function settle(log: (s: string) => void): Promise<void> {
  // every run starts with the same (near-empty) loopback TIME_WAIT table, as in the other sections
  const settled = await settleTimeWait();
  if (settled.waitedMs > 1500) log(`  (waited ${(settled.waitedMs / 1000).toFixed(0)} s for loopback TIME_WAIT sockets to clear: ${settled.left ?? '?'} left)`);
}

function handshakeLine(r: HandshakeRun): string {
  const label = `${CERT_LABEL[r.cert]}, ${r.kind === 'full' ? 'full' : 'resumed'}`.padEnd(22);
  if (r.perSecond === null) return `  ${label} FAILED: ${r.error}`;
  const marks = r.kind === 'resumed' ? `  (${r.resumed} resumed, ${r.full} full)` : r.resumed ? `  (${r.resumed} resumed!)` : '';
  return `  ${label} ${r.perSecond.toFixed(0).padStart(6)} handshakes/s  CPU proxy ${pct(r.cpuPercent)}  machine ${pct(r.machinePercent)}  open after ${r.openAfter ?? '?'}${marks}${r.error ? `  ${r.error}` : ''}`;
}

/** Measure every selected peer: handshakes with each certificate, then the wrk runs over TLS (ECDSA certificate). */
export async function runTlsSection(o: TlsSectionOptions, wrk: string | null, log: (s: string) => void = (s) => console.log(s)): Promise<TlsReport> {
  const skipped: Record<string, string> = {};
  const peers: Record<string, string> = {};
  const notes: string[] = [
    'HTTP/2 is measured in its own section (h2load); every figure here is TLS + HTTP/1.1.',
  ];
  const handshakes: HandshakeRun[] = [];
  const wrkRuns: TlsWrkRun[] = [];
  const report = (backend: string): TlsReport => {
    const { ratios, verdicts } = computeTlsRatios(handshakes, wrkRuns);
    return { backend, durationS: o.durationS, connections: o.connections, clients: o.clients, skipped, peers, notes, handshakes, wrkRuns, ratios, verdicts };
  };
  const toolsMissing = tlsToolsUnavailable();
  if (toolsMissing) {
    skipped.tls = toolsMissing;
    log(`SKIPPED — ${toolsMissing}`);
    return report('n/a');
  }
  const openssl = which('openssl') as string;
  if (!wrk) {
    skipped.wrk = 'wrk not installed (Debian package `wrk`): handshakes only, no HTTPS request runs';
    log(`NOTE: ${skipped.wrk}`);
  }
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'lbd-bench-tls-'));
  removeOnExit(tmp);
  let backends: Backends | null = null;
  try {
    const certs = {} as Record<CertKind, string>;
    for (const c of ALL_CERTS) certs[c] = makeCert(tmp, c);
    const [b1, b2, proxyPort] = await freePorts(3);
    backends = await startHttpBackends(tmp, [b1, b2]);
    log(`backends: ${backends.describe} on 127.0.0.1:${b1} and :${b2}; certificates: ${ALL_CERTS.map((c) => CERT_LABEL[c]).join(', ')} (self-signed, openssl req)`);
    log(
      `handshakes: ${o.clients} × \`openssl s_time -new -time ${o.durationS}\` in parallel (TLS 1.3, full handshakes), then ${o.clients} × \`s_time -reuse -tls1_2\` (resumed, for information)`,
    );
    if (wrk) log(`requests (ECDSA certificate): wrk -t1 -c${o.connections} -d${o.durationS}s --latency --timeout 5s https://…: ${ALL_TLS_WRK_RUNS.map((r) => WRK_SHORT[r]).join(', ')}; ${WARMUP_S} s warm-up per peer`);
    log(`NOTE: ${notes[0]}\n`);
    if (o.peers.length === 0) log('no TLS peers selected (--only names neither haproxy nor lbd)');
    for (const peer of o.peers) {
      const why = tlsPeerUnavailable(peer);
      if (why) {
        skipped[peer] = why;
        log(`${peer}: SKIPPED — ${why}`);
        continue;
      }
      for (const cert of ALL_CERTS) {
        let t: Running;
        try {
          t = await startTlsPeer(peer, tmp, proxyPort, backends.ports, cert, certs[cert]);
        } catch (e) {
          skipped[`${peer} ${cert}`] = `did not start: ${e instanceof Error ? e.message : String(e)}`;
          log(`${peer} (${CERT_LABEL[cert]}): SKIPPED — ${skipped[`${peer} ${cert}`]}`);
          continue;
        }
        try {
          const neg = negotiated(proxyPort);
          peers[`${peer} ${cert}`] = `${t.describe}; negotiated: ${neg}`;
          log(`${peer}: ${t.describe} (pid ${t.proc.pid}) on 127.0.0.1:${proxyPort}; s_client negotiated: ${neg}`);
          for (const w of t.proc.tail().split('\n').filter((l) => /\[(WARNING|ALERT)\]/.test(l)).slice(0, 5)) {
            notes.push(`${peer}: ${w.trim()}`);
            log(`  ${peer} warned: ${w.trim()}`);
          }
          // warm-up: the proxy's first handshakes (JIT, key caches) are not measured
          await runSTimeOne(openssl, proxyPort, 'full', 1).catch(() => null);
          for (const kind of ['full', 'resumed'] as const) {
            await settle(log);
            const r = await runHandshakes(openssl, t, peer, cert, kind, o, statsSocket(peer, tmp));
            handshakes.push(r);
            log(handshakeLine(r));
            if (t.proc.done) break;
          }
          if (cert !== 'ecdsa' || !wrk || t.proc.done) continue;
          const base = `https://127.0.0.1:${proxyPort}`;
          await runWrk(wrk, { url: `${base}/`, durationS: WARMUP_S, connections: o.connections, threads: 1, closeEach: false }).catch(() => null);
          for (const run of ALL_TLS_WRK_RUNS) {
            await settle(log);
            const { wrk: res, error, cpuPercent, backendCpuPercent } = await measuredWrkRun(wrk, t, backends, base, run, o);
            const openAfter = t.proc.done ? null : await openAfterRun(statsSocket(peer, tmp));
            wrkRuns.push({ peer, run, wrk: res, error, cpuPercent, backendCpuPercent, openAfter });
            log(
              `  ${`HTTPS ${WRK_SHORT[run]}`.padEnd(22)} ${
                res
                  ? `${res.rps.toFixed(0).padStart(6)} req/s ${mibps(res.bytesPerSec).padStart(7)} MiB/s  p50 ${ms(res.p50Ms)}  p99 ${ms(res.p99Ms)}  CPU proxy ${pct(cpuPercent)}  backend ${pct(backendCpuPercent)}  open after ${openAfter ?? '?'}${res.errors ? `  ERRORS: ${res.errorText}` : ''}${error ? `  ${error}` : ''}`
                  : `FAILED: ${error}`
              }`,
            );
            if (t.proc.done) break;
          }
        } finally {
          await stopProcess(t.proc);
        }
      }
    }
    return report(backends.describe);
  } finally {
    if (backends) await stopProcess(backends.proc);
    rmSync(tmp, { recursive: true, force: true });
  }
}

const findHs = (hs: readonly HandshakeRun[], peer: TlsPeerName, cert: CertKind, kind: HandshakeKind) => hs.find((r) => r.peer === peer && r.cert === cert && r.kind === kind);
const findWrk = (ws: readonly TlsWrkRun[], peer: TlsPeerName, run: TlsWrkKind) => ws.find((r) => r.peer === peer && r.run === run);
const div = (a: number | null | undefined, b: number | null | undefined) => (a && b ? a / b : null);
/** Handshakes per second of proxy CPU (how much one core of the proxy buys), null without a CPU figure. */
const perCpu = (r: HandshakeRun | undefined) => (r?.perSecond && r.cpuPercent ? r.perSecond / (r.cpuPercent / 100) : null);

/** Every ratio lbd / HAProxy (keyed for the JSON), and the verdicts on issue 6's handshake target. */
export function computeTlsRatios(hs: readonly HandshakeRun[], ws: readonly TlsWrkRun[]): { ratios: Record<string, number | null>; verdicts: Record<string, boolean | null> } {
  const ratios: Record<string, number | null> = {};
  const verdicts: Record<string, boolean | null> = {};
  for (const cert of ALL_CERTS) {
    for (const kind of ['full', 'resumed'] as const) {
      ratios[`lbd/haproxy handshakes/s ${cert} ${kind}`] = div(findHs(hs, 'lbd', cert, kind)?.perSecond, findHs(hs, 'haproxy', cert, kind)?.perSecond);
      ratios[`lbd/haproxy handshakes per CPU-second ${cert} ${kind}`] = div(perCpu(findHs(hs, 'lbd', cert, kind)), perCpu(findHs(hs, 'haproxy', cert, kind)));
    }
    const v = ratios[`lbd/haproxy handshakes/s ${cert} full`];
    verdicts[`lbd/haproxy full handshakes/s ${cert} >= 0.8`] = v === null ? null : v >= 0.8;
  }
  for (const run of ALL_TLS_WRK_RUNS) {
    const l = findWrk(ws, 'lbd', run)?.wrk;
    const h = findWrk(ws, 'haproxy', run)?.wrk;
    ratios[`lbd/haproxy req/s https ${run}`] = div(l?.rps, h?.rps);
    ratios[`lbd/haproxy p99 https ${run}`] = div(l?.p99Ms, h?.p99Ms);
    if (run === '1m') ratios['lbd/haproxy MiB/s https 1m'] = div(l?.bytesPerSec, h?.bytesPerSec);
  }
  return { ratios, verdicts };
}

/** The handshake table, the request table, and the ratios with the target, as printed. */
export function formatTlsReport(rep: TlsReport): string {
  const out: string[] = [];
  const table = (head: string[], rows: string[][], left: Set<number>) => out.push(...textTable(head, rows, (i) => left.has(i)));
  if (rep.handshakes.length) {
    out.push(`-- TLS handshakes (${rep.clients} × openssl s_time in parallel, ${rep.durationS} s) --`);
    table(
      ['peer', 'certificate', 'handshake', 'handshakes/s', 'CPU proxy', 'machine CPU', 'per proxy CPU-s', 'resumed/full', 'open after'],
      rep.handshakes.map((r) => [
        r.peer,
        CERT_LABEL[r.cert],
        r.kind === 'full' ? 'full (TLS 1.3)' : 'resumed (TLS 1.2)',
        r.perSecond === null ? 'failed' : r.perSecond.toFixed(0),
        pct(r.cpuPercent),
        pct(r.machinePercent),
        perCpu(r)?.toFixed(0) ?? 'n/a',
        `${r.resumed}/${r.full}`,
        `${r.openAfter ?? '?'}`,
      ]),
      new Set([0, 1, 2]),
    );
    const errs = rep.handshakes.filter((r) => r.error).map((r) => `  ${r.peer} ${CERT_LABEL[r.cert]} ${r.kind}: ${r.error}`);
    if (errs.length) out.push('errors:', ...errs);
    out.push('');
  }
  if (rep.wrkRuns.length) {
    out.push(`-- HTTPS requests, ECDSA certificate (wrk -t1 -c${rep.connections} -d${rep.durationS}s) --`);
    for (const run of ALL_TLS_WRK_RUNS) {
      const rs = rep.wrkRuns.filter((r) => r.run === run);
      if (!rs.length) continue;
      out.push(WRK_LABEL[run]);
      table(
        ['peer', 'req/s', 'MiB/s', 'avg', 'p50', 'p99', 'errors', 'CPU proxy', 'CPU backend', 'open after'],
        rs.map((r) => [r.peer, r.wrk ? r.wrk.rps.toFixed(0) : 'failed', mibps(r.wrk?.bytesPerSec), ms(r.wrk?.latencyAvgMs), ms(r.wrk?.p50Ms), ms(r.wrk?.p99Ms), r.wrk ? `${r.wrk.errors}` : '-', pct(r.cpuPercent), pct(r.backendCpuPercent), `${r.openAfter ?? '?'}`]),
        new Set([0]),
      );
      const errs = rs.filter((r) => r.wrk?.errorText || r.error).map((r) => `  ${r.peer}: ${[r.wrk?.errorText, r.error].filter(Boolean).join('; ')}`);
      if (errs.length) out.push('errors:', ...errs);
      out.push('');
    }
  }
  for (const [p, d] of Object.entries(rep.peers)) out.push(`${p}: ${d}`);
  for (const [p, why] of Object.entries(rep.skipped)) out.push(`skipped: ${p} — ${why}`);
  for (const n of rep.notes) out.push(`NOTE: ${n}`);
  out.push('');
  if (!rep.handshakes.length && !rep.wrkRuns.length) {
    out.push('no TLS runs measured: no ratios');
    return out.join('\n');
  }
  const x = (v: number | null) => (v === null ? 'n/a' : `${v.toFixed(2)} x`);
  const row = (label: string, value: string, tail = '') => out.push(`${label.padEnd(52)} ${value.padStart(8)}${tail}`);
  out.push('targets (issue 6):');
  for (const cert of ALL_CERTS) {
    const v = rep.verdicts[`lbd/haproxy full handshakes/s ${cert} >= 0.8`];
    row(`lbd / HAProxy full handshakes/s, ${CERT_LABEL[cert]}`, x(rep.ratios[`lbd/haproxy handshakes/s ${cert} full`]), `   target >= 0.8   ${v === null ? '? (n/a: a peer has no figure)' : v ? '✓' : '✗'}`);
  }
  out.push('', 'for information:');
  for (const cert of ALL_CERTS) {
    const v = rep.ratios[`lbd/haproxy handshakes per CPU-second ${cert} full`];
    row(`lbd / HAProxy full handshakes per proxy CPU-s, ${CERT_LABEL[cert]}`, x(v), v === null ? '' : `   (the same 0.8 on the proxy's own cost: ${v >= 0.8 ? '✓' : '✗'})`);
  }
  for (const cert of ALL_CERTS) row(`lbd / HAProxy resumed handshakes/s, ${CERT_LABEL[cert]}`, x(rep.ratios[`lbd/haproxy handshakes/s ${cert} resumed`]));
  for (const run of ALL_TLS_WRK_RUNS) {
    if (!rep.wrkRuns.some((r) => r.run === run)) continue;
    row(`lbd / HAProxy req/s, HTTPS ${WRK_SHORT[run]}`, x(rep.ratios[`lbd/haproxy req/s https ${run}`]), `   p99 ${x(rep.ratios[`lbd/haproxy p99 https ${run}`])}`);
  }
  if (rep.wrkRuns.some((r) => r.run === '1m')) row('lbd / HAProxy MiB/s, HTTPS 1 MiB bodies', x(rep.ratios['lbd/haproxy MiB/s https 1m']));
  const leftOpen = [
    ...rep.handshakes.filter((r) => (r.openAfter ?? 0) > LEFT_OPEN_NOTE).map((r) => `${r.peer} ${CERT_LABEL[r.cert]} ${r.kind} handshakes: ${r.openAfter}`),
    ...rep.wrkRuns.filter((r) => (r.openAfter ?? 0) > LEFT_OPEN_NOTE).map((r) => `${r.peer} HTTPS ${WRK_SHORT[r.run]}: ${r.openAfter}`),
  ];
  if (leftOpen.length) out.push('', `NOTE: connections still open (show info CurrConns) 1 s after the clients had all finished (cumulative: a peer runs all of one certificate's runs without a restart) — ${leftOpen.join('; ')}.`);
  const limited = rep.handshakes.filter((r) => r.kind === 'full' && r.cpuPercent !== null && r.cpuPercent < 85);
  if (limited.length)
    out.push(
      '',
      `NOTE: full handshakes in ${limited.map((r) => `${r.peer}/${r.cert} (proxy ${pct(r.cpuPercent)}, machine ${pct(r.machinePercent)})`).join(', ')}: the proxy was well under one core, so the s_time clients (whose side of a handshake costs about as much as the server's, and which share the cores) or the round trips were the limit, not the proxy. handshakes/s then understates that proxy and the ratio flatters the other; "per proxy CPU-s" compares what a handshake costs each proxy.`,
    );
  const multi = [...rep.handshakes, ...rep.wrkRuns].filter((r) => r.peer === 'lbd' && (r.cpuPercent ?? 0) > 105);
  if (multi.length) out.push('', "NOTE: lbd's CPU exceeds 100 % of a core in some runs: Node's GC and libuv threads run beside its main thread, while HAProxy has nbthread 1.");
  return out.join('\n');
}
