import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { ERROR_STATUSES, customErrorResponse, errorCloses, errorResponse, muxError } from '../../daemon/http/errors.js';

// Captured from HAProxy 2.6.12 by test/fixtures/http/verify-haproxy.mjs --write-errors:
//   mux-<status>.http     sent by its HTTP/1 layer (parse error, request timeout, refused coding)
//   deny-<status>.http    http-request deny deny_status <status> on a keep-alive HTTP/1.1 request
//   deny-403-close/-http10  the same when the client asked to close / spoke HTTP/1.0
//   stream-5xx-*.http     503 without server, 502 bad response, 504 server timeout
const dir = path.resolve('test/fixtures/http/haproxy-errors');
const captures = readdirSync(dir).filter((f) => f.endsWith('.http'));

test('captures are present for every trigger', () => {
  assert.ok(captures.length >= 26, `${captures.length} captures`);
});

for (const file of captures) {
  test(`byte for byte as HAProxy: ${file}`, () => {
    const want = readFileSync(path.join(dir, file));
    const m = /^(mux|deny|stream)-(\d+)(?:-(.*))?\.http$/.exec(file);
    assert.ok(m);
    const status = Number(m[2]);
    const got = m[1] === 'mux' ? muxError(status) : errorResponse(status, m[3] === 'close' || m[3] === 'http10');
    assert.equal(got.toString('latin1'), want.toString('latin1'));
  });
}

test('every status the issue lists has a page, with a correct content-length', () => {
  for (const s of [400, 403, 404, 405, 408, 413, 414, 421, 425, 429, 431, 500, 501, 502, 503, 504]) {
    assert.ok(ERROR_STATUSES.includes(s), `${s}`);
    for (const page of [muxError(s), errorResponse(s), errorResponse(s, true)]) {
      const text = page.toString('latin1');
      assert.ok(text.startsWith(`HTTP/1.1 ${s} `), text);
      const [head, body] = text.split('\r\n\r\n');
      assert.equal(Number(/content-length: (\d+)/i.exec(head)?.[1]), Buffer.byteLength(body, 'latin1'));
    }
  }
  assert.equal(errorResponse(418), errorResponse(500), 'no page: 500 as HAProxy');
});

test('400 and 408 always close; others only when asked', () => {
  assert.ok(errorCloses(400) && errorCloses(408) && !errorCloses(503));
  assert.ok(errorResponse(400).includes('connection: close'));
  assert.ok(!errorResponse(503).includes('connection: close'));
  assert.ok(errorResponse(503, true).includes('connection: close'));
});

test('custom pages (errorfile, http-request return) use the same form', () => {
  assert.equal(
    customErrorResponse(503, 'down for maintenance\n', { contentType: 'text/plain', close: true }).toString(),
    'HTTP/1.1 503 Service Unavailable\r\ncontent-length: 21\r\ncache-control: no-cache\r\ncontent-type: text/plain\r\nconnection: close\r\n\r\ndown for maintenance\n',
  );
  assert.ok(customErrorResponse(299, '', { reason: 'Fine' }).toString().startsWith('HTTP/1.1 299 Fine\r\n'));
});
