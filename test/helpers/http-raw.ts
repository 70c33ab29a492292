/**
 * Raw HTTP/1 peers for integration tests that send malformed bytes through lbd in mode http: a backend
 * that records every byte it receives and frames requests itself (so it can tell how many requests
 * really reached it), a backend that answers fixed raw bytes, a client exchange that reads until close,
 * a complete response or a deadline, and lbd started in-process from a config text.
 */
import assert from 'node:assert/strict';
import net from 'node:net';
import { Runtime } from '../../daemon/runtime/runtime.js';
import { memoryLogger } from '../../daemon/log.js';
import { runProbe } from '../../daemon/health/probe.js';
import { parseConfigText } from '../../daemon/config/index.js';
import { showStat } from '../../daemon/stats/index.js';
import { freePort, tcpServer, type TestServer } from './net.js';

/** One request head the recording backend framed out of the bytes it received. */
export interface SeenRequest {
  /** The request line as received. */
  line: string;
  /** The whole head (request line and headers, without the blank line). */
  head: string;
  /** The body bytes, de-chunked when the request was chunked (latin1). */
  body: string;
}

export interface RecordingBackend {
  ts: TestServer;
  /** Every byte received since the last reset(), all connections together (latin1). */
  bytes(): string;
  /** Requests framed since the last reset(). */
  requests: SeenRequest[];
  /** Request heads answered since the last reset() (a request whose body never completes counts here, not in `requests`). */
  heads: number;
  /** Connections accepted since the last reset(). */
  connections: number;
  /** Framing problems the backend itself met (bytes it could not read as HTTP/1), with what that connection received, since the last reset(). */
  unframed: string[];
  reset(): void;
  close(): Promise<void>;
}

const ANSWER = 'HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok';

/**
 * A backend that records every byte it receives, frames requests the way RFC 9112 says (chunked wins
 * over Content-Length, else Content-Length, else no body) and answers each one `200 ok` (keep-alive).
 */
export async function recordingBackend(): Promise<RecordingBackend> {
  let chunks: Buffer[] = [];
  const b: RecordingBackend = {
    ts: null as unknown as TestServer,
    bytes: () => Buffer.concat(chunks).toString('latin1'),
    requests: [],
    heads: 0,
    connections: 0,
    unframed: [],
    reset() {
      chunks = [];
      b.requests = [];
      b.heads = 0;
      b.connections = 0;
      b.unframed = [];
    },
    close: () => b.ts.close(),
  };
  b.ts = await tcpServer((s) => {
    b.connections++;
    let pending = '';
    let all = '';
    let broken = false;
    // answered the head at the start of `pending` already (answers go out once a head is in, as
    // HAProxy's own test server does, without waiting for the body)
    let answered = false;
    s.on('end', () => s.end());
    s.on('data', (d: Buffer) => {
      chunks.push(d);
      if (broken) return;
      pending += d.toString('latin1');
      all += d.toString('latin1');
      for (;;) {
        const r = frameRequest(pending);
        if (r === null) {
          if (!answered && /\S[\s\S]*?\r?\n\r?\n/.test(pending)) {
            answered = true;
            b.heads++;
            if (!s.destroyed) s.write(ANSWER);
          }
          break;
        }
        if ('error' in r) {
          broken = true;
          b.unframed.push(`${r.error} in ${JSON.stringify(all.length > 600 ? `${all.slice(0, 600)}…` : all)}`);
          s.destroy();
          return;
        }
        pending = pending.slice(r.used);
        b.requests.push(r.req);
        // a 2xx to CONNECT turns the connection into a tunnel: what follows is not HTTP any more
        if (/^CONNECT /i.test(r.req.line)) broken = true;
        if (!answered) {
          b.heads++;
          if (!s.destroyed) s.write(ANSWER);
        }
        answered = false;
        if (broken) return;
      }
    });
  });
  return b;
}

