import { test } from 'node:test';
import assert from 'node:assert/strict';
import { requestCases, responseCases } from '../fixtures/http/malformed-cases.js';
import { HeadKind, Hdr, Method, TargetForm } from '../../daemon/http/head.js';
import { headLimits } from '../../daemon/http/limits.js';
import { HeadParser, NEED_MORE, PARSE_ERROR } from '../../daemon/http/parse-head.js';
import { feed } from './http-outcome.js';

const B = (s: string) => Buffer.from(s, 'latin1');

/** Everything a head exposes, as plain data, to compare two parses. */
function snapshot(p: HeadParser) {
  const h = p.head;
  return {
    method: h.kind === HeadKind.REQUEST ? h.method : '', target: h.kind === HeadKind.REQUEST ? h.target : '',
    status: h.status, reason: h.kind === HeadKind.RESPONSE ? h.reason : '',
    version: `${h.versionMajor}.${h.versionMinor}`, http11: h.http11, headers: h.headers(),
    skip: Array.from(h.skip.subarray(0, h.count)), length: h.length, skipped: h.skipped, form: h.targetForm, authority: h.authority,
  };
}

test('a typical request: fields, original case and order, lengths, where the body starts', () => {
  const p = new HeadParser(HeadKind.REQUEST);
  const raw = B('GET /search?q=lbd HTTP/1.1\r\nHost: example.com\r\nUser-Agent: curl/8.0\r\nAccept: */*\r\nX-Mixed-Case: Value  \r\n\r\nNEXT');
  const end = p.execute(raw);
  assert.equal(raw.toString('latin1', end), 'NEXT');
  const h = p.head;
  assert.equal(h.method, 'GET');
  assert.equal(h.methodId, Method.GET);
  assert.equal(h.target, '/search?q=lbd');
  assert.equal(h.targetForm, TargetForm.ORIGIN);
  assert.equal(h.http11, true);
  assert.deepEqual(h.headers(), [['Host', 'example.com'], ['User-Agent', 'curl/8.0'], ['Accept', '*/*'], ['X-Mixed-Case', 'Value']]);
  assert.equal(h.length, end);
  assert.equal(h.get('user-agent'), 'curl/8.0');
  assert.equal(h.get('x-missing'), undefined);
  assert.equal(h.find('accept'), 2);
  assert.ok(h.has(Hdr.HOST) && !h.has(Hdr.CONTENT_LENGTH));
  assert.equal(h.hostIndex, 0);
  assert.ok(h.nameIs(3, 'x-mixed-case'));
});

test('a response: status, reason, version; HTTP/1.0 is not 1.1', () => {
  const p = new HeadParser(HeadKind.RESPONSE);
  const raw = B('HTTP/1.0 404 Not Found\r\nContent-Length: 0\r\n\r\n');
  assert.equal(p.execute(raw), raw.length);
  assert.equal(p.head.status, 404);
  assert.equal(p.head.reason, 'Not Found');
  assert.equal(p.head.http11, false);
  p.reset();
  assert.equal(p.execute(B('HTTP/1.1 204\r\n\r\n')), 16);
  assert.equal(p.head.reason, '');
});

test('pipelined requests: each head ends where the next begins; reset between them', () => {
  const p = new HeadParser(HeadKind.REQUEST);
  const raw = B('GET /a HTTP/1.1\r\nHost: h\r\n\r\nGET /b HTTP/1.1\r\nHost: h\r\n\r\nGET /c HTTP/1.1\r\n');
  const targets: string[] = [];
  let at = 0;
  for (;;) {
    p.reset();
    const r = p.execute(raw, at);
    if (r === NEED_MORE) break;
    targets.push(p.head.target);
    at = r;
  }
  assert.deepEqual(targets, ['/a', '/b']);
  // the third head is pending inside the parser; the rest completes it
  assert.equal(p.execute(B('Host: h\r\n\r\n')), 11);
  assert.equal(p.head.target, '/c');
});

