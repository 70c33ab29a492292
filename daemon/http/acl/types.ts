/**
 * The data model of ACLs, conditions and sample expressions, as the configuration holds them.
 *
 * Everything here is plain data (what was written, where, and the patterns read from files) so a loaded
 * configuration can be compared and printed; the compiled closures that evaluate them sit in `test` and
 * `format` properties, which JSON ignores. Types for what the HTTP engine reads are in view.ts.
 */
import type { SourceRef } from '../../config/types.js';
import type { RequestView } from './view.js';

/** What a fetch returns: nothing (null), one value, or every occurrence (headers, cookies, URL parameters). */
export type SampleScalar = string | number | boolean;
export type SampleValue = SampleScalar | readonly SampleScalar[] | null;

/** The output type of a fetch; it gives the default match method (`meth` is HAProxy's method type). */
export type SampleType = 'str' | 'int' | 'ip' | 'bool' | 'meth';

/** Pattern matching methods (`-m <method>`), HAProxy's names. */
export type MatchMethod = 'found' | 'bool' | 'int' | 'ip' | 'len' | 'str' | 'sub' | 'reg' | 'beg' | 'end' | 'dir' | 'dom' | 'meth';

/**
 * What a fetch needs: `l4` works on any connection (src, dst_port); `content` reads the first bytes a
 * client sent (`req.ssl_sni`, `req.len`: mode tcp, with `tcp-request inspect-delay`); `req` needs a parsed
 * HTTP request, `res` a parsed HTTP response; `txn` is HTTP request data kept for the response side too (method).
 */
export type FetchScope = 'l4' | 'content' | 'req' | 'res' | 'txn';

/** A sample expression as written: `hdr(host)`, `req.cook(SID)`, `hdr(host),lower`. */
export interface SampleExpr {
  /** The fetch or ACL keyword name, e.g. `hdr_beg`. */
  readonly name: string;
  readonly args: readonly string[];
  /** Converters applied in order (lbd supports `lower` and `upper`). */
  readonly converters: readonly string[];
  /** The expression text as written. */
  readonly text: string;
}

/** One pattern of an ACL: its text, whether `-i` applied, and where it came from (a `-f` file line, or the acl line). */
export interface AclPattern {
  readonly text: string;
  readonly icase: boolean;
  readonly where: SourceRef;
}

/** One `acl` line (or one anonymous `{ … }` block): a sample expression matched against patterns. */
export interface AclTest {
  readonly expr: SampleExpr;
  readonly method: MatchMethod;
  /** `eq`, `ge`, `gt`, `le`, `lt` before integer patterns; null = equality/ranges. */
  readonly operator: 'eq' | 'ge' | 'gt' | 'le' | 'lt' | null;
  readonly patterns: readonly AclPattern[];
  /** Files read with `-f`, as written. */
  readonly files: readonly string[];
  readonly scope: FetchScope;
  readonly where: SourceRef;
}

/** A named ACL (several `acl` lines with one name are OR-ed), a predefined one (`METH_GET`), or an anonymous block. */
export interface Acl {
  /** null for an anonymous `{ … }` ACL. */
  readonly name: string | null;
  readonly predefined: boolean;
  readonly tests: readonly AclTest[];
  /** The first line that declared it. */
  readonly where: SourceRef;
}

/** `[!]acl` in a condition. */
export interface ConditionTerm {
  readonly negate: boolean;
  readonly acl: Acl;
}

/**
 * `if|unless <condition>`: alternatives separated by `||`/`or`, each an implicit AND of terms.
 * `test(view)` is compiled at load (patterns parsed, regexes built, each distinct fetch evaluated at most
 * once per call) and already applies `unless`.
 */
export interface Condition {
  readonly polarity: 'if' | 'unless';
  readonly alternatives: readonly (readonly ConditionTerm[])[];
  /** The condition as written, after `if`/`unless`. */
  readonly text: string;
  readonly where: SourceRef;
  /** True when some fetch needs HTTP (the proxy must be in mode http). */
  readonly http: boolean;
  readonly test: (view: RequestView) => boolean;
  /** True when some fetch reads the client's first bytes (`req.ssl_sni`, `req.len` …). */
  readonly content?: boolean;
  /**
   * HAProxy's evaluation while data may still arrive (`tcp-request content`): true/false (`unless`
   * applied), or null when the answer may change with more data (the rule waits, as HAProxy's ACL_TEST_MISS).
   */
  readonly partial?: (view: RequestView) => boolean | null;
}

/** A piece of a log-format string: literal text, `%[sample expression]`, or a `%var` such as `%ci`. */
export type FormatNode =
  | { readonly kind: 'text'; readonly text: string }
  | { readonly kind: 'sample'; readonly expr: SampleExpr; readonly flags: readonly string[] }
  | { readonly kind: 'var'; readonly name: string; readonly flags: readonly string[] };

/**
 * A value that follows HAProxy's log-format rules (`http-request set-header X %[src]`): parsed at load,
 * `format(view)` builds the string. `text` is the value as written; `dynamic` is false for plain text.
 */
export interface Formatter {
  readonly text: string;
  readonly nodes: readonly FormatNode[];
  readonly dynamic: boolean;
  readonly format: (view: RequestView) => string;
}
