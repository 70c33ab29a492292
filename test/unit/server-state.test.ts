import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Runtime } from '../../daemon/runtime/runtime.js';
import { ManualClock } from '../../daemon/runtime/clock.js';
import { memoryLogger } from '../../daemon/log.js';
import { observeResult } from '../../daemon/runtime/server-state.js';
import type { CheckResult } from '../../shared/check-status.js';
import type { Probe } from '../../daemon/health/probe-types.js';
import { backendConfig, config, serverConfig, trackExample } from '../helpers/configs.js';

const OK: CheckResult = { status: 'L7OK', code: 200, durationMs: 1, info: '' };
const BAD: CheckResult = { status: 'L7STS', code: 503, durationMs: 1, info: 'Service Unavailable' };

/** A runtime on a manual clock whose probe answers per port from `results`, recording each call's time. */
async function harness(cfg = trackExample()) {
  const clock = new ManualClock();
  const results = new Map<number, CheckResult>();
  const calls: { port: number; at: number }[] = [];
  const probe: Probe = async (_c, target) => {
    calls.push({ port: target.port, at: clock.now() });
    return results.get(target.port) ?? OK;
  };
  const rt = new Runtime({ clock, log: memoryLogger(), probe, listen: false });
  await rt.apply(cfg);
  const flush = () => new Promise((r) => setImmediate(r));
  /** Advance time in small steps, letting probe promises settle between them. */
  const tick = async (ms: number, step = 10) => {
    for (let t = 0; t < ms; t += step) {
      clock.advance(Math.min(step, ms - t));
      await flush();
    }
  };
  const status = (key: string) => {
    const [b, s] = key.split('/') as [string, string];
    return rt.findServer(b, s)!.statusString();
  };
  const srv = (key: string) => {
    const [b, s] = key.split('/') as [string, string];
    return rt.findServer(b, s)!;
  };
  return { rt, clock, results, calls, tick, status, srv };
}

test('startup: checked servers and their trackers show UP 1/<fall> with INI until the first check', async () => {
  const h = await harness();
  assert.equal(h.status('monitoring/server-1'), 'UP 1/2');
  assert.equal(h.status('myApp/server-1'), 'UP 1/2');
  assert.equal(h.srv('monitoring/server-1').checkView()?.status, 'INI');
  assert.equal(h.srv('myApp/server-1').checkView()?.desc, 'Initializing');
  await h.tick(1000);
  assert.equal(h.status('monitoring/server-1'), 'UP');
  assert.equal(h.status('myApp/server-1'), 'UP');
  h.rt.shutdown();
});

test('one failure at startup marks a checked server and its tracker down', async () => {
  const h = await harness();
  h.results.set(18002, BAD);
  await h.tick(1000);
  assert.equal(h.status('monitoring/server-2'), 'DOWN');
  assert.equal(h.status('myApp/server-2'), 'DOWN');
  assert.equal(h.srv('monitoring/server-2').counters.checkDowns, 1);
  h.rt.shutdown();
});

