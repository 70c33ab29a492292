/**
 * Every symbol `lbctl top` draws, in two sets: Unicode, and ASCII for terminals or locales without
 * UTF-8 (`--ascii`, or automatic). One table, so ASCII mode can never miss a glyph. Each glyph is one
 * cell wide in both sets (no emoji, no East Asian wide characters), so columns line up.
 */
export interface Glyphs {
  /** Server and backend states (see status.ts). */
  up: string;
  goingDown: string;
  down: string;
  comingUp: string;
  drain: string;
  maint: string;
  nolb: string;
  noCheck: string;
  unknown: string;
  /** Tree: a server under its backend, the last one, a collapsed and an expanded backend. */
  branch: string;
  lastBranch: string;
  collapsed: string;
  expanded: string;
  /** Marks the selected row even without colour or inverse video. */
  cursor: string;
  /** Sparkline levels, lowest first; index 0 is "nothing". */
  spark: string[];
  arrow: string;
  ellipsis: string;
  sep: string;
  rule: string;
}

export const UNICODE: Glyphs = Object.freeze({
  up: '✓',
  goingDown: '↘',
  down: '✗',
  comingUp: '↗',
  drain: '◆',
  maint: '■',
  nolb: '◇',
  noCheck: '○',
  unknown: '?',
  branch: '├',
  lastBranch: '└',
  collapsed: '▸',
  expanded: '▾',
  cursor: '▶',
  spark: [' ', '▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'],
  arrow: '→',
  ellipsis: '…',
  sep: '·',
  rule: '─',
});

export const ASCII: Glyphs = Object.freeze({
  up: '+',
  goingDown: '!',
  down: 'X',
  comingUp: '^',
  drain: '~',
  maint: '#',
  nolb: '-',
  noCheck: '.',
  unknown: '?',
  branch: '|',
  lastBranch: '`',
  collapsed: '+',
  expanded: '-',
  cursor: '>',
  spark: [' ', '.', ':', '-', '=', '+', '*', '#', '@'],
  arrow: '->',
  ellipsis: '~',
  sep: '|',
  rule: '-',
});

export function glyphsFor(ascii: boolean): Glyphs {
  return ascii ? ASCII : UNICODE;
}
