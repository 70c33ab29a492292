/**
 * The hash keys of HAProxy's HTTP balancing algorithms (backend.c: get_server_uh, get_server_ph,
 * get_server_hh), as strings for lbd's hash balancers (`Backend.select(hashKey, …)`, the same path as
 * `balance source`). null means "no key": the balancer falls back to round robin, as HAProxy does.
 */
import type { RequestView } from './view.js';
import type { HttpHashKey } from '../../config/types.js';
import { splitCommaValues } from './http-values.js';

/** `balance uri [path-only] [whole] [len <n>] [depth <n>]`. */
export interface UriHashOptions {
  /** Hash the query string too (default: stop at `?`). */
  readonly whole: boolean;
  /** Only the first `len` characters (0 = all). */
  readonly len: number;
  /** Only the first `depth` directory levels (0 = all): `/a/b/c` with depth 2 hashes `/a/b`. */
  readonly depth: number;
  /** Start at the path's first `/`, ignoring scheme and authority of an absolute URI. */
  readonly pathOnly: boolean;
}

/** The key of `balance uri`: always present (an empty target hashes ''). */
export function uriKey(view: RequestView, o: UriHashOptions): string {
  let uri = view.url;
  if (o.pathOnly && !uri.startsWith('/')) {
    const scheme = uri.indexOf('://');
    const slash = scheme < 0 ? -1 : uri.indexOf('/', scheme + 3);
    uri = slash < 0 ? '' : uri.slice(slash);
  }
  if (o.len > 0 && uri.length > o.len) uri = uri.slice(0, o.len);
  let end = 0;
  let slashes = 0;
  const stopAt = o.depth > 0 ? o.depth + 1 : 0;
  for (; end < uri.length; end++) {
    const c = uri[end];
    if (c === '/') {
      if (++slashes === stopAt) break;
    } else if (c === '?' && !o.whole) break;
  }
  return uri.slice(0, end);
}

/**
 * The key of `balance url_param <name>`: the value of the first `name=` parameter of the query string
 * (parameters split at `&`), or null when there is no query string or no such parameter.
 */
export function urlParamKey(view: RequestView, name: string): string | null {
  const q = view.url.indexOf('?');
  if (q < 0) return null;
  const query = view.url.slice(q + 1);
  let start = 0;
  while (start <= query.length) {
    let amp = query.indexOf('&', start);
    if (amp < 0) amp = query.length;
    if (amp - start > name.length && query[start + name.length] === '=' && query.startsWith(name, start)) return query.slice(start + name.length + 1, amp);
    start = amp + 1;
  }
  return null;
}

/**
 * The key of `balance hdr(<name>) [use_domain_only]`: the first value of the header (up to a comma), or
 * null when absent or empty. With use_domain_only, only the label before the last dot: `www.example.com`
 * hashes `example` (a name without a dot hashes whole).
 */
export function hdrKey(view: RequestView, name: string, useDomainOnly: boolean): string | null {
  const line = view.header(name.toLowerCase())[0];
  if (line === undefined) return null;
  const vals: string[] = [];
  splitCommaValues(line, vals);
  const v = vals[0];
  if (v === undefined || v === '') return null;
  if (!useDomainOnly) return v;
  const last = v.lastIndexOf('.', v.length - 1);
  if (last <= 0) return v;
  const prev = v.lastIndexOf('.', last - 1);
  return v.slice(prev + 1, last);
}

/**
 * The hash key of a backend's `balance uri|url_param|hdr` for a request (null: round robin), or null for
 * the other algorithms. `balance source` keys on the client address and is computed by the caller.
 */
export function httpHashKey(key: HttpHashKey | null | undefined, view: RequestView): string | null {
  if (key === null || key === undefined) return null;
  switch (key.kind) {
    case 'uri':
      return uriKey(view, key);
    case 'url_param':
      return urlParamKey(view, key.name);
    case 'hdr':
      return hdrKey(view, key.name, key.useDomainOnly);
  }
}
