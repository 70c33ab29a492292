/**
 * The shape of a keyword table. Like HAProxy's `cfg_kw_list`/`srv_kws`, each subsystem registers rows
 * `keyword → { where it is allowed, help, parse }`; the parser only looks keywords up, and
 * `listKeywords()` prints the same rows, so the help can never drift from what is parsed.
 */
import type { KwCtx, SectionKind } from '../context.js';
import { didYouMean } from '../suggest.js';

export interface Keyword<T> {
  /** One line for `lbd -c --list-keywords`: arguments first, then what it does. */
  readonly help: string;
  /** Sections where the keyword may appear; anywhere else it is an error naming these. */
  readonly sections: readonly SectionKind[];
  readonly parse: (ctx: KwCtx, target: T) => void;
  /** For keywords followed by a second word (`timeout connect`, `option httpchk`): the rows to list. */
  readonly sub?: Readonly<Record<string, SubKeyword<T>>>;
}

/** A second-level keyword (`timeout <this>`, `http-check <this>` …). */
export interface SubKeyword<T> {
  readonly help: string;
  /** Narrower than the parent's sections when set (e.g. `option redispatch` is for backends). */
  readonly sections?: readonly SectionKind[];
  readonly parse: (ctx: KwCtx, target: T) => void;
}

export type KeywordTable<T> = Readonly<Record<string, Keyword<T>>>;

/** "a backend section" / "an anything" for messages. */
export function article(section: string): string {
  return /^[aeiou]/.test(section) ? `an ${section}` : `a ${section}`;
}

/** `'kw' is not allowed in a backend section (only in frontend, listen)`, reported at the keyword. */
export function notAllowed(ctx: KwCtx, name: string, allowed: readonly SectionKind[]): void {
  ctx.diags.error(ctx.where(), `'${name}' is not allowed in ${article(ctx.section)} section (only in ${allowed.join(', ')})`);
}

/**
 * Look the first argument up in a sub-table and run its row. The error for a missing or unknown
 * sub-keyword lists what exists, or suggests the closest one.
 */
export function dispatchSub<T>(ctx: KwCtx, target: T, table: Readonly<Record<string, SubKeyword<T>>>, what: string): void {
  const first = ctx.args[0];
  if (first === undefined) {
    ctx.error(`expects ${what} (one of ${Object.keys(table).join(', ')})`);
    return;
  }
  const row = Object.hasOwn(table, first.text) ? table[first.text] : undefined;
  if (row === undefined) {
    ctx.error(`unknown ${what} '${first.text}'${didYouMean(first.text, Object.keys(table))}`, first);
    return;
  }
  if (row.sections && !row.sections.includes(ctx.section)) {
    notAllowed(ctx, `${ctx.kw} ${first.text}`, row.sections);
    return;
  }
  row.parse(ctx.sub(1), target);
}
