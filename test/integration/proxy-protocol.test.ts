/**
 * The PROXY protocol on real sockets: `accept-proxy` binds (v1, v2, split headers, malformed and missing
 * headers), `send-proxy`/`send-proxy-v2` servers, both together, and `check-send-proxy` on health checks.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type net from 'node:net';
import { Runtime } from '../../daemon/runtime/runtime.js';
import { memoryLogger } from '../../daemon/log.js';
import { runProbe } from '../../daemon/health/probe.js';
import { TcpSession } from '../../daemon/proxy/tcp-session.js';
import { encodeV1, encodeV2 } from '../../daemon/proxy/proxy-protocol.js';
import type { BackendConfig, BindConfig, Config, FrontendConfig, ServerConfig } from '../../daemon/config/types.js';
import { backendConfig, config, frontendConfig, noTimeouts, serverConfig } from '../helpers/configs.js';
import { closed, connect, echoServer, freePort, namedServer, readBytes, readLine, tcpServer } from '../helpers/net.js';
import { headerServer, readHeaderAnswer } from '../helpers/proxy-protocol.js';
import { waitFor } from '../helpers/wait.js';

function bind(port: number, acceptProxy: boolean): BindConfig {
  return { where: { file: 't', line: 1 }, text: `127.0.0.1:${port}`, host: '127.0.0.1', port, family: 'ipv4', fd: null, name: null, acceptProxy };
}

/** A runtime with one frontend (accept-proxy or not) → backend `b` of `servers`. */
async function proxy(servers: ServerConfig[], acceptProxy: boolean, fe: Partial<FrontendConfig> = {}, be: Partial<BackendConfig> = {}) {
  const port = await freePort();
  const cfg: Config = config(
    [backendConfig('b', servers, { timeouts: { ...noTimeouts, connect: 500 }, ...be })],
    [frontendConfig('f', { binds: [bind(port, acceptProxy)], defaultBackend: 'b', ...fe })],
  );
  const rt = new Runtime({ log: memoryLogger(), probe: runProbe });
  await rt.apply(cfg);
  const close = async () => {
    await rt.closeListeners();
    rt.shutdown();
  };
  const sessions = () => [...rt.proc.sessions].filter((s): s is TcpSession => s instanceof TcpSession);
  return { rt, port, close, sessions, frontend: () => rt.snapshot().frontends[0]! };
}

/** Write `parts` as separate packets (a short pause between them so each is its own read). */
async function writeSplit(c: net.Socket, parts: Buffer[]): Promise<void> {
  c.setNoDelay(true);
  for (const p of parts) {
    c.write(p);
    await new Promise((r) => setTimeout(r, 15));
  }
}

test('accept-proxy v1: the server sees only the payload; the session reports the header\'s client address', async () => {
  const echo = await echoServer();
  const p = await proxy([serverConfig('s1', { port: echo.port })], true);
  try {
    const c = await connect(p.port);
    c.write('PROXY TCP4 10.1.2.3 10.9.9.9 5555 80\r\nhello');
    assert.equal((await readBytes(c, 5)).toString(), 'hello');
    const [sess] = p.sessions();
    assert.equal(sess.client.remoteAddress(), '10.1.2.3');
    assert.deepEqual(sess.client.endpoints(), { src: '10.1.2.3', srcPort: 5555, dst: '10.9.9.9', dstPort: 80 });
    c.write(' again');
    assert.equal((await readBytes(c, 6)).toString(), ' again');
    c.end();
    await closed(c);
    await waitFor(() => p.rt.proc.cur === 0, 2000, 'session end');
    const fe = p.frontend();
    assert.equal(fe.counters.bytesIn, 11, 'payload bytes only, the header is not counted');
    assert.equal(fe.counters.errors, 0);
  } finally {
    await p.close();
    await echo.close();
  }
});

