/**
 * `http-request <action> … [if|unless <condition>]` and `http-response <action> …`: one row per action
 * (the rows are listed in the reference as `http-request set-header` …). HAProxy actions lbd does not
 * implement are refused as "not supported by lbd"; anything else is unknown, with a suggestion.
 */
import type { Word } from '../lexer.js';
import type { KwCtx, SectionKind } from '../context.js';
import type { ProxyDraft } from '../drafts.js';
import type { DelHeader, HttpRequestAction, HttpResponseAction, ReplaceAction } from '../types.js';
import { didYouMean } from '../suggest.js';
import type { Keyword, SubKeyword } from './table.js';
import { extraWords, formatterOf, withCondition } from './http-common.js';
import { parseAnswer, parseRedirect } from './http-answers.js';
import { compileRegex } from '../../http/acl/matchers.js';
import { compileReplacer } from '../../http/acl/replace.js';

type Dir = 'req' | 'res';
type Action = HttpRequestAction | HttpResponseAction;

/** An action row: how many leading words are its own (a condition is searched after them), and its parser. */
interface ActionRow {
  readonly help: string;
  readonly positional: number;
  /** Parse the words before the condition; returns the action and how many words it used. */
  readonly parse: (ctx: KwCtx, px: ProxyDraft, args: readonly Word[], dir: Dir) => { action: Action; used: number } | undefined;
}

const at = (ctx: KwCtx) => ({ file: ctx.line.file, line: ctx.line.line });

/** An action without arguments. */
const bare = (type: 'allow' | 'reject', help: string): ActionRow => ({ help, positional: 0, parse: () => ({ action: { type }, used: 0 }) });

/** `<name> <fmt>` (set-header, add-header). */
const headerValue = (type: 'set-header' | 'add-header', help: string): ActionRow => ({
  help,
  positional: 2,
  parse(ctx, px, args, dir) {
    if (args.length < 2) return void ctx.error('expects exactly 2 arguments: <name> <fmt>');
    const value = formatterOf(ctx, px, args[1], dir);
    return value && { action: { type, name: args[0].text, value }, used: 2 };
  },
});

/** `<fmt>` (set-path, set-query, set-uri, set-method, set-pathq). */
const oneValue = (type: 'set-path' | 'set-pathq' | 'set-query' | 'set-uri' | 'set-method', help: string): ActionRow => ({
  help,
  positional: 1,
  parse(ctx, px, args, dir) {
    if (args.length < 1) return void ctx.error('expects exactly 1 argument <format>');
    const value = formatterOf(ctx, px, args[0], dir);
    return value && { action: { type, value }, used: 1 };
  },
});

/** `[<name>] <regex> <fmt>` (replace-header/value with a name, replace-path/uri without). */
const replace = (type: ReplaceAction['type'], help: string): ActionRow => {
  const named = type === 'replace-header' || type === 'replace-value';
  const n = named ? 3 : 2;
  return {
    help,
    positional: n,
    parse(ctx, px, args, dir) {
      if (args.length < n) return void ctx.error(`expects exactly ${n} arguments: ${named ? '<name> ' : ''}<match-regex> <replace-fmt>`);
      const [re, fmt] = named ? [args[1], args[2]] : [args[0], args[1]];
      const value = formatterOf(ctx, px, fmt, dir);
      if (value === undefined) return undefined;
      const replacer = compileReplacer(re.text, value);
      if (typeof replacer === 'string') return void ctx.error(replacer, re);
      return { action: { type, name: named ? args[0].text.toLowerCase() : '', regex: re.text, replace: value, replacer }, used: n };
    },
  };
};

const DEL_METHODS = ['str', 'beg', 'end', 'sub', 'reg'] as const;

/** `del-header <name> [-m str|beg|end|sub|reg]`: the name (case-insensitive) or a pattern on names. */
const delHeader: ActionRow = {
  help: '<name> [-m str|beg|end|sub|reg]: remove every header whose name matches',
  positional: 1,
  parse(ctx, _px, args) {
    if (args.length < 1) return void ctx.error('expects a header name');
    let method: DelHeader['method'] = 'str';
    let used = 1;
    if (args[1]?.text === '-m') {
      const m = args[2];
      if (m === undefined || !(DEL_METHODS as readonly string[]).includes(m.text)) return void ctx.error(`-m with unsupported matching method '${m?.text ?? ''}' (expected ${DEL_METHODS.join(', ')})`, m ?? args[1]);
      method = m.text as DelHeader['method'];
      used = 3;
    }
    const name = args[0].text;
    const low = name.toLowerCase();
    let matches: (h: string) => boolean;
    if (method === 'reg') {
      const re = compileRegex(name, false);
      if (typeof re === 'string') return void ctx.error(re, args[0]);
      matches = (h) => re.test(h);
    } else {
      const test = { str: (h: string) => h === low, beg: (h: string) => h.startsWith(low), end: (h: string) => h.endsWith(low), sub: (h: string) => h.includes(low) }[method];
      matches = (h) => test(h.toLowerCase());
    }
    return { action: { type: 'del-header', name, method, matches }, used };
  },
};

