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
  return scope !== 'l4' && scope !== 'content';
}

/** True when a fetch cannot be evaluated in a direction (`path` on a response, `status` on a request). */
export function wrongDirection(scope: FetchScope, dir: 'req' | 'res'): boolean {
  return ((scope === 'req' || scope === 'content') && dir === 'res') || (scope === 'res' && dir === 'req');
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
  const changes: (((view: RequestView) => boolean) | null)[] = [];
  const slotOf = new Map<string, number>();
  const compileTest = (t: AclTest): CompiledTest => {
    let slot = slotOf.get(t.expr.text);
    if (slot === undefined) {
      const r = resolveExpr(t.expr, actx);
      if (typeof r === 'string') throw new Error(`internal: ${r}`);
      slot = readers.length;
      // request data is gone when a response is processed, and a request has no response yet: never matches, as in HAProxy
      readers.push(wrongDirection(t.scope, ctx.dir) ? () => null : r.reader);
      changes.push(r.mayChange ?? null);
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
  // three-valued (pass, fail, miss = null) as HAProxy's acl_exec_cond: a failed test whose sample may still change is a miss
  const partial = (view: RequestView): boolean | null => {
    epoch++;
    let result: boolean | null = false;
    for (let a = 0; a < alts.length && result !== true; a++) {
      let all: boolean | null = true;
      for (let t = 0; t < alts[a].length && all !== false; t++) {
        const term = alts[a][t];
        let hit: boolean | null = false;
        for (let k = 0; k < term.tests.length && hit !== true; k++) {
          const { slot, match } = term.tests[k];
          if (match(sample(slot, view))) hit = true;
          else if (changes[slot]?.(view)) hit = null;
        }
        const v = hit === null ? null : hit !== term.negate;
        if (v === false) all = false;
        else if (v === null) all = null;
      }
      if (all === true) result = true;
      else if (all === null) result = null;
    }
    return result === null ? null : result !== unless;
  };
  const http = pc.alternatives.some((and) => and.some((term) => term.acl.tests.some((t) => isHttpScope(t.scope))));
  const content = pc.alternatives.some((and) => and.some((term) => term.acl.tests.some((t) => t.scope === 'content')));
  return { polarity: pc.polarity, alternatives: pc.alternatives, text: pc.text, where: pc.where, http, content, test, partial };
}

/** Evaluate a condition while more data may come: true/false, or null to wait (no `partial`: final answer). */
export function evaluatePartial(cond: Condition | null, view: RequestView): boolean | null {
  if (cond === null) return true;
  return cond.partial ? cond.partial(view) : cond.test(view);
}

/** Evaluate a compiled condition on a request: true when the rule applies (`unless` already applied). */
export function evaluate(cond: Condition | null, view: RequestView): boolean {
  return cond === null || cond.test(view);
}
