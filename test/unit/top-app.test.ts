/**
 * The Ink app on fake terminals of 80x24, 60x20 and 120x40: what is on screen for each state, keys that
 * send admin commands only after a confirmation (and nothing in read-only mode), a selection that
 * survives sort and filter, the unreachable banner appearing and clearing, a resize redrawing at once.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ADMIN } from '../../shared/snapshot.js';
import { allStatesSnapshot, trackSnapshot } from './top-fixtures.js';
import { FakeClient, KEY, mountTop } from './top-ink.js';

const STATES = [/✓ UP /, /↘ UP 1\/2/, /✗ DOWN/, /◆ DRAIN/, /■ MAINT /, /■ MAINT \(via monitoring\/server-1\)/, /○ no check/, /↗ DOWN 1\/2/];

for (const [cols, rows] of [[80, 24], [60, 20], [120, 40]] as const) {
  test(`${cols}x${rows}: every state on screen, the frame within the terminal`, async () => {
    const snap = allStatesSnapshot();
    snap.backends[2]!.servers.push({ ...snap.backends[2]!.servers[0]!, name: 'web-3', status: 'UP' });
    const m = await mountTop(snap, { cols, rows });
    try {
      const f = m.frame();
      for (const re of STATES) assert.match(f, re);
      const lines = m.lines();
      assert.ok(lines.length <= rows, `${lines.length} lines for ${rows} rows`);
      for (const l of lines) assert.ok([...l].length <= cols - 1, `wider than ${cols - 1}: ${l}`);
      assert.match(f, /L7STS 503 12ms/);
      assert.match(lines[0]!, /lbd 0\.1\.0/);
    } finally {
      await m.unmount();
    }
  });
}

test('d on server-2 asks, names the tracker, and sends set-server-state only after y', async () => {
  const m = await mountTop(trackSnapshot(), { cols: 80, rows: 24 });
  try {
    await m.press(...Array(6).fill('j'));
    await m.waitFor(/▶ ├ server-2 +✓ UP +L7OK/, 'cursor on monitoring/server-2');
    await m.press('d');
    await m.waitFor(/Disable monitoring\/server-2\?/);
    assert.match(m.frame(), /and through track: myApp\/server-2/);
    assert.deepEqual(m.client.requests, []);
    await m.press('y');
    await m.waitFor(/Disable monitoring\/server-2: UP → MAINT/, 'the reply on the status line');
    assert.deepEqual(m.client.requests, [{ op: 'set-server-state', fields: { server: 'monitoring/server-2', state: 'maint' } }]);
    // and in the events view
    await m.press('3');
    await m.waitFor(/you +Disable monitoring\/server-2: UP → MAINT/);
  } finally {
    await m.unmount();
  }
});

test('n at the confirmation sends nothing; read-only sends nothing whatever is pressed', async () => {
  const m = await mountTop(trackSnapshot(), { cols: 80, rows: 24 });
  try {
    await m.press('j', 'd');
    await m.waitFor(/Disable myApp\/server-1\?/);
    await m.press('n');
    await m.waitFor(/cancelled: nothing was sent/);
    await m.press('w', '5', KEY.esc, 'r', KEY.esc);
    assert.deepEqual(m.client.requests, []);
  } finally {
    await m.unmount();
  }
  const ro = await mountTop(trackSnapshot(), { cols: 80, rows: 24, readOnly: true });
  try {
    assert.match(ro.frame(), /read-only/);
    assert.ok(!/disable|reload/.test(ro.lines().slice(-1)[0]!), 'no action hints');
    await ro.press('j', 'd', 'y', 'e', 'y', 'n', 'y', 'w', '1', KEY.enter, 'y', 'r', 'y', 'D', 'y');
    assert.deepEqual(ro.client.requests, []);
    await ro.press('?');
    await ro.waitFor(/lbctl top: keys/);
    assert.ok(!/disable the server/.test(ro.frame()));
  } finally {
    await ro.unmount();
  }
});

test('sort and filter keep the selection on the same server', async () => {
  const snap = allStatesSnapshot();
  const m = await mountTop(snap, { cols: 100, rows: 30 });
  try {
    await m.press(...Array(7).fill('j')); // monitoring/server-3 (DOWN)
    await m.waitFor(/▶ └ server-3 +✗ DOWN/);
    await m.press('s'); // state: worst first, server-3 moves to the top of monitoring
    await m.waitFor(/sort state/);
    assert.match(m.frame(), /▶ ├ server-3 +✗ DOWN/);
    await m.press('/', 'D', 'O', 'W', 'N', KEY.enter);
    await m.waitFor(/filter DOWN/);
    assert.match(m.frame(), /▶ .* server-3 +✗ DOWN/);
    // a refresh with changed data keeps it too
    const next = allStatesSnapshot();
    next.process.now += 1000;
    next.backends[1]!.servers[2]!.counters.cur = 7;
    m.client.push(next);
    await m.waitFor(/▶ .* server-3 +✗ DOWN/);
    await m.press(KEY.esc);
    await m.waitFor((f) => !/filter DOWN/.test(f));
    assert.match(m.frame(), /▶ .* server-3 +✗ DOWN/);
  } finally {
    await m.unmount();
  }
});

test('the unreachable banner appears when the daemon goes away and clears when it is back', async () => {
  const m = await mountTop(trackSnapshot(), { cols: 80, rows: 24 });
  try {
    assert.ok(!/unreachable/.test(m.frame()));
    m.client.drop();
    await m.waitFor(/lbd unreachable at \/run\/lbd\/admin\.sock/);
    assert.match(m.frame(), /server-2/, 'the last data stays on screen');
    m.client.back();
    await m.waitFor((f) => !/unreachable/.test(f), 'the banner gone');
  } finally {
    await m.unmount();
  }
});

test('started before the daemon: the banner shows, then the data', async () => {
  const client = new FakeClient(trackSnapshot());
  let fail = 2;
  const real = client.connect.bind(client);
  client.connect = async () => {
    if (fail-- > 0) throw Object.assign(new Error('cannot reach lbd at /run/lbd/admin.sock: no such socket'), { code: 'unreachable' });
    return real();
  };
  const m = await mountTop(null, { cols: 80, rows: 24, client });
  try {
    await m.waitFor(/lbd unreachable at \/run\/lbd\/admin\.sock \(no such socket\)/);
    await m.waitFor(/monitoring/, 'the data after the retries', 5000);
    assert.ok(!/unreachable/.test(m.frame()));
  } finally {
    await m.unmount();
  }
});

test('a resize redraws at once, with the layout of the new size', async () => {
  const m = await mountTop(allStatesSnapshot(), { cols: 120, rows: 40 });
  try {
    assert.match(m.frame(), /LAST 1m/);
    m.resize(60, 20);
    await m.waitFor((f) => !/LAST 1m/.test(f) && f.split('\n').length <= 20, 'the 60x20 layout');
    assert.match(m.frame(), /MAINT \(via monitoring\/server-1\)/);
    m.resize(30, 8);
    await m.waitFor(/too small/);
    m.resize(80, 24);
    await m.waitFor(/CHANGED/);
  } finally {
    await m.unmount();
  }
});

test('Enter opens the server detail: last checks, tracking, counters; Esc goes back', async () => {
  const snap = trackSnapshot([{}, { status: 'DOWN', check: { status: 'L7STS', code: 503, durationMs: 12, info: 'Service Unavailable' } }]);
  const m = await mountTop(snap, { cols: 120, rows: 40 });
  try {
    await m.press(...Array(6).fill('j'), KEY.enter);
    await m.waitFor(/\[monitoring\/server-2\]/);
    const f = m.frame();
    assert.match(f, /tracked by myApp\/server-2/);
    assert.match(f, /L7STS +503 +12ms x3 since/);
    assert.match(f, /sessions 0 now/);
    await m.press(KEY.esc);
    await m.waitFor(/NAME +STATE/);
  } finally {
    await m.unmount();
  }
});

test('r reloads after y and shows each error with file:line', async () => {
  const client = new FakeClient(trackSnapshot());
  client.answer = () => ({ ok: false, changes: [], errors: ['/etc/lbd/lbd.cfg:12: unknown keyword "sever"'], warnings: [], durationMs: 1 });
  const m = await mountTop(trackSnapshot(), { cols: 80, rows: 24, client });
  try {
    await m.press('r');
    await m.waitFor(/Reload the configuration\?/);
    await m.press('y');
    await m.waitFor(/\/etc\/lbd\/lbd\.cfg:12: unknown keyword "sever"/);
    assert.match(m.frame(), /Reload refused: 1 error/);
    assert.deepEqual(client.requests, [{ op: 'reload', fields: {} }]);
  } finally {
    await m.unmount();
  }
});

test('q quits', async () => {
  const m = await mountTop(trackSnapshot([{ status: 'MAINT', admin: ADMIN.FMAINT }]), { cols: 80, rows: 24 });
  const exited = m.instance.waitUntilExit();
  await m.press('q');
  await exited;
  await m.feed.stop();
});
