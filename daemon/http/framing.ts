// Message body framing (RFC 9112 §6) and connection semantics, decided from a parsed head the way
// HAProxy 2.6.12 does (each rule checked against it, see test/fixtures/http/malformed-cases.ts):
//  - Transfer-Encoding (all fields, in order, case-insensitive): no empty field or element, chunked at
//    most once and last; a request whose last coding is not chunked is refused (400), one with other
//    codings before chunked gets HAProxy's 422; a response with anything but plain chunked is a 502.
//  - Transfer-Encoding with Content-Length: the Content-Length fields are dropped (marked skip) and the
//    connection closes after the message (RFC 9112 §6.1: a smuggling attempt or an old 1.0 hop);
//    Transfer-Encoding in an HTTP/1.0 message also closes it.
//  - Content-Length: every field and every element of a comma list must be the same decimal number
//    (leading zeros, surrounding blanks allowed); the copies are marked skip and `contentLengthRewrite`
//    says when the kept field is not already the plain number; empty, signed, hex, overflow → 400/502.
//  - Responses to HEAD, 1xx, 204 and 304 have no body (Content-Length is dropped from 1xx and 204);
//    2xx to CONNECT and 101 (only when the request asked to upgrade) switch to a tunnel;
//    a response without length is read until the server closes.
//  - Keep-alive: HTTP/1.1 unless "Connection: close"; HTTP/1.0 only with "Connection: keep-alive".

import { CONN_CLOSE, CONN_KEEP_ALIVE, CONN_UPGRADE, connectionOption, eqLower, forEachListToken, isLws } from './bytes.js';
import { Hdr, Method } from './head.js';
import type { HttpHead } from './head.js';
import { RESPONSE_ERROR_STATUS, requestErrorStatus } from './wire-error.js';
import type { WireError } from './wire-error.js';

/** How a message body is delimited. */
export const enum Body { NONE = 0, LENGTH, CHUNKED, UNTIL_CLOSE, TUNNEL }


/** The framing facts of one message; reuse one per connection side (the functions overwrite every field). */
export class Framing {
  body: Body = Body.NONE;
  /** The Content-Length when body is LENGTH (also set, informative, for HEAD/204/304 responses). */
  length = 0;
  /** Another message may follow on this connection after this one (per this message; a proxy ANDs both sides). */
  keepAlive = true;
  /** "Connection: close", "keep-alive" and "upgrade" tokens seen in this message. */
  connClose = false;
  connKeepAlive = false;
  connUpgrade = false;
  /** Request: HTTP/1.1 with "Expect: 100-continue" (RFC 9110 §10.1.1: ignored in 1.0). */
  expectContinue = false;
  /** Request: asks to switch protocols (Connection: upgrade and an Upgrade field). Response: 101 or 2xx to CONNECT. */
  upgrade = false;
  /** Response: 1xx other than 101, another response head follows. */
  interim = false;
  /** Index of the Content-Length field kept (-1 if none), and whether its value must be rewritten as `length`. */
  contentLengthIndex = -1;
  contentLengthRewrite = false;
  /** When a function returns false: why, and the status to answer (request) or 502 (response). */
  error: WireError | null = null;
  status = 0;

  reset(): void {
    this.body = Body.NONE;
    this.length = 0;
    this.keepAlive = true;
    this.connClose = this.connKeepAlive = this.connUpgrade = false;
    this.expectContinue = this.upgrade = this.interim = false;
    this.contentLengthIndex = -1;
    this.contentLengthRewrite = false;
    this.error = null;
    this.status = 0;
  }
}

/** Parse every Connection field's tokens into f.conn* (HAProxy's h1_parse_connection_header). */
function connectionTokens(h: HttpHead, f: Framing): void {
  if (!h.has(Hdr.CONNECTION)) return;
  for (let i = 0; i < h.count; i++) if (h.ids[i] === Hdr.CONNECTION) forEachListToken(h.buf, h.offs[4 * i + 2], h.offs[4 * i + 3], connectionToken, f);
}

