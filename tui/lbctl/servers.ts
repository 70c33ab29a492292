/**
 * `lbctl disable|enable|drain|weight`: change servers through the daemon's command table (the same
 * `set server … state|weight` as the runtime API). A bare server name acts on every backend that has a
 * server of that name, and each one changed is named on stderr; `--backend` narrows it.
 */
import type { Command } from 'commander';
import type { ServerAdminState, ServerTarget } from '../../shared/protocol.js';
import { action, CliError, EXIT, printJson, stderr, withClient } from './common.js';

interface TargetOptions {
  json?: boolean;
  backend?: string;
}

const STATE_COMMANDS: { name: string; state: ServerAdminState; description: string; example: string }[] = [
  { name: 'disable', state: 'maint', description: 'put a server in maintenance (no new sessions, checks paused)', example: 'lbctl disable server-2' },
  { name: 'enable', state: 'ready', description: 'take a server out of maintenance or drain', example: 'lbctl enable myApp/server-2' },
  { name: 'drain', state: 'drain', description: 'let a server finish its sessions and take no new ones', example: 'lbctl drain server-2 --backend myApp' },
];

const SERVER_HELP = '`backend/server`, or a bare server name: every backend that has it';

/** Report each server acted on (stderr), and fail (exit 1) when one was refused. */
function report(targets: ServerTarget[], describe: (t: ServerTarget) => string, json: boolean, extra: Record<string, unknown>): void {
  if (json) printJson({ ...extra, targets });
  let failed = 0;
  for (const t of targets) {
    if (t.error) {
      failed++;
      stderr(`${t.backend}/${t.server}: ${t.error.message}`);
    } else stderr(`${t.backend}/${t.server}: ${describe(t)}`);
  }
  if (failed) process.exitCode = EXIT.REFUSED;
}

export function registerServerCommands(program: Command): void {
  for (const c of STATE_COMMANDS) {
    program
      .command(c.name)
      .description(`${c.description} (set server … state ${c.state})`)
      .argument('<server>', SERVER_HELP)
      .option('-b, --backend <name>', 'only in this backend')
      .option('--json', 'print {state, targets:[{backend, server, from, to}]}')
      .addHelpText('after', `\nExample:\n  ${c.example}`)
      .action(
        action(async (server: string, opts: TargetOptions, cmd: Command) => {
          await withClient(cmd, async (client) => {
            const r = await client.request('set-server-state', { server, state: c.state, ...(opts.backend !== undefined ? { backend: opts.backend } : {}) });
            report(r.targets, (t) => (t.from === t.to ? `already ${t.to}` : `${t.from} -> ${t.to}`), !!opts.json, { state: c.state });
          });
        }),
      );
  }

  program
    .command('weight')
    .description('set a server\'s weight: n (0..256) or n% of its configured weight (set server … weight)')
    .argument('<server>', SERVER_HELP)
    .argument('<weight>', 'n or n%')
    .option('-b, --backend <name>', 'only in this backend')
    .option('--json', 'print {weight, targets:[{backend, server, from, to, weight}]}')
    .addHelpText('after', '\nExamples:\n  lbctl weight myApp/server-1 50\n  lbctl weight server-2 50%')
    .action(
      action(async (server: string, weight: string, opts: TargetOptions, cmd: Command) => {
        if (!/^\d+%?$/.test(weight)) throw new CliError(EXIT.USAGE, `weight must be a number or a percentage (50, 50%), not '${weight}'`, 'usage');
        await withClient(cmd, async (client) => {
          const r = await client.request('set-server-weight', { server, weight, ...(opts.backend !== undefined ? { backend: opts.backend } : {}) });
          report(r.targets, (t) => `weight ${t.weight ?? weight}`, !!opts.json, { weight });
        });
      }),
    );
}
