/**
 * HTTP proxy settings: `cookie` persistence, `retry-on`, `http-reuse`, `monitor-uri`.
 */
import type { CookieConfig, RetryOn } from '../types.js';
import type { ProxyDraft } from '../drafts.js';
import { PROXY_KINDS, oneOf, type SectionKind } from '../context.js';
import type { Keyword } from './table.js';
import { didYouMean } from '../suggest.js';

const BACK: readonly SectionKind[] = ['defaults', 'backend', 'listen'];

const COOKIE_FLAGS = ['indirect', 'nocache', 'postonly', 'preserve', 'httponly', 'secure'] as const;
const COOKIE_WORDS = ['rewrite', 'insert', 'prefix', ...COOKIE_FLAGS, 'domain', 'maxidle', 'maxlife', 'attr', 'dynamic'];

/** A delay in seconds as `cookie maxidle/maxlife` take it: a bare number is seconds; units s, m, h, d. */
function seconds(text: string): number | null {
  const m = /^(\d+)(s|m|h|d)?$/.exec(text);
  if (m === null) return null;
  return Number(m[1]) * { s: 1, m: 60, h: 3600, d: 86400 }[(m[2] ?? 's') as 's'];
}

/** `cookie <name> [rewrite|insert|prefix] [indirect] [nocache] [postonly] [preserve] [httponly] [secure] [domain <d>]* [maxidle <t>] [maxlife <t>] [attr <a>]*`. */
export const cookieKeyword: Keyword<ProxyDraft> = {
  help: '<name> [rewrite|insert|prefix] [indirect] [nocache] [postonly] [preserve] [httponly] [secure] [domain <d>]* [maxidle <s>] [maxlife <s>] [attr <a>]*: cookie persistence (servers set their value with the cookie option)',
  sections: BACK,
  parse(ctx, px) {
    const [name, ...rest] = ctx.args;
    if (name === undefined) return ctx.error('expects <cookie_name> as argument');
    const c: { -readonly [K in keyof CookieConfig]: CookieConfig[K] } = {
      name: name.text, mode: 'passive', indirect: false, nocache: false, postonly: false, preserve: false, httponly: false, secure: false,
      domains: [], maxidle: 0, maxlife: 0, attrs: [], where: { file: ctx.line.file, line: ctx.line.line },
    };
    const domains: string[] = [];
    const attrs: string[] = [];
    for (let i = 0; i < rest.length; i++) {
      const w = rest[i];
      const v = rest[i + 1];
      if (w.text === 'rewrite' || w.text === 'insert' || w.text === 'prefix') {
        if (c.mode !== 'passive' && c.mode !== w.text) return ctx.error("cookie 'rewrite', 'insert' and 'prefix' modes are incompatible", w);
        c.mode = w.text;
      } else if ((COOKIE_FLAGS as readonly string[]).includes(w.text)) {
        c[w.text as (typeof COOKIE_FLAGS)[number]] = true;
      } else if (w.text === 'domain' || w.text === 'attr') {
        if (v === undefined) return ctx.error(`'${w.text}' expects a value`, w);
        if (w.text === 'attr' && /[;\x00-\x1f]/.test(v.text)) return ctx.error(`'attr' value '${v.text}' may not contain ';' or control characters`, v);
        (w.text === 'domain' ? domains : attrs).push(v.text);
        i++;
      } else if (w.text === 'maxidle' || w.text === 'maxlife') {
        const s = v === undefined ? null : seconds(v.text);
        if (s === null) return ctx.error(`'${w.text}' expects a delay in seconds (units s, m, h, d)${v ? `, got '${v.text}'` : ''}`, v ?? w);
        c[w.text] = s;
        i++;
      } else if (w.text === 'dynamic') {
        return ctx.error("'dynamic' cookies are not supported by lbd", w);
      } else {
        return ctx.error(`unknown option '${w.text}' (supported: ${COOKIE_WORDS.join(', ')})${didYouMean(w.text, COOKIE_WORDS)}`, w);
      }
    }
    if (c.preserve && c.mode !== 'insert' && !c.indirect) return ctx.error("'preserve' requires at least 'insert' or 'indirect'");
    if ((c.maxidle > 0 || c.maxlife > 0) && c.mode !== 'insert') ctx.warn("'maxidle' and 'maxlife' only apply to insert mode cookies");
    px.http.cookie = { ...c, domains, attrs };
  },
};

const RETRY_KEYWORDS = ['none', 'conn-failure', 'empty-response', 'junk-response', 'response-timeout', '0rtt-rejected', 'all-retryable-errors'];
const RETRY_STATUSES = [401, 403, 404, 408, 425, 500, 501, 502, 503, 504];
const ALL_RETRYABLE: readonly RetryOn[] = ['conn-failure', 'empty-response', 'junk-response', 'response-timeout', '0rtt-rejected', 500, 502, 503, 504];

/** `retry-on <keyword|status>…`: replaces any earlier list (HAProxy's default is conn-failure). */
export const retryOnKeyword: Keyword<ProxyDraft> = {
  help: `<keyword|status> …: when a request is retried (${RETRY_KEYWORDS.join(', ')}, ${RETRY_STATUSES.join(', ')}; default conn-failure; needs mode http)`,
  sections: BACK,
  parse(ctx, px) {
    if (ctx.args.length === 0) return ctx.error('needs at least one keyword to specify when to retry');
    const out: RetryOn[] = [];
    for (const w of ctx.args) {
      if (w.text === 'none' && ctx.args.length > 1) return ctx.error("'none' keyword only usable alone", w);
      if (w.text === 'all-retryable-errors') out.push(...ALL_RETRYABLE);
      else if (RETRY_KEYWORDS.includes(w.text)) out.push(w.text as RetryOn);
      else if (RETRY_STATUSES.includes(Number(w.text)) && /^\d{3}$/.test(w.text)) out.push(Number(w.text) as RetryOn);
      else return ctx.error(`unknown keyword '${w.text}' (expected ${RETRY_KEYWORDS.join(', ')} or one of the statuses ${RETRY_STATUSES.join(', ')})${didYouMean(w.text, RETRY_KEYWORDS)}`, w);
    }
    px.http.retryOn = [...new Set(out)];
  },
};

/** `http-reuse never|safe|aggressive|always`. */
export const httpReuseKeyword: Keyword<ProxyDraft> = {
  help: "never|safe|aggressive|always: how idle server connections are shared between requests (default safe)",
  sections: BACK,
  parse(ctx, px) {
    if (!ctx.expectCount(1, 'never, safe, aggressive or always')) return;
    px.http.httpReuse = oneOf(ctx, ctx.args[0], ['never', 'safe', 'aggressive', 'always'] as const, 'http-reuse mode') ?? px.http.httpReuse;
  },
};

/** `monitor-uri <uri>`: requests for it get 200 from lbd itself. */
export const monitorUriKeyword: Keyword<ProxyDraft> = {
  help: '<uri>: answer 200 to requests for this URI (the path when it starts with /) without forwarding or logging them',
  sections: PROXY_KINDS,
  parse(ctx, px) {
    if (ctx.args.length === 0) return ctx.error('expects an URI');
    if (!ctx.expectCount(1, 'an URI')) return;
    if (px.kind === 'backend') return ctx.warn(`ignored because backend '${px.name}' has no frontend capability`);
    px.http.monitorUri = { uri: ctx.args[0].text, where: { file: ctx.line.file, line: ctx.line.line } };
  },
};
