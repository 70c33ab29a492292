/**
 * `timeout client` in HTTP mode: a client that stops sending in the middle of its request body is
 * closed after that much inactivity, and counted as a client abort (HAProxy's `cD` termination).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startLb } from '../helpers/http-lb.js';
import { Client, httpBackend } from '../helpers/http-wire.js';

/** One frontend and one server in `mode http`, with `timeouts` beside timeout connect and server. */
const config = (timeouts: string) => `
defaults
    mode http
    timeout connect 1s
    ${timeouts}
    timeout server 5s
frontend f
    bind 127.0.0.1:\${fe}
    default_backend b
backend b
    server s1 127.0.0.1:\${s1}
`;

test('timeout client: a request body that stalls is cut after the client timeout, counted as a client abort', async (t) => {
  const be = await httpBackend('s1');
  const lb = await startLb(config('timeout client 300ms'), { s1: be.port });
  const c = await Client.open(lb.port);
  t.after(async () => {
    c.close();
    await lb.close();
    await be.close();
  });
  c.send('POST /upload HTTP/1.1\r\nHost: h\r\nContent-Length: 10\r\n\r\nab');
  const started = Date.now();
  await c.closed(3000);
  const ms = Date.now() - started;
  assert.ok(ms >= 250 && ms < 2000, `closed after ${ms} ms (timeout client 300ms)`);
  assert.equal(lb.num('b/BACKEND', 'cli_abrt'), 1);
  assert.equal(be.requests.length, 0, 'the incomplete request never completed at the server');
});

test('timeouts run on a monotonic clock: the wall clock stepping back an hour does not keep an idle keep-alive connection open', async (t) => {
  const be = await httpBackend('s1');
  const lb = await startLb(config('timeout client 5s\n    timeout http-keep-alive 300ms'), { s1: be.port });
  const c = await Client.open(lb.port);
  const realNow = Date.now;
  t.after(async () => {
    Date.now = realNow;
    c.close();
    await lb.close();
    await be.close();
  });
  c.send('GET / HTTP/1.1\r\nHost: h\r\n\r\n');
  assert.equal((await c.response()).status, 200);
  // an NTP step or `date -s` an hour back while the connection waits for its next request
  Date.now = () => realNow() - 3_600_000;
  const t0 = performance.now();
  await c.closed(3000);
  const ms = performance.now() - t0;
  assert.ok(ms < 2000, `closed ${Math.round(ms)} ms after the step (timeout http-keep-alive 300ms)`);
});
