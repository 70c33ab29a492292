/**
 * IP addresses as bytes and back, for the binary PROXY protocol (v2), without allocating a URL or a
 * socket address per call. Text forms follow Node's (`::ffff:1.2.3.4`, compressed IPv6 in lower case).
 */
import { isIPv4, isIPv6 } from 'node:net';

/** `::ffff:a.b.c.d` → `a.b.c.d` (a dual-stack socket reports IPv4 peers in this form); anything else unchanged. */
export function unmapIPv4(a: string): string {
  return a.length > 7 && a.slice(0, 7).toLowerCase() === '::ffff:' && isIPv4(a.slice(7)) ? a.slice(7) : a;
}

/** Write a valid IPv4 text as 4 bytes at `off`. */
export function writeIPv4(a: string, out: Buffer, off: number): void {
  const p = a.split('.');
  for (let i = 0; i < 4; i++) out[off + i] = Number(p[i]);
}

/** Write a valid IPv6 text (`::` and an embedded IPv4 tail allowed) as 16 bytes at `off`. */
export function writeIPv6(a: string, out: Buffer, off: number): void {
  const groups: number[] = [];
  const parse = (part: string): number[] => {
    if (part === '') return [];
    const out: number[] = [];
    for (const g of part.split(':')) {
      if (g.includes('.')) {
        const b = g.split('.').map(Number);
        out.push((b[0] << 8) | b[1], (b[2] << 8) | b[3]);
      } else out.push(parseInt(g, 16));
    }
    return out;
  };
  const dbl = a.indexOf('::');
  if (dbl < 0) groups.push(...parse(a));
  else {
    const head = parse(a.slice(0, dbl));
    const tail = parse(a.slice(dbl + 2));
    groups.push(...head, ...new Array<number>(8 - head.length - tail.length).fill(0), ...tail);
  }
  for (let i = 0; i < 8; i++) out.writeUInt16BE(groups[i], off + 2 * i);
}

/** 4 bytes → dotted quad. */
export function readIPv4(b: Buffer, off: number): string {
  return `${b[off]}.${b[off + 1]}.${b[off + 2]}.${b[off + 3]}`;
}

/** 16 bytes → compressed IPv6 text (longest run of two or more zero groups as `::`, IPv4-mapped as `::ffff:a.b.c.d`). */
export function readIPv6(b: Buffer, off: number): string {
  const g: number[] = [];
  for (let i = 0; i < 8; i++) g.push(b.readUInt16BE(off + 2 * i));
  if (g[0] === 0 && g[1] === 0 && g[2] === 0 && g[3] === 0 && g[4] === 0 && g[5] === 0xffff) return `::ffff:${readIPv4(b, off + 12)}`;
  let best = -1;
  let bestLen = 1;
  for (let i = 0; i < 8; ) {
    if (g[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && g[j] === 0) j++;
    if (j - i > bestLen) {
      best = i;
      bestLen = j - i;
    }
    i = j;
  }
  const hex = g.map((x) => x.toString(16));
  if (best < 0) return hex.join(':');
  return `${hex.slice(0, best).join(':')}::${hex.slice(best + bestLen).join(':')}`;
}

/** The family of a pair of endpoints for a PROXY header: both IPv4 (after unmapping) → 4, both IP → 6, else null. */
export function pairFamily(src: string, dst: string): { family: 4 | 6; src: string; dst: string } | null {
  const s = unmapIPv4(src);
  const d = unmapIPv4(dst);
  if (isIPv4(s) && isIPv4(d)) return { family: 4, src: s, dst: d };
  if ((isIPv6(s) || isIPv4(s)) && (isIPv6(d) || isIPv4(d))) {
    return { family: 6, src: isIPv4(s) ? `::ffff:${s}` : s, dst: isIPv4(d) ? `::ffff:${d}` : d };
  }
  return null;
}
