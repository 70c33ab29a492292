// Request-target forms (RFC 9112 §3.2) and the Host checks HAProxy 2.6 applies to them:
// an absolute-form authority must agree with Host (a default port on either side may be omitted), a
// CONNECT target must be host:port and agree with Host, an origin-form target is refused for CONNECT.
// Verified against HAProxy 2.6.12 (test/fixtures/http/malformed-cases.ts) and its h1_host_normalization
// regression test.

import { eqRangesLower, lower } from './bytes.js';
import { Method, TargetForm } from './head.js';
import type { HttpHead } from './head.js';
import type { WireError } from './wire-error.js';

const isAlpha = (c: number) => (c | 0x20) >= 0x61 && (c | 0x20) <= 0x7a;
const isDigit = (c: number) => c >= 0x30 && c <= 0x39;

/**
 * Position of the ':' that starts a port at the end of buf[s, e) (the digits after it may be none),
 * or -1 when the value does not end in ':<digits>' (HAProxy's http_get_host_port).
 */
function portColon(buf: Buffer, s: number, e: number): number {
  let p = e;
  while (p > s && isDigit(buf[p - 1])) p--;
  return p > s && buf[p - 1] === 0x3a ? p - 1 : -1;
}

/** Whether buf[s, e) is the port `port` exactly (digits compared as bytes, as HAProxy does). */
function portIs(buf: Buffer, s: number, e: number, port: string): boolean {
  if (e - s !== port.length) return false;
  for (let i = 0; i < port.length; i++) if (buf[s + i] !== port.charCodeAt(i)) return false;
  return true;
}

/** HAProxy's http_is_default_port: an empty port is a default one; 80 for http, 443 for https; either without a scheme. */
function isDefaultPort(buf: Buffer, ps: number, pe: number, scheme: 'http' | 'https' | 'other' | null): boolean {
  if (ps === pe) return true;
  if (scheme === null) return portIs(buf, ps, pe, '80') || portIs(buf, ps, pe, '443');
  if (scheme === 'http') return portIs(buf, ps, pe, '80');
  if (scheme === 'https') return portIs(buf, ps, pe, '443');
  return false;
}

/** Name the scheme of buf[s, e) (without "://"), case-insensitively. */
function schemeKind(buf: Buffer, s: number, e: number): 'http' | 'https' | 'other' {
  const n = e - s;
  if ((n === 4 || n === 5) && lower(buf[s]) === 0x68 && lower(buf[s + 1]) === 0x74 && lower(buf[s + 2]) === 0x74 && lower(buf[s + 3]) === 0x70) {
    if (n === 4) return 'http';
    if (lower(buf[s + 4]) === 0x73) return 'https';
  }
  return 'other';
}

/**
 * Classify the request-target and check it against the method and the Host header; sets targetForm
 * and the authority offsets on the head. Returns null when acceptable, else the reason (answered 400).
 *  - origin-form ("/..."): any method but CONNECT;
 *  - asterisk-form ("*" alone): OPTIONS or an unknown method (newer HAProxy's rule; 2.6.12 also lets
 *    GET * through: lbd is stricter, see the table);
 *  - absolute-form (scheme "://" authority [path]): not for CONNECT; with a Host header and a
 *    non-empty authority, both must name the same host and port, a missing or empty port standing for
 *    the scheme's default one;
 *  - authority-form (host:port): CONNECT only, port required; Host, if present, must match (80 and
 *    443 are both default ports there).
 */
