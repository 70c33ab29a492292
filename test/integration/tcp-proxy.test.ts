import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Runtime } from '../../daemon/runtime/runtime.js';
import { memoryLogger } from '../../daemon/log.js';
import { runProbe } from '../../daemon/health/probe.js';
import type { BindConfig, Config } from '../../daemon/config/types.js';
import { backendConfig, config, frontendConfig, noTimeouts, serverConfig } from '../helpers/configs.js';
import { blackhole, closed, connect, deadPort, echoServer, freePort, namedServer, readBytes, readLine, tcpServer, type TestServer } from '../helpers/net.js';
import { waitFor } from '../helpers/wait.js';

function bind(port: number): BindConfig {
  return { where: { file: 't', line: 1 }, text: `127.0.0.1:${port}`, host: '127.0.0.1', port, family: 'ipv4', fd: null, name: null, acceptProxy: false };
}

/** A runtime listening on a free port with one frontend → backend `b` built from `servers`. */
async function proxy(servers: Parameters<typeof backendConfig>[1], be: Parameters<typeof backendConfig>[2] = {}, fe: Parameters<typeof frontendConfig>[1] = {}) {
  const port = await freePort();
  const cfg: Config = config(
    [backendConfig('b', servers, { timeouts: { ...noTimeouts, connect: 500, queue: 1000 }, ...be })],
    [frontendConfig('f', { binds: [bind(port)], defaultBackend: 'b', ...fe })],
  );
  const log = memoryLogger();
  const rt = new Runtime({ log, probe: runProbe });
  await rt.apply(cfg);
  const close = async () => {
    await rt.closeListeners();
    rt.shutdown();
  };
  return { rt, port, log, close, server: (name: string) => rt.findServer('b', name)! };
}

async function withServers<T>(servers: TestServer[], fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } finally {
    await Promise.all(servers.map((s) => s.close()));
  }
}

test('bytes flow both ways and are counted on frontend, backend and server', async () => {
  const echo = await echoServer();
  const p = await proxy([serverConfig('s1', { port: echo.port })]);
  await withServers([echo], async () => {
    const c = await connect(p.port);
    c.write('hello lbd');
    assert.equal((await readBytes(c, 9)).toString(), 'hello lbd');
    c.end();
    await closed(c);
    await waitFor(() => p.rt.proc.cur === 0, 2000, 'session end');
    const snap = p.rt.snapshot();
    const s = snap.backends[0]!.servers[0]!;
    assert.equal(s.counters.total, 1);
    assert.equal(s.counters.bytesIn, 9);
    assert.equal(s.counters.bytesOut, 9);
    assert.equal(snap.frontends[0]!.counters.bytesIn, 9);
    assert.equal(snap.backends[0]!.counters.cur, 0);
    assert.equal(s.counters.cur, 0);
  }).finally(p.close);
});

test('roundrobin spreads sessions over servers', async () => {
  const a = await namedServer('a');
  const b = await namedServer('b');
  const p = await proxy([serverConfig('a', { port: a.port }), serverConfig('b', { port: b.port })]);
  await withServers([a, b], async () => {
    const seen: string[] = [];
    for (let i = 0; i < 6; i++) {
      const c = await connect(p.port);
      seen.push(await readLine(c));
      c.destroy();
    }
    assert.deepEqual(seen.sort(), ['a', 'a', 'a', 'b', 'b', 'b']);
  }).finally(p.close);
});

test('backpressure: a client that stops reading stops lbd reading its server', async () => {
  const chunk = Buffer.alloc(64 * 1024, 7);
  let written = 0;
  const fire = await tcpServer((s) => {
    const pump = () => {
      while (!s.destroyed && s.write(chunk)) written += chunk.length;
      if (!s.destroyed) {
        written += chunk.length;
        s.once('drain', pump);
      }
    };
    pump();
  });
  const p = await proxy([serverConfig('s', { port: fire.port })]);
  await withServers([fire], async () => {
    const c = await connect(p.port);
    c.pause();
    // let buffers fill, then check that writing stalled: two samples 300 ms apart are equal
    await waitFor(async () => {
      const w1 = written;
      await new Promise((r) => setTimeout(r, 300));
      return written === w1 && w1 > 0;
    }, 10000, 'the server to stall');
    const stalledAt = written;
    assert.ok(stalledAt < 64 * 1024 * 1024, `server wrote ${stalledAt} bytes into a non-reading client`);
    // then reading resumes and data flows again
    let got = 0;
    c.on('data', (d: Buffer) => (got += d.length));
    c.resume();
    await waitFor(() => got > stalledAt, 10000, 'data to flow again');
    c.destroy();
  }).finally(p.close);
});

