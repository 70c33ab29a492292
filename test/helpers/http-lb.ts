/**
 * lbd in-process for HTTP integration tests: a config text (with `${name}` ports filled in) applied to a
 * Runtime listening on 127.0.0.1, and `show stat` read back as rows keyed `proxy/svname`.
 */
import assert from 'node:assert/strict';
import { Runtime } from '../../daemon/runtime/runtime.js';
import { memoryLogger } from '../../daemon/log.js';
import { runProbe } from '../../daemon/health/probe.js';
import { parseConfigText } from '../../daemon/config/index.js';
import { showStat } from '../../daemon/stats/index.js';
import { freePort } from './net.js';

export interface Lb {
  rt: Runtime;
  /** The frontend port: the first `bind` in the config (`${fe}`), plus any `${fe2}` … asked for. */
  port: number;
  ports: Record<string, number>;
  /** `show stat` rows as objects, keyed `pxname/svname` (FRONTEND, BACKEND or the server name). */
  stat(): Record<string, Record<string, string>>;
  /** One numeric field of one row. */
  num(row: string, field: string): number;
  close(): Promise<void>;
}

/**
 * Start lbd from `text`. `${fe}` (and any other `${name}` not given in `vars`) is replaced by a free
 * port; `vars` fills the rest (backend ports).
 */
export async function startLb(text: string, vars: Record<string, number | string> = {}): Promise<Lb> {
  const ports: Record<string, number> = {};
  const names = [...new Set([...text.matchAll(/\$\{(\w+)\}/g)].map((m) => m[1]!))];
  for (const n of names) if (!(n in vars)) ports[n] = await freePort();
  const filled = text.replace(/\$\{(\w+)\}/g, (_, n: string) => String(vars[n] ?? ports[n]));
  const loaded = await parseConfigText(filled, 'http-test.cfg');
  assert.ok(loaded.config, `config rejected:\n${loaded.diagnostics.map((d) => `${d.where?.line ?? ''}: ${d.message}`).join('\n')}\n${filled}`);
  const rt = new Runtime({ log: memoryLogger(), probe: runProbe });
  await rt.apply(loaded.config);
  const stat = () => {
    const csv = showStat(rt.snapshot(), { format: 'csv', desc: false, up: false, noMaint: false, iid: -1, type: -1, sid: -1 });
    const lines = csv.split('\n').filter((l) => l.length > 0);
    const header = lines[0]!.replace(/^# /, '').split(',');
    const rows: Record<string, Record<string, string>> = {};
    for (const l of lines.slice(1)) {
      const cells = l.split(',');
      const row: Record<string, string> = {};
      header.forEach((h, i) => (row[h] = cells[i] ?? ''));
      rows[`${row.pxname}/${row.svname}`] = row;
    }
    return rows;
  };
  return {
    rt,
    port: ports.fe ?? Number(vars.fe),
    ports,
    stat,
    num(row, field) {
      const r = stat()[row];
      assert.ok(r, `no stat row ${row}; rows: ${Object.keys(stat()).join(' ')}`);
      assert.ok(field in r, `no stat field ${field}`);
      return Number(r[field] || 0);
    },
    async close() {
      await rt.closeListeners();
      rt.shutdown();
    },
  };
}

/** The usual defaults for these tests: http mode, short but safe timeouts. */
export const DEFAULTS = `
defaults
  mode http
  timeout connect 1s
  timeout client 5s
  timeout server 5s
`;
