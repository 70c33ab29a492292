/**
 * HTTP/2 attacks on a mode http frontend, with the raw client of test/helpers/h2-raw.ts: rapid reset
 * (HEADERS + RST_STREAM over and over), CONTINUATION floods (big and empty frames), PING, SETTINGS and
 * empty DATA floods — each ends with GOAWAY ENHANCE_YOUR_CALM and the connection closed, while another
 * client keeps being served — an HPACK bomb (one big dynamic-table entry referenced many times: 431 on
 * the stream, the connection and its HPACK state intact), a client that pings without reading, and a
 * client that asks for responses without reading them (lbd stops reading it instead of buffering).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import http2 from 'node:http2';
import { DEFAULTS, startLb, type Lb } from '../helpers/http-lb.js';
import { httpBackend, ok, type HttpBackend } from '../helpers/http-wire.js';
import { waitFor } from '../helpers/wait.js';
import { E, F, H2Raw, T, frame, literal, req, u32 } from '../helpers/h2-raw.js';

const cfg = `${DEFAULTS}
frontend f
  bind 127.0.0.1:\${fe} proto h2
  default_backend b
backend b
  server s1 127.0.0.1:\${s1}
`;

async function setup(t: { after(fn: () => unknown): void }, handler?: Parameters<typeof httpBackend>[1]): Promise<{ lb: Lb; be: HttpBackend }> {
  const be = await httpBackend('s1', handler);
  const lb = await startLb(cfg, { s1: be.port });
  t.after(() => Promise.all([lb.close(), be.close()]));
  return { lb, be };
}

const floods = (lb: Lb) => lb.rt.frontends.get('f')!.h2.floods;
const tick = () => new Promise((r) => setImmediate(r));

/**
 * A well-behaved node:http2 client sending GETs one after another until stopped: counts 200s and failures
 * (the bystander that must not suffer from the attack on another connection).
 */
function bystander(port: number): { ok(): number; failed(): string[]; stop(): Promise<void> } {
  const s = http2.connect(`http://127.0.0.1:${port}`);
  s.on('error', () => {});
  let n = 0;
  const errors: string[] = [];
  let running = true;
  const one = () =>
    new Promise<void>((resolve) => {
      const r = s.request({ ':path': '/bystander' });
      const to = setTimeout(() => {
        errors.push('timeout');
        r.close();
        resolve();
      }, 2000);
      let status = 0;
      r.on('response', (h) => (status = Number(h[':status'])));
      r.on('data', () => {});
      r.on('end', () => {
        clearTimeout(to);
        if (status === 200) n++;
        else errors.push(`status ${status}`);
        resolve();
      });
      r.on('error', (e) => {
        clearTimeout(to);
        errors.push(e.message);
        resolve();
      });
    });
  const loop = (async () => {
    while (running && errors.length < 5) await one();
  })();
  return {
    ok: () => n,
    failed: () => errors,
    async stop() {
      running = false;
      await loop;
      s.destroy();
    },
  };
}

/** Resolves on 'drain' or 'close' of `sock`, or after `ms`; every listener and timer removed. */
function room(sock: import('node:net').Socket, ms: number): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(to);
      sock.off('drain', done);
      sock.off('close', done);
      resolve();
    };
    const to = setTimeout(done, ms);
    sock.once('drain', done);
    sock.once('close', done);
  });
}

/** Send `frames` in batches until the server answers with GOAWAY or closes; returns the number of batches written. */
async function flood(c: H2Raw, make: (i: number) => Buffer, total: number, batch = 100): Promise<number> {
  let i = 0;
  let batches = 0;
  while (i < total && !c.goaway && !c.ended) {
    const out: Buffer[] = [];
    for (let k = 0; k < batch && i < total; k++, i++) out.push(make(i));
    if (!c.send(Buffer.concat(out))) {
      // the server reads slowly (or not at all): wait for room, bounded
      await room(c.sock, 3000);
    }
    batches++;
    await tick();
  }
  return batches;
}

