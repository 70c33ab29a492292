/**
 * Every probe result is produced by a real peer on loopback: a refused port, a listener whose accept
 * queue is full (L4TOUT), a server that never answers (L7TOUT), one that answers garbage (L7RSP), the
 * demo backend for 200/503/404, small TCP servers for tcp-check. Each test closes what it opened, and
 * the last tests check that no socket or timer is left behind.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import http from 'node:http';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { HealthCheckConfig, HttpCheckExpect, TcpCheckStep } from '../../daemon/config/types.js';
import type { CheckResult } from '../../shared/check-status.js';
import { cancelProbe, cancelToken, type ProbeTarget, type ProbeTimeouts } from '../../daemon/health/probe-types.js';
import { runProbe } from '../../daemon/health/probe.js';
import { startDemoBackend, type DemoBackend } from '../../examples/demo-backend.js';
import { waitFor, once } from '../helpers/wait.js';

const HOST = '127.0.0.1';
const where = { file: 'test.cfg', line: 1 };
const NORMAL: ProbeTimeouts = { connectMs: 2000, readMs: 2000 };
/** Upper slack on a deadline-bound duration (timers, a busy CI machine). */
const SLACK = 300;

function check(over: Partial<HealthCheckConfig> = {}): HealthCheckConfig {
  return {
    type: 'http',
    http: { method: 'GET', uri: '/readyz', version: 'HTTP/1.0', headers: [], body: '' },
    expect: [],
    disableOn404: false,
    tcpCheck: [],
    logHealthChecks: false,
    ...over,
  };
}

const expectRule = (match: HttpCheckExpect['match'], pattern: string, negate = false): HttpCheckExpect => ({ negate, match, pattern, where });
const tcpCheck = (...steps: TcpCheckStep[]): HealthCheckConfig => check({ type: 'tcp-check', tcpCheck: steps });
const send = (data: string): TcpCheckStep => ({ kind: 'send', data, where });
const sendHex = (hex: string): TcpCheckStep => ({ kind: 'send-binary', hex, where });
const connectStep = (port: number | null): TcpCheckStep => ({ kind: 'connect', port, where });
const expectTcp = (match: 'string' | 'rstring' | 'binary', pattern: string, negate = false): TcpCheckStep => ({ kind: 'expect', negate, match, pattern, where });
const target = (port: number, host = HOST): ProbeTarget => ({ host, port });

function assertResult(r: CheckResult, status: CheckResult['status'], code: number | null, info: string): void {
  assert.deepEqual({ status: r.status, code: r.code, info: r.info }, { status, code, info });
  assert.ok(Number.isInteger(r.durationMs) && r.durationMs >= 0, `duration ${r.durationMs} is a whole number of ms`);
}

function assertDuration(r: CheckResult, deadlineMs: number): void {
  assert.ok(r.durationMs >= deadlineMs - 2 && r.durationMs <= deadlineMs + SLACK, `duration ${r.durationMs} ms ≈ ${deadlineMs} ms`);
}

/** A port nothing listens on: bind, read the port, close. */
async function refusedPort(): Promise<number> {
  const srv = net.createServer();
  await new Promise<void>((r) => srv.listen(0, HOST, r));
  const port = (srv.address() as net.AddressInfo).port;
  await new Promise<void>((r) => srv.close(() => r()));
  return port;
}

interface RawServer {
  readonly port: number;
  /** Connections accepted so far. */
  readonly accepted: number;
  /** Connections currently open on the server side. */
  readonly open: number;
  /** Bytes received on the last connection. */
  readonly received: () => Buffer;
  close(): Promise<void>;
}

/** A TCP server that runs `onConn` on each accepted socket; close() destroys every socket. */
async function rawServer(onConn: (s: net.Socket) => void, host = HOST): Promise<RawServer> {
  const sockets = new Set<net.Socket>();
  let accepted = 0;
  let last: Buffer[] = [];
  const srv = net.createServer((s) => {
    accepted++;
    sockets.add(s);
    last = [];
    s.on('data', (d) => last.push(d));
    s.on('error', () => {});
    s.on('close', () => sockets.delete(s));
    onConn(s);
  });
  await new Promise<void>((r) => srv.listen(0, host, r));
  const port = (srv.address() as net.AddressInfo).port;
  return {
    port,
    get accepted() {
      return accepted;
    },
    get open() {
      return sockets.size;
    },
    received: () => Buffer.concat(last),
    close: () =>
      new Promise<void>((r) => {
        for (const s of sockets) s.destroy();
        srv.close(() => r());
      }),
  };
}

