import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { ROOT } from '../helpers/lbd-process.js';
import { loadConfig, formatDiagnostic } from '../../daemon/config/index.js';
import type { Config } from '../../daemon/config/types.js';
import { evaluate } from '../../daemon/http/acl/compile.js';
import { httpHashKey } from '../../daemon/http/acl/balance-key.js';
import { view, type ViewInit } from './acl-helpers.js';

const FIXTURES = join(ROOT, 'test/fixtures/configs/http');
const FILE = join(FIXTURES, 'routing.cfg');
const load = () => loadConfig([FILE], { env: { FIXTURES } });

async function config(): Promise<Config> {
  const r = await load();
  assert.deepEqual(r.diagnostics.filter((d) => d.severity === 'error').map(formatDiagnostic), []);
  assert.ok(r.config);
  return r.config;
}

test('the routing example loads without a warning', async () => {
  const r = await load();
  assert.deepEqual(r.diagnostics.map(formatDiagnostic), []);
});

test('routing and rules of the example, as the HTTP engine will run them', async () => {
  const c = await config();
  const fe = c.frontends[0];
  const route = (init: ViewInit): string | null => fe.useBackends.find((u) => evaluate(u.cond, view(init)))?.backend ?? fe.defaultBackend;
  const basic = (u: string, p: string): [string, string] => ['Authorization', `Basic ${Buffer.from(`${u}:${p}`).toString('base64')}`];
  assert.equal(route({ headers: [['Host', 'API.example.com']] }), 'api');
  assert.equal(route({ url: '/static/app.js' }), 'static');
  assert.equal(route({ url: '/logo.png' }), 'static');
  assert.equal(route({ url: '/favicon.ico' }), 'static');
  assert.equal(route({ url: '/admin/x', headers: [basic('alice', 'Hello world!')] }), 'admin');
  assert.equal(route({ url: '/admin/x', headers: [basic('alice', 'wrong')] }), 'app');
  assert.equal(route({ url: '/' }), 'app');
  const rules = fe.http!.requestRules;
  assert.deepEqual(rules.map((r) => r.action.type), ['deny', 'auth', 'redirect', 'set-header', 'del-header']);
  assert.equal(evaluate(rules[0].cond, view({ src: '10.2.3.4' })), true, 'blocked by the pattern file');
  assert.equal(evaluate(rules[0].cond, view({ src: '203.0.113.1' })), false);
  assert.equal(evaluate(rules[1].cond, view({ url: '/admin', headers: [basic('bob', 'builder')] })), false);
  assert.equal(evaluate(rules[1].cond, view({ url: '/admin' })), true);
  assert.equal(fe.http!.monitorUri, '/healthz');
  assert.equal(fe.http!.forwardFor?.excepted('127.0.0.1'), true);
  assert.equal(fe.http!.connectionMode, 'server-close');
  assert.equal(fe.http!.errorFiles[0].status, 503);
  const api = c.backends.find((b) => b.name === 'api')!;
  assert.equal(httpHashKey(api.balance.key, view({ url: '/v1?key=abc' })), 'abc');
  const st = c.backends.find((b) => b.name === 'static')!;
  assert.equal(httpHashKey(st.balance.key, view({ url: '/static/css/a.css' })), '/static/css');
  const app = c.backends.find((b) => b.name === 'app')!;
  assert.deepEqual([app.http!.cookie?.name, app.http!.cookie?.mode, app.servers.map((s) => s.cookie)], ['SRV', 'insert', ['a1', 'a2']]);
  assert.deepEqual(app.http!.retryOn, ['conn-failure', 'empty-response', 503]);
});

test('the loaded configuration is frozen, serialises to JSON the same way on every load (reload diffs), and still evaluates', async () => {
  const a = await config();
  const b = await config();
  assert.ok(Object.isFrozen(a.frontends[0].useBackends[0].cond));
  assert.ok(Object.isFrozen(a.frontends[0].http!.requestRules[0].cond!.alternatives[0][0].acl.tests));
  assert.equal(JSON.stringify(a.frontends[0]), JSON.stringify(b.frontends[0]));
  assert.equal(JSON.stringify(a.backends), JSON.stringify(b.backends));
  const json = JSON.parse(JSON.stringify(a.frontends[0].useBackends[0]));
  assert.equal(json.cond.text, 'host_api');
  assert.equal(json.cond.test, undefined, 'compiled closures are not data');
  assert.equal(evaluate(a.frontends[0].useBackends[0].cond, view({ headers: [['Host', 'api.example.com']] })), true);
});
