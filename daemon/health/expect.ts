import type { CheckStatusCode } from '../../shared/check-status.js';
import type { HttpCheckExpect, TcpCheckStep } from '../config/types.js';

/**
 * The expect rules of health checks, as pure functions: `http-check expect [!] status|rstatus|string|rstring`
 * and `tcp-check expect [!] string|rstring|binary`. They follow HAProxy 2.6 (src/tcpcheck.c): rules are
 * evaluated in order and all must pass; a content rule that does not match yet waits for more data until
 * the last read (peer closed, message complete or check buffer full); the failure statuses and `last_chk`
 * texts are HAProxy's.
 */

/** Inclusive status ranges, e.g. `200,204,300-399` → [[200,200],[204,204],[300,399]]. */
export type StatusRanges = readonly (readonly [number, number])[];

/** What one expect step concludes. `wait` means: not decided, read more (or fail on the deadline). */
export type ExpectVerdict =
  | { readonly kind: 'pass' }
  | { readonly kind: 'wait' }
  | { readonly kind: 'fail'; readonly status: CheckStatusCode; readonly info: string };

export const PASS: ExpectVerdict = Object.freeze({ kind: 'pass' });
export const WAIT: ExpectVerdict = Object.freeze({ kind: 'wait' });

function fail(status: CheckStatusCode, info: string): ExpectVerdict {
  return { kind: 'fail', status, info };
}

/**
 * Parses an `http-check expect status` pattern: a comma-separated list of codes and `lo-hi` ranges.
 * Returns null when the pattern is not one (the config parser can use this to reject it early).
 */
export function parseStatusPattern(pattern: string): StatusRanges | null {
  const out: (readonly [number, number])[] = [];
  for (const part of pattern.split(',')) {
    const m = /^\s*(\d{1,3})\s*(?:-\s*(\d{1,3})\s*)?$/.exec(part);
    if (m === null) return null;
    const lo = Number(m[1]);
    const hi = m[2] === undefined ? lo : Number(m[2]);
    if (lo < 100 || hi > 999 || hi < lo) return null;
    out.push([lo, hi]);
  }
  return out.length > 0 ? out : null;
}

/** Compiles a regex source the way the expect rules use it; returns the error text when it is invalid. */
export function compileRegex(source: string): RegExp | string {
  try {
    return new RegExp(source);
  } catch (e) {
    return e instanceof Error ? e.message : String(e);
  }
}

function inRanges(code: number, ranges: StatusRanges): boolean {
  for (const [lo, hi] of ranges) if (code >= lo && code <= hi) return true;
  return false;
}

// ---------------------------------------------------------------------------------------------
// HTTP

/** One `http-check expect` rule, compiled once per config. */
export interface HttpExpectRule {
  readonly negate: boolean;
  readonly match: HttpCheckExpect['match'];
  readonly source: string;
  readonly ranges: StatusRanges | null;
  readonly regex: RegExp | null;
  readonly needle: Buffer | null;
  /** Set when the pattern could not be compiled: the rule then always fails with this text. */
  readonly invalid: string | null;
}

export interface HttpExpectPlan {
  readonly rules: readonly HttpExpectRule[];
  /** True when a rule looks at the body: the probe must then read past the headers. */
  readonly needsBody: boolean;
}

/** HAProxy's default when no `http-check expect` is given: any 2xx or 3xx passes. */
const DEFAULT_HTTP_RULE: HttpExpectRule = Object.freeze({
  negate: false,
  match: 'status',
  source: '200-399',
  ranges: Object.freeze([Object.freeze([200, 399] as const)]),
  regex: null,
  needle: null,
  invalid: null,
});