/**
 * A listener that never accepts and whose accept queue is full, so a new connect gets no SYN-ACK:
 * HAProxy's L4TOUT setup, on loopback. A worker thread listens with backlog 1 and then blocks its
 * event loop on Atomics.wait, so it never accepts; filler connections take the queue's places.
 */
async function fullBacklogListener(): Promise<{ port: number; close(): Promise<void> }> {
  const sab = new SharedArrayBuffer(4);
  const worker = new Worker(
    `const { parentPort, workerData } = require('node:worker_threads');
     const net = require('node:net');
     const srv = net.createServer();
     srv.listen({ host: '127.0.0.1', port: 0, backlog: 1 }, () => {
       parentPort.postMessage(srv.address().port);
       Atomics.wait(new Int32Array(workerData.sab), 0, 0);
       srv.close();
     });`,
    { eval: true, workerData: { sab } },
  );
  const port = await once<number>(worker, 'message', 5000);
  const fillers: net.Socket[] = [];
  for (let i = 0; i < 16; i++) {
    const s = net.connect(port, HOST);
    s.on('error', () => {});
    fillers.push(s);
    const connected = await new Promise<boolean>((resolve) => {
      const t = setTimeout(() => resolve(false), 250);
      s.once('connect', () => {
        clearTimeout(t);
        resolve(true);
      });
    });
    if (!connected) break;
  }
  return {
    port,
    async close() {
      for (const s of fillers) s.destroy();
      const exited = once(worker, 'exit', 5000);
      const flag = new Int32Array(sab);
      Atomics.store(flag, 0, 1);
      Atomics.notify(flag, 0);
      await exited;
    },
  };
}

describe('tcp connect probe', { timeout: 30_000 }, () => {
  it('L4OK when the connection is established, and resets it at once', async () => {
    const srv = await rawServer(() => {});
    try {
      const r = await runProbe(check({ type: 'tcp' }), target(srv.port), NORMAL);
      assertResult(r, 'L4OK', null, '');
      assert.ok(r.durationMs < 1000);
      await waitFor(() => srv.accepted === 1 && srv.open === 0, 2000, 'server side closed');
    } finally {
      await srv.close();
    }
  });

  it('L4CON with the errno text when refused', async () => {
    const port = await refusedPort();
    const r = await runProbe(check({ type: 'tcp' }), target(port), NORMAL);
    assertResult(r, 'L4CON', null, 'Connection refused');
    assert.ok(r.durationMs < 1000);
  });

  it('L4TOUT with the duration of the connect deadline when the accept queue is full', async () => {
    const l = await fullBacklogListener();
    try {
      const r = await runProbe(check({ type: 'tcp' }), target(l.port), { connectMs: 300, readMs: 2000 });
      assertResult(r, 'L4TOUT', null, '');
      assertDuration(r, 300);
    } finally {
      await l.close();
    }
  });

  it('connects to the address and port it is given (the addr/port overrides are resolved by the caller)', async () => {
    const srv = await rawServer(() => {}, '127.0.0.2');
    try {
      assertResult(await runProbe(check({ type: 'tcp' }), target(srv.port, '127.0.0.2'), NORMAL), 'L4OK', null, '');
      assertResult(await runProbe(check({ type: 'tcp' }), target(srv.port, HOST), NORMAL), 'L4CON', null, 'Connection refused');
    } finally {
      await srv.close();
    }
  });

  it('SOCKERR for a port that cannot be dialled, without throwing', async () => {
    assertResult(await runProbe(check({ type: 'tcp' }), target(0), NORMAL), 'SOCKERR', null, 'invalid check port 0');
    assertResult(await runProbe(tcpCheck(connectStep(70000)), target(80), NORMAL), 'SOCKERR', null, 'invalid check port 70000');
  });
});

