/**
 * The parts of blessed-contrib 4.11 that lbd's dashboard uses, declared from its sources (lib/layout/grid.js,
 * lib/widget/…). The package ships an index.d.ts, but it is loose where we need it exact (a table's
 * `interactive` typed as a string, the grid as a Box it is not, `any` overloads); this ambient module takes
 * precedence over it, and only tui/dash/ imports blessed-contrib.
 */
declare module 'blessed-contrib' {
  import type { Widgets } from 'blessed';

  /** What every widget constructor accepts: blessed's box options (label, border, style, tags …). */
  type BoxOptions = Widgets.BoxOptions;
  /** A canvas colour: one of the eight basic names, `normal`, or a 256-colour number. */
  type Ink = string | number;

  /** contrib.grid: places widgets on a rows × cols grid of percentages of its parent. */
  interface GridOptions {
    /** The element widgets are appended to (a screen, or any box: percentages are of it). */
    screen: Widgets.Node;
    rows: number;
    cols: number;
    /** No border around the cells (default: a cyan line border, or `color`). */
    hideBorder?: boolean;
    /** Border colour of the cells. */
    color?: string;
  }

  class grid {
    constructor(opts: GridOptions);
    /** Create `factory(opts)` at (row, col) spanning rowSpan × colSpan cells and append it. */
    set<O, W>(row: number, col: number, rowSpan: number, colSpan: number, factory: (opts: O) => W, opts: O): W;
  }

  /** A braille (drawille) or ANSI canvas widget: its canvas size is fixed when it is attached. */
  interface CanvasElement extends Widgets.BoxElement {
    canvasSize: { width: number; height: number };
  }

  interface LineSeries {
    title: string;
    x: string[];
    y: number[];
    style?: { line?: Ink };
  }

  interface LineOptions extends BoxOptions {
    style?: { line?: Ink; text?: Ink; baseline?: Ink } & BoxOptions['style'];
    showLegend?: boolean;
    legend?: { width?: number };
    /** Fixed top of the y axis (else max × 1.2, which is NaN for an all-zero series). */
    maxY?: number;
    minY?: number;
    numYLabels?: number;
    wholeNumbersOnly?: boolean;
    xLabelPadding?: number;
    xPadding?: number;
    showNthLabel?: number;
  }

  interface LineElement extends CanvasElement {
    options: LineOptions;
    /** Draw the series (all with the same x labels). Only after the chart is attached. */
    setData(series: LineSeries[]): void;
  }

  interface BarOptions extends BoxOptions {
    barWidth?: number;
    barSpacing?: number;
    xOffset?: number;
    /** The smallest top of the scale (bars are scaled to max(data, maxHeight)). */
    maxHeight?: number;
    barBgColor?: Ink;
    barFgColor?: Ink;
    labelColor?: Ink;
    showText?: boolean;
  }

  interface BarElement extends CanvasElement {
    options: BarOptions;
    setData(data: { titles: string[]; data: number[] }): void;
  }

  interface DonutSlice {
    /** 0..1 (or 0..100). */
    percent: number;
    label: string;
    color?: Ink;
    /** Shown in the middle instead of the percentage. */
    percentAltNumber?: number;
  }

  interface DonutOptions extends BoxOptions {
    radius?: number;
    arcWidth?: number;
    spacing?: number;
    yPadding?: number;
    remainColor?: Ink;
    stroke?: Ink;
    fill?: Ink;
    data?: DonutSlice[];
  }

  interface DonutElement extends CanvasElement {
    options: DonutOptions;
    setData(data: DonutSlice[]): void;
  }

  interface TableOptions extends BoxOptions {
    /** Width of each column in characters; cells are cut to it. Read at every setData. */
    columnWidth: number[];
    columnSpacing?: number;
    /** Keyboard selection of rows (default true). */
    interactive?: boolean;
    fg?: string;
    bg?: string;
    selectedFg?: string;
    selectedBg?: string;
  }

  interface TableElement extends CanvasElement {
    options: TableOptions;
    /** Rows are lists of cells; ANSI colour codes in a cell do not count towards its width. */
    setData(data: { headers: string[]; data: string[][] }): void;
  }

  interface LogOptions extends BoxOptions {
    /** Lines kept (default 30). */
    bufferLength?: number;
    fg?: string;
    selectedFg?: string;
  }

  interface LogElement extends Widgets.ListElement {
    /** Append a line and scroll to it (newest at the bottom). */
    log(line: string): void;
  }

  function line(opts: LineOptions): LineElement;
  function bar(opts: BarOptions): BarElement;
  function donut(opts: DonutOptions): DonutElement;
  function table(opts: TableOptions): TableElement;
  function log(opts: LogOptions): LogElement;

  const contrib: {
    grid: typeof grid;
    line: typeof line;
    bar: typeof bar;
    donut: typeof donut;
    table: typeof table;
    log: typeof log;
  };
  export default contrib;
  export type { GridOptions, CanvasElement, LineSeries, LineOptions, LineElement, BarOptions, BarElement, DonutSlice, DonutOptions, DonutElement, TableOptions, TableElement, LogOptions, LogElement };
}
