/**
 * The admin socket in the lbd process: a second lbd on the same socket refuses to start with a clear
 * message, SIGHUP reloads change the sockets, and stopping removes the socket files.
 */
import { test } from 'node:test';
import net from 'node:net';
import WebSocket from 'ws';
import { PROTOCOL_VERSION } from '../../shared/protocol.js';
import assert from 'node:assert/strict';
import { existsSync, statSync } from 'node:fs';
import { startLbd, tempDir } from '../helpers/lbd-process.js';
import { freePort } from '../helpers/net.js';
import { waitFor } from '../helpers/wait.js';
import { exchange } from '../integration/admin-harness.js';

function cfg(dir: string, port: number, sockets: string): string {
  return `
global
${sockets.replaceAll('@DIR@', dir)}
defaults
    timeout connect 2s
    timeout client 30s
    timeout server 30s
frontend fe
    bind 127.0.0.1:${port}
    default_backend be
backend be
    server s1 127.0.0.1:9
`;
}

test('a second lbd on a live admin socket exits 1 with the reason; the first keeps it', async () => {
  const t = tempDir('lbd-admin-e2e-');
  const sock = `${t.dir}/admin.sock`;
  const a = await startLbd(cfg(t.dir, await freePort(), '    stats socket @DIR@/admin.sock level admin'));
  try {
    const b = await startLbd(cfg(t.dir, await freePort(), '    stats socket @DIR@/admin.sock level admin'), { waitStarted: false });
    const code = await new Promise<number | null>((r) => b.proc.once('exit', r));
    assert.equal(code, 1);
    assert.ok(
      b.lines.some((l) => l.includes(`Starting admin socket: cannot open admin socket ${sock}: another process is listening on it`)),
      b.lines.join('\n'),
    );
    await b.stop();
    assert.equal(await exchange(sock, 'show cli level\n'), 'admin\n\n', 'the first lbd still answers on its socket');
  } finally {
    await a.stop();
    t.cleanup();
  }
});

test('SIGHUP adds and removes admin sockets; SIGTERM removes the files', async () => {
  const t = tempDir('lbd-admin-e2e-');
  const port = await freePort();
  const lbd = await startLbd(cfg(t.dir, port, '    stats socket @DIR@/a.sock mode 600 level admin'));
  try {
    assert.equal(statSync(`${t.dir}/a.sock`).mode & 0o777, 0o600);
    lbd.writeConfig(cfg(t.dir, port, '    stats socket @DIR@/b.sock mode 640 level user'));
    lbd.proc.kill('SIGHUP');
    await waitFor(() => existsSync(`${t.dir}/b.sock`) && !existsSync(`${t.dir}/a.sock`), 5000, 'a.sock replaced by b.sock');
    assert.equal(statSync(`${t.dir}/b.sock`).mode & 0o777, 0o640);
    assert.equal(await exchange(`${t.dir}/b.sock`, 'show cli level\n'), 'user\n\n');
  } finally {
    assert.equal(await lbd.stop('SIGTERM'), 0);
  }
  assert.ok(!existsSync(`${t.dir}/b.sock`), 'stopping removed the socket file');
  t.cleanup();
});

test('connected admin clients do not hold up a graceful stop: WebSocket clients get 1001, runtime API sessions are closed', async () => {
  const t = tempDir();
  const sock = `${t.dir}/admin.sock`;
  const port = await freePort();
  const lbd = await startLbd(cfg(t.dir, port, `    stats socket ${sock} level admin`));
  try {
    const ws = new WebSocket(`ws+unix://${sock}:/`);
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
    });
    ws.send(JSON.stringify({ type: 'hello', version: PROTOCOL_VERSION, client: 'test' }));
    await new Promise((resolve) => ws.once('message', resolve));
    const closedWith = new Promise<number>((resolve) => ws.once('close', (code) => resolve(code)));
    // an interactive runtime API session, idle
    const cli = net.connect(sock);
    cli.on('error', () => {});
    cli.write('prompt\n');
    await new Promise((resolve) => cli.once('data', resolve));
    const cliClosed = new Promise<void>((resolve) => cli.once('close', () => resolve()));
    const t0 = Date.now();
    const code = await lbd.stop('SIGTERM', 8000);
    assert.equal(code, 0);
    assert.ok(Date.now() - t0 < 4000, `stop took ${Date.now() - t0} ms`);
    assert.equal(await closedWith, 1001);
    await cliClosed;
  } finally {
    await lbd.stop('SIGKILL');
    t.cleanup();
  }
});
