/**
 * Sample expressions as written in ACLs and `%[…]`: `name`, `name(arg1,arg2)`, then `,converter[(args)]`.
 * `parseExpr` splits the text; `resolveExpr` finds the fetch (or, in ACLs, the ACL keyword such as
 * `path_beg`), checks its arguments and converters, and compiles the reader. Errors are messages.
 */
import type { FetchScope, MatchMethod, SampleExpr, SampleScalar, SampleType, SampleValue } from './types.js';
import type { RequestView } from './view.js';
import { FETCHES, fetchRow, type FetchContext, type FetchDef, type Reader } from './fetches.js';
import { ACL_KEYWORDS } from './acl-keywords.js';
import { HAPROXY_CONVERTERS, HAPROXY_FETCHES } from './haproxy-names.js';
import { suggest } from '../../config/suggest.js';

/** Converters lbd implements: string → string. */
const CONVERTERS: Readonly<Record<string, (s: string) => string>> = {
  lower: (s) => s.toLowerCase(),
  upper: (s) => s.toUpperCase(),
};

/** Split `a,b,"c,d"` at commas outside quotes; quotes are removed, a backslash escapes the next character. */
function splitArgs(text: string): string[] {
  const out: string[] = [];
  let cur = '';
  let quote = '';
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '\\' && i + 1 < text.length) cur += text[++i];
    else if (quote !== '') c === quote ? (quote = '') : (cur += c);
    else if (c === '"' || c === "'") quote = c;
    else if (c === ',') {
      out.push(cur);
      cur = '';
    } else cur += c;
  }
  out.push(cur);
  return out;
}

/** One `name[(args)]` at `text[i]`; returns it and the index after it, or an error. */
function callAt(text: string, i: number): { name: string; args: string[] | null; next: number } | string {
  const m = /^[A-Za-z0-9_.+-]+/.exec(text.slice(i));
  if (m === null) return `missing fetch method in expression '${text}'`;
  let j = i + m[0].length;
  if (text[j] !== '(') return { name: m[0], args: null, next: j };
  let quote = '';
  for (j = j + 1; j < text.length; j++) {
    const c = text[j];
    if (c === '\\') j++;
    else if (quote !== '') quote = c === quote ? '' : quote;
    else if (c === '"' || c === "'") quote = c;
    else if (c === ')') break;
  }
  if (j >= text.length) return `'${m[0]}': expected ')' in '${text}'`;
  const inner = text.slice(i + m[0].length + 1, j);
  return { name: m[0], args: inner === '' ? [] : splitArgs(inner), next: j + 1 };
}

/** Parse `fetch(args),conv1,conv2(args)`; `end` (for `%[…]`) is the index where the expression stops. */
export function parseExpr(text: string): SampleExpr | string {
  const first = callAt(text, 0);
  if (typeof first === 'string') return first;
  const converters: string[] = [];
  let i = first.next;
  while (i < text.length) {
    if (text[i] !== ',') return `unexpected '${text.slice(i)}' after '${text.slice(0, i)}'`;
    const conv = callAt(text, i + 1);
    if (typeof conv === 'string') return `missing converter after ',' in '${text}'`;
    if (conv.args !== null) return `converter '${conv.name}' with arguments is not supported by lbd`;
    converters.push(conv.name);
    i = conv.next;
  }
  return { name: first.name, args: first.args ?? [], converters, text };
}

/** A resolved expression: its output type, what it needs, the default match method (ACLs) and its reader. */
export interface ResolvedExpr {
  readonly type: SampleType;
  readonly scope: FetchScope;
  /** The match method the ACL keyword implies (`path_beg` → beg), or the type's default. */
  readonly method: MatchMethod | null;
  readonly reader: Reader;
  /** For content fetches: true while a miss may turn into a match with more data. */
  readonly mayChange?: (view: RequestView) => boolean;
}

const DEFAULT_METHOD: Readonly<Record<SampleType, MatchMethod>> = { str: 'str', int: 'int', ip: 'ip', bool: 'bool', meth: 'meth' };

/** Apply converters to a reader (they see strings; non-strings are converted first). */
function withConverters(reader: Reader, convs: readonly ((s: string) => string)[]): Reader {
  if (convs.length === 0) return reader;
  const apply = (v: SampleScalar): string => convs.reduce((s, f) => f(s), String(v));
  return (view) => {
    const v: SampleValue = reader(view);
    if (v === null) return null;
    return typeof v === 'object' ? v.map(apply) : apply(v);
  };
}

/**
 * Resolve a parsed expression in a context. In ACLs the ACL keyword table (`path_beg`, `hdr_cnt` …) is
 * searched first, as HAProxy does; `%[…]` only knows fetches. Converters make the output a string and
 * drop the keyword's implied method (HAProxy: the last converter's type decides).
 */
export function resolveExpr(expr: SampleExpr, ctx: FetchContext): ResolvedExpr | string {
  const kw = ctx.acl && Object.hasOwn(ACL_KEYWORDS, expr.name) ? ACL_KEYWORDS[expr.name] : undefined;
  const def: FetchDef | undefined = kw !== undefined ? FETCHES[kw.fetch] : fetchRow(expr.name, ctx);
  if (def === undefined) {
    if (Object.hasOwn(ACL_KEYWORDS, expr.name)) return `unknown fetch method '${expr.name}': it is an ACL keyword (write ${ACL_KEYWORDS[expr.name].fetch} here)`;
    const known = HAPROXY_FETCHES.has(expr.name) || (ctx.acl && /_(beg|end|sub|reg|dir|dom|len|cnt|val)$/.test(expr.name) && HAPROXY_FETCHES.has(expr.name.replace(/_[a-z]+$/, '')));
    if (known) return `fetch method '${expr.name}' is not supported by lbd`;
    const names = ctx.acl ? [...Object.keys(ACL_KEYWORDS), ...Object.keys(FETCHES)] : Object.keys(FETCHES);
    const hint = suggest(expr.name, names);
    return `unknown fetch method '${expr.name}'${hint ? `; did you mean '${hint}'?` : ''}`;
  }
  const n = expr.args.length;
  if (n < def.minArgs || n > def.maxArgs) {
    const usage = `${expr.name}${def.usage}`;
    return n < def.minArgs ? `fetch method '${expr.name}' expects arguments: ${usage}` : `fetch method '${expr.name}' takes ${def.maxArgs === 0 ? 'no argument' : `at most ${def.maxArgs} argument(s)`}: ${usage}`;
  }
  if (def.usesUserlist && !ctx.acl) return `fetch method '${expr.name}' is only supported by lbd in ACL conditions`;
  const bad = def.check?.(expr.args);
  if (bad) return `fetch method '${expr.name}': ${bad}`;
  const convs: ((s: string) => string)[] = [];
  for (const c of expr.converters) {
    if (Object.hasOwn(CONVERTERS, c)) convs.push(CONVERTERS[c]);
    else if (HAPROXY_CONVERTERS.has(c) || c.startsWith('map')) return `converter '${c}' is not supported by lbd (supported: ${Object.keys(CONVERTERS).join(', ')})`;
    else return `unknown converter '${c}'`;
  }
  const type: SampleType = convs.length > 0 ? 'str' : def.type;
  const method = convs.length > 0 ? DEFAULT_METHOD.str : kw !== undefined ? kw.method ?? DEFAULT_METHOD[def.type] : DEFAULT_METHOD[def.type];
  return { type, scope: def.scope, method, reader: withConverters(def.compile(expr.args, ctx), convs), ...(def.mayChange ? { mayChange: def.mayChange } : {}) };
}