describe('http probe', { timeout: 30_000 }, () => {
  let demo: DemoBackend;
  before(async () => {
    demo = await startDemoBackend({ name: 'probe-test' });
  });
  after(async () => {
    await demo.close();
  });

  it('L7OK with the status as code for 200', async () => {
    demo.setReady(200);
    const r = await runProbe(check(), target(demo.port), NORMAL);
    assertResult(r, 'L7OK', 200, '');
    assert.ok(r.durationMs < 1000);
  });

  it('L7STS with code 503 and the reason phrase as info', async () => {
    demo.setReady(503);
    try {
      assertResult(await runProbe(check(), target(demo.port), NORMAL), 'L7STS', 503, 'Service Unavailable');
    } finally {
      demo.setReady(200);
    }
  });

  it('L7OKC for 404 with disable-on-404, L7STS Not Found without it', async () => {
    demo.setReady(404);
    try {
      assertResult(await runProbe(check({ disableOn404: true }), target(demo.port), NORMAL), 'L7OKC', 404, '');
      assertResult(await runProbe(check(), target(demo.port), NORMAL), 'L7STS', 404, 'Not Found');
    } finally {
      demo.setReady(200);
    }
  });

  it('applies status rules (expect status 200 fails a 302; ! status 5xx passes a 404)', async () => {
    const srv = await rawServer((s) => s.once('data', () => s.end('HTTP/1.1 302 Found\r\nLocation: /x\r\nContent-Length: 0\r\n\r\n')));
    try {
      assertResult(await runProbe(check({ expect: [expectRule('status', '200')] }), target(srv.port), NORMAL), 'L7STS', 302, 'Found');
      assertResult(await runProbe(check(), target(srv.port), NORMAL), 'L7OK', 302, '');
    } finally {
      await srv.close();
    }
    demo.setReady(404);
    try {
      assertResult(await runProbe(check({ expect: [expectRule('rstatus', '^5', true)] }), target(demo.port), NORMAL), 'L7OK', 404, '');
    } finally {
      demo.setReady(200);
    }
  });

  it('sends the configured request: no invented Host, Connection: close, body with Content-Length', async () => {
    const srv = await rawServer((s) => s.on('data', () => s.end('HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n')));
    try {
      await runProbe(check(), target(srv.port), NORMAL);
      assert.equal(srv.received().toString(), 'GET /readyz HTTP/1.0\r\nConnection: close\r\n\r\n');
      const withHost = check({ http: { method: 'POST', uri: '/hc', version: 'HTTP/1.1', headers: [['Host', 'svc.local']], body: 'ping' } });
      assertResult(await runProbe(withHost, target(srv.port), NORMAL), 'L7OK', 200, '');
      assert.equal(srv.received().toString(), 'POST /hc HTTP/1.1\r\nHost: svc.local\r\nConnection: close\r\nContent-Length: 4\r\n\r\nping');
    } finally {
      await srv.close();
    }
  });

  it('L7TOUT, no code, duration ≈ the read deadline, when the server accepts and never answers', async () => {
    const srv = await rawServer(() => {});
    try {
      const r = await runProbe(check(), target(srv.port), { connectMs: 2000, readMs: 300 });
      assertResult(r, 'L7TOUT', null, '');
      assertDuration(r, 300);
      await waitFor(() => srv.open === 0, 2000, 'server side closed');
    } finally {
      await srv.close();
    }
  });

  it('L7TOUT when the demo backend answers /readyz later than the deadline', async () => {
    demo.setDelay(1000);
    try {
      const r = await runProbe(check(), target(demo.port), { connectMs: 2000, readMs: 200 });
      assertResult(r, 'L7TOUT', null, '');
      assertDuration(r, 200);
    } finally {
      demo.setDelay(0);
    }
  });

  it('L7RSP with empty info at once for a garbage answer, even if the connection stays open', async () => {
    for (const garbage of ['garbage\r\n', 'garbage', 'HTTP/1.1 abc\r\n\r\n']) {
      const srv = await rawServer((s) => s.once('data', () => s.write(garbage)));
      try {
        const r = await runProbe(check(), target(srv.port), { connectMs: 2000, readMs: 2000 });
        assertResult(r, 'L7RSP', null, '');
        assert.ok(r.durationMs < 1000, `decided at once for ${JSON.stringify(garbage)}`);
      } finally {
        await srv.close();
      }
    }
  });

  it('L7RSP when the server closes without a byte, SOCKERR when it resets', async () => {
    const closer = await rawServer((s) => s.once('data', () => s.end()));
    const resetter = await rawServer((s) => s.once('data', () => s.resetAndDestroy()));
    try {
      assertResult(await runProbe(check(), target(closer.port), NORMAL), 'L7RSP', null, 'TCPCHK got an empty response at step 2');
      assertResult(await runProbe(check(), target(resetter.port), NORMAL), 'SOCKERR', null, 'Connection reset by peer');
    } finally {
      await closer.close();
      await resetter.close();
    }
  });

  it('judges the bytes received before a reset (an RST right after the answer is common)', async () => {
    // Close-delimited body, then RST: the body rule is decided on what arrived.
    const srv = await rawServer((s) => s.once('data', () => s.write('HTTP/1.0 200 OK\r\n\r\nready', () => s.resetAndDestroy())));
    try {
      assertResult(await runProbe(check({ expect: [expectRule('string', 'ready')] }), target(srv.port), NORMAL), 'L7OK', 200, '');
    } finally {
      await srv.close();
    }
  });

  it('L7RSP when the headers are cut by the close', async () => {
    const srv = await rawServer((s) => s.once('data', () => s.end('HTTP/1.1 200 OK\r\nContent-')));
    try {
      assertResult(await runProbe(check(), target(srv.port), NORMAL), 'L7RSP', null, '');
    } finally {
      await srv.close();
    }
  });

  it('L4CON when refused', async () => {
    const port = await refusedPort();
    assertResult(await runProbe(check(), target(port), NORMAL), 'L4CON', null, 'Connection refused');
  });

  it('string / rstring rules on the body (demo backend setBody)', async () => {
    demo.setBody('{"status":"green"}\n');
    try {
      assertResult(await runProbe(check({ expect: [expectRule('string', 'green')] }), target(demo.port), NORMAL), 'L7OK', 200, '');
      assertResult(await runProbe(check({ expect: [expectRule('rstring', '"status":"(green|yellow)"')] }), target(demo.port), NORMAL), 'L7OK', 200, '');
      assertResult(await runProbe(check({ expect: [expectRule('string', 'red')] }), target(demo.port), NORMAL), 'L7RSP', 200, 'HTTP content check did not match');
      assertResult(await runProbe(check({ expect: [expectRule('string', 'green', true)] }), target(demo.port), NORMAL), 'L7RSP', 200, 'HTTP check matched unwanted content');
    } finally {
      demo.setBody(null);
    }
  });

  it('decides a body rule when the message is complete, without waiting for the close', async () => {
    // Keep-alive server that ignores Connection: close; one answer chunked, one with Content-Length.
    const chunked = await rawServer((s) => s.once('data', () => s.write('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n4\r\nnot \r\n5\r\nready\r\n0\r\n\r\n')));
    const sized = await rawServer((s) => s.once('data', () => s.write('HTTP/1.1 200 OK\r\nContent-Length: 7\r\n\r\nnot yet')));
    try {
      const ok = await runProbe(check({ expect: [expectRule('string', 'not ready')] }), target(chunked.port), NORMAL);
      assertResult(ok, 'L7OK', 200, '');
      const bad = await runProbe(check({ expect: [expectRule('string', 'ready')] }), target(sized.port), NORMAL);
      assertResult(bad, 'L7RSP', 200, 'HTTP content check did not match');
      assert.ok(ok.durationMs < 1000 && bad.durationMs < 1000);
    } finally {
      await chunked.close();
      await sized.close();
    }
  });

  it('a body rule on an answer that never completes ends in L7TOUT with the status as code', async () => {
    const srv = await rawServer((s) => s.once('data', () => s.write('HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\npartial')));
    try {
      const r = await runProbe(check({ expect: [expectRule('string', 'ready')] }), target(srv.port), { connectMs: 2000, readMs: 250 });
      assertResult(r, 'L7TOUT', 200, '');
      assertDuration(r, 250);
    } finally {
      await srv.close();
    }
  });

  it('reads at most 16 KiB: a body rule is decided when the check buffer is full', async () => {
    const big = 'x'.repeat(40000);
    const srv = await rawServer((s) => s.once('data', () => s.write(`HTTP/1.1 200 OK\r\nContent-Length: ${big.length + 5}\r\n\r\n${big}READY`)));
    try {
      const r = await runProbe(check({ expect: [expectRule('string', 'READY')] }), target(srv.port), NORMAL);
      assertResult(r, 'L7RSP', 200, 'HTTP content check did not match');
    } finally {
      await srv.close();
    }
  });
});

