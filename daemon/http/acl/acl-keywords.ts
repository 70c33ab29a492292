/**
 * ACL-only keywords: the derivatives HAProxy names `<fetch>_<method>` (`path_beg` is `path -m beg`,
 * `hdr_sub(x)` is `hdr(x) -m sub`), and the predefined ACLs (`METH_GET`, `LOCALHOST` …) with the
 * definitions of HAProxy's manual, section 7.4.
 */
import type { MatchMethod } from './types.js';

/** A derivative: the fetch it reads and the match method it implies. */
export interface AclKeyword {
  readonly fetch: string;
  readonly method: MatchMethod;
}

const STRING_DERIVATIVES: readonly MatchMethod[] = ['beg', 'dir', 'dom', 'end', 'len', 'reg', 'sub'];

/** Fetches with string derivatives, and the prefix of their derivative names. */
const DERIVED: readonly (readonly [prefix: string, fetch: string])[] = [
  ['path', 'path'],
  ['url', 'url'],
  ['base', 'base'],
  ['hdr', 'hdr'],
  ['req.cook', 'req.cook'],
  ['cook', 'req.cook'],
  ['urlp', 'url_param'],
  ['shdr', 'res.hdr'],
  ['res.hdr', 'res.hdr'],
];

/** The ACL keyword table (derivatives only; plain fetches are looked up in the fetch table). */
export const ACL_KEYWORDS: Readonly<Record<string, AclKeyword>> = Object.fromEntries(
  DERIVED.flatMap(([prefix, fetch]) => STRING_DERIVATIVES.map((m) => [`${prefix}_${m}`, { fetch, method: m }] as const)),
);

/** Predefined ACLs: name → the `acl` definition it stands for (fetch, flags and patterns). */
export const PREDEFINED_ACLS: Readonly<Record<string, string>> = {
  TRUE: 'always_true',
  FALSE: 'always_false',
  HTTP: 'req.proto_http',
  'HTTP_1.0': 'req.ver 1.0',
  'HTTP_1.1': 'req.ver 1.1',
  'HTTP_2.0': 'req.ver 2.0',
  HTTP_CONTENT: 'req.hdr_val(content-length) gt 0',
  HTTP_URL_ABS: 'url_reg ^[^/:]*://',
  HTTP_URL_SLASH: 'url_beg /',
  HTTP_URL_STAR: 'url *',
  LOCALHOST: 'src 127.0.0.1/8 ::1',
  METH_CONNECT: 'method CONNECT',
  METH_DELETE: 'method DELETE',
  METH_GET: 'method GET HEAD',
  METH_HEAD: 'method HEAD',
  METH_OPTIONS: 'method OPTIONS',
  METH_POST: 'method POST',
  METH_PUT: 'method PUT',
  METH_TRACE: 'method TRACE',
};

/** Predefined ACLs of HAProxy that lbd does not have (they read raw TCP payloads). */
export const UNSUPPORTED_PREDEFINED: ReadonlySet<string> = new Set(['RDP_COOKIE', 'REQ_CONTENT', 'WAIT_END']);