test('track: a 503 takes the tracked and the tracking server down together, and both come back', async () => {
  const h = await harness();
  await h.tick(1000); // all UP
  h.results.set(18001, BAD);
  // first failure: UP 1/2 on both, in the same instant
  await h.tick(1000);
  assert.equal(h.status('monitoring/server-1'), 'UP 1/2');
  assert.equal(h.status('myApp/server-1'), 'UP 1/2');
  await h.tick(1000);
  assert.equal(h.status('monitoring/server-1'), 'DOWN');
  assert.equal(h.status('myApp/server-1'), 'DOWN');
  const m = h.srv('monitoring/server-1');
  assert.equal(m.checkView()?.status, 'L7STS');
  assert.equal(m.checkView()?.code, 503);
  assert.equal(m.checkView()?.info, 'Service Unavailable');
  assert.equal(m.counters.checkFailures, 2);
  assert.equal(m.counters.checkDowns, 1);
  // no new session may pick it: it is out of the pool
  const pool = h.srv('myApp/server-1').backend.pool();
  assert.deepEqual(pool.servers.map((s) => s.name), ['server-2', 'server-3']);
  // events: the tracker's change names the tracked server as its cause
  const evs = h.rt.events.recent().filter((e) => e.kind === 'server-state');
  const down = evs.filter((e) => e.to === 'DOWN');
  assert.deepEqual(down.map((e) => e.object), ['monitoring/server-1', 'myApp/server-1']);
  assert.equal(down[0]!.cause.kind, 'check');
  assert.deepEqual(down[1]!.cause, { kind: 'track', via: 'monitoring/server-1' });
  assert.match(down[0]!.message, /^Server monitoring\/server-1 is DOWN, reason: Layer7 wrong status, code: 503, info: "Service Unavailable", check duration: 1ms\. 2 active and 0 backup servers left\./);
  // failures while down do not count in chkfail
  await h.tick(3000);
  assert.equal(m.counters.checkFailures, 2);
  // recovery: DOWN 1/2 after one pass, UP after rise passes
  h.results.set(18001, OK);
  await h.tick(1000);
  assert.equal(h.status('monitoring/server-1'), 'DOWN 1/2');
  assert.equal(h.status('myApp/server-1'), 'DOWN 1/2');
  await h.tick(1000);
  assert.equal(h.status('monitoring/server-1'), 'UP');
  assert.equal(h.status('myApp/server-1'), 'UP');
  assert.equal(h.srv('myApp/server-1').eligible(), true);
  h.rt.shutdown();
});

test('maintenance on the tracked server propagates as MAINT (via b/s); checks pause; leaving restarts at rise', async () => {
  const h = await harness();
  await h.tick(1000);
  const m = h.srv('monitoring/server-1');
  const t = h.srv('myApp/server-1');
  h.rt.setServerState(m, 'maint', 'disable server monitoring/server-1');
  assert.equal(h.status('monitoring/server-1'), 'MAINT');
  assert.equal(h.status('myApp/server-1'), 'MAINT (via monitoring/server-1)');
  assert.equal(m.admin, 0x01);
  assert.equal(t.admin, 0x02);
  assert.equal(m.counters.checkDowns, 1, 'entering MAINT counts as a down transition');
  assert.equal(m.checkView()?.enabled, false, 'check columns are empty while in maintenance');
  // checks are paused: no probe for server-1 during maintenance
  const before = h.calls.filter((c) => c.port === 18001).length;
  await h.tick(5000);
  assert.equal(h.calls.filter((c) => c.port === 18001).length, before);
  // the tracker cannot leave inherited maintenance by itself
  h.rt.setServerState(t, 'ready', 'set server myApp/server-1 state ready');
  assert.equal(h.status('myApp/server-1'), 'MAINT (via monitoring/server-1)');
  // leaving: health = rise, `UP 1/2` at once, old check status kept even if the service is down now
  h.results.set(18001, BAD);
  h.rt.setServerState(m, 'ready', 'enable server monitoring/server-1');
  assert.equal(h.status('monitoring/server-1'), 'UP 1/2');
  assert.equal(h.status('myApp/server-1'), 'UP 1/2');
  assert.equal(m.checkView()?.status, 'L7OK');
  await h.tick(1500);
  assert.equal(h.status('monitoring/server-1'), 'DOWN');
  assert.equal(h.status('myApp/server-1'), 'DOWN');
  h.rt.shutdown();
});

test('forced maintenance on the tracker stays while the tracked server changes; enabling shows the tracked state at once', async () => {
  const h = await harness();
  await h.tick(1000);
  const t = h.srv('myApp/server-1');
  h.rt.setServerState(t, 'maint', 'disable server myApp/server-1');
  assert.equal(h.status('myApp/server-1'), 'MAINT');
  assert.equal(h.status('monitoring/server-1'), 'UP', 'the tracked server is unaffected');
  h.results.set(18001, BAD);
  await h.tick(2000);
  assert.equal(h.status('monitoring/server-1'), 'DOWN');
  assert.equal(h.status('myApp/server-1'), 'MAINT');
  h.rt.setServerState(t, 'ready', 'enable server myApp/server-1');
  assert.equal(h.status('myApp/server-1'), 'DOWN');
  h.results.set(18001, OK);
  await h.tick(2000);
  assert.equal(h.status('myApp/server-1'), 'UP');
  h.rt.shutdown();
});

