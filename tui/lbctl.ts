import { Command, CommanderError } from 'commander';
import { loadConfig, formatDiagnostic } from '../daemon/config/index.js';
import { VERSION } from '../daemon/version.js';

/**
 * lbctl: the command line for people and scripts. Data goes to stdout, messages to stderr.
 * Exit codes: 0 ok, 1 refused / invalid / not found, 2 usage error, 3 daemon unreachable.
 */
export const EXIT = Object.freeze({ OK: 0, REFUSED: 1, USAGE: 2, UNREACHABLE: 3 });

const program = new Command();
program
  .name('lbctl')
  .description('Control and inspect lbd, the load balancer')
  .version(VERSION, '-V, --version')
  .showHelpAfterError()
  .exitOverride();

program
  .command('check')
  .description('validate lbd configuration files (as `lbd -c`): every error as file:line: message')
  .argument('<config...>', 'configuration files or directories (loaded in order, like lbd -f)')
  .option('--json', 'print the result as JSON: {valid, diagnostics:[{severity,file,line,message}]}')
  .addHelpText('after', '\nExamples:\n  lbctl check /etc/lbd/lbd.cfg\n  lbctl check --json conf.d/ && echo valid\n\nExit codes: 0 valid, 1 invalid, 2 usage.')
  .action(async (files: string[], opts: { json?: boolean }) => {
    const { config, diagnostics } = await loadConfig(files);
    if (opts.json) {
      const out = {
        valid: config !== null,
        diagnostics: diagnostics.map((d) => ({ severity: d.severity, file: d.where.file, line: d.where.line, message: d.message })),
      };
      process.stdout.write(JSON.stringify(out, null, 2) + '\n');
    } else {
      for (const d of diagnostics) process.stderr.write(formatDiagnostic(d) + '\n');
      if (config) process.stdout.write('Configuration file is valid\n');
    }
    process.exitCode = config ? EXIT.OK : EXIT.REFUSED;
  });

program.parseAsync(process.argv).catch((e: unknown) => {
  if (e instanceof CommanderError) {
    process.exitCode = e.exitCode === 0 ? 0 : EXIT.USAGE;
    return;
  }
  process.stderr.write(`lbctl: ${(e as Error).message}\n`);
  process.exitCode = EXIT.REFUSED;
});