/** Compiles the rules of an `option httpchk` (an empty list gives HAProxy's default 2xx/3xx rule). */
export function compileHttpExpect(rules: readonly HttpCheckExpect[]): HttpExpectPlan {
  if (rules.length === 0) return { rules: [DEFAULT_HTTP_RULE], needsBody: false };
  const out: HttpExpectRule[] = [];
  let needsBody = false;
  for (const r of rules) {
    let ranges: StatusRanges | null = null;
    let regex: RegExp | null = null;
    let needle: Buffer | null = null;
    let invalid: string | null = null;
    if (r.match === 'status') {
      ranges = parseStatusPattern(r.pattern);
      if (ranges === null) invalid = `invalid status pattern '${r.pattern}'`;
    } else if (r.match === 'rstatus' || r.match === 'rstring') {
      const re = compileRegex(r.pattern);
      if (typeof re === 'string') invalid = `invalid regex '${r.pattern}': ${re}`;
      else regex = re;
    } else {
      needle = Buffer.from(r.pattern, 'utf8');
    }
    if (r.match === 'string' || r.match === 'rstring') needsBody = true;
    out.push({ negate: r.negate, match: r.match, source: r.pattern, ranges, regex, needle, invalid });
  }
  return { rules: out, needsBody };
}

/** The part of an HTTP answer the rules look at. */
export interface HttpAnswer {
  readonly status: number;
  /** Reason phrase of the status line ('' when absent). */
  readonly reason: string;
  /** The (de-chunked) body received so far; null when the plan does not need it. */
  readonly body: Buffer | null;
  /** No more body will come: message complete, peer closed, or check buffer full. */
  readonly lastRead: boolean;
}

/**
 * Evaluates the rules in order on an answer. A status rule fails with L7STS and the reason phrase;
 * a body rule fails with L7RSP and HAProxy's texts; a body rule that does not match yet waits for the
 * last read. `disable-on-404` is not handled here: the probe reports L7OKC before calling this.
 */
export function evaluateHttpExpect(plan: HttpExpectPlan, answer: HttpAnswer): ExpectVerdict {
  for (const rule of plan.rules) {
    const v = evaluateHttpRule(rule, answer);
    if (v !== PASS) return v;
  }
  return PASS;
}

function evaluateHttpRule(rule: HttpExpectRule, a: HttpAnswer): ExpectVerdict {
  if (rule.match === 'status' || rule.match === 'rstatus') {
    if (rule.invalid !== null) return fail('L7STS', rule.invalid);
    const match = rule.ranges !== null ? inRanges(a.status, rule.ranges) : rule.regex!.test(String(a.status));
    return match !== rule.negate ? PASS : fail('L7STS', a.reason);
  }
  if (rule.invalid !== null) return fail('L7RSP', rule.invalid);
  const body = a.body;
  if (body === null || body.length === 0) {
    if (!a.lastRead) return WAIT;
    return fail('L7RSP', 'HTTP content check could not find a response body');
  }
  if (!a.lastRead && rule.needle !== null && body.length < rule.needle.length) return WAIT;
  const match = rule.needle !== null ? body.includes(rule.needle) : rule.regex!.test(body.toString('utf8'));
  if (!match && !a.lastRead) return WAIT;
  if (match !== rule.negate) return PASS;
  return fail('L7RSP', rule.negate ? 'HTTP check matched unwanted content' : 'HTTP content check did not match');
}

/**
 * `http-check disable-on-404` only applies while the server is not DOWN (HAProxy checks
 * `next_state != SRV_ST_STOPPED`). A probe cannot know the server state, so it reports L7OKC for
 * any 404; the state machine calls this for a DOWN server to get what HAProxy would have reported.
 */
export function resolve404WhileDown(plan: HttpExpectPlan, reason = 'Not Found'): ExpectVerdict {
  return evaluateHttpExpect(plan, { status: 404, reason, body: null, lastRead: true });
}

// ---------------------------------------------------------------------------------------------
// tcp-check

type TcpExpectStep = Extract<TcpCheckStep, { kind: 'expect' }>;

/** One `tcp-check expect` step, compiled once per config. `step` is HAProxy's step id (1-based). */
export interface TcpExpectRule {
  readonly negate: boolean;
  readonly match: TcpExpectStep['match'];
  readonly source: string;
  readonly step: number;
  readonly regex: RegExp | null;
  readonly needle: Buffer | null;
  readonly invalid: string | null;
}

