/**
 * One HTTP message as the engine forwards it and the rules see it.
 *
 * Two representations, chosen per message:
 *  - parsed: the HttpHead as read (offsets into the bytes received). Forwarding writes it back with
 *    serializeHead (a view of the received bytes when nothing changes): no string is made per header.
 *  - edited: once a rule rewrites anything (a header, the method, the target, the status), the head is
 *    copied into a list of [name, value] fields and written from that list. Later rules and conditions
 *    see the edits, as in HAProxy.
 *
 * `RequestMessage` implements the RequestView the ACL layer reads (conditions, `%[...]` values, balance
 * keys); `ResponseMessage` the ResponseView.
 */
import { CR, LF, SP } from './bytes.js';
import type { HttpHead } from './head.js';
import type { Endpoints, TlsInfo } from '../proxy/conn.js';
import { putString, serializeHead, type HeadEdits } from './serialize.js';
import { splitTarget, type RequestView, type ResponseView } from './acl/index.js';

export type Field = [string, string];

const NO_VALUES: readonly string[] = [];
const NO_ENDPOINTS: Endpoints = { src: '', srcPort: 0, dst: '', dstPort: 0 };

/** Fields a proxy must not forward (RFC 9110 §7.6.1), by lower-case name. */
const HOP = new Set(['connection', 'keep-alive', 'proxy-connection', 'te', 'trailer', 'transfer-encoding', 'upgrade']);
const PROTECTED = new Set(['host', 'content-length', 'transfer-encoding']);

/** Headers of a parsed head, skipping the fields marked skip (duplicate Host, dropped Content-Length). */
function fieldsOf(h: HttpHead): Field[] {
  const out: Field[] = [];
  for (let i = 0; i < h.count; i++) if (h.skip[i] === 0) out.push([h.name(i), h.value(i)]);
  return out;
}

function valuesIn(h: HttpHead, name: string): readonly string[] {
  let out: string[] | null = null;
  for (let i = 0; i < h.count; i++) {
    if (h.skip[i] === 0 && h.nameIs(i, name)) (out ??= []).push(h.value(i));
  }
  return out ?? NO_VALUES;
}

function valuesInList(list: readonly Field[], name: string): readonly string[] {
  let out: string[] | null = null;
  for (const [n, v] of list) if (n.length === name.length && n.toLowerCase() === name) (out ??= []).push(v);
  return out ?? NO_VALUES;
}


/**
 * Drop hop-by-hop fields (and the fields named by Connection) from an edited list; `keep` names the
 * ones the engine forwards on purpose (upgrade, transfer-encoding).
 */
export function dropHopByHop(list: Field[], keep: ReadonlySet<string> | null): Field[] {
  const named = new Set<string>();
  for (const [n, v] of list) {
    if (n.toLowerCase() !== 'connection') continue;
    for (const t of v.split(',')) {
      const tok = t.trim().toLowerCase();
      if (tok && tok !== 'close' && tok !== 'keep-alive' && tok !== 'upgrade' && !PROTECTED.has(tok)) named.add(tok);
    }
  }
  return list.filter(([n]) => {
    const l = n.toLowerCase();
    if (keep?.has(l)) return true;
    return !HOP.has(l) && !named.has(l);
  });
}

/** Write a start line and fields as one HTTP/1.1 head. */
export function writeHead(startLine: string, list: readonly Field[]): Buffer {
  let size = startLine.length + 4;
  for (const [n, v] of list) size += n.length + v.length + 4;
  const out = Buffer.allocUnsafe(size);
  let o = putString(startLine, out, 0);
  out[o++] = CR;
  out[o++] = LF;
  for (const [n, v] of list) {
    o = putString(n, out, o);
    out[o++] = 0x3a;
    out[o++] = SP;
    o = putString(v, out, o);
    out[o++] = CR;
    out[o++] = LF;
  }
  out[o++] = CR;
  out[o++] = LF;
  return out.subarray(0, o);
}

/** An edited head with the engine's own edits (`HeadEdits`, as serializeHead takes them) applied, written out. */
function writeEdited(startLine: string, fields: readonly Field[], edits: HeadEdits | null, keepHop: ReadonlySet<string> | null): Buffer {
  let list = dropHopByHop([...fields], keepHop);
  if (edits?.del) list = list.filter(([n]) => !edits.del!.includes(n.toLowerCase()));
  for (const [n, v] of edits?.set ?? []) {
    list = list.filter(([x]) => x.toLowerCase() !== n.toLowerCase());
    list.push([n, v]);
  }
  for (const [n, v] of edits?.add ?? []) list.push([n, v]);
  return writeHead(startLine, list);
}

/** The request: parsed head, or the edited copy; a RequestView for the rules. */
export class RequestMessage implements RequestView {
  head: HttpHead | null = null;
  /** Edited form: non-null once a rule changed something. */
  list: Field[] | null = null;
  private methodEdit: string | null = null;
  private targetEdit: string | null = null;
  private split: { path: string | null; query: string | null } | null = null;
  response: ResponseView | null = null;
  /** The client connection's TLS handshake (`bind … ssl`), or null. */
  tls: TlsInfo | null = null;
  /** Where the connection's addresses come from: read once, on first use (two syscalls saved per connection otherwise). */
  endpoints: (() => Endpoints | null) | null = null;
  private ep: Endpoints | null = null;

