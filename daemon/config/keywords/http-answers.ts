/**
 * The answers rules can send: `return`/`deny` options (status, content-type, one body source, `hdr`
 * lines) and `redirect location|prefix|scheme`. Values that follow log-format rules are compiled here.
 */
import type { Word } from '../lexer.js';
import type { KwCtx } from '../context.js';
import type { ProxyDraft } from '../drafts.js';
import type { RedirectRule, ReturnResponse } from '../types.js';
import { didYouMean } from '../suggest.js';
import { formatterOf, parseContext } from './http-common.js';
import { loadHttpResponse, readRaw } from './http-files.js';
import { compileFormatter } from '../../http/acl/format.js';

type Body = ReturnResponse['body'];
const RETURN_OPTIONS = ['status', 'content-type', 'default-errorfiles', 'errorfile', 'errorfiles', 'file', 'lf-file', 'string', 'lf-string', 'hdr'];

/**
 * `[status <code>] [content-type <type>] [default-errorfiles | errorfile <f> | file <f> | lf-file <f> |
 * string <s> | lf-string <fmt>] [hdr <name> <fmt>]*`, for `return` (default status 200) and `deny`
 * (`deny_status` too; default 403 on requests, 502 on responses; no body means the proxy's error page).
 * Returns the response and how many words it used, or undefined after reporting.
 */
export function parseAnswer(ctx: KwCtx, px: ProxyDraft, args: readonly Word[], dir: 'req' | 'res', deny: boolean): { response: ReturnResponse; used: number } | undefined {
  let status = deny ? (dir === 'req' ? 403 : 502) : 200;
  let contentType: string | null = null;
  let body: Body | null = null;
  const headers: { name: string; value: NonNullable<ReturnType<typeof formatterOf>> }[] = [];
  let i = 0;
  const need = (n: number, what: string): Word[] | undefined => {
    const vals = args.slice(i + 1, i + 1 + n);
    if (vals.length < n) {
      ctx.error(`'${args[i].text}' expects ${what}`, args[i]);
      return undefined;
    }
    return vals;
  };
  const setBody = (b: Body): boolean => {
    if (body !== null) {
      ctx.error(`'${args[i].text}': only one of default-errorfiles, errorfile, file, lf-file, string and lf-string may be given`, args[i]);
      return false;
    }
    body = b;
    return true;
  };
  for (; i < args.length; i++) {
    const w = args[i];
    switch (w.text) {
      case 'status':
      case 'deny_status': {
        if (w.text === 'deny_status' && !deny) return void ctx.error(`unknown option 'deny_status' (expected ${RETURN_OPTIONS.join(', ')})`, w);
        const v = need(1, 'a status code');
        if (!v) return undefined;
        const code = Number(v[0].text);
        if (!/^\d{3}$/.test(v[0].text) || code < 200 || code > 599) return void ctx.error(`unexpected status code '${v[0].text}' (expected 200 to 599)`, v[0]);
        status = code;
        i++;
        break;
      }
      case 'content-type': {
        const v = need(1, 'a content type');
        if (!v) return undefined;
        contentType = v[0].text;
        i++;
        break;
      }
      case 'default-errorfiles':
        if (!setBody({ kind: 'default-errorfiles' })) return undefined;
        break;
      case 'errorfiles':
        return void ctx.error("'errorfiles' (http-errors sections) is not supported by lbd; use 'errorfile <file>'", w);
      case 'errorfile':
      case 'file':
      case 'lf-file': {
        const v = need(1, 'a file name');
        if (!v) return undefined;
        const path = v[0].text;
        if (w.text === 'errorfile') {
          const f = loadHttpResponse(path);
          if ('error' in f) return void ctx.error(f.error, v[0]);
          if (!setBody({ kind: 'errorfile', file: f })) return undefined;
        } else {
          const r = readRaw(path);
          if ('error' in r) return void ctx.error(r.error, v[0]);
          if (w.text === 'file') {
            if (!setBody({ kind: 'file', path, content: r.text })) return undefined;
          } else {
            const f = compileFormatter(r.text, parseContext(ctx, px, dir, false));
            if (typeof f === 'string') return void ctx.error(`'${path}': ${f}`, v[0]);
            if (!setBody({ kind: 'lf-file', path, value: f })) return undefined;
          }
        }
        i++;
        break;
      }
      case 'string':
      case 'lf-string': {
        const v = need(1, w.text === 'string' ? 'a string' : 'a log-format string');
        if (!v) return undefined;
        if (w.text === 'string') {
          if (!setBody({ kind: 'string', text: v[0].text })) return undefined;
        } else {
          const f = formatterOf(ctx, px, v[0], dir);
          if (f === undefined || !setBody({ kind: 'lf-string', value: f })) return undefined;
        }
        i++;
        break;
      }
      case 'hdr': {
        const v = need(2, 'a header name and a value');
        if (!v) return undefined;
        const value = formatterOf(ctx, px, v[1], dir);
        if (value === undefined) return undefined;
        headers.push({ name: v[0].text, value });
        i += 2;
        break;
      }
      default:
        return checked();
    }
  }
  return checked();

  function finish(): ReturnResponse {
    const b: Body = body ?? (deny ? { kind: 'default-errorfiles' } : { kind: 'none' });
    return { status, contentType, body: b, headers };
  }
  function checked(): { response: ReturnResponse; used: number } | undefined {
    const r = finish();
    const payload = r.body.kind === 'string' || r.body.kind === 'lf-string' || r.body.kind === 'lf-file' || (r.body.kind === 'file' && r.body.content !== '');
    if (payload && contentType === null) return void ctx.error('a content type must be defined when a non-empty payload is configured (add content-type <type>)');
    return { response: r, used: i };
  }
}

