/**
 * Seamless reload, end to end: a real lbd, a client loop opening connections through it during 20
 * reloads (listeners kept, added and removed, servers added and removed, settings changed), and a
 * long-lived session that must survive them all.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Socket } from 'node:net';
import { startLbd } from '../helpers/lbd-process.js';
import { connect, freePort, namedServer, readLine } from '../helpers/net.js';
import { waitFor } from '../helpers/wait.js';

function cfg(port: number, extraPort: number | null, servers: { name: string; port: number }[], queue: number): string {
  return `global
    maxconn 2000
defaults
    mode tcp
    timeout connect 1s
    timeout client 10s
    timeout server 10s
    timeout queue ${queue}ms
frontend fe
    bind 127.0.0.1:${port}
${extraPort !== null ? `    bind 127.0.0.1:${extraPort}\n` : ''}    default_backend be
backend be
    balance roundrobin
${servers.map((s) => `    server ${s.name} 127.0.0.1:${s.port}`).join('\n')}
`;
}

test('20 reloads under a connection loop: no connection refused or reset, long-lived sessions survive', { timeout: 60_000 }, async (t) => {
  const a = await namedServer('a');
  const b = await namedServer('b');
  const c = await namedServer('c');
  const [port, extra] = [await freePort(), await freePort()];
  const base = [{ name: 's1', port: a.port }, { name: 's2', port: b.port }];
  const lbd = await startLbd(cfg(port, null, base, 1000));
  const errors: string[] = [];
  let ok = 0;
  let running = true;
  const longLived: Socket[] = [];
  try {
    for (let i = 0; i < 3; i++) {
      const s = await connect(port);
      assert.match(await readLine(s), /^[ab]$/);
      longLived.push(s);
    }
    // 8 workers, each opening a connection, reading the server's name, closing, again
    const worker = async () => {
      while (running) {
        try {
          const s = await connect(port);
          const line = await readLine(s, 5000);
          s.destroy();
          if (!/^[abc]$/.test(line)) errors.push(`unexpected answer '${line}'`);
          else ok++;
        } catch (e) {
          errors.push((e as Error).message);
        }
      }
    };
    const workers = Array.from({ length: 8 }, worker);

    for (let k = 1; k <= 20; k++) {
      // odd reloads add server s3 and a second listener and change a timeout; even ones take them away
      const odd = k % 2 === 1;
      lbd.writeConfig(cfg(port, odd ? extra : null, odd ? [...base, { name: 's3', port: c.port }] : base, 1000 + k));
      const before = ok;
      lbd.proc.kill('SIGHUP');
      await waitFor(() => lbd.lines.filter((l) => l.includes('Reloaded configuration (SIGHUP)')).length >= k, 5000, `reload ${k}`);
      const last = lbd.lines.filter((l) => l.includes('Reloaded configuration (SIGHUP)')).at(-1)!;
      assert.match(last, odd ? /server be\/s3 added.*listener 127\.0\.0\.1:\d+ added/ : /server be\/s3 removed.*listener 127\.0\.0\.1:\d+ removed/);
      // traffic keeps flowing between reloads
      await waitFor(() => ok > before + 20, 5000, `connections after reload ${k}`);
      if (odd) {
        const x = await connect(extra);
        assert.match(await readLine(x), /^[abc]$/);
        x.destroy();
      }
    }
    running = false;
    await Promise.all(workers);
    assert.deepEqual(errors, [], `${errors.length} failed connections out of ${ok + errors.length}`);
    assert.ok(ok > 400, `only ${ok} connections went through`);
    t.diagnostic(`${ok} connections through 20 reloads, ${errors.length} failed`);
    for (const s of longLived) {
      s.write('still here\n');
      assert.equal(await readLine(s), 'still here');
    }
    // the removed listener really is closed
    await assert.rejects(connect(extra), /ECONNREFUSED/);
  } finally {
    running = false;
    for (const s of longLived) s.destroy();
    await lbd.stop();
    await Promise.all([a.close(), b.close(), c.close()]);
  }
});

test('a reload with 1,000 servers applies in well under a second and reports its duration', { timeout: 30_000 }, async (t) => {
  const port = await freePort();
  const many = (n: number) => Array.from({ length: n }, (_, i) => ({ name: `s${i + 1}`, port: 20000 + (i % 1000) }));
  const lbd = await startLbd(cfg(port, null, many(1000), 1000));
  try {
    lbd.writeConfig(cfg(port, null, many(1000), 2000));
    lbd.proc.kill('SIGHUP');
    const line = await lbd.waitForLog(/Reloaded configuration \(SIGHUP\)/);
    const ms = Number(/\(([\d.]+) ms\)$/.exec(line)?.[1]);
    assert.ok(ms > 0 && ms < 1000, line);
    t.diagnostic(`reload of 1,000 servers: ${ms} ms`);
  } finally {
    await lbd.stop();
  }
});
