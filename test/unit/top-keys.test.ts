/**
 * The key table drives the handler, the help screen, the hints and the README (design principle 4):
 * these tests fail when one of them is written by hand instead of read from the table.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { KEYS, bindingFor, helpSections, hints, keyName, keysMarkdown } from '../../tui/top/keys.js';
import { helpText } from '../../tui/top/panels.js';
import { statesMarkdown } from '../../tui/top/status.js';
import { text } from '../../tui/top/line.js';
import { UNICODE } from '../../tui/top/glyphs.js';
import { initialUi, onKey, type KeyContext } from '../../tui/top/state.js';
import { ROOT } from '../helpers/lbd-process.js';
import { trackSnapshot, NOW } from './top-fixtures.js';

test('Ink key events map to the names the table uses', () => {
  assert.equal(keyName('', { upArrow: true }), 'up');
  assert.equal(keyName('', { pageDown: true }), 'pagedown');
  assert.equal(keyName('\r', { return: true }), 'enter');
  assert.equal(keyName('', { escape: true }), 'escape');
  assert.equal(keyName('', { tab: true, shift: true }), 'shift-tab');
  assert.equal(keyName('c', { ctrl: true }), 'ctrl-c');
  assert.equal(keyName('D', { shift: true }), 'D');
  assert.equal(keyName(' ', {}), 'space');
});

test('no key is bound twice in one mode', () => {
  const seen = new Set<string>();
  for (const b of KEYS) {
    for (const k of b.keys) {
      const id = `${b.mode}:${k}`;
      assert.ok(!seen.has(id), `${id} bound twice`);
      seen.add(id);
    }
  }
});

test('every normal-mode binding is in the help screen, and read-only leaves out every admin one', () => {
  const help = helpText(false, UNICODE).map(text).join('\n');
  for (const b of KEYS.filter((k) => k.mode === 'normal')) assert.ok(help.includes(b.help), `help lacks "${b.help}"`);
  const ro = helpText(true, UNICODE).map(text).join('\n');
  for (const b of KEYS.filter((k) => k.admin)) assert.ok(!ro.includes(b.help), `read-only help shows "${b.help}"`);
  assert.ok(helpSections(true).every((s) => s.entries.every((e) => !e.admin)));
  assert.ok(hints('normal', true).every((h) => !['disable', 'enable', 'drain', 'weight', 'reload'].includes(h.hint)));
  for (const b of KEYS.filter((k) => k.admin)) for (const k of b.keys) assert.equal(bindingFor('normal', k, true), undefined);
});

test('every binding does something: pressing it changes the state or has an effect', () => {
  const snap = trackSnapshot();
  const ctx: KeyContext = { keys: ['b:myApp', 's:myApp/server-1', 's:myApp/server-2'], bodyHeight: 10, snapshot: snap, readOnly: false, actionBlocked: null, textLines: 30, now: NOW };
  const start = { ...initialUi(), lists: { ...initialUi().lists, servers: { selected: 's:myApp/server-1', index: 1, top: 0 } } };
  for (const b of KEYS.filter((k) => k.mode === 'normal')) {
    const ui = b.action === 'up' || b.action === 'page-up' || b.action === 'home' ? { ...start, lists: { ...start.lists, servers: { selected: 's:myApp/server-2', index: 2, top: 0 } } } : b.action === 'back' ? { ...start, filter: 'x' } : start;
    const step = onKey(ui, b.keys[0]!, b.keys[0]!, ctx);
    assert.ok(step.ui !== ui || step.effects.length > 0, `${b.label} (${b.action}) did nothing`);
  }
});

test('the README lists the keys exactly as the table has them', () => {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  const section = readme.slice(readme.indexOf('<!-- top:start -->'), readme.indexOf('<!-- top:end -->'));
  assert.ok(section.length > 0, 'README has no <!-- top:start --> section');
  assert.ok(section.includes(keysMarkdown()), 'the README key table differs from keysMarkdown() (tui/top/keys.ts): paste its output');
  assert.ok(section.includes(statesMarkdown()), 'the README states table differs from statesMarkdown() (tui/top/status.ts): paste its output');
});
