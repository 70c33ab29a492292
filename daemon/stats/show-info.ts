/**
 * `show info [typed|json|desc|float]`: every key HAProxy 2.6 prints, in its order, with lbd's values.
 *
 * Choices, checked against the tools that read it (../shared/reference/haproxy-runtime-api.md §4.3, §5):
 * - `Name: lbd`, `Version: <lbd version>`, `Release_date: <lbd's date>`: hatop needs the three as one
 *   non-blank word each (it only displays them); haproxy_exporter turns Version and Release_date into
 *   labels; the Datadog legacy check splits every line on ':' so no value may contain one (none does).
 * - hatop's other required keys are all here with integers: Nbproc/Process_num 1, Pid, Uptime
 *   (`0d 0h09m06s`), Maxconn, CurrConns, Maxpipes/PipesUsed 0, Tasks, Run_queue, and a lower-case `node`
 *   (the host name, as HAProxy's default, never empty or spaced).
 * - Idle_pct (haproxy_exporter 0.15 reads it) comes from the caller (event loop idle time), 100 without.
 * - lbd has one thread and one process, no SSL, pipes, compression, peers, memory pools or resolvers:
 *   those keys print HAProxy's zero. Tasks counts running checks and sessions (HAProxy's tasks are those
 *   and more), Jobs listeners and sessions, Listeners the bound proxy listeners, TotalBytesOut the bytes
 *   sent to clients and servers; SessRate equals ConnRate (every lbd connection is one session).
 */
import type { Snapshot } from '../../shared/snapshot.js';
import { hostname } from 'node:os';
import { INFO_FIELDS, type InfoField } from './info-fields.js';
import { jsonTags } from './stat-format.js';

/** lbd's release date, as HAProxy prints its own (`YYYY/MM/DD`); bump with package.json's version. */
export const RELEASE_DATE = '2026/11/21';

/** HAProxy's default `node`: the host name (never empty nor spaced: hatop reads it as `\S+`). */
const HOSTNAME = hostname().replace(/\s+/g, '') || 'localhost';

export interface ShowInfoOptions {
  format: 'plain' | 'typed' | 'json';
  /** Append each key's description (plain and typed; JSON ignores it, as HAProxy 2.6). */
  desc: boolean;
  /** Uptime, start time and rates with decimals (type `flt`). */
  float: boolean;
  /** `node` (HAProxy: global `node`, default the host name). */
  node?: string;
  /** `description` line after `node`, only when set (global `description`). */
  description?: string;
  /** Idle_pct: percent of the last second the event loop waited; default 100. */
  idlePct?: number;
}

type InfoValue = string | number | undefined;

/** `%f` then HAProxy's flt_trim: six decimals without trailing zeros (`21.718045`, `0`). */
export function formatFloat(x: number): string {
  const s = x.toFixed(6);
  return s.replace(/\.?0+$/, '') || '0';
}

/** `Xd Hh MMm SSs`, HAProxy's uptime text (`0d 0h09m06s`). */
export function formatUptime(sec: number): string {
  const d = Math.floor(sec / 86400);
  const h = Math.floor((sec % 86400) / 3600);
  const m = Math.floor((sec % 3600) / 60);
  const s = sec % 60;
  return `${d}d ${h}h${String(m).padStart(2, '0')}m${String(s).padStart(2, '0')}s`;
}

/** lbd's value for every key (undefined: not printed). Floats are numbers the renderer formats. */
function values(snap: Snapshot, opts: ShowInfoOptions): Map<string, InfoValue> {
  const p = snap.process;
  const upMs = Math.max(0, p.now - p.startedAt);
  let listeners = 0;
  let bytesOut = 0;
  let tasks = p.currConns;
  for (const fe of snap.frontends) {
    bytesOut += fe.counters.bytesOut;
    if (!fe.configDisabled) for (const l of fe.listeners) if (l.status !== 'STOP') listeners++;
  }
  for (const be of snap.backends) {
    bytesOut += be.counters.bytesIn;
    for (const s of be.servers) if (s.ownCheck.enabled && !s.ownCheck.paused) tasks++;
  }
  const v = new Map<string, InfoValue>();
  const set = (k: string, x: InfoValue) => v.set(k, x);
  set('Name', 'lbd');
  set('Version', p.version);
  set('Release_date', RELEASE_DATE);
  set('Nbthread', 1);
  set('Nbproc', 1);
  set('Process_num', 1);
  set('Pid', p.pid);
  set('Uptime', formatUptime(Math.floor(upMs / 1000)));
  set('Uptime_sec', opts.float ? upMs / 1000 : Math.floor(upMs / 1000));
  set('Maxconn', p.maxconn);
  set('Hard_maxconn', p.maxconn);
  set('CurrConns', p.currConns);
  set('CumConns', p.cumConns);
  set('ConnRate', p.connRate);
  set('MaxConnRate', p.connRateMax);
  set('SessRate', p.connRate);
  set('MaxSessRate', p.connRateMax);
  set('Tasks', tasks);
  set('Idle_pct', Math.round(opts.idlePct ?? 100));
  set('node', opts.node || HOSTNAME);
  set('description', opts.description || undefined);
  set('Stopping', p.stopping ? 1 : 0);
  set('Jobs', listeners + p.currConns);
  set('Listeners', listeners);
  set('TotalBytesOut', bytesOut);
  set('Build info', p.version);
  set('Start_time_sec', opts.float ? p.startedAt / 1000 : Math.floor(p.startedAt / 1000));
  set('Tainted', '0');
  return v;
}

/** The value as printed: decimals for `float` fields, HAProxy's zero for keys lbd has no value for. */
function printed(f: InfoField, v: Map<string, InfoValue>, float: boolean): string | number | undefined {
  if (!v.has(f.name)) return f.type === 'str' ? '' : 0;
  const x = v.get(f.name);
  if (x === undefined) return undefined;
  return float && f.float && typeof x === 'number' ? formatFloat(x) : x;
}

/** `show info …`: the answer text without the final empty line. */
export function showInfo(snap: Snapshot, opts: ShowInfoOptions): string {
  const v = values(snap, opts);
  const float = opts.float;
  if (opts.format === 'json') {
    const items: string[] = [];
    for (const f of INFO_FIELDS) {
      const x = printed(f, v, float);
      if (x === undefined) continue;
      const isFlt = float && f.float;
      const tags = isFlt ? f.floatTags : f.tags;
      const val = typeof x === 'number' || isFlt ? String(x) : JSON.stringify(x);
      items.push(`{"field":{"pos":${f.pos},"name":"${f.name}"},"processNum":1,"tags":${jsonTags(tags)},"value":{"type":"${isFlt ? 'flt' : f.type}","value":${val}}}`);
    }
    return `[${items.join(',')}]\n`;
  }
  let out = '';
  for (const f of INFO_FIELDS) {
    const x = printed(f, v, float);
    if (x === undefined) continue;
    const d = opts.desc ? `:"${f.desc}"` : '';
    if (opts.format === 'typed') {
      const isFlt = float && f.float;
      out += `${f.pos}.${f.name}.1:${isFlt ? f.floatTags : f.tags}:${isFlt ? 'flt' : f.type}:${x}${d}\n`;
    } else out += `${f.name}: ${x}${d}\n`;
  }
  return out;
}
