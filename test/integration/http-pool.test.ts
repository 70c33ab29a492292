/**
 * The server connection pool over the real transport, against a small keep-alive HTTP/1.1 server on
 * 127.0.0.1 that counts its connections and requests.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type net from 'node:net';
import { HttpPool, type AcquireOptions, type PoolServer } from '../../daemon/http/pool.js';
import { parseKeepAliveTimeout } from '../../daemon/http/pool-keepalive.js';
import { selectTransport } from '../../daemon/proxy/transport.js';
import { tcpServer, type TestServer } from '../helpers/net.js';
import { waitFor } from '../helpers/wait.js';

interface Behaviour {
  /** `Keep-Alive: timeout=N` in answers (seconds), or none. */
  hint?: number;
  /** Close a connection idle for this long (without telling: like a server's keep-alive timeout). */
  idleCloseMs?: number;
  /** Answer `Connection: close` and close. */
  close?: boolean;
  /** Write one stray byte 20 ms after each answer. */
  junk?: boolean;
}

interface Backend {
  ts: TestServer;
  requests: number;
  behaviour: Behaviour;
}

/** A keep-alive HTTP/1.1 server answering `GET` requests (no bodies) with `ok`. */
async function backend(behaviour: Behaviour = {}): Promise<Backend> {
  const b: Backend = { ts: null as unknown as TestServer, requests: 0, behaviour };
  b.ts = await tcpServer((s: net.Socket) => {
    let pending = '';
    let idle: NodeJS.Timeout | null = null;
    s.on('end', () => s.end());
    s.on('close', () => idle && clearTimeout(idle));
    s.on('data', (d) => {
      if (idle) clearTimeout(idle);
      idle = null;
      pending += d.toString('latin1');
      let end: number;
      while ((end = pending.indexOf('\r\n\r\n')) >= 0) {
        pending = pending.slice(end + 4);
        b.requests++;
        const bh = b.behaviour;
        const extra = (bh.hint !== undefined ? `Keep-Alive: timeout=${bh.hint}\r\n` : '') + (bh.close ? 'Connection: close\r\n' : '');
        s.write(`HTTP/1.1 200 OK\r\nContent-Length: 2\r\n${extra}\r\nok`);
        if (bh.close) return void s.end();
        if (bh.junk) setTimeout(() => !s.destroyed && s.write('X'), 20);
        if (bh.idleCloseMs !== undefined) idle = setTimeout(() => s.destroy(), bh.idleCloseMs);
      }
    });
  });
  return b;
}

const FIRST: AcquireOptions = { reuse: 'safe', firstRequestOfClientSession: true, idempotent: true };
const NEXT: AcquireOptions = { reuse: 'safe', firstRequestOfClientSession: false, idempotent: true };
const server = (b: Backend, key = 'be/s1'): PoolServer => ({ key, host: '127.0.0.1', port: b.ts.port });

/** One GET through the pool: acquire, write, read the whole response, release as the engine would. */
async function get(pool: HttpPool, srv: PoolServer, opts: AcquireOptions, hold?: (release: () => void) => void) {
  const pc = await pool.acquireAsync(srv, opts);
  const reused = pc.reused;
  return new Promise<{ reused: boolean; keepAliveMs: number | null }>((resolve, reject) => {
    let buf = Buffer.alloc(0);
    pc.conn.handler = {
      onData(d) {
        buf = Buffer.concat([buf, d]);
        const end = buf.indexOf('\r\n\r\n');
        if (end < 0) return;
        const head = buf.subarray(0, end).toString('latin1');
        const length = Number(/\r\ncontent-length: *(\d+)/i.exec(head)?.[1] ?? 0);
        if (buf.length < end + 4 + length) return;
        const keepAliveMs = parseKeepAliveTimeout(/\r\nkeep-alive: *([^\r]*)/i.exec(head)?.[1]);
        const reusable = !/\r\nconnection: *close/i.test(head) && buf.length === end + 4 + length;
        const release = () => pool.release(pc, { reusable, keepAliveMs });
        if (hold) hold(release);
        else release();
        resolve({ reused, keepAliveMs });
      },
      onEnd() {
        pool.release(pc, { reusable: false, keepAliveMs: null });
        reject(new Error(`EOF before the response (reused ${reused})`));
      },
      onError(code) {
        pool.release(pc, { reusable: false, keepAliveMs: null });
        reject(new Error(`${code} (reused ${reused})`));
      },
      onDrain() {},
    };
    pc.conn.write(Buffer.from('GET / HTTP/1.1\r\nHost: t\r\n\r\n', 'latin1'));
  });
}

