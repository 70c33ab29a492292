// Incremental HTTP/1 head parser (request, response or trailer section), strict the way HAProxy 2.6 is.
//
// execute(chunk) parses in place when a whole head is in one chunk (the common case: no copy). When a
// head is split across chunks, the bytes received so far are kept in one buffer of the parser's (grown
// by doubling, at most tune.bufsize - 64 bytes), and parsing resumes at the start of the first incomplete line, after a native indexOf has
// seen its end: a head fed one byte at a time costs O(size), never O(size²).
//
// Rules (each verified against HAProxy 2.6.12, see test/fixtures/http/malformed-cases.ts):
//  - lines end in CRLF or a bare LF (HAProxy accepts LF-only lines); a CR not followed by LF is an error;
//  - empty lines before the start line are skipped;
//  - method and field names are tokens; one or more SP/HTAB separate the request-line parts; the
//    target holds bytes 0x21-0x7E except '#'; the version is exactly HTTP/<digit>.<digit> (1.1 and
//    above are treated as 1.1; HTTP/0.9 request lines are refused);
//  - no whitespace between a field name and its colon; values are anything but CR, LF and NUL (HAProxy
//    2.6 lets NUL through; RFC 9110 §5.5 and later HAProxy refuse it, so does lbd), trimmed of SP/HTAB;
//  - obs-fold (a line starting with SP/HTAB) continues the previous value: as HAProxy does, its CR and
//    LF are overwritten with spaces in the buffer, so the forwarded bytes carry no fold;
//  - sizes: see limits.ts (raw bytes, HAProxy's converted size, field count);
//  - requests: duplicate Host fields must be equal (the copies are marked skip, as HAProxy drops them);
//    the target form and Host are checked by target.ts.
// Errors carry HAProxy's status (400 for a request, 502 for a response) and a WireError code.

import { COLON, CR, HT, LF, SP, TOKEN, eqRangesLower } from './bytes.js';
import { Hdr, HeadKind, HttpHead, headerId, methodId } from './head.js';
import { DEFAULT_LIMITS } from './limits.js';
import type { HeadLimits } from './limits.js';
import { checkTarget } from './target.js';
import { RESPONSE_ERROR_STATUS, requestErrorStatus } from './wire-error.js';
import type { WireError } from './wire-error.js';

/** execute(): the head is not complete yet; every byte given was taken (keep feeding). */
export const NEED_MORE = -1;
/** execute(): the message is invalid; see errorCode, errorStatus, errorOffset. */
export const PARSE_ERROR = -2;

const enum St { FRESH, BEFORE, START, HEADERS, DONE, ERROR }

/** Bytes of the HTTP-version token (HTTP_IS_VER_TOKEN in HAProxy): H T P / . and digits. */
const VER = new Uint8Array(256);
for (const c of 'HTP/.0123456789') VER[c.charCodeAt(0)] = 1;

const isVersion = (b: Buffer, s: number, e: number) =>
  e - s === 8 && b[s] === 0x48 && b[s + 1] === 0x54 && b[s + 2] === 0x54 && b[s + 3] === 0x50 && b[s + 4] === 0x2f &&
  b[s + 5] >= 0x30 && b[s + 5] <= 0x39 && b[s + 6] === 0x2e && b[s + 7] >= 0x30 && b[s + 7] <= 0x39;

/**
 * Parses one message head at a time from a connection's bytes. Reuse it for every message of the
 * connection: after a head completes (and its body is done), call reset() before the next execute().
 */
export class HeadParser {
  readonly head: HttpHead;
  readonly kind: HeadKind;
  readonly limits: HeadLimits;
  /** After PARSE_ERROR: why, the status HAProxy answers, and the offset in head.buf where it was seen. */
  errorCode: WireError | null = null;
  errorStatus = 0;
  errorOffset = -1;

