/**
 * lbctl end to end: a real lbd with the issue's TCP + `track` config (server-2 lives in two backends) on
 * three demo backends, an admin and a user `stats socket`, and every lbctl subcommand spawned as a
 * process: output, --json shapes, exit codes, bare-name resolution.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { writeFileSync } from 'node:fs';
import { startDemoBackend, type DemoBackend } from '../../examples/demo-backend.js';
import { LBCTL, run, startLbd, tempDir, type LbdProcess } from '../helpers/lbd-process.js';
import { freePort } from '../helpers/net.js';
import { waitFor } from '../helpers/wait.js';

let backends: DemoBackend[] = [];
let lbd: LbdProcess;
let sockets: { dir: string; cleanup(): void };
let adminSock: string;
let userSock: string;
let config: string;

function trackConfig(feport: number, ports: number[], extra = ''): string {
  return `
global
    stats socket ${adminSock} level admin
    stats socket ${userSock} level user
defaults
    timeout connect 1s
    timeout client 10s
    timeout server 10s
frontend myApp
    bind 127.0.0.1:${feport}
    default_backend myApp
backend myApp
    mode tcp
${ports.map((p, i) => `    server server-${i + 1} 127.0.0.1:${p} track monitoring/server-${i + 1}`).join('\n')}
backend monitoring
    mode http
    option httpchk GET /readyz
    default-server inter 100ms fall 2 rise 2
${ports.map((p, i) => `    server server-${i + 1} 127.0.0.1:${p} check`).join('\n')}
${extra}`;
}

/** Run lbctl on the admin socket (or `sock`); JSON stdout parsed when it is JSON. */
async function lbctl(args: string[], sock = adminSock) {
  const r = await run(process.execPath, [LBCTL, '-s', sock, ...args]);
  let json: any;
  try {
    json = JSON.parse(r.stdout);
  } catch {
    json = undefined;
  }
  return { ...r, json };
}

async function statusOf(backend: string, server: string): Promise<string> {
  const r = await lbctl(['status', '--json']);
  return r.json.backends.find((b: any) => b.name === backend).servers.find((s: any) => s.name === server).status;
}

before(async () => {
  sockets = tempDir('lbctl-e2e-');
  adminSock = join(sockets.dir, 'admin.sock');
  userSock = join(sockets.dir, 'user.sock');
  backends = await Promise.all([1, 2, 3].map((i) => startDemoBackend({ name: `backend-${i}` })));
  config = trackConfig(await freePort(), backends.map((b) => b.port));
  lbd = await startLbd(config);
  await waitFor(async () => (await lbctl(['status', '--json'])).json?.backends[1].servers.every((s: any) => s.status === 'UP'), 5000, 'every server UP');
});

after(async () => {
  const code = await lbd?.stop('SIGTERM');
  await Promise.all(backends.map((b) => b.close()));
  sockets?.cleanup();
  assert.equal(code, 0);
});

test('status prints the table; --json the snapshot; --backend narrows; an unknown backend is exit 1', async () => {
  const t = await lbctl(['status']);
  assert.equal(t.code, 0, t.stderr);
  const lines = t.stdout.trimEnd().split('\n');
  assert.match(lines[0]!, /^BACKEND\s+SERVER\s+STATUS\s+WEIGHT\s+SESS\s+TOTAL\s+CHECK$/);
  assert.match(t.stdout, /^myApp\s+server-2\s+UP\s+1\s+0\s+0\s+L7OK\/200 \d+ms \(monitoring\/server-2\)$/m);
  assert.match(t.stdout, /^monitoring\s+-\s+UP \(3\/3 up\)/m);
  assert.equal(lines.length, 1 + 2 * 4);
  const j = await lbctl(['status', '--json']);
  assert.deepEqual(j.json.backends.map((b: any) => b.name), ['myApp', 'monitoring']);
  assert.equal(typeof j.json.process.pid, 'number');
  assert.deepEqual((await lbctl(['status', '--json', '--backend', 'monitoring'])).json.backends.map((b: any) => b.name), ['monitoring']);
  const nope = await lbctl(['status', '--backend', 'nope']);
  assert.equal(nope.code, 1);
  assert.match(nope.stderr, /no backend named nope/);
});

test('disable with a bare name acts on every backend that has the server and says which; enable undoes it', async () => {
  const d = await lbctl(['disable', 'server-2']);
  assert.equal(d.code, 0, d.stderr);
  assert.equal(d.stdout, '');
  // statuses are read after both changes: myApp/server-2 tracks monitoring/server-2, HAProxy shows the inherited one
  assert.deepEqual(d.stderr.trimEnd().split('\n'), ['myApp/server-2: UP -> MAINT (via monitoring/server-2)', 'monitoring/server-2: UP -> MAINT']);
  assert.equal(await statusOf('monitoring', 'server-2'), 'MAINT');
  assert.equal(await statusOf('myApp', 'server-2'), 'MAINT (via monitoring/server-2)');

  const e = await lbctl(['enable', 'server-2', '--json']);
  assert.equal(e.code, 0, e.stderr);
  assert.equal(e.json.state, 'ready');
  assert.match(e.json.targets[0].to, /^UP/, 'read after both changes');
  assert.deepEqual(e.json.targets.map((t: any) => [t.backend, t.server, t.from]), [['myApp', 'server-2', 'MAINT (via monitoring/server-2)'], ['monitoring', 'server-2', 'MAINT']]);
  await waitFor(async () => (await statusOf('myApp', 'server-2')) === 'UP', 3000, 'server-2 UP again');
});