/** Frame one request at the start of `s`: null when incomplete. Blank lines before a request are skipped. */
export function frameRequest(s: string): { req: SeenRequest; used: number } | { error: string } | null {
  let start = 0;
  while (s.startsWith('\r\n', start) || s.startsWith('\n', start)) start += s.startsWith('\r\n', start) ? 2 : 1;
  const m = /\r?\n\r?\n/.exec(s.slice(start));
  if (!m) return null;
  const head = s.slice(start, start + m.index);
  let pos = start + m.index + m[0].length;
  const lines = head.split(/\r?\n/);
  const line = lines[0]!;
  if (!/^[!#$%&'*+.^_`|~0-9A-Za-z-]+ \S+ HTTP\/\d\.\d$/.test(line)) return { error: `bad request line ${JSON.stringify(line)}` };
  const headers = lines.slice(1).map((l) => {
    const i = l.indexOf(':');
    return [l.slice(0, i).trim().toLowerCase(), l.slice(i + 1).trim()] as const;
  });
  const te = headers.filter(([n]) => n === 'transfer-encoding').map(([, v]) => v.toLowerCase());
  const cl = headers.filter(([n]) => n === 'content-length').map(([, v]) => v);
  let body = '';
  if (te.length > 0) {
    const codings = te.join(',').split(',').map((x) => x.trim()).filter((x) => x !== '');
    if (codings[codings.length - 1] !== 'chunked') return { error: `transfer-encoding ${te.join(',')} without chunked last` };
    for (;;) {
      const eol = s.indexOf('\n', pos);
      if (eol < 0) return null;
      const sizeText = s.slice(pos, eol).replace(/\r$/, '').split(';')[0]!.trim();
      if (!/^[0-9a-fA-F]+$/.test(sizeText)) return { error: `bad chunk size ${JSON.stringify(sizeText)}` };
      const size = parseInt(sizeText, 16);
      pos = eol + 1;
      if (size === 0) {
        // trailers up to the blank line
        for (;;) {
          const e = s.indexOf('\n', pos);
          if (e < 0) return null;
          const l = s.slice(pos, e).replace(/\r$/, '');
          pos = e + 1;
          if (l === '') break;
        }
        break;
      }
      if (s.length < pos + size + 1) return null;
      body += s.slice(pos, pos + size);
      pos += size;
      if (s.startsWith('\r\n', pos)) pos += 2;
      else if (s.startsWith('\n', pos)) pos += 1;
      else if (s.length - pos < 2) return null;
      else return { error: 'chunk data not followed by CRLF' };
    }
  } else if (cl.length > 0) {
    const values = new Set(cl.flatMap((v) => v.split(',').map((x) => x.trim())));
    if (values.size !== 1) return { error: `content-length ${cl.join(' | ')}` };
    const n = Number([...values][0]);
    if (!Number.isSafeInteger(n) || n < 0) return { error: `content-length ${cl.join(' | ')}` };
    if (s.length < pos + n) return null;
    body = s.slice(pos, pos + n);
    pos += n;
  }
  return { req: { line, head, body }, used: pos };
}

/** A backend that answers every connection with `raw` (once it has a request head) and closes. */
export async function rawResponder(): Promise<{ ts: TestServer; raw: string; close(): Promise<void> }> {
  const r = { ts: null as unknown as TestServer, raw: ANSWER, close: () => r.ts.close() };
  r.ts = await tcpServer((s) => {
    let buf = '';
    let answered = false;
    s.on('data', (d: Buffer) => {
      buf += d.toString('latin1');
      if (answered || !/\r?\n\r?\n/.test(buf)) return;
      answered = true;
      s.end(Buffer.from(r.raw, 'latin1'));
    });
  });
  return r;
}

export interface Exchange {
  bytes: Buffer;
  text: string;
  /** The status of the first response, 0 when none. */
  status: number;
  /** Why reading stopped: the peer closed, a complete content-length response, idle, or the deadline. */
  why: 'closed' | 'complete' | 'idle' | 'deadline' | 'error';
}

/**
 * Send `raw` on a fresh connection and read until the peer closes, a complete response with a
 * content-length arrived (`complete`), nothing came for `idleMs` after something came, or `deadlineMs`.
 * `end: true` half-closes after writing; an array of strings is written piece by piece, `gapMs` apart;
 * `lingerOnErrorMs` waits that long after a complete 4xx/5xx for the peer to close (then why is 'closed').
 */
export function exchange(port: number, raw: string | Buffer | string[], o: { idleMs?: number; deadlineMs?: number; end?: boolean; untilClose?: boolean; gapMs?: number; lingerOnErrorMs?: number } = {}): Promise<Exchange> {
  const idleMs = o.idleMs ?? 400;
  const deadlineMs = o.deadlineMs ?? 4000;
  return new Promise((resolve) => {
    const sock = net.connect({ host: '127.0.0.1', port, allowHalfOpen: false });
    const chunks: Buffer[] = [];
    let finished = false;
    let idle: NodeJS.Timeout | undefined;
    const finish = (why: Exchange['why']) => {
      if (finished) return;
      finished = true;
      clearTimeout(idle);
      clearTimeout(total);
      sock.destroy();
      const bytes = Buffer.concat(chunks);
      const text = bytes.toString('latin1');
      resolve({ bytes, text, status: statusOf(text), why });
    };
    const total = setTimeout(() => finish('deadline'), deadlineMs);
    sock.on('error', () => finish('error'));
    sock.on('connect', async () => {
      // an array is written piece by piece, `gapMs` apart (each piece its own TCP segment on loopback)
      const parts = Array.isArray(raw) ? raw : [raw];
      for (let i = 0; i < parts.length; i++) {
        if (i > 0) await new Promise((r) => setTimeout(r, o.gapMs ?? 10));
        if (finished || sock.destroyed) return;
        const p = parts[i]!;
        sock.write(typeof p === 'string' ? Buffer.from(p, 'latin1') : p);
      }
      if (o.end) sock.end();
    });
    sock.on('data', (d: Buffer) => {
      chunks.push(d);
      clearTimeout(idle);
      idle = setTimeout(() => finish('idle'), idleMs);
      const text = Buffer.concat(chunks).toString('latin1');
      if (o.untilClose || !completeResponse(text)) return;
      // an error answer: wait a little for the close that should follow it (why becomes 'closed')
      if (o.lingerOnErrorMs && statusOf(text) >= 400) {
        clearTimeout(idle);
        idle = setTimeout(() => finish('complete'), o.lingerOnErrorMs);
      } else finish('complete');
    });
    sock.on('end', () => finish('closed'));
    sock.on('close', () => finish('closed'));
  });
}

/** The status code of the first response in `text`, 0 when there is none. */
export function statusOf(text: string): number {
  const m = /^HTTP\/\d\.\d +(\d+)/.exec(text);
  return m ? Number(m[1]) : 0;
}

/** A final (non-1xx) response with a content-length whose body is all there. */
export function completeResponse(text: string): boolean {
  let rest = text;
  for (;;) {
    const end = rest.search(/\r?\n\r?\n/);
    if (end < 0) return false;
    const m = /\r?\n\r?\n/.exec(rest.slice(end))!;
    const head = rest.slice(0, end);
    const status = statusOf(head);
    if (status >= 100 && status < 200) {
      rest = rest.slice(end + m[0].length);
      continue;
    }
    const cl = /\ncontent-length:\s*(\d+)/i.exec(head);
    return cl ? rest.length - end - m[0].length >= Number(cl[1]) : false;
  }
}

export interface Lb {
  rt: Runtime;
  ports: Record<string, number>;
  /** `show stat` rows as objects, keyed `pxname/svname`. */
  stat(): Record<string, Record<string, string>>;
  close(): Promise<void>;
}

/** lbd in-process from `text`; every `${name}` not in `vars` becomes a free port (see `ports`). */
export async function startLbText(text: string, vars: Record<string, number | string> = {}): Promise<Lb> {
  const ports: Record<string, number> = {};
  for (const m of text.matchAll(/\$\{(\w+)\}/g)) if (!(m[1]! in vars) && !(m[1]! in ports)) ports[m[1]!] = await freePort();
  const filled = text.replace(/\$\{(\w+)\}/g, (_, n: string) => String(vars[n] ?? ports[n]));
  const loaded = await parseConfigText(filled, 'http-raw.cfg');
  assert.ok(loaded.config, `config rejected:\n${loaded.diagnostics.map((d) => d.message).join('\n')}\n${filled}`);
  const rt = new Runtime({ log: memoryLogger(), probe: runProbe });
  await rt.apply(loaded.config);
  return {
    rt,
    ports,
    stat() {
      const csv = showStat(rt.snapshot(), { format: 'csv', desc: false, up: false, noMaint: false, iid: -1, type: -1, sid: -1 });
      const lines = csv.split('\n').filter((l) => l.length > 0);
      const header = lines[0]!.replace(/^# /, '').split(',');
      const rows: Record<string, Record<string, string>> = {};
      for (const l of lines.slice(1)) {
        const cells = l.split(',');
        const row: Record<string, string> = {};
        header.forEach((h, i) => (row[h] = cells[i] ?? ''));
        rows[`${row.pxname}/${row.svname}`] = row;
      }
      return rows;
    },
    async close() {
      await rt.closeListeners();
      rt.shutdown();
    },
  };
}

/** A small deterministic PRNG (mulberry32) for reproducible fuzzing. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
