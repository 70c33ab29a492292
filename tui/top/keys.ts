/**
 * The console's key table (design principle 4): one row per binding, read by the key handler
 * (state.ts dispatches by `action`), by the `?` help screen, by the footer's hints and by the README's
 * key list. A key that is not in this table does nothing; a binding marked `admin` does not exist in
 * `--read-only` mode (not handled, not shown).
 */
import type { Key } from 'ink';

/** Which part of the console has the keyboard. */
export type Mode = 'normal' | 'confirm' | 'prompt' | 'help' | 'result';

export type ActionId =
  | 'up' | 'down' | 'page-up' | 'page-down' | 'home' | 'end'
  | 'open' | 'back' | 'next-view' | 'prev-view'
  | 'view-servers' | 'view-frontends' | 'view-events' | 'view-http'
  | 'disable' | 'enable' | 'drain' | 'weight' | 'disable-all' | 'enable-all' | 'drain-all' | 'reload'
  | 'filter' | 'sort' | 'help' | 'quit'
  | 'yes' | 'no' | 'submit' | 'cancel' | 'erase' | 'close';

export type Section = 'Move' | 'Views' | 'Actions' | 'Other' | 'Confirmation' | 'Prompt';

export interface KeyBinding {
  mode: Mode;
  /** Key names as keyName() produces them. */
  keys: readonly string[];
  /** How the keys are written in help and hints (`↑/k`). */
  label: string;
  action: ActionId;
  /** One line for the help screen and the README. */
  help: string;
  section: Section;
  /** A short word for the footer's hint line; bindings without one are only in the help. */
  hint?: string;
  /** Which hints stay on a narrow line: lower stays longer (default 0). */
  hintRank?: number;
  /** Changes the daemon: absent in read-only mode. */
  admin?: boolean;
  /** Acts on the selected server: hinted only where there is one (servers view, detail view). */
  onServer?: boolean;
}