test('every row whose head parses parses identically whole, byte by byte, and in random pieces (CR and LF split too)', () => {
  let seed = 1;
  const rnd = (n: number) => ((seed = (seed * 48271) % 2147483647), seed % n);
  // every row whose head parses, including the ones framing or the body decoder refuse later
  const rows = [
    ...requestCases.map((c) => ({ kind: HeadKind.REQUEST, raw: c.raw })),
    ...responseCases.map((c) => ({ kind: HeadKind.RESPONSE, raw: c.raw })),
  ].filter(({ kind, raw }) => new HeadParser(kind).execute(B(raw)) > 0);
  assert.ok(rows.length > 120, `${rows.length} rows`);
  for (const { kind, raw } of rows) {
    const whole = new HeadParser(kind);
    const end = whole.execute(B(raw));
    const ref = snapshot(whole);
    const splits = [Array.from({ length: end }, (_, i) => i + 1)];
    for (let k = 0; k < 8; k++) splits.push(Array.from({ length: 1 + rnd(5) }, () => 1 + rnd(end)).sort((a, b) => a - b));
    for (const cuts of splits) {
      const p = new HeadParser(kind);
      const r = feed(p, B(raw), cuts);
      assert.equal(r, end, `end offset, cuts ${cuts.length}`);
      assert.deepEqual(snapshot(p), ref, `split in ${cuts.length + 1} pieces`);
    }
  }
});

test('obs-fold: the value continues, the line break becomes spaces in the buffer (as HAProxy forwards it)', () => {
  const p = new HeadParser(HeadKind.REQUEST);
  const raw = B('GET / HTTP/1.1\r\nX-A: one\r\n  two\r\n\tthree\r\nX-B:\r\n b\r\n\r\n');
  assert.equal(p.execute(raw), raw.length);
  assert.deepEqual(p.head.headers(), [['X-A', 'one    two  \tthree'], ['X-B', 'b']]);
  assert.ok(!raw.includes('one\r\n'));
});

test('errors carry the status, the reason and the offset where they were seen', () => {
  const p = new HeadParser(HeadKind.REQUEST);
  assert.equal(p.execute(B('GET / HTTP/1.1\r\nHost : h\r\n\r\n')), PARSE_ERROR);
  assert.deepEqual([p.errorStatus, p.errorCode, p.errorOffset], [400, 'space-before-colon', 20]);
  assert.equal(p.execute(B('GET / HTTP/1.1\r\n\r\n')), PARSE_ERROR, 'stays in error until reset');
  p.reset();
  assert.ok(p.execute(B('GET / HTTP/1.1\r\n\r\n')) > 0);
  const r = new HeadParser(HeadKind.RESPONSE);
  assert.equal(r.execute(B('HTTP/1.1 200 OK\r\nX(: 1\r\n\r\n')), PARSE_ERROR);
  assert.deepEqual([r.errorStatus, r.errorCode], [502, 'bad-header-name']);
});

test('a bare CR is reported as soon as the byte after it arrives, even when the head was split', () => {
  const p = new HeadParser(HeadKind.REQUEST);
  assert.equal(p.execute(B('GET / HTTP/1.1\r\nX-A: a')), NEED_MORE);
  assert.equal(p.execute(B('\r')), NEED_MORE);
  assert.equal(p.execute(B('b')), PARSE_ERROR);
  assert.equal(p.errorCode, 'bare-cr');
});

test('limits follow tune.bufsize / tune.maxrewrite / tune.http.maxhdr', () => {
  const small = headLimits(8192, 1024, 10);
  assert.deepEqual(small, { maxRaw: 8128, maxSize: 7083, maxHeaders: 9 });
  const p = new HeadParser(HeadKind.REQUEST, small);
  const hdrs = (n: number) => Array.from({ length: n }, (_, i) => `X-${i}: ${i}\r\n`).join('');
  assert.ok(p.execute(B(`GET / HTTP/1.1\r\n${hdrs(9)}\r\n`)) > 0);
  p.reset();
  assert.equal(p.execute(B(`GET / HTTP/1.1\r\n${hdrs(10)}\r\n`)), PARSE_ERROR);
  assert.equal(p.errorCode, 'too-many-headers');
  // maxrewrite is capped at half the buffer, as in HAProxy
  assert.equal(headLimits(4096, 4096).maxSize, 4096 - 2048 - 85);
});