test('rapid reset: HEADERS + RST_STREAM thousands of times → GOAWAY ENHANCE_YOUR_CALM and close; a bystander keeps getting 200s', async (t) => {
  const { lb, be } = await setup(t);
  const by = bystander(lb.port);
  t.after(() => by.stop());
  await waitFor(() => by.ok() >= 5, 3000, 'the bystander served');
  const c = await H2Raw.open(lb.port);
  t.after(() => c.close());
  await c.until(() => c.serverSettings !== null, 3000, 'server SETTINGS');
  const started = Date.now();
  await flood(c, (i) => Buffer.concat([frame(T.HEADERS, F.END_STREAM | F.END_HEADERS, 1 + 2 * i, literal(req(`/r${i}`))), frame(T.RST_STREAM, 0, 1 + 2 * i, u32(E.CANCEL))]), 20_000);
  const g = await c.waitGoaway(5000);
  assert.equal(g.code, E.ENHANCE_YOUR_CALM, `GOAWAY code ${g.code} "${g.debug}"`);
  await c.closed(3000);
  const streams = (g.last + 1) / 2;
  t.diagnostic(`GOAWAY after ${Date.now() - started} ms, last stream ${g.last} (${streams} streams), server saw ${be.requests.length} requests`);
  assert.ok(streams < 3000, `cut off after ${streams} streams (budget 1000 + 100/s)`);
  assert.ok(floods(lb) >= 1, 'counted as a flood');
  const atGoaway = by.ok();
  await waitFor(() => by.ok() >= atGoaway + 20, 5000, '20 more bystander requests after the GOAWAY');
  await by.stop();
  assert.deepEqual(by.failed(), [], 'no bystander request failed');
  // a new connection is served as usual
  const d = await H2Raw.open(lb.port);
  t.after(() => d.close());
  d.get(1, '/after');
  assert.equal((await d.response(1)).status, 200);
});

test('a reset stream whose response is complete is no glitch: 1500 request/reset pairs after each response are fine', async (t) => {
  const { lb } = await setup(t);
  const c = await H2Raw.open(lb.port);
  t.after(() => c.close());
  // 1500 > the budget of 1000: only resets of streams in progress may count
  for (let i = 0; i < 1500; i += 50) {
    const ids = Array.from({ length: 50 }, (_, k) => 1 + 2 * (i + k));
    c.send(Buffer.concat(ids.map((id) => frame(T.HEADERS, F.END_STREAM | F.END_HEADERS, id, literal(req('/x'))))));
    for (const id of ids) assert.equal((await c.response(id)).status, 200);
    // resetting a closed stream: allowed (RFC 9113 §6.4), and not the rapid-reset pattern
    c.send(Buffer.concat(ids.map((id) => frame(T.RST_STREAM, 0, id, u32(E.CANCEL)))));
  }
  c.get(3001, '/last');
  assert.equal((await c.response(3001)).status, 200);
  assert.equal(c.goaway, null, `no GOAWAY (${c.summary()})`);
  assert.equal(floods(lb), 0);
});

test('CONTINUATION flood (1 KiB frames, no END_HEADERS, ever) → GOAWAY ENHANCE_YOUR_CALM within the 32 KiB block limit', async (t) => {
  const { lb, be } = await setup(t);
  const by = bystander(lb.port);
  t.after(() => by.stop());
  const c = await H2Raw.open(lb.port);
  t.after(() => c.close());
  // our SETTINGS ACK must not land inside the header block: wait for the server's SETTINGS first
  await c.until(() => c.serverSettings !== null, 3000, 'server SETTINGS');
  const started = Date.now();
  c.headers(1, req('/cont'), { endHeaders: false });
  const junk = Buffer.alloc(1024, 0x61);
  const batches = await flood(c, () => frame(T.CONTINUATION, 0, 1, junk), 100_000, 8);
  const g = await c.waitGoaway(3000);
  assert.equal(g.code, E.ENHANCE_YOUR_CALM, `GOAWAY code ${g.code} "${g.debug}"`);
  await c.closed(3000);
  const ms = Date.now() - started;
  t.diagnostic(`GOAWAY after ${ms} ms and ${batches} batches of 8 KiB`);
  // 32 KiB is 32 frames: lbd must not have read (let alone kept) megabytes first
  assert.ok(batches * 8 < 2048, `sent ${batches * 8} KiB before the GOAWAY`);
  assert.ok(ms < 2000, `GOAWAY took ${ms} ms`);
  assert.ok(floods(lb) >= 1);
  assert.equal(be.requests.filter((r) => r.path === '/cont').length, 0);
  await waitFor(() => by.ok() >= 3, 3000, 'the bystander served');
  await by.stop();
  assert.deepEqual(by.failed(), []);
});