  private state = St.FRESH;
  private acc: Buffer | null = null;
  private accLen = 0;
  // positions in the current buffer (the chunk, or acc once the head was split)
  private origin = 0; // where this message's bytes began (leading empty lines included)
  private limit = 0; // origin + maxRaw: no head byte may lie at or beyond it
  private lineStart = 0; // first byte of the first line not yet parsed
  private scanFrom = 0; // bytes before this were already searched for the end of lineStart's line
  private lastEol = 0; // CR or LF that ended the last header line (obs-fold rewrites from there)
  private dupHost = false;
  private carry = 0; // empty-line bytes taken by earlier chunks before this message's first byte

  constructor(kind: HeadKind, limits: HeadLimits = DEFAULT_LIMITS) {
    this.kind = kind;
    this.limits = limits;
    this.head = new HttpHead(kind, limits.maxHeaders);
  }

  /** Start over for the next message. The previous head (and its buffer) must not be used after this. */
  reset(): void {
    this.state = St.FRESH;
    this.acc = null;
    this.accLen = 0;
    this.errorCode = null;
    this.errorStatus = 0;
    this.errorOffset = -1;
    this.dupHost = false;
    this.carry = 0;
    this.head.clear();
  }

  /**
   * Whether bytes of this message arrived (empty lines aside). HAProxy 2.6 answers timeout http-request
   * with a 408 on a connection's first request even before any byte; on a later, idle keep-alive
   * connection it closes silently: a proxy can use this to tell an idle connection from a slow head.
   */
  get started(): boolean {
    return this.state !== St.FRESH;
  }

  /**
   * Feed chunk[start, end). Returns the offset in `chunk` where the body (or next message) begins once
   * the head is complete, NEED_MORE when every byte was taken and more are needed, or PARSE_ERROR.
   * A completed head is in `this.head`; its offsets point into head.buf (the chunk, or the parser's
   * own buffer when the head came in several chunks). obs-fold is rewritten in place in that buffer.
   */
  execute(chunk: Buffer, start = 0, end = chunk.length): number {
    if (this.state === St.DONE) this.reset();
    if (this.state === St.ERROR) return PARSE_ERROR;
    if (this.state === St.FRESH) {
      this.state = this.kind === HeadKind.TRAILERS ? St.HEADERS : St.BEFORE;
      this.lineStart = this.scanFrom = this.head.start = start;
      this.origin = start - this.carry;
      this.limit = this.origin + this.limits.maxRaw;
      this.head.buf = chunk;
    }
    if (this.acc === null) {
      const r = this.run(chunk, end);
      if (r === NEED_MORE) {
        if (this.state === St.BEFORE && this.lineStart === end) {
          // only empty lines so far (a client's CRLF after a body): nothing to keep but their count
          this.carry = end - this.origin;
          this.state = St.FRESH;
        } else this.spill(chunk, end);
      }
      return r;
    }
    let acc = this.acc;
    const before = this.accLen;
    if (before + (end - start) > acc.length && acc.length < this.limits.maxRaw) {
      acc = this.grow(Math.min(this.limits.maxRaw, Math.max(2 * acc.length, before + (end - start))));
    }
    const n = Math.min(end - start, acc.length - before);
    chunk.copy(acc, before, start, start + n);
    this.accLen = before + n;
    const r = this.run(acc, this.accLen);
    return r >= 0 ? start + (r - before) : r;
  }

  /** Move the incomplete head into the parser's own buffer and rebase every stored offset on it. */
  private spill(chunk: Buffer, end: number): void {
    const base = this.state === St.BEFORE ? this.lineStart : this.head.start;
    // small heads stay in Buffer's pool; the buffer grows (doubling) up to the raw limit when needed
    const acc = Buffer.allocUnsafe(Math.min(this.limits.maxRaw, Math.max(1024, 2 * (end - base))));
    chunk.copy(acc, 0, base, end);
    this.acc = acc;
    this.accLen = end - base;
    this.head.buf = acc;
    const h = this.head;
    h.start -= base; h.methodStart -= base; h.methodEnd -= base; h.targetStart -= base; h.targetEnd -= base;
    h.versionStart -= base; h.reasonStart -= base; h.reasonEnd -= base;
    for (let i = 0; i < 4 * h.count; i++) h.offs[i] -= base;
    this.origin -= base; this.limit -= base; this.lineStart -= base; this.scanFrom -= base; this.lastEol -= base;
  }

