/** Listener forms: comma lists, IPv6 literals, ipv6@ wildcards, and fd@N sockets inherited from a supervisor. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { spawn, spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { LBD, startLbd, tempDir } from '../helpers/lbd-process.js';
import { freePort, namedServer, readLine } from '../helpers/net.js';
import { lbdArgv } from '../../shared/lbd-command.js';

function dial(host: string, port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const s = net.connect({ host, port });
    s.on('error', reject);
    s.once('connect', () => {
      readLine(s).then((l) => {
        s.destroy();
        resolve(l);
      }, reject);
    });
  });
}

const hasV6 = (() => {
  const r = spawnSync('ip', ['-6', 'addr', 'show', 'lo'], { encoding: 'utf8' });
  return r.status === 0 ? /::1\/128/.test(r.stdout) : true;
})();

test('bind: comma lists, [v6]:port, ipv6@:port and names', { skip: hasV6 ? false : 'no IPv6 loopback on this machine' }, async () => {
  const s = await namedServer('s');
  const [p1, p2, p3] = [await freePort(), await freePort(), await freePort()];
  const lbd = await startLbd(`
frontend fe
    bind 127.0.0.1:${p1},[::1]:${p2} name both
    bind ipv6@:${p3}
    default_backend be
backend be
    server s1 127.0.0.1:${s.port}
`);
  try {
    assert.equal(await dial('127.0.0.1', p1), 's');
    assert.equal(await dial('::1', p2), 's');
    assert.equal(await dial('::1', p3), 's');
  } finally {
    await lbd.stop();
    await s.close();
  }
});

const hasPython = spawnSync('python3', ['-c', 'pass']).status === 0;

test('bind fd@3: a listening socket inherited from a supervisor (systemd-style)', { skip: hasPython ? false : 'python3 is needed to hand lbd a listening socket' }, async () => {
  const s = await namedServer('s');
  const t = tempDir();
  const cfg = join(t.dir, 'lbd.cfg');
  writeFileSync(cfg, `frontend fe\n    bind fd@3\n    default_backend be\nbackend be\n    server s1 127.0.0.1:${s.port}\n`);
  // python3 plays the supervisor: bind a socket, put it at fd 3, print the port, exec lbd
  const py = `
import os, socket, sys
s = socket.socket(); s.bind(("127.0.0.1", 0)); s.listen(128)
os.dup2(s.fileno(), 3); os.set_inheritable(3, True)
print(s.getsockname()[1], flush=True)
os.execvp(sys.argv[1], sys.argv[1:])
`;
  const child = spawn('python3', ['-c', py, process.execPath, ...lbdArgv(LBD), '-f', cfg], { stdio: ['ignore', 'pipe', 'pipe'] });
  let err = '';
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  try {
    const port = await new Promise<number>((resolve, reject) => {
      child.stdout.once('data', (d: Buffer) => resolve(Number(d.toString().trim())));
      child.once('exit', (c) => reject(new Error(`exited ${c}: ${err}`)));
    });
    // wait for lbd to have started (its log), then the inherited socket serves
    const deadline = Date.now() + 10000;
    while (!/started/.test(err) && Date.now() < deadline) await new Promise((r) => child.stderr.once('data', r));
    assert.match(err, /started/);
    assert.equal(await dial('127.0.0.1', port), 's');
  } finally {
    child.kill('SIGTERM');
    await new Promise((r) => (child.exitCode !== null ? r(null) : child.once('exit', r)));
    t.cleanup();
    await s.close();
  }
});
