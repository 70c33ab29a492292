/**
 * `lbctl dash` end to end, in a real terminal: tmux (a private server, so nobody's sessions are
 * touched) runs the dashboard against a real lbd on three demo backends (the issue's TCP + `track`
 * config, with monitoring/server-1 disabled so myApp/server-1 reads `MAINT (via monitoring/server-1)`),
 * on a user-level socket, since the dashboard only reads. The screen is polled with capture-pane until
 * the panels, their labels and the servers appear; a resize redraws; `q` exits 0 and leaves the
 * terminal as it was (normal screen, canonical mode and echo back). A second run against a socket with
 * nothing behind it shows the unreachable banner and still quits cleanly.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { startDemoBackend, type DemoBackend } from '../../examples/demo-backend.js';
import { LBCTL, startLbd, tempDir, type LbdProcess } from '../helpers/lbd-process.js';
import { freePort } from '../helpers/net.js';
import { trackConfigText } from '../helpers/configs.js';
import { TmuxServer, tmuxMissing } from '../helpers/tmux.js';

const skip = tmuxMissing;
const haveTmux = !tmuxMissing;
const server = new TmuxServer('lbd-dash-test');
const tmux = (...args: string[]) => server.cmd(...args);
/** Start `command` in a detached session of this size; the pane stays after it ends, to be read. */
const session = (name: string, cols: number, rows: number, command: string) => server.session(name, cols, rows, command, true);
const until = (name: string, what: string, ok: (text: string) => boolean, history = false) => server.until(name, what, ok, DEADLINE_MS, history);
/** Every wait on the screen is bounded by this. */
const DEADLINE_MS = 15_000;

let backends: DemoBackend[] = [];
let lbd: LbdProcess | undefined;
let dir: { dir: string; cleanup(): void } | undefined;
let userSock = '';

/** The dashboard, then what the terminal looks like once it exited: its status, and stty's modes. */
function dashCommand(args: string): string {
  const q = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;
  return `sh -c ${q(`${q(process.execPath)} ${q(LBCTL)} dash ${args}; echo "DASH-EXIT=$?"; stty -a | tr ' ;' '\\n\\n' | grep -E '^-?(icanon|echo)$' | tr '\\n' ' '; echo`)}`;
}

/** Send q and wait for the pane's program to end; the screen then, and tmux's view of the terminal. */
async function quit(name: string): Promise<{ text: string; alternate: string }> {
  await tmux('send-keys', '-t', name, 'q');
  // leaving the alternate screen restores the cursor where it was, which tmux may have moved down on a
  // resize: what follows can scroll into the pane's history
  const text = await until(name, 'the dashboard to exit', (t) => /DASH-EXIT=\d+/.test(t) && /icanon|echo/.test(t), true);
  const alternate = (await tmux('display-message', '-p', '-t', name, '#{alternate_on}')).trim();
  return { text, alternate };
}

/** The dashboard's labels and the servers of the track config, whole. */
function dashboardDrawn(t: string, width: number): boolean {
  const lines = t.split('\n');
  return (
    /sessions\/s per backend/.test(t) &&
    /healthy servers/.test(t) &&
    /connection errors/.test(t) &&
    /events/.test(t) &&
    /servers .{0,6}\d/.test(t) &&
    /MAINT \(via monitoring\/server-1\)/.test(t) &&
    /myApp +server-2 +UP/.test(t) &&
    /monitoring +server-3 +UP/.test(t) &&
    /dash: connected to lbd/.test(t) &&
    !/unreachable|connection to lbd lost/.test(t) &&
    // the header's last word ends one column before the right edge
    lines.some((l) => /q quit\s*$/.test(l) && l.trimEnd().length === width - 1)
  );
}

before(async () => {
  if (!haveTmux) return;
  dir = tempDir('lbd-dash-e2e-');
  userSock = join(dir.dir, 'user.sock');
  backends = await Promise.all([1, 2, 3].map((i) => startDemoBackend({ name: `backend-${i}` })));
  const ports = backends.map((b) => b.port);
  lbd = await startLbd(trackConfigText({ ports, frontendPort: await freePort(), socket: userSock, level: 'user', inter: '100ms', disabled: [1] }));
});

after(async () => {
  if (haveTmux) await tmux('kill-server').catch(() => {});
  const code = await lbd?.stop('SIGTERM');
  await Promise.all(backends.map((b) => b.close()));
  dir?.cleanup();
  if (lbd) assert.equal(code, 0, 'lbd stopped cleanly');
});

test('dash draws every panel at 160×48, redraws at 100×30 after a resize, and q restores the terminal', { skip, timeout: 60_000 }, async () => {
  await session('big', 160, 48, dashCommand(`-s '${userSock}' -i 200`));
  const big = await until('big', 'the dashboard at 160×48', (t) => dashboardDrawn(t, 160));
  assert.match(big, /BACKEND +SERVER +STATUS/);

  await tmux('resize-window', '-t', 'big', '-x', '100', '-y', '30');
  const small = await until('big', 'the dashboard redrawn at 100×30', (t) => dashboardDrawn(t, 100) && t.split('\n').every((l) => l.trimEnd().length <= 100));
  assert.match(small, /MAINT \(via monitoring\/server-1\)/, 'the status string is whole at 100 columns too');

  const done = await quit('big');
  assert.match(done.text, /DASH-EXIT=0/);
  assert.equal(done.alternate, '0', 'back on the normal screen');
  assert.match(done.text, /(^|\s)icanon(\s|$)/m, 'canonical mode restored');
  assert.match(done.text, /(^|\s)echo(\s|$)/m, 'echo restored');
  assert.doesNotMatch(done.text, /healthy servers|sessions\/s per backend/, 'the dashboard is gone from the screen');
});

test('dash against a socket with no lbd shows the unreachable banner, keeps retrying, and quits with 0', { skip, timeout: 60_000 }, async () => {
  const nowhere = join(dir!.dir, 'nobody-here.sock');
  await session('nolbd', 100, 30, dashCommand(`-s '${nowhere}' --no-color`));
  const t = await until('nolbd', 'the unreachable banner', (s) => s.includes('lbd is unreachable at') && Number(/attempt (\d+)/.exec(s)?.[1] ?? 0) >= 2);
  assert.match(t, /no such socket/);
  assert.match(t, /q quits/);
  const done = await quit('nolbd');
  assert.match(done.text, /DASH-EXIT=0/);
  assert.equal(done.alternate, '0');
});
