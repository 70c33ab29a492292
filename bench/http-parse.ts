// Micro-benchmark of the HTTP/1 head parser (not a test): ns per head for a typical ~300-byte request
// and response head, beside Node's own llhttp (process.binding('http_parser'), what node:http uses).
//
//   make build && node dist/bench/http-parse.js [--n 1000000]
//
// lbd rows: "parse" builds offsets only (what forwarding needs); "+ strings" also makes every name and
// value a string (the work llhttp's callback hands to node:http); "+ framing + serialize" is the
// proxy's whole head path (framing decision, hop-by-hop marking, bytes to write); "split in 3" feeds the
// head in three chunks (the copy path). llhttp always makes the strings. Each figure is the best of 25
// batches, so a busy machine disturbs it less; compare rows of the same run.
import { Framing, requestFraming, responseFraming } from '../daemon/http/framing.js';
import { HeadKind, Method } from '../daemon/http/head.js';
import { markHopByHop } from '../daemon/http/hop-by-hop.js';
import { HeadParser } from '../daemon/http/parse-head.js';
import { serializeHead } from '../daemon/http/serialize.js';

const arg = (name: string, def: number) => {
  const i = process.argv.indexOf(name);
  return i > 0 ? Number(process.argv[i + 1]) : def;
};
const N = arg('--n', 1_000_000);

const REQUEST = Buffer.from(
  'GET /api/v1/users/12345/orders?limit=20&offset=40 HTTP/1.1\r\n' +
    'Host: api.example.com\r\n' +
    'User-Agent: Mozilla/5.0 (X11; Linux x86_64) Chrome/120.0\r\n' +
    'Accept: application/json\r\n' +
    'Accept-Encoding: gzip, deflate, br\r\n' +
    'Accept-Language: en-US,en;q=0.9\r\n' +
    'Connection: keep-alive\r\n' +
    'Cookie: session=abc123def456ghi789\r\n' +
    '\r\n',
  'latin1',
);
const RESPONSE = Buffer.from(
  'HTTP/1.1 200 OK\r\n' +
    'Date: Sat, 21 Nov 2026 02:37:21 GMT\r\n' +
    'Content-Type: application/json; charset=utf-8\r\n' +
    'Content-Length: 1234\r\n' +
    'Connection: keep-alive\r\n' +
    'Cache-Control: no-cache, no-store\r\n' +
    'Server: nginx/1.22.1\r\n' +
    'X-Request-Id: 6f1c2a9e-3b7d-4c1e-9f2a-8d4b5c6e7f80\r\n' +
    'Vary: Accept-Encoding\r\n' +
    '\r\n',
  'latin1',
);

/** ns per call: the best of 25 batches (the machine is shared; the minimum is the least disturbed figure). */
function time(label: string, bytes: number, fn: () => void): void {
  for (let i = 0; i < Math.min(N, 200_000); i++) fn(); // warm-up
  const batch = Math.max(1, Math.floor(N / 25));
  let best = Infinity;
  for (let b = 0; b < 25; b++) {
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < batch; i++) fn();
    best = Math.min(best, Number(process.hrtime.bigint() - t0) / batch);
  }
  console.log(`${label.padEnd(46)} ${best.toFixed(0).padStart(6)} ns/head  (${bytes} bytes, ${(1e9 / best / 1e6).toFixed(2)} M heads/s)`);
}

function lbd(kind: HeadKind, buf: Buffer, label: string): void {
  const p = new HeadParser(kind);
  const f = new Framing();
  let sink = 0;
  time(`lbd ${label} parse`, buf.length, () => {
    p.reset();
    sink += p.execute(buf);
  });
  time(`lbd ${label} parse + strings`, buf.length, () => {
    p.reset();
    p.execute(buf);
    const h = p.head;
    for (let i = 0; i < h.count; i++) sink += h.name(i).length + h.value(i).length;
    sink += kind === HeadKind.REQUEST ? h.method.length + h.target.length : h.reason.length;
  });
  time(`lbd ${label} parse + framing + serialize`, buf.length, () => {
    p.reset();
    p.execute(buf);
    if (kind === HeadKind.REQUEST) requestFraming(p.head, f);
    else responseFraming(p.head, Method.GET, false, f);
    markHopByHop(p.head);
    sink += serializeHead(p.head).length;
  });
  const a = Math.floor(buf.length / 3);
  const pieces = [buf.subarray(0, a), buf.subarray(a, 2 * a), buf.subarray(2 * a)];
  time(`lbd ${label} parse, split in 3 chunks`, buf.length, () => {
    p.reset();
    p.execute(pieces[0]);
    p.execute(pieces[1]);
    sink += p.execute(pieces[2]);
  });
  if (sink === 42) console.log('');
}

interface LlhttpParser {
  initialize(type: number, resource: object, maxHeaderSize?: number, lenient?: number): void;
  execute(buf: Buffer): number | Error;
  [k: number]: unknown;
}

function llhttp(kind: 'REQUEST' | 'RESPONSE', buf: Buffer): void {
  let binding: { HTTPParser: { new (): LlhttpParser } & Record<string, number> };
  try {
    const proc = process as unknown as { binding(name: string): unknown; noDeprecation?: boolean };
    proc.noDeprecation = true;
    binding = proc.binding('http_parser') as typeof binding;
  } catch {
    console.log("llhttp: process.binding('http_parser') not reachable on this Node.js");
    return;
  }
  const P = binding.HTTPParser;
  const p = new P();
  let sink = 0;
  p[P.kOnHeadersComplete] = (_maj: number, _min: number, headers: string[], _m: number, url: string | undefined) => {
    sink += headers.length + (url ? url.length : 0);
    return 0;
  };
  p[P.kOnMessageComplete] = () => 0;
  p[P.kOnExecute] = () => 0;
  p[P.kOnBody] = () => 0;
  p.initialize(P[kind], {}, 0, 0);
  // the response says Content-Length: 1234; llhttp gets the same head saying 0000, so each execute is one
  // whole message and no body is scanned (lbd's rows do not read the body either)
  const input = kind === 'RESPONSE' ? Buffer.from(buf.toString('latin1').replace('Content-Length: 1234', 'Content-Length: 0000'), 'latin1') : buf;
  time(`llhttp (node:http's parser) ${kind.toLowerCase()}`, buf.length, () => {
    const r = p.execute(input);
    if (typeof r !== 'number') throw r;
  });
  if (sink === 42) console.log('');
}

console.log(`Node ${process.version}, ${N} iterations per row\n`);
lbd(HeadKind.REQUEST, REQUEST, 'request');
llhttp('REQUEST', REQUEST);
console.log('');
lbd(HeadKind.RESPONSE, RESPONSE, 'response');
llhttp('RESPONSE', RESPONSE);
