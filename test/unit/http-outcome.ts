// What lbd's wire layer does with a whole message given as bytes, the way a proxy session will chain
// the modules: parse the head, decide the framing, decode a chunked body. Shared by the http-* tests.
import { Chunk, ChunkedDecoder } from '../../daemon/http/chunked.js';
import { Body, Framing, requestFraming, responseFraming } from '../../daemon/http/framing.js';
import { HeadKind, Method } from '../../daemon/http/head.js';
import { HeadParser, NEED_MORE, PARSE_ERROR } from '../../daemon/http/parse-head.js';
import type { WireError } from '../../daemon/http/wire-error.js';

export interface Outcome {
  /** 200 when the request would be forwarded (or the response relayed: then its own status), else the status lbd answers. */
  status: number;
  code: WireError | null;
  stage: 'head' | 'framing' | 'body' | 'incomplete' | null;
  /** Offset after the message (head, and chunked body when complete). */
  end: number;
}

const parsers = { req: new HeadParser(HeadKind.REQUEST), res: new HeadParser(HeadKind.RESPONSE) };
const framing = new Framing();
const decoder = new ChunkedDecoder();

/** Feed `buf` to the parser in pieces ending at each split point, then the rest. */
export function feed(p: HeadParser, buf: Buffer, splits: readonly number[] = []): number {
  let start = 0;
  for (const cut of [...splits, buf.length]) {
    if (cut <= start) continue;
    const r = p.execute(buf, start, cut);
    if (r !== NEED_MORE) return r;
    start = cut;
  }
  return NEED_MORE;
}

function body(buf: Buffer, at: number, status: number, errStatus: number): Outcome {
  decoder.reset();
  let pos = at;
  for (;;) {
    const ev = decoder.next(buf, pos, buf.length);
    pos = decoder.pos;
    if (ev === Chunk.DONE) return { status, code: null, stage: null, end: pos };
    if (ev === Chunk.ERROR) return { status: errStatus, code: decoder.error, stage: 'body', end: pos };
    if (ev === Chunk.NEED_MORE) return { status, code: null, stage: 'incomplete', end: pos };
  }
}

/** lbd's outcome for a request sent as `raw` (latin1), optionally cut into pieces. */
export function requestOutcome(raw: string | Buffer, splits: readonly number[] = []): Outcome {
  const buf = typeof raw === 'string' ? Buffer.from(raw, 'latin1') : raw;
  const p = parsers.req;
  p.reset();
  const r = feed(p, buf, splits);
  if (r === PARSE_ERROR) return { status: p.errorStatus, code: p.errorCode, stage: 'head', end: -1 };
  if (r === NEED_MORE) return { status: 0, code: null, stage: 'incomplete', end: -1 };
  if (!requestFraming(p.head, framing)) return { status: framing.status, code: framing.error, stage: 'framing', end: r };
  if (framing.body === Body.CHUNKED) return body(buf, r, 200, 400);
  return { status: 200, code: null, stage: null, end: r + (framing.body === Body.LENGTH ? framing.length : 0) };
}

/** lbd's outcome for a response to a GET (first status the client sees; 502 when refused). */
export function responseOutcome(raw: string | Buffer, method: Method = Method.GET, requestUpgrade = false): Outcome {
  const buf = typeof raw === 'string' ? Buffer.from(raw, 'latin1') : raw;
  const p = parsers.res;
  p.reset();
  const r = p.execute(buf);
  if (r === PARSE_ERROR) return { status: p.errorStatus, code: p.errorCode, stage: 'head', end: -1 };
  if (r === NEED_MORE) return { status: 0, code: null, stage: 'incomplete', end: -1 };
  if (!responseFraming(p.head, method, requestUpgrade, framing)) return { status: framing.status, code: framing.error, stage: 'framing', end: r };
  if (framing.body === Body.CHUNKED) return body(buf, r, p.head.status, 502);
  return { status: p.head.status, code: null, stage: null, end: r };
}
