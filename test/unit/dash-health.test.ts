/**
 * The dashboard's donuts: healthy servers per backend (up and not in maintenance; drain is healthy,
 * NOLB is not), the least healthy kept when there is no room, and the geometry from the panel's size.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { backendHealth, donutGeometry, donutLabel, healthTone, pickBackends } from '../../tui/dash/health.js';
import { ADMIN } from '../../shared/snapshot.js';
import { backend, server, snapshot } from './dash-fixtures.js';

test('healthy = up and not in maintenance; backends without servers or disabled are left out', () => {
  const s = snapshot([
    backend('myApp', [
      server('myApp', 's1'),
      server('myApp', 's2', { op: 'down', status: 'DOWN' }),
      server('myApp', 's3', { op: 'up', status: 'DRAIN', admin: ADMIN.FDRAIN }),
      server('myApp', 's4', { op: 'down', status: 'MAINT (via monitoring/s4)', admin: ADMIN.IMAINT }),
      server('myApp', 's5', { op: 'stopping', status: 'NOLB' }),
    ]),
    backend('empty', []),
    backend('off', [server('off', 'x')], { configDisabled: true }),
  ]);
  assert.deepEqual(backendHealth(s), [{ backend: 'myApp', healthy: 2, total: 5 }]);
});

test('tones: all healthy good, none bad, between warn', () => {
  assert.equal(healthTone({ backend: 'a', healthy: 3, total: 3 }), 'good');
  assert.equal(healthTone({ backend: 'a', healthy: 1, total: 3 }), 'warn');
  assert.equal(healthTone({ backend: 'a', healthy: 0, total: 3 }), 'bad');
});

test('no room for every backend: the least healthy are kept, shown in config order', () => {
  const list = [
    { backend: 'a', healthy: 3, total: 3 },
    { backend: 'b', healthy: 1, total: 2 },
    { backend: 'c', healthy: 3, total: 3 },
    { backend: 'd', healthy: 0, total: 4 },
  ];
  assert.deepEqual(pickBackends(list, 2).map((h) => h.backend), ['b', 'd']);
  assert.deepEqual(pickBackends(list, 3).map((h) => h.backend), ['a', 'b', 'd']);
  assert.equal(pickBackends(list, 9).length, 4);
});

test('geometry: the radius follows the panel, fewer donuts when they would be too small', () => {
  const big = donutGeometry(53, 15, 3);
  assert.equal(big.capacity, 3);
  assert.ok(big.radius >= 7 && big.radius <= 14);
  const small = donutGeometry(33, 9, 3);
  assert.equal(small.capacity, 3);
  assert.equal(small.radius, 7);
  const crowded = donutGeometry(33, 9, 12);
  assert.ok(crowded.capacity >= 1 && crowded.capacity < 12);
  assert.ok(crowded.radius >= 7);
  assert.equal(donutGeometry(40, 12, 0).capacity, 0);
  for (const [w, h, n] of [[20, 6, 1], [200, 60, 40], [10, 4, 3]] as const) {
    const g = donutGeometry(w, h, n);
    assert.ok(g.radius >= 1 && g.arcWidth >= 2 && g.arcWidth <= 4 && g.labelChars >= 3, `${w}x${h}x${n}`);
  }
});

test('labels keep the count and cut the name', () => {
  assert.equal(donutLabel({ backend: 'myApp', healthy: 2, total: 3 }, 14), 'myApp 2/3');
  assert.equal(donutLabel({ backend: 'monitoring', healthy: 12, total: 12 }, 10), 'mon… 12/12');
});