test('half-close: the client ends its side and still receives everything the server sends', async () => {
  const srv = await tcpServer((s) => {
    const parts: Buffer[] = [];
    s.on('data', (d: Buffer) => parts.push(d));
    s.on('end', () => {
      // reply after the client's FIN: only possible if lbd kept the other half open
      s.end(`got ${Buffer.concat(parts).length} bytes\n`);
    });
  });
  const p = await proxy([serverConfig('s', { port: srv.port })]);
  await withServers([srv], async () => {
    const c = await connect(p.port, { allowHalfOpen: true });
    c.end('x'.repeat(100000));
    assert.equal(await readLine(c), 'got 100000 bytes');
    await closed(c);
  }).finally(p.close);
});

test('half-close: the server ends first and still receives what the client sends', async () => {
  let received = '';
  const srv = await tcpServer((s) => {
    s.end('bye\n');
    s.on('data', (d: Buffer) => (received += d.toString()));
  });
  const p = await proxy([serverConfig('s', { port: srv.port })]);
  await withServers([srv], async () => {
    const c = await connect(p.port, { allowHalfOpen: true });
    assert.equal(await readLine(c), 'bye');
    await new Promise<void>((r) => c.once('end', () => r()));
    c.end('after server FIN');
    await waitFor(() => received === 'after server FIN', 3000, 'server to receive data after its FIN');
    await closed(c);
  }).finally(p.close);
});

test('connect failures are retried and redispatched to another server', async () => {
  const dead = await deadPort();
  const live = await namedServer('live');
  const p = await proxy([serverConfig('dead', { port: dead }), serverConfig('live', { port: live.port })], {
    retries: 1,
    redispatch: true,
    balance: { algorithm: 'first', draws: 2, hashType: 'map-based' },
  });
  await withServers([live], async () => {
    const c = await connect(p.port);
    assert.equal(await readLine(c), 'live');
    c.destroy();
    const d = p.server('dead').counters;
    assert.equal(d.connectErrors, 1);
    assert.equal(d.retries, 1);
    assert.equal(d.redispatches, 1);
    assert.equal(p.rt.backends.get('b')!.counters.redispatches, 1);
  }).finally(p.close);
});

test('retries on the same server without redispatch, then the client is closed and counted', async () => {
  const dead = await deadPort();
  const p = await proxy([serverConfig('dead', { port: dead })], { retries: 2, timeouts: { ...noTimeouts, connect: 50 } });
  try {
    const t0 = Date.now();
    const c = await connect(p.port);
    await closed(c, 3000);
    const d = p.server('dead').counters;
    assert.equal(d.connectErrors, 3, 'one attempt plus two retries');
    assert.equal(d.retries, 2);
    assert.ok(Date.now() - t0 >= 100, 'a turn-around delay of min(timeout connect, 1s) between attempts');
    assert.equal(p.rt.frontends.get('f')!.counters.failed, 1);
  } finally {
    await p.close();
  }
});

test('timeout connect: an attempt that hangs is abandoned after the timeout, retried, then the client is closed and counted', async (t) => {
  const hole = await blackhole();
  if (!hole) return t.skip('python3 is needed for a listener with a full accept queue');
  if (hole.fillers.length === 0) {
    hole.close();
    return t.skip('could not fill the accept queue');
  }
  const p = await proxy([serverConfig('hole', { port: hole.port })], { retries: 1, timeouts: { ...noTimeouts, connect: 150 } });
  try {
    const t0 = Date.now();
    const c = await connect(p.port);
    await closed(c, 5000);
    const ms = Date.now() - t0;
    // two attempts of 150 ms and the turn-around of min(timeout connect, 1 s) between them
    assert.ok(ms >= 400 && ms < 3000, `closed after ${ms} ms`);
    const h = p.server('hole').counters;
    assert.equal(h.connectErrors, 2, 'one attempt plus one retry, both timed out');
    assert.equal(h.retries, 1);
    assert.equal(p.rt.frontends.get('f')!.counters.failed, 1);
    await waitFor(() => h.cur === 0, 2000, 'the session to leave the server');
  } finally {
    await p.close();
    hole.close();
  }
});

test('no usable server: the client is closed at once and counted', async () => {
  const echo = await echoServer();
  const p = await proxy([serverConfig('s', { port: echo.port, disabled: true })]);
  await withServers([echo], async () => {
    const c = await connect(p.port);
    const t0 = Date.now();
    await closed(c, 2000);
    assert.ok(Date.now() - t0 < 500);
    assert.equal(echo.accepted, 0);
    assert.equal(p.rt.backends.get('b')!.counters.connectErrors, 1);
  }).finally(p.close);
});

