/**
 * Log-format strings (HAProxy's manual 8.2.6): literal text, `%%`, `%[<sample expression>]` and
 * `%<var>` such as `%ci`, each optionally preceded by flags `%{+Q,-X}`.
 *
 * `parseLogFormat` checks a string at load (unknown variables, unknown fetches, a lone `%`) and returns
 * its nodes; the `log-format` directive keeps them for the access logger. `compileFormatter` builds the
 * `(view) => string` closure for values of rules (`http-request set-header X %[src]`), where lbd evaluates
 * sample expressions and the request-time variables listed in VALUE_VARS; a missing sample gives ''.
 */
import type { FormatNode, Formatter, SampleScalar } from './types.js';
import type { RequestView } from './view.js';
import { parseExpr, resolveExpr } from './expr.js';
import type { FetchContext, Reader } from './fetches.js';
import { plainAddress, parseIPv4 } from './ip.js';

/** Every log-format variable of HAProxy 2.6 (manual 8.2.6). */
export const LOG_VARS: ReadonlySet<string> = new Set(
  ('o B CC CS H HM HP HPO HQ HU HV ID ST T Ta Tc Td Tl Th Ti Tq TR Tr Ts Tt Tu Tw U ac b bc bi bp bq ci cp f fc fi fp ft lc hr hrl hs hsl ' +
    'ms pid r rc rt s sc si sp sq sslc sslv t tr trg trl ts tsc').split(' '),
);

const FLAGS = new Set(['Q', 'X', 'E']);

/** A variable's value read from the request, as strings (numbers for ports). */
const VALUE_VARS: Readonly<Record<string, (v: RequestView) => string | number>> = {
  ci: (v) => plainAddress(v.src),
  cp: (v) => v.srcPort,
  fi: (v) => plainAddress(v.dst),
  fp: (v) => v.dstPort,
  HM: (v) => v.method,
  HU: (v) => v.url,
  HP: (v) => { const q = v.url.indexOf('?'); return q < 0 ? v.url : v.url.slice(0, q); },
  HPO: (v) => v.path ?? '',
  HQ: (v) => (v.query === null ? '' : `?${v.query}`),
  HV: (v) => `HTTP/${v.version}`,
  r: (v) => `${v.method} ${v.url} HTTP/${v.version}`,
  Ts: () => Math.floor(Date.now() / 1000),
};

/** The variables lbd can evaluate in rule values. */
export const VALUE_VAR_NAMES: readonly string[] = Object.keys(VALUE_VARS);

/** Parse flags `+Q,-X` into the flags that end up set (a later `-Q` removes an earlier `+Q`). */
function parseFlags(text: string): string[] | string {
  const set = new Set<string>();
  for (const f of text.split(',')) {
    const m = /^([+-]?)([A-Za-z]+)$/.exec(f);
    if (m === null || !FLAGS.has(m[2])) return `unknown log-format flag '${f}' (expected +Q, +X or +E)`;
    if (m[1] === '-') set.delete(m[2]);
    else set.add(m[2]);
  }
  return [...set];
}

/**
 * Parse a log-format string; `ctx` resolves sample expressions (their fetches and converters must exist).
 * Returns the nodes or HAProxy-style error text.
 */
export function parseLogFormat(text: string, ctx: FetchContext): FormatNode[] | string {
  const nodes: FormatNode[] = [];
  let lit = '';
  const flush = (): void => {
    if (lit !== '') nodes.push({ kind: 'text', text: lit });
    lit = '';
  };
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c !== '%') {
      lit += c;
      continue;
    }
    if (text[i + 1] === '%') {
      lit += '%';
      i++;
      continue;
    }
    if (i + 1 >= text.length) return "truncated line after '%' (write '%%' for a literal '%')";
    let j = i + 1;
    let flags: string[] = [];
    if (text[j] === '{') {
      const close = text.indexOf('}', j);
      if (close < 0) return `missing '}' after '%{' in '${text}'`;
      const f = parseFlags(text.slice(j + 1, close));
      if (typeof f === 'string') return f;
      flags = f;
      j = close + 1;
    }
    if (text[j] === '[') {
      const close = text.indexOf(']', j);
      if (close < 0) return `missing ']' after '${text.slice(j + 1)}'`;
      const expr = parseExpr(text.slice(j + 1, close));
      if (typeof expr === 'string') return `failed to parse sample expression <${text.slice(j + 1, close)}>: ${expr}`;
      const r = resolveExpr(expr, { ...ctx, acl: false });
      if (typeof r === 'string') return `failed to parse sample expression <${expr.text}>: ${r}`;
      flush();
      nodes.push({ kind: 'sample', expr, flags });
      i = close;
      continue;
    }
    const m = /^[A-Za-z]+/.exec(text.slice(j));
    if (m === null) return `unexpected variable name near '${text.slice(j, j + 10)}' in '${text}' (write '%%' for a literal '%')`;
    const name = m[0];
    if (!LOG_VARS.has(name)) return `no such format variable '${name}' (write '%%' for a literal '%')`;
    flush();
    nodes.push({ kind: 'var', name, flags });
    i = j + name.length - 1;
  }
  flush();
  return nodes;
}

