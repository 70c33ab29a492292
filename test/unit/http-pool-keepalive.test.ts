import { test } from 'node:test';
import assert from 'node:assert/strict';
import { idleLifetimeMs, parseKeepAlive, parseKeepAliveTimeout } from '../../daemon/http/pool-keepalive.js';

test('Keep-Alive: timeout and max, in any case and order, spaces, quotes, unknown parameters', () => {
  assert.deepEqual(parseKeepAlive('timeout=5, max=100'), { timeoutMs: 5000, max: 100 });
  assert.deepEqual(parseKeepAlive('MAX=3,Timeout = 2'), { timeoutMs: 2000, max: 3 });
  assert.deepEqual(parseKeepAlive('foo=bar, timeout="7"'), { timeoutMs: 7000, max: null });
  assert.equal(parseKeepAliveTimeout('timeout=0'), 0);
  assert.equal(parseKeepAliveTimeout('timeout=1; max=2'), 1000);
});

test('Keep-Alive: absent or malformed values are null; the first occurrence wins', () => {
  for (const v of [null, undefined, '', 'max=5', 'timeout', 'timeout=', 'timeout=-1', 'timeout=1.5', 'timeout=5s', 'timeout=99999999999']) {
    assert.equal(parseKeepAliveTimeout(v), null, String(v));
  }
  assert.equal(parseKeepAliveTimeout('timeout=3, timeout=60'), 3000);
  assert.equal(parseKeepAliveTimeout('timeout=x, timeout=60'), null);
});

test('idle lifetime: hint minus margin, bounded by the idle limit; default without a hint; 0 when no safe window', () => {
  const limits = { idleLimitMs: 10_000, defaultKeepAliveMs: 4000, marginMs: 1000 };
  assert.equal(idleLifetimeMs(5000, limits), 4000);
  assert.equal(idleLifetimeMs(75_000, limits), 10_000);
  assert.equal(idleLifetimeMs(null, limits), 4000);
  assert.equal(idleLifetimeMs(1000, limits), 0);
  assert.equal(idleLifetimeMs(0, limits), 0);
  assert.equal(idleLifetimeMs(null, { ...limits, idleLimitMs: 500 }), 500);
});
