/**
 * TLS option words shared by `bind … ssl` and `ssl-default-bind-options`: the protocol version flags
 * (`ssl-min-ver`, `ssl-max-ver`, `no-tlsv1x`, `force-tlsv1x`) in HAProxy's names, folded into Node's
 * minVersion/maxVersion at build time (build-tls.ts).
 */
import type { Word } from '../lexer.js';
import type { KwCtx } from '../context.js';
import { didYouMean } from '../suggest.js';

/** Protocol versions in HAProxy's names, oldest first. */
export const TLS_VERSIONS = ['SSLv3', 'TLSv1.0', 'TLSv1.1', 'TLSv1.2', 'TLSv1.3'] as const;
export type HaproxyTlsVersion = (typeof TLS_VERSIONS)[number];

/** What the version words of one line (or of ssl-default-bind-options) set. */
export interface TlsVersionsDraft {
  min?: HaproxyTlsVersion;
  max?: HaproxyTlsVersion;
  /** `no-sslv3`, `no-tlsv1x`. */
  disabled: HaproxyTlsVersion[];
}

/** `no-tlsv12` → TLSv1.2, `force-sslv3` → SSLv3 … */
const FLAG_VERSIONS: Readonly<Record<string, HaproxyTlsVersion>> = {
  sslv3: 'SSLv3',
  tlsv10: 'TLSv1.0',
  tlsv11: 'TLSv1.1',
  tlsv12: 'TLSv1.2',
  tlsv13: 'TLSv1.3',
};

/** Help texts of the version words, for the bind option table and ssl-default-bind-options. */
export const VERSION_WORDS_HELP: Readonly<Record<string, string>> = {
  'ssl-min-ver': 'TLSv1.0|TLSv1.1|TLSv1.2|TLSv1.3: oldest protocol version accepted (default TLSv1.2; SSLv3 is refused)',
  'ssl-max-ver': 'TLSv1.0|TLSv1.1|TLSv1.2|TLSv1.3: newest protocol version accepted (default TLSv1.3)',
  'no-sslv3': 'accepted (lbd never speaks SSLv3)',
  'no-tlsv10': 'disable TLSv1.0 (ignored with a warning when ssl-min-ver/ssl-max-ver are set, as in HAProxy)',
  'no-tlsv11': 'disable TLSv1.1 (ignored with a warning when ssl-min-ver/ssl-max-ver are set)',
  'no-tlsv12': 'disable TLSv1.2 (ignored with a warning when ssl-min-ver/ssl-max-ver are set)',
  'no-tlsv13': 'disable TLSv1.3 (ignored with a warning when ssl-min-ver/ssl-max-ver are set)',
  'force-tlsv10': 'only TLSv1.0 (same as ssl-min-ver TLSv1.0 ssl-max-ver TLSv1.0)',
  'force-tlsv11': 'only TLSv1.1',
  'force-tlsv12': 'only TLSv1.2',
  'force-tlsv13': 'only TLSv1.3',
};

/** True for the words taking a version argument. */
export const takesVersion = (w: string): boolean => w === 'ssl-min-ver' || w === 'ssl-max-ver';

/** A version argument; SSLv3 is refused (Node's TLS stack cannot speak it). */
export function parseVersion(ctx: KwCtx, opt: string, w: Word): HaproxyTlsVersion | undefined {
  if (w.text === 'SSLv3') return void ctx.error(`'${opt}': SSLv3 is not supported by lbd (insecure, and Node's TLS cannot speak it)`, w);
  const allowed = TLS_VERSIONS.slice(1) as readonly string[];
  if (allowed.includes(w.text)) return w.text as HaproxyTlsVersion;
  ctx.error(`'${opt}': unknown version '${w.text}' (expected ${allowed.join(', ')})${didYouMean(w.text, allowed)}`, w);
  return undefined;
}

/**
 * Apply one version word (`no-tlsv11`, `force-tlsv12`, or `ssl-min-ver`/`ssl-max-ver` with `value`).
 * False when `word` is not a version word.
 */
export function applyVersionWord(ctx: KwCtx, v: TlsVersionsDraft, word: Word, value?: Word): boolean {
  const m = /^(no|force)-(sslv3|tlsv1[0-3])$/.exec(word.text);
  if (m !== null) {
    const ver = FLAG_VERSIONS[m[2]];
    if (m[1] === 'no') {
      if (!v.disabled.includes(ver)) v.disabled.push(ver);
    } else if (ver === 'SSLv3') {
      ctx.error(`'force-sslv3': SSLv3 is not supported by lbd (insecure, and Node's TLS cannot speak it)`, word);
    } else {
      v.min = ver;
      v.max = ver;
    }
    return true;
  }
  if (!takesVersion(word.text)) return false;
  if (value === undefined) return void ctx.error(`'${word.text}' expects a version (TLSv1.0, TLSv1.1, TLSv1.2 or TLSv1.3)`, word), true;
  const ver = parseVersion(ctx, word.text, value);
  if (ver !== undefined) v[word.text === 'ssl-min-ver' ? 'min' : 'max'] = ver;
  return true;
}

/** The word at `i` is a version word: how many words it uses (0 when it is not one). */
export function versionWordArity(text: string): 0 | 1 | 2 {
  if (takesVersion(text)) return 2;
  return /^(no|force)-(sslv3|tlsv1[0-3])$/.test(text) ? 1 : 0;
}