test('a head that never ends is refused at tune.bufsize - 64 bytes, fed whole or one byte at a time', () => {
  const endless = B(`GET / HTTP/1.1\r\nX-A: ${'a'.repeat(20000)}`);
  const p = new HeadParser(HeadKind.REQUEST);
  assert.equal(p.execute(endless), PARSE_ERROR);
  assert.equal(p.errorCode, 'too-large');
  p.reset();
  let r = NEED_MORE;
  let i = 0;
  for (; i < endless.length && r === NEED_MORE; i++) r = p.execute(endless, i, i + 1);
  assert.equal(r, PARSE_ERROR);
  assert.equal(i, 16320);
});

test('byte-at-a-time feeding stays linear: a 15 KB head takes well under a second', () => {
  const raw = B(`GET / HTTP/1.1\r\nHost: h\r\nX-A: ${'a'.repeat(15000)}\r\n\r\n`);
  const p = new HeadParser(HeadKind.REQUEST);
  const t0 = process.hrtime.bigint();
  let r = NEED_MORE;
  for (let i = 0; i < raw.length && r === NEED_MORE; i++) r = p.execute(raw, i, i + 1);
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  assert.equal(r, raw.length);
  assert.equal(p.head.value(1).length, 15000);
  assert.ok(ms < 1000, `${ms} ms`);
});

test('empty lines before a request count toward the limit, even across chunks (a CRLF after a POST body)', () => {
  const p = new HeadParser(HeadKind.REQUEST);
  assert.equal(p.execute(B('\r\n')), NEED_MORE);
  assert.equal(p.started, false);
  assert.equal(p.execute(B('\r\nGET / HTTP/1.1\r\n\r\n')), 20);
  assert.equal(p.head.skipped, 4);
  assert.equal(p.head.start, 2);
});

test('trailer sections: fields only, same rules', () => {
  const t = new HeadParser(HeadKind.TRAILERS);
  assert.equal(t.execute(B('X-Checksum: abc\r\nX-B: 2\r\n\r\nrest')), 27);
  assert.deepEqual(t.head.headers(), [['X-Checksum', 'abc'], ['X-B', '2']]);
  t.reset();
  assert.equal(t.execute(B('\r\n')), 2);
  assert.equal(t.head.count, 0);
  t.reset();
  assert.equal(t.execute(B('X T: 1\r\n\r\n')), PARSE_ERROR);
});

test('duplicate Host with the same value is kept once (the copy is marked skip, as HAProxy drops it)', () => {
  const p = new HeadParser(HeadKind.REQUEST);
  assert.ok(p.execute(B('GET / HTTP/1.1\r\nHost: a\r\nX: 1\r\nHOST: A\r\n\r\n')) > 0);
  assert.deepEqual(Array.from(p.head.skip.subarray(0, 3)), [0, 0, 1]);
});

test('absolute-form and CONNECT: form and authority exposed', () => {
  const p = new HeadParser(HeadKind.REQUEST);
  assert.ok(p.execute(B('GET http://user@Example.com:80/x?y HTTP/1.1\r\nHost: example.com\r\n\r\n')) > 0);
  assert.equal(p.head.targetForm, TargetForm.ABSOLUTE);
  assert.equal(p.head.authority, 'Example.com:80');
  p.reset();
  assert.ok(p.execute(B('CONNECT db.internal:5432 HTTP/1.1\r\n\r\n')) > 0);
  assert.equal(p.head.targetForm, TargetForm.AUTHORITY);
  assert.equal(p.head.authority, 'db.internal:5432');
  p.reset();
  assert.ok(p.execute(B('OPTIONS * HTTP/1.1\r\nHost: h\r\n\r\n')) > 0);
  assert.equal(p.head.targetForm, TargetForm.ASTERISK);
});