describe('tcp-check probe', { timeout: 30_000 }, () => {
  /** A tiny Redis-like server: PING → +PONG, anything else → -ERR; `mode` says what happens next. */
  async function pingServer(mode: 'keep' | 'close-after-answer', answer = '+PONG\r\n'): Promise<RawServer> {
    return rawServer((s) =>
      s.on('data', (d) => {
        const reply = d.toString().startsWith('PING') ? answer : '-ERR unknown command\r\n';
        if (mode === 'keep') s.write(reply);
        else s.end(reply);
      }),
    );
  }

  it('send + expect string that matches → L7OK (tcp-check)', async () => {
    const srv = await pingServer('keep');
    try {
      const r = await runProbe(tcpCheck(send('PING\r\n'), expectTcp('string', '+PONG')), target(srv.port), NORMAL);
      assertResult(r, 'L7OK', null, '(tcp-check)');
      assert.ok(r.durationMs < 1000);
      assert.equal(srv.received().toString(), 'PING\r\n');
    } finally {
      await srv.close();
    }
  });

  it('mismatch decided on the close → L7RSP "TCPCHK did not match content"', async () => {
    const srv = await pingServer('close-after-answer', '-LOADING\r\n');
    try {
      const r = await runProbe(tcpCheck(send('PING\r\n'), expectTcp('string', '+PONG')), target(srv.port), NORMAL);
      assertResult(r, 'L7RSP', null, "TCPCHK did not match content '+PONG' at step 2");
    } finally {
      await srv.close();
    }
  });

  it('mismatch on a connection kept open waits, as HAProxy does → L7TOUT at the deadline with the step', async () => {
    const srv = await pingServer('keep', '-LOADING\r\n');
    try {
      const r = await runProbe(tcpCheck(send('PING\r\n'), expectTcp('string', '+PONG')), target(srv.port), { connectMs: 2000, readMs: 250 });
      assertResult(r, 'L7TOUT', null, " at step 2 of tcp-check (expect string '+PONG')");
      assertDuration(r, 250);
    } finally {
      await srv.close();
    }
  });

  it('! expect fails as soon as the unwanted content arrives', async () => {
    const srv = await pingServer('keep', '-ERR busy\r\n');
    try {
      const r = await runProbe(tcpCheck(send('PING\r\n'), expectTcp('string', '-ERR', true)), target(srv.port), NORMAL);
      assertResult(r, 'L7RSP', null, "TCPCHK matched unwanted content '-ERR' at step 2");
    } finally {
      await srv.close();
    }
  });

  it('expect on a banner (no send), rstring, and a send-binary / expect binary exchange', async () => {
    const banner = await rawServer((s) => s.write('SSH-2.0-OpenSSH_9.6\r\n'));
    const bin = await rawServer((s) => s.on('data', (d) => d[0] === 0x01 && s.write(Buffer.from([0x00, 0x02, 0xbe, 0xef]))));
    try {
      assertResult(await runProbe(tcpCheck(expectTcp('string', 'SSH-2.0')), target(banner.port), NORMAL), 'L7OK', null, '(tcp-check)');
      assertResult(await runProbe(tcpCheck(expectTcp('rstring', '^SSH-[12]\\.')), target(banner.port), NORMAL), 'L7OK', null, '(tcp-check)');
      assertResult(await runProbe(tcpCheck(sendHex('01ff'), expectTcp('binary', 'beef')), target(bin.port), NORMAL), 'L7OK', null, '(tcp-check)');
      assert.deepEqual([...bin.received()], [0x01, 0xff]);
    } finally {
      await banner.close();
      await bin.close();
    }
  });

  it('several send/expect rounds: each send forgets what came before', async () => {
    // Echo server that closes after answering B: the last, negated, rule is decided by that close.
    const srv = await rawServer((s) =>
      s.on('data', (d) => {
        const word = d.toString().trim();
        if (word === 'B') s.end('+B\r\n');
        else s.write(`+${word}\r\n`);
      }),
    );
    try {
      const c = tcpCheck(send('A\r\n'), expectTcp('string', '+A'), send('B\r\n'), expectTcp('string', '+B'), expectTcp('string', '+A', true));
      assertResult(await runProbe(c, target(srv.port), NORMAL), 'L7OK', null, '(tcp-check)');
    } finally {
      await srv.close();
    }
  });

  it('a negated expect that sees nothing unwanted on an open connection waits for the deadline (HAProxy does too)', async () => {
    const srv = await pingServer('keep');
    try {
      const c = tcpCheck(send('PING\r\n'), expectTcp('string', '-ERR', true));
      const r = await runProbe(c, target(srv.port), { connectMs: 2000, readMs: 200 });
      assertResult(r, 'L7TOUT', null, " at step 2 of tcp-check (expect string '-ERR')");
      assertDuration(r, 200);
    } finally {
      await srv.close();
    }
  });

  it('a reset after a mismatching answer → L7RSP on what was received; a reset before any byte → SOCKERR', async () => {
    const mismatch = await rawServer((s) => s.once('data', () => s.write('-ERR\r\n', () => s.resetAndDestroy())));
    const reset = await rawServer((s) => s.once('data', () => s.resetAndDestroy()));
    try {
      const c = tcpCheck(send('PING\r\n'), expectTcp('string', '+PONG'));
      assertResult(await runProbe(c, target(mismatch.port), NORMAL), 'L7RSP', null, "TCPCHK did not match content '+PONG' at step 2");
      assertResult(await runProbe(c, target(reset.port), NORMAL), 'SOCKERR', null, "Connection reset by peer at step 2 of tcp-check (expect string '+PONG')");
    } finally {
      await mismatch.close();
      await reset.close();
    }
  });

  it('closed before any byte at an expect → L7RSP "TCPCHK got an empty response"', async () => {
    const srv = await rawServer((s) => s.once('data', () => s.end()));
    try {
      assertResult(await runProbe(tcpCheck(send('PING\r\n'), expectTcp('string', '+PONG')), target(srv.port), NORMAL), 'L7RSP', null, 'TCPCHK got an empty response at step 2');
    } finally {
      await srv.close();
    }
  });

  it('no steps: a plain connect → L4OK; refused → L4CON at the initial connection step', async () => {
    const srv = await rawServer(() => {});
    const port = await refusedPort();
    try {
      assertResult(await runProbe(tcpCheck(), target(srv.port), NORMAL), 'L4OK', null, '');
      assertResult(await runProbe(tcpCheck(send('x')), target(port), NORMAL), 'L4CON', null, 'Connection refused at initial connection step of tcp-check');
    } finally {
      await srv.close();
    }
  });

  it('connect port overrides the target port; a refused one names the step', async () => {
    const srv = await pingServer('keep');
    const refused = await refusedPort();
    try {
      const ok = tcpCheck(connectStep(srv.port), send('PING\r\n'), expectTcp('string', '+PONG'));
      assertResult(await runProbe(ok, target(refused), NORMAL), 'L7OK', null, '(tcp-check)');
      const onlyConnect = tcpCheck(connectStep(srv.port));
      assertResult(await runProbe(onlyConnect, target(refused), NORMAL), 'L4OK', null, '(tcp-check)');
      const bad = tcpCheck(connectStep(null), send('PING\r\n'), expectTcp('string', '+PONG'), connectStep(refused));
      assertResult(await runProbe(bad, target(srv.port), NORMAL), 'L4CON', null, `Connection refused at step 4 of tcp-check (connect port ${refused})`);
    } finally {
      await srv.close();
    }
  });

  it('L4TOUT at the initial connection step when the accept queue is full', async () => {
    const l = await fullBacklogListener();
    try {
      const r = await runProbe(tcpCheck(send('PING\r\n'), expectTcp('string', '+PONG')), target(l.port), { connectMs: 250, readMs: 2000 });
      assertResult(r, 'L4TOUT', null, ' at initial connection step of tcp-check');
      assertDuration(r, 250);
    } finally {
      await l.close();
    }
  });
});