export const KEYS: readonly KeyBinding[] = Object.freeze([
  { mode: 'normal', keys: ['up', 'k'], label: '↑/k', action: 'up', help: 'move up', section: 'Move', hint: 'move', hintRank: 6 },
  { mode: 'normal', keys: ['down', 'j'], label: '↓/j', action: 'down', help: 'move down', section: 'Move' },
  { mode: 'normal', keys: ['pageup', 'ctrl-b'], label: 'PgUp', action: 'page-up', help: 'one page up', section: 'Move' },
  { mode: 'normal', keys: ['pagedown', 'ctrl-f', 'space'], label: 'PgDn', action: 'page-down', help: 'one page down', section: 'Move' },
  { mode: 'normal', keys: ['home', 'g'], label: 'Home/g', action: 'home', help: 'first row', section: 'Move' },
  { mode: 'normal', keys: ['end', 'G'], label: 'End/G', action: 'end', help: 'last row', section: 'Move' },
  { mode: 'normal', keys: ['enter', 'right', 'l'], label: 'Enter', action: 'open', help: 'a server\'s detail; fold or unfold a backend', section: 'Views', hint: 'detail', hintRank: 3 },
  { mode: 'normal', keys: ['escape', 'left', 'h'], label: 'Esc', action: 'back', help: 'back from the detail view; clear the filter', section: 'Views' },
  { mode: 'normal', keys: ['tab'], label: 'Tab', action: 'next-view', help: 'next view', section: 'Views', hint: 'view', hintRank: 5 },
  { mode: 'normal', keys: ['shift-tab'], label: 'S-Tab', action: 'prev-view', help: 'previous view', section: 'Views' },
  { mode: 'normal', keys: ['1'], label: '1', action: 'view-servers', help: 'servers: backends, servers, state and why', section: 'Views' },
  { mode: 'normal', keys: ['2'], label: '2', action: 'view-frontends', help: 'frontends and their listeners', section: 'Views' },
  { mode: 'normal', keys: ['3'], label: '3', action: 'view-events', help: 'events: changes and actions, newest first', section: 'Views' },
  { mode: 'normal', keys: ['4'], label: '4', action: 'view-http', help: 'HTTP: response classes and request rates', section: 'Views' },
  { mode: 'normal', keys: ['d'], label: 'd', action: 'disable', help: 'disable: maintenance (its trackers follow)', section: 'Actions', hint: 'disable', hintRank: 1, admin: true, onServer: true },
  { mode: 'normal', keys: ['e'], label: 'e', action: 'enable', help: 'enable: out of maintenance or drain', section: 'Actions', hint: 'enable', hintRank: 1, admin: true, onServer: true },
  { mode: 'normal', keys: ['n'], label: 'n', action: 'drain', help: 'drain: no new sessions (its trackers follow)', section: 'Actions', hint: 'drain', hintRank: 1, admin: true, onServer: true },
  { mode: 'normal', keys: ['w'], label: 'w', action: 'weight', help: 'weight: n (0..256), or n% of configured', section: 'Actions', hint: 'weight', hintRank: 1, admin: true, onServer: true },
  { mode: 'normal', keys: ['D'], label: 'D', action: 'disable-all', help: 'disable this server name in every backend', section: 'Actions', admin: true, onServer: true },
  { mode: 'normal', keys: ['E'], label: 'E', action: 'enable-all', help: 'enable this server name in every backend', section: 'Actions', admin: true, onServer: true },
  { mode: 'normal', keys: ['N'], label: 'N', action: 'drain-all', help: 'drain this server name in every backend', section: 'Actions', admin: true, onServer: true },
  { mode: 'normal', keys: ['r'], label: 'r', action: 'reload', help: 'reload: shows what changed, or each error', section: 'Actions', hint: 'reload', hintRank: 1, admin: true },
  { mode: 'normal', keys: ['/'], label: '/', action: 'filter', help: 'filter: substring or regex (name, state, addr)', section: 'Other', hint: 'filter', hintRank: 2 },
  { mode: 'normal', keys: ['s'], label: 's', action: 'sort', help: 'sort: config, state, sessions, rate, name', section: 'Other', hint: 'sort', hintRank: 4 },
  { mode: 'normal', keys: ['?'], label: '?', action: 'help', help: 'help: every key, and what each state means', section: 'Other', hint: 'help', hintRank: 0 },
  { mode: 'normal', keys: ['q', 'ctrl-c'], label: 'q', action: 'quit', help: 'quit', section: 'Other', hint: 'quit', hintRank: 0 },
  { mode: 'confirm', keys: ['y', 'Y'], label: 'y', action: 'yes', help: 'send it', section: 'Confirmation', hint: 'yes' },
  { mode: 'confirm', keys: ['n', 'N', 'escape', 'q'], label: 'n/Esc', action: 'no', help: 'cancel, nothing is sent', section: 'Confirmation', hint: 'no' },
  { mode: 'confirm', keys: ['ctrl-c'], label: 'Ctrl-C', action: 'quit', help: 'quit', section: 'Confirmation' },
  { mode: 'prompt', keys: ['enter'], label: 'Enter', action: 'submit', help: 'accept', section: 'Prompt', hint: 'accept' },
  { mode: 'prompt', keys: ['escape'], label: 'Esc', action: 'cancel', help: 'cancel', section: 'Prompt', hint: 'cancel' },
  { mode: 'prompt', keys: ['backspace'], label: 'Backspace', action: 'erase', help: 'erase a character', section: 'Prompt' },
  { mode: 'prompt', keys: ['ctrl-c'], label: 'Ctrl-C', action: 'quit', help: 'quit', section: 'Prompt' },
  { mode: 'help', keys: ['up', 'k'], label: '↑↓', action: 'up', help: 'scroll', section: 'Other', hint: 'scroll', hintRank: 1 },
  { mode: 'help', keys: ['down', 'j', 'space', 'pagedown'], label: '↓/j', action: 'down', help: 'scroll', section: 'Other' },
  { mode: 'help', keys: ['escape', '?', 'q', 'enter'], label: 'Esc', action: 'close', help: 'close', section: 'Other', hint: 'close' },
  { mode: 'help', keys: ['ctrl-c'], label: 'Ctrl-C', action: 'quit', help: 'quit', section: 'Other' },
  { mode: 'result', keys: ['up', 'k'], label: '↑↓', action: 'up', help: 'scroll', section: 'Other', hint: 'scroll', hintRank: 1 },
  { mode: 'result', keys: ['down', 'j', 'space', 'pagedown'], label: '↓/j', action: 'down', help: 'scroll', section: 'Other' },
  { mode: 'result', keys: ['escape', 'enter', 'q'], label: 'Esc', action: 'close', help: 'close', section: 'Other', hint: 'close' },
  { mode: 'result', keys: ['ctrl-c'], label: 'Ctrl-C', action: 'quit', help: 'quit', section: 'Other' },
] satisfies KeyBinding[]);

