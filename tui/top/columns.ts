/**
 * Column layout by terminal width. Each view declares its columns with a priority; the layout keeps
 * the ones that fit, most important first, and gives the flexible column (the one that explains a
 * state) the rest. So a narrow terminal drops columns instead of cutting the state or its cause, the
 * way hatop cuts `MAINT (via monitoring/server-1)` to `..erver-1)`. Deterministic for a width and the
 * content's widths, so columns do not come and go between refreshes.
 */
import { pad, type Line, type Seg } from './line.js';

export interface Column<R> {
  id: string;
  title: string;
  /** Cells; the title is fitted too. */
  width: number;
  /** A column that can shrink (a sparkline) takes what is left, down to this, rather than be dropped. */
  minWidth?: number;
  /** The title for a shrunk column. */
  shortTitle?: string;
  align: 'left' | 'right';
  /** Lower is kept first. The flexible column has none: it is always there. */
  priority: number;
  cell(row: R, width: number): Seg;
}

export interface FlexColumn<R> {
  title: string;
  /** Cells it needs to show everything (the widest content). */
  want: number;
  /** Cells below which other columns are dropped before it shrinks. */
  min: number;
  cell(row: R, width: number): Line;
}

export interface Layout<R> {
  lead: Column<R>;
  flex: FlexColumn<R>;
  flexWidth: number;
  /** The fixed columns kept, in display order. */
  rest: Column<R>[];
}

/**
 * Choose the columns for `width` cells: the lead (name) column and the flexible one always; then each
 * other column in priority order while it fits with one space before it, keeping the flexible column
 * at least its `want` (capped to what is left). Display order is the order of `columns`.
 */
export function layout<R>(width: number, lead: Column<R>, flex: FlexColumn<R>, columns: Column<R>[]): Layout<R> {
  const base = lead.width + 1;
  const flexNeed = Math.max(flex.min, Math.min(flex.want, width - base));
  let used = base + flexNeed;
  const keep = new Map<Column<R>, number>();
  for (const c of [...columns].sort((a, b) => a.priority - b.priority)) {
    const room = width - used - 1;
    const w = c.width <= room ? c.width : c.minWidth !== undefined && c.minWidth <= room ? room : 0;
    if (w > 0) {
      keep.set(c, w);
      used += 1 + w;
    }
  }
  const rest = columns.filter((c) => keep.has(c)).map((c) => (keep.get(c) === c.width ? c : { ...c, width: keep.get(c)!, title: c.shortTitle ?? c.title }));
  // on a wide terminal the explaining column takes a little more than it wants (room for a check's
  // text), not everything: the numbers stay near the names they belong to
  const flexWidth = Math.max(1, Math.min(width - base - rest.reduce((n, c) => n + 1 + c.width, 0), Math.max(flex.want + 16, 44)));
  return { lead, flex, flexWidth, rest };
}

/** The title line of a layout. */
export function titleLine<R>(l: Layout<R>): Line {
  const parts = [pad(l.lead.title, l.lead.width), ' ', pad(l.flex.title, l.flexWidth)];
  for (const c of l.rest) parts.push(' ', pad(c.title, c.width, c.align));
  return [{ text: parts.join(''), bold: true }];
}

/** One row in a layout. */
export function rowLine<R>(l: Layout<R>, row: R): Line {
  const lead = l.lead.cell(row, l.lead.width);
  const out: Line = [{ ...lead, text: pad(lead.text, l.lead.width, l.lead.align) }, { text: ' ' }];
  out.push(...fitFlex(l.flex.cell(row, l.flexWidth), l.flexWidth));
  for (const c of l.rest) {
    const s = c.cell(row, c.width);
    out.push({ text: ' ' }, { ...s, text: pad(s.text, c.width, c.align) });
  }
  return out;
}

function fitFlex(line: Line, w: number): Line {
  const out: Line = [];
  let used = 0;
  for (const s of line) {
    if (used >= w) break;
    const t = pad(s.text, Math.min(w - used, [...s.text].length));
    out.push({ ...s, text: t });
    used += [...t].length;
  }
  if (used < w) out.push({ text: ' '.repeat(w - used) });
  return out;
}
