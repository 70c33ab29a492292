/**
 * Shared by the stats-*.test.ts files: a runtime built from a config text (no listeners, manual clock,
 * scripted check results per port), the HAProxy 2.6 captures beside this file, and a strict CSV reader.
 */
import { readFileSync } from 'node:fs';
import { Runtime } from '../../daemon/runtime/runtime.js';
import { ManualClock } from '../../daemon/runtime/clock.js';
import { memoryLogger } from '../../daemon/log.js';
import { parseConfigText } from '../../daemon/config/index.js';
import type { Probe } from '../../daemon/health/probe-types.js';
import type { HealthCheckConfig } from '../../daemon/config/types.js';
import type { CheckResult } from '../../shared/check-status.js';
import type { Snapshot } from '../../shared/snapshot.js';
import type { ShowStatOptions } from '../../daemon/stats/index.js';

/** A capture of HAProxy 2.6.12 (test/unit/stats-captures, copied from ../shared/reference). */
export function capture(name: string): string {
  return readFileSync(new URL(`../../../test/unit/stats-captures/${name}`, import.meta.url), 'utf8');
}

/** The captures' hap.cfg, with the global maxconn HAProxy derived there (9985) so limits compare. */
export function hapCfg(): string {
  return capture('hap.cfg').replace('global\n', 'global\n    maxconn 9985\n');
}

export const OK: CheckResult = { status: 'L7OK', code: 200, durationMs: 1, info: '' };
export const L4OK: CheckResult = { status: 'L4OK', code: null, durationMs: 0, info: '' };
export const S503: CheckResult = { status: 'L7STS', code: 503, durationMs: 1, info: 'Service Unavailable' };

export const CSV: ShowStatOptions = { format: 'csv', desc: false, up: false, noMaint: false, iid: -1, type: -1, sid: -1 };

/**
 * A runtime on `text`, checks answered per port from `results` (default: L7OK 200 for HTTP checks, L4OK
 * otherwise), or by `answer` first when it returns a result (e.g. by the check's URI).
 */
export async function harness(text: string, answer?: (chk: HealthCheckConfig, port: number) => CheckResult | undefined) {
  const loaded = await parseConfigText(text, 'test.cfg', { env: {}, resolveHost: async (h: string) => (h === 'localhost' ? '127.0.0.1' : null) });
  if (!loaded.config) throw new Error(loaded.diagnostics.map((d) => d.message).join('\n'));
  const clock = new ManualClock();
  /** Per port: the result of every check, or 'hang' for a check that never finishes (in progress). */
  const results = new Map<number, CheckResult | 'hang'>();
  const probe: Probe = (chk, target) => {
    const r = answer?.(chk, target.port) ?? results.get(target.port) ?? (chk.type === 'http' ? OK : L4OK);
    return r === 'hang' ? new Promise<CheckResult>(() => {}) : Promise.resolve(r);
  };
  const rt = new Runtime({ clock, log: memoryLogger(), probe, listen: false });
  await rt.apply(loaded.config);
  /** Advance time in small steps, letting probe promises settle between them. */
  const tick = async (ms: number) => {
    for (let t = 0; t < ms; t += 10) {
      clock.advance(10);
      await new Promise((r) => setImmediate(r));
    }
  };
  const server = (key: string) => {
    const [b, s] = key.split('/') as [string, string];
    const found = rt.findServer(b, s);
    if (!found) throw new Error(`no server ${key}`);
    return found;
  };
  /** The snapshot, with frontends shown OPEN as if listening (unit tests open no socket). */
  const snap = (): Snapshot => {
    const s = rt.snapshot();
    for (const fe of s.frontends) if (fe.status === 'STOP' && !fe.configDisabled) fe.status = 'OPEN';
    return s;
  };
  return { rt, clock, results, tick, server, snap };
}

export interface Csv {
  header: string[];
  rows: string[][];
  /** Row by `pxname/svname`. */
  row(key: string): Record<string, string>;
}

/**
 * A strict reader, as Telegraf and haproxy_exporter are: the `# ` header, every line ending with a comma,
 * every row with the header's field count, the answer ending with its last line (no blank line inside).
 */
export function readCsv(text: string): Csv {
  const lines = text.split('\n');
  if (lines.at(-1) === '') lines.pop();
  if (lines.at(-1) === '') lines.pop(); // a capture keeps the CLI's final empty line
  const head = lines[0]!;
  if (!head.startsWith('# ')) throw new Error('no "# " header');
  const header = head.slice(2).split(',');
  const rows: string[][] = [];
  for (const l of lines.slice(1)) {
    if (l === '') throw new Error('empty line inside the answer');
    if (!l.endsWith(',')) throw new Error(`line without trailing comma: ${l.slice(0, 40)}`);
    const f = l.split(',');
    if (f.length !== header.length) throw new Error(`${f.length} fields instead of ${header.length}: ${l.slice(0, 40)}`);
    rows.push(f);
  }
  const row = (key: string): Record<string, string> => {
    const r = rows.find((x) => `${x[0]}/${x[1]}` === key);
    if (!r) throw new Error(`no row ${key}`);
    return Object.fromEntries(header.map((h, i) => [h, r[i]!]));
  };
  return { header, rows, row };
}

/** Columns whose values depend on time, traffic or history, not on configuration and state. */
export const TIME_OR_TRAFFIC = new Set([
  'lastchg', 'downtime', 'check_duration', 'lastsess',
  // HAProxy counts its HTTP checks in the backend's h1 mux counters; lbd's checks do not go through a mux
  'h1_total_connections', 'h1_total_streams', 'h1_bytes_in', 'h1_bytes_out',
]);

/**
 * Compare two CSV answers column by column: same header, same rows in the same order, the same
 * empty/non-empty pattern everywhere, and the same values except in `valuesIgnored` columns; `skipped`
 * columns (features lbd does not have) are not compared at all.
 * Returns the differences as `row column: lbd != haproxy` lines (empty when equal).
 */
export function diffCsv(lbd: string, haproxy: string, valuesIgnored: ReadonlySet<string> = TIME_OR_TRAFFIC, skipped: ReadonlySet<string> = new Set()): string[] {
  const a = readCsv(lbd);
  const b = readCsv(haproxy);
  const out: string[] = [];
  if (a.header.join(',') !== b.header.join(',')) out.push('header differs');
  const keys = (c: Csv) => c.rows.map((r) => `${r[0]}/${r[1]}`);
  if (keys(a).join(' ') !== keys(b).join(' ')) out.push(`rows: ${keys(a).join(' ')} != ${keys(b).join(' ')}`);
  for (const key of keys(b)) {
    if (!keys(a).includes(key)) continue;
    const x = a.row(key);
    const y = b.row(key);
    for (const col of b.header) {
      if (skipped.has(col)) continue;
      const same = valuesIgnored.has(col) ? (x[col] === '') === (y[col] === '') : x[col] === y[col];
      if (!same) out.push(`${key} ${col}: '${x[col]}' != '${y[col]}'`);
    }
  }
  return out;
}