  /** A larger own buffer with the same content (offsets stay valid: they are relative to its start). */
  private grow(size: number): Buffer {
    const acc = Buffer.allocUnsafe(size);
    (this.acc as Buffer).copy(acc, 0, 0, this.accLen);
    this.acc = acc;
    this.head.buf = acc;
    return acc;
  }

  private fail(code: WireError, at: number): number {
    this.state = St.ERROR;
    this.errorCode = code;
    this.errorOffset = at;
    this.errorStatus = this.kind === HeadKind.RESPONSE ? RESPONSE_ERROR_STATUS : requestErrorStatus(code);
    return PARSE_ERROR;
  }

  private needMore(scanEnd: number): number {
    this.scanFrom = scanEnd;
    return scanEnd >= this.limit ? this.fail('too-large', scanEnd) : NEED_MORE;
  }

  /** Parse whole lines from lineStart in buf[.., end). */
  private run(buf: Buffer, end: number): number {
    const scanEnd = end < this.limit ? end : this.limit;
    let p = this.lineStart;
    if (this.scanFrom > p) {
      // resuming: nothing to do until the line's end (or a CR, to report a bare one) has arrived
      const from = this.scanFrom - 1;
      const lf = buf.indexOf(LF, from);
      if (lf < 0 || lf >= scanEnd) {
        const cr = buf.indexOf(CR, from);
        if (cr < 0 || cr >= scanEnd - 1) return this.needMore(scanEnd);
      }
    }
    const h = this.head;
    if (this.state === St.BEFORE) {
      while (p < scanEnd) {
        const c = buf[p];
        if (c === LF) p++;
        else if (c === CR) {
          if (p + 1 >= scanEnd) break;
          if (buf[p + 1] !== LF) return this.fail('bare-cr', p);
          p += 2;
        } else break;
      }
      this.lineStart = p;
      if (p >= scanEnd || buf[p] === CR) return this.needMore(scanEnd);
      h.start = p;
      h.skipped = p - this.origin;
      this.state = St.START;
    }
    if (this.state === St.START) {
      const r = this.kind === HeadKind.REQUEST ? this.requestLine(buf, p, scanEnd) : this.statusLine(buf, p, scanEnd);
      if (r < 0) return r === NEED_MORE ? this.needMore(scanEnd) : r;
      p = this.lineStart = r;
      this.state = St.HEADERS;
    }
    for (;;) {
      const r = this.headerLine(buf, p, scanEnd);
      if (r === PARSE_ERROR) return r;
      if (r === NEED_MORE) {
        this.lineStart = p;
        return this.needMore(scanEnd);
      }
      p = r;
      if (this.state === St.DONE) return this.finish(buf, p);
    }
  }

  private requestLine(buf: Buffer, p: number, end: number): number {
    const h = this.head;
    const s = p;
    while (p < end && TOKEN[buf[p]] === 1) p++;
    if (p >= end) return NEED_MORE;
    let c = buf[p];
    if (p === s) return this.fail('bad-start-line', p);
    if (c !== SP && c !== HT) return this.fail(c === CR || c === LF ? 'bad-version' : 'bad-method', p);
    h.methodStart = s;
    h.methodEnd = p;
    h.methodId = methodId(buf, s, p);
    do p++; while (p < end && (buf[p] === SP || buf[p] === HT));
    const ts = p;
    for (;;) {
      if (p >= end) return NEED_MORE;
      c = buf[p];
      if (c > 0x20 && c < 0x7f && c !== 0x23) p++;
      else break;
    }
    if (c !== SP && c !== HT) return this.fail(c === CR || c === LF ? 'bad-version' : 'bad-target', p);
    h.targetStart = ts;
    h.targetEnd = p;
    do p++; while (p < end && (buf[p] === SP || buf[p] === HT));
    const vs = p;
    while (p < end && VER[buf[p]] === 1) p++;
    if (p >= end) return NEED_MORE;
    c = buf[p];
    if ((c !== CR && c !== LF) || !isVersion(buf, vs, p)) return this.fail('bad-version', p);
    if (c === CR) {
      if (p + 1 >= end) return NEED_MORE;
      if (buf[p + 1] !== LF) return this.fail('bare-cr', p);
      p++;
    }
    this.setVersion(buf, vs);
    return p + 1;
  }

