/**
 * PROXY protocol interop with the real HAProxy 2.6 on loopback: HAProxy `send-proxy`/`send-proxy-v2` in
 * front of lbd's `accept-proxy`, and lbd's `send-proxy`/`send-proxy-v2` into HAProxy's `accept-proxy`.
 * Skipped (visibly) when haproxy is not installed.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawn } from 'node:child_process';
import { Runtime } from '../../daemon/runtime/runtime.js';
import { memoryLogger } from '../../daemon/log.js';
import { runProbe } from '../../daemon/health/probe.js';
import type { BindConfig } from '../../daemon/config/types.js';
import { backendConfig, config, frontendConfig, noTimeouts, serverConfig } from '../helpers/configs.js';
import { connect, freePort } from '../helpers/net.js';
import { headerServer, readHeaderAnswer } from '../helpers/proxy-protocol.js';
import { waitFor } from '../helpers/wait.js';

const HAPROXY = ['/usr/sbin/haproxy', '/usr/local/sbin/haproxy', '/usr/bin/haproxy'].find((p) => existsSync(p)) ?? null;

function bind(port: number, acceptProxy: boolean): BindConfig {
  return { where: { file: 't', line: 1 }, text: `127.0.0.1:${port}`, host: '127.0.0.1', port, family: 'ipv4', fd: null, name: null, acceptProxy };
}

const canConnect = (port: number): Promise<boolean> =>
  new Promise((r) => {
    const s = net.connect(port, '127.0.0.1');
    s.on('connect', () => (s.destroy(), r(true)));
    s.on('error', () => r(false));
  });

test('PROXY protocol interop with HAProxy 2.6, both directions, v1 and v2', async (t) => {
  if (HAPROXY === null) return t.skip('haproxy is not installed');
  const [hxV1, hxV2, hxAccept, lbdAccept, lbdV1, lbdV2] = await Promise.all([freePort(), freePort(), freePort(), freePort(), freePort(), freePort()]);
  const hs = await headerServer();
  t.after(() => hs.close());
  // lbd: an accept-proxy frontend → the header server (send-proxy-v2 shows what lbd understood);
  // two plain frontends → HAProxy's accept-proxy frontend with send-proxy and send-proxy-v2
  const rt = new Runtime({ log: memoryLogger(), probe: runProbe });
  const to = { ...noTimeouts, connect: 1000, client: 5000, server: 5000 };
  await rt.apply(
    config(
      [
        backendConfig('to_hs', [serverConfig('hs', { port: hs.port, sendProxy: 2 })], { timeouts: to }),
        backendConfig('to_hx_v1', [serverConfig('hx', { port: hxAccept, sendProxy: 1 })], { timeouts: to }),
        backendConfig('to_hx_v2', [serverConfig('hx', { port: hxAccept, sendProxy: 2 })], { timeouts: to }),
      ],
      [
        frontendConfig('accept', { binds: [bind(lbdAccept, true)], defaultBackend: 'to_hs', timeouts: to }),
        frontendConfig('v1', { binds: [bind(lbdV1, false)], defaultBackend: 'to_hx_v1', timeouts: to }),
        frontendConfig('v2', { binds: [bind(lbdV2, false)], defaultBackend: 'to_hx_v2', timeouts: to }),
      ],
    ),
  );
  t.after(async () => {
    await rt.closeListeners();
    rt.shutdown();
  });
  const dir = mkdtempSync(join(tmpdir(), 'lbd-pp-'));
  const file = join(dir, 'h.cfg');
  writeFileSync(
    file,
    [
      'defaults',
      '    mode tcp',
      '    timeout connect 1s',
      '    timeout client 5s',
      '    timeout server 5s',
      'listen send_v1',
      `    bind 127.0.0.1:${hxV1}`,
      `    server lbd 127.0.0.1:${lbdAccept} send-proxy`,
      'listen send_v2',
      `    bind 127.0.0.1:${hxV2}`,
      `    server lbd 127.0.0.1:${lbdAccept} send-proxy-v2`,
      'listen accept',
      `    bind 127.0.0.1:${hxAccept} accept-proxy`,
      `    server hs 127.0.0.1:${hs.port} send-proxy`,
      '',
    ].join('\n'),
  );
  const proc = spawn(HAPROXY, ['-db', '-f', file], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  proc.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  t.after(() => {
    proc.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  });
  await waitFor(async () => {
    if (proc.exitCode !== null) throw new Error(`haproxy exited: ${stderr}`);
    return (await canConnect(hxV1)) && (await canConnect(hxV2)) && (await canConnect(hxAccept));
  }, 5000, 'haproxy listening');

  // HAProxy → lbd: lbd reads HAProxy's header and passes the client's addresses on
  for (const port of [hxV1, hxV2]) {
    const c = await connect(port);
    c.write('via haproxy');
    const { addr, payload } = await readHeaderAnswer(c, 11);
    assert.deepEqual(addr, { src: '127.0.0.1', srcPort: c.localPort, dst: '127.0.0.1', dstPort: port }, `haproxy port ${port}`);
    assert.equal(payload, 'via haproxy');
    c.destroy();
  }
  // lbd → HAProxy: HAProxy reads lbd's header (its own send-proxy shows what it understood)
  for (const port of [lbdV1, lbdV2]) {
    const c = await connect(port);
    c.write('via lbd');
    const { addr, payload } = await readHeaderAnswer(c, 7);
    assert.deepEqual(addr, { src: '127.0.0.1', srcPort: c.localPort, dst: '127.0.0.1', dstPort: port }, `lbd port ${port}`);
    assert.equal(payload, 'via lbd');
    c.destroy();
  }
});
