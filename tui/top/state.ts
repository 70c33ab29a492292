/**
 * The console's interaction state and the one function that changes it on a key press. Pure: given
 * the state, the key and what is on screen (KeyContext), it returns the next state and the effects to
 * run (send a request, quit). Nothing is sent without a confirmation: a server action first becomes a
 * plan shown in confirm mode, and only `y` there produces the `send` effect.
 */
import type { ServerSnapshot, Snapshot } from '../../shared/snapshot.js';
import { checkWeight, planReload, planState, planWeight, type ActionPlan, type Outcome } from './actions.js';
import { moveCursor, START, type ListPos, cursorIndex } from './cursor.js';
import { bindingFor, KEYS, type ActionId, type Mode } from './keys.js';
import { findServer, nextSort, sortLabel, type SortKey } from './tree.js';

export type ListView = 'servers' | 'frontends' | 'events' | 'http';
export type View = ListView | 'detail';

/** The tabs, in Tab order, with their number keys. */
export const VIEWS: readonly { id: ListView; label: string; key: string }[] = Object.freeze([
  { id: 'servers', label: 'Servers', key: '1' },
  { id: 'frontends', label: 'Frontends', key: '2' },
  { id: 'events', label: 'Events', key: '3' },
  { id: 'http', label: 'HTTP', key: '4' },
]);

export type ModeState =
  | { kind: 'normal' }
  | { kind: 'confirm'; plan: ActionPlan }
  | { kind: 'prompt'; purpose: 'filter'; text: string; before: string }
  | { kind: 'prompt'; purpose: 'weight'; text: string; server: string; error?: string }
  | { kind: 'help'; top: number }
  | { kind: 'result'; title: string; ok: boolean; lines: string[]; top: number };

/** One action of this console and the daemon's reply, for the status line and the events view. */
export interface LocalEntry {
  id: number;
  time: number;
  title: string;
  command: string;
  /** null while waiting for the reply. */
  ok: boolean | null;
  summary: string;
  lines: string[];
}

export interface StatusMessage {
  text: string;
  tone: 'info' | 'ok' | 'error' | 'busy';
  at: number;
}

export interface UiState {
  view: View;
  /** The list view the detail view goes back to. */
  back: ListView;
  lists: Record<ListView, ListPos>;
  /** The server the detail view shows (`backend/server`), and its scroll. */
  detail: string | null;
  detailTop: number;
  collapsed: ReadonlySet<string>;
  filter: string;
  sort: SortKey;
  mode: ModeState;
  status: StatusMessage | null;
  /** This console's actions, newest first (bounded). */
  log: LocalEntry[];
  nextId: number;
}

/** What the key handler needs to know about the screen. */
export interface KeyContext {
  /** Row keys of the current list view, in screen order. */
  keys: readonly string[];
  bodyHeight: number;
  snapshot: Snapshot | null;
  readOnly: boolean;
  /** Why actions cannot be sent now (socket level below admin), or null. */
  actionBlocked: string | null;
  /** Lines of the current scrollable text (detail, help, result), to bound scrolling. */
  textLines: number;
  now: number;
}

export type Effect = { kind: 'send'; id: number; plan: ActionPlan } | { kind: 'quit' };

export interface Step {
  ui: UiState;
  effects: Effect[];
}

export function initialUi(): UiState {
  return {
    view: 'servers',
    back: 'servers',
    lists: { servers: START, frontends: START, events: START, http: START },
    detail: null,
    detailTop: 0,
    collapsed: new Set(),
    filter: '',
    sort: 'config',
    mode: { kind: 'normal' },
    status: null,
    log: [],
    nextId: 1,
  };
}

const MAX_LOG = 200;

function say(ui: UiState, text: string, tone: StatusMessage['tone'], now: number): UiState {
  return { ...ui, status: { text, tone, at: now } };
}

function listOf(ui: UiState): ListView {
  return ui.view === 'detail' ? ui.back : ui.view;
}

/** The server the cursor (or the detail view) is on, or why there is none. */
export function selectedServer(ui: UiState, ctx: KeyContext): ServerSnapshot | string {
  if (!ctx.snapshot) return 'no data from lbd yet';
  if (ui.view === 'detail') return (ui.detail && findServer(ctx.snapshot, ui.detail)) || 'that server is gone (reload?)';
  if (ui.view !== 'servers') return 'server actions work in the servers view (1) or a server\'s detail (Enter)';
  const i = cursorIndex(ui.lists.servers, ctx.keys);
  const key = i >= 0 ? ctx.keys[i]! : null;
  if (!key?.startsWith('s:')) return 'select a server (this row is a backend)';
  return findServer(ctx.snapshot, key.slice(2)) ?? 'that server is gone (reload?)';
}

function scroll(top: number, delta: number, ctx: KeyContext): number {
  return Math.max(0, Math.min(Math.max(0, ctx.textLines - ctx.bodyHeight), top + delta));
}

