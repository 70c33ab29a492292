/**
 * Everything the dashboard shows, kept apart from the widgets: the latest snapshot, the ticks of the
 * last minutes, the event log's lines and the connection's state. The widgets are rebuilt on resize
 * (blessed-contrib sizes its canvases once) and redrawn from here, so nothing is lost on the way.
 */
import type { LbdEvent } from '../../shared/events.js';
import type { Snapshot } from '../../shared/snapshot.js';
import { TickHistory } from './history.js';
import { dashLine, eventLine } from './event-lines.js';
import type { Palette, Tone } from './palette.js';

/** The admin connection as the banner tells it. */
export type Link =
  | { state: 'connecting'; attempt: number; error: string | null; retryAt: number | null }
  | { state: 'open'; server: string }
  | { state: 'lost'; attempt: number; error: string | null; retryAt: number | null }
  | { state: 'fatal'; error: string };

export interface DashModelOptions {
  socket: string;
  intervalMs: number;
  /** How much history the rate chart covers (default 5 minutes). */
  windowMs?: number;
  /** Lines the event log keeps (default 500). */
  logLines?: number;
  palette: Palette;
}

export class DashModel {
  snapshot: Snapshot | null = null;
  link: Link = { state: 'connecting', attempt: 0, error: null, retryAt: null };
  readonly history: TickHistory;
  /** The event log, oldest first, by time (a backlog that arrives after a note slots in before it). */
  readonly log: { at: number; line: string }[] = [];
  readonly windowMs: number;
  /** Bumped on every change the screen should show. */
  version = 0;
  private readonly logLines: number;
  private readonly seen = new Set<string>();

  constructor(readonly opts: DashModelOptions) {
    this.windowMs = opts.windowMs ?? 5 * 60_000;
    this.history = new TickHistory(Math.max(2, Math.ceil(this.windowMs / opts.intervalMs) + 1));
    this.logLines = opts.logLines ?? 500;
  }

  /** A new snapshot (full, or rebuilt from a delta). */
  setSnapshot(s: Snapshot): void {
    this.snapshot = s;
    this.version++;
  }

  /** The sampler's tick: record the latest snapshot's figures while connected, a gap while not. */
  tick(at: number): void {
    this.history.push(at, this.link.state === 'open' ? this.snapshot : null);
    this.version++;
  }

  /** A daemon event, once (one already logged, same seq and time, is skipped). */
  addEvent(e: LbdEvent): void {
    const key = `${e.seq}:${e.time}`;
    if (this.seen.has(key)) return;
    this.seen.add(key);
    this.push(e.time, eventLine(e, this.opts.palette));
  }

  /** The dashboard's own news in the log. */
  note(text: string, tone: Tone, at = Date.now()): void {
    this.push(at, dashLine(at, text, tone, this.opts.palette));
  }

  /** The connection changed. */
  setLink(link: Link): void {
    this.link = link;
    this.version++;
  }

  private push(at: number, line: string): void {
    let i = this.log.length;
    while (i > 0 && this.log[i - 1]!.at > at) i--;
    this.log.splice(i, 0, { at, line });
    if (this.log.length > this.logLines) {
      this.log.splice(0, this.log.length - this.logLines);
      // the dedupe set only needs to outlive the lines it protects
      if (this.seen.size > this.logLines * 4) this.seen.clear();
    }
    this.version++;
  }
}
