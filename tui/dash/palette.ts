/**
 * Colours of the dashboard, in one place: the status classes (what colour `UP`, `DOWN`, `MAINT …` get),
 * the series colours of the charts, and ANSI wrapping for text that goes into table and log cells.
 * With colour off (`--no-color`, NO_COLOR) text gets no colour codes and charts draw in the terminal's
 * own colour, so nothing depends on colour to be read: states are words, series have a legend, the
 * donuts print their percentage.
 */

/** How a server or event state reads at a glance. */
export type Tone = 'good' | 'warn' | 'bad' | 'maint' | 'muted' | 'plain';

/** Chart canvases (drawille, ansi-term) know the eight basic names, 256-colour numbers and `normal`. */
export type Ink = 'black' | 'red' | 'green' | 'yellow' | 'blue' | 'magenta' | 'cyan' | 'white' | 'normal' | number;

const TONE_INK: Readonly<Record<Tone, Ink>> = Object.freeze({
  good: 'green',
  warn: 'yellow',
  bad: 'red',
  maint: 'cyan',
  muted: 244,
  plain: 'normal',
});

/** On a terminal of 8 or 16 colours grey becomes black (invisible on black): muted is then the plain colour. */
const MUTED_FEW_COLORS = { ink: 'white' as Ink, sgr: '' };

/** SGR foreground codes per tone (for text inside cells). */
const TONE_SGR: Readonly<Record<Tone, string>> = Object.freeze({
  good: '32',
  warn: '33',
  bad: '31',
  maint: '36',
  muted: '90',
  plain: '',
});

/** Line colours of the rate chart's series, in order. */
const SERIES: readonly Ink[] = ['cyan', 'yellow', 'green', 'magenta', 'blue', 'red', 'white'];

export interface Palette {
  readonly color: boolean;
  /** Canvas colour of a tone (`normal` with colour off). */
  ink(t: Tone): Ink;
  /** `text` wrapped in the tone's ANSI colour (identity with colour off or for `plain`). */
  paint(t: Tone, text: string): string;
  /** Bold text (identity with colour off). */
  bold(text: string): string;
  /** Colour of the i-th series of a chart (white for all with colour off). */
  series(i: number): Ink;
  /** Blessed style colour for borders and labels, or undefined (the terminal's own) with colour off. */
  readonly frame: string | undefined;
}

/** The palette for a terminal with colour on or off, and how many colours it has (terminfo's `colors`). */
export function makePalette(color: boolean, colors = 256): Palette {
  const few = colors < 256;
  const ink = (t: Tone): Ink => (!color ? 'normal' : t === 'muted' && few ? MUTED_FEW_COLORS.ink : TONE_INK[t]);
  const sgr = (t: Tone): string => (t === 'muted' && few ? MUTED_FEW_COLORS.sgr : TONE_SGR[t]);
  return {
    color,
    ink,
    paint: (t, text) => (color && sgr(t) ? `\x1b[${sgr(t)}m${text}\x1b[39m` : text),
    bold: (text) => (color ? `\x1b[1m${text}\x1b[22m` : text),
    // the chart's legend writes a series colour as a blessed tag, which knows no `normal`
    series: (i) => (color ? SERIES[i % SERIES.length]! : 'white'),
    frame: color ? 'cyan' : undefined,
  };
}

/**
 * The tone of a server status string as HAProxy writes it: `UP` good, a failing `UP 1/2` a warning,
 * `DOWN …` bad, `MAINT …` maintenance, `DRAIN …` and `NOLB …` warnings, `no check` muted.
 */
export function statusTone(status: string): Tone {
  if (status.startsWith('MAINT')) return 'maint';
  if (status.startsWith('DRAIN') || status.startsWith('NOLB')) return 'warn';
  if (status.startsWith('DOWN')) return 'bad';
  if (status.startsWith('UP')) return /^UP \d+\/\d+$/.test(status) ? 'warn' : 'good';
  if (status === 'no check') return 'muted';
  return 'plain';
}

/** Remove ANSI colour codes (to measure or compare text). */
export function stripAnsi(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/\x1b\[[0-9;]*m/g, '');
}