test('drain --backend narrows a bare name to one backend; backend/server names one server', async () => {
  const d = await lbctl(['drain', 'server-1', '--backend', 'myApp', '--json']);
  assert.equal(d.code, 0, d.stderr);
  assert.deepEqual(d.json, { state: 'drain', targets: [{ backend: 'myApp', server: 'server-1', from: 'UP', to: 'DRAIN' }] });
  assert.equal(await statusOf('monitoring', 'server-1'), 'UP');
  const e = await lbctl(['enable', 'myApp/server-1']);
  assert.equal(e.code, 0);
  assert.equal(e.stderr, 'myApp/server-1: DRAIN -> UP\n');
});

test('an unknown server is exit 1 with the reason; with --json the error is a JSON document', async () => {
  const r = await lbctl(['disable', 'nope']);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /No server named nope in any backend/);
  const j = await lbctl(['disable', 'myApp/nope', '--json']);
  assert.equal(j.code, 1);
  assert.deepEqual(j.json, { error: { code: 'not-found', message: 'No such server: myApp/nope' } });
  const malformed = await lbctl(['disable', 'myApp/']);
  assert.equal(malformed.code, 2, 'an argument lbd finds malformed is a usage error');
  assert.match(malformed.stderr, /expected backend\/server/);
});

test('weight sets n or n%, reports get weight; bad values are usage (2) or refused (1)', async () => {
  const w = await lbctl(['weight', 'myApp/server-3', '5']);
  assert.equal(w.code, 0, w.stderr);
  assert.equal(w.stderr, 'myApp/server-3: weight 5 (initial 1)\n');
  const j = await lbctl(['weight', 'server-3', '100%', '--backend', 'myApp', '--json']);
  assert.equal(j.code, 0);
  assert.deepEqual(j.json.targets.map((t: any) => t.weight), ['1 (initial 1)']);
  assert.equal((await lbctl(['weight', 'server-3', 'heavy'])).code, 2);
  const over = await lbctl(['weight', 'myApp/server-3', '300']);
  assert.equal(over.code, 1);
  assert.match(over.stderr, /Absolute weight can only be between 0 and 256/);
});

test('a user-level socket can read but not change: exit 1, permission denied', async () => {
  assert.equal((await lbctl(['status'], userSock)).code, 0);
  const r = await lbctl(['disable', 'server-3'], userSock);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /Permission denied/);
  assert.equal(await statusOf('monitoring', 'server-3'), 'UP');
});

test('reload prints the changes; a config with errors is refused with every error as file:line (exit 1)', async () => {
  lbd.writeConfig(config.replace('backend monitoring', 'backend spare\n    server spare-1 127.0.0.1:1\nbackend monitoring'));
  const ok = await lbctl(['reload']);
  assert.equal(ok.code, 0, ok.stderr);
  assert.match(ok.stdout, /spare/);
  assert.match(ok.stderr, /^reloaded in [\d.]+ ms: \d+ changes?$/m);

  lbd.writeConfig(config.replace('mode tcp', 'mode tcp\n    balance nonsense\n    srever x 1.2.3.4:5'));
  const bad = await lbctl(['reload', '--json']);
  assert.equal(bad.code, 1);
  assert.equal(bad.json.ok, false);
  assert.deepEqual(Object.keys(bad.json).sort(), ['changes', 'durationMs', 'errors', 'ok', 'warnings']);
  assert.equal(bad.json.errors.length, 2);
  for (const e of bad.json.errors) assert.match(e, /lbd\.cfg:\d+: /);
  for (const e of bad.json.errors) assert.ok(bad.stderr.includes(e), 'each error on stderr too');

  lbd.writeConfig(config);
  const back = await lbctl(['reload', '--json']);
  assert.equal(back.json.ok, true);
  assert.ok(back.json.changes.some((c: string) => /spare/.test(c)));
});

test('events lists recent state changes; --json is an array of events; -n limits', async () => {
  await lbctl(['drain', 'myApp/server-3']);
  await lbctl(['enable', 'myApp/server-3']);
  const r = await lbctl(['events']);
  assert.equal(r.code, 0);
  assert.match(r.stdout, /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3}  server-admin\s+Server myApp\/server-3 /m);
  const j = await lbctl(['events', '--json', '-n', '2']);
  assert.equal(j.json.length, 2);
  assert.deepEqual(Object.keys(j.json[0]).sort(), ['cause', 'from', 'kind', 'message', 'object', 'seq', 'time', 'to']);
  assert.equal(j.json[1].object, 'myApp/server-3');
  assert.equal((await lbctl(['events', '-n', 'many'])).code, 2);
});

