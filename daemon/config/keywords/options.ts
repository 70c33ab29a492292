/** `option <name>` and `no option <name>`. */
import type { ProxyDraft } from '../drafts.js';
import type { KwCtx, SectionKind } from '../context.js';
import { didYouMean } from '../suggest.js';
import { notAllowed, type SubKeyword } from './table.js';
import { parseHttpchk } from './checks.js';
import { HTTP_OPTIONS } from './http-options.js';

const BACKEND_SIDE: readonly SectionKind[] = ['defaults', 'backend', 'listen'];

export interface OptionRow {
  readonly help: string;
  readonly sections: readonly SectionKind[];
  /** Whether `no option <name>` is meaningful (it undoes the option, e.g. one inherited from defaults). */
  readonly negatable: boolean;
  readonly parse: (ctx: KwCtx, px: ProxyDraft, negate: boolean) => void;
}

/** An on/off option without arguments. */
function flag(help: string, sections: readonly SectionKind[], set: (px: ProxyDraft, on: boolean) => void): OptionRow {
  return {
    help,
    sections,
    negatable: true,
    parse(ctx, px, negate) {
      if (ctx.expectCount(0, 'no argument')) set(px, !negate);
    },
  };
}

/** The table of proxy options. */
export const OPTIONS: Readonly<Record<string, OptionRow>> = {
  redispatch: flag('let a request whose server failed retry on another server', BACKEND_SIDE, (px, on) => (px.redispatch = on)),
  httpchk: {
    help: '[<uri>] | <method> <uri> [<version>]: check servers with an HTTP request (default OPTIONS / HTTP/1.0)',
    sections: BACKEND_SIDE,
    negatable: false,
    parse: (ctx, px) => parseHttpchk(ctx, px),
  },
  'tcp-check': {
    help: 'check servers by running the tcp-check rules',
    sections: BACKEND_SIDE,
    negatable: false,
    parse(ctx, px) {
      if (ctx.expectCount(0, 'no argument')) px.check.type = 'tcp-check';
    },
  },
  'log-health-checks': flag('log every health check status change, not only up/down', BACKEND_SIDE, (px, on) => (px.check.logHealthChecks = on)),
  ...HTTP_OPTIONS,
};

/** Options HAProxy has that lbd does not, so the message says "not supported" rather than "unknown". */
const UNSUPPORTED_OPTIONS: ReadonlySet<string> = new Set([
  'originalto', 'http-pretend-keepalive', 'http-buffer-request', 'httpslog',
  'http-no-delay', 'http-use-proxy-header', 'abortonclose', 'allbackups', 'persist', 'prefer-last-server', 'checkcache',
  'ssl-hello-chk', 'mysql-check', 'pgsql-check', 'redis-check', 'smtpchk', 'ldap-check', 'spop-check', 'external-check',
  'splice-auto', 'splice-request', 'splice-response', 'tcpka', 'clitcpka', 'srvtcpka', 'nolinger', 'independent-streams',
  'socket-stats', 'contstats', 'transparent', 'accept-invalid-http-request', 'accept-invalid-http-response', 'log-separate-errors',
  'logasap', 'idle-close-on-response', 'disable-h2-upgrade', 'h1-case-adjust-bogus-client', 'h1-case-adjust-bogus-server',
]);

/**
 * `option <name> …` (negate=false) or `no option <name>` (negate=true). `ctx.args[0]` is the option name.
 */
export function parseOption(ctx: KwCtx, px: ProxyDraft, negate: boolean): void {
  const name = ctx.args[0];
  if (name === undefined) return ctx.error(`expects an option name (one of ${Object.keys(OPTIONS).join(', ')})`);
  const row = Object.hasOwn(OPTIONS, name.text) ? OPTIONS[name.text] : undefined;
  if (row === undefined && UNSUPPORTED_OPTIONS.has(name.text)) return ctx.error(`option '${name.text}' is not supported by lbd`, name);
  if (row === undefined) return ctx.error(`unknown option '${name.text}'${didYouMean(name.text, Object.keys(OPTIONS))}`, name);
  if (!row.sections.includes(ctx.section)) return notAllowed(ctx, `option ${name.text}`, row.sections);
  if (negate && !row.negatable) return ctx.error(`'no option ${name.text}' is not supported`, name);
  row.parse(ctx.sub(1), px, negate);
}

/** The option rows in the shape `listKeywords()` reads. */
export const OPTION_SUB: Readonly<Record<string, SubKeyword<ProxyDraft>>> = Object.fromEntries(
  Object.entries(OPTIONS).map(([name, row]) => [name, { help: row.help, sections: row.sections, parse: (ctx: KwCtx, px: ProxyDraft) => row.parse(ctx, px, false) }]),
);
