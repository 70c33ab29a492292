/**
 * The servers view's model: backends with their servers as a tree of rows, filtered and sorted. Rows
 * are identified by a key (`b:<backend>`, `s:<backend>/<server>`), never by position, so the selection
 * follows a server across refreshes, sorts and filters. Sorting orders servers inside their backend:
 * the tree, which is how an operator thinks of the config, is never broken up.
 */
import type { BackendSnapshot, ServerSnapshot, Snapshot } from '../../shared/snapshot.js';
import { rateKey } from './rates.js';
import { STATE_STYLES, stateKind } from './status.js';

export interface BackendRow {
  kind: 'backend';
  key: string;
  backend: BackendSnapshot;
  collapsed: boolean;
  /** Servers shown under it (after the filter) and in all. */
  shown: number;
  total: number;
}

export interface ServerRow {
  kind: 'server';
  key: string;
  server: ServerSnapshot;
  /** The last server shown under its backend (tree glyph). */
  last: boolean;
}

export type TreeRow = BackendRow | ServerRow;

/** The sort orders `s` cycles through, in order. `config` is the configuration's order. */
export const SORTS = [
  { key: 'config', label: 'config order' },
  { key: 'state', label: 'state (worst first)' },
  { key: 'sessions', label: 'sessions' },
  { key: 'rate', label: 'session rate' },
  { key: 'name', label: 'name' },
] as const;

export type SortKey = (typeof SORTS)[number]['key'];

/** The sort after `k` in SORTS (wrapping). */
export function nextSort(k: SortKey): SortKey {
  const i = SORTS.findIndex((s) => s.key === k);
  return SORTS[(i + 1) % SORTS.length]!.key;
}

export function sortLabel(k: SortKey): string {
  return SORTS.find((s) => s.key === k)!.label;
}

/** A compiled `/` filter: a case-insensitive regular expression, or a plain substring when the text is
 *  not a valid expression (so `server-1(` still filters). Empty text is no filter. */
export interface Filter {
  text: string;
  regex: boolean;
  test(s: string): boolean;
}

export function compileFilter(text: string): Filter | null {
  if (text === '') return null;
  try {
    const re = new RegExp(text, 'i');
    return { text, regex: /[\\^$.*+?()[\]{}|]/.test(text), test: (s) => re.test(s) };
  } catch {
    const low = text.toLowerCase();
    return { text, regex: false, test: (s) => s.toLowerCase().includes(low) };
  }
}

/** What a server row is matched against: `backend/server`, its status and address. So `/DOWN` shows the
 *  servers that are down, `/via monitoring` the trackers of monitoring. */
export function serverHaystack(s: ServerSnapshot): string {
  return `${s.backend}/${s.name} ${s.status} ${s.addr}${s.tracks ? ` via ${s.tracks}` : ''}`;
}

export const treeKey = {
  backend: (b: string) => `b:${b}`,
  server: (b: string, s: string) => rateKey.server(b, s),
};

function compareServers(sort: SortKey): ((a: ServerSnapshot, b: ServerSnapshot) => number) | null {
  switch (sort) {
    case 'config':
      return null;
    case 'state':
      return (a, b) => STATE_STYLES[stateKind(a.status)].severity - STATE_STYLES[stateKind(b.status)].severity;
    case 'sessions':
      return (a, b) => b.counters.cur - a.counters.cur;
    case 'rate':
      return (a, b) => b.counters.rate - a.counters.rate;
    case 'name':
      return (a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);
  }
}

/**
 * The rows of the servers view. A backend is shown when its name or one of its servers matches the
 * filter (a matching backend name shows all its servers). Sorting is stable: equal servers keep the
 * configuration's order, so rows do not jump between refreshes.
 */
export function buildTree(snap: Snapshot, opts: { filter: Filter | null; sort: SortKey; collapsed: ReadonlySet<string> }): TreeRow[] {
  const rows: TreeRow[] = [];
  const cmp = compareServers(opts.sort);
  for (const b of snap.backends) {
    const whole = opts.filter ? opts.filter.test(b.name) : true;
    let servers = whole ? b.servers : b.servers.filter((s) => opts.filter!.test(serverHaystack(s)));
    if (!whole && servers.length === 0) continue;
    if (cmp) servers = servers.slice().sort(cmp);
    const collapsed = opts.collapsed.has(b.name);
    rows.push({ kind: 'backend', key: treeKey.backend(b.name), backend: b, collapsed, shown: servers.length, total: b.servers.length });
    if (collapsed) continue;
    servers.forEach((s, i) => rows.push({ kind: 'server', key: treeKey.server(b.name, s.name), server: s, last: i === servers.length - 1 }));
  }
  return rows;
}

/** Every server of the snapshot by `backend/server` (for actions and the detail view). */
export function findServer(snap: Snapshot, ref: string): ServerSnapshot | null {
  const i = ref.indexOf('/');
  if (i < 0) return null;
  const b = snap.backends.find((x) => x.name === ref.slice(0, i));
  return b?.servers.find((s) => s.name === ref.slice(i + 1)) ?? null;
}
