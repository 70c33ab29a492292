import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Body, Framing, requestFraming, responseFraming } from '../../daemon/http/framing.js';
import { HeadKind, Method } from '../../daemon/http/head.js';
import { HOP_KEEP_TRANSFER_ENCODING, HOP_KEEP_UPGRADE, markHopByHop } from '../../daemon/http/hop-by-hop.js';
import { HeadParser } from '../../daemon/http/parse-head.js';

const reqParser = new HeadParser(HeadKind.REQUEST);
const resParser = new HeadParser(HeadKind.RESPONSE);

function req(line: string, headers: string[]) {
  reqParser.reset();
  const r = reqParser.execute(Buffer.from(`${line}\r\n${headers.map((h) => `${h}\r\n`).join('')}\r\n`, 'latin1'));
  assert.ok(r > 0, `parse ${line} ${headers}: ${reqParser.errorCode}`);
  const f = new Framing();
  const ok = requestFraming(reqParser.head, f);
  return { ok, f, h: reqParser.head };
}

function res(line: string, headers: string[], method = Method.GET, upgrade = false) {
  resParser.reset();
  const r = resParser.execute(Buffer.from(`${line}\r\n${headers.map((h) => `${h}\r\n`).join('')}\r\n`, 'latin1'));
  assert.ok(r > 0, `parse ${line}: ${resParser.errorCode}`);
  const f = new Framing();
  const ok = responseFraming(resParser.head, method, upgrade, f);
  return { ok, f, h: resParser.head };
}

const skipped = (h: { count: number; skip: Uint8Array; name(i: number): string }) =>
  Array.from({ length: h.count }, (_, i) => i).filter((i) => h.skip[i]).map((i) => h.name(i));

test('requests: no length means no body; Content-Length; chunked', () => {
  assert.equal(req('POST / HTTP/1.1', ['Host: h']).f.body, Body.NONE);
  const cl = req('POST / HTTP/1.1', ['Content-Length: 42']).f;
  assert.deepEqual([cl.body, cl.length], [Body.LENGTH, 42]);
  assert.equal(req('POST / HTTP/1.1', ['Content-Length: 0']).f.body, Body.NONE);
  assert.equal(req('POST / HTTP/1.1', ['Transfer-Encoding: chunked']).f.body, Body.CHUNKED);
});

test('keep-alive: 1.1 unless close; 1.0 only with keep-alive; tokens in any case, any field, among others', () => {
  const cases: Array<[string, string[], boolean]> = [
    ['GET / HTTP/1.1', [], true],
    ['GET / HTTP/1.1', ['Connection: close'], false],
    ['GET / HTTP/1.1', ['Connection: Upgrade, CLOSE'], false],
    ['GET / HTTP/1.1', ['Connection: foo', 'Connection: close'], false],
    ['GET / HTTP/1.0', [], false],
    ['GET / HTTP/1.0', ['Connection: Keep-Alive'], true],
    ['GET / HTTP/1.0', ['Connection: keep-alive, close'], false],
    ['GET / HTTP/2.0', [], true],
  ];
  for (const [line, hs, ka] of cases) assert.equal(req(line, hs).f.keepAlive, ka, `${line} ${hs}`);
});

test('Transfer-Encoding with Content-Length: chunked wins, every Content-Length is dropped, the connection closes', () => {
  const { ok, f, h } = req('POST / HTTP/1.1', ['Content-Length: 5', 'Transfer-Encoding: chunked', 'Content-Length: 7']);
  assert.ok(ok);
  assert.equal(f.body, Body.CHUNKED);
  assert.equal(f.keepAlive, false);
  assert.deepEqual(skipped(h), ['Content-Length', 'Content-Length']);
  const ten = req('POST / HTTP/1.0', ['Connection: keep-alive', 'Transfer-Encoding: chunked']).f;
  assert.equal(ten.keepAlive, false, 'TE in HTTP/1.0 closes');
});

test('Content-Length: identical copies and lists are one value; the copies are dropped and a rewrite is flagged', () => {
  const a = req('POST / HTTP/1.1', ['Content-Length: 5', 'Content-Length: 5']);
  assert.deepEqual([a.f.length, a.f.contentLengthIndex, a.f.contentLengthRewrite, skipped(a.h)], [5, 0, false, ['Content-Length']]);
  const b = req('POST / HTTP/1.1', ['Content-Length: 5, 5']);
  assert.deepEqual([b.f.length, b.f.contentLengthRewrite], [5, true]);
  const c = req('POST / HTTP/1.1', ['Content-Length: 007']);
  assert.deepEqual([c.f.length, c.f.contentLengthRewrite], [7, true]);
  for (const v of ['5, 6', '', '+5', '-1', '0x5', '5 5', '5,', ',5', '1e3', '99999999999999999999']) {
    const r = req('POST / HTTP/1.1', [`Content-Length: ${v}`]);
    assert.deepEqual([r.ok, r.f.error, r.f.status], [false, 'bad-content-length', 400], v);
  }
  assert.equal(req('POST / HTTP/1.1', ['Content-Length: 9007199254740991']).f.length, Number.MAX_SAFE_INTEGER);
});

