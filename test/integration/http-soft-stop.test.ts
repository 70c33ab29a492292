/**
 * Graceful stop in HTTP mode, as HAProxy's soft stop: once the listeners close, an idle keep-alive client
 * connection is closed at once, a request in progress gets its response with `connection: close`, and the
 * process becomes idle (waitIdle resolves) without waiting for keep-alive timeouts.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startLb, DEFAULTS } from '../helpers/http-lb.js';
import { Client, field, get, httpBackend, ok } from '../helpers/http-wire.js';

test('soft stop: idle keep-alive connections close now, a busy one after its response (connection: close)', async (t) => {
  let release: (() => void) | null = null;
  const be = await httpBackend('s1', (r) => {
    if (r.req.path !== '/slow') return ok('fast');
    release = () => r.sock.write(ok('slow'));
    return null;
  });
  const lb = await startLb(`${DEFAULTS}
frontend f
    bind 127.0.0.1:\${fe}
    timeout http-keep-alive 30s
    default_backend b
backend b
    server s1 127.0.0.1:\${s1}
`, { s1: be.port });
  t.after(async () => {
    await lb.close();
    await be.close();
  });
  const idle = await Client.open(lb.port);
  const busy = await Client.open(lb.port);
  t.after(() => {
    idle.close();
    busy.close();
  });
  idle.send(get('/'));
  assert.equal((await idle.response()).status, 200);
  busy.send(get('/slow'));
  const deadline = Date.now() + 3000;
  while (release === null && Date.now() < deadline) await new Promise((r) => setImmediate(r));
  assert.ok(release, 'the slow request reached the backend');

  await lb.rt.closeListeners();
  // the idle connection is closed without waiting for timeout http-keep-alive (30 s)
  assert.equal((await idle.closed(2000)).length, 0);
  assert.equal(lb.rt.currentSessions(), 1, 'the busy session is still there');
  (release as () => void)();
  const r = await busy.response();
  assert.equal(r.status, 200);
  assert.equal(r.body.toString(), 'slow');
  assert.equal(field(r, 'connection'), 'close');
  await busy.closed(2000);
  assert.equal(await lb.rt.waitIdle(2000), true);
});
