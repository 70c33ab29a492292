// Writes a parsed head back to bytes with edits, in one allocation. Lines already in canonical form
// ("Name: value\r\n") are copied as runs of raw bytes, others are rewritten canonically (bare LF
// becomes CRLF, extra whitespace goes), so a typical head costs a handful of copies. When nothing at
// all changes, the original bytes are returned as a view (no copy).
//
// The start line follows HAProxy's output: versions above 1.1 are sent as HTTP/1.1, 1.0 (and 0.9)
// keep theirs; a response without reason is written "HTTP/1.1 200 \r\n" as HAProxy does. Field names
// keep their case (HAProxy 2.6 lower-cases them; lbd does not need to). Fields marked skip (duplicates,
// hop-by-hop, dropped Content-Length) are left out.

import { CR, LF, SP, eqLower } from './bytes.js';
import { HeadKind } from './head.js';
import type { HttpHead } from './head.js';

/** Changes to apply while writing a head. Names are matched case-insensitively. */
export interface HeadEdits {
  /** Remove every field with one of these names (lower-case). */
  del?: readonly string[];
  /** Remove every field with this name, then append it with this value (HAProxy's set-header). */
  set?: ReadonlyArray<readonly [string, string]>;
  /** Append these fields (HAProxy's add-header). */
  add?: ReadonlyArray<readonly [string, string]>;
  /** Request line: replacement method and target. */
  method?: string;
  target?: string;
  /** Status line: replacement status and reason. */
  status?: number;
  reason?: string;
}

let drop = new Uint8Array(128);

const isCanonicalLine = (b: Buffer, ne: number, vs: number, ve: number) =>
  vs === ne + 2 && b[ne + 1] === SP && b[ve] === CR && b[ve + 1] === LF;

/** Mark in `drop` the fields to leave out; returns how many are dropped. */
function markDrops(h: HttpHead, edits: HeadEdits | null): number {
  if (drop.length < h.count) drop = new Uint8Array(h.count * 2);
  let n = 0;
  const b = h.buf;
  const o = h.offs;
  for (let i = 0; i < h.count; i++) {
    let d = h.skip[i];
    if (d === 0 && edits !== null) {
      const ns = o[4 * i];
      const ne = o[4 * i + 1];
      if (edits.del) for (const name of edits.del) if (eqLower(b, ns, ne, name)) { d = 1; break; }
      if (d === 0 && edits.set) for (const [name] of edits.set) if (eqLowerAnyCase(b, ns, ne, name)) { d = 1; break; }
    }
    drop[i] = d;
    n += d;
  }
  return n;
}

function eqLowerAnyCase(b: Buffer, s: number, e: number, name: string): boolean {
  if (e - s !== name.length) return false;
  for (let i = 0; i < name.length; i++) {
    let c = name.charCodeAt(i);
    if (c >= 0x41 && c <= 0x5a) c |= 0x20;
    let d = b[s + i];
    if (d >= 0x41 && d <= 0x5a) d |= 0x20;
    if (c !== d) return false;
  }
  return true;
}

function put(src: Buffer, s: number, e: number, dst: Buffer, o: number): number {
  const n = e - s;
  if (n > 24) src.copy(dst, o, s, e);
  else for (let i = 0; i < n; i++) dst[o + i] = src[s + i];
  return o + n;
}

/** Write a string as latin1; CR, LF and NUL become spaces so an edit can never split a line. */
export function putString(str: string, dst: Buffer, o: number): number {
  for (let i = 0; i < str.length; i++) {
    const c = str.charCodeAt(i) & 0xff;
    dst[o + i] = c === CR || c === LF || c === 0 ? SP : c;
  }
  return o + str.length;
}

function startLineCanonical(h: HttpHead, edits: HeadEdits | null): boolean {
  const b = h.buf;
  if (h.kind === HeadKind.REQUEST) {
    if (edits !== null && (edits.method !== undefined || edits.target !== undefined)) return false;
    const v = h.versionStart;
    return b[h.methodEnd] === SP && h.methodEnd + 1 === h.targetStart && b[h.targetEnd] === SP && h.targetEnd + 1 === v &&
      b[v + 8] === CR && b[v + 9] === LF && (h.versionMinor === 1 || h.versionMinor === 0) && h.versionMajor === 1;
  }
  if (h.kind === HeadKind.RESPONSE) {
    if (edits !== null && (edits.status !== undefined || edits.reason !== undefined)) return false;
    const s = h.start;
    return h.versionStart === s && b[s + 8] === SP && b[s + 12] === SP && h.reasonStart === s + 13 &&
      b[h.reasonEnd] === CR && b[h.reasonEnd + 1] === LF && h.versionMajor === 1 && h.versionMinor <= 1;
  }
  return true;
}

/** The start line's end (one past its LF) for a canonical start line. */
function startLineEnd(h: HttpHead): number {
  return h.kind === HeadKind.REQUEST ? h.versionStart + 10 : h.kind === HeadKind.RESPONSE ? h.reasonEnd + 2 : h.start;
}