  private addresses(): Endpoints {
    if (this.ep === null) this.ep = this.endpoints?.() ?? NO_ENDPOINTS;
    return this.ep;
  }
  get src(): string {
    return this.addresses().src;
  }
  get srcPort(): number {
    return this.addresses().srcPort;
  }
  get dst(): string {
    return this.addresses().dst;
  }
  get dstPort(): number {
    return this.addresses().dstPort;
  }

  reset(h: HttpHead): void {
    this.head = h;
    this.list = null;
    this.methodEdit = this.targetEdit = null;
    this.split = null;
    this.response = null;
  }

  get method(): string {
    return this.methodEdit ?? this.head!.method;
  }
  get url(): string {
    return this.targetEdit ?? this.head!.target;
  }
  get path(): string | null {
    return (this.split ??= splitTarget(this.url)).path;
  }
  get query(): string | null {
    return (this.split ??= splitTarget(this.url)).query;
  }
  get version(): string {
    const h = this.head!;
    return `${h.versionMajor}.${h.versionMinor}`;
  }
  header(name: string): readonly string[] {
    return this.list ? valuesInList(this.list, name) : valuesIn(this.head!, name);
  }
  headerList(): readonly (readonly [string, string])[] {
    return this.list ?? fieldsOf(this.head!);
  }

  /** Switch to the edited form (idempotent) and return the field list. */
  edit(): Field[] {
    return (this.list ??= fieldsOf(this.head!));
  }
  setMethod(m: string): void {
    this.edit();
    this.methodEdit = m;
  }
  setTarget(t: string): void {
    this.edit();
    this.targetEdit = t;
    this.split = null;
  }
  get edited(): boolean {
    return this.list !== null;
  }

  /**
   * The bytes to send to the server. `hopFlags` as markHopByHop (already applied to the parsed head by
   * the engine); `extra` fields are appended (X-Forwarded-For, Connection).
   */
  serialize(edits: HeadEdits | null, keepHop: ReadonlySet<string> | null): Buffer {
    const h = this.head!;
    if (this.list === null) return serializeHead(h, edits);
    const version = h.versionMinor === 0 && h.versionMajor === 1 ? 'HTTP/1.0' : 'HTTP/1.1';
    return writeEdited(`${this.method} ${this.url} ${version}`, this.list, edits, keepHop);
  }
}

/** The response: parsed head or edited copy; a ResponseView for http-response rules. */
export class ResponseMessage implements ResponseView {
  head: HttpHead | null = null;
  list: Field[] | null = null;
  private statusEdit = 0;
  private reasonEdit: string | null = null;

  reset(h: HttpHead): void {
    this.head = h;
    this.list = null;
    this.statusEdit = 0;
    this.reasonEdit = null;
  }
  get status(): number {
    return this.statusEdit || this.head!.status;
  }
  header(name: string): readonly string[] {
    return this.list ? valuesInList(this.list, name) : valuesIn(this.head!, name);
  }
  headerList(): readonly (readonly [string, string])[] {
    return this.list ?? fieldsOf(this.head!);
  }
  edit(): Field[] {
    return (this.list ??= fieldsOf(this.head!));
  }
  setStatus(status: number, reason: string | null): void {
    this.edit();
    this.statusEdit = status;
    this.reasonEdit = reason;
  }

  serialize(edits: HeadEdits | null, keepHop: ReadonlySet<string> | null): Buffer {
    const h = this.head!;
    if (this.list === null) return serializeHead(h, edits);
    const reason = this.reasonEdit ?? (this.statusEdit ? defaultReason(this.statusEdit) : h.reason);
    return writeEdited(`HTTP/1.1 ${this.status} ${reason}`, this.list, edits, keepHop);
  }
}

const REASONS: Record<number, string> = {
  100: 'Continue', 101: 'Switching Protocols', 200: 'OK', 201: 'Created', 202: 'Accepted', 204: 'No Content',
  206: 'Partial Content', 301: 'Moved Permanently', 302: 'Found', 303: 'See Other', 304: 'Not Modified',
  307: 'Temporary Redirect', 308: 'Permanent Redirect', 400: 'Bad Request', 401: 'Unauthorized', 403: 'Forbidden',
  404: 'Not Found', 405: 'Method Not Allowed', 408: 'Request Timeout', 410: 'Gone', 413: 'Payload Too Large',
  414: 'URI Too Long', 421: 'Misdirected Request', 425: 'Too Early', 429: 'Too Many Requests',
  500: 'Internal Server Error', 501: 'Not Implemented', 502: 'Bad Gateway', 503: 'Service Unavailable', 504: 'Gateway Timeout',
};

/** The standard reason phrase of a status (HAProxy's http_get_reason), 'Other' when unknown. */
export function defaultReason(status: number): string {
  return REASONS[status] ?? 'Other';
}

