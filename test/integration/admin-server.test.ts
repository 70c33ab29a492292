/**
 * The admin socket server: file modes, stale and live socket files, the default path, sockets added,
 * removed and re-levelled on reload, the HTTP hand-off, and a client that floods without reading.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AdminServer, AdminSocketError, MAX_CONNECTIONS } from '../../daemon/admin/server.js';
import { OUTPUT_HIGH_WATER } from '../../daemon/admin/cli.js';
import { memoryLogger } from '../../daemon/log.js';
import { VERSION } from '../../daemon/version.js';
import { connectUnix, exchange, loadText, promptClient, startAdmin, trackConfig } from './admin-harness.js';
import { waitFor } from '../helpers/wait.js';

const mode = (p: string) => statSync(p).mode & 0o777;

test('socket files get their configured mode (0600 default in lbd, 0660 here), whatever the umask', async () => {
  const old = process.umask(0o000);
  try {
    const h = await startAdmin(trackConfig().replace('@DIR@/user.sock level user', '@DIR@/user.sock mode 660 level user'));
    try {
      assert.equal(mode(h.sock), 0o600);
      assert.equal(mode(`${h.dir}/user.sock`), 0o660);
    } finally {
      await h.close();
    }
  } finally {
    process.umask(old);
  }
});

/** A socket file whose process died without removing it: nobody accepts on it. */
function staleSocket(path: string): void {
  const r = spawnSync(process.execPath, ['-e', `require('net').createServer().listen(${JSON.stringify(path)}, () => process.kill(process.pid, 'SIGKILL'))`]);
  assert.equal(r.signal, 'SIGKILL');
  assert.ok(statSync(path).isSocket(), 'the stale socket file is left behind');
}

test('a stale socket file is replaced; a live one is an error at start; so is a non-socket file', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'lbd-admin-files-'));
  try {
    staleSocket(join(dir, 'admin.sock'));
    const h = await startAdmin(`global\n    stats socket ${dir}/admin.sock level admin\n` + trackConfig().split('\n').slice(4).join('\n'));
    try {
      assert.equal(await exchange(h.sock, 'show cli level\n'), 'admin\n\n');
      assert.ok(h.log.lines.some((l) => /replacing a stale socket file/.test(l)));

      // another server with the same socket: refused with a clear message, the live socket untouched
      const other = new AdminServer({ runtime: h.rt, control: h.control }, memoryLogger());
      await assert.rejects(other.start(h.rt.config!), (e: Error) => {
        assert.ok(e instanceof AdminSocketError);
        assert.match(e.message, new RegExp(`cannot open admin socket ${dir}/admin.sock: another process is listening on it`));
        return true;
      });
      await other.close();
      assert.equal(await exchange(h.sock, 'show cli level\n'), 'admin\n\n', 'the first server still answers');
    } finally {
      await h.close();
    }
    assert.ok(!existsSync(join(dir, 'admin.sock')), 'closing unlinks the socket file');

    writeFileSync(join(dir, 'plain'), 'not a socket');
    await assert.rejects(startAdmin(`global\n    stats socket ${dir}/plain\n` + trackConfig().split('\n').slice(4).join('\n')), /cannot open admin socket .*plain: the path exists and is not a socket/);
    await assert.rejects(startAdmin(`global\n    stats socket ${dir}/no/such/dir/a.sock\n` + trackConfig().split('\n').slice(4).join('\n')), /cannot open admin socket .*a\.sock: its directory .*\/no\/such\/dir does not exist/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('no stats socket in the config: the default path, its directory created 0700, level admin; live there is a warning', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'lbd-admin-default-'));
  const path = join(dir, 'run', 'lbd', 'admin.sock');
  const h = await startAdmin(`global\n    stats socket @DIR@/x.sock\n` + trackConfig().split('\n').slice(4).join('\n'));
  const config = await loadText(h.cfgPath);
  const noSockets = { ...config, global: { ...config.global, statsSockets: [] } };
  const a = new AdminServer({ runtime: h.rt, control: h.control }, memoryLogger(), { defaultPath: path });
  const log2 = memoryLogger();
  const b = new AdminServer({ runtime: h.rt, control: h.control }, log2, { defaultPath: path });
  try {
    await a.start(noSockets);
    assert.equal(mode(join(dir, 'run', 'lbd')), 0o700);
    assert.equal(mode(path), 0o600);
    assert.equal(await exchange(path, 'show cli level\n'), 'admin\n\n');
    await b.start(noSockets); // does not throw: the default socket is optional
    assert.ok(log2.lines.some((l) => /another process is listening on it.*continuing without the default admin socket/.test(l)), log2.lines.join('\n'));
    assert.deepEqual(b.sockets(), []);
  } finally {
    await b.close();
    await a.close();
    await h.close();
    rmSync(dir, { recursive: true, force: true });
  }
  assert.ok(!existsSync(path));
});

