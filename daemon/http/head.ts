// The parsed head of one HTTP/1 message: offsets into the bytes it was parsed from, not strings.
// Strings are made only when asked for (target, a header's name or value), so forwarding a request
// that no rule looks at allocates nothing per header. One HttpHead belongs to one HeadParser and is
// refilled for every message (see HeadParser.reset): copy out what must outlive the message.

import { eqLower, latin1, lower } from './bytes.js';

/** The methods HAProxy knows by name (its HTTP_METH_*); every other token is OTHER, as in HAProxy. */
export const enum Method { OTHER = 0, GET, HEAD, POST, PUT, DELETE, CONNECT, OPTIONS, TRACE }

/** Headers the wire layer acts on, recognised once while parsing so later checks need no string compares. */
export const enum Hdr {
  OTHER = 0, HOST, CONTENT_LENGTH, TRANSFER_ENCODING, CONNECTION, UPGRADE, EXPECT,
  KEEP_ALIVE, PROXY_CONNECTION, TE, TRAILER,
}

/** The request-target forms of RFC 9112 §3.2. */
export const enum TargetForm { ORIGIN = 0, ABSOLUTE, AUTHORITY, ASTERISK }

/** Message kinds a HeadParser reads: a request, a response, or a trailer section (fields only). */
export const enum HeadKind { REQUEST = 0, RESPONSE = 1, TRAILERS = 2 }