test('drain propagates to trackers, takes effective weight to 0 and keeps checks running', async () => {
  const h = await harness();
  await h.tick(1000);
  const m = h.srv('monitoring/server-1');
  h.rt.setServerState(m, 'drain', 'set server monitoring/server-1 state drain');
  assert.equal(h.status('monitoring/server-1'), 'DRAIN');
  assert.equal(h.status('myApp/server-1'), 'DRAIN');
  assert.equal(m.admin, 0x08);
  assert.equal(h.srv('myApp/server-1').admin, 0x10);
  assert.equal(h.srv('myApp/server-1').weight, 0);
  assert.equal(h.srv('myApp/server-1').uweight, 1, 'the configured/user weight is unchanged');
  const n = h.calls.length;
  await h.tick(2000);
  assert.ok(h.calls.length > n, 'checks continue during drain');
  h.rt.setServerState(m, 'ready', 'set server monitoring/server-1 state ready');
  assert.equal(h.status('myApp/server-1'), 'UP');
  h.rt.shutdown();
});

test('disable health: server and trackers show `no check` and stay up; enable brings the counters back', async () => {
  const h = await harness();
  await h.tick(1000);
  const m = h.srv('monitoring/server-1');
  h.rt.setHealthChecks(m, false, 'disable health monitoring/server-1');
  assert.equal(h.status('monitoring/server-1'), 'no check');
  assert.equal(h.status('myApp/server-1'), 'no check');
  h.results.set(18001, BAD);
  await h.tick(3000);
  assert.equal(h.status('monitoring/server-1'), 'no check');
  h.rt.setHealthChecks(m, true, 'enable health monitoring/server-1');
  assert.equal(h.status('monitoring/server-1'), 'UP');
  await h.tick(2500);
  assert.equal(h.status('monitoring/server-1'), 'DOWN');
  h.rt.shutdown();
});

test('check intervals: inter at full health, fastinter while transitioning, downinter when down', async () => {
  const cfg = config([backendConfig('b', [serverConfig('s', { port: 9, check: true, inter: 1000, fastinter: 100, downinter: 3000, rise: 2, fall: 3 })])]);
  const h = await harness(cfg);
  await h.tick(600); // first check at 500 (spread over the first interval) → full health
  h.calls.length = 0;
  await h.tick(3000);
  const gaps = (xs: { at: number }[]) => xs.slice(1).map((c, i) => c.at - xs[i]!.at);
  assert.deepEqual(gaps(h.calls), [1000, 1000]);
  h.results.set(9, { status: 'L4CON', code: null, durationMs: 0, info: 'Connection refused' });
  h.calls.length = 0;
  await h.tick(5000);
  // fail at full health (then fastinter), fail, fail → DOWN (health 0) → downinter
  const g = gaps(h.calls);
  assert.equal(g[0], 100);
  assert.equal(g[1], 100);
  assert.equal(g[2], 3000);
  assert.equal(h.status('b/s'), 'DOWN');
  h.rt.shutdown();
});

test('L7OKC (disable-on-404) puts the server in NOLB: up but not eligible', async () => {
  const cfg = config([backendConfig('b', [serverConfig('s', { port: 9, check: true, inter: 100, fastinter: 100, downinter: 100 })])]);
  const h = await harness(cfg);
  await h.tick(200);
  h.results.set(9, { status: 'L7OKC', code: 404, durationMs: 1, info: 'Not Found' });
  await h.tick(200);
  assert.equal(h.status('b/s'), 'NOLB');
  assert.equal(h.srv('b/s').eligible(), false);
  h.results.set(9, OK);
  await h.tick(200);
  assert.equal(h.status('b/s'), 'UP');
  h.rt.shutdown();
});

