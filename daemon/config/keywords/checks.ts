/** Health check keywords: `option httpchk`, `option tcp-check`, `http-check …`, `tcp-check …`. */
import type { HttpCheckExpect, SourceRef } from '../types.js';
import type { Word } from '../lexer.js';
import { hasRequest, ownHttpRules, ownTcpRules, type ProxyDraft } from '../drafts.js';
import { oneOf, type KwCtx } from '../context.js';
import { parsePort } from '../units.js';
import { didYouMean } from '../suggest.js';
import type { SubKeyword } from './table.js';

const at = (ctx: KwCtx): SourceRef => ({ file: ctx.line.file, line: ctx.line.line });

/**
 * Split the legacy `option httpchk GET / HTTP/1.1\r\nHost:\ foo` trick: everything after the first
 * CR LF in the version is a header block. Returns null (after reporting) on a header without a colon.
 */
function splitLegacyHeaders(ctx: KwCtx, word: Word): { version: string; headers: [string, string][] } | null {
  const [version, ...rest] = word.text.split(/\r?\n/);
  const headers: [string, string][] = [];
  for (const h of rest.map((s) => s.replace(/\r$/, '')).filter((s) => s !== '')) {
    const colon = h.indexOf(':');
    if (colon <= 0) {
      ctx.error(`invalid header '${h}' after the HTTP version (expected 'Name: value')`, word);
      return null;
    }
    headers.push([h.slice(0, colon).trim(), h.slice(colon + 1).trim()]);
  }
  return { version, headers };
}

/** `option httpchk [<uri>] | [<method> <uri> [<version>]]`: HTTP checks; HAProxy's default request is `OPTIONS / HTTP/1.0`. */
export function parseHttpchk(ctx: KwCtx, px: ProxyDraft): void {
  const a = ctx.args;
  if (a.length > 3) return ctx.error(`unexpected argument '${a[3].text}' (expects [<uri>] or <method> <uri> [<version>])`, a[3]);
  px.check.type = 'http';
  px.check.httpchk = { headers: [] };
  if (a.length === 1) px.check.httpchk.uri = a[0].text;
  if (a.length >= 2) Object.assign(px.check.httpchk, { method: a[0].text, uri: a[1].text });
  if (a.length === 3) {
    const v = splitLegacyHeaders(ctx, a[2]);
    if (v) Object.assign(px.check.httpchk, v);
  }
}

/** `http-check send` options: name → number of values it takes and where it goes. */
const SEND_OPTIONS: Readonly<Record<string, (px: ProxyDraft, v: readonly Word[]) => void>> = {
  meth: (px, v) => void (px.check.send.method = v[0].text),
  uri: (px, v) => void (px.check.send.uri = v[0].text),
  ver: (px, v) => void (px.check.send.version = v[0].text),
  hdr: (px, v) => void px.check.send.headers.push([v[0].text, v[1].text]),
  body: (px, v) => void (px.check.send.body = v[0].text),
};
const SEND_ARITY: Readonly<Record<string, number>> = { meth: 1, uri: 1, ver: 1, hdr: 2, body: 1 };

const STATUS_LIST = /^\d{3}(-\d{3})?(,\d{3}(-\d{3})?)*$/;

/** Check an expect pattern for its match type; returns an error message or null. */
function patternError(match: string, pattern: string): string | null {
  if (match === 'status') {
    if (!STATUS_LIST.test(pattern)) return `invalid status list '${pattern}' (expected e.g. 200, 200-399 or 200,204,300-399)`;
    for (const part of pattern.split(',')) {
      const [lo, hi = lo] = part.split('-').map(Number);
      if (lo < 100 || hi > 599 || lo > hi) return `invalid status range '${part}' (statuses are 100..599, low-high)`;
    }
  }
  if (match === 'rstatus' || match === 'rstring') {
    try {
      new RegExp(pattern);
    } catch (e) {
      return `invalid regular expression '${pattern}': ${(e as Error).message}`;
    }
  }
  if (match === 'binary' && !/^([0-9a-fA-F]{2})+$/.test(pattern)) return `invalid hex string '${pattern}' (expected pairs of hex digits)`;
  return null;
}

/**
 * Parse `[!] <match> <pattern>` for an expect rule. Options HAProxy allows before the match
 * (`min-recv`, `comment`, `ok-status` …) are refused by name rather than silently dropped.
 */
function parseExpect<M extends string>(ctx: KwCtx, matches: readonly M[]): { negate: boolean; match: M; pattern: string } | null {
  let i = 0;
  const negate = ctx.args[0]?.text === '!';
  if (negate) i++;
  const m = ctx.args[i];
  if (m === undefined) {
    ctx.error(`expects [!] <match> <pattern> with <match> one of ${matches.join(', ')}`);
    return null;
  }
  const match = oneOf(ctx, m, matches, 'match');
  if (match === undefined) return null;
  const p = ctx.args[i + 1];
  if (p === undefined) {
    ctx.error(`expects a pattern after '${match}'`, m);
    return null;
  }
  if (ctx.args.length > i + 2) {
    ctx.error(`unexpected argument '${ctx.args[i + 2].text}' after the pattern (quote a pattern containing spaces)`, ctx.args[i + 2]);
    return null;
  }
  const err = patternError(match, p.text);
  if (err) {
    ctx.error(err, p);
    return null;
  }
  return { negate, match, pattern: p.text };
}

