/**
 * lbctl commands that talk to the daemon as a whole: `reload` (with the structured result: the changes,
 * or every error as `file:line: message` and exit 1), `show …` (any runtime API `show` command passed
 * through, printed exactly as the socket answers) and `version` (lbctl's and the daemon's).
 */
import type { Command } from 'commander';
import { PROTOCOL_VERSION } from '../../shared/protocol.js';
import { VERSION } from '../../daemon/version.js';
import { action, describeError, EXIT, printJson, socketPath, stderr, stdout, withClient, type GlobalOptions } from './common.js';

/** Escape one word for a runtime API line (HAProxy splits on blanks and `;`, a backslash escapes). */
export function escapeWord(w: string): string {
  return w.replace(/[\\ \t;]/g, (c) => `\\${c}`);
}

/** Runtime API answers that are errors, not data (HAProxy's own wording). */
const ERROR_ANSWER = /^(Unknown command|Permission denied|No such |Require |Missing |Invalid |'[^']*' expects)/;

export function registerDaemonCommands(program: Command): void {
  program
    .command('reload')
    .description('reload the configuration lbd was started with; prints what changed, or every error (exit 1)')
    .option('--json', 'print {ok, changes, errors, warnings, durationMs}')
    .addHelpText('after', '\nExample:\n  lbctl check /etc/lbd/lbd.cfg && lbctl reload')
    .action(
      action(async (opts: { json?: boolean }, cmd: Command) => {
        await withClient(cmd, async (c) => {
          const r = await c.request('reload', {}, { timeoutMs: 60_000 });
          if (opts.json) printJson(r);
          for (const w of r.warnings) stderr(w);
          if (!r.ok) {
            for (const e of r.errors) stderr(e);
            stderr(`lbctl: reload refused (${r.errors.length} error${r.errors.length === 1 ? '' : 's'}); the running configuration stays`);
            process.exitCode = EXIT.REFUSED;
            return;
          }
          if (!opts.json) for (const line of r.changes) stdout(line);
          stderr(`reloaded in ${r.durationMs} ms: ${r.changes.length ? `${r.changes.length} change${r.changes.length === 1 ? '' : 's'}` : 'no changes'}`);
        });
      }),
    );

  program
    .command('show')
    .description('run a runtime API `show` command and print its answer as is (show stat, show info, show servers state …)')
    .argument('<what...>', 'the words after `show`')
    .option('--json', 'print {command, output}')
    .allowUnknownOption()
    .addHelpText('after', '\nExamples:\n  lbctl show stat\n  lbctl show servers state myApp\n  lbctl show info json')
    .action(
      action(async (what: string[], opts: { json?: boolean }, cmd: Command) => {
        const line = ['show', ...what].map(escapeWord).join(' ');
        await withClient(cmd, async (c) => {
          const { output } = await c.request('command', { line });
          const refused = ERROR_ANSWER.test(output);
          if (opts.json) printJson(refused ? { command: line, output, error: { code: 'refused', message: output.trim() } } : { command: line, output });
          else if (refused) process.stderr.write(output);
          else process.stdout.write(output);
          // an error answer (unknown command, permission denied …) is not data: stderr and exit 1
          if (refused) process.exitCode = EXIT.REFUSED;
        });
      }),
    );

  program
    .command('version')
    .description("lbctl's version and the running lbd's (exit 3 when lbd is unreachable)")
    .option('--json', 'print {client:{version, protocol}, daemon:{version, protocol, pid, startedAt, level, socket}}')
    .action(
      action(async (opts: { json?: boolean }, cmd: Command) => {
        const client = { version: VERSION, protocol: PROTOCOL_VERSION };
        if (!opts.json) stdout(`lbctl ${VERSION} (protocol ${PROTOCOL_VERSION})`);
        try {
          await withClient(cmd, async (c) => {
            const w = c.welcome!;
            const daemon = {
              version: w.server.replace(/^lbd /, ''),
              protocol: w.version,
              pid: w.pid,
              startedAt: w.startedAt,
              level: w.level,
              socket: socketPath(cmd.optsWithGlobals<GlobalOptions>()),
            };
            if (opts.json) printJson({ client, daemon });
            else stdout(`${w.server} (protocol ${w.version}, pid ${w.pid}, level ${w.level}, socket ${daemon.socket})`);
          });
        } catch (e) {
          // the client's version is still data a script can use: one JSON document with the error in it
          if (!opts.json) throw e;
          const err = describeError(e);
          printJson({ client, daemon: null, error: { code: err.code, message: err.message } });
          stderr(`lbctl: ${err.message}`);
          process.exitCode = err.exitCode;
        }
      }),
    );
}
