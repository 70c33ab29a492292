#!/usr/bin/env node
/**
 * A stand-alone runner for the dashboard (`node dist/tui/dash/main.js [-s socket] [-i ms] [--no-color]`),
 * for the end-to-end test and for trying it without lbctl; `lbctl dash` calls runDash the same way.
 */
import { parseArgs } from 'node:util';
import { defaultSocketPath } from '../../shared/paths.js';
import { runDash } from './index.js';

/** Parse the flags, run the dashboard, exit with its code (2 on a usage error). */
async function main(argv: string[]): Promise<number> {
  let values: { socket?: string; interval?: string; 'no-color'?: boolean; help?: boolean };
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        socket: { type: 'string', short: 's' },
        interval: { type: 'string', short: 'i' },
        'no-color': { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (e) {
    process.stderr.write(`dash: ${(e as Error).message}\n`);
    return 2;
  }
  if (values.help) {
    process.stdout.write('usage: dash [-s <socket>] [-i <ms>] [--no-color]\n');
    return 0;
  }
  const intervalMs = values.interval === undefined ? 1000 : Number(values.interval);
  if (!Number.isFinite(intervalMs) || intervalMs < 100) {
    process.stderr.write(`dash: -i must be a number of milliseconds >= 100, not '${values.interval}'\n`);
    return 2;
  }
  if (!process.stdout.isTTY) {
    process.stderr.write('dash: needs a terminal (stdout is not a TTY)\n');
    return 2;
  }
  const socket = values.socket || process.env.LBCTL_SOCKET || defaultSocketPath();
  const color = !values['no-color'] && !process.env.NO_COLOR;
  return runDash({ socket, intervalMs, color });
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (e: unknown) => {
    process.stderr.write(`dash: ${(e as Error)?.stack ?? String(e)}\n`);
    process.exit(1);
  },
);