async function withPool(opts: Partial<ConstructorParameters<typeof HttpPool>[0]>, body: (pool: HttpPool) => Promise<void>, ...backends: Backend[]) {
  const pool = new HttpPool({ transport: selectTransport(), connectTimeoutMs: 2000, ...opts });
  try {
    await body(pool);
  } finally {
    pool.closeAll();
    for (const b of backends) await b.ts.close();
  }
}

test('safe: a session reuses one connection after its first request; a new session first dials its own', async () => {
  const b = await backend();
  await withPool({}, async (pool) => {
    const s = server(b);
    assert.equal((await get(pool, s, FIRST)).reused, false);
    for (let i = 0; i < 9; i++) assert.equal((await get(pool, s, NEXT)).reused, true);
    assert.equal(b.ts.accepted, 1);
    assert.equal(b.requests, 10);
    assert.equal((await get(pool, s, FIRST)).reused, false, 'the first request of another session');
    assert.equal(b.ts.accepted, 2);
    const st = pool.stats(s.key);
    assert.deepEqual([st.reuse, st.usedCur, st.idleCur + st.safeCur, st.connects], [9, 0, 2, 2]);
    assert.deepEqual([st.idleCur, st.safeCur], [1, 1], 'one connection carried 10 requests (safe), one carried 1 (idle)');
  }, b);
});

test('never: every request dials, and nothing is kept idle', async () => {
  const b = await backend();
  await withPool({}, async (pool) => {
    const s = server(b);
    for (let i = 0; i < 4; i++) assert.equal((await get(pool, s, { ...NEXT, reuse: 'never' })).reused, false);
    assert.equal(b.ts.accepted, 4);
    assert.equal(pool.idleCount(), 0);
    await waitFor(() => b.ts.sockets.size === 0, 2000, 'the server to see every connection closed');
  }, b);
});

test('aggressive takes only proven (safe) connections for a first request; always takes any', async () => {
  const b = await backend();
  await withPool({}, async (pool) => {
    const s = server(b);
    await get(pool, s, FIRST);
    assert.equal((await get(pool, s, { ...FIRST, reuse: 'aggressive' })).reused, false, 'the idle one carried 1 request only');
    assert.equal(pool.stats(s.key).idleCur, 2);
    assert.equal((await get(pool, s, { ...FIRST, reuse: 'always' })).reused, true);
    assert.equal(pool.stats(s.key).safeCur, 1, 'now proven');
    assert.equal((await get(pool, s, { ...FIRST, reuse: 'aggressive' })).reused, true);
    assert.equal(b.ts.accepted, 2);
  }, b);
});

test('LIFO within a list; a second request prefers connections that carried one request (HAProxy order)', async () => {
  const b = await backend();
  await withPool({}, async (pool) => {
    const s = server(b);
    const [p1, p2] = await Promise.all([pool.acquireAsync(s, FIRST), pool.acquireAsync(s, FIRST)]);
    pool.release(p1, { reusable: true, keepAliveMs: null });
    pool.release(p2, { reusable: true, keepAliveMs: null });
    const top = await pool.acquireAsync(s, NEXT);
    assert.equal(top, p2, 'the most recently released');
    pool.release(top, { reusable: true, keepAliveMs: null });
    assert.deepEqual([pool.stats(s.key).idleCur, pool.stats(s.key).safeCur], [1, 1]);
    const next = await pool.acquireAsync(s, NEXT);
    assert.equal(next, p1, 'the "idle" list is tried before the "safe" one');
    pool.release(next, { reusable: true, keepAliveMs: null });
    assert.deepEqual([pool.stats(s.key).safeCur, pool.stats(s.key).connects, pool.stats(s.key).reuse], [2, 2, 2]);
  }, b);
});

test('an idle connection the server closes is dropped at once, and the next request dials without error', async () => {
  const b = await backend({ idleCloseMs: 30 });
  await withPool({}, async (pool) => {
    const s = server(b);
    await get(pool, s, FIRST);
    await waitFor(() => pool.stats(s.key).closedByServer === 1, 2000, 'the pool to see the server close');
    assert.equal(pool.idleCount(), 0);
    assert.equal((await get(pool, s, NEXT)).reused, false);
    assert.deepEqual([b.ts.accepted, b.requests], [2, 2]);
  }, b);
});

test('an idle connection the server writes to is dropped', async () => {
  const b = await backend({ junk: true });
  await withPool({}, async (pool) => {
    const s = server(b);
    await get(pool, s, FIRST);
    await waitFor(() => pool.stats(s.key).closedByServer === 1, 2000, 'the stray byte to close the idle connection');
    assert.equal(pool.idleCount(), 0);
    await waitFor(() => b.ts.sockets.size === 0, 2000, 'the server side to close');
  }, b);
});

