/**
 * The three shapes of `show stat`: CSV (default), `typed` (one `T.iid.sid.pos.name.1:tags:type:value`
 * line per non-empty field, `desc` appends the description) and `json` (an array of objects per row),
 * byte for byte as HAProxy 2.6 prints them (captures show_stat_*.csv, show_stat_typed*.txt, show_stat.json).
 */
import { CSV_HEADER, STAT_FIELDS, STAT_MODULE_SEPARATOR, type StatField } from './fields.js';
import type { ObjType, StatRow, StatValue } from './stat-rows.js';

/** HAProxy's csv_enc: quote a string only when it holds `,`, `"`, CR or LF; double the quotes inside. */
export function csvField(s: string): string {
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** Header line and one line per row, each field followed by a comma, the `-` column at 103. */
export function renderCsv(rows: readonly StatRow[]): string {
  let out = CSV_HEADER + '\n';
  for (const row of rows) {
    const v = row.values;
    let line = '';
    for (let i = 0; i < v.length; i++) {
      if (i === STAT_MODULE_SEPARATOR) line += '-,';
      const x = v[i];
      if (x !== undefined) line += typeof x === 'number' ? x : csvField(x);
      line += ',';
    }
    out += line + '\n';
  }
  return out;
}

const tagsOf = (f: StatField, t: ObjType): string => (t === 'B' ? f.backendTags : f.tags);

/** `typed`: empty fields are left out; an empty string stays (`…:str:`). */
export function renderTyped(rows: readonly StatRow[], desc: boolean): string {
  let out = '';
  for (const row of rows) {
    const head = `${row.objType}.${row.iid}.${row.sid}.`;
    row.values.forEach((x, pos) => {
      if (x === undefined) return;
      const f = STAT_FIELDS[pos]!;
      out += `${head}${pos}.${f.name}.1:${tagsOf(f, row.objType)}:${f.type}:${x}${desc ? `:"${f.desc}"` : ''}\n`;
    });
  }
  return out;
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

/** The JSON `value` object: numbers bare, strings JSON-escaped (HAProxy 2.6 writes them raw; the same for plain text). */
export function jsonValue(type: string, x: Exclude<StatValue, undefined>): string {
  return `{"type":"${type}","value":${typeof x === 'number' ? x : JSON.stringify(x)}}`;
}

const OBJ_TYPE: Record<ObjType, string> = { F: 'Frontend', B: 'Backend', S: 'Server', L: 'Listener' };

/** `json`: `[[{objType,proxyId,id,field,processNum,tags,value},…],…]` on one line; `desc` adds nothing, as in 2.6. */
export function renderJson(rows: readonly StatRow[]): string {
  const objs: string[] = [];
  for (const row of rows) {
    const head = `{"objType":"${OBJ_TYPE[row.objType]}","proxyId":${row.iid},"id":${row.sid},"field":{"pos":`;
    const fields: string[] = [];
    row.values.forEach((x, pos) => {
      if (x === undefined) return;
      const f = STAT_FIELDS[pos]!;
      fields.push(`${head}${pos},"name":"${f.name}"},"processNum":1,"tags":${jsonTags(tagsOf(f, row.objType))},"value":${jsonValue(f.type, x)}}`);
    });
    objs.push(`[${fields.join(',')}]`);
  }
  return `[${objs.join(',')}]\n`;
}
