/**
 * How a server's state is drawn: symbol + word + colour, readable without colour. The word is HAProxy's
 * own status string from the snapshot (`UP 1/2`, `MAINT (via monitoring/server-1)`); nothing is
 * re-derived (design principle 5), the string is only classified to pick a symbol, a tone, a severity
 * for sorting and the bucket the header counts. One table (design principle 4).
 */
import { ADMIN, type ServerSnapshot } from '../../shared/snapshot.js';
import { ASCII, UNICODE, type Glyphs } from './glyphs.js';
import { PALETTE, type Tone } from './line.js';

export type StateKind = 'down' | 'going-down' | 'coming-up' | 'maint' | 'drain' | 'nolb' | 'no-check' | 'up' | 'unknown';

/** The header's server counts. */
export type StateBucket = 'UP' | 'DOWN' | 'DRAIN' | 'MAINT' | 'NOLB';

interface StateStyle {
  glyph: keyof Glyphs;
  tone: Tone;
  /** Lower is worse: `s` sorts by it, worst first. */
  severity: number;
  bucket: StateBucket;
  /** What the state means, for the help screen and the README. */
  meaning: string;
}

export const STATE_STYLES: Readonly<Record<StateKind, StateStyle>> = Object.freeze({
  down: { glyph: 'down', tone: 'down', severity: 0, bucket: 'DOWN', meaning: 'DOWN: failing its checks (or its tracked server is)' },
  'going-down': { glyph: 'goingDown', tone: 'warn', severity: 1, bucket: 'UP', meaning: 'UP x/y: failing; x more failures take it down' },
  'coming-up': { glyph: 'comingUp', tone: 'warn', severity: 2, bucket: 'DOWN', meaning: 'DOWN x/y: passing; x of y successes to come up' },
  unknown: { glyph: 'unknown', tone: 'warn', severity: 3, bucket: 'DOWN', meaning: 'a status this console does not know' },
  maint: { glyph: 'maint', tone: 'maint', severity: 4, bucket: 'MAINT', meaning: 'MAINT: maintenance (operator, config, or via track)' },
  drain: { glyph: 'drain', tone: 'warn', severity: 5, bucket: 'DRAIN', meaning: 'DRAIN: takes no new sessions, current ones finish' },
  nolb: { glyph: 'nolb', tone: 'warn', severity: 6, bucket: 'NOLB', meaning: 'NOLB: soft-stopping (404 with disable-on-404)' },
  'no-check': { glyph: 'noCheck', tone: 'muted', severity: 7, bucket: 'UP', meaning: 'no check: up, health checks not enabled' },
  up: { glyph: 'up', tone: 'up', severity: 8, bucket: 'UP', meaning: 'UP: passing its checks' },
});

/** How the header draws each bucket's count, in display order. */
export const BUCKETS: readonly { bucket: StateBucket; glyph: keyof Glyphs; tone: Tone }[] = Object.freeze([
  { bucket: 'UP', glyph: 'up', tone: 'up' },
  { bucket: 'DOWN', glyph: 'down', tone: 'down' },
  { bucket: 'DRAIN', glyph: 'drain', tone: 'warn' },
  { bucket: 'MAINT', glyph: 'maint', tone: 'maint' },
  { bucket: 'NOLB', glyph: 'nolb', tone: 'warn' },
]);

/** The kind of a HAProxy status string, by its documented prefixes (reference §3.1). */
export function stateKind(status: string): StateKind {
  if (status.startsWith('MAINT')) return 'maint';
  if (status.startsWith('DRAIN')) return 'drain';
  if (status.startsWith('NOLB')) return 'nolb';
  if (status === 'no check') return 'no-check';
  if (/^DOWN \d+\/\d+/.test(status)) return 'coming-up';
  if (status.startsWith('DOWN')) return 'down';
  if (/^UP \d+\/\d+/.test(status)) return 'going-down';
  if (status === 'UP') return 'up';
  return 'unknown';
}

/** Symbol and tone of a status string. */
export function stateLook(status: string, g: Glyphs): { glyph: string; tone: Tone; kind: StateKind } {
  const kind = stateKind(status);
  const st = STATE_STYLES[kind];
  return { glyph: g[st.glyph] as string, tone: st.tone, kind };
}

/**
 * The admin state in words, from the SRV_ADMF_* flags: `ready`, `drain`, `maint`, with where it comes
 * from when not forced by an operator (`via …`, `config`, `resolution`). The status string hides the
 * admin state behind DOWN (a drained server that fails shows `DOWN`), so the console shows both.
 */
export function adminText(s: Pick<ServerSnapshot, 'admin' | 'via'>): string {
  const a = s.admin;
  if (a & ADMIN.MAINT) {
    if (a & ADMIN.FMAINT) return 'maint';
    if (a & ADMIN.IMAINT) return 'maint (via)';
    if (a & ADMIN.CMAINT) return 'maint (config)';
    if (a & ADMIN.RMAINT) return 'maint (resolution)';
    return 'maint';
  }
  if (a & ADMIN.DRAIN) return a & ADMIN.FDRAIN ? 'drain' : 'drain (via)';
  return 'ready';
}

/** The operational state in words: `up`, `down`, `stopping`. */
export function opText(s: Pick<ServerSnapshot, 'op'>): string {
  return s.op;
}

/** True when the admin state is drain or maint but the status string does not start with it (e.g. a
 *  drained server that is DOWN): the row then shows the admin state beside the status. */
export function adminHidden(s: Pick<ServerSnapshot, 'admin' | 'status'>): boolean {
  if (s.admin & ADMIN.MAINT) return !s.status.startsWith('MAINT');
  if (s.admin & ADMIN.DRAIN) return !s.status.startsWith('DRAIN');
  return false;
}

/** The states as Markdown (the README's legend is generated from it, as the help screen is). */
export function statesMarkdown(): string {
  const rows = Object.values(STATE_STYLES)
    .filter((st) => st.glyph !== 'unknown')
    .map((st) => `| \`${UNICODE[st.glyph]}\` \`${ASCII[st.glyph]}\` | ${PALETTE[st.tone] ?? 'dim'} | ${st.meaning} |`);
  return ['| symbol (`--ascii`) | colour | state |', '|---|---|---|', ...rows].join('\n');
}
