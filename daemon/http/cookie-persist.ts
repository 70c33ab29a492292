/**
 * Cookie persistence (`cookie <name> insert|rewrite|prefix …` in a backend, `server … cookie <value>`),
 * HAProxy's way:
 *  - request: the cookie names a server; if that server can take traffic (up, not in maintenance; a
 *    draining server still serves the clients it already has) the request goes there, else the
 *    balancer chooses. `prefix` strips `<server>~` from the value before the server sees it; `insert
 *    indirect` removes lbd's cookie from the request.
 *  - response: `insert` adds `Set-Cookie: <name>=<value>; path=/` (plus domain, HttpOnly, Secure, attr)
 *    unless the client already holds the right one (indirect); `nocache` adds `Cache-Control: private`;
 *    `rewrite` replaces the value of the server's own cookie; `prefix` prefixes it with `<server>~`.
 * Log letters (%CC's persistence part, as %tsc's last two characters): request N (none), I (invalid),
 * D (server down), V (valid); response N (nothing), I (inserted), R (rewritten/prefixed), P (provided).
 */
import type { CookieConfig } from '../config/types.js';
import type { Backend } from '../runtime/backend.js';
import type { Server } from '../runtime/server.js';
import type { Field, RequestMessage, ResponseMessage } from './message.js';

export interface CookieChoice {
  /** The server the cookie names when it can take the request, else null. */
  server: Server | null;
  /** Request-side log letter. */
  state: 'N' | 'I' | 'D' | 'V';
}

/** Split a Cookie header value into [name, value] pairs (order kept). */
function cookiePairs(value: string): [string, string][] {
  const out: [string, string][] = [];
  for (const part of value.split(';')) {
    const t = part.trim();
    if (!t) continue;
    const eq = t.indexOf('=');
    out.push(eq < 0 ? [t, ''] : [t.slice(0, eq).trim(), t.slice(eq + 1).trim()]);
  }
  return out;
}

/** Read the persistence cookie of a request and find its server; edits the request for prefix / indirect. */
export function persistFromRequest(cfg: CookieConfig, be: Backend, msg: RequestMessage): CookieChoice {
  const lines = msg.header('cookie');
  if (lines.length === 0) return { server: null, state: 'N' };
  let found: string | null = null;
  for (const line of lines) {
    for (const [n, v] of cookiePairs(line)) if (n === cfg.name) found = v;
  }
  if (found === null) return { server: null, state: 'N' };
  let id = found;
  if (cfg.mode === 'prefix') {
    const t = found.indexOf('~');
    id = t < 0 ? found : found.slice(0, t);
  }
  const s = be.servers.find((x) => x.cfg.cookie === id) ?? null;
  if (cfg.mode === 'prefix' || (cfg.mode === 'insert' && cfg.indirect)) rewriteRequestCookie(cfg, msg);
  if (s === null) return { server: null, state: 'I' };
  if (s.op !== 'up' || s.inMaint()) return { server: null, state: 'D' };
  return { server: s, state: 'V' };
}

/** prefix: give the server its own value back; insert indirect: remove lbd's cookie. */
function rewriteRequestCookie(cfg: CookieConfig, msg: RequestMessage): void {
  const list = msg.edit();
  for (let i = list.length - 1; i >= 0; i--) {
    const f = list[i]!;
    if (f[0].toLowerCase() !== 'cookie') continue;
    const pairs = cookiePairs(f[1]);
    const kept: string[] = [];
    for (const [n, v] of pairs) {
      if (n !== cfg.name) kept.push(v === '' && !f[1].includes(`${n}=`) ? n : `${n}=${v}`);
      else if (cfg.mode === 'prefix') {
        const t = v.indexOf('~');
        if (t >= 0) kept.push(`${n}=${v.slice(t + 1)}`);
      }
    }
    if (kept.length === 0) list.splice(i, 1);
    else f[1] = kept.join('; ');
  }
}

/** Apply persistence to the response of `server`; returns the response-side log letter. */
export function persistOnResponse(cfg: CookieConfig, server: Server, requestState: CookieChoice['state'], chosenByCookie: boolean, msg: ResponseMessage): 'N' | 'I' | 'R' | 'P' | 'D' {
  const value = server.cfg.cookie;
  if (!value) return 'N';
  if (cfg.mode === 'insert') {
    // the server's own cookie of that name goes (HAProxy), unless `preserve` keeps it and inserts nothing
    const own = msg.header('set-cookie').some((l) => l.startsWith(`${cfg.name}=`));
    if (own && cfg.preserve) return 'P';
    if (own) {
      const list = msg.edit();
      for (let i = list.length - 1; i >= 0; i--) {
        const f = list[i]!;
        if (f[0].toLowerCase() === 'set-cookie' && f[1].startsWith(`${cfg.name}=`)) list.splice(i, 1);
      }
    }
    if (chosenByCookie && requestState === 'V') return own ? 'D' : 'N';
    let c = `${cfg.name}=${value}; path=/`;
    if (cfg.domains.length) c += `; domain=${cfg.domains[0]}`;
    if (cfg.httponly) c += '; HttpOnly';
    if (cfg.secure) c += '; Secure';
    for (const a of cfg.attrs) c += `; ${a}`;
    const cacheable = cfg.nocache && isCacheable(msg);
    const list: Field[] = msg.edit();
    // names as HAProxy 2.6 writes the fields it adds: lower case
    list.push(['set-cookie', c]);
    if (cacheable) list.push(['cache-control', 'private']);
    return 'I';
  }
  // rewrite and prefix act on the server's own Set-Cookie
  const sets = msg.header('set-cookie');
  if (!sets.some((l) => l.startsWith(`${cfg.name}=`))) return 'N';
  if (cfg.mode === 'passive') return 'P';
  const list = msg.edit();
  for (const f of list) {
    if (f[0].toLowerCase() !== 'set-cookie' || !f[1].startsWith(`${cfg.name}=`)) continue;
    const semi = f[1].indexOf(';');
    const rest = semi < 0 ? '' : f[1].slice(semi);
    const old = f[1].slice(cfg.name.length + 1, semi < 0 ? undefined : semi);
    f[1] = cfg.mode === 'rewrite' ? `${cfg.name}=${value}${rest}` : `${cfg.name}=${value}~${old}${rest}`;
  }
  return 'R';
}

/** Statuses HAProxy 2.6 treats as cacheable by default (RFC 7231 §6.1). */
const CACHEABLE_STATUS = new Set([200, 203, 204, 206, 300, 301, 404, 405, 410, 414, 501]);

/**
 * Whether a response may be cached by a shared cache, as HAProxy 2.6 decides before `nocache` adds
 * `cache-control: private`: a cacheable status, freshness information (Cache-Control max-age / s-maxage /
 * public, or Expires), and no private / no-cache / no-store.
 */
function isCacheable(msg: ResponseMessage): boolean {
  if (!CACHEABLE_STATUS.has(msg.status)) return false;
  let fresh = msg.header('expires').length > 0;
  for (const line of msg.header('cache-control')) {
    for (const part of line.split(',')) {
      const d = part.trim().toLowerCase();
      if (d === 'private' || d === 'no-cache' || d === 'no-store' || d.startsWith('private=') || d.startsWith('no-cache=')) return false;
      if (d === 'max-age=0' || d === 's-maxage=0') return false;
      if (d === 'public' || d.startsWith('max-age=') || d.startsWith('s-maxage=')) fresh = true;
    }
  }
  return fresh;
}
