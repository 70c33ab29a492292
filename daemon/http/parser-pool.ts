/**
 * Head parsers kept for reuse, and head limits shared per tunable values.
 *
 * A parser carries typed arrays sized by tune.http.maxhdr; making two per connection (or per HTTP/2
 * stream) was a measurable share of the GC work when every request comes on a new connection, so closed
 * sessions give theirs back here.
 */
import { HeadParser } from './parse-head.js';
import type { HeadKind } from './head.js';
import { headLimits, type HeadLimits } from './limits.js';

const limitsCache = new Map<string, HeadLimits>();

/** headLimits(bufsize, maxrewrite, maxhdr), one object per set of values (parsers are pooled by it). */
export function sharedLimits(bufsize: number, maxrewrite: number, maxhdr: number): HeadLimits {
  const k = `${bufsize}/${maxrewrite}/${maxhdr}`;
  let l = limitsCache.get(k);
  if (!l) limitsCache.set(k, (l = headLimits(bufsize, maxrewrite, maxhdr)));
  return l;
}

const freeParsers = new Map<HeadLimits, HeadParser[][]>();
const MAX_FREE_PARSERS = 1024;

export function takeParser(kind: HeadKind, limits: HeadLimits): HeadParser {
  const p = freeParsers.get(limits)?.[kind]?.pop();
  if (p) return p;
  return new HeadParser(kind, limits);
}

/** Give a parser back (nothing may use it afterwards). */
export function giveParser(p: HeadParser): void {
  let lists = freeParsers.get(p.limits);
  if (!lists) freeParsers.set(p.limits, (lists = [[], [], []]));
  const list = lists[p.kind]!;
  if (list.length >= MAX_FREE_PARSERS) return;
  p.reset();
  list.push(p);
}
