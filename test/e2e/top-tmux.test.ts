/**
 * `lbctl top` end to end, as a person sees it: tmux (a private server, `-L`, so nobody's sessions are
 * touched) runs the console at 80x24 against a real lbd on three demo backends with the issue's TCP +
 * `track` config (checks every second, fall 2, rise 2). The screen is polled with capture-pane until
 * every server shows; `d` then `y` on monitoring/server-2 puts it in MAINT as the runtime API reports
 * it (and its tracker in `MAINT (via …)` on screen); a backend whose /readyz turns 503 shows DOWN
 * within the check interval; a resize to 60x20 stays readable; `q` exits 0 with the terminal restored.
 * Run as an operator runs it, `lbctl top`; piped, it prints one snapshot and exits.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { join } from 'node:path';
import { startDemoBackend, type DemoBackend } from '../../examples/demo-backend.js';
import { LBCTL, run as runCmd, startLbd, tempDir, type LbdProcess } from '../helpers/lbd-process.js';
import { freePort } from '../helpers/net.js';
import { trackConfigText } from '../helpers/configs.js';
import { waitFor } from '../helpers/wait.js';
import { TmuxServer, tmuxMissing } from '../helpers/tmux.js';

const skip = tmuxMissing;
const haveTmux = !tmuxMissing;
const server = new TmuxServer('lbd-top-test');
const tmux = (...args: string[]) => server.cmd(...args);
/** Every wait on the screen is bounded by this. */
const DEADLINE_MS = 15_000;
const until = (name: string, what: string, ok: (text: string) => boolean, ms = DEADLINE_MS, history = false) => server.until(name, what, ok, ms, history);

let backends: DemoBackend[] = [];
let lbd: LbdProcess | undefined;
let dir: { dir: string; cleanup(): void } | undefined;
let sock = '';

/** One runtime API command on the text socket (HAProxy's one-shot mode): the answer. */
function runtimeApi(line: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const s = net.connect(sock);
    let out = '';
    s.setTimeout(5000, () => s.destroy(new Error(`no answer to ${line}`)));
    s.on('data', (d) => (out += d.toString()));
    s.on('error', reject);
    s.on('close', () => resolve(out));
    s.write(`${line}\n`);
  });
}