  private statusLine(buf: Buffer, p: number, end: number): number {
    const h = this.head;
    const vs = p;
    while (p < end && VER[buf[p]] === 1) p++;
    if (p >= end) return NEED_MORE;
    let c = buf[p];
    if (p === vs) return this.fail('bad-start-line', p);
    if ((c !== SP && c !== HT) || !isVersion(buf, vs, p)) return this.fail('bad-version', p);
    this.setVersion(buf, vs);
    do p++; while (p < end && (buf[p] === SP || buf[p] === HT));
    const ss = p;
    while (p < end && buf[p] >= 0x30 && buf[p] <= 0x39) p++;
    if (p >= end) return NEED_MORE;
    c = buf[p];
    if (p - ss !== 3 || buf[ss] === 0x30 || (c !== SP && c !== HT && c !== CR && c !== LF)) return this.fail('bad-status', ss);
    h.status = (buf[ss] - 0x30) * 100 + (buf[ss + 1] - 0x30) * 10 + (buf[ss + 2] - 0x30);
    while (p < end && (buf[p] === SP || buf[p] === HT)) p++;
    const rs = p;
    const eol = this.valueEnd(buf, p, end);
    if (eol < 0) return eol;
    h.reasonStart = rs;
    h.reasonEnd = eol;
    return afterEol(buf, eol);
  }

  private setVersion(buf: Buffer, vs: number): void {
    const h = this.head;
    h.versionStart = vs;
    h.versionMajor = buf[vs + 5] - 0x30;
    h.versionMinor = buf[vs + 7] - 0x30;
    h.http11 = h.versionMajor > 1 || (h.versionMajor === 1 && h.versionMinor >= 1);
  }

  /** One header line, an obs-fold continuation, or the empty line ending the head (sets DONE). */
  private headerLine(buf: Buffer, p: number, end: number): number {
    if (p >= end) return NEED_MORE;
    let c = buf[p];
    if (c === CR || c === LF) {
      if (c === CR) {
        if (p + 1 >= end) return NEED_MORE;
        if (buf[p + 1] !== LF) return this.fail('bare-cr', p);
        p++;
      }
      this.state = St.DONE;
      return p + 1;
    }
    if (c === SP || c === HT) return this.fold(buf, p, end);
    const ns = p;
    while (p < end && TOKEN[buf[p]] === 1) p++;
    if (p >= end) return NEED_MORE;
    c = buf[p];
    if (c !== COLON) {
      return this.fail(c === SP || c === HT ? 'space-before-colon' : c === CR || c === LF ? 'no-colon' : 'bad-header-name', p);
    }
    if (p === ns) return this.fail('bad-header-name', p);
    const ne = p;
    p++;
    while (p < end && (buf[p] === SP || buf[p] === HT)) p++;
    const vs = p;
    const eol = this.valueEnd(buf, p, end);
    if (eol < 0) return eol;
    let ve = eol;
    while (ve > vs && (buf[ve - 1] === SP || buf[ve - 1] === HT)) ve--;
    const h = this.head;
    const i = h.count;
    if (i >= this.limits.maxHeaders) return this.fail('too-many-headers', ns);
    const o = 4 * i;
    h.offs[o] = ns;
    h.offs[o + 1] = ne;
    h.offs[o + 2] = vs;
    h.offs[o + 3] = ve;
    const id = headerId(buf, ns, ne);
    h.ids[i] = id;
    if (id !== Hdr.OTHER) {
      if (id === Hdr.HOST) {
        if (h.hostIndex < 0) h.hostIndex = i;
        else this.dupHost = true;
      }
      h.seen |= 1 << id;
    }
    h.count = i + 1;
    this.lastEol = eol;
    return afterEol(buf, eol);
  }

