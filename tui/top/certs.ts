/**
 * The certificate warning of the console: one line under the header while a TLS listener serves a
 * certificate that has expired or expires within CERT_WARN_DAYS, the soonest named (file, names, days),
 * the others counted. A view of the snapshot's listener certificates; absent when all is well.
 */
import type { Snapshot } from '../../shared/snapshot.js';
import { basename } from './format.js';
import type { Glyphs } from './glyphs.js';
import type { Line } from './line.js';

/** Days before expiry from which the console warns (as `lbctl cert list`'s default). */
export const CERT_WARN_DAYS = 30;
const DAY = 86_400_000;

/** The certificates of a snapshot that expire within `days` (or have expired), soonest first, one per file. */
export function expiringCerts(snap: Snapshot, now: number, days = CERT_WARN_DAYS): { file: string; names: string[]; notAfter: number }[] {
  const byFile = new Map<string, { file: string; names: string[]; notAfter: number }>();
  for (const f of snap.frontends) for (const l of f.listeners) for (const c of l.certs ?? []) if (c.notAfter - now <= days * DAY && !byFile.has(c.file)) byFile.set(c.file, c);
  return [...byFile.values()].sort((a, b) => a.notAfter - b.notAfter);
}

/** The warning line, or null when no certificate expires within CERT_WARN_DAYS. */
export function certWarningLine(snap: Snapshot | null, now: number, g: Glyphs): Line | null {
  if (!snap) return null;
  const soon = expiringCerts(snap, now);
  const first = soon[0];
  if (!first) return null;
  const left = first.notAfter - now;
  const days = Math.floor(left / DAY);
  const when = left <= 0 ? `EXPIRED on ${new Date(first.notAfter).toISOString().slice(0, 10)}` : `expires in ${days === 0 ? 'less than a day' : `${days} day${days === 1 ? '' : 's'}`} (${new Date(first.notAfter).toISOString().slice(0, 10)})`;
  const names = first.names.length ? ` (${first.names.slice(0, 2).join(', ')}${first.names.length > 2 ? ', …' : ''})` : '';
  const more = soon.length > 1 ? ` ${g.sep} ${soon.length - 1} more within ${CERT_WARN_DAYS} days` : '';
  return [{ text: ` ${left <= 0 ? g.down : '!'} certificate ${basename(first.file)}${names} ${when}${more} ${g.sep} lbctl cert list `, tone: left <= 0 ? 'down' : 'warn', bold: true }];
}
