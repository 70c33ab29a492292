/**
 * `lbctl top` when stdout is not a terminal (piped, redirected, cron): one snapshot printed as plain
 * text and exit, like `top -b -n 1`. Same lines as the console (header, servers tree, frontends),
 * without colour, cursor or hints, at $COLUMNS or 160 cells. Two snapshots `intervalMs` apart (at most
 * a second) so byte rates are real rates, not zeros.
 */
import type { Snapshot } from '../../shared/snapshot.js';
import type { TopClient } from './feed.js';
import { glyphsFor } from './glyphs.js';
import { headerLines } from './header.js';
import { text, type Line } from './line.js';
import { RateHistory } from './rates.js';
import { buildTree } from './tree.js';
import { frontendLines, frontendRows } from './view-frontends.js';
import { serverLines } from './view-servers.js';

/** The plain-text report of a snapshot (the rate history gives the byte rates and sparklines). */
export function plainReport(snap: Snapshot, rates: RateHistory, opts: { width: number; ascii: boolean; now: number }): string {
  const g = glyphsFor(opts.ascii);
  const w = opts.width;
  const vctx = { g, now: opts.now, rates };
  const feedLike = { conn: { kind: 'open' as const }, welcome: null, snapshot: snap, receivedAt: opts.now, events: [], version: 0 };
  const out: Line[] = [...headerLines(feedLike, rates, w, g, { readOnly: false, intervalMs: 1000, compact: false }, opts.now), []];
  const rows = buildTree(snap, { filter: null, sort: 'config', collapsed: new Set() });
  const s = serverLines(snap, rows, w, vctx);
  out.push(s.title, ...s.lines, []);
  const fr = frontendRows(snap);
  const f = frontendLines(snap, fr, w, vctx);
  out.push(f.title, ...f.lines);
  return out.map((l) => text(l).trimEnd()).join('\n') + '\n';
}

/** Connect, take two snapshots, print the report, close. Resolves with the exit code (3: unreachable). */
export async function printOnce(client: TopClient, opts: { intervalMs: number; ascii: boolean; width: number; out: (s: string) => void; err: (s: string) => void }): Promise<number> {
  try {
    await client.connect();
    const rates = new RateHistory(opts.intervalMs);
    const first = (await client.request('snapshot', {})).snapshot;
    rates.add(first);
    await new Promise((r) => setTimeout(r, Math.min(1000, opts.intervalMs)));
    const snap = (await client.request('snapshot', {})).snapshot;
    rates.add(snap);
    opts.out(plainReport(snap, rates, { width: opts.width, ascii: opts.ascii, now: Date.now() }));
    return 0;
  } catch (e) {
    const code = (e as { code?: string }).code;
    opts.err(`lbctl top: ${(e as Error).message}\n`);
    return code === 'version-mismatch' ? 4 : code === 'unreachable' || code === 'timeout' || code === 'disconnected' ? 3 : 1;
  } finally {
    await client.close();
  }
}
