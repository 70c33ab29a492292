/**
 * What a keyword parser gets: the line, its arguments, and a way to report problems at the right
 * file:line:col. Diagnostics are collected, never thrown, so one run reports every problem.
 */
import type { ConfigDiagnostic, SourceRef } from './types.js';
import type { Line, Word } from './lexer.js';
import type { Parsed } from './units.js';
import { didYouMean } from './suggest.js';

/** The sections of a config file. */
export type SectionKind = 'global' | 'defaults' | 'frontend' | 'backend' | 'listen' | 'userlist';
export type ProxyKind = Exclude<SectionKind, 'global' | 'userlist'>;
export const PROXY_KINDS: readonly ProxyKind[] = ['defaults', 'frontend', 'backend', 'listen'];

/** Collects errors and warnings in the order they are found. */
export class Diagnostics {
  readonly list: ConfigDiagnostic[] = [];

  error(where: SourceRef, message: string): void {
    this.list.push({ severity: 'error', where, message });
  }

  warn(where: SourceRef, message: string): void {
    this.list.push({ severity: 'warning', where, message });
  }

  get hasErrors(): boolean {
    return this.list.some((d) => d.severity === 'error');
  }
}

/** A SourceRef for a line, pointing at a word's column when one is given. */
export function refOf(line: Line, word?: Word): SourceRef {
  return word ? { file: line.file, line: line.line, col: word.col } : { file: line.file, line: line.line };
}

/**
 * One directive being parsed. `kw` is how messages name it (`'timeout connect'`, `'server s1'`),
 * `args` are the words after it. Messages are prefixed with the directive's name, HAProxy style.
 */
export class KwCtx {
  constructor(
    readonly diags: Diagnostics,
    readonly line: Line,
    readonly section: SectionKind,
    readonly kw: string,
    readonly args: readonly Word[],
  ) {}

  /** A context for a sub-keyword: `timeout` + `connect` → kw 'timeout connect', args after it. */
  sub(count = 1): KwCtx {
    const name = [this.kw, ...this.args.slice(0, count).map((w) => w.text)].join(' ');
    return new KwCtx(this.diags, this.line, this.section, name, this.args.slice(count));
  }

  /** The same arguments under another name (e.g. `'server s1'` for option errors). */
  named(kw: string, args: readonly Word[] = this.args): KwCtx {
    return new KwCtx(this.diags, this.line, this.section, kw, args);
  }

  where(word?: Word): SourceRef {
    return refOf(this.line, word ?? this.line.words[0]);
  }

  error(message: string, word?: Word): void {
    this.diags.error(this.where(word), `'${this.kw}': ${message}`);
  }

  warn(message: string, word?: Word): void {
    this.diags.warn(this.where(word), `'${this.kw}': ${message}`);
  }

  /** True when exactly `n` arguments were given; otherwise reports `'kw' expects <usage>`. */
  expectCount(n: number, usage: string): boolean {
    if (this.args.length === n) return true;
    if (this.args.length < n) this.error(`expects ${usage}`);
    else this.error(`unexpected argument '${this.args[n].text}' (expects ${usage})`, this.args[n]);
    return false;
  }

  /** The value of a unit parser, or undefined after reporting its error against `word`. */
  value<T>(parsed: Parsed<T>, word: Word): T | undefined {
    if (parsed.ok) return parsed.value;
    this.error(parsed.error, word);
    return undefined;
  }

  /** Parse the single argument of a `keyword <value>` directive. */
  single<T>(parse: (text: string) => Parsed<T>, usage: string): T | undefined {
    if (!this.expectCount(1, usage)) return undefined;
    return this.value(parse(this.args[0].text), this.args[0]);
  }
}

/** Reports `'kw': <what> must be one of a, b, c` with a suggestion; returns the word when it is valid. */
export function oneOf<T extends string>(ctx: KwCtx, word: Word, allowed: readonly T[], what: string): T | undefined {
  if ((allowed as readonly string[]).includes(word.text)) return word.text as T;
  ctx.error(`unknown ${what} '${word.text}' (expected ${allowed.join(', ')})${didYouMean(word.text, allowed)}`, word);
  return undefined;
}

/** A proxy or server name may hold letters, digits and `-_.:`, as HAProxy requires. */
export function invalidNameChar(name: string): string | null {
  const m = /[^A-Za-z0-9_.:-]/.exec(name);
  return m ? m[0] : null;
}
