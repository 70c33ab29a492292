/**
 * What routing, rules and balancing read from an HTTP exchange. The HTTP engine implements these two
 * interfaces over its parsed head (and keeps them current as `http-request` rules rewrite the request);
 * everything in daemon/http/acl only reads through them, so it stays pure and testable with plain objects.
 *
 * Headers are looked up by lower-case name and returned as the field lines' values in order, untouched:
 * the fetches split comma lists (`hdr`), parse cookies (`req.cook`) and count values (`hdr_cnt`) themselves.
 */
import type { TlsInfo } from '../../proxy/conn.js';

/** The response side, for `http-response` conditions and values (`status`, `res.hdr()`). */
export interface ResponseView {
  /** The response status code, e.g. 200. */
  readonly status: number;
  /** Every value of response header `name` (given in lower case), one per field line, in order; [] when absent. */
  header(name: string): readonly string[];
  /** Every response header field as [name, value] in order (for nameless forms such as `res.hdr_cnt()`). */
  headerList(): readonly (readonly [string, string])[];
}

/** One HTTP request as the rules see it (plus its response, once there is one). */
export interface RequestView {
  /** The method as sent, e.g. `GET` (methods are case-sensitive). */
  readonly method: string;
  /** The request target as sent: `/a/b?x=1`, or `http://host/a?x=1` in absolute form, or `*`. */
  readonly url: string;
  /** From the first `/` of the target's path up to (not including) `?`; null when the target has no path (`*`, authority form). */
  readonly path: string | null;
  /** What follows the first `?` of the target ('' for a bare `?`); null when there is no `?`. */
  readonly query: string | null;
  /** The HTTP version without the `HTTP/` prefix: `1.0`, `1.1`, `2.0`. */
  readonly version: string;
  /** Every value of request header `name` (given in lower case), one per field line, in order; [] when absent. */
  header(name: string): readonly string[];
  /** Every request header field as [name, value] in order (for nameless forms such as `hdr_cnt()`). */
  headerList(): readonly (readonly [string, string])[];
  /** The client's address (IPv4-mapped IPv6 addresses such as `::ffff:1.2.3.4` are accepted as IPv4). */
  readonly src: string;
  readonly srcPort: number;
  /** The local address and port the client connected to. */
  readonly dst: string;
  readonly dstPort: number;
  /** The response being processed (http-response rules), or null while processing the request. */
  readonly response: ResponseView | null;
  /** The client's first bytes, in a mode tcp frontend with `tcp-request content` rules; absent elsewhere. */
  readonly content?: ContentSample;
  /** The TLS handshake of a connection accepted on a `bind … ssl` listener; absent (or null) on plain ones. */
  readonly tls?: TlsInfo | null;
}

/** What `tcp-request inspect-delay` buffered of a connection: the bytes, and whether more may still come. */
export interface ContentSample {
  /** The bytes received so far (bounded by tune.bufsize). */
  readonly data: Uint8Array;
  /** True when no more bytes will be waited for (delay over, buffer full, client closed, or no delay). */
  readonly final: boolean;
}

/** `path` and `query` of a request target, as RequestView defines them (a helper for the HTTP engine and tests). */
export function splitTarget(url: string): { path: string | null; query: string | null } {
  const q = url.indexOf('?');
  const beforeQuery = q < 0 ? url : url.slice(0, q);
  const query = q < 0 ? null : url.slice(q + 1);
  if (beforeQuery.startsWith('/')) return { path: beforeQuery, query };
  // absolute form `scheme://authority/path`; `*`, authority form and an absolute URI without a path have none
  const scheme = beforeQuery.indexOf('://');
  const slash = scheme < 0 ? -1 : beforeQuery.indexOf('/', scheme + 3);
  return { path: slash < 0 ? null : beforeQuery.slice(slash), query };
}
