/**
 * tmux for end-to-end tests of terminal programs, as a person sees them: a private tmux server (`-L`,
 * so nobody's sessions are touched; `-f /dev/null` ignores ~/.tmux.conf), sessions of a given size,
 * the screen as text, and polling the screen with a deadline (never a sleep).
 */
import { execFile, spawnSync } from 'node:child_process';
import { promisify } from 'node:util';
import { waitFor } from './wait.js';

const run = promisify(execFile);

/** Why tmux tests cannot run here, or false when they can. */
export const tmuxMissing: string | false = spawnSync('tmux', ['-V']).status === 0 ? false : 'tmux is not installed (apt-get install tmux)';

export class TmuxServer {
  readonly name: string;

  constructor(prefix: string) {
    this.name = `${prefix}-${process.pid}`;
  }

  /** One tmux command on this server: its stdout. */
  cmd(...args: string[]): Promise<string> {
    return run('tmux', ['-L', this.name, '-f', '/dev/null', ...args], { timeout: 5000 }).then((r) => r.stdout);
  }

  /** Start `command` in a detached session of this size; with `remain`, the pane stays after it ends, to be read. */
  async session(name: string, cols: number, rows: number, command: string, remain = false): Promise<void> {
    await this.cmd('new-session', '-d', '-s', name, '-x', String(cols), '-y', String(rows), command, ...(remain ? [';', 'set-option', '-t', name, 'remain-on-exit', 'on'] : []));
  }

  /** The visible screen of a session, as text; with `history`, the lines scrolled off the top too. */
  screen(session: string, history = false): Promise<string> {
    return this.cmd('capture-pane', '-p', ...(history ? ['-S', '-'] : []), '-t', session);
  }

  /** Poll the screen until `ok(text)`; fail with the last screen when the deadline passes. */
  async until(session: string, what: string, ok: (text: string) => boolean, ms = 15_000, history = false): Promise<string> {
    let last = '';
    try {
      return await waitFor(async () => {
        last = await this.screen(session, history);
        return ok(last) ? last : null;
      }, ms, what, 100);
    } catch (e) {
      throw new Error(`${(e as Error).message}\n--- screen ---\n${last}`);
    }
  }

  sendKeys(session: string, ...keys: string[]): Promise<string> {
    return this.cmd('send-keys', '-t', session, ...keys);
  }

  /** Kill the server and every session on it (never throws: it may be gone already). */
  async kill(): Promise<void> {
    await this.cmd('kill-server').catch(() => {});
  }
}