/**
 * The head as bytes, with fields marked skip left out and `edits` applied. One Buffer; when nothing
 * changes and every line is canonical it is a view of head.buf (valid as long as that buffer is).
 * For trailers (HeadKind.TRAILERS) only the fields and the final empty line are written.
 */
export function serializeHead(h: HttpHead, edits: HeadEdits | null = null): Buffer {
  const b = h.buf;
  const o = h.offs;
  const dropped = markDrops(h, edits);
  const slCanon = startLineCanonical(h, edits);
  const noAdds = edits === null || ((!edits.set || edits.set.length === 0) && (!edits.add || edits.add.length === 0));

  // size, and whether the whole head is already canonical
  let size = 2;
  let allCanon = slCanon && dropped === 0 && noAdds;
  let method = '';
  let target = '';
  let reason = '';
  let statusText = '';
  if (slCanon) size += startLineEnd(h) - h.start;
  else if (h.kind === HeadKind.REQUEST) {
    method = edits?.method ?? h.method;
    target = edits?.target ?? h.target;
    size += method.length + target.length + 12;
  } else if (h.kind === HeadKind.RESPONSE) {
    statusText = String(edits?.status ?? h.status);
    reason = edits?.reason ?? h.reason;
    size += 12 + statusText.length + reason.length;
  }
  for (let i = 0; i < h.count; i++) {
    if (drop[i]) continue;
    const ns = o[4 * i], ne = o[4 * i + 1], vs = o[4 * i + 2], ve = o[4 * i + 3];
    size += ne - ns + ve - vs + 4;
    if (allCanon && !isCanonicalLine(b, ne, vs, ve)) allCanon = false;
  }
  if (allCanon) {
    const last = h.count > 0 ? o[4 * h.count - 1] + 2 : startLineEnd(h);
    if (b[last] === CR && h.end === last + 2) return b.subarray(h.start, h.end);
  }
  if (edits !== null) {
    if (edits.set) for (const [n, v] of edits.set) size += n.length + v.length + 4;
    if (edits.add) for (const [n, v] of edits.add) size += n.length + v.length + 4;
  }

  const out = Buffer.allocUnsafe(size);
  let w = 0;
  // source bytes [runStart, runEnd) still to copy: contiguous canonical pieces are merged into one copy
  let runStart = 0;
  let runEnd = 0;
  if (slCanon) {
    runStart = h.start;
    runEnd = startLineEnd(h);
  } else if (h.kind === HeadKind.REQUEST) {
    w = putString(method, out, w);
    out[w++] = SP;
    w = putString(target, out, w);
    out[w++] = SP;
    if (h.http11) w = putString('HTTP/1.1', out, w);
    else w = put(b, h.versionStart, h.versionStart + 8, out, w);
    out[w++] = CR; out[w++] = LF;
  } else if (h.kind === HeadKind.RESPONSE) {
    if (h.http11) w = putString('HTTP/1.1', out, w);
    else w = put(b, h.versionStart, h.versionStart + 8, out, w);
    out[w++] = SP;
    w = putString(statusText, out, w);
    out[w++] = SP;
    w = putString(reason, out, w);
    out[w++] = CR; out[w++] = LF;
  }
  for (let i = 0; i < h.count; i++) {
    if (drop[i]) continue;
    const ns = o[4 * i], ne = o[4 * i + 1], vs = o[4 * i + 2], ve = o[4 * i + 3];
    if (isCanonicalLine(b, ne, vs, ve)) {
      if (ns !== runEnd) {
        w = put(b, runStart, runEnd, out, w);
        runStart = ns;
      }
      runEnd = ve + 2;
      continue;
    }
    w = put(b, runStart, runEnd, out, w);
    runStart = runEnd = 0;
    w = put(b, ns, ne, out, w);
    out[w++] = 0x3a; out[w++] = SP;
    w = put(b, vs, ve, out, w);
    out[w++] = CR; out[w++] = LF;
  }
  // the final CRLF joins the run when it follows it in the source and nothing is appended
  const tail = noAdds && runEnd > 0 && runEnd === h.end - 2 && b[runEnd] === CR;
  w = put(b, runStart, tail ? h.end : runEnd, out, w);
  if (edits !== null) {
    if (edits.set) for (const [n, v] of edits.set) w = putField(n, v, out, w);
    if (edits.add) for (const [n, v] of edits.add) w = putField(n, v, out, w);
  }
  if (!tail) { out[w++] = CR; out[w++] = LF; }
  return w === size ? out : out.subarray(0, w);
}

function putField(name: string, value: string, out: Buffer, w: number): number {
  w = putString(name, out, w);
  out[w++] = 0x3a; out[w++] = SP;
  w = putString(value, out, w);
  out[w++] = CR; out[w++] = LF;
  return w;
}
