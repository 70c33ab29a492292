// Byte-level helpers shared by the HTTP/1 wire modules: character classes as 256-entry tables (one
// indexed load per byte in the hot loops, no regexes), latin1 decoding of a byte range, and
// case-insensitive comparison of a byte range with a lower-case ASCII name.

/** RFC 9110 §5.6.2 tchar: the bytes allowed in a method and in a header field name (1 = allowed). */
export const TOKEN = new Uint8Array(256);
for (const c of "!#$%&'*+-.^_`|~") TOKEN[c.charCodeAt(0)] = 1;
for (let c = 0x30; c <= 0x39; c++) TOKEN[c] = 1;
for (let c = 0x41; c <= 0x5a; c++) TOKEN[c] = 1;
for (let c = 0x61; c <= 0x7a; c++) TOKEN[c] = 1;

/** Hexadecimal digit values, -1 for anything else (chunk sizes). */
export const HEX = new Int8Array(256).fill(-1);
for (let i = 0; i < 10; i++) HEX[0x30 + i] = i;
for (let i = 0; i < 6; i++) { HEX[0x41 + i] = 10 + i; HEX[0x61 + i] = 10 + i; }

export const CR = 13;
export const LF = 10;
export const SP = 32;
export const HT = 9;
export const COLON = 58;

/** Lower-case an ASCII byte (other bytes unchanged). */
export function lower(c: number): number {
  return c >= 0x41 && c <= 0x5a ? c | 0x20 : c;
}

type Latin1 = { latin1Slice(start: number, end: number): string };

/** The bytes [start, end) as a string, one char per byte. Buffer's own latin1Slice skips toString's argument checks. */
export function latin1(buf: Buffer, start: number, end: number): string {
  return start >= end ? '' : (buf as unknown as Latin1).latin1Slice(start, end);
}

/** Whether buf[start, end) equals `name` ignoring ASCII case; `name` must be lower-case ASCII. */
export function eqLower(buf: Buffer, start: number, end: number, name: string): boolean {
  const n = name.length;
  if (end - start !== n) return false;
  for (let i = 0; i < n; i++) if (lower(buf[start + i]) !== name.charCodeAt(i)) return false;
  return true;
}

/** Whether two byte ranges are equal ignoring ASCII case (Host and authority comparisons). */
export function eqRangesLower(a: Buffer, as: number, ae: number, b: Buffer, bs: number, be: number): boolean {
  if (ae - as !== be - bs) return false;
  for (let i = 0; i < ae - as; i++) if (lower(a[as + i]) !== lower(b[bs + i])) return false;
  return true;
}

/** Whether a byte range holds exactly `text` (case-sensitive ASCII). */
export function eqBytes(buf: Buffer, start: number, end: number, text: string): boolean {
  const n = text.length;
  if (end - start !== n) return false;
  for (let i = 0; i < n; i++) if (buf[start + i] !== text.charCodeAt(i)) return false;
  return true;
}

/** Linear white space inside a field value (after unfolding). */
export function isLws(c: number): boolean {
  return c === SP || c === HT || c === CR || c === LF;
}

/**
 * Calls fn(ctx, buf, start, end) for each non-empty token of the comma-separated list in buf[p, e), trimmed
 * of LWS. `ctx` lets callers pass a module-level function (no closure allocated per header).
 */
export function forEachListToken<C>(buf: Buffer, p: number, e: number, fn: (ctx: C, buf: Buffer, start: number, end: number) => void, ctx: C): void {
  while (p < e) {
    while (p < e && (isLws(buf[p]) || buf[p] === 0x2c)) p++;
    const s = p;
    while (p < e && buf[p] !== 0x2c) p++;
    let t = p;
    while (t > s && isLws(buf[t - 1])) t--;
    if (t > s) fn(ctx, buf, s, t);
  }
}

/** Connection options a `Connection` token may carry (HAProxy's h1_parse_connection_header). */
export const CONN_CLOSE = 1;
export const CONN_KEEP_ALIVE = 2;
export const CONN_UPGRADE = 4;

/** Which connection option the token buf[s, t) is (CONN_*), or 0 when it names a field. */
export function connectionOption(buf: Buffer, s: number, t: number): number {
  const n = t - s;
  if (n === 5 && eqLower(buf, s, t, 'close')) return CONN_CLOSE;
  if (n === 10 && eqLower(buf, s, t, 'keep-alive')) return CONN_KEEP_ALIVE;
  if (n === 7 && eqLower(buf, s, t, 'upgrade')) return CONN_UPGRADE;
  return 0;
}
