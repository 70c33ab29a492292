/**
 * lbctl: the command line for people and scripts, over lbd's WebSocket admin protocol
 * (shared/protocol.ts). Data goes to stdout, messages to stderr; exit codes are in common.ts (EXIT) and
 * in the help text below.
 */
import { Command, CommanderError } from 'commander';
import { VERSION } from '../daemon/version.js';
import { EXIT } from './lbctl/common.js';
import { registerCheck } from './lbctl/check.js';
import { registerStatus } from './lbctl/status.js';
import { registerServerCommands } from './lbctl/servers.js';
import { registerEvents } from './lbctl/events.js';
import { registerDaemonCommands } from './lbctl/daemon.js';
import { registerCompletion } from './lbctl/completion.js';
import { registerConsole } from './lbctl/console.js';
import { registerCerts } from './lbctl/certs.js';

export { EXIT };

const HELP_AFTER = `
<server> is backend/server, or a bare server name: it then acts on every backend that has a server of
that name (a server tracked from two backends has the same name in both) and says which it changed on
stderr; --backend narrows it to one backend.

Examples:
  lbctl status                          backends and servers
  lbctl status --watch                  the same, refreshed every second
  lbctl disable server-2                maintenance, in every backend with a server-2
  lbctl drain myApp/server-1            no new sessions, current ones finish
  lbctl enable server-2 --backend myApp
  lbctl weight server-1 50%             half its configured weight
  lbctl check /etc/lbd/lbd.cfg && lbctl reload
  lbctl events --follow                 state changes as they happen
  lbctl top                             the operator console (? lists its keys)
  lbctl dash                            the wall dashboard
  lbctl cert list                       TLS certificates in use, their expiry (exit 5 within 30 days)
  lbctl show stat                       any runtime API show command, answered as HAProxy would
  lbctl status --json | jq .            every command takes --json

Socket: -s/--socket, else $LBCTL_SOCKET, else the path lbd listens on when its config has no
\`stats socket\`: /run/lbd/admin.sock for root, else $XDG_RUNTIME_DIR/lbd/admin.sock, else
/tmp/lbd-<uid>/admin.sock. With a \`stats socket <path>\` in the config, give that path.

Exit codes:
  0  ok
  1  refused or not found (no such server, permission denied, reload refused, invalid config)
  2  usage error (unknown command or option, bad argument)
  3  lbd unreachable (no socket, nothing listening, no permission on the socket, no answer in time)
  4  protocol mismatch (the socket is not lbd's, or lbd speaks another protocol version)
  5  lbctl cert list: a certificate has expired or expires within --days (30)`;

/** The program with every command registered (the completion scripts walk this tree). */
export function buildProgram(): Command {
  const program = new Command();
  program
    .name('lbctl')
    .description('Control and inspect lbd, the load balancer, through its admin socket')
    .version(VERSION, '-V, --version', 'print the version of lbctl (see `lbctl version` for lbd\'s too)')
    .option('-s, --socket <path>', "lbd's admin socket (default: $LBCTL_SOCKET, then lbd's default path)")
    .option('-t, --timeout <ms>', 'how long to wait for lbd to answer', '10000')
    .showHelpAfterError('(lbctl --help lists every command)')
    .showSuggestionAfterError()
    .exitOverride()
    .addHelpText('after', HELP_AFTER);
  registerStatus(program);
  registerServerCommands(program);
  registerDaemonCommands(program);
  registerEvents(program);
  registerCheck(program);
  registerCerts(program);
  registerConsole(program);
  registerCompletion(program);
  for (const c of program.commands) c.exitOverride().showHelpAfterError(`(lbctl ${c.name()} --help for usage)`);
  return program;
}

buildProgram()
  .parseAsync(process.argv)
  .catch((e: unknown) => {
    if (e instanceof CommanderError) {
      // --help and --version end "successfully"; every other commander error is a usage error
      process.exitCode = e.code === 'commander.helpDisplayed' || e.code === 'commander.version' ? EXIT.OK : EXIT.USAGE;
      return;
    }
    process.stderr.write(`lbctl: ${(e as Error).message}\n`);
    process.exitCode = EXIT.REFUSED;
  });