const METHOD_NAMES = ['', 'GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'CONNECT', 'OPTIONS', 'TRACE'];

/** Header ids by lower-case name, for Hdr classification and for `find` on known names. */
export function headerId(buf: Buffer, s: number, e: number): Hdr {
  switch (e - s) {
    case 2: return eqLower(buf, s, e, 'te') ? Hdr.TE : Hdr.OTHER;
    case 4: return eqLower(buf, s, e, 'host') ? Hdr.HOST : Hdr.OTHER;
    case 6: return eqLower(buf, s, e, 'expect') ? Hdr.EXPECT : Hdr.OTHER;
    case 7: {
      const c = lower(buf[s]);
      if (c === 0x75) return eqLower(buf, s, e, 'upgrade') ? Hdr.UPGRADE : Hdr.OTHER;
      return c === 0x74 && eqLower(buf, s, e, 'trailer') ? Hdr.TRAILER : Hdr.OTHER;
    }
    case 10: {
      const c = lower(buf[s]);
      if (c === 0x63) return eqLower(buf, s, e, 'connection') ? Hdr.CONNECTION : Hdr.OTHER;
      return c === 0x6b && eqLower(buf, s, e, 'keep-alive') ? Hdr.KEEP_ALIVE : Hdr.OTHER;
    }
    case 14: return eqLower(buf, s, e, 'content-length') ? Hdr.CONTENT_LENGTH : Hdr.OTHER;
    case 16: return eqLower(buf, s, e, 'proxy-connection') ? Hdr.PROXY_CONNECTION : Hdr.OTHER;
    case 17: return eqLower(buf, s, e, 'transfer-encoding') ? Hdr.TRANSFER_ENCODING : Hdr.OTHER;
    default: return Hdr.OTHER;
  }
}

/** Method id and its interned name for the known methods (no string allocated for them). */
export function methodId(buf: Buffer, s: number, e: number): Method {
  const n = e - s;
  const c = buf[s];
  for (let m = 1; m < METHOD_NAMES.length; m++) {
    const name = METHOD_NAMES[m];
    if (name.length !== n || name.charCodeAt(0) !== c) continue;
    let i = 1;
    while (i < n && buf[s + i] === name.charCodeAt(i)) i++;
    if (i === n) return m as Method;
  }
  return Method.OTHER;
}

/**
 * One message head. Offsets are absolute positions in `buf`; header i spans
 * offs[4i] (name start), offs[4i+1] (name end), offs[4i+2] (value start), offs[4i+3] (value end),
 * with the value already trimmed of surrounding whitespace. `skip[i]` = 1 marks a header that is
 * not to be forwarded (a duplicate HAProxy drops, a hop-by-hop header): serialize honours it.
 */
export class HttpHead {
  kind: HeadKind;
  buf: Buffer = Buffer.alloc(0);
  /** First byte of the start line (leading empty lines are not part of the head). */
  start = 0;
  /** One past the empty line that ends the head: where the body or the next message starts in `buf`. */
  end = 0;
  /** Bytes of empty lines skipped before the start line (RFC 9112 §2.2 allows them; they count in the size limit). */
  skipped = 0;

  methodId: Method = Method.OTHER;
  methodStart = 0;
  methodEnd = 0;
  targetStart = 0;
  targetEnd = 0;
  targetForm: TargetForm = TargetForm.ORIGIN;
  /** For absolute- and authority-form targets: the authority (userinfo removed), else both -1. */
  authorityStart = -1;
  authorityEnd = -1;
  /** HTTP/x.y digits as parsed; `http11` is HAProxy's rule: 1.1 and anything above counts as 1.1. */
  versionMajor = 1;
  versionMinor = 1;
  http11 = true;
  versionStart = 0;

  status = 0;
  reasonStart = 0;
  reasonEnd = 0;

  count = 0;
  readonly offs: Int32Array;
  readonly ids: Uint8Array;
  readonly skip: Uint8Array;
  /** Bit (1 << Hdr) set for each known header present. */
  seen = 0;
  /** Index of the first Host header, -1 if none. */
  hostIndex = -1;

  private methodCache: string | null = null;
  private targetCache: string | null = null;

  constructor(kind: HeadKind, maxHeaders: number) {
    this.kind = kind;
    this.offs = new Int32Array(maxHeaders * 4);
    this.ids = new Uint8Array(maxHeaders);
    this.skip = new Uint8Array(maxHeaders);
  }

  /** Forget the previous message (called by the parser before reading the next one). */
  clear(): void {
    for (let i = 0; i < this.count; i++) this.skip[i] = 0;
    this.count = 0;
    this.seen = 0;
    this.hostIndex = -1;
    this.authorityStart = this.authorityEnd = -1;
    this.targetForm = TargetForm.ORIGIN;
    this.methodId = Method.OTHER;
    this.status = 0;
    this.methodCache = this.targetCache = null;
  }

  /** Raw length of the head in bytes, start line to the final empty line included. */
  get length(): number {
    return this.end - this.start;
  }

  /** The method as sent (known methods are interned strings). */
  get method(): string {
    if (this.methodCache === null) {
      this.methodCache = this.methodId !== Method.OTHER ? METHOD_NAMES[this.methodId] : latin1(this.buf, this.methodStart, this.methodEnd);
    }
    return this.methodCache;
  }

  /** The request-target exactly as sent. */
  get target(): string {
    if (this.targetCache === null) this.targetCache = latin1(this.buf, this.targetStart, this.targetEnd);
    return this.targetCache;
  }

  /** The authority of an absolute- or authority-form target (userinfo removed), or ''. */
  get authority(): string {
    return this.authorityStart < 0 ? '' : latin1(this.buf, this.authorityStart, this.authorityEnd);
  }

  /** The reason phrase of a response, as sent (may be empty). */
  get reason(): string {
    return latin1(this.buf, this.reasonStart, this.reasonEnd);
  }

  /** Header i's name with its original case. */
  name(i: number): string {
    return latin1(this.buf, this.offs[4 * i], this.offs[4 * i + 1]);
  }

  /** Header i's value, trimmed of surrounding whitespace (obs-fold already replaced by spaces). */
  value(i: number): string {
    return latin1(this.buf, this.offs[4 * i + 2], this.offs[4 * i + 3]);
  }

  /** Whether header i is called `lowerName` (lower-case ASCII), ignoring case. */
  nameIs(i: number, lowerName: string): boolean {
    return eqLower(this.buf, this.offs[4 * i], this.offs[4 * i + 1], lowerName);
  }

  /** Index of the first header named `lowerName` at or after `from`, -1 if none; skipped headers included. */
  find(lowerName: string, from = 0): number {
    for (let i = from; i < this.count; i++) if (this.nameIs(i, lowerName)) return i;
    return -1;
  }

  /** The first value of `lowerName`, or undefined. */
  get(lowerName: string): string | undefined {
    const i = this.find(lowerName);
    return i < 0 ? undefined : this.value(i);
  }

  /** Every header as [name, value] pairs in order, original case (allocates: for rules, logs and tests). */
  headers(): Array<[string, string]> {
    const out: Array<[string, string]> = new Array(this.count);
    for (let i = 0; i < this.count; i++) out[i] = [this.name(i), this.value(i)];
    return out;
  }

  /** Whether a known header (Hdr) is present. */
  has(id: Hdr): boolean {
    return (this.seen & (1 << id)) !== 0;
  }
}
