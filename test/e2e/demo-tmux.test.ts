/**
 * `make demo` as a newcomer sees it: in tmux at 80x24, the demo starts three backends and lbd and opens
 * `lbctl top` on them, with a hint line saying how to make a backend fail. Following the hint (SIGUSR2 to
 * the demo) shows server-2 DOWN in both backends within the check interval; `q` quits the console and
 * the demo stops everything it started (exit 0, its ports free again).
 *
 * The demo uses fixed ports (16443, 18001-18003) and /tmp/lbd-demo.sock: the test skips, saying why,
 * when something else holds them.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { ROOT } from '../helpers/lbd-process.js';
import { TmuxServer, tmuxMissing } from '../helpers/tmux.js';

const tmux = new TmuxServer('lbd-demo-test');

function portFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.createServer();
    s.once('error', () => resolve(false));
    s.listen({ port, host: '127.0.0.1', exclusive: true }, () => s.close(() => resolve(true)));
  });
}

const until = (what: string, ok: (screen: string) => boolean, ms?: number) => tmux.until('demo', what, ok, ms);

test('make demo opens lbctl top with a hint; following it shows server-2 DOWN; q stops everything', { timeout: 60_000 }, async (t) => {
  if (tmuxMissing) return t.skip(tmuxMissing);
  for (const p of [16443, 18001, 18002, 18003]) if (!(await portFree(p))) return t.skip(`port ${p} is in use (another make demo?)`);
  try {
    // a UTF-8 locale, as on a newcomer's terminal (without one the console draws ASCII symbols)
    await tmux.session('demo', 80, 24, `cd ${ROOT} && env LANG=C.UTF-8 node dist/examples/demo.js; echo DEMO-EXIT=$?; sleep 60`);
    const first = await until('the console with every server and the hint', (s) => /server-3/.test(s) && /kill -USR2 \d+/.test(s) && (s.match(/✓ UP/g) ?? []).length >= 8);
    const pid = Number(/kill -USR2 (\d+)/.exec(first)![1]);
    process.kill(pid, 'SIGUSR2');
    const down = await until('server-2 DOWN in both backends', (s) => (s.match(/server-2 +✗ DOWN/g) ?? []).length === 2, 8000);
    assert.match(down, /server-2 +✗ DOWN +via monitoring\/server-2/);
    assert.match(down, /server-2 +✗ DOWN +L7STS 503/);
    await tmux.sendKeys('demo', 'q');
    const end = await until('the demo to stop', (s) => /DEMO-EXIT=\d+/.test(s));
    assert.match(end, /DEMO-EXIT=0/);
    assert.match(end, /lbctl top quit: stopping lbd/);
    for (const p of [16443, 18001, 18002, 18003]) assert.ok(await portFree(p), `port ${p} still held after the demo stopped`);
  } finally {
    await tmux.kill();
  }
});
