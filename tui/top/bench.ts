#!/usr/bin/env node
/**
 * What `lbctl top` costs with 1,000 servers at 1 Hz (bench/checks.ts's config: 10 backends × 100
 * servers checked every second against 4 demo backends). The console runs in a private tmux at
 * 120×40, as an operator would; measured: its CPU and RSS over the run (sampled every 10 s), the bytes
 * it writes to the terminal, lbd's CPU with and without the console attached (the difference per tick
 * is the daemon's cost of serving the subscription), and, in this process, the work the daemon does
 * per tick besides snapshot(): the diff of two consecutive snapshots and its JSON.
 *
 *   node dist/tui/top/bench.js [--minutes 10] [--window 30]
 */
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DEFAULT_CHECKS, checksConfig } from '../../bench/checks.js';
import { cpuSeconds, freePort, freePorts, rssKiB, sleep, waitForPort } from '../../bench/sys.js';
import { startDemoBackend } from '../../examples/demo-backend.js';
import { AdminClient } from '../../shared/admin-client.js';
import { diffSnapshot } from '../../shared/snapshot-delta.js';
import type { Snapshot } from '../../shared/snapshot.js';
import { lbdArgv } from '../../shared/lbd-command.js';

const ROOT = path.resolve(path.dirname(new URL(import.meta.url).pathname), '../../..');
const arg = (f: string, d: number) => {
  const i = process.argv.indexOf(f);
  return i >= 0 ? Number(process.argv[i + 1]) : d;
};
const MINUTES = arg('--minutes', 10);
const WINDOW_S = arg('--window', 30);
const TMUX = ['-L', `lbd-top-bench-${process.pid}`, '-f', '/dev/null'];

async function cpuOver(pid: number, seconds: number): Promise<number> {
  const a = cpuSeconds(pid)!;
  const t = Date.now();
  await sleep(seconds * 1000);
  return ((cpuSeconds(pid)! - a) / ((Date.now() - t) / 1000)) * 100;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] ?? NaN;
}

