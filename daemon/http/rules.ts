/**
 * `http-request` and `http-response` rules, run in order on one message, HAProxy's way: header and
 * start-line rewrites change the message (later conditions see them); `allow` stops the list; `deny`,
 * `return`, `redirect`, `auth` stop it and answer locally; `reject` closes the connection silently.
 *
 * Local answers are byte for byte HAProxy 2.6's (captured from it: test/unit/http-rules.test.ts):
 *  - redirect: `content-length: 0`, `location`, then `cache-control: no-cache` except for 301/308,
 *    then `set-cookie`;
 *  - deny and auth: the error page of the status (or the errorfile configured for it);
 *  - return: `hdr` fields, then content-length, then content-type when there is a body.
 */
import type {
  ErrorFileConfig, HttpRequestAction, HttpResponseAction, HttpRule, RedirectRule, ReturnResponse,
} from '../config/types.js';
import { errorResponse } from './errors.js';
import { defaultReason, type Field, type RequestMessage, type ResponseMessage } from './message.js';
import type { RequestView } from './acl/index.js';

/** What a rule list decided. */
export const enum Verdict {
  /** No stopping rule matched (or `allow`): go on. */
  CONTINUE = 0,
  /** Answer with `response` (deny, return, redirect, auth). */
  RESPOND = 1,
  /** `reject`: close the connection without a response. */
  REJECT = 2,
}

/** The outcome of a rule list; reuse one per session. */
export class RuleResult {
  verdict: Verdict = Verdict.CONTINUE;
  response: Buffer | null = null;
  status = 0;
  /** A `deny` (counted as denied, logged `PR`) rather than an interception (return, redirect, auth: `LR`). */
  denied = false;

  reset(): void {
    this.verdict = Verdict.CONTINUE;
    this.response = null;
    this.status = 0;
    this.denied = false;
  }
}

/** Where the rules run: the proxy name (auth realm default) and its errorfiles. */
export interface RuleContext {
  readonly proxyName: string;
  readonly errorFiles: readonly ErrorFileConfig[];
  /** The client closes after this response (HTTP/1.0 or Connection: close): add `connection: close`. */
  readonly close: boolean;
  /** An HTTP/1.0 client that keeps the connection: add `connection: keep-alive` (as HAProxy). */
  readonly keepAlive10?: boolean;
}

/** The page for `status`: the errorfile configured for it, else HAProxy's built-in page. */
export function errorPage(status: number, files: readonly ErrorFileConfig[], close: boolean): Buffer {
  for (const f of files) if (f.status === status) return Buffer.from(f.raw, 'latin1');
  return errorResponse(status, close);
}

function setHeader(list: Field[], name: string, value: string): void {
  const l = name.toLowerCase();
  for (let i = list.length - 1; i >= 0; i--) if (list[i]![0].toLowerCase() === l) list.splice(i, 1);
  list.push([name, value]);
}

/** Apply a header or start-line rewrite common to both directions; false when the action is not one. */
function rewriteHeaders(a: HttpRequestAction | HttpResponseAction, msg: RequestMessage | ResponseMessage, view: RequestView): boolean {
  switch (a.type) {
    case 'set-header':
      setHeader(msg.edit(), a.name, a.value.format(view));
      return true;
    case 'add-header':
      msg.edit().push([a.name, a.value.format(view)]);
      return true;
    case 'del-header': {
      const list = msg.edit();
      for (let i = list.length - 1; i >= 0; i--) if (a.matches(list[i]![0])) list.splice(i, 1);
      return true;
    }
    case 'replace-header':
    case 'replace-value': {
      const list = msg.edit();
      for (const f of list) {
        if (f[0].toLowerCase() !== a.name) continue;
        if (a.type === 'replace-header') {
          const v = a.replacer(f[1], view);
          if (v !== null) f[1] = v;
        } else {
          // each element of the comma list, in place: separators and blanks stay as sent (HAProxy)
          f[1] = f[1].split(',').map((part) => {
            const start = part.length - part.trimStart().length;
            const end = part.trimEnd().length;
            const v = a.replacer(part.slice(start, end), view);
            return v === null ? part : part.slice(0, start) + v + part.slice(end);
          }).join(',');
        }
      }
      return true;
    }
    default:
      return false;
  }
}

