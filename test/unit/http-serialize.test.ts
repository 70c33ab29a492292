import { test } from 'node:test';
import assert from 'node:assert/strict';
import { requestCases } from '../fixtures/http/malformed-cases.js';
import { HeadKind } from '../../daemon/http/head.js';
import { markHopByHop } from '../../daemon/http/hop-by-hop.js';
import { HeadParser } from '../../daemon/http/parse-head.js';
import { serializeHead } from '../../daemon/http/serialize.js';

const B = (s: string) => Buffer.from(s, 'latin1');

function parse(kind: HeadKind, raw: string) {
  const p = new HeadParser(kind);
  const buf = B(raw);
  assert.ok(p.execute(buf) > 0, p.errorCode ?? '');
  return { head: p.head, buf };
}

test('an untouched canonical head is returned as a view of the input (no copy)', () => {
  const { head, buf } = parse(HeadKind.REQUEST, 'GET /a HTTP/1.1\r\nHost: h\r\nAccept: */*\r\n\r\nBODY');
  const out = serializeHead(head);
  assert.equal(out.toString('latin1'), 'GET /a HTTP/1.1\r\nHost: h\r\nAccept: */*\r\n\r\n');
  assert.equal(out.buffer, buf.buffer, 'same memory');
  const r = parse(HeadKind.RESPONSE, 'HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok');
  assert.equal(serializeHead(r.head).buffer, r.buf.buffer);
});

test('dropped fields go, runs of canonical lines are copied, odd lines are rewritten canonically', () => {
  const { head } = parse(HeadKind.REQUEST, 'GET  /a\tHTTP/1.1\nHost:h\nConnection: keep-alive, X-A\nX-A: 1\nX-B:   2  \r\nX-C: 3\r\n\r\n');
  markHopByHop(head);
  assert.equal(serializeHead(head).toString('latin1'), 'GET /a HTTP/1.1\r\nHost: h\r\nX-B: 2\r\nX-C: 3\r\n\r\n');
});

test('versions: above 1.1 are sent as HTTP/1.1, 1.0 stays; a response without reason gets "200 \\r\\n" as in HAProxy', () => {
  assert.equal(serializeHead(parse(HeadKind.REQUEST, 'GET / HTTP/2.0\r\nHost: h\r\n\r\n').head).toString(), 'GET / HTTP/1.1\r\nHost: h\r\n\r\n');
  assert.equal(serializeHead(parse(HeadKind.REQUEST, 'GET / HTTP/1.0\r\n\r\n').head).toString(), 'GET / HTTP/1.0\r\n\r\n');
  assert.equal(serializeHead(parse(HeadKind.RESPONSE, 'HTTP/1.1 200\r\nA: 1\r\n\r\n').head).toString(), 'HTTP/1.1 200 \r\nA: 1\r\n\r\n');
  assert.equal(serializeHead(parse(HeadKind.RESPONSE, 'HTTP/1.1  204  No Content\r\n\r\n').head).toString(), 'HTTP/1.1 204 No Content\r\n\r\n');
});

test('edits: del, set (replaces every copy), add, start line', () => {
  const { head } = parse(HeadKind.REQUEST, 'GET /old HTTP/1.1\r\nHost: h\r\nX-Forwarded-For: 1.2.3.4\r\nCookie: a\r\nCookie: b\r\nX-Keep: 1\r\n\r\n');
  const out = serializeHead(head, {
    del: ['cookie'],
    set: [['X-Forwarded-For', '10.0.0.1']],
    add: [['Via', '1.1 lbd']],
    method: 'POST',
    target: '/new',
  });
  assert.equal(out.toString(), 'POST /new HTTP/1.1\r\nHost: h\r\nX-Keep: 1\r\nX-Forwarded-For: 10.0.0.1\r\nVia: 1.1 lbd\r\n\r\n');
  const r = parse(HeadKind.RESPONSE, 'HTTP/1.1 200 OK\r\nServer: x\r\n\r\n');
  assert.equal(serializeHead(r.head, { status: 503, reason: 'Service Unavailable', del: ['server'] }).toString(), 'HTTP/1.1 503 Service Unavailable\r\n\r\n');
});

test('an edit can never split a line: CR, LF and NUL in added values become spaces', () => {
  const { head } = parse(HeadKind.REQUEST, 'GET / HTTP/1.1\r\nHost: h\r\n\r\n');
  const out = serializeHead(head, { add: [['X-A', 'a\r\nInjected: 1\u0000']] }).toString('latin1');
  assert.equal(out, 'GET / HTTP/1.1\r\nHost: h\r\nX-A: a  Injected: 1 \r\n\r\n');
});

test('every forwardable row of the table serializes to a head that parses back to the same fields', () => {
  let n = 0;
  for (const c of requestCases) {
    if ((c.lbd ?? c.haproxy) !== 200) continue;
    const { head } = parse(HeadKind.REQUEST, c.raw);
    const expected = head.headers().filter((_, i) => !head.skip[i]);
    const method = head.method;
    const target = head.target;
    const out = serializeHead(head);
    const again = new HeadParser(HeadKind.REQUEST);
    assert.equal(again.execute(out), out.length, c.name);
    assert.deepEqual([again.head.method, again.head.target, again.head.headers()], [method, target, expected], c.name);
    assert.ok(!out.includes('\n\n') && out.subarray(-4).toString() === '\r\n\r\n', `${c.name}: CRLF only`);
    n++;
  }
  assert.ok(n > 70, `${n} rows`);
});

test('trailers serialize as fields plus the empty line', () => {
  const t = new HeadParser(HeadKind.TRAILERS);
  assert.ok(t.execute(B('A: 1\nB:2\r\n\r\n')) > 0);
  assert.equal(serializeHead(t.head).toString(), 'A: 1\r\nB: 2\r\n\r\n');
});