/** The `status` column of one server in `show stat`. */
async function statStatus(backend: string, server: string): Promise<string | undefined> {
  const csv = await runtimeApi('show stat');
  const head = csv.split('\n')[0]!.replace(/^# /, '').split(',');
  const col = head.indexOf('status');
  return csv.split('\n').map((l) => l.split(',')).find((f) => f[0] === backend && f[1] === server)?.[col];
}

before(async () => {
  if (!haveTmux) return;
  dir = tempDir('lbd-top-e2e-');
  sock = join(dir.dir, 'admin.sock');
  backends = await Promise.all([1, 2, 3].map((i) => startDemoBackend({ name: `backend-${i}` })));
  const ports = backends.map((b) => b.port);
  lbd = await startLbd(trackConfigText({ ports, frontendPort: await freePort(), socket: sock, level: 'admin', inter: '1s' }));
});

after(async () => {
  if (haveTmux) await tmux('kill-server').catch(() => {});
  await lbd?.stop('SIGTERM');
  await Promise.all(backends.map((b) => b.close()));
  dir?.cleanup();
});

/** Every server of the track config on screen, with its backend above it. */
function everyServer(t: string): boolean {
  const myApp = t.indexOf('▾ myApp');
  const mon = t.indexOf('▾ monitoring');
  if (myApp < 0 || mon < 0) return false;
  const count = (s: string) => ['server-1', 'server-2', 'server-3'].every((n) => s.includes(n));
  return count(t.slice(myApp, mon)) && count(t.slice(mon));
}

test('top in tmux: every server, d+y puts server-2 in MAINT, a 503 shows DOWN, 60x20 stays readable, q restores the terminal', { skip, timeout: 90_000 }, async () => {
  const q = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;
  const cmd = `${q(process.execPath)} ${q(LBCTL)} -s ${q(sock)} top -i 500; echo "TOP-EXIT=$?"; stty -a | tr ' ;' '\\n\\n' | grep -E '^-?(icanon|echo)$' | tr '\\n' ' '; echo`;
  await tmux('new-session', '-d', '-s', 'top', '-x', '80', '-y', '24', `env LANG=C.UTF-8 sh -c ${q(cmd)}`, ';', 'set-option', '-t', 'top', 'remain-on-exit', 'on');

  const first = await until('top', 'every server at 80x24', (t) => everyServer(t) && /✓ 6 UP/.test(t));
  assert.match(first, /lbd \d+\.\d+\.\d+/);
  assert.match(first, /via monitoring\/server-2/);
  assert.match(first, /L7OK 200/);
  for (const l of first.split('\n')) assert.ok(l.length <= 80, l);

  // monitoring/server-2: the 7th row (myApp, its 3 servers, monitoring, server-1, server-2)
  await tmux('send-keys', '-t', 'top', 'j', 'j', 'j', 'j', 'j', 'j');
  await until('top', 'the cursor on monitoring/server-2', (t) => /▶ ├ server-2 +✓ UP +L7OK/.test(t));
  await tmux('send-keys', '-t', 'top', 'd');
  const ask = await until('top', 'the confirmation', (t) => /Disable monitoring\/server-2\?/.test(t));
  assert.match(ask, /and through track: myApp\/server-2/);
  assert.equal(await statStatus('monitoring', 'server-2'), 'UP', 'nothing sent before y');
  await tmux('send-keys', '-t', 'top', 'y');
  await waitFor(async () => (await statStatus('monitoring', 'server-2')) === 'MAINT', DEADLINE_MS, 'the runtime API to report monitoring/server-2 in MAINT');
  assert.equal(await statStatus('myApp', 'server-2'), 'MAINT (via monitoring/server-2)');
  const maint = await until('top', 'MAINT on screen', (t) => /MAINT \(via monitoring\/server-2\)/.test(t) && /Disable monitoring\/server-2: UP → MAINT/.test(t));
  assert.match(maint, /■ 2 MAINT/);

  // /readyz of backend-3 turns 503: DOWN on screen within the check interval (fall 2 × inter 1s)
  backends[2]!.setReady(503);
  const t0 = Date.now();
  await until('top', 'server-3 DOWN', (t) => /└ server-3 +✗ DOWN +L7STS 503/.test(t) && /└ server-3 +✗ DOWN +via monitoring\/server-3/.test(t), 6000);
  assert.ok(Date.now() - t0 < 6000);

  await tmux('resize-window', '-t', 'top', '-x', '60', '-y', '20');
  const small = await until('top', 'the 60x20 layout', (t) => everyServer(t) && t.trimEnd().split('\n').length <= 20 && !/CHANGED/.test(t) && /NAME +STATE/.test(t));
  for (const l of small.split('\n')) assert.ok(l.length <= 60, `wider than 60: ${l}`);
  assert.match(small, /■ MAINT \(via monitoring\/server-2\)/, 'the inherited cause whole at 60 columns');
  assert.match(small, /✗ DOWN +L7STS 503/);

  await tmux('send-keys', '-t', 'top', 'q');
  // leaving the alternate screen puts the cursor back where it was; what the shell prints then can
  // scroll into the pane's history
  const done = await until('top', 'top to exit', (t) => /TOP-EXIT=\d+/.test(t) && /icanon|echo/.test(t), DEADLINE_MS, true);
  assert.match(done, /TOP-EXIT=0/);
  assert.match(done, /(^|\s)icanon(\s|$)/m, 'canonical mode restored');
  assert.match(done, /(^|\s)echo(\s|$)/m, 'echo restored');
  assert.equal((await tmux('display-message', '-p', '-t', 'top', '#{alternate_on}')).trim(), '0', 'back on the normal screen');
});

test('lbctl top piped: one plain snapshot with every server, exit 0', { skip, timeout: 30_000 }, async () => {
  const r = await runCmd(process.execPath, [LBCTL, '-s', sock, 'top'], { timeoutMs: 15_000, env: { ...process.env, COLUMNS: '100', LANG: 'C.UTF-8', LC_ALL: '' } });
  assert.equal(r.code, 0, r.stderr);
  assert.ok(!/\x1b/.test(r.stdout), 'no escape codes');
  assert.match(r.stdout, /^lbd \d/);
  assert.ok(everyServer(r.stdout), r.stdout);
  for (const l of r.stdout.split('\n')) assert.ok(l.length <= 100, l);
});
