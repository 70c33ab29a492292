/**
 * The PROXY protocol (HAProxy's `doc/proxy-protocol.txt`), versions 1 (text) and 2 (binary): a header a
 * proxy sends first on a connection to tell the next hop the client's real addresses.
 *
 * `parseProxyHeader` is pure and incremental: it is given everything received so far and answers
 * `more` (a valid prefix, send more bytes), `error` (with a reason), or `done` with the addresses and
 * the offset where the payload starts. It rejects as early as it can (a wrong first byte is an error
 * at once, not after 107 bytes), so a client that is not speaking the protocol is turned away quickly.
 */
import { isIPv4, isIPv6 } from 'node:net';
import type { Conn, Endpoints } from './conn.js';
import { pairFamily, readIPv4, readIPv6, writeIPv4, writeIPv6 } from './ip-bytes.js';

/** The v2 signature: `\r\n\r\n\0\r\nQUIT\n`. */
export const V2_SIGNATURE = Buffer.from([0x0d, 0x0a, 0x0d, 0x0a, 0x00, 0x0d, 0x0a, 0x51, 0x55, 0x49, 0x54, 0x0a]);
/** The v1 line's longest form, CRLF included (`PROXY TCP6` with two full IPv6 addresses and ports). */
export const V1_MAX_LENGTH = 107;
const V1_PREFIX = Buffer.from('PROXY ', 'latin1');

export type ProxyHeaderParse =
  | { readonly state: 'more' }
  | { readonly state: 'error'; readonly reason: string }
  | {
      readonly state: 'done';
      readonly version: 1 | 2;
      /** The client's addresses; null for `PROXY UNKNOWN`, a v2 LOCAL command or an unspecified family (keep the connection's own). */
      readonly endpoints: Endpoints | null;
      /** Offset of the first payload byte in the buffer. */
      readonly end: number;
    };

const MORE: ProxyHeaderParse = { state: 'more' };
const err = (reason: string): ProxyHeaderParse => ({ state: 'error', reason });

/** Parse a PROXY header (v1 or v2, told apart by the first byte) from the bytes received so far. */
export function parseProxyHeader(buf: Buffer): ProxyHeaderParse {
  if (buf.length === 0) return MORE;
  if (buf[0] === 0x0d) return parseV2(buf);
  if (buf[0] === 0x50) return parseV1(buf);
  return err('not a PROXY protocol header');
}

/** A decimal port: digits only, no sign, 0..65535 (HAProxy refuses anything else). */
function port(t: string): number | null {
  if (!/^[0-9]{1,5}$/.test(t)) return null;
  const n = Number(t);
  return n <= 65535 ? n : null;
}

function parseV1(buf: Buffer): ProxyHeaderParse {
  const n = Math.min(buf.length, V1_PREFIX.length);
  for (let i = 0; i < n; i++) if (buf[i] !== V1_PREFIX[i]) return err('not a PROXY protocol header');
  const lf = buf.indexOf(0x0a, 0);
  if (lf < 0 || lf >= V1_MAX_LENGTH) return buf.length >= V1_MAX_LENGTH ? err(`PROXY v1 line longer than ${V1_MAX_LENGTH} bytes`) : MORE;
  if (lf === 0 || buf[lf - 1] !== 0x0d) return err('PROXY v1 line not ended by CRLF');
  const line = buf.toString('latin1', V1_PREFIX.length, lf - 1);
  // UNKNOWN: the rest of the line is ignored, the connection's own addresses are kept
  if (line === 'UNKNOWN' || line.startsWith('UNKNOWN ')) return { state: 'done', version: 1, endpoints: null, end: lf + 1 };
  const f = line.split(' ');
  if (f.length !== 5) return err('PROXY v1 line needs TCP4|TCP6 <src> <dst> <sport> <dport>');
  const [proto, src, dst, sp, dp] = f;
  const ok = proto === 'TCP4' ? isIPv4 : proto === 'TCP6' ? isIPv6 : null;
  if (ok === null) return err(`PROXY v1 protocol '${proto}' is not TCP4, TCP6 or UNKNOWN`);
  if (!ok(src) || !ok(dst)) return err(`PROXY v1 ${proto} addresses are invalid`);
  const srcPort = port(sp);
  const dstPort = port(dp);
  if (srcPort === null || dstPort === null) return err('PROXY v1 ports are invalid');
  return { state: 'done', version: 1, endpoints: { src, srcPort, dst, dstPort }, end: lf + 1 };
}

