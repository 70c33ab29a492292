/**
 * What one snapshot subscription tick costs the daemon with 1,000 servers: the runtime is built from
 * the health-check benchmark's config (10 backends × 100 servers, HTTP checks every second against 4
 * demo backends), so every server changes every tick: the worst case. Each tick takes a snapshot,
 * diffs it against the previous one and serialises the patch, as daemon/admin/ws-feed.ts does; the
 * first 30 ticks warm V8 up, the next 30 are measured.
 *
 *   node dist/bench/subscription-tick.js
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startDemoBackend } from '../examples/demo-backend.js';
import { loadConfig } from '../daemon/config/index.js';
import { Runtime } from '../daemon/runtime/runtime.js';
import { memoryLogger } from '../daemon/log.js';
import { runProbe } from '../daemon/health/probe.js';
import { diffSnapshot } from '../shared/snapshot-delta.js';
import { checksConfig, DEFAULT_CHECKS } from './checks.js';

const WARM = 30;
const MEASURED = 30;

function stats(xs: number[]): string {
  const s = [...xs].sort((a, b) => a - b);
  return `median ${s[Math.floor(s.length / 2)]!.toFixed(2)} ms, p90 ${s[Math.floor(s.length * 0.9)]!.toFixed(2)} ms`;
}

const demos = await Promise.all([0, 1, 2, 3].map((i) => startDemoBackend({ host: '127.0.0.1', name: `tick-${i}` })));
const dir = mkdtempSync(path.join(os.tmpdir(), 'lbd-tick-'));
const cfg = path.join(dir, 'tick.cfg');
writeFileSync(cfg, checksConfig(DEFAULT_CHECKS, 0, demos.map((d) => d.port), path.join(dir, 'admin.sock')).replace(/^frontend[\s\S]*?(?=^backend)/m, ''));
const { config, diagnostics } = await loadConfig([cfg]);
if (!config) throw new Error(diagnostics.map((d) => d.message).join('\n'));
const rt = new Runtime({ log: memoryLogger(), probe: runProbe, listen: false });
await rt.apply(config);
const t = { snapshot: [] as number[], diff: [] as number[], json: [] as number[], total: [] as number[] };
let prev = rt.snapshot();
let bytes = 0;
console.log(`${config.backends.reduce((n, b) => n + b.servers.length, 0)} servers checked every ${DEFAULT_CHECKS.interMs} ms; ${WARM} ticks to warm up, then ${MEASURED} measured…`);
for (let i = 0; i < WARM + MEASURED; i++) {
  await new Promise((r) => setTimeout(r, 1000));
  const a = performance.now();
  const snap = rt.snapshot();
  const b = performance.now();
  const patch = diffSnapshot(prev, snap);
  const c = performance.now();
  const text = JSON.stringify(patch);
  const d = performance.now();
  prev = snap;
  if (i < WARM) continue;
  t.snapshot.push(b - a);
  t.diff.push(c - b);
  t.json.push(d - c);
  t.total.push(d - a);
  bytes += text.length;
}
console.log(`snapshot ${stats(t.snapshot)}\ndiff     ${stats(t.diff)}\nJSON     ${stats(t.json)}\ntotal    ${stats(t.total)} (target < 5 ms)\ndelta    ${(bytes / MEASURED / 1024).toFixed(0)} KiB per tick; full snapshot ${(JSON.stringify(prev).length / 1024).toFixed(0)} KiB`);
rt.shutdown();
await Promise.all(demos.map((x) => x.close()));
rmSync(dir, { recursive: true, force: true });