/** One name per key press, from Ink's parsed key: `up`, `pagedown`, `enter`, `escape`, `shift-tab`,
 *  `ctrl-c`, `backspace`, `space`, or the character typed (`d`, `D`, `/`). */
export function keyName(input: string, key: Partial<Key>): string {
  if (key.upArrow) return 'up';
  if (key.downArrow) return 'down';
  if (key.leftArrow) return 'left';
  if (key.rightArrow) return 'right';
  if (key.pageUp) return 'pageup';
  if (key.pageDown) return 'pagedown';
  if (key.home) return 'home';
  if (key.end) return 'end';
  if (key.return) return 'enter';
  if (key.tab) return key.shift ? 'shift-tab' : 'tab';
  if (key.backspace || key.delete) return 'backspace';
  if (key.escape) return 'escape';
  if (key.ctrl && input.length === 1) return `ctrl-${input.toLowerCase()}`;
  if (input === ' ') return 'space';
  return input;
}

/** The binding for a key in a mode, or undefined (then the key does nothing). */
export function bindingFor(mode: Mode, name: string, readOnly: boolean): KeyBinding | undefined {
  return KEYS.find((b) => b.mode === mode && b.keys.includes(name) && !(readOnly && b.admin));
}

/** The bindings of a mode that exist (read-only removes the admin ones). */
export function bindings(mode: Mode, readOnly: boolean): KeyBinding[] {
  return KEYS.filter((b) => b.mode === mode && !(readOnly && b.admin));
}

/** The help screen's entries, grouped by section in table order. */
export function helpSections(readOnly: boolean): { section: Section; entries: KeyBinding[] }[] {
  const out: { section: Section; entries: KeyBinding[] }[] = [];
  for (const b of KEYS) {
    if (readOnly && b.admin) continue;
    if (b.mode !== 'normal' && b.mode !== 'confirm' && b.mode !== 'prompt') continue;
    if (b.action === 'quit' && b.mode !== 'normal') continue;
    let s = out.find((x) => x.section === b.section);
    if (!s) out.push((s = { section: b.section, entries: [] }));
    s.entries.push(b);
  }
  return out;
}

/** The footer's hints for a mode: `label hint` pairs, in table order. */
export function hints(mode: Mode, readOnly: boolean, serverSelected = true): { label: string; hint: string; rank: number }[] {
  return bindings(mode, readOnly)
    .filter((b) => b.hint && (serverSelected || !b.onServer))
    .map((b) => ({ label: b.mode === 'normal' && b.action === 'up' ? '↑↓' : b.label, hint: b.hint!, rank: b.hintRank ?? 0 }));
}

/** The key list as Markdown (the README's `lbctl top` section is generated from it). */
export function keysMarkdown(): string {
  const rows = helpSections(false).flatMap((s) => s.entries.map((b) => `| ${s.section} | \`${b.keys.map(displayKey).join('` `')}\` | ${b.help}${b.admin ? ' (not in `--read-only`)' : ''} |`));
  return ['| | keys | what it does |', '|---|---|---|', ...rows].join('\n');
}

function displayKey(k: string): string {
  const names: Record<string, string> = { up: '↑', down: '↓', left: '←', right: '→', pageup: 'PgUp', pagedown: 'PgDn', home: 'Home', end: 'End', enter: 'Enter', escape: 'Esc', tab: 'Tab', 'shift-tab': 'Shift-Tab', backspace: 'Backspace', space: 'Space', 'ctrl-b': 'Ctrl-B', 'ctrl-f': 'Ctrl-F', 'ctrl-c': 'Ctrl-C' };
  return names[k] ?? k;
}