/** `http-check <rule>` rows. Only meaningful with `option httpchk` (build.ts warns otherwise). */
export const HTTP_CHECK_SUB: Readonly<Record<string, SubKeyword<ProxyDraft>>> = {
  send: {
    help: '[meth <method>] [uri <uri>] [ver <version>] [hdr <name> <value>]* [body <string>]: the check request',
    parse(ctx, px) {
      if (!px.check.httpRulesInherited && hasRequest(px.check.send)) return ctx.error(`lbd supports only one 'http-check send' per ${ctx.section} section`);
      if (ctx.args.length === 0) return ctx.error('expects at least one of meth, uri, ver, hdr, body');
      ownHttpRules(px, at(ctx));
      for (let i = 0; i < ctx.args.length; ) {
        const w = ctx.args[i];
        const apply = Object.hasOwn(SEND_OPTIONS, w.text) ? SEND_OPTIONS[w.text] : undefined;
        if (apply === undefined) return ctx.error(`unknown option '${w.text}' (expected meth, uri, ver, hdr or body)${didYouMean(w.text, Object.keys(SEND_OPTIONS))}`, w);
        const n = SEND_ARITY[w.text];
        const values = ctx.args.slice(i + 1, i + 1 + n);
        if (values.length < n) return ctx.error(`'${w.text}' expects ${n === 2 ? '<name> <value>' : 'a value'}`, w);
        apply(px, values);
        i += 1 + n;
      }
    },
  },
  expect: {
    help: '[!] status|rstatus|string|rstring <pattern>: what a passing response looks like (default: any 2xx or 3xx)',
    parse(ctx, px) {
      const e = parseExpect(ctx, ['status', 'rstatus', 'string', 'rstring'] as const);
      if (e === null) return;
      ownHttpRules(px, at(ctx));
      const rule: HttpCheckExpect = { ...e, where: at(ctx) };
      px.check.expect.push(rule);
    },
  },
  'disable-on-404': {
    help: 'a 404 answer puts the server in drain (NOLB) instead of marking it down',
    parse(ctx, px) {
      if (ctx.expectCount(0, 'no argument')) px.check.disableOn404 = true;
    },
  },
};

/** `tcp-check <rule>` rows, kept in order: they run as a sequence. Only meaningful with `option tcp-check`. */
export const TCP_CHECK_SUB: Readonly<Record<string, SubKeyword<ProxyDraft>>> = {
  connect: {
    help: '[port <port>]: open the check connection (to another port if given)',
    parse(ctx, px) {
      let port: number | null = null;
      const [opt, value, extra] = ctx.args;
      if (opt !== undefined) {
        if (opt.text !== 'port') return ctx.error(`option '${opt.text}' is not supported by lbd (only 'port')`, opt);
        if (value === undefined) return ctx.error(`'port' expects a port`, opt);
        const p = ctx.value(parsePort(value.text), value);
        if (p === undefined) return;
        if (extra !== undefined) return ctx.error(`unexpected argument '${extra.text}'`, extra);
        port = p;
      }
      ownTcpRules(px, at(ctx));
      px.check.tcpCheck.push({ kind: 'connect', port, where: at(ctx) });
    },
  },
  send: {
    help: '<string>: send a string (escapes such as \\r\\n are interpreted)',
    parse(ctx, px) {
      if (!ctx.expectCount(1, 'one string (quote it if it has spaces)')) return;
      ownTcpRules(px, at(ctx));
      px.check.tcpCheck.push({ kind: 'send', data: ctx.args[0].text, where: at(ctx) });
    },
  },
  'send-binary': {
    help: '<hex>: send bytes written in hex',
    parse(ctx, px) {
      if (!ctx.expectCount(1, 'a hex string')) return;
      const err = patternError('binary', ctx.args[0].text);
      if (err) return ctx.error(err, ctx.args[0]);
      ownTcpRules(px, at(ctx));
      px.check.tcpCheck.push({ kind: 'send-binary', hex: ctx.args[0].text.toLowerCase(), where: at(ctx) });
    },
  },
  expect: {
    help: '[!] string|rstring|binary <pattern>: what the server must answer',
    parse(ctx, px) {
      const e = parseExpect(ctx, ['string', 'rstring', 'binary'] as const);
      if (e === null) return;
      ownTcpRules(px, at(ctx));
      px.check.tcpCheck.push({ kind: 'expect', ...e, where: at(ctx) });
    },
  },
};
