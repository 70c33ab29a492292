/**
 * Paints Ink's frames on the terminal, line by line with absolute cursor addressing, on the alternate
 * screen. Ink renders into a stand-in stdout (debug mode: each render writes the whole frame); the
 * painter compares the frame with what is on screen and rewrites only the lines that changed, at most
 * `maxFps` times a second, inside a synchronized-update bracket. Why not Ink's own incremental mode:
 * in Ink 6.8 it moves the cursor up one line too few when the frame is shorter than the terminal (the
 * frame then drifts down a line and leaves stale lines behind), and a frame as tall as the terminal
 * makes Ink clear the whole screen on every render (flicker). Absolute addressing cannot drift, and an
 * unchanged line costs nothing over SSH.
 */
import { EventEmitter } from 'node:events';

const ESC = '\x1b[';
const SYNC_ON = '\x1b[?2026h';
const SYNC_OFF = '\x1b[?2026l';

/** The terminal the painter draws on (process.stdout, or a fake in tests). */
export interface Terminal {
  columns: number;
  rows: number;
  write(s: string): unknown;
  on(ev: 'resize', fn: () => void): unknown;
  off(ev: 'resize', fn: () => void): unknown;
}

/** What Ink writes to: it reports the real terminal's size and forwards its resizes. */
export class InkStdout extends EventEmitter {
  readonly isTTY = false;
  constructor(
    private readonly term: Terminal,
    private readonly onFrame: (frame: string) => void,
  ) {
    super();
  }
  get columns(): number {
    return this.term.columns || 80;
  }
  get rows(): number {
    return this.term.rows || 24;
  }
  write(s: string, cb?: () => void): boolean {
    if (s) this.onFrame(s);
    cb?.();
    return true;
  }
}

export class Painter {
  readonly inkStdout: InkStdout;
  private painted: string[] = [];
  private pending: string[] | null = null;
  private last = 0;
  private timer: NodeJS.Timeout | null = null;
  private active = false;
  /** Bytes written since start (the bandwidth figure). */
  bytes = 0;
  frames = 0;

  constructor(
    private readonly term: Terminal,
    private readonly opts: { maxFps: number; now?: () => number } = { maxFps: 8 },
  ) {
    this.inkStdout = new InkStdout(term, (f) => this.frame(f));
  }

  /** Enter the alternate screen, hide the cursor, follow resizes. */
  start(): void {
    this.active = true;
    this.out(`\x1b[?1049h${ESC}?25l${ESC}H${ESC}2J`);
    this.term.on('resize', this.onResize);
  }

  /** Paint what is pending, then leave the alternate screen with the cursor shown: the shell's screen returns. */
  stop(): void {
    if (!this.active) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.term.off('resize', this.onResize);
    this.active = false;
    this.out(`${ESC}?25h\x1b[?1049l`);
  }

  private readonly onResize = () => {
    // a resize can reflow or cut what is on screen: repaint everything, now
    this.painted = [];
    this.last = 0;
    this.out(`${ESC}H${ESC}2J`);
    this.inkStdout.emit('resize');
  };

  private frame(f: string): void {
    const rows = this.term.rows || 24;
    let lines = f.split('\n');
    if (lines.length && lines[lines.length - 1] === '') lines.pop();
    if (lines.length > rows) lines = lines.slice(lines.length - rows);
    this.pending = lines;
    if (!this.active || this.timer) return;
    const now = (this.opts.now ?? Date.now)();
    const gap = 1000 / this.opts.maxFps;
    const wait = this.last + gap - now;
    if (wait <= 0) this.paint();
    else this.timer = setTimeout(() => {
      this.timer = null;
      this.paint();
    }, wait);
  }

  private paint(): void {
    const lines = this.pending;
    this.pending = null;
    if (!lines || !this.active) return;
    this.last = (this.opts.now ?? Date.now)();
    const rows = this.term.rows || 24;
    let buf = '';
    for (let i = 0; i < rows; i++) {
      const want = lines[i] ?? '';
      const have = this.painted[i];
      if (want === have) continue;
      buf += `${ESC}${i + 1};1H${want}${ESC}0m${ESC}K`;
    }
    this.painted = lines.slice(0, rows);
    for (let i = this.painted.length; i < rows; i++) this.painted.push('');
    if (!buf) return;
    this.frames++;
    this.out(SYNC_ON + buf + SYNC_OFF);
  }

  private out(s: string): void {
    this.bytes += Buffer.byteLength(s);
    this.term.write(s);
  }
}