export function checkTarget(h: HttpHead): WireError | null {
  const buf = h.buf;
  const s = h.targetStart;
  const e = h.targetEnd;
  const connect = h.methodId === Method.CONNECT;
  const c0 = buf[s];

  if (c0 === 0x2f) { // '/'
    h.targetForm = TargetForm.ORIGIN;
    return connect ? 'bad-target' : null;
  }
  if (c0 === 0x2a) { // '*'
    h.targetForm = TargetForm.ASTERISK;
    if (e - s !== 1) return 'bad-target';
    return h.methodId === Method.OPTIONS || h.methodId === Method.OTHER ? null : 'bad-target';
  }

  // scheme = ALPHA *( ALPHA / DIGIT / "+" / "-" / "." ) followed by "://"
  let p = s;
  let schemeEnd = -1;
  if (isAlpha(c0)) {
    p++;
    while (p < e) {
      const c = buf[p];
      if (isAlpha(c) || isDigit(c) || c === 0x2b || c === 0x2d || c === 0x2e) p++;
      else break;
    }
    if (p + 2 < e && buf[p] === 0x3a && buf[p + 1] === 0x2f && buf[p + 2] === 0x2f) schemeEnd = p;
  }

  if (schemeEnd < 0) {
    if (!connect) return 'bad-target';
    h.targetForm = TargetForm.AUTHORITY;
    return checkConnect(h, s, e);
  }
  if (connect) return 'bad-target'; // newer HAProxy's rule; 2.6.12 forwards CONNECT http://h:443/ (see the table)

  h.targetForm = TargetForm.ABSOLUTE;
  // authority: up to the next '/', userinfo (up to the last '@') removed
  let as = schemeEnd + 3;
  let ae = as;
  while (ae < e && buf[ae] !== 0x2f) {
    if (buf[ae] === 0x40) as = ae + 1;
    ae++;
  }
  h.authorityStart = as;
  h.authorityEnd = ae;
  if (h.hostIndex < 0 || ae === as) return null;
  const hs = h.offs[4 * h.hostIndex + 2];
  const he = h.offs[4 * h.hostIndex + 3];
  if (eqRangesLower(buf, as, ae, buf, hs, he)) return null;
  return authorityMatchesHost(buf, as, ae, hs, he, schemeKind(buf, s, schemeEnd)) ? null : 'host-mismatch';
}

/** HAProxy's h1_validate_mismatch_authority: equal names, and the port given on one side is the default one. */
function authorityMatchesHost(buf: Buffer, as: number, ae: number, hs: number, he: number, scheme: 'http' | 'https' | 'other'): boolean {
  const uc = portColon(buf, as, ae);
  const hc = portColon(buf, hs, he);
  if (uc < 0 && hc < 0) return false;
  if (uc >= 0 && !isDefaultPort(buf, uc + 1, ae, scheme)) return false;
  if (hc >= 0 && !isDefaultPort(buf, hc + 1, he, scheme)) return false;
  return eqRangesLower(buf, as, uc < 0 ? ae : uc, buf, hs, hc < 0 ? he : hc);
}

/** HAProxy's h1_validate_connect_authority: host:port with a port; Host equal, or without port when the port is 80/443. */
function checkConnect(h: HttpHead, s: number, e: number): WireError | null {
  const buf = h.buf;
  let as = s;
  for (let p = s; p < e; p++) if (buf[p] === 0x40) as = p + 1;
  h.authorityStart = as;
  h.authorityEnd = e;
  const uc = portColon(buf, as, e);
  if (uc < 0 || uc + 1 === e) return 'bad-authority';
  if (h.hostIndex < 0) return null;
  const hs = h.offs[4 * h.hostIndex + 2];
  const he = h.offs[4 * h.hostIndex + 3];
  const hc = portColon(buf, hs, he);
  if (hc >= 0 && hc + 1 < he) {
    const sameHost = eqRangesLower(buf, as, uc, buf, hs, hc);
    const samePort = he - hc === e - uc && buf.compare(buf, uc, e, hc, he) === 0;
    return sameHost && samePort ? null : 'host-mismatch';
  }
  return isDefaultPort(buf, uc + 1, e, null) && eqRangesLower(buf, as, uc, buf, hs, hc < 0 ? he : hc) ? null : 'host-mismatch';
}