describe('abort', { timeout: 30_000 }, () => {
  it('an abort ends a probe in flight at once and closes its socket', async () => {
    const srv = await rawServer(() => {});
    try {
      const ac = cancelToken();
      const p = runProbe(check(), target(srv.port), NORMAL, ac);
      await waitFor(() => srv.accepted === 1, 2000, 'probe connected');
      cancelProbe(ac);
      const r = await p;
      assert.equal(r.status, 'UNK');
      assert.ok(r.durationMs < 1000);
      await waitFor(() => srv.open === 0, 2000, 'server side closed');
    } finally {
      await srv.close();
    }
  });

  it('an already aborted signal does not connect', async () => {
    const srv = await rawServer(() => {});
    try {
      const ac = cancelToken();
      cancelProbe(ac);
      const r = await runProbe(tcpCheck(), target(srv.port), NORMAL, ac);
      assert.equal(r.status, 'UNK');
      // Give a stray connect a chance to show up before asserting it did not happen.
      const probe = await runProbe(check({ type: 'tcp' }), target(srv.port), NORMAL);
      assert.equal(probe.status, 'L4OK');
      await waitFor(() => srv.accepted === 1, 2000, 'the second probe connected');
      assert.equal(srv.accepted, 1);
    } finally {
      await srv.close();
    }
  });
});