function pathOf(url: string): { before: string; path: string; query: string } {
  // absolute form keeps its scheme and authority in `before`
  let start = 0;
  if (!url.startsWith('/')) {
    const s = url.indexOf('://');
    const slash = s < 0 ? -1 : url.indexOf('/', s + 3);
    start = slash < 0 ? url.length : slash;
  }
  const q = url.indexOf('?', start);
  return { before: url.slice(0, start), path: url.slice(start, q < 0 ? url.length : q), query: q < 0 ? '' : url.slice(q) };
}

/** Start-line rewrites of the request; false when the action is not one. */
function rewriteRequestLine(a: HttpRequestAction, msg: RequestMessage): boolean {
  switch (a.type) {
    case 'set-method':
      msg.setMethod(a.value.format(msg));
      return true;
    case 'set-uri':
      msg.setTarget(a.value.format(msg));
      return true;
    case 'set-path': {
      const p = pathOf(msg.url);
      msg.setTarget(p.before + a.value.format(msg) + p.query);
      return true;
    }
    case 'set-pathq': {
      const p = pathOf(msg.url);
      msg.setTarget(p.before + a.value.format(msg));
      return true;
    }
    case 'set-query': {
      const p = pathOf(msg.url);
      const q = a.value.format(msg);
      msg.setTarget(p.before + p.path + (q === '' ? '' : `?${q}`));
      return true;
    }
    case 'replace-path':
    case 'replace-pathq':
    case 'replace-uri': {
      const p = pathOf(msg.url);
      const subject = a.type === 'replace-uri' ? msg.url : a.type === 'replace-path' ? p.path : p.path + p.query;
      const v = a.replacer(subject, msg);
      if (v === null) return true;
      if (a.type === 'replace-uri') msg.setTarget(v);
      else if (a.type === 'replace-path') msg.setTarget(p.before + v + p.query);
      else msg.setTarget(p.before + v);
      return true;
    }
    default:
      return false;
  }
}

/** The response of `deny` / `return` (`defaultIsError`: a deny without a body sends the status's error page). */
export function returnResponse(r: ReturnResponse, view: RequestView, ctx: RuleContext, defaultIsError: boolean): Buffer {
  const b = r.body;
  if (b.kind === 'errorfile') return Buffer.from(b.file.raw, 'latin1');
  const errorBodyWanted = b.kind === 'default-errorfiles' || (b.kind === 'none' && defaultIsError);
  if (errorBodyWanted && r.headers.length === 0) return errorPage(r.status, ctx.errorFiles, ctx.close);
  let body: Buffer;
  let contentType = r.contentType;
  if (errorBodyWanted) {
    body = errorBody(r.status, ctx);
    contentType ??= 'text/html';
  } else if (b.kind === 'string') body = Buffer.from(b.text, 'latin1');
  else if (b.kind === 'file') body = Buffer.from(b.content, 'latin1');
  else if (b.kind === 'lf-string' || b.kind === 'lf-file') body = Buffer.from(b.value.format(view), 'latin1');
  else body = Buffer.alloc(0);
  let head = `HTTP/1.1 ${r.status} ${defaultReason(r.status)}\r\n`;
  for (const h of r.headers) head += `${h.name.toLowerCase()}: ${h.value.format(view)}\r\n`;
  head += `content-length: ${body.length}\r\n`;
  if (body.length > 0 && contentType !== null) head += `content-type: ${contentType}\r\n`;
  head += connectionField(ctx.close, ctx.keepAlive10 === true);
  return Buffer.concat([Buffer.from(`${head}\r\n`, 'latin1'), body]);
}

function errorBody(status: number, ctx: RuleContext): Buffer {
  const page = errorPage(status, ctx.errorFiles, false);
  const end = page.indexOf('\r\n\r\n');
  return end < 0 ? Buffer.alloc(0) : page.subarray(end + 4);
}

/** The Location of a redirect, or null (`ignore-empty` with an empty value). */
function location(r: RedirectRule, view: RequestView): string | null {
  const v = r.value.format(view);
  if (v === '' && r.ignoreEmpty) return null;
  if (r.kind === 'location') return v;
  const url = view.url;
  if (r.kind === 'prefix') {
    let path = r.dropQuery ? (view.path ?? url) : url;
    if (r.appendSlash && !path.endsWith('/') && !path.includes('?')) path += '/';
    // HAProxy: a prefix of "/" alone does not double the slash
    return v === '/' ? path : v + path;
  }
  const host = view.header('host')[0] ?? '';
  let path = url.startsWith('/') ? url : view.path ?? '/';
  if (r.dropQuery) path = view.path ?? path;
  return `${v}://${host}${path}`;
}