function connectionToken(f: Framing, buf: Buffer, s: number, t: number): void {
  const o = connectionOption(buf, s, t);
  if (o === CONN_CLOSE) f.connClose = true;
  else if (o === CONN_KEEP_ALIVE) f.connKeepAlive = true;
  else if (o === CONN_UPGRADE) f.connUpgrade = true;
}

/**
 * Content-Length over every field: the common value, or -1 (invalid). Marks the copies after the first
 * field skip and notes whether the first must be rewritten (HAProxy forwards one field, the number alone).
 */
function contentLength(h: HttpHead, f: Framing): number {
  const buf = h.buf;
  let value = -1;
  for (let i = 0; i < h.count; i++) {
    if (h.ids[i] !== Hdr.CONTENT_LENGTH) continue;
    let p = h.offs[4 * i + 2];
    const e = h.offs[4 * i + 3];
    let words = 0;
    for (;;) {
      while (p < e && isLws(buf[p])) p++;
      if (p >= e) return -1; // empty field, or nothing after a comma
      const ds = p;
      let v = 0;
      while (p < e && buf[p] >= 0x30 && buf[p] <= 0x39) {
        v = v * 10 + (buf[p] - 0x30);
        p++;
      }
      if (p === ds || v > Number.MAX_SAFE_INTEGER) return -1;
      if (buf[ds] === 0x30 && p - ds > 1) f.contentLengthRewrite = true;
      while (p < e && isLws(buf[p])) p++;
      if (value >= 0 && v !== value) return -1;
      value = v;
      words++;
      if (p >= e) break;
      if (buf[p] !== 0x2c) return -1;
      p++;
    }
    if (f.contentLengthIndex < 0) {
      f.contentLengthIndex = i;
      if (words > 1) f.contentLengthRewrite = true;
    } else h.skip[i] = 1;
  }
  return value;
}

const TE_OK = 0;
const TE_BAD = 1; // 400 / 502
const TE_OTHER = 2; // codings other than chunked before it: 422 on a request

/**
 * Transfer-Encoding over every field, as HAProxy 2.6.12's h1_parse_xfer_enc_header walks it: elements
 * split on commas, leading blanks skipped; an empty element (", chunked") counts as a coding other
 * than chunked; a comma at the very end ends the list ("chunked," is chunked); chunked twice, or a
 * request coding after chunked, is an error; the list must end with chunked.
 */
function transferEncoding(h: HttpHead, request: boolean): number {
  const buf = h.buf;
  let chunked = false;
  let lastChunked = false;
  let other = false;
  for (let i = 0; i < h.count; i++) {
    if (h.ids[i] !== Hdr.TRANSFER_ENCODING) continue;
    const e = h.offs[4 * i + 3];
    for (let p = h.offs[4 * i + 2]; p < e; p++) {
      if (isLws(buf[p])) continue;
      const s = p;
      while (p < e && buf[p] !== 0x2c) p++;
      let t = p;
      while (t > s && isLws(buf[t - 1])) t--;
      if (t - s === 7 && eqLower(buf, s, t, 'chunked')) {
        if (chunked) return TE_BAD;
        chunked = lastChunked = true;
      } else {
        if (request && chunked) return TE_BAD;
        other = true;
        lastChunked = false;
      }
    }
  }
  if (!lastChunked) return TE_BAD;
  return other ? TE_OTHER : TE_OK;
}

function fail(f: Framing, code: WireError, status: number): false {
  f.error = code;
  f.status = status;
  return false;
}

/**
 * Decide a request's body framing, keep-alive, Expect and Upgrade. Returns false with f.error and
 * f.status (400, or 422 for codings before chunked) when the request must be refused unforwarded.
 */