test('server maxconn queues sessions; a freed slot serves the queue; timeout queue closes waiters', async () => {
  const echo = await namedServer('s');
  const p = await proxy([serverConfig('s', { port: echo.port, maxconn: 1 })], { timeouts: { ...noTimeouts, connect: 500, queue: 300 } });
  await withServers([echo], async () => {
    const c1 = await connect(p.port);
    assert.equal(await readLine(c1), 's');
    const c2 = await connect(p.port);
    await waitFor(() => p.rt.backends.get('b')!.counters.queueCur === 1, 2000, 'second session queued');
    c1.destroy();
    assert.equal(await readLine(c2), 's');
    assert.equal(p.rt.backends.get('b')!.counters.queueMax, 1);
    // now the slot is taken by c2: c3 waits and times out after 300 ms
    const c3 = await connect(p.port);
    const t0 = Date.now();
    await closed(c3, 3000);
    assert.ok(Date.now() - t0 >= 250, 'closed by timeout queue');
    assert.equal(echo.accepted, 2);
    c2.destroy();
  }).finally(p.close);
});

test('backup servers take traffic only when no active server is usable', async () => {
  const act = await namedServer('active');
  const bck = await namedServer('backup');
  const p = await proxy([serverConfig('a', { port: act.port }), serverConfig('bk', { port: bck.port, backup: true })]);
  await withServers([act, bck], async () => {
    const c1 = await connect(p.port);
    assert.equal(await readLine(c1), 'active');
    c1.destroy();
    p.rt.setServerState(p.server('a'), 'maint', 'test');
    const c2 = await connect(p.port);
    assert.equal(await readLine(c2), 'backup');
    c2.destroy();
  }).finally(p.close);
});

test('drain and maintenance stop new sessions but let established ones finish', async () => {
  const a = await namedServer('a');
  const b = await namedServer('b');
  const p = await proxy([serverConfig('a', { port: a.port }), serverConfig('b', { port: b.port })], { balance: { algorithm: 'first', draws: 2, hashType: 'map-based' } });
  await withServers([a, b], async () => {
    const est = await connect(p.port);
    assert.equal(await readLine(est), 'a');
    for (const state of ['drain', 'maint'] as const) {
      p.rt.setServerState(p.server('a'), state, 'test');
      const c = await connect(p.port);
      assert.equal(await readLine(c), 'b', `new session avoids a ${state} server`);
      c.destroy();
      est.write(`still here ${state}\n`);
      assert.equal(await readLine(est), `still here ${state}`);
    }
    est.destroy();
  }).finally(p.close);
});

test('a server that resets mid-stream closes its client and is counted', async () => {
  const rst = await tcpServer((s) => s.once('data', () => s.resetAndDestroy()));
  const p = await proxy([serverConfig('s', { port: rst.port })]);
  await withServers([rst], async () => {
    const c = await connect(p.port);
    c.write('trigger');
    await closed(c);
    await waitFor(() => p.server('s').counters.srvAborts === 1, 2000, 'srv_abrt');
    assert.equal(p.server('s').counters.responseErrors, 1);
    assert.equal(p.server('s').counters.cur, 0);
  }).finally(p.close);
});

test('a server that sends then resets: every byte lbd read from it still reaches a slow client, then the client is closed', async () => {
  const big = Buffer.alloc(2 * 1024 * 1024, 9);
  // the server answers the client's first bytes (so the session is wired) with 2 MB, then resets
  const rst = await tcpServer((s) => s.once('data', () => s.write(big, () => s.resetAndDestroy())));
  const p = await proxy([serverConfig('s', { port: rst.port })]);
  await withServers([rst], async () => {
    const c = await connect(p.port);
    c.pause();
    c.write('go');
    // the server's reset reaches lbd while lbd still holds bytes it could not write to the paused client
    await waitFor(() => rst.accepted === 1 && p.server('s').counters.bytesOut > 0, 5000, 'the server to send');
    await waitFor(async () => {
      const b = p.server('s').counters.bytesOut;
      await new Promise((r) => setTimeout(r, 100));
      return p.server('s').counters.bytesOut === b;
    }, 5000, 'lbd to stop reading');
    let got = 0;
    c.on('data', (d: Buffer) => (got += d.length));
    c.resume();
    await closed(c);
    // (Linux reports a reset that arrives behind queued data as the end of the stream once the data is read)
    assert.equal(got, p.server('s').counters.bytesOut, 'the client got every byte lbd read from the server');
    assert.ok(got > 0);
    await waitFor(() => p.server('s').counters.cur === 0, 2000, 'the session to end');
  }).finally(p.close);
});