const REDIRECT_CODES = [301, 302, 303, 307, 308];
const REDIRECT_WORDS = ['code', 'prefix', 'location', 'scheme', 'set-cookie', 'clear-cookie', 'drop-query', 'ignore-empty', 'append-slash'];

/** `redirect location|prefix|scheme <value> [code <n>] [drop-query] [append-slash] [ignore-empty] [set-cookie N[=v]] [clear-cookie N[=]]`. */
export function parseRedirect(ctx: KwCtx, px: ProxyDraft, args: readonly Word[], dir: 'req' | 'res'): { redirect: RedirectRule; used: number } | undefined {
  let kind: RedirectRule['kind'] | null = null;
  let valueWord: Word | null = null;
  let code = 302;
  const flags = { dropQuery: false, appendSlash: false, ignoreEmpty: false };
  let setCookie: string | null = null;
  let clearCookie: string | null = null;
  let i = 0;
  for (; i < args.length; i++) {
    const w = args[i];
    const next = args[i + 1];
    if (w.text === 'if' || w.text === 'unless') break;
    if (w.text === 'location' || w.text === 'prefix' || w.text === 'scheme') {
      if (next === undefined) return void ctx.error(`missing argument for '${w.text}'`, w);
      if (kind !== null) return void ctx.error(`'${w.text}': only one of location, prefix and scheme may be given`, w);
      kind = w.text;
      valueWord = next;
      i++;
    } else if (w.text === 'code') {
      if (next === undefined || !REDIRECT_CODES.includes(Number(next.text))) return void ctx.error(`'code': unsupported HTTP code '${next?.text ?? ''}' (must be one of ${REDIRECT_CODES.join(', ')})`, next ?? w);
      code = Number(next.text);
      i++;
    } else if (w.text === 'set-cookie' || w.text === 'clear-cookie') {
      if (next === undefined) return void ctx.error(`'${w.text}' expects a cookie name`, w);
      if (w.text === 'set-cookie') setCookie = next.text;
      else clearCookie = next.text;
      i++;
    } else if (w.text === 'drop-query') flags.dropQuery = true;
    else if (w.text === 'append-slash') flags.appendSlash = true;
    else if (w.text === 'ignore-empty') flags.ignoreEmpty = true;
    else return void ctx.error(`expects ${REDIRECT_WORDS.map((x) => `'${x}'`).join(', ')} (was '${w.text}')${didYouMean(w.text, REDIRECT_WORDS)}`, w);
  }
  if (kind === null || valueWord === null) return void ctx.error("expects 'location', 'prefix' or 'scheme' and a value");
  const value = formatterOf(ctx, px, valueWord, dir);
  if (value === undefined) return undefined;
  return { redirect: { kind, value, code, ...flags, setCookie, clearCookie }, used: i };
}
