/**
 * How to start `bin/lbd` with a given Node.js binary (tests, the benchmark, the demo): the Node flags
 * its shebang line carries (`#!/usr/bin/env -S node <flags>`), then the script. Spawning
 * `process.execPath bin/lbd` directly would skip those flags.
 */
import { readFileSync } from 'node:fs';

/** The arguments for `spawn(process.execPath, [...lbdArgv(bin), ...lbd's own arguments])`. */
export function lbdArgv(bin: string): string[] {
  const first = readFileSync(bin, 'utf8').split('\n', 1)[0] ?? '';
  const m = /^#!\S*env -S node\s*(.*)$/.exec(first);
  const flags = m ? m[1]!.trim().split(/\s+/).filter((f) => f !== '') : [];
  return [...flags, bin];
}
