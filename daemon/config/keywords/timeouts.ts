/** `timeout <name> <duration>` and the removed `contimeout`-style keywords. */
import type { Timeouts } from '../types.js';
import type { ProxyDraft } from '../drafts.js';
import { PROXY_KINDS, type KwCtx } from '../context.js';
import { parseDuration } from '../units.js';
import type { Keyword, SubKeyword } from './table.js';

interface TimeoutRow {
  readonly field: keyof Timeouts;
  /** Which side of a proxy the timeout applies to; set on the other side only, it is ignored with a warning. */
  readonly side: 'frontend' | 'backend' | 'both';
  readonly help: string;
}

const TIMEOUTS: Readonly<Record<string, TimeoutRow>> = {
  connect: { field: 'connect', side: 'backend', help: 'max time to establish a connection to a server' },
  client: { field: 'client', side: 'frontend', help: 'max inactivity time on the client side' },
  server: { field: 'server', side: 'backend', help: 'max inactivity time on the server side' },
  check: { field: 'check', side: 'backend', help: 'max time for a health check once connected' },
  queue: { field: 'queue', side: 'backend', help: 'max time a request waits in the queue for a server' },
  tunnel: { field: 'tunnel', side: 'backend', help: 'max inactivity time of a tunnel (e.g. WebSocket) in both directions' },
  'client-fin': { field: 'clientFin', side: 'frontend', help: 'max inactivity time on the client side once it half-closed' },
  'server-fin': { field: 'serverFin', side: 'backend', help: 'max inactivity time on the server side once it half-closed' },
  'http-request': { field: 'httpRequest', side: 'both', help: 'max time to receive a complete HTTP request' },
  'http-keep-alive': { field: 'httpKeepAlive', side: 'both', help: 'max time to wait for the next HTTP request on a kept-alive connection' },
};

/** A section kind lacks a side when it is a pure frontend or a pure backend. */
function lacksSide(section: string, side: TimeoutRow['side']): boolean {
  return (side === 'backend' && section === 'frontend') || (side === 'frontend' && section === 'backend');
}

/**
 * `timeout <name>` rows. A zero duration means "no timeout" (HAProxy's eternity), stored as null.
 * A timeout for the other side of a pure frontend/backend is ignored with a warning, as HAProxy does.
 */
export const TIMEOUT_SUB: Readonly<Record<string, SubKeyword<ProxyDraft>>> = Object.fromEntries(
  Object.entries(TIMEOUTS).map(([name, row]) => [
    name,
    {
      help: `<duration>: ${row.help}${row.side === 'both' ? '' : ` (${row.side} side)`}`,
      parse(ctx: KwCtx, px: ProxyDraft) {
        const ms = ctx.single(parseDuration, 'a duration such as 5s (units us, ms, s, m, h, d; default ms)');
        if (ms === undefined) return;
        if (lacksSide(ctx.section, row.side)) {
          ctx.warn(`ignored in ${ctx.section} '${px.name}': it applies to the ${row.side} side`);
          return;
        }
        px.timeouts[row.field] = ms === 0 ? null : ms;
      },
    },
  ]),
);

/** Keywords removed from HAProxy (2.1+): an error that says what to write instead. */
export function removedTimeout(replacement: string): Keyword<ProxyDraft> {
  return {
    help: `removed; use 'timeout ${replacement}'`,
    sections: PROXY_KINDS,
    parse: (ctx) => ctx.diags.error(ctx.where(), `'${ctx.kw}' is no longer supported (removed in HAProxy 2.1); use 'timeout ${replacement}' instead`),
  };
}
