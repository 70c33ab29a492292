/**
 * hatop 0.8.2, the HAProxy console, against lbd: it runs in a detached tmux (132x40) on lbd's admin
 * socket with the TCP + track example config, shows the proxies and servers, and its hotkeys change
 * lbd's state (F10 disable, F9 enable, F8 weight +10, F4 weight reset), which lbd's own socket confirms.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { spawnSync } from 'node:child_process';
import type { AddressInfo } from 'node:net';
import { startLbd, tempDir, type LbdProcess } from '../helpers/lbd-process.js';
import { freePort } from '../helpers/net.js';
import { waitFor } from '../helpers/wait.js';
import { exchange } from '../integration/admin-harness.js';

const has = (cmd: string, arg: string) => spawnSync(cmd, [arg], { stdio: 'ignore' }).error === undefined;
const skip = !has('hatop', '--help') ? 'hatop is not installed (apt-get install hatop)' : !has('tmux', '-V') ? 'tmux is not installed' : false;

const TMUX = ['-L', `lbd-hatop-${process.pid}`, '-f', '/dev/null'];
const tmux = (...args: string[]) => spawnSync('tmux', [...TMUX, ...args], { encoding: 'utf8' });
const screen = () => tmux('capture-pane', '-p', '-t', 'hatop').stdout;

let lbd: LbdProcess;
let sock: string;
let cleanup: (() => void) | undefined;
const backends: http.Server[] = [];

async function readyz(): Promise<number> {
  const srv = http.createServer((req, res) => {
    res.writeHead(req.url === '/readyz' ? 200 : 404).end('ok');
  });
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', () => r()));
  backends.push(srv);
  return (srv.address() as AddressInfo).port;
}

before(async () => {
  if (skip) return;
  const t = tempDir('lbd-hatop-');
  cleanup = t.cleanup;
  sock = `${t.dir}/admin.sock`;
  const [p1, p2, fe] = [await readyz(), await readyz(), await freePort()];
  lbd = await startLbd(`
global
    stats socket ${sock} mode 600 level admin
defaults
    timeout connect 2s
    timeout client 30s
    timeout server 30s
frontend myApp
    bind 127.0.0.1:${fe}
    mode tcp
    default_backend myApp
backend myApp
    mode tcp
    server server-1 127.0.0.1:${p1} track monitoring/server-1
    server server-2 127.0.0.1:${p2} track monitoring/server-2
backend monitoring
    mode http
    option httpchk GET /readyz
    http-check expect status 200
    server server-1 127.0.0.1:${p1} check inter 1s fall 2 rise 2
    server server-2 127.0.0.1:${p2} check inter 1s fall 2 rise 2
`);
  const r = tmux('new-session', '-d', '-s', 'hatop', '-x', '132', '-y', '40', `hatop -s ${sock} -i 1`);
  assert.equal(r.status, 0, r.stderr);
});

after(async () => {
  if (skip) return;
  tmux('kill-server');
  await lbd?.stop();
  for (const b of backends) await new Promise((r) => b.close(r));
  cleanup?.();
});

/** A server's row in lbd's own `show stat`. */
async function row(px: string, sv: string): Promise<string[]> {
  const csv = await exchange(sock, 'show stat\n');
  return csv.split('\n').map((l) => l.split(',')).find((f) => f[0] === px && f[1] === sv)!;
}

test('hatop shows lbd\'s proxies and servers', { skip }, async () => {
  const text = await waitFor(() => {
    const s = screen();
    return /server-1 +1 UP +L7OK/.test(s) && /server-2 +1 UP +L7OK/.test(s) ? s : null;
  }, 15_000, 'hatop to draw both monitoring servers UP').catch((e: Error) => assert.fail(`${e.message}\n${screen()}`));
  assert.match(text, /HATop version 0\.8\.2/);
  assert.match(text, />>> myApp/);
  assert.match(text, />>> monitoring/);
  assert.match(text, /FRONTEND +\d+ OPEN/);
  assert.match(text, /BACKEND +2 UP/);
  assert.match(text, /Proxies: +3 +Services: +7/);
});

test('hatop hotkeys disable and enable a server and change its weight in lbd', { skip }, async () => {
  await waitFor(() => /server-1 +1 UP +L7OK/.test(screen()), 15_000, 'hatop to be ready');
  const iid = (await row('myApp', 'server-1'))[27];
  // move the cursor to myApp/server-1: hatop's footer names the selected row as [#iid/#sid]
  await waitFor(() => {
    if (screen().includes(`[#${iid}/#1]`)) return true;
    tmux('send-keys', '-t', 'hatop', 'Down');
    return false;
  }, 10_000, `the cursor on myApp/server-1 (#${iid}/#1)`, 200);

  tmux('send-keys', '-t', 'hatop', 'F10');
  await waitFor(async () => (await row('myApp', 'server-1'))[17] === 'MAINT', 5000, 'F10 to put myApp/server-1 in maintenance');
  await waitFor(() => /server-1 +1 MAINT/.test(screen()), 5000, 'hatop to show MAINT');

  tmux('send-keys', '-t', 'hatop', 'F9');
  await waitFor(async () => (await row('myApp', 'server-1'))[17]!.startsWith('UP'), 5000, 'F9 to bring it back');

  tmux('send-keys', '-t', 'hatop', 'F8');
  await waitFor(async () => (await exchange(sock, 'get weight myApp/server-1\n')) === '11 (initial 1)\n\n', 5000, 'F8 to add 10 to the weight');
  await waitFor(() => /server-1 +11 UP/.test(screen()), 5000, 'hatop to show weight 11');

  tmux('send-keys', '-t', 'hatop', 'F4');
  await waitFor(async () => (await exchange(sock, 'get weight myApp/server-1\n')) === '1 (initial 1)\n\n', 5000, 'F4 to reset the weight');
  assert.equal(lbd.proc.exitCode, null, 'lbd still runs');
});
