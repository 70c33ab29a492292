/**
 * A minimal HTTP/1.x response reader for health checks: the status line, and, only when an expect
 * rule looks at the body, the framing headers and the (de-chunked) body. Pure functions over the
 * bytes received so far; the probe calls them again as more bytes arrive (at most 16 KiB).
 * Like HAProxy's H1 parser it rejects garbage at the first byte that cannot start `HTTP/`.
 */

export interface ResponseHead {
  readonly status: number;
  /** Reason phrase ('' when the status line has none). */
  readonly reason: string;
  /** Offset of the first body byte in the buffer. */
  readonly bodyStart: number;
  readonly framing: 'none' | 'length' | 'chunked' | 'close';
  /** For framing 'length'. */
  readonly contentLength: number;
}

export type HeadParse = ResponseHead | 'incomplete' | 'invalid';

export interface BodyRead {
  readonly body: Buffer;
  /** The message is complete (all of Content-Length, or the last chunk): no need to wait for close. */
  readonly complete: boolean;
}

const EMPTY = Buffer.alloc(0);
const PREFIX = [0x48, 0x54, 0x54, 0x50, 0x2f]; // "HTTP/"

function isDigit(c: number | undefined): boolean {
  return c !== undefined && c >= 0x30 && c <= 0x39;
}

/** Offset just past the blank line that ends a header block starting at `from`, or -1. */
function findHeadEnd(buf: Buffer, from: number): number {
  let i = from;
  for (;;) {
    const nl = buf.indexOf(0x0a, i);
    if (nl < 0) return -1;
    if (nl === i || (nl === i + 1 && buf[i] === 0x0d)) return nl + 1;
    i = nl + 1;
  }
}

/** Parses `HTTP/x.y SSS[ reason]` in buf[start, end) (end excludes CR LF). */
function parseStatusLine(buf: Buffer, start: number, end: number): { status: number; reason: string } | null {
  if (end - start < 12) return null;
  for (let k = 0; k < 5; k++) if (buf[start + k] !== PREFIX[k]) return null;
  if (!isDigit(buf[start + 5]) || buf[start + 6] !== 0x2e || !isDigit(buf[start + 7]) || buf[start + 8] !== 0x20) return null;
  const a = buf[start + 9]!;
  const b = buf[start + 10]!;
  const c = buf[start + 11]!;
  if (!isDigit(a) || !isDigit(b) || !isDigit(c)) return null;
  const status = (a - 0x30) * 100 + (b - 0x30) * 10 + (c - 0x30);
  if (status < 100) return null;
  if (end === start + 12) return { status, reason: '' };
  if (buf[start + 12] !== 0x20) return null;
  return { status, reason: buf.toString('latin1', start + 13, end) };
}

/**
 * Parses the response head at the start of `buf`, skipping interim 1xx answers (but not 101).
 * `withFraming`: also read Content-Length / Transfer-Encoding (only needed for body rules).
 * `headRequest`: the check was a HEAD, so no body follows whatever the headers say.
 */
export function parseResponseHead(buf: Buffer, withFraming: boolean, headRequest = false): HeadParse {
  let start = 0;
  for (;;) {
    const avail = Math.min(buf.length - start, PREFIX.length);
    for (let k = 0; k < avail; k++) if (buf[start + k] !== PREFIX[k]) return 'invalid';
    const nl = buf.indexOf(0x0a, start);
    if (nl < 0) return 'incomplete';
    const lineEnd = nl > start && buf[nl - 1] === 0x0d ? nl - 1 : nl;
    const sl = parseStatusLine(buf, start, lineEnd);
    if (sl === null) return 'invalid';
    const headEnd = findHeadEnd(buf, nl + 1);
    if (headEnd < 0) return 'incomplete';
    if (sl.status < 200 && sl.status !== 101) {
      start = headEnd;
      continue;
    }
    if (!withFraming) return { status: sl.status, reason: sl.reason, bodyStart: headEnd, framing: 'none', contentLength: 0 };
    return readFraming(buf, nl + 1, headEnd, sl.status, sl.reason, headRequest);
  }
}

function readFraming(buf: Buffer, from: number, headEnd: number, status: number, reason: string, headRequest: boolean): HeadParse {
  let chunked = false;
  let length = -1;
  let i = from;
  while (i < headEnd) {
    const nl = buf.indexOf(0x0a, i);
    const line = buf.toString('latin1', i, nl > i && buf[nl - 1] === 0x0d ? nl - 1 : nl);
    i = nl + 1;
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    const name = line.slice(0, colon).trim().toLowerCase();
    if (name === 'content-length') {
      const v = line.slice(colon + 1).trim();
      if (!/^\d+$/.test(v)) return 'invalid';
      length = Number(v);
    } else if (name === 'transfer-encoding') {
      const codings = line.slice(colon + 1).toLowerCase().split(',');
      chunked = codings[codings.length - 1]!.trim() === 'chunked';
    }
  }
  const noBody = headRequest || status < 200 || status === 204 || status === 304;
  const framing = noBody ? 'none' : chunked ? 'chunked' : length >= 0 ? 'length' : 'close';
  return { status, reason, bodyStart: headEnd, framing, contentLength: length < 0 ? 0 : length };
}

/** The body received so far, de-chunked; 'invalid' for a broken chunked encoding. */
export function readBody(buf: Buffer, head: ResponseHead): BodyRead | 'invalid' {
  switch (head.framing) {
    case 'none':
      return { body: EMPTY, complete: true };
    case 'length': {
      const avail = buf.length - head.bodyStart;
      const n = Math.min(avail, head.contentLength);
      return { body: buf.subarray(head.bodyStart, head.bodyStart + n), complete: avail >= head.contentLength };
    }
    case 'close':
      return { body: buf.subarray(head.bodyStart), complete: false };
    case 'chunked':
      return readChunked(buf, head.bodyStart);
  }
}

function readChunked(buf: Buffer, from: number): BodyRead | 'invalid' {
  const parts: Buffer[] = [];
  const done = (complete: boolean): BodyRead => ({ body: parts.length === 1 ? parts[0]! : Buffer.concat(parts), complete });
  let pos = from;
  for (;;) {
    const nl = buf.indexOf(0x0a, pos);
    if (nl < 0) return done(false);
    let line = buf.toString('latin1', pos, nl);
    if (line.endsWith('\r')) line = line.slice(0, -1);
    const semi = line.indexOf(';');
    const hex = (semi >= 0 ? line.slice(0, semi) : line).trim();
    if (!/^[0-9a-fA-F]{1,8}$/.test(hex)) return 'invalid';
    const size = parseInt(hex, 16);
    if (size === 0) return done(findHeadEnd(buf, nl + 1) >= 0);
    const dataStart = nl + 1;
    if (buf.length < dataStart + size) {
      if (buf.length > dataStart) parts.push(buf.subarray(dataStart));
      return done(false);
    }
    parts.push(buf.subarray(dataStart, dataStart + size));
    pos = dataStart + size;
    if (pos < buf.length && buf[pos] === 0x0d) pos++;
    if (pos >= buf.length) return done(false);
    if (buf[pos] !== 0x0a) return 'invalid';
    pos++;
  }
}
