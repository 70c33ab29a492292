import { test } from 'node:test';
import assert from 'node:assert/strict';
import { listFor, reuseLists } from '../../daemon/http/pool-select.js';
import { PURGE_PERIOD_MS, ServerCounters } from '../../daemon/http/pool-stats.js';

test('http-reuse: the lists a request may use, as HAProxy 2.6 connect_server() orders them', () => {
  assert.deepEqual(reuseLists('never', true), []);
  assert.deepEqual(reuseLists('never', false), []);
  assert.deepEqual(reuseLists('safe', true), [], 'safe: the first request of a session gets its own connection');
  assert.deepEqual(reuseLists('safe', false), ['idle', 'safe']);
  assert.deepEqual(reuseLists('aggressive', true), ['safe'], 'aggressive: first requests only on connections reused at least once');
  assert.deepEqual(reuseLists('aggressive', false), ['idle', 'safe']);
  assert.deepEqual(reuseLists('always', true), ['safe', 'idle']);
  assert.deepEqual(reuseLists('always', false), ['idle', 'safe']);
});

test('a released connection is "idle" after one request, "safe" after two or more', () => {
  assert.equal(listFor(1), 'idle');
  assert.equal(listFor(2), 'safe');
  assert.equal(listFor(50), 'safe');
});

test('need_conn_est: the peak of the period, then HAProxy decay max((est + max_used) / 2, max_used)', () => {
  const c = new ServerCounters(0);
  c.use();
  c.use();
  c.use();
  assert.equal(c.needConnEst(1), 3);
  c.usedCur = 1;
  assert.equal(c.needConnEst(PURGE_PERIOD_MS), 3, 'est = 3, max_used restarts at 1');
  assert.equal(c.needConnEst(2 * PURGE_PERIOD_MS), 2, 'max(floor((3 + 1) / 2), 1)');
  assert.equal(c.needConnEst(3 * PURGE_PERIOD_MS), 1, 'decays to what is in use');
});
