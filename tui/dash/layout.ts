/**
 * The dashboard's widgets, placed with blessed-contrib's grid: a header line, then a 12 × 12 grid of
 * the session-rate chart and the healthy-servers donuts on top, the server table across the middle,
 * the error bars and the event log at the bottom; and a banner over everything while lbd is
 * unreachable. blessed-contrib sizes a chart's canvas once, when it is attached, so a resize builds
 * the whole layout again (index.ts) and redraws it from the model.
 */
import blessed from 'blessed';
import type { Widgets } from 'blessed';
import contrib, { type BarElement, type DonutElement, type LineElement, type LogElement, type TableElement } from 'blessed-contrib';
import type { Palette } from './palette.js';

/** The widgets of one layout. */
export interface DashWidgets {
  root: Widgets.BoxElement;
  header: Widgets.BoxElement;
  rate: LineElement;
  health: DonutElement;
  servers: TableElement;
  errors: BarElement;
  events: LogElement;
  banner: Widgets.BoxElement;
  /** Gap (spaces) between table columns. */
  tableGap: number;
}

/** The smallest terminal the layout is drawn on; below it a message asks for more room (the charts'
 *  canvases cannot be made smaller than their axes and labels). */
export const MIN_SIZE = Object.freeze({ cols: 60, rows: 20 });

/** True when the screen is too small for the dashboard. */
export function tooSmall(cols: number, rows: number): boolean {
  return cols < MIN_SIZE.cols || rows < MIN_SIZE.rows;
}

/** In place of the layout on a terminal below MIN_SIZE: one box saying so (redrawn with the size). */
export function buildTooSmall(screen: Widgets.Screen): Widgets.BoxElement {
  return blessed.box({ parent: screen, top: 0, left: 0, width: '100%', height: '100%', align: 'center', valign: 'middle', tags: false });
}

/** Where each panel sits on the 12 × 12 grid: [row, col, rowSpan, colSpan]. */
const PLACES = Object.freeze({
  rate: [0, 0, 4, 8],
  health: [0, 8, 4, 4],
  servers: [4, 0, 5, 12],
  errors: [9, 0, 3, 4],
  events: [9, 4, 3, 8],
} as const);

/** The table widget pads each cell to its width plus this many columns, minus one. */
const TABLE_SPACING = 3;

function panel(p: Palette, label: string): Widgets.BoxOptions {
  return {
    label: ` ${label} `,
    tags: false,
    border: { type: 'line' },
    style: p.frame ? { border: { fg: p.frame }, label: { fg: p.frame, bold: true } } : { label: { bold: true } },
  };
}

/** Build the widgets on `screen` (its current size) inside one root box, so a rebuild is one destroy. */
export function buildLayout(screen: Widgets.Screen, p: Palette): DashWidgets {
  const root = blessed.box({ parent: screen, top: 0, left: 0, width: '100%', height: '100%' });
  const header = blessed.box({ parent: root, top: 0, left: 0, width: '100%', height: 1, tags: false, style: p.color ? { fg: 'white', bg: 'blue' } : { inverse: true } });
  const body = blessed.box({ parent: root, top: 1, left: 0, width: '100%', height: '100%-1' });
  const grid = new contrib.grid({ screen: body, rows: 12, cols: 12, hideBorder: true });
  const at = (k: keyof typeof PLACES) => PLACES[k];

  const [r0, c0, h0, w0] = at('rate');
  const rate = grid.set(r0, c0, h0, w0, contrib.line, {
    ...panel(p, 'sessions/s per backend'),
    showLegend: true,
    legend: { width: 16 },
    numYLabels: 4,
    xLabelPadding: 3,
    xPadding: 5,
    style: { ...panel(p, '').style, line: p.series(0), text: p.ink('plain'), baseline: p.ink('muted') },
  });

  const [r1, c1, h1, w1] = at('health');
  const health = grid.set(r1, c1, h1, w1, contrib.donut, {
    ...panel(p, 'healthy servers'),
    radius: 8,
    arcWidth: 3,
    yPadding: 2,
    remainColor: p.color ? p.ink('muted') : 'normal',
    data: [],
  });

  const [r2, c2, h2, w2] = at('servers');
  const servers = grid.set(r2, c2, h2, w2, contrib.table, {
    ...panel(p, 'servers'),
    interactive: false,
    columnSpacing: TABLE_SPACING,
    columnWidth: [10],
    fg: p.color ? 'white' : undefined,
  });

  const [r3, c3, h3, w3] = at('errors');
  const errors = grid.set(r3, c3, h3, w3, contrib.bar, {
    ...panel(p, 'connection errors'),
    barWidth: 4,
    barSpacing: 8,
    xOffset: 1,
    maxHeight: 1,
    // a bar is cells painted in this colour: with colour off it is white, or there would be no bar
    barBgColor: p.color ? p.ink('bad') : 'white',
    barFgColor: p.ink('plain'),
    labelColor: p.ink('plain'),
  });

  const [r4, c4, h4, w4] = at('events');
  const events = grid.set(r4, c4, h4, w4, contrib.log, {
    ...panel(p, 'events'),
    bufferLength: 200,
    fg: p.color ? 'white' : undefined,
  });

  const banner = blessed.box({
    parent: root,
    top: 'center',
    left: 'center',
    width: '70%',
    height: 5,
    hidden: true,
    tags: false,
    align: 'center',
    valign: 'middle',
    border: { type: 'line' },
    style: p.color ? { fg: 'white', bg: 'red', bold: true, border: { fg: 'white', bg: 'red' } } : { inverse: true, bold: true },
  });

  return { root, header, rate, health, servers, errors, events, banner, tableGap: TABLE_SPACING - 1 };
}
