import { test } from 'node:test';
import assert from 'node:assert/strict';
import { NO_HANDLER, type Conn, type DialCallback, type Transport } from '../../daemon/proxy/conn.js';
import { HttpPool } from '../../daemon/http/pool.js';

type FakeConn = Omit<Conn, 'closed'> & { closed: boolean; reading: boolean };

/** A transport whose dials complete only when the test says so. */
function fakeTransport() {
  const dials: Array<{ conn: Conn; done: DialCallback }> = [];
  const transport: Transport = {
    name: 'net',
    listen: () => Promise.reject(new Error('not here')),
    dial(_host, _port, done) {
      const conn: FakeConn = {
        handler: NO_HANDLER,
        closed: false,
        reading: false,
        readStart() {
          this.reading = true;
        },
        readStop() {},
        write: () => true,
        detachReadBuffer() {},
        shutdown() {},
        close() {
          this.closed = true;
        },
        reset() {
          this.closed = true;
        },
        pendingBytes: () => 0,
        remoteAddress: () => null,
        localPort: () => null,
        endpoints: () => null,
      };
      dials.push({ conn, done });
      return conn;
    },
  };
  return { transport, dials };
}

const S = { key: 'be/s', host: '127.0.0.1', port: 1 };
const FIRST = { reuse: 'safe', firstRequestOfClientSession: true, idempotent: true } as const;

test('connect timeout: ETIMEDOUT, the connection closed, a late completion ignored, counters back to zero', async () => {
  const { transport, dials } = fakeTransport();
  const pool = new HttpPool({ transport, connectTimeoutMs: 10 });
  await assert.rejects(pool.acquireAsync(S, FIRST), { code: 'ETIMEDOUT' });
  assert.equal(dials[0]!.conn.closed, true);
  dials[0]!.done(null);
  const st = pool.stats(S.key);
  assert.deepEqual([st.connects, st.connectErrors, st.usedCur], [1, 1, 0]);
  pool.closeAll();
});

test('a completed dial hands out a reading connection; closeServer aborts the pending ones with ECANCELED', async () => {
  const { transport, dials } = fakeTransport();
  const pool = new HttpPool({ transport, connectTimeoutMs: null });
  const first = pool.acquireAsync(S, FIRST);
  dials[0]!.done(null);
  const pc = await first;
  assert.equal((pc.conn as Conn & { reading: boolean }).reading, true);
  assert.equal(pc.reused, false);
  const second = pool.acquireAsync(S, FIRST);
  pool.closeServer(S.key);
  await assert.rejects(second, { code: 'ECANCELED' });
  assert.equal(dials[1]!.conn.closed, true);
  assert.equal(pool.stats(S.key).usedCur, 1, 'the busy one is the engine’s until released');
  pool.release(pc, { reusable: true, keepAliveMs: null });
  assert.equal(pool.idleCount(), 1, 'closeServer is not closeAll: the server may come back');
  pool.closeAll();
  assert.equal(pc.conn.closed, true);
});

test('a failed dial surfaces its errno code', async () => {
  const { transport, dials } = fakeTransport();
  const pool = new HttpPool({ transport });
  const p = pool.acquireAsync(S, FIRST);
  dials[0]!.done('EHOSTUNREACH');
  await assert.rejects(p, (e: Error & { code: string }) => e.code === 'EHOSTUNREACH' && /be\/s: EHOSTUNREACH/.test(e.message));
  pool.closeAll();
});
