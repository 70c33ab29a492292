/**
 * `show stat [{<iid>|<proxy>} <type> <sid>] [typed|json] [desc] [up|no-maint]`: which rows, in which
 * order. Proxies in config order (lbd numbers them in file order, as HAProxy does, so by id): FRONTEND,
 * servers, BACKEND; a `listen` is one proxy with both. Proxies `disabled` in the config are left out, as
 * HAProxy leaves out stopped proxies. No listener rows: they need `option socket-stats`, which lbd refuses.
 */
import type { BackendSnapshot, FrontendSnapshot, ServerSnapshot, Snapshot } from '../../shared/snapshot.js';
import { ADMIN } from '../../shared/snapshot.js';
import { backendRow, frontendRow, fullconnOf, serverRow, type RowContext, type StatRow } from './stat-rows.js';
import { renderCsv, renderJson, renderTyped } from './stat-format.js';

export interface ShowStatOptions {
  /** `typed` / `json` output; `desc` adds descriptions (typed only: HAProxy 2.6's CSV and JSON ignore it). */
  format: 'csv' | 'typed' | 'json';
  desc: boolean;
  /** `up`: only servers that are UP; `no-maint`: hide servers in maintenance. */
  up: boolean;
  noMaint: boolean;
  /** `{<iid>|<proxy>} <type> <sid>` filter: proxy iid (-1 all), type bitmask (1 frontend, 2 backend, 4 server, -1 all), sid (-1 all). */
  iid: number;
  type: number;
  sid: number;
  /**
   * Fill the "legend" columns addr, cookie and algo. HAProxy leaves them empty on a socket bound at
   * `level user` (the socket's level, not the session's). Default true.
   */
  legends?: boolean;
}

/** Row type bits of the `<type>` filter. */
export const STAT_TYPE = Object.freeze({ FRONTEND: 1, BACKEND: 2, SERVER: 4, LISTENER: 8 });

/**
 * A `<proxy>` word of the filter as HAProxy resolves it: a proxy name (a frontend before a backend of the
 * same name, so `myApp` is the frontend's id), else the number itself (an unknown number just matches
 * nothing). Returns null where HAProxy answers `No such proxy.` (unknown name, 0, not a number).
 */
export function resolveStatProxy(snap: Snapshot, word: string): number | null {
  const fe = snap.frontends.find((f) => f.name === word);
  if (fe) return fe.id;
  const be = snap.backends.find((b) => b.name === word);
  if (be) return be.id;
  const n = parseInt(word, 10); // atoi: leading digits, else 0
  return Number.isNaN(n) || n === 0 ? null : n;
}

/**
 * The words after `show stat`, as HAProxy 2.6 reads them: a filter only when three words are there
 * (`<proxy> <type> <sid>`, non-numbers read as 0), then the modifiers in any order, unknown words ignored.
 * Returns the error text for `No such proxy.`.
 */
export function parseShowStatArgs(snap: Snapshot, args: readonly string[]): ShowStatOptions | { error: string } {
  const opts: ShowStatOptions = { format: 'csv', desc: false, up: false, noMaint: false, iid: -1, type: -1, sid: -1 };
  let i = 0;
  if (args[0] === 'domain') {
    i = 2; // `domain proxy` is the default view
  }
  if (args[i] && args[i + 1] && args[i + 2]) {
    const iid = resolveStatProxy(snap, args[i]!);
    if (iid === null) return { error: 'No such proxy.' };
    opts.iid = iid;
    opts.type = parseInt(args[i + 1]!, 10) || 0;
    opts.sid = parseInt(args[i + 2]!, 10) || 0;
    i += 3;
  }
  for (; i < args.length; i++) {
    const w = args[i];
    if (w === 'typed') opts.format = 'typed';
    else if (w === 'json') opts.format = 'json';
    else if (w === 'desc') opts.desc = true;
    else if (w === 'up') opts.up = true;
    else if (w === 'no-maint') opts.noMaint = true;
  }
  return opts;
}

/**
 * HAProxy's `up` filter: hide servers in maintenance and servers that are down and not on their way up
 * (unchecked, or health 0). `DOWN 1/2` stays listed. The health that counts is the end of the track chain's.
 */
function hiddenByUp(s: ServerSnapshot): boolean {
  if (s.admin & ADMIN.MAINT) return true;
  if (s.op !== 'down') return false;
  const ref = s.check;
  return !ref || !ref.enabled || ref.health === 0;
}

function wanted(mask: number, bit: number): boolean {
  return (mask & bit) !== 0;
}

/** The rows `show stat` prints for these options, in HAProxy's order. */
export function statRows(snap: Snapshot, opts: ShowStatOptions): StatRow[] {
  const ctx: RowContext = {
    now: snap.process.now,
    maxconn: snap.process.maxconn,
    legends: opts.legends ?? true,
    countServers: opts.up || opts.noMaint,
    fullconn: fullconnOf(snap.frontends, snap.process.maxconn),
  };
  // proxies by id: a listen section's frontend and backend share one
  const proxies = new Map<number, { fe?: FrontendSnapshot; be?: BackendSnapshot }>();
  for (const fe of snap.frontends) if (!fe.configDisabled) proxies.set(fe.id, { ...proxies.get(fe.id), fe });
  for (const be of snap.backends) if (!be.configDisabled) proxies.set(be.id, { ...proxies.get(be.id), be });
  const ids = [...proxies.keys()].sort((a, b) => a - b);
  const rows: StatRow[] = [];
  for (const id of ids) {
    if (opts.iid !== -1 && opts.iid !== id) continue;
    const { fe, be } = proxies.get(id)!;
    if (fe && wanted(opts.type, STAT_TYPE.FRONTEND)) rows.push(frontendRow(fe, ctx));
    if (!be) continue;
    if (wanted(opts.type, STAT_TYPE.SERVER)) {
      for (const s of be.servers) {
        if (opts.sid !== -1 && opts.sid !== s.id) continue;
        if (opts.noMaint && s.admin & ADMIN.MAINT) continue;
        if (opts.up && hiddenByUp(s)) continue;
        rows.push(serverRow(s, be, ctx));
      }
    }
    if (wanted(opts.type, STAT_TYPE.BACKEND)) rows.push(backendRow(be, ctx));
  }
  return rows;
}

/** `show stat …`: the answer text without the final empty line (the CLI adds it). */
export function showStat(snap: Snapshot, opts: ShowStatOptions): string {
  const rows = statRows(snap, opts);
  if (opts.format === 'typed') return renderTyped(rows, opts.desc);
  if (opts.format === 'json') return renderJson(rows);
  return renderCsv(rows);
}
