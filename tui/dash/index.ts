/**
 * `lbctl dash`: a read-only wall dashboard of a running lbd, drawn with blessed-contrib (confined to
 * tui/dash/). It connects through the shared AdminClient, keeps a few minutes of history itself, and
 * redraws at a modest rate: at most every 250 ms, and once a second for the clock and the rate chart.
 * `q` or Ctrl-C quit and give the terminal back as it was; a resize rebuilds the layout.
 */
import blessed from 'blessed';
import type { Widgets } from 'blessed';
import { AdminClient } from '../../shared/admin-client.js';
import { VERSION } from '../../daemon/version.js';
import { DashModel } from './model.js';
import { startFeed } from './feed.js';
import { buildLayout, buildTooSmall, MIN_SIZE, tooSmall, type DashWidgets } from './layout.js';
import { draw } from './render.js';
import { makePalette } from './palette.js';

export interface DashOptions {
  /** The admin socket (`stats socket … level user` is enough: the dashboard only reads). */
  socket: string;
  /** Snapshot interval, ms: how often figures refresh and the rate chart gets a point. */
  intervalMs: number;
  color: boolean;
  /** For tests: where to draw (default the process's terminal). */
  input?: NodeJS.ReadableStream;
  output?: NodeJS.WritableStream;
}

/** Shortest time between two redraws, ms. */
const MIN_REDRAW_MS = 250;
/** Debounce of resize events, ms (a window being dragged sends many). */
const RESIZE_DEBOUNCE_MS = 100;

/** Run the dashboard until the operator quits; resolves with the exit code (0). */
export async function runDash(opts: DashOptions): Promise<number> {
  const intervalMs = Math.max(100, opts.intervalMs);
  const screen = blessed.screen({
    smartCSR: true,
    fullUnicode: true,
    title: 'lbd dash',
    autoPadding: true,
    dockBorders: false,
    input: opts.input,
    output: opts.output,
    warnings: false,
  } as Widgets.IScreenOptions);
  // blessed draws line characters through the terminal's ACS charset even on a UTF-8 terminal (so
  // `─` travels as `q`, and `·` as `~`); with UTF-8 it can write them as they are, as ncurses does
  // with NCURSES_NO_UTF8_ACS
  const tput = (screen.program as unknown as { tput: unknown }).tput as { unicode: boolean; brokenACS: boolean; colors: number };
  if (tput.unicode) tput.brokenACS = true;
  const palette = makePalette(opts.color, tput.colors);
  const model = new DashModel({ socket: opts.socket, intervalMs, palette });
  /** The dashboard's widgets, or the box that asks for a bigger terminal. */
  type View = { widgets: DashWidgets } | { small: Widgets.BoxElement };
  const build = (): View => (tooSmall(Number(screen.width), Number(screen.height)) ? { small: buildTooSmall(screen) } : { widgets: buildLayout(screen, palette) });
  let view: View = build();

  let lastDraw = 0;
  let pending: NodeJS.Timeout | null = null;
  let done = false;
  let lastError = '';
  const redraw = () => {
    if (done) return;
    pending = null;
    lastDraw = Date.now();
    if ('small' in view) {
      view.small.setContent(`lbd dash needs at least ${MIN_SIZE.cols}×${MIN_SIZE.rows} (this terminal is ${screen.width}×${screen.height})\nq quits`);
    } else {
      try {
        draw(view.widgets, model, palette);
      } catch (e) {
        // a widget that cannot draw (an odd size) must not take the dashboard down; say it once
        const m = (e as Error).message;
        if (m !== lastError) model.note(`draw failed: ${m}`, 'bad');
        lastError = m;
      }
    }
    screen.render();
  };
  const schedule = () => {
    if (done || pending) return;
    pending = setTimeout(redraw, Math.max(0, lastDraw + MIN_REDRAW_MS - Date.now()));
  };

  const client = new AdminClient({ socketPath: opts.socket, clientName: `lbctl-dash/${VERSION}`, reconnect: true });
  const feed = startFeed(client, model, { intervalMs, onChange: schedule });

  // the sampler: one tick per interval, connected or not, so the chart's time axis is even
  const sampler = setInterval(() => {
    model.tick(Date.now());
    schedule();
  }, intervalMs);
  // the clock and the banner's countdown move even when nothing else does
  const clockTimer = setInterval(schedule, 1000);

  let resizeTimer: NodeJS.Timeout | null = null;
  screen.on('resize', () => {
    if (resizeTimer) clearTimeout(resizeTimer);
    resizeTimer = setTimeout(() => {
      resizeTimer = null;
      if (done) return;
      if ('small' in view) view.small.destroy();
      else view.widgets.root.destroy();
      view = build();
      redraw();
    }, RESIZE_DEBOUNCE_MS);
  });

  redraw();

  // q and Ctrl-C quit (Ctrl-C arrives as a key: the terminal is in raw mode); SIGTERM and SIGHUP too
  const signals = ['SIGTERM', 'SIGHUP', 'SIGINT'] as const;
  let onSignal = () => {};
  const code = await new Promise<number>((resolve) => {
    screen.key(['q', 'Q', 'C-c'], () => resolve(0));
    onSignal = () => resolve(0);
    for (const sig of signals) process.on(sig, onSignal);
  });
  for (const sig of signals) process.off(sig, onSignal);

  done = true;
  for (const t of [pending, resizeTimer]) if (t) clearTimeout(t);
  clearInterval(sampler);
  clearInterval(clockTimer);
  screen.destroy();
  await feed.stop();
  return code;
}