function parseV2(buf: Buffer): ProxyHeaderParse {
  const n = Math.min(buf.length, V2_SIGNATURE.length);
  for (let i = 0; i < n; i++) if (buf[i] !== V2_SIGNATURE[i]) return err('not a PROXY protocol header');
  if (buf.length < 16) {
    if (buf.length > 12 && buf[12] >> 4 !== 2) return err(`PROXY v2 version ${buf[12] >> 4} is not 2`);
    return MORE;
  }
  const ver = buf[12] >> 4;
  const cmd = buf[12] & 0x0f;
  if (ver !== 2) return err(`PROXY v2 version ${ver} is not 2`);
  if (cmd > 1) return err(`PROXY v2 command ${cmd} is neither LOCAL nor PROXY`);
  const fam = buf[13];
  const len = buf.readUInt16BE(14);
  const end = 16 + len;
  // addresses of a LOCAL command are ignored but the family must still be one the protocol defines
  const need = fam === 0x11 ? 12 : fam === 0x21 ? 36 : fam === 0x00 ? 0 : -1;
  if (need < 0) return err(`PROXY v2 family 0x${fam.toString(16).padStart(2, '0')} is not TCP over IPv4 or IPv6`);
  if (len < need) return err(`PROXY v2 length ${len} is too short for its family`);
  if (buf.length < end) return MORE;
  const tlvErr = checkTlvs(buf, 16 + need, end);
  if (tlvErr !== null) return err(tlvErr);
  if (cmd === 0 || fam === 0x00) return { state: 'done', version: 2, endpoints: null, end };
  const v4 = fam === 0x11;
  const a = 16;
  const endpoints: Endpoints = v4
    ? { src: readIPv4(buf, a), dst: readIPv4(buf, a + 4), srcPort: buf.readUInt16BE(a + 8), dstPort: buf.readUInt16BE(a + 10) }
    : { src: readIPv6(buf, a), dst: readIPv6(buf, a + 16), srcPort: buf.readUInt16BE(a + 32), dstPort: buf.readUInt16BE(a + 34) };
  return { state: 'done', version: 2, endpoints, end };
}

/** TLVs after the addresses are skipped, but each must fit in the announced length. */
function checkTlvs(buf: Buffer, from: number, end: number): string | null {
  let i = from;
  while (i < end) {
    if (end - i < 3) return 'PROXY v2 TLV truncated';
    const l = buf.readUInt16BE(i + 1);
    if (i + 3 + l > end) return 'PROXY v2 TLV longer than the header';
    i += 3 + l;
  }
  return null;
}

/**
 * The v1 line for a connection: `PROXY TCP4|TCP6 <src> <dst> <sport> <dport>\r\n` (IPv4-mapped
 * addresses are sent as IPv4 when both are), or `PROXY UNKNOWN\r\n` when there are no IP endpoints.
 */
export function encodeV1(e: Endpoints | null): Buffer {
  const p = e && pairFamily(e.src, e.dst);
  if (!e || !p) return Buffer.from('PROXY UNKNOWN\r\n', 'latin1');
  return Buffer.from(`PROXY TCP${p.family} ${p.src} ${p.dst} ${e.srcPort} ${e.dstPort}\r\n`, 'latin1');
}

/**
 * The v2 header: PROXY command over TCP4/TCP6 with the endpoints, or a LOCAL command with an
 * unspecified family and no addresses when `e` is null (what HAProxy sends on health checks).
 */
export function encodeV2(e: Endpoints | null): Buffer {
  const p = e && pairFamily(e.src, e.dst);
  const alen = !p ? 0 : p.family === 4 ? 12 : 36;
  const out = Buffer.alloc(16 + alen);
  V2_SIGNATURE.copy(out, 0);
  out[12] = p ? 0x21 : 0x20;
  out[13] = !p ? 0x00 : p.family === 4 ? 0x11 : 0x21;
  out.writeUInt16BE(alen, 14);
  if (e && p) {
    if (p.family === 4) {
      writeIPv4(p.src, out, 16);
      writeIPv4(p.dst, out, 20);
    } else {
      writeIPv6(p.src, out, 16);
      writeIPv6(p.dst, out, 32);
    }
    out.writeUInt16BE(e.srcPort, 16 + alen - 4);
    out.writeUInt16BE(e.dstPort, 16 + alen - 2);
  }
  return out;
}

/** The PROXY header for a server connection: the client's addresses (those its own PROXY header gave, if any). */
export function proxyHeaderFor(client: Pick<Conn, 'endpoints'>, version: 1 | 2): Buffer {
  const e = client.endpoints();
  return version === 2 ? encodeV2(e) : encodeV1(e);
}