/** Apply `Q` (quote), `E` (escape `"`, `\`, `]`) and `X` (hex for numbers and IPv4) to one value. */
export function applyFlags(v: SampleScalar | null, flags: readonly string[]): string {
  let s = v === null ? '' : typeof v === 'boolean' ? (v ? '1' : '0') : String(v);
  if (v !== null && flags.includes('X')) {
    if (typeof v === 'number') s = v.toString(16).toUpperCase();
    else if (typeof v === 'string' && v.split('.').length === 4) {
      const ip = parseIPv4(v);
      if (ip !== null) s = ip.toString(16).toUpperCase().padStart(8, '0');
    }
  }
  if (flags.includes('E')) s = s.replace(/["\\\]]/g, '\\$&');
  return flags.includes('Q') ? `"${s}"` : s;
}

/**
 * Compile the `%[<sample>]` node of a log-format string into a reader of one value (the last one when
 * the fetch gives several, null when it gives none); shared by rule values and the access logger.
 */
export function compileSampleNode(n: Extract<FormatNode, { kind: 'sample' }>, ctx: FetchContext): ((v: RequestView) => SampleScalar | null) | string {
  const r = resolveExpr(n.expr, { ...ctx, acl: false });
  if (typeof r === 'string') return r;
  const reader: Reader = r.reader;
  return (v) => {
    const s = reader(v);
    return s === null || typeof s !== 'object' ? s : s.length > 0 ? s[s.length - 1] : null;
  };
}

/**
 * Compile a value that follows log-format rules into a formatter. Variables other than VALUE_VARS
 * (timers, byte counts, server names … which only exist once a request is done) are refused, as are
 * fetches that do not exist; the error names the part in question.
 */
export function compileFormatter(text: string, ctx: FetchContext): Formatter | string {
  const nodes = parseLogFormat(text, ctx);
  if (typeof nodes === 'string') return nodes;
  const parts: ((v: RequestView) => string)[] = [];
  for (const n of nodes) {
    if (n.kind === 'text') {
      const t = n.text;
      parts.push(() => t);
    } else if (n.kind === 'var') {
      const read = Object.hasOwn(VALUE_VARS, n.name) ? VALUE_VARS[n.name] : undefined;
      if (read === undefined) return `log-format variable '%${n.name}' is not supported by lbd in rule values (supported: ${VALUE_VAR_NAMES.map((x) => `%${x}`).join(' ')}, and %[<sample>])`;
      const flags = n.flags;
      parts.push((v) => applyFlags(read(v), flags));
    } else {
      const read = compileSampleNode(n, ctx);
      if (typeof read === 'string') return read;
      // HAProxy 2.6 does not quote sample expressions in rule values (+Q only applies to %vars there)
      const flags = n.flags.filter((f) => f !== 'Q');
      parts.push((v) => applyFlags(read(v), flags));
    }
  }
  const dynamic = nodes.some((n) => n.kind !== 'text');
  const constant = nodes.map((n) => (n.kind === 'text' ? n.text : '')).join('');
  const format =
    !dynamic ? () => constant : parts.length === 1 ? parts[0] : (v: RequestView): string => {
      let out = '';
      for (const p of parts) out += p(v);
      return out;
    };
  return { text, nodes, dynamic, format };
}
