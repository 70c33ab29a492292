/**
 * The ClientHello reader (`req.ssl_sni`, `req.ssl_hello_type`): real hellos from Node and openssl, cut at
 * every byte, hellos without SNI, not-TLS inputs, and random garbage (it must never throw nor read past the end).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { sslHelloType, sslSni, type HelloResult } from '../../daemon/proxy/client-hello.js';
import { hasOpenssl, nodeHello, opensslHello } from '../helpers/tls.js';

const ok = <T>(value: T): HelloResult<T> => ({ state: 'ok', value });

/** Every strict prefix answers `more`; the whole record answers `want`. */
function checkPrefixes(hello: Buffer, want: HelloResult<string>): void {
  for (let i = 0; i < hello.length; i++) {
    const part = hello.subarray(0, i);
    assert.deepEqual(sslSni(part), { state: 'more' }, `sni of the first ${i} bytes`);
    assert.deepEqual(sslHelloType(part), { state: 'more' }, `hello type of the first ${i} bytes`);
  }
  assert.deepEqual(sslSni(hello), want);
  assert.deepEqual(sslHelloType(hello), ok(1));
  // bytes after the record (the client's next record) change nothing
  assert.deepEqual(sslSni(Buffer.concat([hello, Buffer.from([0x14, 3, 3, 0, 1, 1])])), want);
}

test('Node tls.connect hellos: the server name as sent (not lower-cased), each prefix needs more', async () => {
  checkPrefixes(await nodeHello('api.example.com'), ok('api.example.com'));
  checkPrefixes(await nodeHello('API.Example.COM'), ok('API.Example.COM'));
  checkPrefixes(await nodeHello('x', { maxVersion: 'TLSv1.2' }), ok('x'));
});

test('Node tls.connect without a server name: a ClientHello (type 1) without SNI', async () => {
  // Node sends no SNI for an IP address host, and none when servername is ''
  const hello = await nodeHello('');
  checkPrefixes(hello, { state: 'none' });
});

test('openssl s_client hellos, with and without -servername', { skip: hasOpenssl() ? false : 'openssl is not installed' }, async () => {
  checkPrefixes(await opensslHello('www.example.org'), ok('www.example.org'));
  checkPrefixes(await opensslHello(undefined), { state: 'none' });
});

test('not TLS: plain text, an SSLv2-style hello, a TLS alert, an SSL 2.0 record version', () => {
  const none = { state: 'none' };
  assert.deepEqual(sslSni(Buffer.from('GET / HTTP/1.1\r\n')), none);
  assert.deepEqual(sslHelloType(Buffer.from('GET / HTTP/1.1\r\n')), none);
  // SSLv2 compatible ClientHello: 2-byte length with the high bit set, then msg type 1
  const v2 = Buffer.from([0x80, 0x2e, 0x01, 0x03, 0x01, 0x00, 0x15, 0x00, 0x00, 0x00, 0x10]);
  assert.deepEqual(sslSni(v2), none);
  assert.deepEqual(sslHelloType(v2), none);
  // an alert record: HAProxy's hello type reads any SSLv3+ record as a handshake header
  const alert = Buffer.from([0x15, 0x03, 0x03, 0x00, 0x04, 0x02, 0x00, 0x00, 0x00]);
  assert.deepEqual(sslHelloType(alert), ok(2));
  assert.deepEqual(sslSni(alert), none);
  assert.deepEqual(sslHelloType(Buffer.from([0x16, 0x02, 0x00, 0x00, 0x04, 0x01, 0, 0, 0])), none);
  assert.deepEqual(sslSni(Buffer.from([0x16, 0x02, 0x00])), none);
  assert.deepEqual(sslSni(Buffer.from([0x16, 0x02])), { state: 'more' });
  assert.deepEqual(sslHelloType(Buffer.alloc(0)), { state: 'more' });
});

test('a ServerHello (handshake type 2) has a hello type but no SNI', async () => {
  const hello = await nodeHello('a.example');
  const server = Buffer.from(hello);
  server[5] = 2;
  assert.deepEqual(sslHelloType(server), ok(2));
  assert.deepEqual(sslSni(server), { state: 'none' });
});

test('a ClientHello longer than its record (split over two records) has no SNI, as in HAProxy', async () => {
  const hello = await nodeHello('split.example');
  const body = hello.subarray(5);
  const cut = 60;
  const first = Buffer.concat([Buffer.from([0x16, 3, 1, 0, 0]), body.subarray(0, cut)]);
  first.writeUInt16BE(cut, 3);
  const second = Buffer.concat([Buffer.from([0x16, 3, 1, 0, 0]), body.subarray(cut)]);
  second.writeUInt16BE(body.length - cut, 3);
  assert.deepEqual(sslSni(Buffer.concat([first, second])), { state: 'none' });
  assert.deepEqual(sslSni(first), { state: 'none' });
});

test('corrupted lengths inside a real hello: never throws, never answers with bytes beyond the record', async () => {
  const hello = await nodeHello('fuzz.example');
  let seed = 42;
  const rnd = () => (seed = (seed * 1103515245 + 12345) & 0x7fffffff);
  for (let i = 0; i < 20000; i++) {
    const b = Buffer.from(hello);
    const flips = 1 + (rnd() % 4);
    for (let k = 0; k < flips; k++) b[5 + (rnd() % (b.length - 5))] = rnd() & 0xff;
    const cut = rnd() % 3 === 0 ? b.subarray(0, rnd() % b.length) : b;
    const r = sslSni(cut);
    if (r.state === 'ok') assert.ok(r.value.length <= cut.length, 'a name from inside the buffer');
    sslHelloType(cut);
  }
});

test('random garbage: any answer, no exception', () => {
  let seed = 7;
  const rnd = () => (seed = (seed * 1103515245 + 12345) & 0x7fffffff);
  for (let i = 0; i < 20000; i++) {
    const len = rnd() % 300;
    const b = Buffer.alloc(len);
    for (let k = 0; k < len; k++) b[k] = rnd() & 0xff;
    if (len > 0 && rnd() % 2 === 0) b[0] = 0x16;
    if (len > 1 && rnd() % 2 === 0) b[1] = 3;
    if (len > 5 && rnd() % 2 === 0) b[5] = 1;
    const r = sslSni(b);
    assert.ok(r.state === 'more' || r.state === 'none' || (r.state === 'ok' && r.value.length < len));
    const t = sslHelloType(b);
    assert.ok(t.state !== 'ok' || (t.value >= 0 && t.value < 256));
  }
});