/** Compiles a `tcp-check expect` step found at position `step` (1-based) of the rules. */
export function compileTcpExpect(s: TcpExpectStep, step: number): TcpExpectRule {
  let regex: RegExp | null = null;
  let needle: Buffer | null = null;
  let invalid: string | null = null;
  if (s.match === 'rstring') {
    const re = compileRegex(s.pattern);
    if (typeof re === 'string') invalid = `invalid regex '${s.pattern}': ${re}`;
    else regex = re;
  } else if (s.match === 'binary') {
    if (!/^(?:[0-9a-fA-F]{2})+$/.test(s.pattern)) invalid = `invalid hex string '${s.pattern}'`;
    else needle = Buffer.from(s.pattern, 'hex');
  } else {
    needle = Buffer.from(s.pattern, 'utf8');
  }
  return { negate: s.negate, match: s.match, source: s.pattern, step, regex, needle, invalid };
}

/** HAProxy's `dump_binary()`: printable bytes as is, the rest escaped. */
export function dumpBinary(b: Buffer): string {
  let out = '';
  for (const c of b) {
    if (c === 0x09) out += '\\t';
    else if (c === 0x0a) out += '\\n';
    else if (c === 0x0d) out += '\\r';
    else if (c === 0x1b) out += '\\e';
    else if (c === 0x5c) out += '\\\\';
    else if (c >= 0x20 && c < 0x7f) out += String.fromCharCode(c);
    else out += '\\x' + c.toString(16).padStart(2, '0');
  }
  return out;
}

function tcpMismatchText(rule: TcpExpectRule, matched: boolean): string {
  const head = matched ? 'TCPCHK matched unwanted content' : 'TCPCHK did not match content';
  switch (rule.match) {
    case 'string':
      return `${head} '${rule.source}' at step ${rule.step}`;
    case 'binary':
      return `${head} (binary) at step ${rule.step}`;
    case 'rstring':
      return `${head} (regex) at step ${rule.step}`;
  }
}

/**
 * Evaluates one tcp-check expect step on the bytes received since the last send. Like HAProxy,
 * a mismatch is only final on the last read (peer closed or buffer full): before that it waits,
 * so a server that answers something else and keeps the connection open ends in L7TOUT.
 */
export function evaluateTcpExpect(rule: TcpExpectRule, data: Buffer, lastRead: boolean): ExpectVerdict {
  if (rule.invalid !== null) return fail('L7RSP', rule.invalid);
  if (!lastRead && rule.needle !== null && data.length < rule.needle.length) return WAIT;
  const match = rule.needle !== null ? data.includes(rule.needle) : rule.regex!.test(data.toString('utf8'));
  if (!match && !lastRead) return WAIT;
  if (match !== rule.negate) return PASS;
  return fail('L7RSP', tcpMismatchText(rule, match));
}

/**
 * What HAProxy appends to a connection error or timeout of a tcp-check, to say where it happened:
 * ` at step 3 of tcp-check (expect string '+PONG')`. `step` 0 is the implicit first connect.
 */
export function tcpStepText(step: number, s: TcpCheckStep | null): string {
  if (step === 0 || s === null) return ' at initial connection step of tcp-check';
  let what = '';
  switch (s.kind) {
    case 'connect':
      what = s.port !== null ? ` (connect port ${s.port})` : ' (connect)';
      break;
    case 'send':
    case 'send-binary':
      what = ' (send)';
      break;
    case 'expect':
      if (s.match === 'string') what = ` (expect string '${s.pattern}')`;
      else if (s.match === 'binary') {
        const hex = /^(?:[0-9a-fA-F]{2})+$/.test(s.pattern) ? Buffer.from(s.pattern, 'hex') : Buffer.alloc(0);
        what = ` (expect binary '${dumpBinary(hex)}')`;
      } else what = ' (expect regex)';
      break;
  }
  return ` at step ${step} of tcp-check${what}`;
}