  /** obs-fold: the line continues the previous field's value; its line break becomes spaces (HAProxy). */
  private fold(buf: Buffer, p: number, end: number): number {
    const h = this.head;
    if (h.count === 0) return this.fail('leading-whitespace', p);
    const ls = p;
    const eol = this.valueEnd(buf, p, end);
    if (eol < 0) return eol;
    buf.fill(SP, this.lastEol, ls);
    const o = 4 * (h.count - 1);
    let vs = h.offs[o + 2];
    while (vs < eol && (buf[vs] === SP || buf[vs] === HT)) vs++;
    let ve = eol;
    while (ve > vs && (buf[ve - 1] === SP || buf[ve - 1] === HT)) ve--;
    h.offs[o + 2] = vs;
    h.offs[o + 3] = ve;
    this.lastEol = eol;
    return afterEol(buf, eol);
  }

  /**
   * The end of a field value (or reason phrase) starting at p: the index of its CR or LF once the whole line
   * break is in the buffer, NEED_MORE before that, PARSE_ERROR for a NUL or a CR not followed by LF.
   */
  private valueEnd(buf: Buffer, p: number, end: number): number {
    for (;;) {
      if (p >= end) return NEED_MORE;
      const c = buf[p];
      if (c > 13) { p++; continue; }
      if (c === LF) return p;
      if (c === CR) {
        if (p + 1 >= end) return NEED_MORE;
        return buf[p + 1] === LF ? p : this.fail('bare-cr', p);
      }
      if (c === 0) return this.fail('nul-in-value', p);
      p++;
    }
  }

  /** The head is complete at p: Host duplicates, target form, and HAProxy's converted-size budget. */
  private finish(buf: Buffer, p: number): number {
    const h = this.head;
    h.buf = buf;
    h.end = p;
    let size = 0;
    if (this.kind === HeadKind.REQUEST) {
      if (this.dupHost) {
        const o = 4 * h.hostIndex;
        for (let i = h.hostIndex + 1; i < h.count; i++) {
          if (h.ids[i] !== Hdr.HOST) continue;
          if (!eqRangesLower(buf, h.offs[o + 2], h.offs[o + 3], buf, h.offs[4 * i + 2], h.offs[4 * i + 3])) {
            return this.fail('duplicate-host', h.offs[4 * i + 2]);
          }
          h.skip[i] = 1;
        }
      }
      const bad = checkTarget(h);
      if (bad !== null) return this.fail(bad, h.targetStart);
      size = h.methodEnd - h.methodStart + (h.targetEnd - h.targetStart) + 8;
    } else if (this.kind === HeadKind.RESPONSE) {
      size = 11 + h.reasonEnd - h.reasonStart;
    }
    const offs = h.offs;
    for (let i = 0, o = 0; i < h.count; i++, o += 4) {
      if (h.skip[i] === 0) size += offs[o + 1] - offs[o] + (offs[o + 3] - offs[o + 2]) + 8;
    }
    if (size > this.limits.maxSize) return this.fail('too-large', h.start);
    this.state = St.DONE;
    return p;
  }
}

/** The offset after the line break whose CR or LF is at eol (valueEnd checked that a CR is followed by LF). */
function afterEol(buf: Buffer, eol: number): number {
  return buf[eol] === CR ? eol + 2 : eol + 1;
}
