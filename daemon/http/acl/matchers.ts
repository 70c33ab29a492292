/**
 * Pattern matching methods (`-m str|beg|end|sub|reg|dir|dom|len|int|ip|found|bool`, and `meth` for `method`),
 * as HAProxy's pattern.c defines them. Patterns are parsed once at load (`parsePattern` reports a bad one);
 * `compileMatcher` turns a list into one closure over a sample, so a request costs no parsing and no
 * regex compilation. A multi-valued sample (every `hdr()` value) matches when any of its values does.
 */
import type { AclPattern, MatchMethod, SampleScalar, SampleValue } from './types.js';
import { ipInNet, parseIp, parseIpNet, type IpNet } from './ip.js';

/** An integer pattern: a value or a range `min:max` (either bound may be open). */
interface IntRange {
  readonly min: number;
  readonly max: number;
}

/** A parsed pattern, ready for its method. */
type Parsed = { kind: 'str'; text: string; icase: boolean } | { kind: 'int'; range: IntRange } | { kind: 'ip'; net: IpNet } | { kind: 'reg'; re: RegExp };

/** The operator written before integer patterns (`gt 1`); null = values and ranges. */
export type IntOperator = 'eq' | 'ge' | 'gt' | 'le' | 'lt' | null;

/** The HTTP methods HAProxy knows by number; any other method pattern is compared as a string. */
const KNOWN_METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'TRACE', 'OPTIONS', 'CONNECT']);

/** Methods that take no pattern. */
export const PATTERNLESS: ReadonlySet<MatchMethod> = new Set(['found', 'bool']);

/** Methods whose patterns are integers (and accept an operator). */
export const INTEGER_METHODS: ReadonlySet<MatchMethod> = new Set(['int', 'len']);

const INT = /^[-+]?\d+$/;

function parseIntRange(text: string, op: IntOperator): IntRange | string {
  const notNumber = `'${text}' is not a number`;
  if (op === null && text.includes(':')) {
    const [lo, hi, extra] = text.split(':');
    if (extra !== undefined || (lo !== '' && !INT.test(lo)) || (hi !== '' && !INT.test(hi)) || (lo === '' && hi === '')) return `'${text}' is not a valid integer range`;
    return { min: lo === '' ? -Infinity : Number(lo), max: hi === '' ? Infinity : Number(hi) };
  }
  if (!INT.test(text)) return notNumber;
  const n = Number(text);
  switch (op) {
    case 'ge':
      return { min: n, max: Infinity };
    case 'gt':
      return { min: n + 1, max: Infinity };
    case 'le':
      return { min: -Infinity, max: n };
    case 'lt':
      return { min: -Infinity, max: n - 1 };
    default:
      return { min: n, max: n };
  }
}

/**
 * A regex as HAProxy (PCRE) takes it, compiled as a JavaScript RegExp: not anchored, `-i` or a leading
 * `(?i)` ignores case. Returns an error message when it does not compile.
 */
export function compileRegex(source: string, icase: boolean): RegExp | string {
  let src = source;
  let flags = icase ? 'i' : '';
  if (src.startsWith('(?i)')) {
    src = src.slice(4);
    flags = 'i';
  }
  try {
    return new RegExp(src, flags);
  } catch (e) {
    return `regex '${source}' is invalid (${(e as Error).message.replace(/^Invalid regular expression: /, '')})`;
  }
}

/** Parse one pattern for a method; returns an error message (HAProxy's wording where it has one). */
export function parsePattern(method: MatchMethod, p: AclPattern, op: IntOperator): Parsed | string {
  switch (method) {
    case 'int':
    case 'len': {
      const r = parseIntRange(p.text, op);
      return typeof r === 'string' ? r : { kind: 'int', range: r };
    }
    case 'ip': {
      const net = parseIpNet(p.text);
      return typeof net === 'string' ? net : { kind: 'ip', net };
    }
    case 'reg': {
      const re = compileRegex(p.text, p.icase);
      return typeof re === 'string' ? re : { kind: 'reg', re };
    }
    case 'meth':
      return { kind: 'str', text: p.text, icase: p.icase };
    default:
      return { kind: 'str', text: p.icase ? p.text.toLowerCase() : p.text, icase: p.icase };
  }
}

/** A sample value as a string, for string methods applied to other types (as HAProxy's casts do). */
function asString(v: SampleScalar): string {
  return typeof v === 'string' ? v : typeof v === 'boolean' ? (v ? '1' : '0') : String(v);
}

/** A sample value as an integer: numbers as they are, booleans 0/1, strings by their leading digits. */
function asInt(v: SampleScalar): number | null {
  if (typeof v === 'number') return v;
  if (typeof v === 'boolean') return v ? 1 : 0;
  const m = /^\s*([-+]?\d+)/.exec(v);
  return m ? Number(m[1]) : null;
}

