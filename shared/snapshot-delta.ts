/**
 * Snapshot deltas for the WebSocket protocol's subscriptions: `diffSnapshot(prev, next)` says only what
 * changed, `applyDelta(prev, patch)` rebuilds `next` exactly. Generic over plain JSON data, so fields the
 * Snapshot gains later travel without changes here, with two rules that keep a tick of 1,000 servers
 * with little change small:
 *  - arrays of objects with a unique `name` (frontends, backends, a backend's servers, listeners) are
 *    patched entry by entry, by name: an unchanged server costs nothing;
 *  - other arrays that slid forward (a check history: oldest dropped, newest appended) send only the
 *    count dropped and the new tail.
 * applyDelta never mutates `prev`: unchanged subtrees are shared between the two snapshots, so a view
 * can tell what changed by identity.
 */
import type { Snapshot } from './snapshot.js';

/** What changed in one object. Keys name the object's fields; each field appears in at most one part. */
export interface ObjectPatch {
  /** Fields whose new value is given whole (primitives, new fields, arrays replaced). */
  set?: Record<string, unknown>;
  /** Fields removed. */
  del?: string[];
  /** Object fields patched in place. */
  obj?: Record<string, ObjectPatch>;
  /** Fields holding arrays of named entries, patched by name. */
  list?: Record<string, ListPatch>;
  /** Fields holding arrays that slid forward: drop that many from the front, append `push`. */
  tail?: Record<string, TailPatch>;
}

/** Changes to an array of objects that each have a unique `name`. */
export interface ListPatch {
  /** Every name in the new order; present only when entries were added, removed or moved. */
  order?: string[];
  /** Entries new in this array, whole, by name. */
  add?: Record<string, unknown>;
  /** Entries that stayed and changed, by name. */
  obj?: Record<string, ObjectPatch>;
}

export interface TailPatch {
  drop: number;
  push: unknown[];
}

type Rec = Record<string, unknown>;

/** Sliding-array detection is quadratic in the array's length: longer arrays are sent whole when they change. */
const MAX_TAIL_SEARCH = 256;

/** The patch that turns `prev` into `next`, or null when they are equal. */
export function diffSnapshot(prev: Snapshot, next: Snapshot): ObjectPatch | null {
  return diffObject(prev as unknown as Rec, next as unknown as Rec);
}

/** `prev` with `patch` applied: deep-equal to the snapshot the patch was made from. Throws on a patch that
 *  does not fit `prev` (a client then asks for a full snapshot again). */
export function applyDelta(prev: Snapshot, patch: ObjectPatch): Snapshot {
  return applyObject(prev as unknown as Rec, patch) as unknown as Snapshot;
}

/** Deep equality of JSON values (key order ignored). */
export function jsonEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!jsonEqual(a[i], b[i])) return false;
    return true;
  }
  if (Array.isArray(b)) return false;
  const ka = Object.keys(a);
  if (ka.length !== Object.keys(b).length) return false;
  for (const k of ka) if (!Object.hasOwn(b, k) || !jsonEqual((a as Rec)[k], (b as Rec)[k])) return false;
  return true;
}

