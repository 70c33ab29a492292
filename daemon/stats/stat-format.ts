/**
 * The three shapes of `show stat`: CSV (default), `typed` (one `T.iid.sid.pos.name.1:tags:type:value`
 * line per non-empty field, `desc` appends the description) and `json` (an array of objects per row),
 * byte for byte as HAProxy 2.6 prints them (captures show_stat_*.csv, show_stat_typed*.txt, show_stat.json).
 */
import { CSV_HEADER, STAT_FIELDS, STAT_MODULE_SEPARATOR } from './fields.js';
import type { ObjType, StatRow, StatValue } from './stat-rows.js';

/** HAProxy's csv_enc: quote a string only when it holds `,`, `"`, CR or LF; double the quotes inside. */
export function csvField(s: string): string {
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** Header line and one line per row, each field followed by a comma, the `-` column at 103. */
export function renderCsv(rows: readonly StatRow[]): string {
  const lines: string[] = [CSV_HEADER];
  const f: StatValue[] = new Array(STAT_FIELDS.length + 1);
  for (const row of rows) {
    const v = row.values;
    for (let i = 0; i < v.length; i++) {
      const x = v[i];
      f[i < STAT_MODULE_SEPARATOR ? i : i + 1] = typeof x === 'string' ? csvField(x) : x;
    }
    f[STAT_MODULE_SEPARATOR] = '-';
    lines.push(f.join(',') + ','); // join prints undefined as an empty field
  }
  return lines.join('\n') + '\n';
}

/** Per field and row kind, the fixed part of a typed line after `T.iid.sid.`: `pos.name.1:tags:type:`. */
const TYPED_PREFIX = (t: 'B' | 'other'): string[] =>
  STAT_FIELDS.map((f) => `${f.pos}.${f.name}.1:${t === 'B' ? f.backendTags : f.tags}:${f.type}:`);
const TYPED_B = TYPED_PREFIX('B');
const TYPED_OTHER = TYPED_PREFIX('other');
const TYPED_DESC = STAT_FIELDS.map((f) => `:"${f.desc}"`);

/** `typed`: empty fields are left out; an empty string stays (`…:str:`). */
export function renderTyped(rows: readonly StatRow[], desc: boolean): string {
  const lines: string[] = [];
  for (const row of rows) {
    const head = `${row.objType}.${row.iid}.${row.sid}.`;
    const pre = row.objType === 'B' ? TYPED_B : TYPED_OTHER;
    const v = row.values;
    for (let pos = 0; pos < v.length; pos++) {
      const x = v[pos];
      if (x === undefined) continue;
      lines.push(desc ? head + pre[pos] + x + TYPED_DESC[pos] : head + pre[pos] + x);
    }
  }
  return lines.length ? lines.join('\n') + '\n' : '';
}

const ORIGIN: Record<string, string> = { M: 'Metric', S: 'Status', K: 'Key', C: 'Config', P: 'Product' };
const NATURE: Record<string, string> = {
  G: 'Gauge', L: 'Limit', m: 'Min', M: 'Max', R: 'Rate', C: 'Counter', D: 'Duration', A: 'Age', T: 'Time', N: 'Name', O: 'Output', a: 'Avg',
};
const SCOPE: Record<string, string> = { P: 'Process', S: 'Service', s: 'System', C: 'Cluster' };

/** The JSON `tags` object for a three-letter tag string (`MGP` → Metric, Gauge, Process). */
export function jsonTags(tags: string): string {
  return `{"origin":"${ORIGIN[tags[0]!] ?? 'Unknown'}","nature":"${NATURE[tags[1]!] ?? 'Unknown'}","scope":"${SCOPE[tags[2]!] ?? 'Unknown'}"}`;
}

const OBJ_TYPE: Record<ObjType, string> = { F: 'Frontend', B: 'Backend', S: 'Server', L: 'Listener' };

/** Per field and row kind, the fixed middle of a JSON element: `pos…,"value":{"type":"u32","value":`. */
const JSON_PART = (t: 'B' | 'other'): string[] =>
  STAT_FIELDS.map(
    (f) => `${f.pos},"name":"${f.name}"},"processNum":1,"tags":${jsonTags(t === 'B' ? f.backendTags : f.tags)},"value":{"type":"${f.type}","value":`,
  );
const JSON_B = JSON_PART('B');
const JSON_OTHER = JSON_PART('other');

/** `json`: `[[{objType,proxyId,id,field,processNum,tags,value},…],…]` on one line; `desc` adds nothing, as in 2.6. */
export function renderJson(rows: readonly StatRow[]): string {
  const objs: string[] = [];
  for (const row of rows) {
    const head = `{"objType":"${OBJ_TYPE[row.objType]}","proxyId":${row.iid},"id":${row.sid},"field":{"pos":`;
    const part = row.objType === 'B' ? JSON_B : JSON_OTHER;
    const fields: string[] = [];
    const v = row.values;
    for (let pos = 0; pos < v.length; pos++) {
      const x = v[pos];
      if (x === undefined) continue;
      fields.push(head + part[pos] + (typeof x === 'number' ? x : JSON.stringify(x)) + '}}');
    }
    objs.push(`[${fields.join(',')}]`);
  }
  return `[${objs.join(',')}]\n`;
}