/** HAProxy's redirect answer. */
/** The Connection field lbd adds to its own answers, if any. */
function connectionField(close: boolean, keepAlive10: boolean): string {
  return close ? 'connection: close\r\n' : keepAlive10 ? 'connection: keep-alive\r\n' : '';
}

export function redirectResponse(r: RedirectRule, loc: string, close: boolean, keepAlive10 = false): Buffer {
  let head = `HTTP/1.1 ${r.code} ${defaultReason(r.code)}\r\ncontent-length: 0\r\nlocation: ${loc}\r\n`;
  if (r.code !== 301 && r.code !== 308) head += 'cache-control: no-cache\r\n';
  if (r.setCookie !== null) head += `set-cookie: ${r.setCookie}; path=/;\r\n`;
  if (r.clearCookie !== null) head += `set-cookie: ${r.clearCookie}; path=/; Max-Age=0; Expires=Thu, 01-Jan-1970 00:00:01 GMT;\r\n`;
  head += connectionField(close, keepAlive10);
  return Buffer.from(`${head}\r\n`, 'latin1');
}

function authResponse(realm: string, ctx: RuleContext): Buffer {
  const page = errorPage(401, ctx.errorFiles, false);
  const end = page.indexOf('\r\n\r\n');
  const head = page.subarray(0, end).toString('latin1');
  const extra = `\r\nwww-authenticate: Basic realm="${realm}"\r\n${connectionField(ctx.close, ctx.keepAlive10 === true)}\r\n`;
  return Buffer.concat([Buffer.from(head + extra, 'latin1'), page.subarray(end + 4)]);
}

/**
 * The answers both rule lists share (deny, return, redirect): fill `res` and return true, or false when
 * the action is not one of them or does not apply (`redirect … ignore-empty` with an empty location).
 */
function answer(a: HttpRequestAction | HttpResponseAction, view: RequestView, ctx: RuleContext, res: RuleResult): boolean {
  switch (a.type) {
    case 'deny':
    case 'return':
      res.verdict = Verdict.RESPOND;
      res.status = a.response.status;
      res.denied = a.type === 'deny';
      res.response = returnResponse(a.response, view, ctx, a.type === 'deny');
      return true;
    case 'redirect': {
      const loc = location(a.redirect, view);
      if (loc === null) return false;
      res.verdict = Verdict.RESPOND;
      res.status = a.redirect.code;
      res.response = redirectResponse(a.redirect, loc, ctx.close, ctx.keepAlive10 === true);
      return true;
    }
    default:
      return false;
  }
}

/** Run `http-request` rules on `msg`; the outcome is left in `res`. */
export function runRequestRules(rules: readonly HttpRule<HttpRequestAction>[], msg: RequestMessage, ctx: RuleContext, res: RuleResult): void {
  for (const rule of rules) {
    if (rule.cond !== null && !rule.cond.test(msg)) continue;
    const a = rule.action;
    if (rewriteHeaders(a, msg, msg) || rewriteRequestLine(a, msg)) continue;
    if (answer(a, msg, ctx, res)) return;
    switch (a.type) {
      case 'allow':
        return;
      case 'reject':
        res.verdict = Verdict.REJECT;
        res.denied = true;
        return;
      case 'auth':
        res.verdict = Verdict.RESPOND;
        res.status = 401;
        res.response = authResponse(a.realm ?? ctx.proxyName, ctx);
        return;
    }
  }
}

/** Run `http-response` rules on `msg` (the request view sees the response through `view.response`). */
export function runResponseRules(rules: readonly HttpRule<HttpResponseAction>[], msg: ResponseMessage, view: RequestView, ctx: RuleContext, res: RuleResult): void {
  for (const rule of rules) {
    if (rule.cond !== null && !rule.cond.test(view)) continue;
    const a = rule.action;
    if (rewriteHeaders(a, msg, view)) continue;
    if (answer(a, view, ctx, res)) return;
    if (a.type === 'allow') return;
    if (a.type === 'set-status') msg.setStatus(a.status, a.reason);
  }
}
