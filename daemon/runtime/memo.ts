/**
 * Identity for unchanged parts of the snapshot. A subscription tick diffs the new snapshot against the
 * last one (shared/snapshot-delta.ts); a part that is the very same object as last time is skipped at
 * once, so handing back last tick's object when nothing in it changed makes an idle server cost
 * nothing. The equality test is compiled once per object shape (named property loads, which V8 keeps
 * monomorphic and fast) from the shape itself, so a field added to a view is compared without anyone
 * having to remember it.
 */

type Eq = (a: object, b: object) => boolean;

const compiled = new Map<string, Eq>();

/**
 * A shallow equality (`===` on every field of `sample`) for objects built by the same object literal as
 * `sample` (same fields, always present): the only kind Memo is used on.
 */
export function shallowEqualFor(sample: object): Eq {
  const keys = Object.keys(sample);
  const sig = keys.join('\0');
  let eq = compiled.get(sig);
  if (!eq) {
    const body = keys.map((k) => `a[${JSON.stringify(k)}] === b[${JSON.stringify(k)}]`).join(' && ') || 'true';
    eq = new Function('a', 'b', `return ${body};`) as Eq;
    compiled.set(sig, eq);
  }
  return eq;
}

/** Hands back the previous value while a new one is shallow-equal to it. */
export class Memo<T extends object> {
  private last: T | null = null;
  private eq: Eq | null = null;

  keep(next: T): T {
    const last = this.last;
    if (last !== null && this.eq!(last, next)) return last;
    this.eq ??= shallowEqualFor(next);
    this.last = next;
    return next;
  }
}