test('timeout client closes an idle session', async () => {
  const echo = await echoServer();
  const p = await proxy([serverConfig('s', { port: echo.port })], {}, { timeouts: { ...noTimeouts, client: 200 } });
  await withServers([echo], async () => {
    const c = await connect(p.port);
    const t0 = Date.now();
    await closed(c, 3000);
    assert.ok(Date.now() - t0 >= 180, 'not before the timeout');
  }).finally(p.close);
});

test('timeouts run on a monotonic clock: the wall clock stepping back an hour does not keep an idle session open', async () => {
  const echo = await echoServer();
  const p = await proxy([serverConfig('s', { port: echo.port })], {}, { timeouts: { ...noTimeouts, client: 300 } });
  const realNow = Date.now;
  await withServers([echo], async () => {
    const c = await connect(p.port);
    c.write('ping\n');
    assert.equal(await readLine(c), 'ping', 'the session is established');
    // an NTP step or `date -s` an hour back, while the session sits idle
    const offset = 3_600_000;
    Date.now = () => realNow() - offset;
    const t0 = performance.now();
    await closed(c, 3000);
    const ms = performance.now() - t0;
    assert.ok(ms < 1000, `closed ${Math.round(ms)} ms after the step`);
  })
    .finally(() => (Date.now = realNow))
    .finally(p.close);
});

test('a wall-clock step back does not stall slowstart, nor skew lastchg or session times', async () => {
  const echo = await echoServer();
  const p = await proxy([serverConfig('s', { port: echo.port, weight: 10, slowstart: 1000 })]);
  const realNow = Date.now;
  await withServers([echo], async () => {
    const s = p.server('s');
    const c = await connect(p.port);
    c.write('ping\n');
    assert.equal(await readLine(c), 'ping', 'a session is open across the step');
    p.rt.setServerState(s, 'maint', 'test');
    p.rt.setServerState(s, 'ready', 'test');
    assert.ok(s.weight < 10, `warming up: weight ${s.weight}`);
    // an NTP step or `date -s` an hour back, during the ramp
    Date.now = () => realNow() - 3_600_000;
    const t0 = performance.now();
    await waitFor(() => s.weight === 10, 3000, 'the slowstart ramp to end about 1 s after it began');
    assert.ok(performance.now() - t0 < 1500, 'not later than the ramp\'s length');
    c.destroy();
    await waitFor(() => s.counters.cur === 0, 2000, 'the session to end');
    const snap = p.rt.snapshot();
    const srv = snap.backends[0]!.servers[0]!;
    const age = snap.process.now - srv.lastChange;
    assert.ok(age >= 0 && age < 5000, `lastchg is the time since the change (${age} ms)`);
    // dates in the snapshot follow the (stepped) wall clock that clients compare them with
    assert.ok(Math.abs(Date.now() - snap.process.now) < 1000, 'the snapshot\'s now is calendar time');
    assert.ok(srv.counters.totalTimeAvg >= 0 && srv.counters.totalTimeMax < 60_000, `session time ${srv.counters.totalTimeAvg} ms (max ${srv.counters.totalTimeMax})`);
    const lastSession = srv.counters.lastSession!;
    assert.ok(Date.now() - lastSession >= 0 && Date.now() - lastSession < 5000, 'last session, as a date, is recent on the stepped clock');
  })
    .finally(() => (Date.now = realNow))
    .finally(p.close);
});

test('frontend maxconn: an extra connection waits unread and is served when a slot frees', async () => {
  const s = await namedServer('s');
  const p = await proxy([serverConfig('s', { port: s.port })], {}, { maxconn: 1 });
  await withServers([s], async () => {
    const c1 = await connect(p.port);
    assert.equal(await readLine(c1), 's');
    const c2 = await connect(p.port);
    await waitFor(() => p.rt.frontends.get('f')!.waitingCount() === 1, 2000, 'the second connection to wait');
    assert.equal(s.accepted, 1, 'the second connection does not reach a server while the first holds the slot');
    c1.destroy();
    assert.equal(await readLine(c2), 's');
    c2.destroy();
  }).finally(p.close);
});

test('health checks take a dead server out of rotation (real TCP checks)', async () => {
  const live = await namedServer('live');
  const dead = await deadPort();
  const p = await proxy([
    serverConfig('dead', { port: dead, check: true, inter: 100, fastinter: 100, downinter: 100, rise: 2, fall: 2 }),
    serverConfig('live', { port: live.port, check: true, inter: 100, fastinter: 100, downinter: 100 }),
  ]);
  await withServers([live], async () => {
    await waitFor(() => p.server('dead').op === 'down', 2000, 'dead server DOWN');
    assert.equal(p.server('dead').checkView()?.status, 'L4CON');
    assert.equal(p.server('dead').statusString(), 'DOWN');
    for (let i = 0; i < 4; i++) {
      const c = await connect(p.port);
      assert.equal(await readLine(c), 'live');
      c.destroy();
    }
  }).finally(p.close);
});