describe('demo backend', { timeout: 30_000 }, () => {
  const get = (port: number, path: string, method = 'GET', agent?: http.Agent): Promise<{ status: number; body: string }> =>
    new Promise((resolve, reject) => {
      const req = http.request({ host: HOST, port, path, method, agent: agent ?? false }, (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (d: string) => (body += d));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      });
      req.on('error', reject);
      req.end();
    });

  it('serves / and /readyz, and flips readiness through /control', async () => {
    const b = await startDemoBackend({ name: 'backend-9' });
    try {
      assert.deepEqual(await get(b.port, '/'), { status: 200, body: 'hello from backend-9\n' });
      assert.deepEqual(await get(b.port, '/readyz'), { status: 200, body: 'ok\n' });
      assert.deepEqual(await get(b.port, '/control/fail', 'POST'), { status: 200, body: 'ready 503\n' });
      assert.deepEqual(await get(b.port, '/readyz'), { status: 503, body: 'Service Unavailable\n' });
      assertResult(await runProbe(check(), target(b.port), NORMAL), 'L7STS', 503, 'Service Unavailable');
      assert.deepEqual(await get(b.port, '/control/ready?status=404', 'POST'), { status: 200, body: 'ready 404\n' });
      assert.equal(b.readyStatus, 404);
      assert.deepEqual(await get(b.port, '/control/ready?status=abc', 'POST'), { status: 400, body: 'status must be 100..599\n' });
      assert.deepEqual(await get(b.port, '/control/recover', 'POST'), { status: 200, body: 'ready 200\n' });
      assertResult(await runProbe(check(), target(b.port), NORMAL), 'L7OK', 200, '');
      assert.equal((await get(b.port, '/nope')).status, 404);
      assert.equal(b.requests, 10);
    } finally {
      await b.close();
    }
  });

  it('setDelay delays /readyz only', async () => {
    const b = await startDemoBackend({ readyStatus: 200 });
    try {
      b.setDelay(150);
      const r = await runProbe(check(), target(b.port), NORMAL);
      assertResult(r, 'L7OK', 200, '');
      assert.ok(r.durationMs >= 148, `waited ${r.durationMs} ms`);
      const t0 = performance.now();
      await get(b.port, '/');
      assert.ok(performance.now() - t0 < 140, '/ is not delayed');
    } finally {
      await b.close();
    }
  });

  it('close() ends keep-alive connections and pending delayed answers, leaving no handle', async () => {
    const base = handleCounts();
    const b = await startDemoBackend({});
    const agent = new http.Agent({ keepAlive: true });
    try {
      await get(b.port, '/', 'GET', agent);
      b.setDelay(10_000);
      const pending = get(b.port, '/readyz', 'GET', new http.Agent({ keepAlive: false })).catch((e: unknown) => e);
      await waitFor(() => b.requests === 2, 2000, 'delayed request received');
      const t0 = performance.now();
      await b.close();
      assert.ok(performance.now() - t0 < 1000, 'close() does not wait for keep-alive or delayed answers');
      assert.ok((await pending) instanceof Error, 'the delayed request was cut');
    } finally {
      agent.destroy();
    }
    await waitFor(() => noMoreThan(handleCounts(), base), 2000, 'handles back to the baseline');
  });

  it('CLI: prints where it listens, SIGUSR2 toggles readiness, SIGTERM stops it', async () => {
    const script = fileURLToPath(new URL('../../examples/demo-backend.js', import.meta.url));
    const child = spawn(process.execPath, [script, '--port', '0', '--name', 'cli-backend'], { stdio: ['ignore', 'pipe', 'inherit'] });
    try {
      let out = '';
      child.stdout.setEncoding('utf8');
      child.stdout.on('data', (d: string) => (out += d));
      const line = await waitFor(() => /^demo-backend cli-backend listening on 127\.0\.0\.1:(\d+)\n/.exec(out), 5000, 'listening line');
      const port = Number(line[1]);
      assertResult(await runProbe(check(), target(port), NORMAL), 'L7OK', 200, '');
      child.kill('SIGUSR2');
      await waitFor(async () => (await runProbe(check(), target(port), NORMAL)).status === 'L7STS', 3000, '503 after SIGUSR2');
      child.kill('SIGUSR2');
      await waitFor(async () => (await runProbe(check(), target(port), NORMAL)).status === 'L7OK', 3000, '200 after second SIGUSR2');
      const exited = once<number>(child, 'exit', 5000);
      child.kill('SIGTERM');
      assert.equal(await exited, 0);
    } finally {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    }
  });
});

