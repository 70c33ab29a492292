#!/usr/bin/env node
/**
 * A stand-alone runner for the console, until `lbctl top` is wired to runTop(): the same flags.
 *   node dist/tui/top/main.js [-s socket] [-i ms] [--read-only] [--no-color] [--ascii]
 */
import { parseArgs } from 'node:util';
import { defaultSocketPath } from '../../shared/paths.js';
import { runTop } from './index.js';

const { values } = parseArgs({
  options: {
    socket: { type: 'string', short: 's' },
    interval: { type: 'string', short: 'i', default: '1000' },
    'read-only': { type: 'boolean', default: false },
    'no-color': { type: 'boolean', default: false },
    ascii: { type: 'boolean', default: false },
  },
});
const intervalMs = Number(values.interval);
if (!Number.isFinite(intervalMs) || intervalMs < 100) {
  process.stderr.write(`lbctl top: -i wants milliseconds, at least 100 (got ${values.interval})\n`);
  process.exit(2);
}
runTop({
  socket: values.socket ?? process.env.LBCTL_SOCKET ?? defaultSocketPath(),
  intervalMs,
  readOnly: values['read-only'] ?? false,
  color: !values['no-color'],
  ascii: values.ascii ?? false,
}).then(
  (code) => process.exit(code),
  (e: unknown) => {
    process.stderr.write(`lbctl top: ${(e as Error).stack ?? String(e)}\n`);
    process.exit(1);
  },
);
