/**
 * IP addresses and networks as HAProxy's ACLs read them (configuration manual 7.1.6):
 * - IPv4 in dotted form, also abbreviated the inet_aton way (`10.12` = 10.0.0.12, `127.1` = 127.0.0.1),
 *   with an optional `/bits` or `/dotted.mask`;
 * - IPv6 in any textual form, with an optional `/bits`;
 * - an IPv4 sample matches an IPv6 pattern as `::ffff:a.b.c.d`; an IPv6 sample matches an IPv4 pattern when it
 *   is `::ffff:a.b.c.d`, `::a.b.c.d` or 6to4 `2002:AABB:CCDD::`.
 * Host names (which HAProxy resolves at load) are refused.
 */

/** A parsed network: IPv4 as an unsigned 32-bit number and mask, IPv6 as eight 16-bit groups and a prefix length. */
export type IpNet =
  | { readonly v: 4; readonly addr: number; readonly mask: number }
  | { readonly v: 6; readonly addr: Uint16Array; readonly bits: number };

/** A parsed address: the same shapes with a full mask. */
export type IpAddr = { readonly v: 4; readonly addr: number } | { readonly v: 6; readonly addr: Uint16Array };

const DEC = /^\d+$/;

/** Parse IPv4 the inet_aton way (decimal parts only): 1 to 4 parts, the last one filling the remaining bytes. */
export function parseIPv4(text: string): number | null {
  const parts = text.split('.');
  if (parts.length < 1 || parts.length > 4 || !parts.every((p) => DEC.test(p) && p.length <= 10)) return null;
  const n = parts.map(Number);
  const head = n.slice(0, -1);
  const last = n[n.length - 1];
  if (head.some((x) => x > 255)) return null;
  const lastBits = 8 * (4 - head.length);
  if (last >= 2 ** lastBits) return null;
  let v = 0;
  for (const x of head) v = v * 256 + x;
  return v * 2 ** lastBits + last;
}

/** Parse a full IPv6 address (with an optional `%zone`, and an IPv4 tail) into eight groups; null when malformed. */
export function parseIPv6(text: string): Uint16Array | null {
  let t = text;
  const zone = t.indexOf('%');
  if (zone >= 0) t = t.slice(0, zone);
  if (!t.includes(':')) return null;
  const lastColon = t.lastIndexOf(':');
  const maybeV4 = t.slice(lastColon + 1);
  if (maybeV4.includes('.')) {
    // an IPv4 tail stands for the last two groups
    if (maybeV4.split('.').length !== 4) return null;
    const v4 = parseIPv4(maybeV4);
    if (v4 === null) return null;
    t = `${t.slice(0, lastColon + 1)}${Math.floor(v4 / 65536).toString(16)}:${(v4 % 65536).toString(16)}`;
  }
  const halves = t.split('::');
  if (halves.length > 2) return null;
  const groups = (s: string): number[] | null => {
    if (s === '') return [];
    const out: number[] = [];
    for (const g of s.split(':')) {
      if (!/^[0-9a-fA-F]{1,4}$/.test(g)) return null;
      out.push(parseInt(g, 16));
    }
    return out;
  };
  const left = groups(halves[0]);
  const right = halves.length === 2 ? groups(halves[1]) : [];
  if (left === null || right === null) return null;
  const total = left.length + right.length;
  if (halves.length === 1 ? total !== 8 : total > 7) return null;
  const out = new Uint16Array(8);
  left.forEach((g, i) => (out[i] = g));
  right.forEach((g, i) => (out[8 - right.length + i] = g));
  return out;
}

/** Parse an address sample (IPv4, IPv6, or IPv4-mapped IPv6 reported by Node as `::ffff:a.b.c.d`). */
export function parseIp(text: string): IpAddr | null {
  if (!text.includes(':')) {
    if (text.split('.').length !== 4) return null;
    const v4 = parseIPv4(text);
    return v4 === null ? null : { v: 4, addr: v4 };
  }
  const v6 = parseIPv6(text);
  return v6 === null ? null : { v: 6, addr: v6 };
}

/** A netmask from `/bits` (0..32) or `/a.b.c.d` (contiguous or not, as HAProxy accepts). */
function v4Mask(text: string): number | null {
  if (DEC.test(text)) {
    const bits = Number(text);
    if (bits > 32) return null;
    return bits === 0 ? 0 : (0xffffffff << (32 - bits)) >>> 0;
  }
  if (text.split('.').length !== 4) return null;
  return parseIPv4(text);
}

/** Parse a pattern `addr[/mask]`; returns an error message for anything else (host names included). */
export function parseIpNet(text: string): IpNet | string {
  const bad = `'${text}' is not a valid IPv4 or IPv6 address`;
  const slash = text.indexOf('/');
  const addr = slash < 0 ? text : text.slice(0, slash);
  const mask = slash < 0 ? null : text.slice(slash + 1);
  if (addr.includes(':')) {
    const a = parseIPv6(addr);
    if (a === null) return bad;
    let bits = 128;
    if (mask !== null) {
      if (!DEC.test(mask) || Number(mask) > 128) return bad;
      bits = Number(mask);
    }
    return { v: 6, addr: a, bits };
  }
  const a = parseIPv4(addr);
  if (a === null) return /^[A-Za-z]/.test(addr) ? `'${text}': host names are not supported in IP patterns by lbd (write the address)` : bad;
  const m = mask === null ? 0xffffffff : v4Mask(mask);
  if (m === null) return bad;
  return { v: 4, addr: a, mask: m };
}

/** The IPv4 address carried by an IPv6 one (`::ffff:x`, `::x`, `2002:x::/16`), or null. */
function embeddedV4(a: Uint16Array): number | null {
  const zero = (from: number, to: number): boolean => a.slice(from, to).every((g) => g === 0);
  if (zero(0, 5) && (a[5] === 0xffff || a[5] === 0)) return a[6] * 65536 + a[7];
  if (a[0] === 0x2002) return a[1] * 65536 + a[2];
  return null;
}

/** `::ffff:a.b.c.d` for an IPv4 address. */
function mappedV6(v4: number): Uint16Array {
  const out = new Uint16Array(8);
  out[5] = 0xffff;
  out[6] = Math.floor(v4 / 65536);
  out[7] = v4 % 65536;
  return out;
}

function v6InNet(a: Uint16Array, net: Uint16Array, bits: number): boolean {
  let left = bits;
  for (let i = 0; i < 8 && left > 0; i++, left -= 16) {
    const take = Math.min(16, left);
    const m = (0xffff << (16 - take)) & 0xffff;
    if ((a[i] & m) !== (net[i] & m)) return false;
  }
  return true;
}

/** Whether an address is inside a network, with HAProxy's rules for mixing the two families. */
export function ipInNet(ip: IpAddr, net: IpNet): boolean {
  if (net.v === 4) {
    const v4 = ip.v === 4 ? ip.addr : embeddedV4(ip.addr);
    return v4 !== null && ((v4 & net.mask) >>> 0) === ((net.addr & net.mask) >>> 0);
  }
  return v6InNet(ip.v === 6 ? ip.addr : mappedV6(ip.addr), net.addr, net.bits);
}

/** The address text with an IPv4-mapped IPv6 prefix removed (`::ffff:1.2.3.4` → `1.2.3.4`), as HAProxy shows IPv4 clients. */
export function plainAddress(text: string): string {
  return text.startsWith('::ffff:') && text.indexOf('.') > 0 ? text.slice(7) : text;
}