test('Keep-Alive: timeout hint minus the margin: reused inside the window, never after it', async () => {
  const b = await backend({ hint: 1 });
  let skew = 0;
  await withPool({ keepAliveMarginMs: 700, now: () => Date.now() + skew }, async (pool) => {
    const s = server(b);
    assert.equal((await get(pool, s, FIRST)).keepAliveMs, 1000);
    assert.equal((await get(pool, s, NEXT)).reused, true, 'within 300 ms');
    skew += 301;
    assert.equal((await get(pool, s, NEXT)).reused, false, 'idle longer than hint − margin');
    assert.equal(pool.stats(s.key).expired, 1);
    assert.equal(b.ts.accepted, 2);
    await waitFor(() => pool.idleCount() === 0, 2000, 'the sweep timer to close the last one');
    await waitFor(() => b.ts.sockets.size === 0, 2000, 'the server to see it closed');
  }, b);
});

test('idle lifetimes run on a monotonic clock: the wall clock stepping back an hour does not keep an idle connection past its lifetime', async () => {
  const b = await backend({ hint: 1 });
  const realNow = Date.now;
  // the wall clock as the process sees it, stepped below (installed before the pool exists: it may keep a reference)
  let step = 0;
  Date.now = () => realNow() + step;
  try {
    await withPool({ keepAliveMarginMs: 700 }, async (pool) => {
      const s = server(b);
      assert.equal((await get(pool, s, FIRST)).keepAliveMs, 1000);
      assert.equal(pool.idleCount(), 1);
      // an NTP step or `date -s` an hour back while the connection sits idle (its lifetime: 300 ms)
      step = -3_600_000;
      const t0 = performance.now();
      await waitFor(() => pool.idleCount() === 0, 3000, 'the idle connection to expire');
      assert.ok(performance.now() - t0 < 2000);
      await waitFor(() => b.ts.sockets.size === 0, 2000, 'the server to see it closed');
    }, b);
  } finally {
    Date.now = realNow;
  }
});

test('a hint that leaves no window after the margin, and Connection: close answers, are not kept', async () => {
  const b = await backend({ hint: 1 });
  await withPool({ keepAliveMarginMs: 1000 }, async (pool) => {
    const s = server(b);
    await get(pool, s, FIRST);
    assert.equal(pool.idleCount(), 0);
    b.behaviour = { close: true };
    await get(pool, s, NEXT);
    assert.equal((await get(pool, s, NEXT)).reused, false);
    assert.equal(pool.idleCount(), 0);
    assert.deepEqual([b.ts.accepted, pool.stats(s.key).notKept], [3, 3]);
  }, b);
});

test('bounds: idle connections per server and in all', async () => {
  const b = await backend();
  await withPool({ maxIdlePerServer: 2, maxIdleTotal: 3 }, async (pool) => {
    const a = server(b, 'be/a');
    const c = server(b, 'be/c');
    await Promise.all([get(pool, a, FIRST), get(pool, a, FIRST), get(pool, a, FIRST)]);
    assert.deepEqual([pool.stats(a.key).idleCur, pool.stats(a.key).notKept], [2, 1]);
    await Promise.all([get(pool, c, FIRST), get(pool, c, FIRST)]);
    assert.deepEqual([pool.stats(c.key).idleCur, pool.stats(c.key).notKept, pool.idleCount()], [1, 1, 3]);
    await waitFor(() => b.ts.sockets.size === 3, 2000, 'the connections not kept to close');
  }, b);
});

test('connect errors carry their code; a dial aborted by closeAll gets ECANCELED; closeAll leaves nothing open', async () => {
  const dead = await backend();
  const port = dead.ts.port;
  await dead.ts.close();
  const b = await backend();
  const pool = new HttpPool({ transport: selectTransport(), connectTimeoutMs: 2000 });
  try {
    await assert.rejects(pool.acquireAsync({ key: 'be/dead', host: '127.0.0.1', port }, FIRST), { code: 'ECONNREFUSED' });
    assert.deepEqual([pool.stats('be/dead').connectErrors, pool.stats('be/dead').usedCur], [1, 0]);
    const s = server(b);
    await Promise.all([get(pool, s, FIRST), get(pool, s, FIRST), get(pool, s, FIRST)]);
    const busy = await pool.acquireAsync(s, NEXT);
    const dialing = pool.acquireAsync(s, FIRST);
    pool.closeAll();
    await assert.rejects(dialing, { code: 'ECANCELED' });
    assert.equal(pool.idleCount(), 0);
    pool.release(busy, { reusable: true, keepAliveMs: null });
    assert.equal(busy.conn.closed, true, 'released after closeAll: closed');
    await assert.rejects(pool.acquireAsync(s, NEXT), { code: 'ECANCELED' });
    await waitFor(() => b.ts.sockets.size === 0, 2000, 'every server connection to close');
    assert.equal(pool.stats(s.key).usedCur, 0);
  } finally {
    pool.closeAll();
    await b.ts.close();
  }
});
