/**
 * `lbctl top` (the Ink operator console, tui/top/) and `lbctl dash` (the blessed-contrib wall dashboard,
 * tui/dash/). Both are loaded only when asked for, so the script-facing commands start as fast as before.
 */
import type { Command } from 'commander';
import { CliError, EXIT, socketPath, stderr, type GlobalOptions } from './common.js';

function intervalOf(v: string): number {
  const ms = Number(v);
  if (!Number.isFinite(ms) || ms < 100) throw new CliError(EXIT.USAGE, `-i wants milliseconds, at least 100 (got '${v}')`, 'usage');
  return ms;
}

async function run(fn: () => Promise<number>): Promise<void> {
  try {
    process.exitCode = await fn();
  } catch (e) {
    if (e instanceof CliError) {
      stderr(`lbctl: ${e.message}`);
      process.exitCode = e.exitCode;
      return;
    }
    stderr(`lbctl: ${(e as Error).stack ?? String(e)}`);
    process.exitCode = EXIT.REFUSED;
  }
}

export function registerConsole(program: Command): void {
  program
    .command('top')
    .description('the operator console: servers, health and traffic live, with keys to disable, enable, drain, weight and reload')
    .option('-i, --interval <ms>', 'refresh interval', '1000')
    .option('--read-only', 'no action keys at all (safe to leave open)')
    .option('--no-color', 'no colours (NO_COLOR is honoured too)')
    .option('--ascii', 'ASCII symbols and sparklines (automatic when the locale is not UTF-8)')
    .addHelpText('after', '\nKeys: ? in the console lists them. When stdout is not a terminal it prints one snapshot and exits (like top -b).')
    .action((opts: { interval: string; readOnly?: boolean; color: boolean; ascii?: boolean }, cmd: Command) =>
      run(async () => {
        const g = cmd.optsWithGlobals<GlobalOptions>();
        const intervalMs = intervalOf(opts.interval);
        const { runTop } = await import('../top/index.js');
        return runTop({ socket: socketPath(g), intervalMs, readOnly: opts.readOnly ?? false, color: opts.color, ascii: opts.ascii ?? false });
      }),
    );
  program
    .command('dash')
    .description('the wall dashboard: rate charts, healthy servers, server table and events (read-only)')
    .option('-i, --interval <ms>', 'refresh interval', '1000')
    .option('--no-color', 'no colours (NO_COLOR is honoured too)')
    .action((opts: { interval: string; color: boolean }, cmd: Command) =>
      run(async () => {
        const g = cmd.optsWithGlobals<GlobalOptions>();
        const intervalMs = intervalOf(opts.interval);
        if (!process.stdout.isTTY) throw new CliError(EXIT.USAGE, 'lbctl dash draws on a terminal; stdout is not one (try lbctl status or lbctl top)', 'usage');
        const { runDash } = await import('../dash/index.js');
        return runDash({ socket: socketPath(g), intervalMs, color: opts.color && !process.env.NO_COLOR });
      }),
    );
}