test('reload: sockets are added and removed, levels and modes change in place (sessions are lowered, never raised)', async () => {
  const h = await startAdmin(trackConfig());
  const user = `${h.dir}/user.sock`;
  const oper = `${h.dir}/oper.sock`;
  const added = `${h.dir}/new.sock`;
  try {
    const c = await promptClient(h.sock);
    assert.equal(await c.send('prompt\n'), '\n> ');
    const next = trackConfig()
      .replace('@DIR@/admin.sock mode 600 level admin', '@DIR@/admin.sock mode 640 level operator')
      .replace('    stats socket @DIR@/user.sock level user\n', `    stats socket @DIR@/new.sock level user\n`);
    h.writeConfig(next);
    assert.match(await exchange(h.sock, 'reload\n'), /^Success=1\n/);
    assert.match(await exchange(h.sock, 'reload\n'), /^Permission denied/, 'the admin socket is operator now');
    assert.equal(await c.send('show cli level\n'), 'operator\n\n> ', 'the open admin session was lowered');
    c.close();
    assert.equal(mode(h.sock), 0o640);
    assert.ok(!existsSync(user), 'the removed socket is gone');
    assert.equal(await exchange(added, 'show cli level\n'), 'user\n\n');
    assert.deepEqual(h.admin.sockets().map((s) => `${s.path.slice(h.dir.length + 1)} ${s.level}`), ['admin.sock operator', 'oper.sock operator', 'new.sock user']);
  } finally {
    await h.close();
  }
});

test('the reload itself goes through the admin socket and updates the sockets before it answers', async () => {
  const h = await startAdmin(trackConfig());
  try {
    h.writeConfig(trackConfig().replace('    stats socket @DIR@/user.sock level user\n', '    stats socket @DIR@/user.sock level user\n    stats socket @DIR@/more.sock level admin\n'));
    assert.match(await exchange(h.sock, 'reload\n'), /^Success=1\n--\n/);
    assert.equal(await exchange(`${h.dir}/more.sock`, 'show cli level\n'), 'admin\n\n');
  } finally {
    await h.close();
  }
});

test('an HTTP request (GET ) is handed to the WebSocket side with its first bytes and the socket level', async () => {
  const seen: { head: string; level: string }[] = [];
  const h = await startAdmin(trackConfig(), {
    handoff: (sock, head, level) => {
      seen.push({ head: head.toString(), level });
      sock.end('HTTP/1.1 204 No Content\r\n\r\n');
    },
  });
  try {
    const got = await exchange(`${h.dir}/oper.sock`, 'GET /ws HTTP/1.1\r\nHost: x\r\n\r\n');
    assert.equal(got, 'HTTP/1.1 204 No Content\r\n\r\n');
    assert.equal(seen.length, 1);
    assert.match(seen[0]!.head, /^GET \/ws HTTP\/1\.1/);
    assert.equal(seen[0]!.level, 'operator');
    // byte by byte: "G", "E" could still be HTTP; "get weight" is a command
    assert.equal(await exchange(h.sock, 'get weight myApp/server-1\n'), '1 (initial 1)\n\n');
    assert.equal(seen.length, 1);
  } finally {
    await h.close();
  }
});

test('a client that floods commands and never reads holds bounded memory and does not block another client', async () => {
  const h = await startAdmin(trackConfig());
  const flood = await connectUnix(h.sock);
  try {
    flood.pause(); // never read
    const answer = await exchange(h.sock, 'show stat\n');
    const batch = 'show stat\n'.repeat(200);
    flood.write('prompt\n');
    let written = 0;
    // keep writing until the server stops reading us (our own send buffer fills)
    await waitFor(() => {
      if (flood.writableLength > 1024 * 1024) return true;
      for (let i = 0; i < 10; i++) {
        flood.write(batch);
        written += batch.length;
      }
      return false;
    }, 10_000, 'the server to stop reading the flooding client');
    assert.ok(h.admin.maxPendingOutput() <= OUTPUT_HIGH_WATER + answer.length, `pending ${h.admin.maxPendingOutput()} bytes`);
    const t0 = performance.now();
    assert.equal(await exchange(h.sock, 'show version\n'), `${VERSION}\n\n`);
    const ms = performance.now() - t0;
    assert.ok(ms < 500, `another client answered in ${ms.toFixed(1)} ms`);
    assert.ok(written > 1024 * 1024, `flooded ${written} bytes`);
    assert.ok(h.admin.maxPendingOutput() <= OUTPUT_HIGH_WATER + answer.length, 'still bounded');
  } finally {
    flood.destroy();
    await h.close();
  }
});

test('beyond MAX_CONNECTIONS at once, new connections are closed at accept', async () => {
  const h = await startAdmin(trackConfig());
  const held: net.Socket[] = [];
  try {
    for (let i = 0; i < MAX_CONNECTIONS; i++) held.push(await connectUnix(h.sock));
    await waitFor(() => h.admin.connections() === MAX_CONNECTIONS, 3000, 'all connections accepted');
    assert.equal(await exchange(h.sock, 'show version\n'), '', 'the extra connection is closed without an answer');
    held.pop()!.destroy();
    await waitFor(() => h.admin.connections() < MAX_CONNECTIONS, 3000, 'a slot freed');
    assert.equal(await exchange(h.sock, 'show version\n'), `${VERSION}\n\n`);
  } finally {
    for (const s of held) s.destroy();
    await h.close();
  }
});