const answer = (type: 'deny' | 'return', help: string): ActionRow => ({
  help,
  positional: 0,
  parse(ctx, px, args, dir) {
    const r = parseAnswer(ctx, px, args, dir, type === 'deny');
    return r && { action: { type, response: r.response }, used: r.used };
  },
});

const redirect: ActionRow = {
  help: 'location|prefix|scheme <fmt> [code 301|302|303|307|308] [drop-query] [append-slash] [ignore-empty] [set-cookie <c>] [clear-cookie <c>]: answer with a redirection',
  positional: 2,
  parse(ctx, px, args, dir) {
    const r = parseRedirect(ctx, px, args, dir);
    return r && { action: { type: 'redirect', redirect: r.redirect }, used: r.used };
  },
};

const SET_HEADER = '<name> <fmt>: set a header (removing the ones of that name first); <fmt> follows log-format rules (%[src], %[req.hdr(host)], %ci …)';
const ADD_HEADER = '<name> <fmt>: append a header';
const RETURN = '[status <code>] [content-type <type>] [default-errorfiles|errorfile <f>|file <f>|lf-file <f>|string <s>|lf-string <fmt>] [hdr <name> <fmt>]*: answer at once';

/** The `http-request` actions. */
export const REQUEST_ACTIONS: Readonly<Record<string, ActionRow>> = {
  allow: bare('allow', 'stop evaluating http-request rules and let the request through'),
  deny: answer('deny', '[deny_status <code>] [same options as return]: refuse the request (403 by default, the proxy\'s error page)'),
  reject: bare('reject', 'close the connection without an answer'),
  return: answer('return', RETURN),
  auth: {
    help: '[realm <realm>]: answer 401 asking for basic authentication (check it with http_auth(<userlist>))',
    positional: 0,
    parse(ctx, _px, args) {
      if (args[0]?.text !== 'realm') return { action: { type: 'auth', realm: null }, used: 0 };
      if (args[1] === undefined) return void ctx.error('missing realm value', args[0]);
      return { action: { type: 'auth', realm: args[1].text }, used: 2 };
    },
  },
  redirect,
  'set-header': headerValue('set-header', SET_HEADER),
  'add-header': headerValue('add-header', ADD_HEADER),
  'del-header': delHeader,
  'replace-header': replace('replace-header', '<name> <regex> <fmt>: replace whole values of a header that match (\\1 … refer to groups)'),
  'replace-value': replace('replace-value', '<name> <regex> <fmt>: replace each comma-separated value of a header that matches'),
  'replace-path': replace('replace-path', '<regex> <fmt>: rewrite the path when it matches'),
  'replace-pathq': replace('replace-pathq', '<regex> <fmt>: rewrite the path and query string when they match'),
  'replace-uri': replace('replace-uri', '<regex> <fmt>: rewrite the request target when it matches'),
  'set-path': oneValue('set-path', '<fmt>: replace the path (the query string stays)'),
  'set-pathq': oneValue('set-pathq', '<fmt>: replace the path and query string'),
  'set-query': oneValue('set-query', '<fmt>: replace the query string'),
  'set-uri': oneValue('set-uri', '<fmt>: replace the whole request target'),
  'set-method': oneValue('set-method', '<fmt>: replace the method'),
};

/** The `http-response` actions. */
export const RESPONSE_ACTIONS: Readonly<Record<string, ActionRow>> = {
  allow: bare('allow', 'stop evaluating http-response rules'),
  deny: answer('deny', '[deny_status <code>] [same options as return]: replace the response with an error (502 by default)'),
  return: answer('return', RETURN),
  redirect,
  'set-header': headerValue('set-header', SET_HEADER),
  'add-header': headerValue('add-header', ADD_HEADER),
  'del-header': delHeader,
  'replace-header': REQUEST_ACTIONS['replace-header'],
  'replace-value': REQUEST_ACTIONS['replace-value'],
  'set-status': {
    help: '<code> [reason <text>]: change the response status',
    positional: 1,
    parse(ctx, _px, args) {
      const code = args[0];
      if (code === undefined || !/^\d{3}$/.test(code.text) || Number(code.text) < 100 || Number(code.text) > 999) return void ctx.error(`expects a status code between 100 and 999${code ? `, got '${code.text}'` : ''}`, code);
      if (args[1]?.text !== 'reason') return { action: { type: 'set-status', status: Number(code.text), reason: null }, used: 1 };
      if (args[2] === undefined) return void ctx.error("'reason' expects a text", args[1]);
      return { action: { type: 'set-status', status: Number(code.text), reason: args[2].text }, used: 3 };
    },
  },
};