export function requestFraming(h: HttpHead, f: Framing): boolean {
  f.reset();
  connectionTokens(h, f);
  f.keepAlive = h.http11 ? !f.connClose : f.connKeepAlive && !f.connClose;
  if (h.has(Hdr.TRANSFER_ENCODING)) {
    const te = transferEncoding(h, true);
    if (te === TE_BAD) return fail(f, 'bad-transfer-encoding', 400);
    if (te === TE_OTHER) return fail(f, 'unsupported-transfer-encoding', requestErrorStatus('unsupported-transfer-encoding'));
    f.body = Body.CHUNKED;
    if (h.has(Hdr.CONTENT_LENGTH) || !h.http11) f.keepAlive = false;
    if (h.has(Hdr.CONTENT_LENGTH)) {
      for (let i = 0; i < h.count; i++) if (h.ids[i] === Hdr.CONTENT_LENGTH) h.skip[i] = 1;
    }
  } else if (h.has(Hdr.CONTENT_LENGTH)) {
    const n = contentLength(h, f);
    if (n < 0) return fail(f, 'bad-content-length', 400);
    f.length = n;
    f.body = n > 0 ? Body.LENGTH : Body.NONE;
  }
  if (h.http11 && h.has(Hdr.EXPECT)) {
    const i = h.find('expect');
    f.expectContinue = eqLower(h.buf, h.offs[4 * i + 2], h.offs[4 * i + 3], '100-continue');
  }
  f.upgrade = f.connUpgrade && h.has(Hdr.UPGRADE);
  return true;
}

/**
 * Decide a response's body framing from its head, the request's method and whether the request asked
 * to upgrade. Returns false with f.error (f.status 502) when the response is malformed and must not
 * reach the client (HAProxy also refuses a 101 nobody asked for).
 */
export function responseFraming(h: HttpHead, requestMethod: Method, requestUpgrade: boolean, f: Framing): boolean {
  f.reset();
  connectionTokens(h, f);
  f.keepAlive = h.http11 ? !f.connClose : f.connKeepAlive && !f.connClose;
  let body = Body.UNTIL_CLOSE;
  if (h.has(Hdr.TRANSFER_ENCODING)) {
    if (transferEncoding(h, false) !== TE_OK) return fail(f, 'bad-transfer-encoding', RESPONSE_ERROR_STATUS);
    body = Body.CHUNKED;
    if (h.has(Hdr.CONTENT_LENGTH) || !h.http11) f.keepAlive = false;
    if (h.has(Hdr.CONTENT_LENGTH)) {
      for (let i = 0; i < h.count; i++) if (h.ids[i] === Hdr.CONTENT_LENGTH) h.skip[i] = 1;
    }
  } else if (h.has(Hdr.CONTENT_LENGTH)) {
    const n = contentLength(h, f);
    if (n < 0) return fail(f, 'bad-content-length', RESPONSE_ERROR_STATUS);
    f.length = n;
    body = Body.LENGTH;
  }
  const s = h.status;
  if (s < 200 || s === 204) {
    // RFC 9110 §8.6: no Content-Length in 1xx and 204; HAProxy removes it
    if (f.contentLengthIndex >= 0) for (let i = 0; i < h.count; i++) if (h.ids[i] === Hdr.CONTENT_LENGTH) h.skip[i] = 1;
    f.contentLengthIndex = -1;
    f.contentLengthRewrite = false;
  }
  if (s < 200) {
    if (s === 101 && !requestUpgrade) return fail(f, 'unexpected-101', RESPONSE_ERROR_STATUS);
    f.body = s === 101 ? Body.TUNNEL : Body.NONE;
    f.upgrade = s === 101;
    f.interim = s !== 101;
    return true;
  }
  if (requestMethod === Method.CONNECT && s < 300) {
    f.body = Body.TUNNEL;
    f.upgrade = true;
    return true;
  }
  if (requestMethod === Method.HEAD || s === 204 || s === 304) {
    f.body = Body.NONE;
    return true;
  }
  if (body === Body.LENGTH && f.length === 0) body = Body.NONE;
  if (body === Body.UNTIL_CLOSE) f.keepAlive = false;
  f.body = body;
  return true;
}