test('show passes a runtime API show command through; an error answer is exit 1 on stderr', async () => {
  const stat = await lbctl(['show', 'stat']);
  assert.equal(stat.code, 0);
  assert.match(stat.stdout, /^# pxname,svname,qcur,/);
  assert.match(stat.stdout, /^monitoring,server-2,/m);
  const typed = await lbctl(['show', 'stat', '-1', '4', '-1']);
  assert.ok(!/FRONTEND|BACKEND/.test(typed.stdout), 'the filter words reach the daemon');
  const j = await lbctl(['show', 'servers', 'state', '--json']);
  assert.equal(j.json.command, 'show servers state');
  assert.match(j.json.output, /^1\n# be_id be_name/);
  const bad = await lbctl(['show', 'bogus']);
  assert.equal(bad.code, 1);
  assert.equal(bad.stdout, '');
  assert.match(bad.stderr, /^Unknown command/);
});

test('version names lbctl and the running lbd; check validates configs offline; completion prints scripts', async () => {
  const v = await lbctl(['version']);
  assert.equal(v.code, 0);
  assert.match(v.stdout, /^lbctl \d+\.\d+\.\d+ \(protocol 1\)\nlbd \d+\.\d+\.\d+ \(protocol 1, pid \d+, level admin, socket .*admin\.sock\)\n$/);
  const vj = await lbctl(['version', '--json']);
  assert.equal(vj.json.daemon.pid, lbd.proc.pid);
  assert.equal(vj.json.client.protocol, 1);

  const good = await lbctl(['check', lbd.cfgPath]);
  assert.equal(good.code, 0);
  assert.equal(good.stdout, 'Configuration file is valid\n');
  const badCfg = join(sockets.dir, 'bad.cfg');
  writeFileSync(badCfg, 'backend b\n    server s 1.2.3.4:5 chekc\n');
  const bad = await lbctl(['check', '--json', badCfg]);
  assert.equal(bad.code, 1);
  assert.equal(bad.json.valid, false);

  const bash = await lbctl(['completion', 'bash']);
  assert.equal(bash.code, 0);
  assert.match(bash.stdout, /complete -F _lbctl lbctl/);
  assert.match(bash.stdout, /disable\) opts=.*__servers/);
  assert.match((await lbctl(['completion', 'zsh'])).stdout, /^#compdef lbctl/);
  assert.equal((await lbctl(['completion', 'fish'])).code, 2);
  const names = await lbctl(['__servers']);
  assert.deepEqual(names.stdout.trim().split('\n').filter((n) => /server-2/.test(n)), ['monitoring/server-2', 'myApp/server-2', 'server-2']);
});

/** Spawn a long-running lbctl, collect stdout, stop it with SIGINT; resolves with its exit code. */
function follow(args: string[]) {
  const p = spawn(process.execPath, [LBCTL, '-s', adminSock, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  p.stdout.on('data', (d: Buffer) => (out += d.toString()));
  p.stderr.on('data', (d: Buffer) => (err += d.toString()));
  const exited = new Promise<number | null>((r) => p.on('exit', (code) => r(code)));
  return {
    out: () => out,
    err: () => err,
    async stop() {
      p.kill('SIGINT');
      const t = setTimeout(() => p.kill('SIGKILL'), 3000);
      const code = await exited;
      clearTimeout(t);
      return code;
    },
  };
}

test('status --watch redraws on each snapshot and shows a change; SIGINT ends it with 0', async () => {
  const w = follow(['status', '--watch', '--interval', '100']);
  try {
    await waitFor(() => (w.out().match(/^BACKEND/gm) ?? []).length >= 2, 5000, 'two redraws');
    await lbctl(['disable', 'monitoring/server-3']);
    await waitFor(() => /^monitoring\s+server-3\s+MAINT/m.test(w.out().slice(w.out().lastIndexOf('BACKEND'))), 3000, 'the change in a redraw');
  } finally {
    assert.equal(await w.stop(), 0);
    await lbctl(['enable', 'monitoring/server-3']);
  }
});

test('events --follow --json prints one event per line as they happen; SIGINT ends it with 0', async () => {
  const f = follow(['events', '--follow', '--json', '-n', '0']);
  try {
    // the follower is subscribed once a change made now shows up
    await waitFor(async () => {
      await lbctl(['drain', 'myApp/server-1']);
      await lbctl(['enable', 'myApp/server-1']);
      return f.out().includes('"object":"myApp/server-1"');
    }, 5000, 'an event line');
    for (const line of f.out().trimEnd().split('\n')) assert.equal(JSON.parse(line).kind.startsWith('server-'), true);
  } finally {
    assert.equal(await f.stop(), 0);
  }
});
