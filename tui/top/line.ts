/**
 * A screen line as plain data: segments of text with a semantic tone. Every view of `lbctl top` is a
 * pure function producing lines; the Ink component only maps tones to colours, and the non-TTY output
 * joins the text. So what a person sees is testable without a terminal, and one palette decides colour.
 */

/** What a segment means; the palette (PALETTE) turns it into a colour, or nothing with colour off. */
export type Tone = 'up' | 'warn' | 'down' | 'maint' | 'muted' | 'accent' | 'title';

export interface Seg {
  text: string;
  tone?: Tone;
  bold?: boolean;
  dim?: boolean;
  inverse?: boolean;
}

export type Line = Seg[];

/** Tone → Ink colour name. Muted text uses dim, not a colour, so it stays readable on any background. */
export const PALETTE: Readonly<Record<Tone, string | undefined>> = Object.freeze({
  up: 'green',
  warn: 'yellow',
  down: 'red',
  maint: 'magenta',
  muted: undefined,
  accent: 'cyan',
  title: undefined,
});

/** Display width of a string. Every glyph lbd draws is one cell wide; wide (CJK) names count as one per code point. */
export function width(s: string): number {
  let n = 0;
  for (const _ of s) n++;
  return n;
}

/** The first `w` cells of `s`, ending with `ell` when cut (so a cut is visible, never silent). */
export function cut(s: string, w: number, ell = '…'): string {
  if (w <= 0) return '';
  if (width(s) <= w) return s;
  const cps = [...s];
  return w <= width(ell) ? cps.slice(0, w).join('') : cps.slice(0, w - width(ell)).join('') + ell;
}

/** `s` cut or padded to exactly `w` cells, left or right aligned. */
export function pad(s: string, w: number, align: 'left' | 'right' = 'left', ell = '…'): string {
  const t = cut(s, w, ell);
  const fill = ' '.repeat(Math.max(0, w - width(t)));
  return align === 'left' ? t + fill : fill + t;
}

/** Total display width of a line. */
export function lineWidth(line: Line): number {
  let n = 0;
  for (const s of line) n += width(s.text);
  return n;
}

/** The line cut to `w` cells (ending with `ell` where text was lost, so a cut is never silent) and, with
 *  `fill`, padded to exactly `w`: a selected row's inverse bar then spans the whole width, and no line wraps. */
export function fit(line: Line, w: number, opts: { fill?: boolean; ell?: string } = {}): Line {
  const out: Line = [];
  let used = 0;
  const over = lineWidth(line) > w;
  for (const s of line) {
    const sw = width(s.text);
    if (!over || used + sw < w) {
      out.push(s);
      used += sw;
      continue;
    }
    const room = w - used;
    if (room > 0) {
      const cps = [...s.text];
      const blank = s.text.trim() === '';
      const ell = opts.ell ?? '…';
      const t = blank ? cps.slice(0, room).join('') : room <= width(ell) ? cps.slice(0, room).join('') : cps.slice(0, room - width(ell)).join('') + ell;
      out.push({ ...s, text: t });
    }
    used = w;
    break;
  }
  if (opts.fill && used < w) {
    const last = out[out.length - 1];
    out.push({ text: ' '.repeat(w - used), ...(last?.inverse ? { inverse: true } : {}) });
  }
  return out;
}

/** Plain text of a line (non-TTY output, tests). */
export function text(line: Line): string {
  let s = '';
  for (const seg of line) s += seg.text;
  return s;
}

/** The same line with every segment inverse: the selection bar. */
export function inverse(line: Line): Line {
  return line.map((s) => ({ ...s, inverse: true }));
}

/** Adjacent segments with the same look joined into one: fewer Ink nodes for the same line. */
export function merge(line: Line): Line {
  const out: Line = [];
  for (const s of line) {
    const last = out[out.length - 1];
    if (last && last.tone === s.tone && !!last.bold === !!s.bold && !!last.dim === !!s.dim && !!last.inverse === !!s.inverse) out[out.length - 1] = { ...last, text: last.text + s.text };
    else out.push(s);
  }
  return out;
}