test('accept-proxy v2 (IPv6), split over several packets, with payload in the last one', async () => {
  const echo = await echoServer();
  const p = await proxy([serverConfig('s1', { port: echo.port })], true);
  try {
    const h = encodeV2({ src: '2001:db8::7', srcPort: 40000, dst: '2001:db8::1', dstPort: 443 });
    const c = await connect(p.port);
    await writeSplit(c, [h.subarray(0, 5), h.subarray(5, 14), h.subarray(14, 30), Buffer.concat([h.subarray(30), Buffer.from('data')])]);
    assert.equal((await readBytes(c, 4)).toString(), 'data');
    assert.equal(p.sessions()[0].client.remoteAddress(), '2001:db8::7');
    c.destroy();
  } finally {
    await p.close();
    await echo.close();
  }
});

test('accept-proxy v1 split in the middle of the line, and PROXY UNKNOWN keeps the real address', async () => {
  const echo = await echoServer();
  const p = await proxy([serverConfig('s1', { port: echo.port })], true);
  try {
    const c = await connect(p.port);
    await writeSplit(c, [Buffer.from('PROXY TC'), Buffer.from('P4 10.0.0.1 10.0.0.2 1'), Buffer.from(' 2\r'), Buffer.from('\nx')]);
    assert.equal((await readBytes(c, 1)).toString(), 'x');
    assert.equal(p.sessions()[0].client.remoteAddress(), '10.0.0.1');
    c.destroy();
    const u = await connect(p.port);
    u.write('PROXY UNKNOWN\r\ny');
    assert.equal((await readBytes(u, 1)).toString(), 'y');
    assert.match(p.sessions().at(-1)!.client.remoteAddress() ?? '', /127\.0\.0\.1$/);
    u.destroy();
  } finally {
    await p.close();
    await echo.close();
  }
});

test('balance source hashes the address from the PROXY header, not the connection\'s', async () => {
  const a = await namedServer('a');
  const b = await namedServer('b');
  const p = await proxy([serverConfig('a', { port: a.port }), serverConfig('b', { port: b.port })], true, {}, {
    balance: { algorithm: 'source', draws: 2, hashType: 'map-based' },
  });
  try {
    const pick = async (src: string) => {
      const c = await connect(p.port);
      c.write(`PROXY TCP4 ${src} 10.0.0.1 1000 80\r\n`);
      const name = await readLine(c);
      c.destroy();
      return name;
    };
    const picks = new Map<string, string>();
    for (let i = 1; i <= 16; i++) picks.set(`10.0.${i}.${i}`, await pick(`10.0.${i}.${i}`));
    // every connection comes from 127.0.0.1: both servers chosen means the header's address was hashed
    assert.deepEqual(new Set(picks.values()), new Set(['a', 'b']));
    for (const [src, name] of [...picks].slice(0, 4)) assert.equal(await pick(src), name, `${src} sticks to ${name}`);
  } finally {
    await p.close();
    await a.close();
    await b.close();
  }
});

test('accept-proxy: malformed and missing headers close the connection, are counted, and never reach a server', async () => {
  const echo = await echoServer();
  const p = await proxy([serverConfig('s1', { port: echo.port })], true, { timeouts: { ...noTimeouts, client: 300 } });
  try {
    const bad = ['GET / HTTP/1.1\r\n\r\n', 'PROXY TCP4 10.0.0.999 10.0.0.2 1 2\r\n', 'PROXY TCP4 10.0.0.1 10.0.0.2 1 2\n', `PROXY UNKNOWN ${'x'.repeat(120)}`];
    for (const b of bad) {
      const c = await connect(p.port);
      c.on('error', () => {});
      c.write(b);
      await closed(c);
    }
    // a v2 header with a UDP family
    const v2 = encodeV2({ src: '10.0.0.1', srcPort: 1, dst: '10.0.0.2', dstPort: 2 });
    v2[13] = 0x12;
    const c2 = await connect(p.port);
    c2.on('error', () => {});
    c2.write(v2);
    await closed(c2);
    // nothing at all: closed after `timeout client`
    const t0 = Date.now();
    const silent = await connect(p.port);
    silent.on('error', () => {});
    await closed(silent, 3000);
    assert.ok(Date.now() - t0 >= 250, 'waited for timeout client');
    // half a header then FIN
    const half = await connect(p.port);
    half.on('error', () => {});
    half.end('PROXY TCP4 10.0.0.1');
    await closed(half);
    await waitFor(() => p.frontend().counters.errors === 7, 2000, 'errors counted');
    const fe = p.frontend();
    assert.equal(fe.counters.connTotal, 7);
    assert.equal(fe.counters.total, 0, 'no session started');
    assert.equal(echo.accepted, 0, 'no server connection');
    assert.equal(p.rt.proc.cur, 0);
    assert.equal(p.rt.proc.sessions.size, 0, 'no header reader left behind');
  } finally {
    await p.close();
    await echo.close();
  }
});

