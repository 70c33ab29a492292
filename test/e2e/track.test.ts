/**
 * The issue's example, end to end: lbd spawned as a process with the TCP + `track` config (100 ms checks),
 * three demo backends whose /readyz can be flipped, and plain TCP sessions through the frontend.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { startDemoBackend, type DemoBackend } from '../../examples/demo-backend.js';
import { startLbd, type LbdProcess } from '../helpers/lbd-process.js';
import { freePort } from '../helpers/net.js';
import { waitFor } from '../helpers/wait.js';

const INTER = 100;
const FALL = 2;
const RISE = 2;
const CHECK_TIMEOUT = 200;

let backends: DemoBackend[] = [];
let lbd: LbdProcess;
let port: number;

function trackConfig(feport: number, ports: number[]): string {
  return `
global
    maxconn 1000

defaults
    timeout connect 1s
    timeout client 10s
    timeout server 10s
    timeout check ${CHECK_TIMEOUT}ms

frontend myApp
    bind 127.0.0.1:${feport}
    default_backend myApp

backend myApp
    mode tcp
${ports.map((p, i) => `    server server-${i + 1} 127.0.0.1:${p} track monitoring/server-${i + 1}`).join('\n')}

backend monitoring
    mode http
    option httpchk GET /readyz
    http-check expect status 200
    default-server inter ${INTER}ms fall ${FALL} rise ${RISE}
${ports.map((p, i) => `    server server-${i + 1} 127.0.0.1:${p} check`).join('\n')}
`;
}

/** One HTTP request through lbd's TCP frontend on a new connection; returns the body. */
function get(path = '/'): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = http.get({ host: '127.0.0.1', port, path, agent: false, headers: { connection: 'close' }, timeout: 3000 }, (res) => {
      let body = '';
      res.on('data', (d: Buffer) => (body += d.toString()));
      res.on('end', () => resolve(body.trim()));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error('request timed out')));
    req.on('error', reject);
  });
}

before(async () => {
  backends = await Promise.all([1, 2, 3].map((i) => startDemoBackend({ name: `backend-${i}` })));
  port = await freePort();
  lbd = await startLbd(trackConfig(port, backends.map((b) => b.port)));
  await lbd.waitForLog(/lbd .* started/);
});

after(async () => {
  const code = await lbd?.stop('SIGTERM');
  await Promise.all(backends.map((b) => b.close()));
  assert.equal(code, 0, 'lbd exits 0 on SIGTERM');
});

test('traffic is balanced over the three servers', async () => {
  const seen = new Map<string, number>();
  for (let i = 0; i < 30; i++) {
    const body = await get();
    seen.set(body, (seen.get(body) ?? 0) + 1);
  }
  assert.deepEqual([...seen.keys()].sort(), ['hello from backend-1', 'hello from backend-2', 'hello from backend-3']);
  for (const n of seen.values()) assert.equal(n, 10, 'roundrobin with equal weights');
});

test('a backend whose /readyz turns 503 leaves the rotation within fall × inter (+ check timeout), through track', async () => {
  const t0 = Date.now();
  backends[1]!.setReady(503);
  await lbd.waitForLog(/Server myApp\/server-2 is DOWN via monitoring\/server-2/, 3000);
  const elapsed = Date.now() - t0;
  const limit = FALL * INTER + CHECK_TIMEOUT + 150; // + the first check's phase and process scheduling
  assert.ok(elapsed <= limit, `DOWN after ${elapsed} ms, limit ${limit} ms`);
  const down = lbd.lines.find((l) => /Server monitoring\/server-2 is DOWN/.test(l))!;
  assert.match(down, /reason: Layer7 wrong status, code: 503, info: "Service Unavailable"/);
  for (let i = 0; i < 20; i++) assert.notEqual(await get(), 'hello from backend-2', 'no new session reaches a DOWN server');
});

test('it returns after rise × inter once /readyz answers 200 again', async () => {
  const t0 = Date.now();
  backends[1]!.setReady(200);
  await lbd.waitForLog(/Server myApp\/server-2 is UP via monitoring\/server-2/, 3000);
  const elapsed = Date.now() - t0;
  const limit = RISE * INTER + 150;
  assert.ok(elapsed <= limit, `UP after ${elapsed} ms, limit ${limit} ms`);
  const seen = new Set<string>();
  await waitFor(async () => {
    seen.add(await get());
    return seen.has('hello from backend-2');
  }, 3000, 'backend-2 to serve again');
});

test('a backend that stops listening is taken out by its HTTP check (L4CON) and sessions avoid it', async () => {
  const b3 = backends[2]!;
  const b3port = b3.port;
  await b3.close();
  await lbd.waitForLog(/Server myApp\/server-3 is DOWN via monitoring\/server-3/, 3000);
  assert.ok(lbd.lines.some((l) => /Server monitoring\/server-3 is DOWN, reason: Layer4 connection problem/.test(l)));
  for (let i = 0; i < 10; i++) assert.notEqual(await get(), 'hello from backend-3');
  backends[2] = await startDemoBackend({ name: 'backend-3', port: b3port });
  await lbd.waitForLog(/Server myApp\/server-3 is UP via monitoring\/server-3/, 3000);
});