/** The next state and effects for one key press (`name` from keyName(), `input` the raw text). */
export function onKey(ui: UiState, name: string, input: string, ctx: KeyContext): Step {
  const mode: Mode = ui.mode.kind;
  const b = bindingFor(mode, name, ctx.readOnly);
  if (!b) {
    if (ui.mode.kind === 'prompt' && input && !/[\x00-\x1f\x7f]/.test(input)) return typed(ui, input);
    if (mode === 'normal' && name.length === 1) {
      const admin = KEYS.find((k) => k.mode === 'normal' && k.keys.includes(name) && k.admin);
      const msg = admin && ctx.readOnly ? `${name}: this console is read-only (--read-only)` : `no key ${name} here; ? shows the keys`;
      return { ui: say(ui, msg, 'info', ctx.now), effects: [] };
    }
    return { ui, effects: [] };
  }
  return act(ui, b.action, ctx);
}

function typed(ui: UiState, input: string): Step {
  const m = ui.mode;
  if (m.kind !== 'prompt') return { ui, effects: [] };
  const text = m.text + input;
  if (m.purpose === 'filter') return { ui: { ...ui, mode: { ...m, text }, filter: text }, effects: [] };
  return { ui: { ...ui, mode: { ...m, text, error: undefined } }, effects: [] };
}

function act(ui: UiState, a: ActionId, ctx: KeyContext): Step {
  const none = (u: UiState): Step => ({ ui: u, effects: [] });
  const m = ui.mode;
  switch (a) {
    case 'quit':
      return { ui, effects: [{ kind: 'quit' }] };
    // ── moving ──
    case 'up':
    case 'down':
    case 'page-up':
    case 'page-down':
    case 'home':
    case 'end': {
      const page = Math.max(1, ctx.bodyHeight - 1);
      const delta = a === 'up' ? -1 : a === 'down' ? 1 : a === 'page-up' ? -page : a === 'page-down' ? page : a === 'home' ? 'start' : 'end';
      if (m.kind === 'help' || m.kind === 'result') return none({ ...ui, mode: { ...m, top: scroll(m.top, typeof delta === 'number' ? delta : 0, ctx) } });
      if (ui.view === 'detail' || ui.view === 'http') {
        const cur = ui.view === 'detail' ? ui.detailTop : ui.lists.http.top;
        const top = delta === 'start' ? 0 : delta === 'end' ? scroll(0, ctx.textLines, ctx) : scroll(cur, delta, ctx);
        return none(ui.view === 'detail' ? { ...ui, detailTop: top } : { ...ui, lists: { ...ui.lists, http: { ...ui.lists.http, top } } });
      }
      const lv = listOf(ui);
      return none({ ...ui, lists: { ...ui.lists, [lv]: moveCursor(ui.lists[lv], ctx.keys, delta, ctx.bodyHeight) } });
    }
    // ── views ──
    case 'open':
      return open(ui, ctx);
    case 'back':
      if (ui.view === 'detail') return none({ ...ui, view: ui.back });
      if (ui.filter) return none(say({ ...ui, filter: '' }, 'filter cleared', 'info', ctx.now));
      return none(ui);
    case 'next-view':
    case 'prev-view': {
      const i = VIEWS.findIndex((v) => v.id === listOf(ui));
      const j = (i + (a === 'next-view' ? 1 : VIEWS.length - 1)) % VIEWS.length;
      return none({ ...ui, view: VIEWS[j]!.id });
    }
    case 'view-servers':
    case 'view-frontends':
    case 'view-events':
    case 'view-http':
      return none({ ...ui, view: a.slice(5) as ListView });
    // ── actions ──
    case 'disable':
    case 'enable':
    case 'drain':
    case 'disable-all':
    case 'enable-all':
    case 'drain-all': {
      const s = selectedServer(ui, ctx);
      if (typeof s === 'string') return none(say(ui, s, 'info', ctx.now));
      if (ctx.actionBlocked) return none(say(ui, ctx.actionBlocked, 'error', ctx.now));
      const state = a.startsWith('disable') ? 'maint' : a.startsWith('enable') ? 'ready' : 'drain';
      return none({ ...ui, mode: { kind: 'confirm', plan: planState(ctx.snapshot!, s, state, a.endsWith('-all')) } });
    }
    case 'weight': {
      const s = selectedServer(ui, ctx);
      if (typeof s === 'string') return none(say(ui, s, 'info', ctx.now));
      if (ctx.actionBlocked) return none(say(ui, ctx.actionBlocked, 'error', ctx.now));
      return none({ ...ui, mode: { kind: 'prompt', purpose: 'weight', text: '', server: `${s.backend}/${s.name}` } });
    }
    case 'reload':
      if (ctx.actionBlocked) return none(say(ui, ctx.actionBlocked, 'error', ctx.now));
      return none({ ...ui, mode: { kind: 'confirm', plan: planReload(ctx.snapshot) } });
    case 'filter':
      return none({ ...ui, mode: { kind: 'prompt', purpose: 'filter', text: ui.filter, before: ui.filter } });
    case 'sort': {
      const sort = nextSort(ui.sort);
      return none(say({ ...ui, sort }, `sort: ${sortLabel(sort)}`, 'info', ctx.now));
    }
    case 'help':
      return none({ ...ui, mode: { kind: 'help', top: 0 } });
    // ── modes ──
    case 'yes': {
      if (m.kind !== 'confirm') return none(ui);
      const id = ui.nextId;
      const entry: LocalEntry = { id, time: ctx.now, title: m.plan.title, command: m.plan.command, ok: null, summary: `${m.plan.title}: sent, waiting for lbd…`, lines: [] };
      const next: UiState = { ...ui, mode: { kind: 'normal' }, nextId: id + 1, log: [entry, ...ui.log].slice(0, MAX_LOG) };
      return { ui: say(next, entry.summary, 'busy', ctx.now), effects: [{ kind: 'send', id, plan: m.plan }] };
    }
    case 'no':
      return none(say({ ...ui, mode: { kind: 'normal' } }, 'cancelled: nothing was sent', 'info', ctx.now));
    case 'submit':
      return submit(ui, ctx);
    case 'cancel':
      if (m.kind === 'prompt' && m.purpose === 'filter') return none({ ...ui, mode: { kind: 'normal' }, filter: m.before });
      return none(say({ ...ui, mode: { kind: 'normal' } }, 'cancelled: nothing was sent', 'info', ctx.now));
    case 'erase': {
      if (m.kind !== 'prompt') return none(ui);
      const text = [...m.text].slice(0, -1).join('');
      return none(m.purpose === 'filter' ? { ...ui, mode: { ...m, text }, filter: text } : { ...ui, mode: { ...m, text } });
    }
    case 'close':
      return none({ ...ui, mode: { kind: 'normal' } });
  }
}

