/**
 * The console's model: status strings classified (reference §3.1), the servers tree with its filter and
 * sort, and the cursor that follows a server by key across refreshes, sorts and filters.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ADMIN } from '../../shared/snapshot.js';
import { START, cursorIndex, moveCursor, scrollTop, settle } from '../../tui/top/cursor.js';
import { adminHidden, adminText, stateKind } from '../../tui/top/status.js';
import { buildTree, compileFilter, findServer, nextSort } from '../../tui/top/tree.js';
import { allStatesSnapshot, trackSnapshot } from './top-fixtures.js';

test('every HAProxy status string has its kind', () => {
  const cases: [string, string][] = [
    ['UP', 'up'], ['UP 1/2', 'going-down'], ['UP 2/3', 'going-down'], ['DOWN', 'down'], ['DOWN 1/2', 'coming-up'],
    ['DOWN (agent)', 'down'], ['DRAIN', 'drain'], ['DRAIN (agent)', 'drain'], ['DRAIN 1/2', 'drain'], ['NOLB', 'nolb'],
    ['MAINT', 'maint'], ['MAINT (via monitoring/server-1)', 'maint'], ['MAINT (resolution)', 'maint'], ['no check', 'no-check'],
    ['SOMETHING', 'unknown'],
  ];
  for (const [s, k] of cases) assert.equal(stateKind(s), k, s);
});

test('admin state in words, and when the status string hides it', () => {
  assert.equal(adminText({ admin: 0, via: null }), 'ready');
  assert.equal(adminText({ admin: ADMIN.FMAINT, via: null }), 'maint');
  assert.equal(adminText({ admin: ADMIN.IMAINT, via: 'monitoring/server-1' }), 'maint (via)');
  assert.equal(adminText({ admin: ADMIN.CMAINT, via: null }), 'maint (config)');
  assert.equal(adminText({ admin: ADMIN.FDRAIN, via: null }), 'drain');
  assert.equal(adminText({ admin: ADMIN.IDRAIN, via: 'a/b' }), 'drain (via)');
  assert.equal(adminHidden({ admin: ADMIN.FDRAIN, status: 'DOWN' }), true);
  assert.equal(adminHidden({ admin: ADMIN.FDRAIN, status: 'DRAIN' }), false);
  assert.equal(adminHidden({ admin: 0, status: 'DOWN' }), false);
});

test('the tree: backends then their servers, in config order', () => {
  const rows = buildTree(trackSnapshot(), { filter: null, sort: 'config', collapsed: new Set() });
  assert.deepEqual(rows.map((r) => r.key), ['b:myApp', 's:myApp/server-1', 's:myApp/server-2', 's:myApp/server-3', 'b:monitoring', 's:monitoring/server-1', 's:monitoring/server-2', 's:monitoring/server-3']);
  assert.equal(rows.filter((r) => r.kind === 'server' && r.last).length, 2);
  const folded = buildTree(trackSnapshot(), { filter: null, sort: 'config', collapsed: new Set(['myApp']) });
  assert.deepEqual(folded.map((r) => r.key).slice(0, 2), ['b:myApp', 'b:monitoring']);
});

test('filter: substring, regular expression, state words; a matching backend shows all its servers', () => {
  const snap = allStatesSnapshot();
  const keys = (f: string) => buildTree(snap, { filter: compileFilter(f), sort: 'config', collapsed: new Set() }).map((r) => r.key);
  assert.deepEqual(keys('server-2'), ['b:myApp', 's:myApp/server-2', 'b:monitoring', 's:monitoring/server-2']);
  assert.deepEqual(keys('^monitoring/server-[13]'), ['b:monitoring', 's:monitoring/server-1', 's:monitoring/server-3']);
  assert.deepEqual(keys('MAINT'), ['b:myApp', 's:myApp/server-1', 'b:monitoring', 's:monitoring/server-1']);
  assert.deepEqual(keys('static'), ['b:static', 's:static/web-1', 's:static/web-2']);
  // not a valid expression: a plain substring
  assert.deepEqual(keys('server-1('), []);
  assert.equal(compileFilter(''), null);
});

test('sort orders servers inside their backend; equal servers keep config order', () => {
  const snap = allStatesSnapshot();
  const order = (s: Parameters<typeof buildTree>[1]['sort']) =>
    buildTree(snap, { filter: null, sort: s, collapsed: new Set() })
      .filter((r) => r.kind === 'server' && r.server.backend === 'monitoring')
      .map((r) => (r.kind === 'server' ? r.server.status : ''));
  assert.deepEqual(order('config'), ['MAINT', 'UP 1/2', 'DOWN']);
  assert.deepEqual(order('state'), ['DOWN', 'UP 1/2', 'MAINT']);
  assert.equal(nextSort('name'), 'config');
});

test('the cursor stays on the same server across a sort and a filter, and comes back when the filter is cleared', () => {
  const snap = allStatesSnapshot();
  const keysOf = (sort: 'config' | 'state', filter = '') => buildTree(snap, { filter: compileFilter(filter), sort, collapsed: new Set() }).map((r) => r.key);
  let pos = START;
  const k1 = keysOf('config');
  pos = moveCursor(pos, k1, 7, 20); // monitoring/server-3 (DOWN)
  assert.equal(pos.selected, 's:monitoring/server-3');
  const k2 = keysOf('state');
  assert.equal(k2[cursorIndex(pos, k2)], 's:monitoring/server-3');
  assert.notEqual(k2.indexOf('s:monitoring/server-3'), k1.indexOf('s:monitoring/server-3'));
  const k3 = keysOf('state', 'DOWN');
  assert.equal(k3[cursorIndex(pos, k3)], 's:monitoring/server-3');
  // filtered out: the cursor shows a row near its last place, the key is remembered
  const k4 = keysOf('config', 'myApp');
  assert.ok(cursorIndex(pos, k4) >= 0 && cursorIndex(pos, k4) < k4.length);
  assert.equal(pos.selected, 's:monitoring/server-3');
  assert.equal(k1[cursorIndex(settle(pos, k1, 20), k1)], 's:monitoring/server-3');
});

test('scrolling keeps the cursor visible and moves as little as possible', () => {
  assert.equal(scrollTop(0, 5, 10, 100), 0);
  assert.equal(scrollTop(0, 12, 10, 100), 3);
  assert.equal(scrollTop(20, 12, 10, 100), 12);
  assert.equal(scrollTop(95, 99, 10, 100), 90);
  assert.equal(scrollTop(5, 3, 10, 8), 0);
  const keys = Array.from({ length: 100 }, (_, i) => `k${i}`);
  const p = moveCursor(START, keys, 'end', 10);
  assert.deepEqual([p.index, p.top], [99, 90]);
});

test('findServer resolves backend/server', () => {
  assert.equal(findServer(trackSnapshot(), 'myApp/server-2')?.tracks, 'monitoring/server-2');
  assert.equal(findServer(trackSnapshot(), 'nope/server-2'), null);
  assert.equal(findServer(trackSnapshot(), 'server-2'), null);
});