/** HAProxy 2.6 actions lbd does not implement (names ending in `(` take an argument in parentheses). */
const HAPROXY_ACTIONS = [
  'add-acl(', 'cache-use', 'cache-store', 'capture', 'del-acl(', 'del-map(', 'disable-l7-retry', 'do-resolve(', 'early-hint', 'normalize-uri',
  'sc-inc-gpc(', 'sc-inc-gpc0(', 'sc-inc-gpc1(', 'sc-set-gpt(', 'sc-set-gpt0(', 'send-spoe-group', 'set-dst', 'set-dst-port', 'set-log-level',
  'set-map(', 'set-mark', 'set-nice', 'set-priority-class', 'set-priority-offset', 'set-src', 'set-src-port', 'set-timeout', 'set-tos',
  'set-var(', 'set-var-fmt(', 'silent-drop', 'strict-mode', 'tarpit', 'track-sc0', 'track-sc1', 'track-sc2', 'unset-var(', 'use-service',
  'wait-for-body', 'wait-for-handshake', 'ot-group', 'lua.',
];

function isHaproxyAction(name: string): boolean {
  return HAPROXY_ACTIONS.some((a) => (a.endsWith('(') || a.endsWith('.') ? name.startsWith(a) : name === a));
}

/** Parse one `http-request`/`http-response` line into the section's rule list. */
function parseRule(ctx: KwCtx, px: ProxyDraft, dir: Dir): void {
  const table = dir === 'req' ? REQUEST_ACTIONS : RESPONSE_ACTIONS;
  const name = ctx.args[0];
  if (name === undefined) return ctx.error(`expects an action (one of ${Object.keys(table).join(', ')})`);
  const row = Object.hasOwn(table, name.text) ? table[name.text] : undefined;
  if (row === undefined) {
    if (isHaproxyAction(name.text) || (dir === 'res' && Object.hasOwn(REQUEST_ACTIONS, name.text)) || (dir === 'req' && name.text === 'set-status')) {
      return ctx.error(`action '${name.text}' is not supported by lbd`, name);
    }
    return ctx.error(`unknown action '${name.text}'${didYouMean(name.text, Object.keys(table))}`, name);
  }
  const sub = ctx.sub(1);
  const split = withCondition(sub, px, row.positional, dir);
  if (split === undefined) return;
  const r = row.parse(sub, px, split.args, dir);
  if (r === undefined || extraWords(sub, split.args, r.used)) return;
  if (dir === 'req') {
    if (px.http.firstUseBackend !== null && px.kind !== 'backend') ctx.diags.warn(ctx.where(), "a 'http-request' rule placed after a 'use_backend' rule will still be processed before it");
    px.http.requestRules.push({ action: r.action as HttpRequestAction, cond: split.cond, where: at(ctx) });
  } else {
    px.http.responseRules.push({ action: r.action as HttpResponseAction, cond: split.cond, where: at(ctx) });
  }
}

const PROXIES: readonly SectionKind[] = ['frontend', 'backend', 'listen'];

/** The action rows in the shape `listKeywords()` reads (lines are dispatched by parseRule, not through these). */
const asSub = (table: Readonly<Record<string, ActionRow>>): Readonly<Record<string, SubKeyword<ProxyDraft>>> =>
  Object.fromEntries(Object.entries(table).map(([n, row]) => [n, { help: `${row.help} [if|unless <condition>]`, parse: () => undefined }]));

/** `http-request <action> … [if|unless <condition>]`. */
export const httpRequestKeyword: Keyword<ProxyDraft> = {
  help: '<action> … [if|unless <condition>]',
  sections: PROXIES,
  parse: (ctx, px) => parseRule(ctx, px, 'req'),
  sub: asSub(REQUEST_ACTIONS),
};

/** `http-response <action> … [if|unless <condition>]`. */
export const httpResponseKeyword: Keyword<ProxyDraft> = {
  help: '<action> … [if|unless <condition>]',
  sections: PROXIES,
  parse: (ctx, px) => parseRule(ctx, px, 'res'),
  sub: asSub(RESPONSE_ACTIONS),
};
