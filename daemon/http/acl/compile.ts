/**
 * Conditions compiled to closures at load. Each distinct sample expression of a condition gets a slot;
 * during one evaluation a slot is filled on first use and reused by every other ACL reading the same
 * expression, so a fetch runs at most once per evaluation, and only when evaluation reaches it
 * (AND/OR short-circuit as in HAProxy). Patterns are parsed and regexes built here, never per request.
 */
import type { AclTest, Condition, FetchScope, SampleValue } from './types.js';
import type { RequestView } from './view.js';
import type { FetchContext, Reader } from './fetches.js';
import type { ParsedCondition } from './condition.js';
import { resolveExpr } from './expr.js';
import { compileMatcher, parsePattern, PATTERNLESS, type ParsedPattern } from './matchers.js';

/** A compiled ACL test: which slot it reads, and its matcher. */
interface CompiledTest {
  readonly slot: number;
  readonly match: (v: SampleValue) => boolean;
}

/** Whether a scope needs an HTTP request or response (anything but layer 4). */
export function isHttpScope(scope: FetchScope): boolean {
  return scope !== 'l4';
}

/** True when a fetch cannot be evaluated in a direction (`path` on a response, `status` on a request). */
export function wrongDirection(scope: FetchScope, dir: 'req' | 'res'): boolean {
  return (scope === 'req' && dir === 'res') || (scope === 'res' && dir === 'req');
}

/** The matcher of one test (its patterns were validated when the acl line was read). */
export function testMatcher(test: AclTest): (v: SampleValue) => boolean {
  const parsed: ParsedPattern[] = [];
  if (!PATTERNLESS.has(test.method)) {
    for (const p of test.patterns) {
      const r = parsePattern(test.method, p, test.operator);
      if (typeof r !== 'string') parsed.push(r);
    }
  }
  return compileMatcher(test.method, parsed);
}

/**
 * Compile a parsed condition for a direction (`req` for routing and http-request, `res` for
 * http-response). `ctx.acl` is forced to true. Throws only on an internal inconsistency (an expression
 * that resolved when it was parsed must resolve again).
 */
export function compileCondition(pc: ParsedCondition, ctx: FetchContext): Condition {
  const actx: FetchContext = { ...ctx, acl: true };
  const readers: Reader[] = [];
  const slotOf = new Map<string, number>();
  const compileTest = (t: AclTest): CompiledTest => {
    let slot = slotOf.get(t.expr.text);
    if (slot === undefined) {
      const r = resolveExpr(t.expr, actx);
      if (typeof r === 'string') throw new Error(`internal: ${r}`);
      slot = readers.length;
      // request data is gone when a response is processed, and a request has no response yet: never matches, as in HAProxy
      readers.push(wrongDirection(t.scope, ctx.dir) ? () => null : r.reader);
      slotOf.set(t.expr.text, slot);
    }
    return { slot, match: testMatcher(t) };
  };
  const alts = pc.alternatives.map((and) => and.map((term) => ({ negate: term.negate, tests: term.acl.tests.map(compileTest) })));
  const n = readers.length;
  const stamps = new Array<number>(n).fill(0);
  const values = new Array<SampleValue>(n).fill(null);
  let epoch = 0;
  const sample = (slot: number, view: RequestView): SampleValue => {
    if (stamps[slot] !== epoch) {
      values[slot] = readers[slot](view);
      stamps[slot] = epoch;
    }
    return values[slot];
  };
  const unless = pc.polarity === 'unless';
  const test = (view: RequestView): boolean => {
    epoch++;
    let result = false;
    for (let a = 0; a < alts.length && !result; a++) {
      const and = alts[a];
      let all = true;
      for (let t = 0; t < and.length && all; t++) {
        const term = and[t];
        let hit = false;
        for (let k = 0; k < term.tests.length && !hit; k++) hit = term.tests[k].match(sample(term.tests[k].slot, view));
        all = hit !== term.negate;
      }
      result = all;
    }
    return result !== unless;
  };
  const http = pc.alternatives.some((and) => and.some((term) => term.acl.tests.some((t) => isHttpScope(t.scope))));
  return { polarity: pc.polarity, alternatives: pc.alternatives, text: pc.text, where: pc.where, http, test };
}

/** Evaluate a compiled condition on a request: true when the rule applies (`unless` already applied). */
export function evaluate(cond: Condition | null, view: RequestView): boolean {
  return cond === null || cond.test(view);
}