/** Counts of the active libuv resources that probes could leak. */
function handleCounts(): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const k of process.getActiveResourcesInfo()) {
    if (k === 'TCPSocketWrap' || k === 'TCPServerWrap' || k === 'Timeout' || k === 'TCPConnectWrap') counts[k] = (counts[k] ?? 0) + 1;
  }
  return counts;
}

/** True when `now` holds no more of each resource than `base` (fewer is fine: earlier tests' sockets may still be closing). */
function noMoreThan(now: Record<string, number>, base: Record<string, number>): boolean {
  for (const k of Object.keys(now)) if ((now[k] ?? 0) > (base[k] ?? 0)) return false;
  return true;
}

describe('no leaks', { timeout: 30_000 }, () => {
  it('after probes of every kind and outcome, no socket or timer is left', async () => {
    const base = handleCounts();
    const ok = await rawServer((s) => s.on('data', () => s.write('HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok')));
    const silent = await rawServer(() => {});
    const refused = await refusedPort();
    try {
      const results = await Promise.all([
        runProbe(check({ type: 'tcp' }), target(ok.port), NORMAL),
        runProbe(check({ type: 'tcp' }), target(refused), NORMAL),
        runProbe(check(), target(ok.port), NORMAL),
        runProbe(check({ expect: [expectRule('string', 'ok')] }), target(ok.port), NORMAL),
        runProbe(check(), target(silent.port), { connectMs: 1000, readMs: 100 }),
        runProbe(check(), target(refused), NORMAL),
        runProbe(tcpCheck(send('x'), expectTcp('string', 'HTTP/1.1')), target(ok.port), NORMAL),
        runProbe(tcpCheck(send('x'), expectTcp('string', 'nope')), target(silent.port), { connectMs: 1000, readMs: 100 }),
      ]);
      assert.deepEqual(
        results.map((r) => r.status),
        ['L4OK', 'L4CON', 'L7OK', 'L7OK', 'L7TOUT', 'L4CON', 'L7OK', 'L7TOUT'],
      );
      await waitFor(() => ok.open === 0 && silent.open === 0, 2000, 'server sides closed');
    } finally {
      await ok.close();
      await silent.close();
    }
    await waitFor(() => noMoreThan(handleCounts(), base), 2000, `handles back to the baseline ${JSON.stringify(base)}`);
  });
});
