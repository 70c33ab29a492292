/**
 * Reading a TLS ClientHello from the first bytes of a connection without terminating TLS, for
 * `req.ssl_hello_type` and `req.ssl_sni` (TLS passthrough routed on the server name).
 *
 * Pure and strictly bounded: every read is checked against what is buffered and against the lengths the
 * record itself declares; nothing is copied but the host name. The rules are HAProxy 2.6's
 * (`smp_fetch_ssl_hello_type`, `smp_fetch_ssl_hello_sni` in src/payload.c): only the first TLS record is
 * looked at (a ClientHello split over several records has no SNI for HAProxy, nor for lbd), the name is
 * returned as sent (not lower-cased: match it with `-i`), and each answer is one of
 * - `more`: not enough bytes yet to tell (with more data the answer may change);
 * - `none`: not a TLS hello, or one without that information (final: more data will not change it);
 * - `ok`: the value.
 */

/** The answer of a parse: need more bytes, definitely nothing, or a value. */
export type HelloResult<T> = { readonly state: 'more' } | { readonly state: 'none' } | { readonly state: 'ok'; readonly value: T };

const MORE: HelloResult<never> = { state: 'more' };
const NONE: HelloResult<never> = { state: 'none' };

/**
 * `req.ssl_hello_type`: the handshake message type of the first record (1 for a ClientHello), once the
 * whole handshake message is buffered. As in HAProxy, any SSLv3+ record type (0x14..0x17) is read as a
 * handshake header; an SSLv2-style hello, plain text or a record shorter than a handshake header is `none`.
 */
export function sslHelloType(data: Uint8Array): HelloResult<number> {
  const n = data.length;
  if (n === 0) return MORE;
  if (data[0] < 0x14 || data[0] > 0x17) return NONE;
  if (n < 9) return MORE;
  // record version >= 3.0, and room in the record for the type and the 3-byte length
  if (data[1] < 3) return NONE;
  if ((data[3] << 8) + data[4] < 4) return NONE;
  const hsLen = (data[6] << 16) + (data[7] << 8) + data[8];
  if (n < hsLen + 9) return MORE;
  return { state: 'ok', value: data[5] };
}

/** The smallest ClientHello that can carry an extension: version, random, session id, suites, compression, extensions. */
const MIN_HELLO = 2 + 32 + 1 + 2 + 2 + 1 + 1 + 2 + 2;

/**
 * `req.ssl_sni`: the host_name of the server_name extension of a ClientHello in the first record, as sent.
 * `more` until the whole ClientHello is buffered; `none` for anything that is not a well-formed TLS ≥ 1.0
 * ClientHello with a host name, or whose ClientHello runs past its record.
 */
export function sslSni(data: Uint8Array): HelloResult<string> {
  const n = data.length;
  if (n === 0) return MORE;
  if (data[0] !== 0x16) return NONE;
  if (n < 3) return MORE;
  if (data[1] < 3) return NONE;
  if (n < 5) return MORE;
  const recLen = (data[3] << 8) + data[4];
  if (recLen < 4 + MIN_HELLO) return NONE;
  if (n < 6) return MORE;
  if (data[5] !== 0x01) return NONE;
  if (n < 9) return MORE;
  let left = (data[6] << 16) + (data[7] << 8) + data[8];
  if (left < MIN_HELLO) return NONE;
  // the hello must fit in its record: HAProxy reads only the first one
  if (left > recLen - 4) return NONE;
  if (n < 9 + left) return MORE;
  let p = 9;
  if (data[p] < 3 || data[p + 1] < 1) return NONE; // TLS 1.0 at least
  const sidLen = data[p + 34];
  if (sidLen > 32 || sidLen > left - 35) return NONE;
  left -= 35 + sidLen;
  p += 35 + sidLen;
  const suites = left >= 2 ? (data[p] << 8) + data[p + 1] : 0;
  if (left < 4 || suites < 2 || suites > left - 2) return NONE;
  left -= 2 + suites;
  p += 2 + suites;
  if (left < 2 || data[p] < 1 || data[p] > left - 1) return NONE;
  left -= 1 + data[p];
  p += 1 + data[p];
  if (left < 2) return NONE;
  const extTotal = (data[p] << 8) + data[p + 1];
  if (extTotal > left - 2) return NONE;
  left = extTotal;
  p += 2;
  while (left >= 4) {
    const type = (data[p] << 8) + data[p + 1];
    const len = (data[p + 2] << 8) + data[p + 3];
    if (len > left - 4) return NONE;
    if (type === 0) return serverName(data, p + 4, len);
    left -= 4 + len;
    p += 4 + len;
  }
  return NONE;
}

/** The first entry of a server_name extension body at `p` (`len` bytes, all buffered): a host_name, or none. */
function serverName(data: Uint8Array, p: number, len: number): HelloResult<string> {
  if (len < 2) return NONE;
  const listLen = (data[p] << 8) + data[p + 1];
  if (listLen < 4 || listLen > len - 2) return NONE; // at least 4 bytes per server name, as HAProxy
  if (data[p + 2] !== 0) return NONE; // name_type host_name
  const nameLen = (data[p + 3] << 8) + data[p + 4];
  if (nameLen > listLen - 3) return NONE;
  return { state: 'ok', value: Buffer.from(data.buffer, data.byteOffset + p + 5, nameLen).toString('latin1') };
}
