/** Runtime.apply(): boot from a parsed config, and reload as a diff that keeps state and sockets. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseConfigText } from '../../daemon/config/index.js';
import type { Config } from '../../daemon/config/types.js';
import { Runtime } from '../../daemon/runtime/runtime.js';
import { memoryLogger } from '../../daemon/log.js';
import { runProbe } from '../../daemon/health/probe.js';
import { closed, connect, deadPort, freePort, namedServer, readLine } from '../helpers/net.js';
import { waitFor } from '../helpers/wait.js';

async function parse(text: string): Promise<Config> {
  const r = await parseConfigText(text, 'test.cfg');
  assert.ok(r.config, r.diagnostics.map((d) => `${d.where.line}: ${d.message}`).join('\n'));
  return r.config;
}

function cfgText(port: number, servers: string, extra = ''): string {
  return `
defaults
    mode tcp
    timeout connect 500ms
    timeout client 5s
    timeout server 5s
frontend fe
    bind 127.0.0.1:${port}
    default_backend be
backend be
    balance first
${servers}
${extra}`;
}

test('a disabled frontend does not listen; a disabled backend takes no session and is not checked', async () => {
  const a = await namedServer('a');
  const [p1, p2] = [await freePort(), await freePort()];
  const rt = new Runtime({ log: memoryLogger(), probe: runProbe });
  try {
    await rt.apply(await parse(`
frontend off
    bind 127.0.0.1:${p1}
    disabled
    default_backend be
frontend on
    bind 127.0.0.1:${p2}
    default_backend stopped
backend be
    server s 127.0.0.1:${a.port}
backend stopped
    disabled
    server s 127.0.0.1:${a.port} check inter 50ms
`));
    await assert.rejects(connect(p1), /ECONNREFUSED/);
    const c = await connect(p2);
    await closed(c);
    assert.equal(rt.checks.size(), 0, 'no check is scheduled for the disabled backend');
    assert.equal(a.accepted, 0, 'no session and no check reached the server');
    assert.equal(rt.snapshot().frontends.find((f) => f.name === 'off')!.status, 'STOP');
  } finally {
    await rt.closeListeners();
    rt.shutdown();
    await a.close();
  }
});

test('reload keeps the listening socket, runtime admin state, health, operator weight and counters', async () => {
  const a = await namedServer('a');
  const b = await namedServer('b');
  const port = await freePort();
  const rt = new Runtime({ log: memoryLogger(), probe: runProbe });
  try {
    const servers = `    server s1 127.0.0.1:${a.port} check inter 50ms weight 10\n    server s2 127.0.0.1:${b.port} check inter 50ms`;
    await rt.apply(await parse(cfgText(port, servers)));
    const s1 = rt.findServer('be', 's1')!;
    const s2 = rt.findServer('be', 's2')!;
    await waitFor(() => s1.checkView()?.status === 'L4OK' && s2.checkView()?.status === 'L4OK', 2000, 'first checks');
    const c = await connect(port);
    assert.equal(await readLine(c), 'a');
    rt.setServerState(s1, 'maint', 'disable server be/s1');
    rt.setWeight(s2, 7, 'set weight be/s2 7');
    const sessionsBefore = s1.counters.total;

    // reload with a change elsewhere (timeout) and a new server: s1/s2 objects and state survive
    const r = await rt.apply(await parse(cfgText(port, servers + `\n    server s3 127.0.0.1:${b.port}`, '    timeout queue 2s')));
    assert.ok(r.changes.includes('server be/s3 added'), r.changes.join('; '));
    assert.equal(rt.findServer('be', 's1'), s1, 'same server object');
    assert.equal(s1.statusString(), 'MAINT', 'admin state set at runtime survives');
    assert.equal(s2.uweight, 7, 'operator weight survives');
    assert.equal(s1.counters.total, sessionsBefore, 'counters survive');
    assert.equal(s2.checkView()?.status, 'L4OK', 'health survives');
    // the established session is untouched and the listener still accepts
    c.write('ping\n');
    assert.equal(await readLine(c), 'ping');
    const c2 = await connect(port);
    assert.equal(await readLine(c2), 'b');
    c2.destroy();

    // removing s1 from the config: it is gone for new sessions, its session finishes
    const r2 = await rt.apply(await parse(cfgText(port, `    server s2 127.0.0.1:${b.port} check inter 50ms`)));
    assert.ok(r2.changes.some((l) => /server be\/s1 removed \(draining 1 sessions\)/.test(l)), r2.changes.join('; '));
    c.write('still\n');
    assert.equal(await readLine(c), 'still');
    c.destroy();
    // changing the configured weight replaces the operator's
    await rt.apply(await parse(cfgText(port, `    server s2 127.0.0.1:${b.port} check inter 50ms weight 3`)));
    assert.equal(s2.uweight, 3);
  } finally {
    await rt.closeListeners();
    rt.shutdown();
    await a.close();
    await b.close();
  }
});

test('a reload whose new listener cannot bind changes nothing', async () => {
  const a = await namedServer('a');
  const port = await freePort();
  const rt = new Runtime({ log: memoryLogger(), probe: runProbe });
  try {
    await rt.apply(await parse(cfgText(port, `    server s1 127.0.0.1:${a.port}`)));
    const next = await parse(cfgText(port, `    server s9 127.0.0.1:${a.port}`, `frontend other\n    bind 127.0.0.1:${a.port}\n    default_backend be`));
    await assert.rejects(rt.apply(next), /cannot bind socket \(Address already in use\)/);
    assert.ok(rt.findServer('be', 's1'), 'old server still there');
    assert.equal(rt.findServer('be', 's9'), null);
    const c = await connect(port);
    assert.equal(await readLine(c), 'a');
    c.destroy();
  } finally {
    await rt.closeListeners();
    rt.shutdown();
    await a.close();
  }
});

test('an unreachable server with a check goes DOWN with L4CON; its tracker follows in the same instant', async () => {
  const dead = await deadPort();
  const port = await freePort();
  const rt = new Runtime({ log: memoryLogger(), probe: runProbe });
  try {
    await rt.apply(await parse(`
frontend fe
    bind 127.0.0.1:${port}
    default_backend app
backend app
    server s1 127.0.0.1:${dead} track mon/s1
backend mon
    server s1 127.0.0.1:${dead} check inter 50ms fall 1 rise 1
`));
    const events: string[] = [];
    rt.events.subscribe((e) => events.push(`${e.object}:${e.to}`));
    await waitFor(() => rt.findServer('app', 's1')!.op === 'down', 2000, 'tracker down');
    assert.deepEqual(events.slice(0, 2), ['mon/s1:DOWN', 'app/s1:DOWN']);
  } finally {
    await rt.closeListeners();
    rt.shutdown();
  }
});

test('reload re-derives state when track changes: a server no longer tracking a MAINT server leaves MAINT (via …)', async () => {
  const a = await namedServer('a');
  const port = await freePort();
  const rt = new Runtime({ log: memoryLogger(), probe: runProbe });
  const text = (track: boolean) => `
frontend fe
    bind 127.0.0.1:${port}
    default_backend app
backend app
    server s1 127.0.0.1:${a.port}${track ? ' track mon/s1' : ''}
backend mon
    server s1 127.0.0.1:${a.port} check inter 50ms
`;
  try {
    await rt.apply(await parse(text(true)));
    rt.setServerState(rt.findServer('mon', 's1')!, 'maint', 'disable server mon/s1');
    assert.equal(rt.findServer('app', 's1')!.statusString(), 'MAINT (via mon/s1)');
    await rt.apply(await parse(text(false)));
    const s = rt.findServer('app', 's1')!;
    assert.equal(s.statusString(), 'no check');
    assert.equal(s.eligible(), true);
    const c = await connect(port);
    assert.equal(await readLine(c), 'a');
    c.destroy();
  } finally {
    await rt.closeListeners();
    rt.shutdown();
    await a.close();
  }
});

test('thousands of connections waiting on maxconn while no server is usable: drained without recursion, slots not leaked', async () => {
  const port = await freePort();
  const rt = new Runtime({ log: memoryLogger(), probe: runProbe });
  const a = await namedServer('a');
  try {
    await rt.apply(await parse(`
frontend fe
    bind 127.0.0.1:${port}
    maxconn 1
    default_backend be
backend be
    server s1 127.0.0.1:${a.port}
`));
    const first = await connect(port);
    assert.equal(await readLine(first), 'a');
    const waiting = await Promise.all(Array.from({ length: 1500 }, () => connect(port)));
    await waitFor(() => rt.frontends.get('fe')!.counters.cur === 1 && a.accepted === 1, 5000, 'waiters parked');
    rt.setServerState(rt.findServer('be', 's1')!, 'maint', 'test');
    first.destroy();
    await Promise.all(waiting.map((c) => closed(c, 10000)));
    await waitFor(() => rt.proc.cur === 0, 3000, 'every slot released');
    assert.equal(rt.frontends.get('fe')!.counters.cur, 0);
  } finally {
    await rt.closeListeners();
    rt.shutdown();
    await a.close();
  }
});

test('disable frontend refuses new connections, keeps sessions, survives a reload; enable accepts again', async () => {
  const a = await namedServer('a');
  const port = await freePort();
  const rt = new Runtime({ log: memoryLogger(), probe: runProbe });
  try {
    const text = cfgText(port, `    server s1 127.0.0.1:${a.port}`);
    await rt.apply(await parse(text));
    const c = await connect(port);
    assert.equal(await readLine(c), 'a');
    assert.equal(await rt.setFrontendEnabled('nope', false, 'disable frontend nope'), 'missing');
    assert.equal(await rt.setFrontendEnabled('fe', false, 'disable frontend fe'), 'ok');
    assert.equal(await rt.setFrontendEnabled('fe', false, 'disable frontend fe'), 'already');
    await assert.rejects(connect(port), /ECONNREFUSED/);
    assert.equal(rt.snapshot().frontends[0].status, 'PAUSED');
    c.write('ping\n');
    assert.equal(await readLine(c), 'ping', 'the established session continues');
    const ev = rt.events.recent().find((e) => e.kind === 'frontend-state');
    assert.deepEqual([ev?.object, ev?.from, ev?.to], ['fe', 'OPEN', 'PAUSED']);

    await rt.apply(await parse(text + '    timeout queue 2s\n'));
    await assert.rejects(connect(port), /ECONNREFUSED/, 'still disabled after a reload');

    assert.equal(await rt.setFrontendEnabled('fe', true, 'enable frontend fe'), 'ok');
    assert.equal(await rt.setFrontendEnabled('fe', true, 'enable frontend fe'), 'already');
    const c2 = await connect(port);
    assert.equal(await readLine(c2), 'a');
    assert.equal(rt.snapshot().frontends[0].status, 'OPEN');
    c.destroy();
    c2.destroy();
  } finally {
    await rt.closeListeners();
    rt.shutdown();
    await a.close();
  }
});

test('tcp mode use_backend conditions on layer 4 fetches route per connection; first match wins, then default_backend', async () => {
  const a = await namedServer('a');
  const b = await namedServer('b');
  const c = await namedServer('c');
  const [p1, p2, p3] = [await freePort(), await freePort(), await freePort()];
  const rt = new Runtime({ log: memoryLogger(), probe: runProbe });
  try {
    await rt.apply(await parse(`
defaults
    mode tcp
    timeout connect 500ms
    timeout client 5s
    timeout server 5s
frontend fe
    bind 127.0.0.1:${p1}
    bind 127.0.0.1:${p2}
    bind 127.0.0.1:${p3}
    acl from_elsewhere src 10.0.0.0/8
    use_backend bb if from_elsewhere
    use_backend bb if { dst_port ${p2} }
    use_backend bc if { dst_port ${p3} } { src 127.0.0.0/8 }
    default_backend ba
backend ba
    server s 127.0.0.1:${a.port}
backend bb
    server s 127.0.0.1:${b.port}
backend bc
    server s 127.0.0.1:${c.port}
`));
    const got = async (port: number) => {
      const s = await connect(port);
      const line = await readLine(s);
      s.destroy();
      return line;
    };
    assert.deepEqual([await got(p1), await got(p2), await got(p3), await got(p2)], ['a', 'b', 'c', 'b']);
  } finally {
    await rt.closeListeners();
    rt.shutdown();
    await Promise.all([a.close(), b.close(), c.close()]);
  }
});
