/** lbd and lbctl as processes: -c, -v, pidfile, reload by SIGHUP, graceful stop. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { LBCTL, LBD, run, startLbd, tempDir } from '../helpers/lbd-process.js';
import { closed, connect, freePort, namedServer, readLine } from '../helpers/net.js';
import { waitFor } from '../helpers/wait.js';

const GOOD = (port: number, sport: number) => `
defaults
    mode tcp
    timeout connect 1s
    timeout client 5s
    timeout server 5s

frontend fe
    bind 127.0.0.1:${port}
    default_backend be

backend be
    server s1 127.0.0.1:${sport}
`;

const BAD = `frontend fe
    bind 127.0.0.1:1
    default_backend nope
    maxconn many

backend be
    balance roundrobbin
    server s1 127.0.0.1:80 chek
    server s2 127.0.0.1:81 track be/s9
`;

test('lbd -c: a valid config exits 0 and says so', async () => {
  const t = tempDir();
  try {
    const f = join(t.dir, 'ok.cfg');
    writeFileSync(f, GOOD(10000, 10001));
    const r = await run(process.execPath, [LBD, '-c', '-f', f]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /Configuration file is valid/);
  } finally {
    t.cleanup();
  }
});

test('lbd -c: a bad config exits 1 and prints every error as file:line: message, with hints', async () => {
  const t = tempDir();
  try {
    const f = join(t.dir, 'bad.cfg');
    writeFileSync(f, BAD);
    const r = await run(process.execPath, [LBD, '-c', '-f', f]);
    assert.equal(r.code, 1);
    const errs = r.stderr.split('\n').filter((l) => l.startsWith(f + ':'));
    // one run reports all of them
    assert.ok(errs.some((l) => l.startsWith(`${f}:3:`) && /nope/.test(l)), r.stderr);
    assert.ok(errs.some((l) => l.startsWith(`${f}:4:`) && /maxconn/.test(l)), r.stderr);
    assert.ok(errs.some((l) => l.startsWith(`${f}:7:`) && /did you mean 'roundrobin'/.test(l)), r.stderr);
    assert.ok(errs.some((l) => l.startsWith(`${f}:8:`) && /did you mean 'check'/.test(l)), r.stderr);
    assert.ok(errs.some((l) => l.startsWith(`${f}:9:`) && /s9/.test(l)), r.stderr);
    assert.doesNotMatch(r.stderr, /at .*\.js:\d+/, 'no stack trace');
  } finally {
    t.cleanup();
  }
});

test('lbd -v prints the version; a missing file is an error, not a crash', async () => {
  const v = await run(process.execPath, [LBD, '-v']);
  assert.equal(v.code, 0);
  assert.match(v.stdout, /^lbd version \d+\.\d+\.\d+/);
  const m = await run(process.execPath, [LBD, '-c', '-f', '/nonexistent/lbd.cfg']);
  assert.equal(m.code, 1);
  assert.match(m.stderr, /\/nonexistent\/lbd\.cfg/);
  assert.doesNotMatch(m.stderr, /at .*\.js:\d+/);
  const u = await run(process.execPath, [LBD, '--bogus']);
  assert.equal(u.code, 1);
  assert.match(u.stderr, /Usage: lbd/);
});

test('lbctl check: exit codes, messages and --json', async () => {
  const t = tempDir();
  try {
    const good = join(t.dir, 'ok.cfg');
    const bad = join(t.dir, 'bad.cfg');
    writeFileSync(good, GOOD(10000, 10001));
    writeFileSync(bad, BAD);
    const ok = await run(process.execPath, [LBCTL, 'check', good]);
    assert.equal(ok.code, 0);
    assert.match(ok.stdout, /valid/);
    const ko = await run(process.execPath, [LBCTL, 'check', bad]);
    assert.equal(ko.code, 1);
    assert.match(ko.stderr, new RegExp(`${bad}:8: .*did you mean 'check'`));
    const js = await run(process.execPath, [LBCTL, 'check', '--json', bad]);
    assert.equal(js.code, 1);
    const out = JSON.parse(js.stdout) as { valid: boolean; diagnostics: { severity: string; file: string; line: number; message: string }[] };
    assert.equal(out.valid, false);
    assert.ok(out.diagnostics.some((d) => d.line === 8 && d.file === bad && d.severity === 'error'));
    const usage = await run(process.execPath, [LBCTL, 'check']);
    assert.equal(usage.code, 2);
  } finally {
    t.cleanup();
  }
});

test('pidfile, SIGHUP reload (valid: applied and logged; invalid: running config stays), graceful SIGTERM', async () => {
  const a = await namedServer('a');
  const b = await namedServer('b');
  const port = await freePort();
  const pid = tempDir();
  const pidfile = join(pid.dir, 'lbd.pid');
  const lbd = await startLbd(GOOD(port, a.port), { args: ['-p', pidfile] });
  try {
    assert.equal(readFileSync(pidfile, 'utf8').trim(), String(lbd.proc.pid));
    let c = await connect(port);
    assert.equal(await readLine(c), 'a');
    // a long-lived session that must survive reloads and the graceful stop
    const longLived = c;

    // valid reload: the server now points at b; the listener keeps its socket
    lbd.writeConfig(GOOD(port, b.port));
    lbd.proc.kill('SIGHUP');
    await lbd.waitForLog(/Reloaded configuration \(SIGHUP\): .*server be\/s1 changed/);
    c = await connect(port);
    assert.equal(await readLine(c), 'b');
    c.destroy();

    // invalid reload: every error logged with file:line, nothing changes
    lbd.writeConfig(BAD);
    lbd.proc.kill('SIGHUP');
    await lbd.waitForLog(/Reload \(SIGHUP\) failed: .*the running configuration stays/);
    assert.ok(lbd.lines.some((l) => l.startsWith(`${lbd.cfgPath}:8:`)));
    c = await connect(port);
    assert.equal(await readLine(c), 'b');
    c.destroy();

    longLived.write('still alive\n');
    assert.equal(await readLine(longLived), 'still alive');

    // graceful stop: the listener closes at once, the established session finishes, then exit 0
    lbd.proc.kill('SIGTERM');
    await lbd.waitForLog(/stopping gracefully \([12] sessions in progress\)/);
    await waitFor(async () => {
      try {
        (await connect(port)).destroy();
        return false;
      } catch {
        return true;
      }
    }, 3000, 'listener closed');
    longLived.write('during stop\n');
    assert.equal(await readLine(longLived), 'during stop');
    assert.equal(lbd.proc.exitCode, null, 'still running while a session is open');
    longLived.end();
    await closed(longLived);
    const code = await lbd.stop('SIGTERM', 5000);
    assert.equal(code, 0);
    assert.equal(existsSync(pidfile), false, 'pidfile removed on a clean stop');
  } finally {
    await lbd.stop('SIGKILL');
    pid.cleanup();
    await a.close();
    await b.close();
  }
});

test('hard-stop-after bounds the graceful stop', async () => {
  const a = await namedServer('a');
  const port = await freePort();
  const lbd = await startLbd(`global\n    hard-stop-after 300ms\n${GOOD(port, a.port)}`);
  try {
    const c = await connect(port);
    assert.equal(await readLine(c), 'a');
    const t0 = Date.now();
    lbd.proc.kill('SIGTERM');
    await closed(c, 5000);
    const ms = Date.now() - t0;
    assert.ok(ms >= 250 && ms < 3000, `session closed after ${ms} ms`);
    assert.equal(await lbd.stop('SIGTERM'), 0);
  } finally {
    await lbd.stop('SIGKILL');
    await a.close();
  }
});

test('a port already in use fails the start with a clear message and exit 1', async () => {
  const a = await namedServer('a');
  try {
    const lbd = await startLbd(GOOD(a.port, a.port), { waitStarted: false });
    const line = await lbd.waitForLog(/cannot bind socket/);
    assert.match(line, /Address already in use.*127\.0\.0\.1:\d+/);
    const code = await new Promise<number | null>((r) => (lbd.proc.exitCode !== null ? r(lbd.proc.exitCode) : lbd.proc.once('exit', (c) => r(c))));
    assert.equal(code, 1);
    await lbd.stop();
  } finally {
    await a.close();
  }
});

test('a config with backends only (checks, no frontend) keeps running until stopped', async () => {
  const a = await namedServer('a');
  const lbd = await startLbd(`backend mon\n    server s1 127.0.0.1:${a.port} check inter 50ms\n`);
  try {
    await waitFor(() => a.accepted >= 3, 3000, 'checks to keep running');
    assert.equal(lbd.proc.exitCode, null);
    assert.equal(await lbd.stop('SIGTERM'), 0);
  } finally {
    await lbd.stop('SIGKILL');
    await a.close();
  }
});

test('a SIGHUP during a reload is not lost: the last written config is the one applied', async () => {
  const a = await namedServer('a');
  const b = await namedServer('b');
  const c2 = await namedServer('c');
  const port = await freePort();
  const lbd = await startLbd(GOOD(port, a.port));
  try {
    lbd.writeConfig(GOOD(port, b.port));
    lbd.proc.kill('SIGHUP');
    lbd.writeConfig(GOOD(port, c2.port));
    lbd.proc.kill('SIGHUP');
    await waitFor(async () => {
      const c = await connect(port);
      const who = await readLine(c);
      c.destroy();
      return who === 'c';
    }, 5000, 'the second config to be applied');
  } finally {
    await lbd.stop();
    await a.close();
    await b.close();
    await c2.close();
  }
});
