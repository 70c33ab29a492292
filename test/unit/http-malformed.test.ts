import { test } from 'node:test';
import assert from 'node:assert/strict';
import { requestCases, responseCases } from '../fixtures/http/malformed-cases.js';
import { requestOutcome, responseOutcome } from './http-outcome.js';

// Every row was sent to HAProxy 2.6.12 by test/fixtures/http/verify-haproxy.mjs; `haproxy` is what it
// answered (200 = forwarded to the server), `lbd` where lbd deliberately differs (with a note).

test('the table is big enough to mean something, and every divergence is explained', () => {
  assert.ok(requestCases.length >= 150, `${requestCases.length} request rows`);
  assert.ok(responseCases.length >= 35, `${responseCases.length} response rows`);
  for (const c of [...requestCases, ...responseCases]) {
    if (c.lbd !== undefined) assert.ok(c.note, `${c.name}: a divergence from HAProxy needs a note`);
  }
});

for (const c of requestCases) {
  const expected = c.lbd ?? c.haproxy;
  test(`request: ${c.name} → ${expected === 200 ? 'forwarded' : expected}`, () => {
    const o = requestOutcome(c.raw);
    if (expected === 200) {
      // forwarded: parsed and framed; a chunked body decodes (or waits for more bytes, never fails)
      assert.equal(o.status, 200, `refused with ${o.code} at ${o.stage}`);
      assert.equal(o.code, null);
    } else {
      assert.equal(o.status, expected, `answered ${o.status} (${o.code})`);
      assert.equal(o.code, c.code ?? o.code);
      assert.ok(o.stage === 'head' || o.stage === 'framing' || o.stage === 'body');
    }
  });
}

for (const c of responseCases) {
  const expected = c.lbd ?? c.haproxy;
  test(`response: ${c.name} → ${expected === 502 ? '502' : `relayed ${expected}`}`, () => {
    const o = responseOutcome(c.raw);
    assert.equal(o.status, expected, `got ${o.status} (${o.code})`);
    if (expected === 502) assert.equal(o.code, c.code ?? o.code);
    else assert.equal(o.code, null);
  });
}

test('a refused request is refused before any of it could be forwarded: head and framing errors come before the body', () => {
  for (const c of requestCases) {
    const o = requestOutcome(c.raw);
    if (o.status !== 200 && o.stage !== 'body') assert.ok(o.stage === 'head' || o.stage === 'framing', c.name);
  }
});

test('the same verdict whatever the split (byte by byte and random pieces)', () => {
  let seed = 42;
  const rnd = (n: number) => {
    seed = (seed * 1103515245 + 12345) >>> 0;
    return seed % n;
  };
  for (const c of requestCases) {
    if (c.raw.length > 2000) continue;
    const whole = requestOutcome(c.raw);
    const bytewise = requestOutcome(c.raw, Array.from({ length: c.raw.length }, (_, i) => i + 1));
    assert.deepEqual({ s: bytewise.status, c: bytewise.code }, { s: whole.status, c: whole.code }, `${c.name} byte by byte`);
    for (let k = 0; k < 5; k++) {
      const cuts = Array.from({ length: 1 + rnd(6) }, () => 1 + rnd(c.raw.length)).sort((a, b) => a - b);
      const o = requestOutcome(c.raw, cuts);
      assert.deepEqual({ s: o.status, c: o.code }, { s: whole.status, c: whole.code }, `${c.name} split at ${cuts}`);
    }
  }
});

test('hostile bytes never throw: 20,000 mutated requests and responses', () => {
  let seed = 7;
  const rnd = (n: number) => {
    seed = (seed * 1664525 + 1013904223) >>> 0;
    return seed % n;
  };
  const interesting = [0, 9, 10, 13, 32, 44, 58, 59, 0x7f, 0x80, 0xff, 0x30, 0x61, 0x2f];
  const seeds = [...requestCases, ...responseCases].map((c) => Buffer.from(c.raw, 'latin1')).filter((b) => b.length < 600);
  for (let i = 0; i < 20000; i++) {
    const src = seeds[rnd(seeds.length)];
    const b = Buffer.from(src);
    for (let m = 1 + rnd(4); m > 0; m--) {
      const at = rnd(b.length);
      const op = rnd(3);
      if (op === 0) b[at] = interesting[rnd(interesting.length)];
      else if (op === 1) b[at] = rnd(256);
      else b.copyWithin(at, rnd(b.length));
    }
    const req = requestOutcome(b, [rnd(b.length)]);
    assert.ok([0, 200, 400, 422].includes(req.status), `request status ${req.status}`);
    const res = responseOutcome(b);
    assert.ok(res.status === 0 || (res.status >= 100 && res.status <= 999), `response status ${res.status}`);
  }
});
