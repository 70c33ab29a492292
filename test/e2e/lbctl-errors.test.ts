/**
 * lbctl's exit codes when things go wrong, each distinct: usage errors (2), no daemon (3), a socket that
 * is not lbd's or does not answer (4 and 3), and the socket lookup order (-s, LBCTL_SOCKET, default).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { join } from 'node:path';
import { LBCTL, run, tempDir } from '../helpers/lbd-process.js';

const lbctl = (args: string[], env: NodeJS.ProcessEnv = process.env) => run(process.execPath, [LBCTL, ...args], { env });

test('usage errors exit 2 with a hint; --help exits 0 and lists every command and the exit codes', async () => {
  for (const args of [[], ['bogus'], ['disable'], ['status', '--bogus'], ['weight', 'server-1', 'heavy'], ['status', '--interval', 'soon'], ['completion']]) {
    const r = await lbctl(['-s', '/nonexistent.sock', ...args]);
    assert.equal(r.code, 2, `lbctl ${args.join(' ')}: ${r.stderr}`);
    assert.equal(r.stdout, '');
    assert.ok(r.stderr.length > 0);
  }
  const h = await lbctl(['--help']);
  assert.equal(h.code, 0);
  for (const c of ['status', 'disable', 'enable', 'drain', 'weight', 'reload', 'check', 'events', 'show', 'version', 'completion']) {
    assert.match(h.stdout, new RegExp(`^  ${c} `, 'm'), c);
  }
  assert.match(h.stdout, /Exit codes:\n  0  ok\n  1  refused or not found .*\n  2  usage error .*\n  3  lbd unreachable .*\n  4  protocol mismatch/);
  assert.match(h.stdout, /Examples:\n  lbctl status/);
});

test('no daemon on the socket: exit 3 for every daemon command, with a JSON error under --json', async () => {
  const sock = '/nonexistent/admin.sock';
  for (const args of [['status'], ['disable', 'server-2'], ['reload'], ['events'], ['show', 'stat']]) {
    const r = await lbctl(['-s', sock, ...args]);
    assert.equal(r.code, 3, `lbctl ${args.join(' ')}`);
    assert.equal(r.stderr, `lbctl: cannot reach lbd at ${sock}: no such socket\n`);
  }
  const j = await lbctl(['-s', sock, 'status', '--json']);
  assert.equal(j.code, 3);
  assert.deepEqual(JSON.parse(j.stdout), { error: { code: 'unreachable', message: `cannot reach lbd at ${sock}: no such socket` } });
  const v = await lbctl(['-s', sock, 'version']);
  assert.equal(v.code, 3);
  assert.match(v.stdout, /^lbctl \d+\.\d+\.\d+ \(protocol 1\)\n$/, 'the client version is still printed');
  const vj = await lbctl(['-s', sock, 'version', '--json']);
  assert.equal(JSON.parse(vj.stdout).daemon, null);
});

test('the socket is -s, else LBCTL_SOCKET, else the default path under XDG_RUNTIME_DIR', async () => {
  const env = { ...process.env, LBCTL_SOCKET: '/from/env.sock' };
  assert.match((await lbctl(['status'], env)).stderr, /at \/from\/env\.sock:/);
  assert.match((await lbctl(['-s', '/from/flag.sock', 'status'], env)).stderr, /at \/from\/flag\.sock:/);
  const { LBCTL_SOCKET: _, ...rest } = process.env;
  const r = await lbctl(['status'], { ...rest, XDG_RUNTIME_DIR: '/run/user/4242' });
  assert.match(r.stderr, process.getuid?.() === 0 ? /at \/run\/lbd\/admin\.sock:/ : /at \/run\/user\/4242\/lbd\/admin\.sock:/);
});

/** A Unix socket server that answers each connection with `onConn`. */
async function fakeSocket(path: string, onConn: (s: net.Socket) => void): Promise<net.Server> {
  const srv = net.createServer((s) => {
    s.on('error', () => {});
    onConn(s);
  });
  await new Promise<void>((r) => srv.listen(path, () => r()));
  return srv;
}

test('a socket that is not lbd is a protocol error (4); one that never answers is unreachable (3)', async () => {
  const { dir, cleanup } = tempDir('lbctl-fake-');
  const open: net.Socket[] = [];
  const haproxy = await fakeSocket(join(dir, 'haproxy.sock'), (s) => s.once('data', () => s.end('Unknown command. Please enter one of the following commands only:\n\n')));
  const http = await fakeSocket(join(dir, 'http.sock'), (s) => s.once('data', () => s.end('HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n')));
  const silent = await fakeSocket(join(dir, 'silent.sock'), (s) => void open.push(s));
  try {
    const a = await lbctl(['-s', join(dir, 'haproxy.sock'), 'status']);
    assert.equal(a.code, 4, a.stderr);
    assert.match(a.stderr, /does not speak the lbd admin protocol/);
    const b = await lbctl(['-s', join(dir, 'http.sock'), 'status']);
    assert.equal(b.code, 4, b.stderr);
    assert.match(b.stderr, /answered HTTP 404, not the lbd admin protocol/);
    const c = await lbctl(['-s', join(dir, 'silent.sock'), '--timeout', '300', 'status']);
    assert.equal(c.code, 3, c.stderr);
    assert.match(c.stderr, /no answer from .* within 300 ms/);
  } finally {
    for (const s of open) s.destroy();
    await Promise.all([haproxy, http, silent].map((s) => new Promise((r) => s.close(r))));
    cleanup();
  }
});