test('CONTINUATION flood of empty frames → GOAWAY ENHANCE_YOUR_CALM (the 64-frame limit)', async (t) => {
  const { lb } = await setup(t);
  const c = await H2Raw.open(lb.port);
  t.after(() => c.close());
  await c.until(() => c.serverSettings !== null, 3000, 'server SETTINGS');
  c.headers(1, req('/cont'), { endHeaders: false });
  await flood(c, () => frame(T.CONTINUATION, 0, 1), 100_000, 50);
  const g = await c.waitGoaway(3000);
  assert.equal(g.code, E.ENHANCE_YOUR_CALM, `GOAWAY code ${g.code} "${g.debug}"`);
  await c.closed(3000);
  assert.ok(floods(lb) >= 1);
});

test('a header block interrupted by another frame is a connection error (GOAWAY PROTOCOL_ERROR)', async (t) => {
  const { lb } = await setup(t);
  const c = await H2Raw.open(lb.port);
  t.after(() => c.close());
  await c.until(() => c.serverSettings !== null, 3000, 'server SETTINGS');
  c.headers(1, req('/x'), { endHeaders: false });
  c.ping();
  const g = await c.waitGoaway(3000);
  assert.equal(g.code, E.PROTOCOL_ERROR);
  await c.closed(3000);
  assert.equal(floods(lb), 0, 'a protocol error, not a flood');
});

for (const [name, make, extra] of [
  ['PING', () => frame(T.PING, 0, 0, Buffer.alloc(8, 7)), ''],
  ['SETTINGS', () => frame(T.SETTINGS, 0, 0), ''],
  ['empty DATA (no END_STREAM)', () => frame(T.DATA, 0, 1), 'post'],
] as const) {
  test(`${name} flood → GOAWAY ENHANCE_YOUR_CALM and close; a bystander keeps getting 200s`, async (t) => {
    const { lb } = await setup(t);
    const by = bystander(lb.port);
    t.after(() => by.stop());
    const c = await H2Raw.open(lb.port);
    t.after(() => c.close());
    await c.until(() => c.serverSettings !== null, 3000, 'server SETTINGS');
    if (extra === 'post') c.headers(1, req('/post', { method: 'POST' }), { endStream: false });
    await flood(c, make, 20_000, 200);
    const g = await c.waitGoaway(5000);
    assert.equal(g.code, E.ENHANCE_YOUR_CALM, `GOAWAY code ${g.code} "${g.debug}"`);
    await c.closed(3000);
    assert.ok(floods(lb) >= 1);
    if (name === 'PING') {
      const acks = c.counts.get(T.PING) ?? 0;
      assert.ok(acks >= 900 && acks <= 1200, `${acks} PING ACKs: the budget of 1000, no more`);
    }
    await waitFor(() => by.ok() >= 5, 3000, 'the bystander served');
    await by.stop();
    assert.deepEqual(by.failed(), []);
  });
}

/** HPACK integer with an n-bit prefix (RFC 7541 §5.1), `first` holding the pattern bits. */
function hpackInt(first: number, bits: number, v: number): Buffer {
  const max = (1 << bits) - 1;
  if (v < max) return Buffer.from([first | v]);
  const out = [first | max];
  v -= max;
  while (v >= 128) {
    out.push((v & 0x7f) | 0x80);
    v >>= 7;
  }
  out.push(v);
  return Buffer.from(out);
}

test('HPACK bomb: one 4 KB dynamic entry referenced 1000 times → 431 on the stream; the connection and its HPACK table stay in sync', async (t) => {
  const { lb, be } = await setup(t);
  const c = await H2Raw.open(lb.port);
  t.after(() => c.close());
  const name = 'x-bomb';
  const value = 'z'.repeat(4000);
  // literal with incremental indexing, new name: 0x40, name, value → dynamic index 62
  const insert = Buffer.concat([Buffer.from([0x40]), hpackInt(0, 7, name.length), Buffer.from(name), hpackInt(0, 7, value.length), Buffer.from(value)]);
  const refs = Buffer.alloc(1000, 0x80 | 62); // indexed field 62, one byte each: ~4 MB decoded from 1 KB
  c.headers(1, [], { endStream: true, block: Buffer.concat([literal(req('/bomb')), insert, refs]) });
  const r = await c.response(1);
  assert.equal(r.status, 431);
  // the entry is in lbd's table: one reference in a normal request decodes to the 4000-byte value
  c.headers(3, [], { endStream: true, block: Buffer.concat([literal(req('/one-ref')), Buffer.from([0x80 | 62])]) });
  const r2 = await c.response(3);
  assert.equal(r2.status, 200);
  assert.equal(r2.body.toString(), 's1 /one-ref');
  const seen = be.requests.find((x) => x.path === '/one-ref')!;
  assert.equal(seen.fields.find(([k]) => k.toLowerCase() === name)?.[1], value, 'the referenced entry decoded right');
  assert.equal(be.requests.filter((x) => x.path === '/bomb').length, 0);
  assert.equal(c.goaway, null);
  assert.equal(floods(lb), 0);
});