function open(ui: UiState, ctx: KeyContext): Step {
  const none = (u: UiState): Step => ({ ui: u, effects: [] });
  if (ui.view === 'detail') return none(ui);
  const i = cursorIndex(ui.lists[ui.view], ctx.keys);
  const key = i >= 0 ? ctx.keys[i]! : null;
  if (!key) return none(ui);
  if (ui.view === 'servers' && key.startsWith('b:')) {
    const name = key.slice(2);
    const collapsed = new Set(ui.collapsed);
    if (collapsed.has(name)) collapsed.delete(name);
    else collapsed.add(name);
    return none({ ...ui, collapsed });
  }
  // a server row, or an event about a server: its detail
  const ref = key.startsWith('s:') ? key.slice(2) : key.startsWith('e:') ? key.slice(key.indexOf(':', 2) + 1) : null;
  if (ref && ctx.snapshot && findServer(ctx.snapshot, ref)) return none({ ...ui, view: 'detail', back: ui.view, detail: ref, detailTop: 0 });
  return none(ui);
}

function submit(ui: UiState, ctx: KeyContext): Step {
  const m = ui.mode;
  if (m.kind !== 'prompt') return { ui, effects: [] };
  if (m.purpose === 'filter') {
    const msg = m.text ? `filter: ${m.text} (Esc clears it)` : 'filter cleared';
    return { ui: say({ ...ui, mode: { kind: 'normal' }, filter: m.text }, msg, 'info', ctx.now), effects: [] };
  }
  const err = checkWeight(m.text);
  if (err) return { ui: { ...ui, mode: { ...m, error: err } }, effects: [] };
  const s = ctx.snapshot && findServer(ctx.snapshot, m.server);
  if (!s) return { ui: say({ ...ui, mode: { kind: 'normal' } }, `${m.server} is gone (reload?)`, 'error', ctx.now), effects: [] };
  return { ui: { ...ui, mode: { kind: 'confirm', plan: planWeight(s, m.text) } }, effects: [] };
}

/** The daemon answered action `id`: its entry, the status line, and for a reload the result panel. */
export function onReply(ui: UiState, id: number, outcome: Outcome, now: number): UiState {
  const entry = ui.log.find((e) => e.id === id);
  if (!entry) return ui;
  const done: LocalEntry = { ...entry, ok: outcome.ok, summary: outcome.summary, lines: outcome.lines };
  let next: UiState = { ...ui, log: ui.log.map((e) => (e.id === id ? done : e)) };
  next = say(next, outcome.summary, outcome.ok ? 'ok' : 'error', now);
  const showPanel = entry.command === 'reload' || (!outcome.ok && outcome.lines.length > 1);
  if (showPanel && next.mode.kind === 'normal') next = { ...next, mode: { kind: 'result', title: outcome.summary, ok: outcome.ok, lines: outcome.lines, top: 0 } };
  return next;
}