test('observe layer4: error-limit consecutive errors act per on-error', async () => {
  for (const [mode, expect] of [['fail-check', 'UP 2/3'], ['sudden-death', 'UP 1/3'], ['mark-down', 'DOWN'], ['fastinter', 'UP']] as const) {
    const cfg = config([backendConfig('b', [serverConfig('s', { port: 9, check: true, inter: 10000, rise: 2, fall: 3, observe: 'layer4', errorLimit: 3, onError: mode })])]);
    const h = await harness(cfg);
    await h.tick(5100); // first check passes: full UP
    assert.equal(h.status('b/s'), 'UP');
    const s = h.srv('b/s');
    observeResult(s, false);
    observeResult(s, false);
    observeResult(s, true); // a success resets the count
    observeResult(s, false);
    observeResult(s, false);
    assert.equal(h.status('b/s'), 'UP', 'below the limit nothing happens');
    observeResult(s, false);
    assert.equal(h.status('b/s'), expect, mode);
    if (mode !== 'fastinter') assert.equal(s.checkView()?.status, 'HANA');
    h.rt.shutdown();
  }
});

test('slowstart ramps the effective weight after a server comes back up', async () => {
  const cfg = config([backendConfig('b', [serverConfig('s', { port: 9, weight: 10, check: true, inter: 100, fastinter: 100, downinter: 100, rise: 1, fall: 1, slowstart: 10000 })])]);
  const h = await harness(cfg);
  await h.tick(100);
  const s = h.srv('b/s');
  assert.equal(s.weight, 10, 'no slowstart at boot');
  h.results.set(9, BAD);
  await h.tick(200);
  assert.equal(s.weight, 0);
  h.results.set(9, OK);
  await h.tick(100);
  assert.equal(s.op, 'up');
  const w0 = s.weight;
  assert.ok(w0 >= 1 && w0 <= 2, `just up: weight ${w0}`);
  await h.tick(5000, 100);
  assert.ok(s.weight >= 5 && s.weight <= 6, `half way: weight ${s.weight}`);
  assert.ok((s.throttle(h.clock.now()) ?? 0) >= 49);
  await h.tick(5100, 100);
  assert.equal(s.weight, 10);
  assert.equal(s.throttle(h.clock.now()), null);
  h.rt.shutdown();
});

test('config `disabled` starts in MAINT and trackers inherit it; unresolved address starts in MAINT (resolution)', async () => {
  const cfg = trackExample();
  const mon = cfg.backends[1]!;
  const patched = {
    ...cfg,
    backends: [cfg.backends[0]!, { ...mon, servers: [{ ...mon.servers[0]!, disabled: true }, { ...mon.servers[1]!, address: null }, mon.servers[2]!] }],
  };
  const h = await harness(patched);
  assert.equal(h.status('monitoring/server-1'), 'MAINT');
  assert.equal(h.status('myApp/server-1'), 'MAINT (via monitoring/server-1)');
  assert.equal(h.status('monitoring/server-2'), 'MAINT (resolution)');
  assert.equal(h.status('myApp/server-2'), 'MAINT (via monitoring/server-2)');
  h.rt.setServerState(h.srv('monitoring/server-1'), 'ready', 'enable server');
  assert.equal(h.status('myApp/server-1'), 'UP 1/2');
  h.rt.shutdown();
});

test('disable-on-404 applies only to a server that is up: a DOWN server answering 404 stays DOWN', async () => {
  const cfg = config([backendConfig('b', [serverConfig('s', { port: 9, check: true, inter: 100, fastinter: 100, downinter: 100, rise: 2, fall: 2 })])]);
  const h = await harness(cfg);
  h.results.set(9, BAD);
  await h.tick(200);
  assert.equal(h.status('b/s'), 'DOWN');
  h.results.set(9, { status: 'L7OKC', code: 404, durationMs: 1, info: 'Not Found' });
  await h.tick(500);
  assert.equal(h.status('b/s'), 'DOWN');
  assert.equal(h.srv('b/s').checkView()?.status, 'L7STS');
  h.rt.shutdown();
});
