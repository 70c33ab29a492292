/**
 * `lbctl check`: validate configuration files offline with lbd's own parser (the same code as `lbd -c`
 * and reload), every error as `file:line: message`. It needs no daemon.
 */
import type { Command } from 'commander';
import { action, EXIT, printJson, stderr, stdout } from './common.js';

export function registerCheck(program: Command): void {
  program
    .command('check')
    .description('validate lbd configuration files (as `lbd -c`): every error as file:line: message')
    .argument('<config...>', 'configuration files or directories (loaded in order, like lbd -f)')
    .option('--json', 'print the result as JSON: {valid, diagnostics:[{severity,file,line,message}]}')
    .addHelpText('after', '\nExamples:\n  lbctl check /etc/lbd/lbd.cfg\n  lbctl check --json conf.d/ && echo valid\n\nExit codes: 0 valid, 1 invalid, 2 usage.')
    .action(
      action(async (files: string[], opts: { json?: boolean }) => {
        // the parser is loaded only for this command: the others start faster without it
        const { loadConfig, formatDiagnostic } = await import('../../daemon/config/index.js');
        const { config, diagnostics } = await loadConfig(files);
        if (opts.json) {
          printJson({
            valid: config !== null,
            diagnostics: diagnostics.map((d) => ({ severity: d.severity, file: d.where.file, line: d.where.line, message: d.message })),
          });
        } else {
          for (const d of diagnostics) stderr(formatDiagnostic(d));
          if (config) stdout('Configuration file is valid');
        }
        process.exitCode = config ? EXIT.OK : EXIT.REFUSED;
      }),
    );
}