test('timeout tunnel replaces client/server timeouts once the session is established', async () => {
  const echo = await echoServer();
  const p = await proxy([serverConfig('s', { port: echo.port })], { timeouts: { ...noTimeouts, connect: 500, server: 100, tunnel: 400 } }, { timeouts: { ...noTimeouts, client: 100 } });
  await withServers([echo], async () => {
    const c = await connect(p.port);
    const t0 = Date.now();
    await closed(c, 3000);
    const ms = Date.now() - t0;
    assert.ok(ms >= 350, `closed after ${ms} ms: the 100 ms client/server timeouts must not apply`);
  }).finally(p.close);
});

test('timeout client-fin bounds a half-closed session', async () => {
  const silent = await tcpServer(() => {}); // reads nothing back, never closes
  const p = await proxy([serverConfig('s', { port: silent.port })], {}, { timeouts: { ...noTimeouts, client: 10000, clientFin: 200 } });
  await withServers([silent], async () => {
    const c = await connect(p.port, { allowHalfOpen: true });
    await waitFor(() => silent.accepted === 1, 2000, 'server connection');
    const t0 = Date.now();
    c.end();
    await closed(c, 3000);
    const ms = Date.now() - t0;
    assert.ok(ms >= 150 && ms < 2000, `closed ${ms} ms after the half-close`);
  }).finally(p.close);
});

test('a flood beyond maxconn waits and is served, never more than maxconn at once, nothing crashes', async () => {
  const echo = await echoServer();
  const p = await proxy([serverConfig('s', { port: echo.port })], {}, { maxconn: 5 });
  await withServers([echo], async () => {
    const N = 200;
    const results = await Promise.all(
      Array.from({ length: N }, async (_, i) => {
        const c = await connect(p.port);
        c.write(`msg ${i}\n`);
        const line = await readLine(c, 10000);
        c.destroy();
        return line === `msg ${i}`;
      }),
    );
    assert.equal(results.filter(Boolean).length, N);
    const fe = p.rt.snapshot().frontends[0]!;
    assert.ok(fe.counters.max <= 5, `max concurrent sessions ${fe.counters.max}`);
    assert.equal(fe.counters.total, N);
    await waitFor(() => p.rt.proc.cur === 0, 3000, 'all sessions closed');
  }).finally(p.close);
});

test('observe layer4: connect errors on traffic mark a server down (on-error mark-down) while its checks (port elsewhere) pass', async () => {
  const checkPort = await echoServer(); // checks go here (server option `port`) and pass
  const live = await namedServer('live');
  const dead = await deadPort(); // traffic to this server fails
  const p = await proxy(
    [
      serverConfig('flaky', { port: dead, check: true, checkPort: checkPort.port, inter: 10000, fastinter: 10000, downinter: 10000, observe: 'layer4', errorLimit: 2, onError: 'mark-down' }),
      serverConfig('live', { port: live.port }),
    ],
    { retries: 0, redispatch: false, balance: { algorithm: 'first', draws: 2, hashType: 'map-based' } },
  );
  await withServers([checkPort, live], async () => {
    await waitFor(() => p.server('flaky').checkView()?.status === 'L4OK', 6000, 'first check passes');
    for (let i = 0; i < 2; i++) {
      const c = await connect(p.port);
      await closed(c); // connect to the dead port fails, no retry
    }
    assert.equal(p.server('flaky').op, 'down');
    assert.equal(p.server('flaky').checkView()?.status, 'HANA');
    const c = await connect(p.port);
    assert.equal(await readLine(c), 'live');
    c.destroy();
  }).finally(p.close);
});

test('balance source: a client address always reaches the same server', async () => {
  const a = await namedServer('a');
  const b = await namedServer('b');
  const p = await proxy([serverConfig('a', { port: a.port }), serverConfig('b', { port: b.port })], { balance: { algorithm: 'source', draws: 2, hashType: 'consistent' } });
  await withServers([a, b], async () => {
    const seen = new Set<string>();
    for (let i = 0; i < 8; i++) {
      const c = await connect(p.port);
      seen.add(await readLine(c));
      c.destroy();
    }
    assert.equal(seen.size, 1, `one client address, one server: ${[...seen]}`);
  }).finally(p.close);
});