function isRecord(v: unknown): v is Rec {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * Records keyed by snapshot field names (the patch's set/obj/list/tail parts): ordinary objects, which V8
 * keeps in fast mode (quick to fill and to serialise). Field names are the Snapshot type's own, never
 * `__proto__`; anything keyed by user-chosen names uses dict().
 */
function fields<T>(): Record<string, T> {
  return {};
}

/** Records keyed by user-chosen names are prototype-free, so a backend named `__proto__` is just a key. */
function dict<T>(): Record<string, T> {
  return Object.create(null) as Record<string, T>;
}

function put(o: Rec, k: string, v: unknown): void {
  Object.defineProperty(o, k, { value: v, enumerable: true, writable: true, configurable: true });
}

/** One differing field of `b` against `a` (`av` undefined when `a` lacks it) into patch `p`. */
function field(p: ObjectPatch | null, k: string, av: unknown, bv: unknown): ObjectPatch | null {
  if (av === undefined) {
    ((p ??= {}).set ??= fields())[k] = bv;
  } else if (isRecord(av) && isRecord(bv)) {
    const sub = diffObject(av, bv);
    if (sub) ((p ??= {}).obj ??= fields())[k] = sub;
  } else if (Array.isArray(av) && Array.isArray(bv)) {
    // the daemon reuses history entries: a history that slid is found by identity, without deep compares
    const quick = slidByIdentity(av, bv);
    if (quick) {
      ((p ??= {}).tail ??= fields())[k] = quick;
      return p;
    }
    const names = namesOf(av) && namesOf(bv) ? diffNamed(av as Rec[], bv as Rec[]) : undefined;
    if (names !== undefined) {
      if (names) ((p ??= {}).list ??= fields())[k] = names;
    } else if (!jsonEqual(av, bv)) {
      const t = slid(av, bv);
      if (t) ((p ??= {}).tail ??= fields())[k] = t;
      else ((p ??= {}).set ??= fields())[k] = bv;
    }
  } else if (typeof av !== 'object' || typeof bv !== 'object' || !jsonEqual(av, bv)) {
    ((p ??= {}).set ??= fields())[k] = bv;
  }
  return p;
}

/**
 * The field walk of one object shape, compiled once: named property loads, which V8 keeps monomorphic,
 * instead of the keyed loads of a generic loop (a 1,000-server tick walks ~50,000 fields). Used when `a`
 * and `b` both have exactly the shape's fields; a field absent from `b` (undefined) and present in `a` is
 * a deletion.
 */
type Walk = (a: Rec, b: Rec, field: typeof fieldFn, del: (p: ObjectPatch | null, k: string) => ObjectPatch | null) => ObjectPatch | null;
const fieldFn = field;
const walks = new Map<number, { keys: string[]; walk: Walk }[]>();
const MAX_WALKS = 256;
let walkCount = 0;

function sameKeys(x: string[], y: string[]): boolean {
  if (x.length !== y.length) return false;
  for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) return false;
  return true;
}

function walkFor(keys: string[]): Walk | null {
  const list = walks.get(keys.length);
  if (list) for (const w of list) if (sameKeys(w.keys, keys)) return w.walk;
  if (walkCount >= MAX_WALKS) return null;
  const lines = keys.map((k) => {
    const K = JSON.stringify(k);
    return `bv = b[${K}]; av = a[${K}]; if (typeof av === 'function') av = undefined;
if (bv === undefined) { if (av !== undefined) p = del(p, ${K}); } else if (av !== bv) p = field(p, ${K}, av, bv);`;
  });
  const walk = new Function('a', 'b', 'field', 'del', `let p = null, av, bv;\n${lines.join('\n')}\nreturn p;`) as Walk;
  walkCount++;
  (list ?? walks.set(keys.length, []).get(keys.length)!).push({ keys, walk });
  return walk;
}

function del(p: ObjectPatch | null, k: string): ObjectPatch | null {
  ((p ??= {}).del ??= []).push(k);
  return p;
}

function diffObject(a: Rec, b: Rec): ObjectPatch | null {
  const bk = Object.keys(b);
  const ak = Object.keys(a);
  if (sameKeys(ak, bk)) {
    const walk = walkFor(bk);
    if (walk) return walk(a, b, field, del);
  }
  // shapes differ: the generic walk, one key listing per side, inherited properties told apart by type
  // (snapshot values are never functions)
  let p: ObjectPatch | null = null;
  let shared = 0;
  for (let i = 0; i < bk.length; i++) {
    const k = bk[i]!;
    const bv = b[k];
    if (bv === undefined) continue;
    let av = a[k];
    if (typeof av === 'function') av = undefined;
    if (av !== undefined) shared++;
    if (av !== bv) p = field(p, k, av, bv);
  }
  // a field can only have gone when `a` has a defined field that `b` lacks
  let aDefined = 0;
  for (let i = 0; i < ak.length; i++) if (a[ak[i]!] !== undefined) aDefined++;
  if (aDefined !== shared) {
    for (const k of ak) if (a[k] !== undefined && (!Object.hasOwn(b, k) || b[k] === undefined)) p = del(p, k);
  }
  return p;
}

/** The names of an array whose entries are all objects with a unique string `name`, else null. */
function namesOf(arr: unknown[]): string[] | null {
  const names: string[] = [];
  const seen = new Set<string>();
  for (const e of arr) {
    if (!isRecord(e) || typeof e.name !== 'string' || seen.has(e.name)) return null;
    seen.add(e.name);
    names.push(e.name);
  }
  return names;
}

/** A ListPatch, or null when nothing changed. */
function diffNamed(a: Rec[], b: Rec[]): ListPatch | null {
  const before = new Map<string, Rec>();
  for (const e of a) before.set(e.name as string, e);
  let p: ListPatch | null = null;
  let sameOrder = a.length === b.length;
  for (let i = 0; i < b.length; i++) {
    const e = b[i]!;
    const name = e.name as string;
    if (sameOrder && a[i]!.name !== name) sameOrder = false;
    const old = before.get(name);
    if (!old) {
      p ??= {};
      (p.add ??= dict())[name] = e;
    } else if (old !== e) {
      const sub = diffObject(old, e);
      if (sub) {
        p ??= {};
        (p.obj ??= dict())[name] = sub;
      }
    }
  }
  if (!sameOrder) {
    p ??= {};
    p.order = b.map((e) => e.name as string);
  }
  return p;
}

/**
 * `slid` for arrays whose kept entries are the very same objects (or equal primitives): the drop is
 * where `b[0]` sits in `a`. Null when that does not hold (the general comparison decides then).
 */
function slidByIdentity(a: unknown[], b: unknown[]): TailPatch | null {
  if (a.length === 0 || b.length === 0 || typeof b[0] !== 'object' || b[0] === null) return null;
  const drop = a.indexOf(b[0]);
  if (drop < 0) return null;
  const kept = a.length - drop;
  if (kept > b.length) return null;
  for (let i = 1; i < kept; i++) if (a[drop + i] !== b[i]) return null;
  if (kept === b.length && drop === 0) return null; // equal arrays are not a change
  return { drop, push: b.slice(kept) };
}

/** `b` as `a` shifted left by `drop` with new entries appended, when that is shorter than `b` whole. */
function slid(a: unknown[], b: unknown[]): TailPatch | null {
  if (a.length > MAX_TAIL_SEARCH) return null;
  for (let drop = 0; drop <= a.length; drop++) {
    const kept = a.length - drop;
    if (kept > b.length) continue;
    if (kept === 0) return null; // nothing shared: send it whole
    let same = true;
    for (let i = 0; i < kept && same; i++) same = jsonEqual(a[drop + i], b[i]);
    if (same) return { drop, push: b.slice(kept) };
  }
  return null;
}

function applyObject(a: Rec, p: ObjectPatch): Rec {
  if (!isRecord(a)) throw new Error('delta does not apply: an object was expected');
  const out: Rec = { ...a };
  if (p.set) for (const k of Object.keys(p.set)) put(out, k, p.set[k]);
  if (p.del) for (const k of p.del) delete out[k];
  if (p.obj) for (const k of Object.keys(p.obj)) put(out, k, applyObject(out[k] as Rec, p.obj[k]!));
  if (p.list) for (const k of Object.keys(p.list)) put(out, k, applyNamed(out[k], p.list[k]!));
  if (p.tail) {
    for (const k of Object.keys(p.tail)) {
      const arr = out[k];
      const t = p.tail[k]!;
      if (!Array.isArray(arr) || t.drop > arr.length) throw new Error(`delta does not apply: ${k} is not the array it was made from`);
      put(out, k, arr.slice(t.drop).concat(t.push));
    }
  }
  return out;
}

function applyNamed(a: unknown, p: ListPatch): Rec[] {
  if (!Array.isArray(a)) throw new Error('delta does not apply: an array was expected');
  const before = new Map<string, Rec>();
  for (const e of a as Rec[]) before.set(e.name as string, e);
  if (p.obj) for (const name of Object.keys(p.obj)) if (!before.has(name)) throw new Error(`delta does not apply: no entry named ${JSON.stringify(name)}`);
  const order = p.order ?? (a as Rec[]).map((e) => e.name as string);
  const out: Rec[] = [];
  for (const name of order) {
    if (p.add && Object.hasOwn(p.add, name)) {
      out.push(p.add[name] as Rec);
      continue;
    }
    const old = before.get(name);
    if (!old) throw new Error(`delta does not apply: no entry named ${JSON.stringify(name)}`);
    out.push(p.obj && Object.hasOwn(p.obj, name) ? applyObject(old, p.obj[name]!) : old);
  }
  return out;
}