async function main(): Promise<void> {
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'lbd-top-bench-'));
  const demos = await Promise.all((await freePorts(4)).map((p, i) => startDemoBackend({ port: p, name: `bench-${i}` })));
  const sock = path.join(tmp, 'admin.sock');
  const port = await freePort();
  const cfg = path.join(tmp, 'lbd.cfg');
  writeFileSync(cfg, checksConfig(DEFAULT_CHECKS, port, demos.map((d) => d.port), sock));
  const lbd = spawn(process.execPath, [...lbdArgv(path.join(ROOT, 'bin/lbd')), '-f', cfg], { stdio: 'ignore' });
  const log = (s: string) => console.log(s);
  try {
    await waitForPort(port, 20_000);
    log(`lbd pid ${lbd.pid}: 1,000 servers checked every second; settling 20 s`);
    await sleep(20_000);

    // the daemon's per-tick work besides snapshot(): diff and JSON, measured on its real snapshots
    const client = new AdminClient({ socketPath: sock });
    await client.connect();
    const snaps: Snapshot[] = [];
    const sub = await client.subscribeSnapshots({ intervalMs: 1000 }, (s) => snaps.push(s));
    const req: number[] = [];
    for (let i = 0; i < 10; i++) {
      const t = performance.now();
      await client.request('snapshot', {});
      req.push(performance.now() - t);
      await sleep(300);
    }
    await sleep(3000);
    await sub.close();
    await client.close();
    const diffMs: number[] = [];
    const bytes: number[] = [];
    for (let i = 1; i < snaps.length; i++) {
      const t = performance.now();
      const p = diffSnapshot(snaps[i - 1]!, snaps[i]!);
      const json = JSON.stringify({ type: 'delta', sub: 1, seq: i, base: i - 1, patch: p });
      diffMs.push(performance.now() - t);
      bytes.push(json.length);
    }
    const full = JSON.stringify(snaps[snaps.length - 1]).length;
    log(`per tick, in this process on lbd's snapshots: diff + JSON ${median(diffMs).toFixed(2)} ms (median of ${diffMs.length}), delta ${(median(bytes) / 1024).toFixed(0)} KiB; full snapshot ${(full / 1024).toFixed(0)} KiB`);
    log(`'snapshot' request round trip (snapshot() + JSON + transfer + parse): median ${median(req).toFixed(1)} ms`);

    const idle = await cpuOver(lbd.pid!, WINDOW_S);
    log(`lbd CPU without a console: ${idle.toFixed(1)}% of one core (${WINDOW_S} s)`);

    const out = path.join(tmp, 'pane.out');
    writeFileSync(out, '');
    execFileSync('tmux', [...TMUX, 'new-session', '-d', '-s', 'top', '-x', '120', '-y', '40', `exec env LANG=C.UTF-8 ${process.execPath} ${path.join(ROOT, 'bin/lbctl')} -s ${sock} top -i 1000`]);
    execFileSync('tmux', [...TMUX, 'pipe-pane', '-t', 'top', '-o', `cat >> ${out}`]);
    const topPid = Number(execFileSync('tmux', [...TMUX, 'display-message', '-p', '-t', 'top', '#{pane_pid}']).toString().trim());
    await sleep(10_000);
    const withTop = await cpuOver(lbd.pid!, WINDOW_S);
    log(`lbd CPU with the console at 1 Hz: ${withTop.toFixed(1)}% → serving the subscription ≈ ${((withTop - idle) * 10).toFixed(1)} ms of CPU per tick (difference of two ${WINDOW_S} s windows; noisy on a busy machine)`);

    log(`console pid ${topPid}, ${MINUTES} min, one sample every 10 s:`);
    const t0 = Date.now();
    const c0 = cpuSeconds(topPid)!;
    const b0 = statSync(out).size;
    const samples: { t: number; cpu: number; rss: number }[] = [];
    let lastC = c0;
    let lastT = t0;
    while (Date.now() - t0 < MINUTES * 60_000) {
      await sleep(10_000);
      const c = cpuSeconds(topPid);
      const r = rssKiB(topPid);
      if (c === null || r === null) throw new Error('the console exited');
      const now = Date.now();
      samples.push({ t: (now - t0) / 1000, cpu: ((c - lastC) / ((now - lastT) / 1000)) * 100, rss: r / 1024 });
      lastC = c;
      lastT = now;
      if (samples.length % 6 === 0) log(`  ${Math.round(samples.at(-1)!.t)} s: CPU ${samples.at(-1)!.cpu.toFixed(1)}%, RSS ${samples.at(-1)!.rss.toFixed(1)} MiB`);
    }
    const wall = (Date.now() - t0) / 1000;
    const cpu = ((cpuSeconds(topPid)! - c0) / wall) * 100;
    const rss = samples.map((s) => s.rss);
    const firstMin = rss.slice(0, 6);
    const lastMin = rss.slice(-6);
    log(`console CPU: ${cpu.toFixed(1)}% of one core on average (max 10 s sample ${Math.max(...samples.map((s) => s.cpu)).toFixed(1)}%)`);
    log(`console RSS: first minute ${Math.min(...firstMin).toFixed(1)}-${Math.max(...firstMin).toFixed(1)} MiB, last minute ${Math.min(...lastMin).toFixed(1)}-${Math.max(...lastMin).toFixed(1)} MiB, max ${Math.max(...rss).toFixed(1)} MiB`);
    log(`terminal output: ${((statSync(out).size - b0) / wall / 1024).toFixed(2)} KiB/s`);
  } finally {
    try {
      execFileSync('tmux', [...TMUX, 'kill-server'], { stdio: 'ignore' });
    } catch {
      /* not started */
    }
    lbd.kill('SIGTERM');
    await Promise.all(demos.map((d) => d.close()));
    rmSync(tmp, { recursive: true, force: true });
  }
}

main().then(
  () => process.exit(0),
  (e: unknown) => {
    console.error(e);
    process.exit(1);
  },
);
