/**
 * The key handler: admin commands leave only after a confirmation, with exactly the request the
 * confirmation named; `n` and Esc send nothing; read-only sends nothing at all; prompts validate.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { initialUi, onKey, onReply, type KeyContext, type Step, type UiState } from '../../tui/top/state.js';
import { buildTree, compileFilter } from '../../tui/top/tree.js';
import { trackSnapshot, NOW } from './top-fixtures.js';

const snap = trackSnapshot();

function ctxFor(ui: UiState, over: Partial<KeyContext> = {}): KeyContext {
  const keys = buildTree(snap, { filter: compileFilter(ui.filter), sort: ui.sort, collapsed: ui.collapsed }).map((r) => r.key);
  return { keys, bodyHeight: 10, snapshot: snap, readOnly: false, actionBlocked: null, textLines: 0, now: NOW, ...over };
}

/** Press keys in order; returns the last step and every effect. */
function press(keys: string[], over: Partial<KeyContext> = {}, start = initialUi()): { ui: UiState; effects: Step['effects'] } {
  let ui = start;
  const effects: Step['effects'] = [];
  for (const k of keys) {
    const step = onKey(ui, k, k.length === 1 ? k : '', ctxFor(ui, over));
    ui = step.ui;
    effects.push(...step.effects);
  }
  return { ui, effects };
}

// rows: b:myApp, s:myApp/server-1..3, b:monitoring, s:monitoring/server-1..3
const toMonitoring2 = ['j', 'j', 'j', 'j', 'j', 'j'];

test('d asks first and sends nothing; y sends exactly the confirmed request', () => {
  const asked = press([...toMonitoring2, 'd']);
  assert.equal(asked.effects.length, 0);
  assert.equal(asked.ui.mode.kind, 'confirm');
  const yes = press([...toMonitoring2, 'd', 'y']);
  assert.equal(yes.effects.length, 1);
  const e = yes.effects[0]!;
  assert.equal(e.kind, 'send');
  if (e.kind === 'send') {
    assert.deepEqual(e.plan.request, { op: 'set-server-state', fields: { server: 'monitoring/server-2', state: 'maint' } });
    assert.deepEqual(e.plan.tracked, ['myApp/server-2']);
  }
  assert.equal(yes.ui.mode.kind, 'normal');
  assert.equal(yes.ui.log[0]!.ok, null);
});

test('e, n, D: the right state and naming', () => {
  const req = (keys: string[]) => {
    const e = press(keys).effects[0];
    return e && e.kind === 'send' ? e.plan.request : null;
  };
  assert.deepEqual(req([...toMonitoring2, 'e', 'y']), { op: 'set-server-state', fields: { server: 'monitoring/server-2', state: 'ready' } });
  assert.deepEqual(req(['j', 'n', 'y']), { op: 'set-server-state', fields: { server: 'myApp/server-1', state: 'drain' } });
  assert.deepEqual(req(['j', 'j', 'D', 'Y']), { op: 'set-server-state', fields: { server: 'server-2', state: 'maint' } });
});

test('n and Esc cancel: nothing is sent', () => {
  for (const cancel of ['n', 'N', 'escape', 'q']) {
    const r = press([...toMonitoring2, 'd', cancel]);
    assert.equal(r.effects.length, 0, cancel);
    assert.equal(r.ui.mode.kind, 'normal');
    assert.match(r.ui.status!.text, /nothing was sent/);
  }
});

test('read-only: action keys send nothing and say why', () => {
  for (const k of ['d', 'e', 'n', 'w', 'r', 'D', 'E', 'N']) {
    const r = press([...toMonitoring2, k, 'y', '5', 'enter', 'y'], { readOnly: true });
    assert.equal(r.effects.length, 0, k);
    assert.notEqual(r.ui.mode.kind, 'confirm');
  }
  assert.match(press(['j', 'd'], { readOnly: true }).ui.status!.text, /read-only/);
});

test('a socket below level admin: actions are refused before asking', () => {
  const blocked = { actionBlocked: "the admin socket's level is operator: actions need level admin" };
  assert.equal(press([...toMonitoring2, 'd', 'y'], blocked).effects.length, 0);
  assert.match(press([...toMonitoring2, 'd'], blocked).ui.status!.text, /level is operator/);
});

test('actions need a server: on a backend row they say so', () => {
  assert.equal(press(['d', 'y']).effects.length, 0);
  assert.match(press(['d']).ui.status!.text, /select a server/);
});

