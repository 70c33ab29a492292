/**
 * The bottom of the console and its overlays: the confirmation panel (naming every server an action
 * changes), the prompts (filter, weight), the result panel (a reload's changes or errors), the help
 * screen generated from the key table and the state table, the status line and the key hints.
 */
import type { ActionPlan } from './actions.js';
import { fmtClock } from './format.js';
import type { Glyphs } from './glyphs.js';
import { helpSections, hints, type Mode } from './keys.js';
import { cut, pad, width, type Line, type Seg } from './line.js';
import type { ModeState, StatusMessage } from './state.js';
import { STATE_STYLES } from './status.js';
import { pack, type Part } from './header.js';

/** Names joined into lines of at most `w` cells, at most `max` lines (then `+N more`). */
export function wrapNames(prefix: string, names: readonly string[], w: number, max: number): string[] {
  const lines: string[] = [];
  let cur = prefix;
  let i = 0;
  for (; i < names.length; i++) {
    const add = (cur === prefix ? '' : ', ') + names[i];
    if (width(cur + add) > w && cur !== prefix) {
      if (lines.length + 1 >= max) break;
      lines.push(cur + ',');
      cur = ' '.repeat(width(prefix)) + names[i];
    } else cur += add;
  }
  if (i < names.length) cur += ` +${names.length - i} more`;
  lines.push(cur);
  return lines;
}

/** The confirmation panel of a plan: what, the equivalent command, every server changed, and how to answer. */
export function confirmLines(plan: ActionPlan, w: number, g: Glyphs, readOnly: boolean): Line[] {
  const out: Line[] = [[{ text: g.rule.repeat(w), dim: true }]];
  out.push([{ text: `${plan.title}?`, bold: true, tone: 'warn' }, { text: `  ${plan.command}`, dim: true }]);
  if (plan.direct.length) for (const l of wrapNames('  changes: ', plan.direct, w, 3)) out.push([{ text: l }]);
  if (plan.tracked.length) for (const l of wrapNames('  and through track: ', plan.tracked, w, 3)) out.push([{ text: l }]);
  for (const n of plan.notes) out.push([{ text: `  ${n}`, dim: true }]);
  out.push(hintsLine('confirm', w, readOnly));
  return out;
}

/** The prompt panel (filter or weight), with a visible caret. */
export function promptLines(m: Extract<ModeState, { kind: 'prompt' }>, w: number, g: Glyphs, readOnly: boolean, matches: number | null): Line[] {
  const out: Line[] = [[{ text: g.rule.repeat(w), dim: true }]];
  const caret: Seg = { text: '_', inverse: true };
  if (m.purpose === 'filter') {
    out.push([{ text: '/', bold: true, tone: 'accent' }, { text: m.text }, caret, { text: `   ${matches ?? 0} row${matches === 1 ? '' : 's'} match`, dim: true }]);
    out.push([{ text: 'substring or regular expression, any case; matches names, states (DOWN, MAINT), addresses', dim: true }]);
  } else {
    out.push([{ text: `Weight for ${m.server}: `, bold: true }, { text: m.text }, caret, { text: '   n (0..256) or n% of the configured weight', dim: true }]);
    if (m.error) out.push([{ text: m.error, tone: 'down' }]);
  }
  out.push(hintsLine('prompt', w, readOnly));
  return out;
}

/** The result panel: a title (ok or refused) and its lines, scrolled. */
export function resultLines(m: Extract<ModeState, { kind: 'result' }>, h: number, w: number, g: Glyphs): Line[] {
  // an error is read whole: long lines wrap (continuations indented), they are not cut
  const body = m.lines.flatMap((l) => wrapText(l, w - 2, 4)).map((l): Line => [{ text: `  ${l}`, ...(m.ok ? {} : { tone: 'down' as const }) }]);
  const out: Line[] = [[{ text: `${m.ok ? g.up : g.down} ${m.title}`, bold: true, tone: m.ok ? 'up' : 'down' }]];
  out.push(...body.slice(m.top, m.top + Math.max(0, h - 1)));
  return out;
}

/** `text` broken into lines of at most `w` cells, at spaces where possible; continuation lines are indented. */
export function wrapText(text: string, w: number, indent = 0): string[] {
  const out: string[] = [];
  let rest = text;
  let first = true;
  while (width(rest) > w - (first ? 0 : indent) && w - indent > 8) {
    const room = w - (first ? 0 : indent);
    const cps = [...rest];
    let cutAt = cps.slice(0, room + 1).lastIndexOf(' ');
    if (cutAt < room / 2) cutAt = room;
    out.push((first ? '' : ' '.repeat(indent)) + cps.slice(0, cutAt).join('').trimEnd());
    rest = cps.slice(cutAt).join('').trimStart();
    first = false;
  }
  out.push((first ? '' : ' '.repeat(indent)) + rest);
  return out;
}

/** Every line of the help screen: the keys from the key table, then what each state means. */
export function helpText(readOnly: boolean, g: Glyphs): Line[] {
  const out: Line[] = [[{ text: 'lbctl top: keys', bold: true, tone: 'accent' }, { text: readOnly ? '   (read-only: no server actions)' : '', tone: 'warn' }]];
  for (const s of helpSections(readOnly)) {
    out.push([{ text: s.section, bold: true }]);
    for (const b of s.entries) out.push([{ text: `  ${pad(b.label, 9)} `, tone: 'accent' }, { text: b.help }]);
  }
  out.push([{ text: 'States', bold: true }]);
  for (const st of Object.values(STATE_STYLES)) {
    if (st.glyph === 'unknown') continue;
    out.push([{ text: `  ${g[st.glyph]} `, tone: st.tone }, { text: st.meaning }]);
  }
  return out;
}

/** How long a message stays on the status line before it gives way to the selection's summary (ms). */
export const MESSAGE_MS = { info: 5_000, busy: 60_000, ok: 30_000, error: 60_000 } as const;

/** The status line: the last message (action sent, lbd's reply, a hint) with its time while it is
 *  fresh, else `fallback` (a summary of the selected row). */
export function statusLine(s: StatusMessage | null, w: number, now: number, fallback: Line | null): Line {
  if (!s || now - s.at > MESSAGE_MS[s.tone]) return fallback ?? [{ text: '? shows every key', dim: true }];
  const tone = s.tone === 'ok' ? 'up' : s.tone === 'error' ? 'down' : s.tone === 'busy' ? 'warn' : undefined;
  return [{ text: `${fmtClock(s.at)} `, dim: true }, { text: cut(s.text, w - 9), ...(tone ? { tone } : {}), bold: s.tone === 'error' }];
}

/** The key hints of a mode, from the key table; `?` and `q` stay when the line is narrow. */
export function hintsLine(mode: Mode, w: number, readOnly: boolean, serverView = true): Line {
  const parts: Part[] = hints(mode, readOnly, serverView).map((h) => ({ segs: [{ text: h.label, bold: true, tone: 'accent' }, { text: ` ${h.hint}`, dim: true }], priority: h.rank }));
  return pack(parts, [], w);
}