test('Transfer-Encoding on requests: chunked last and once; other codings before it get 422', () => {
  const verdict = (v: string) => {
    const r = req('POST / HTTP/1.1', [`Transfer-Encoding: ${v}`]);
    return r.ok ? 'ok' : `${r.f.status}`;
  };
  assert.equal(verdict('chunked'), 'ok');
  assert.equal(verdict('CHUNKED'), 'ok');
  assert.equal(verdict('chunked,'), 'ok');
  assert.equal(verdict('gzip, chunked'), '422');
  assert.equal(verdict(', chunked'), '422');
  assert.equal(verdict('chunked, gzip'), '400');
  assert.equal(verdict('chunked, chunked'), '400');
  assert.equal(verdict('gzip'), '400');
  assert.equal(verdict('xchunked'), '400');
});

test('Expect: 100-continue is seen on 1.1 requests only; Upgrade needs Connection: upgrade', () => {
  assert.equal(req('POST / HTTP/1.1', ['Expect: 100-Continue', 'Content-Length: 3']).f.expectContinue, true);
  assert.equal(req('POST / HTTP/1.0', ['Expect: 100-continue']).f.expectContinue, false);
  assert.equal(req('POST / HTTP/1.1', ['Expect: something']).f.expectContinue, false);
  assert.equal(req('GET / HTTP/1.1', ['Connection: Upgrade', 'Upgrade: websocket']).f.upgrade, true);
  assert.equal(req('GET / HTTP/1.1', ['Upgrade: websocket']).f.upgrade, false);
});

test('responses: HEAD, 1xx, 204 and 304 have no body; CONNECT 2xx and an asked-for 101 are tunnels', () => {
  assert.deepEqual([res('HTTP/1.1 200 OK', ['Content-Length: 10'], Method.HEAD).f.body, res('HTTP/1.1 200 OK', ['Content-Length: 10'], Method.HEAD).f.length], [Body.NONE, 10]);
  assert.equal(res('HTTP/1.1 304 Not Modified', ['Content-Length: 10']).f.body, Body.NONE);
  const nc = res('HTTP/1.1 204 No Content', ['Content-Length: 10']);
  assert.deepEqual([nc.f.body, skipped(nc.h)], [Body.NONE, ['Content-Length']]);
  const c = res('HTTP/1.1 100 Continue', []).f;
  assert.deepEqual([c.body, c.interim], [Body.NONE, true]);
  assert.equal(res('HTTP/1.1 200 Connection established', [], Method.CONNECT).f.body, Body.TUNNEL);
  const up = res('HTTP/1.1 101 Switching Protocols', ['Upgrade: websocket', 'Connection: Upgrade'], Method.GET, true).f;
  assert.deepEqual([up.body, up.upgrade], [Body.TUNNEL, true]);
  const rogue = res('HTTP/1.1 101 Switching Protocols', ['Upgrade: websocket'], Method.GET, false);
  assert.deepEqual([rogue.ok, rogue.f.error, rogue.f.status], [false, 'unexpected-101', 502]);
});

test('responses: no length means read until close (and no keep-alive); chunked; any coding but chunked is a 502', () => {
  const u = res('HTTP/1.1 200 OK', []).f;
  assert.deepEqual([u.body, u.keepAlive], [Body.UNTIL_CLOSE, false]);
  assert.equal(res('HTTP/1.1 200 OK', ['Transfer-Encoding: chunked']).f.body, Body.CHUNKED);
  assert.equal(res('HTTP/1.1 200 OK', ['Content-Length: 0']).f.body, Body.NONE);
  for (const v of ['gzip, chunked', 'chunked, gzip', 'identity']) {
    const r = res('HTTP/1.1 200 OK', [`Transfer-Encoding: ${v}`]);
    assert.deepEqual([r.ok, r.f.status], [false, 502], v);
  }
  const te = res('HTTP/1.1 200 OK', ['Content-Length: 3', 'Transfer-Encoding: chunked']);
  assert.deepEqual([te.f.body, te.f.keepAlive, skipped(te.h)], [Body.CHUNKED, false, ['Content-Length']]);
});

test('hop-by-hop: the fixed set and every field Connection names are marked skip; Host and framing are protected', () => {
  const { h } = req('GET / HTTP/1.1', [
    'Host: h', 'Connection: keep-alive, X-Secret, Host, Content-Length', 'Keep-Alive: 5', 'X-Secret: 1', 'Proxy-Connection: x',
    'TE: trailers', 'Trailer: X-T', 'Upgrade: h2c', 'X-Kept: 1', 'Content-Length: 0',
  ]);
  assert.equal(markHopByHop(h), 7);
  assert.deepEqual(skipped(h), ['Connection', 'Keep-Alive', 'X-Secret', 'Proxy-Connection', 'TE', 'Trailer', 'Upgrade']);
  const ws = req('GET / HTTP/1.1', ['Connection: Upgrade', 'Upgrade: websocket', 'Transfer-Encoding: chunked']).h;
  markHopByHop(ws, HOP_KEEP_UPGRADE | HOP_KEEP_TRANSFER_ENCODING);
  assert.deepEqual(skipped(ws), ['Connection']);
  const plain = req('GET / HTTP/1.1', ['Host: h', 'Accept: */*']).h;
  assert.equal(markHopByHop(plain), 0);
});
