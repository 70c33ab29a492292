/**
 * `balance <algorithm> [<arguments>]` and `hash-type`. The HTTP hashes (`uri`, `url_param`, `hdr(<name>)`)
 * keep what to hash in `BalanceConfig.key`; daemon/http/acl/balance-key.ts computes the key per request.
 */
import type { BalanceAlgorithm, HttpHashKey } from '../types.js';
import type { ProxyDraft } from '../drafts.js';
import { oneOf, type KwCtx, type SectionKind } from '../context.js';
import { parseInteger } from '../units.js';
import type { Keyword } from './table.js';

const BACK: readonly SectionKind[] = ['defaults', 'backend', 'listen'];
const BALANCE: readonly BalanceAlgorithm[] = ['roundrobin', 'static-rr', 'leastconn', 'first', 'source', 'random', 'uri', 'url_param', 'hdr'];
const HAPROXY_ONLY_BALANCE = ['rdp-cookie', 'hash'];
const HASH_FUNCTIONS = ['sdbm', 'djb2', 'wt6', 'crc32'];

/** `uri [path-only] [whole] [len <n>] [depth <n>]`. */
function uriKey(ctx: KwCtx): HttpHashKey | undefined {
  const key = { kind: 'uri' as const, whole: false, len: 0, depth: 0, pathOnly: false };
  const a = ctx.args;
  for (let i = 1; i < a.length; i++) {
    const w = a[i];
    if (w.text === 'whole') key.whole = true;
    else if (w.text === 'path-only') key.pathOnly = true;
    else if (w.text === 'len' || w.text === 'depth') {
      const v = a[i + 1];
      const n = v === undefined ? undefined : parseInteger(v.text, 1, 2_147_483_647);
      if (n === undefined || !n.ok) return void ctx.error(`'${w.text}' expects a positive integer (got '${v?.text ?? ''}')`, v ?? w);
      key[w.text] = n.value;
      i++;
    } else return void ctx.error(`'uri' only accepts parameters 'len', 'depth', 'path-only', and 'whole' (got '${w.text}')`, w);
  }
  return key;
}

/** `url_param <name> [check_post [<max_wait>]]`. */
function urlParamKey(ctx: KwCtx): HttpHashKey | undefined {
  const [, name, mod, maxWait, extra] = ctx.args;
  if (name === undefined) return void ctx.error("'url_param' requires an URL parameter name");
  if (mod !== undefined && mod.text !== 'check_post') return void ctx.error(`'url_param' only accepts 'check_post' modifier (got '${mod.text}')`, mod);
  if (maxWait !== undefined && !/^\d+$/.test(maxWait.text)) return void ctx.error(`unexpected argument '${maxWait.text}'`, maxWait);
  if (extra !== undefined) return void ctx.error(`unexpected argument '${extra.text}'`, extra);
  if (mod !== undefined) ctx.warn("'check_post' is ignored by lbd: only the query string is hashed, POST bodies are not read", mod);
  return { kind: 'url_param', name: name.text, checkPost: mod !== undefined };
}

/** `hdr(<name>) [use_domain_only]`. */
function hdrKey(ctx: KwCtx, name: string): HttpHashKey | undefined {
  const [w, mod, extra] = ctx.args;
  if (name === '') return void ctx.error("'hdr' requires an http header field name: hdr(<name>)", w);
  if (mod !== undefined && mod.text !== 'use_domain_only') return void ctx.error(`'hdr(${name})' only accepts 'use_domain_only' modifier (got '${mod.text}')`, mod);
  if (extra !== undefined) return void ctx.error(`unexpected argument '${extra.text}'`, extra);
  return { kind: 'hdr', name, useDomainOnly: mod !== undefined };
}

/** `balance`. */
export const balanceKeyword: Keyword<ProxyDraft> = {
  help: 'roundrobin|static-rr|leastconn|first|source|random[(<draws>)]|uri [whole] [len <n>] [depth <n>] [path-only]|url_param <name>|hdr(<name>) [use_domain_only]: load-balancing algorithm (default roundrobin)',
  sections: BACK,
  parse(ctx, px) {
    const w = ctx.args[0];
    if (w === undefined) return ctx.error(`expects an algorithm (${BALANCE.join(', ')})`);
    const where = { file: ctx.line.file, line: ctx.line.line };
    const rnd = /^random(?:\((.*)\))?$/.exec(w.text);
    const hdr = /^hdr(?:\(([^)]*)\)?)?$/.exec(w.text);
    const set = (algorithm: BalanceAlgorithm, key: HttpHashKey | null, draws = 2): void => void (px.balance = { algorithm, draws, key, where });
    if (HAPROXY_ONLY_BALANCE.includes(w.text) || w.text.startsWith('rdp-cookie(')) return ctx.error(`algorithm '${w.text}' is not supported by lbd (supported: ${BALANCE.join(', ')})`, w);
    if (rnd || (!hdr && w.text !== 'uri' && w.text !== 'url_param')) {
      if (!ctx.expectCount(1, `an algorithm (${BALANCE.join(', ')})`)) return;
    }
    if (rnd) {
      const draws = rnd[1] === undefined ? 2 : ctx.value(parseInteger(rnd[1], 1, 1000), w);
      if (draws !== undefined) set('random', null, draws);
      return;
    }
    if (hdr) {
      if (hdr[1] === undefined || !w.text.endsWith(')')) return ctx.error("'hdr' requires an http header field name: hdr(<name>)", w);
      const key = hdrKey(ctx, hdr[1]);
      if (key) set('hdr', key);
      return;
    }
    if (w.text === 'uri' || w.text === 'url_param') {
      const key = w.text === 'uri' ? uriKey(ctx) : urlParamKey(ctx);
      if (key) set(w.text, key);
      return;
    }
    const algorithm = oneOf(ctx, w, BALANCE, 'algorithm');
    if (algorithm !== undefined) set(algorithm, null);
  },
};

/** `hash-type map-based|consistent [<function>]`. */
export const hashTypeKeyword: Keyword<ProxyDraft> = {
  help: 'map-based|consistent [sdbm]: how hashing algorithms map keys to servers (default map-based)',
  sections: BACK,
  parse(ctx, px) {
    const [type, fn, extra] = ctx.args;
    if (type === undefined) return ctx.error('expects map-based or consistent');
    const t = oneOf(ctx, type, ['map-based', 'consistent'] as const, 'hash type');
    if (t === undefined) return;
    if (fn !== undefined && !HASH_FUNCTIONS.includes(fn.text)) return ctx.error(`unknown hash function '${fn.text}' (expected ${HASH_FUNCTIONS.join(', ')})`, fn);
    if (fn !== undefined && fn.text !== 'sdbm') ctx.warn(`hash function '${fn.text}' is ignored; lbd always hashes with sdbm`, fn);
    if (extra !== undefined) return ctx.error(`unexpected argument '${extra.text}' (hash modifiers are not supported)`, extra);
    px.hashType = t;
  },
};