test('a client that sends PINGs without reading: its answers stay bounded, it is cut off, others are served', async (t) => {
  const { lb } = await setup(t);
  const by = bystander(lb.port);
  t.after(() => by.stop());
  const c = await H2Raw.open(lb.port);
  t.after(() => c.close());
  await c.until(() => c.serverSettings !== null, 3000, 'server SETTINGS');
  c.sock.pause(); // read nothing from now on
  const ping = frame(T.PING, 0, 0, Buffer.alloc(8, 1));
  const batch = Buffer.concat(Array.from({ length: 1000 }, () => ping));
  let written = 0;
  const deadline = Date.now() + 3000;
  // up to 8 MB of PINGs, as fast as lbd takes them
  while (written < 8 << 20 && Date.now() < deadline && !c.sock.destroyed) {
    const more = c.sock.write(batch);
    written += batch.length;
    if (!more) {
      await room(c.sock, 200);
      if (c.sock.writableLength > 1 << 20) break; // lbd no longer reads us
    }
    await tick();
  }
  await waitFor(() => floods(lb) >= 1, 3000, 'the flood counted');
  const before = by.ok();
  await waitFor(() => by.ok() >= before + 5, 3000, 'the bystander served while the pinger is not read');
  c.sock.resume();
  await c.closed(5000);
  const acks = c.counts.get(T.PING) ?? 0;
  t.diagnostic(`wrote ${written} bytes of PINGs, ${acks} ACKs read back, GOAWAY ${c.goaway?.code ?? 'not read (reset)'}`);
  assert.ok(acks <= 1200, `${acks} PING ACKs`);
  if (c.goaway) assert.equal(c.goaway.code, E.ENHANCE_YOUR_CALM);
  await by.stop();
  assert.deepEqual(by.failed(), []);
});

// Bug: H2Endpoint.flush() compares conn.pendingBytes() with OUT_LIMIT only when a write first fails
// (~0.5 MB pending then); frames queued afterwards pile up in the slab, never counted, so reading never
// stops: after 4000 such responses the slab held 27 MB (32 MiB allocated) and the client was still read.
test('a client that asks for responses without reading them: lbd stops reading it (no unbounded buffering), then finishes when it reads', async (t) => {
  const bigHead = `x-fill: ${'h'.repeat(8000)}`;
  const { lb, be } = await setup(t, (r) => ok('', [bigHead, `x-path: ${r.req.path}`]));
  const c = await H2Raw.open(lb.port);
  t.after(() => c.close());
  await c.until(() => c.serverSettings !== null, 3000, 'server SETTINGS');
  c.sock.pause();
  const h2c = lb.rt.frontends.get('f')!.h2;
  let sent = 0;
  let stalled = false;
  // batches of 100 requests (the stream limit); each response is an 8 KB HEADERS frame, not flow controlled
  for (let b = 0; b < 40 && !stalled; b++) {
    const out: Buffer[] = [];
    for (let k = 0; k < 100; k++) out.push(frame(T.HEADERS, F.END_STREAM | F.END_HEADERS, 1 + 2 * (sent + k), literal(req(`/n${sent + k}`))));
    sent += 100;
    c.sock.write(Buffer.concat(out));
    try {
      await waitFor(() => be.requests.length === sent && h2c.openStreams === 0, 1000, 'the batch answered');
    } catch {
      stalled = true;
    }
  }
  t.diagnostic(`sent ${sent} requests (${sent * 8} KB of response heads), the server saw ${be.requests.length}`);
  assert.ok(stalled, 'lbd stopped taking requests from a client that does not read');
  assert.ok(be.requests.length < sent);
  assert.equal(c.goaway, null);
  // reading again: every response arrives
  c.sock.resume();
  const last = 1 + 2 * (sent - 1);
  await c.until(() => c.frames.some((f) => f.type === T.HEADERS && f.stream === last), 10_000, 'the last response');
  const heads = c.frames.filter((f) => f.type === T.HEADERS);
  assert.equal(heads.length, sent);
  assert.equal(heads.filter((f) => f.headers?.find(([k]) => k === ':status')?.[1] === '200').length, sent);
  assert.equal(c.goaway, null);
});
