/**
 * `lbctl top`: the operator console. runTop() is what lbctl calls; it resolves with the exit code.
 * On a terminal it runs the Ink app on the alternate screen (the shell's screen comes back on exit),
 * painted by painter.ts, until `q`; when stdout is not a terminal it prints one snapshot and exits
 * (plain.ts, like `top -b -n 1`).
 */
import type { Instance } from 'ink';
import { AdminClient } from '../../shared/admin-client.js';
import { VERSION } from '../../daemon/version.js';
import { Feed } from './feed.js';
import { Painter } from './painter.js';
import { printOnce } from './plain.js';
import { colorWanted, displayOptions, localeIsUtf8 } from './terminal.js';

export { displayOptions };
export { keysMarkdown } from './keys.js';

export interface TopOptions {
  socket: string;
  /** Snapshot interval asked of the daemon (it clamps to 100 ms..1 h). */
  intervalMs: number;
  /** No action keys at all: d/e/n/w/D/E/N/r are neither handled nor shown. */
  readOnly: boolean;
  /** Flags only turn these off: NO_COLOR and a non-UTF-8 locale are honoured whatever is passed. */
  color: boolean;
  ascii: boolean;
  /** A line of advice under the panes (`make demo` passes one); default $LBCTL_TOP_HINT. */
  hint?: string;
}

/** Run the console until the operator quits (0), or print one snapshot when stdout is not a TTY. */
export async function runTop(o: TopOptions): Promise<number> {
  const color = o.color && colorWanted();
  const ascii = o.ascii || !localeIsUtf8();
  const client = new AdminClient({ socketPath: o.socket, clientName: `lbctl-top/${VERSION}`, requestTimeoutMs: 10_000, connectTimeoutMs: 5_000, reconnect: process.stdout.isTTY === true });
  if (!process.stdout.isTTY) {
    const width = Number(process.env.COLUMNS) > 0 ? Number(process.env.COLUMNS) : 160;
    return printOnce(client, { intervalMs: o.intervalMs, ascii, width, out: (s) => process.stdout.write(s), err: (s) => process.stderr.write(s) });
  }
  // React's development build checks and records much more on every render (the console spent most of
  // its time there with 1,000 servers): unless asked otherwise, run the production build. React reads
  // NODE_ENV when it is first loaded, hence the dynamic imports here and no JSX in this file.
  process.env.NODE_ENV ??= 'production';
  const React = await import('react');
  const { render } = await import('ink');
  const { App } = await import('./app.js');
  const feed = new Feed(client, { intervalMs: o.intervalMs });
  const painter = new Painter(process.stdout, { maxFps: 8 });
  // Anything printed while the console owns the screen (a warning, a stray log) would tear it: keep it
  // and print it after the console exits.
  const held: string[] = [];
  const stderrWrite = process.stderr.write;
  process.stderr.write = ((chunk: string | Uint8Array) => {
    held.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString());
    return true;
  }) as typeof process.stderr.write;
  const consoleMethods = ['log', 'info', 'warn', 'error', 'debug'] as const;
  const saved = consoleMethods.map((m) => console[m]);
  for (const m of consoleMethods) console[m] = (...a: unknown[]) => void held.push(a.map(String).join(' ') + '\n');
  let inst: Instance | null = null;
  const stop = () => inst?.unmount();
  process.once('SIGTERM', stop);
  process.once('SIGHUP', stop);
  process.once('SIGINT', stop);
  feed.start();
  painter.start();
  try {
    inst = render(React.createElement(App, { client, feed, opts: { readOnly: o.readOnly, ascii, color, socket: o.socket, intervalMs: o.intervalMs, hint: o.hint ?? process.env.LBCTL_TOP_HINT } }), {
      stdout: painter.inkStdout as unknown as NodeJS.WriteStream,
      debug: true,
      exitOnCtrlC: false,
      patchConsole: false,
    });
    await inst.waitUntilExit();
    return 0;
  } finally {
    process.off('SIGTERM', stop);
    process.off('SIGHUP', stop);
    process.off('SIGINT', stop);
    painter.stop();
    process.stderr.write = stderrWrite;
    consoleMethods.forEach((m, i) => (console[m] = saved[i]!));
    await feed.stop();
    await client.close();
    for (const h of held) process.stderr.write(h);
  }
}