test('w: the weight prompt validates, then confirms, then sends', () => {
  const bad = press(['j', 'w', '3', '0', '0', 'enter']);
  assert.equal(bad.ui.mode.kind, 'prompt');
  assert.match((bad.ui.mode as { error?: string }).error!, /at most 256/);
  const r = press(['j', 'w', '5', '0', '%', 'enter']);
  assert.equal(r.ui.mode.kind, 'confirm');
  assert.equal(r.effects.length, 0);
  const sent = press(['j', 'w', '5', '0', '%', 'enter', 'y']);
  const e = sent.effects[0]!;
  assert.ok(e.kind === 'send' && e.plan.request.op === 'set-server-weight');
  if (e.kind === 'send') assert.deepEqual(e.plan.request.fields, { server: 'myApp/server-1', weight: '50%' });
  // typing q in a prompt types q, it does not quit
  assert.equal(press(['j', 'w', 'q']).effects.length, 0);
});

test('r asks, then reloads', () => {
  const r = press(['r', 'y']);
  assert.equal(r.effects.length, 1);
  assert.ok(r.effects[0]!.kind === 'send' && r.effects[0]!.plan.request.op === 'reload');
});

test('the filter applies as it is typed; Esc in the prompt restores the previous one; Esc after clears it', () => {
  const typing = press(['/', 'm', 'o', 'n']);
  assert.equal(typing.ui.filter, 'mon');
  assert.equal(press(['/', 'm', 'o', 'n', 'escape']).ui.filter, '');
  const kept = press(['/', 'm', 'o', 'n', 'enter']);
  assert.equal(kept.ui.filter, 'mon');
  assert.equal(press(['escape'], {}, kept.ui).ui.filter, '');
  assert.equal(press(['/', 'm', 'o', 'n', 'backspace']).ui.filter, 'mo');
});

test('filter and sort keep the selection on the same server', () => {
  const sel = press(toMonitoring2).ui;
  assert.equal(sel.lists.servers.selected, 's:monitoring/server-2');
  const after = press(['s', 's', '/', 's', 'e', 'r', 'v', 'e', 'r', '-', '2', 'enter'], {}, sel).ui;
  assert.equal(after.sort, 'sessions');
  assert.equal(after.lists.servers.selected, 's:monitoring/server-2');
  // the action acts on that server
  const e = press(['d', 'y'], {}, after).effects[0]!;
  assert.ok(e.kind === 'send' && e.plan.request.fields && (e.plan.request.fields as { server: string }).server === 'monitoring/server-2');
});

test('views: Tab cycles, numbers jump, Enter opens a server, Esc goes back', () => {
  assert.equal(press(['tab']).ui.view, 'frontends');
  assert.equal(press(['tab', 'tab', 'tab', 'tab']).ui.view, 'servers');
  assert.equal(press(['shift-tab']).ui.view, 'http');
  assert.equal(press(['3']).ui.view, 'events');
  const d = press(['j', 'enter']).ui;
  assert.equal(d.view, 'detail');
  assert.equal(d.detail, 'myApp/server-1');
  assert.equal(press(['escape'], {}, d).ui.view, 'servers');
  // in the detail view, actions act on that server
  const e = press(['n', 'y'], {}, d).effects[0]!;
  assert.ok(e.kind === 'send' && (e.plan.request.fields as { server: string }).server === 'myApp/server-1');
  // Enter on a backend folds it
  assert.ok(press(['enter']).ui.collapsed.has('myApp'));
});

test('q quits; ? opens the help and any of its close keys closes it', () => {
  assert.deepEqual(press(['q']).effects, [{ kind: 'quit' }]);
  assert.equal(press(['?']).ui.mode.kind, 'help');
  assert.equal(press(['?', 'q']).ui.mode.kind, 'normal');
  assert.deepEqual(press(['?', 'q']).effects, []);
});

test('a reply updates the action log and the status line; a reload opens the result panel', () => {
  const sent = press([...toMonitoring2, 'd', 'y']);
  const id = (sent.effects[0] as { id: number }).id;
  const done = onReply(sent.ui, id, { ok: true, summary: 'Disable monitoring/server-2: UP → MAINT', lines: ['monitoring/server-2: UP → MAINT'] }, NOW + 5);
  assert.equal(done.log[0]!.ok, true);
  assert.equal(done.status!.tone, 'ok');
  assert.equal(done.mode.kind, 'normal');
  const rl = press(['r', 'y']);
  const rid = (rl.effects[0] as { id: number }).id;
  const res = onReply(rl.ui, rid, { ok: false, summary: 'Reload refused: 1 error', lines: ['/etc/lbd.cfg:3: bad'] }, NOW);
  assert.equal(res.mode.kind, 'result');
  assert.deepEqual((res.mode as { lines: string[] }).lines, ['/etc/lbd.cfg:3: bad']);
});
