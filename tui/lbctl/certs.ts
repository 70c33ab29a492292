/**
 * `lbctl cert list`: every certificate the TLS listeners serve, one row per file: names, key, expiry and
 * days left, and the frontend/listener pairs using it. A view of the snapshot's listener certificates
 * (nothing re-derived but the days left). Exit code 5 (EXIT.CERT_EXPIRING) when a certificate has expired
 * or expires within --days (default 30), so `lbctl cert list >/dev/null || alert` works in cron.
 */
import type { Command } from 'commander';
import type { Snapshot } from '../../shared/snapshot.js';
import { action, CliError, EXIT, printJson, stdout, table, withClient } from './common.js';

/** One certificate file in use, with every listener serving it. */
export interface CertRow {
  file: string;
  names: string[];
  subject: string;
  issuer: string;
  keyType: string;
  algorithm: string;
  /** Epoch ms, ISO date, whole days left (negative once expired; floor). */
  notAfter: number;
  expires: string;
  daysLeft: number;
  /** `ok`, `expiring` (within the warning window) or `expired`. */
  state: 'ok' | 'expiring' | 'expired';
  usedBy: { frontend: string; listener: string; addr: string }[];
}

const DAY = 86_400_000;

/** The certificates of a snapshot by file (first seen order), with their state against `warnDays`. */
export function certRows(snap: Snapshot, warnDays: number, now = snap.process.now): CertRow[] {
  const byFile = new Map<string, CertRow>();
  for (const f of snap.frontends) {
    for (const l of f.listeners) {
      for (const c of l.certs ?? []) {
        let row = byFile.get(c.file);
        if (!row) {
          const daysLeft = Math.floor((c.notAfter - now) / DAY);
          const state = c.notAfter <= now ? 'expired' : c.notAfter - now <= warnDays * DAY ? 'expiring' : 'ok';
          row = { file: c.file, names: [...c.names], subject: c.subject, issuer: c.issuer, keyType: c.keyType, algorithm: c.algorithm, notAfter: c.notAfter, expires: new Date(c.notAfter).toISOString(), daysLeft, state, usedBy: [] };
          byFile.set(c.file, row);
        }
        if (!row.usedBy.some((u) => u.frontend === f.name && u.listener === l.name)) row.usedBy.push({ frontend: f.name, listener: l.name, addr: l.addr });
      }
    }
  }
  return [...byFile.values()];
}

/** The table `lbctl cert list` prints. */
export function formatCertRows(rows: readonly CertRow[]): string {
  if (rows.length === 0) return 'no certificate in use (no `bind … ssl` listener)\n';
  const out: string[][] = [['FILE', 'NAMES', 'KEY', 'EXPIRES', 'DAYS', 'USED BY']];
  for (const r of rows) {
    const days = r.state === 'expired' ? `EXPIRED` : r.state === 'expiring' ? `${r.daysLeft} !` : `${r.daysLeft}`;
    out.push([r.file, r.names.join(',') || r.subject, r.algorithm || r.keyType, r.expires.slice(0, 10), days, r.usedBy.map((u) => `${u.frontend}/${u.listener}`).join(',')]);
  }
  return table(out);
}

interface CertListOptions {
  json?: boolean;
  days?: string;
}

export function registerCerts(program: Command): void {
  const cert = program.command('cert').description('TLS certificates served by the listeners');
  cert
    .command('list')
    .description('every certificate in use: file, names, key, expiry and days left, the frontends/listeners using it')
    .option('--json', 'print {certificates:[{file, names, subject, issuer, keyType, algorithm, notAfter, expires, daysLeft, state, usedBy}]}')
    .option('-d, --days <n>', 'warn (exit 5) when a certificate expires within this many days', '30')
    .addHelpText('after', '\nExit code 5 when a certificate has expired or expires within --days (the list is printed either way).\n\nExamples:\n  lbctl cert list\n  lbctl cert list --days 14 --json | jq \'.certificates[] | select(.state != "ok")\'')
    .action(
      action(async (opts: CertListOptions, cmd: Command) => {
        const days = Number(opts.days);
        if (!/^\d+$/.test(opts.days ?? '') || !Number.isFinite(days)) throw new CliError(EXIT.USAGE, `--days must be a whole number of days, not '${opts.days}'`, 'usage');
        await withClient(cmd, async (c) => {
          const { snapshot } = await c.request('snapshot', {});
          const rows = certRows(snapshot, days);
          if (opts.json) printJson({ warnDays: days, certificates: rows });
          else stdout(formatCertRows(rows));
          if (rows.some((r) => r.state !== 'ok')) process.exitCode = EXIT.CERT_EXPIRING;
        });
      }),
    );
  for (const c of cert.commands) c.exitOverride().showHelpAfterError(`(lbctl cert ${c.name()} --help for usage)`);
}