const DIR_DELIMS = '/?';
const DOM_DELIMS = '/?.:';

/**
 * HAProxy's `match_word`: the pattern (stripped of leading/trailing delimiters) appears in the sample
 * between delimiters or the sample's ends.
 */
export function matchWord(sample: string, pattern: string, delims: string, icase: boolean): boolean {
  let ps = 0;
  let pe = pattern.length;
  while (ps < pe && delims.includes(pattern[ps])) ps++;
  while (pe > ps && delims.includes(pattern[pe - 1])) pe--;
  const word = pattern.slice(ps, pe);
  if (word === '') return false;
  const s = icase ? sample.toLowerCase() : sample;
  const w = icase ? word.toLowerCase() : word;
  let from = 0;
  for (;;) {
    const at = s.indexOf(w, from);
    if (at < 0) return false;
    const before = at === 0 || delims.includes(s[at - 1]);
    const end = at + w.length;
    const after = end === s.length || delims.includes(s[end]);
    if (before && after) return true;
    from = at + 1;
  }
}

type One = (v: SampleScalar) => boolean;

/** The test of one scalar against every pattern of a method. */
function scalarMatcher(method: MatchMethod, parsed: readonly Parsed[]): One {
  const strs = parsed.filter((p): p is Extract<Parsed, { kind: 'str' }> => p.kind === 'str');
  const anyIcase = strs.some((p) => p.icase);
  const lower = (s: string): string => (anyIcase ? s.toLowerCase() : s);
  const cmp = (s: string, sl: string, test: (sample: string, pat: string) => boolean): boolean =>
    strs.some((p) => test(p.icase ? sl : s, p.text));
  switch (method) {
    case 'found':
      return () => true;
    case 'bool':
      return (v) => (typeof v === 'boolean' ? v : (asInt(v) ?? 0) !== 0);
    case 'int':
    case 'len': {
      const ranges = parsed.map((p) => (p as { range: IntRange }).range);
      return (v) => {
        const n = method === 'len' ? asString(v).length : asInt(v);
        return n !== null && ranges.some((r) => n >= r.min && n <= r.max);
      };
    }
    case 'ip': {
      const nets = parsed.map((p) => (p as { net: IpNet }).net);
      return (v) => {
        const ip = typeof v === 'string' ? parseIp(v) : null;
        return ip !== null && nets.some((n) => ipInNet(ip, n));
      };
    }
    case 'reg': {
      const res = parsed.map((p) => (p as { re: RegExp }).re);
      return (v) => {
        const s = asString(v);
        return res.some((re) => re.test(s));
      };
    }
    case 'str': {
      const exact = new Set(strs.filter((p) => !p.icase).map((p) => p.text));
      const folded = new Set(strs.filter((p) => p.icase).map((p) => p.text));
      return (v) => {
        const s = asString(v);
        return exact.has(s) || (folded.size > 0 && folded.has(s.toLowerCase()));
      };
    }
    case 'beg':
      return (v) => { const s = asString(v); return cmp(s, lower(s), (a, p) => a.startsWith(p)); };
    case 'end':
      return (v) => { const s = asString(v); return cmp(s, lower(s), (a, p) => a.endsWith(p)); };
    case 'sub':
      return (v) => { const s = asString(v); return cmp(s, lower(s), (a, p) => a.includes(p)); };
    case 'dir':
      return (v) => { const s = asString(v); return strs.some((p) => matchWord(s, p.text, DIR_DELIMS, p.icase)); };
    case 'dom':
      return (v) => { const s = asString(v); return strs.some((p) => matchWord(s, p.text, DOM_DELIMS, p.icase)); };
    case 'meth':
      return (v) => {
        const m = asString(v);
        // a known method pattern matches that method exactly; others compare as strings with unknown methods only
        return strs.some((p) => {
          if (KNOWN_METHODS.has(p.text)) return m === p.text;
          return !KNOWN_METHODS.has(m) && (p.icase ? m.toLowerCase() === p.text.toLowerCase() : m === p.text);
        });
      };
  }
}

/**
 * One closure testing a sample against all the patterns: true when the sample (or any of its values)
 * matches any pattern. A missing sample (null, or no value at all) never matches, not even `found`.
 */
export function compileMatcher(method: MatchMethod, parsed: readonly Parsed[]): (v: SampleValue) => boolean {
  if (parsed.length === 0 && !PATTERNLESS.has(method)) return () => false;
  const one = scalarMatcher(method, parsed);
  return (v) => {
    if (v === null) return false;
    if (typeof v === 'object') {
      for (const x of v) if (one(x)) return true;
      return false;
    }
    return one(v);
  };
}

/** A pattern parsed for its method (see parsePattern). */
export type { Parsed as ParsedPattern };