test('send-proxy (v1) and send-proxy-v2: the server gets the client\'s addresses first, then the payload', async () => {
  for (const version of [1, 2] as const) {
    const seen: Buffer[] = [];
    const srv = await headerServer(seen);
    const p = await proxy([serverConfig('s1', { port: srv.port, sendProxy: version })], false);
    try {
      const c = await connect(p.port);
      c.write('ping');
      const { addr, payload } = await readHeaderAnswer(c, 4);
      assert.deepEqual(addr, { src: '127.0.0.1', srcPort: c.localPort, dst: '127.0.0.1', dstPort: p.port });
      assert.equal(payload, 'ping');
      const expected = version === 1 ? encodeV1(addr) : encodeV2(addr);
      assert.deepEqual(seen[0], expected);
      if (version === 1) assert.equal(seen[0].toString(), `PROXY TCP4 127.0.0.1 127.0.0.1 ${c.localPort} ${p.port}\r\n`);
      c.destroy();
    } finally {
      await p.close();
      await srv.close();
    }
  }
});

test('accept-proxy + send-proxy-v2 pass the original addresses through, payload that came with the header after it', async () => {
  const srv = await headerServer();
  const p = await proxy([serverConfig('s1', { port: srv.port, sendProxy: 2 })], true);
  try {
    const c = await connect(p.port);
    c.write('PROXY TCP4 203.0.113.5 198.51.100.1 61000 8443\r\nearly');
    const { addr, payload } = await readHeaderAnswer(c, 5);
    assert.deepEqual(addr, { src: '203.0.113.5', srcPort: 61000, dst: '198.51.100.1', dstPort: 8443 });
    assert.equal(payload, 'early');
    c.destroy();
  } finally {
    await p.close();
    await srv.close();
  }
});

test('check-send-proxy: checks send PROXY v1 with the check connection\'s addresses, or a LOCAL v2 header (as HAProxy 2.6)', async () => {
  for (const version of [1, 2] as const) {
    const first: Buffer[] = [];
    const srv = await tcpServer((s) => s.once('data', (d: Buffer) => first.push(Buffer.from(d))));
    const p = await proxy([serverConfig('s1', { port: srv.port, check: true, inter: 100, fastinter: 100, sendProxy: version === 2 ? 2 : 0, checkSendProxy: true })], false);
    try {
      await waitFor(() => first.length > 0, 3000, 'a check with a PROXY header');
      if (version === 2) assert.equal(first[0].toString('hex'), '0d0a0d0a000d0a515549540a20000000');
      else assert.match(first[0].toString(), new RegExp(`^PROXY TCP4 127\\.0\\.0\\.1 127\\.0\\.0\\.1 \\d+ ${srv.port}\\r\\n$`));
      await waitFor(() => p.rt.snapshot().backends[0]!.servers[0]!.status.startsWith('UP'), 3000, 'server up');
    } finally {
      await p.close();
      await srv.close();
    }
  }
});
