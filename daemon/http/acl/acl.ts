/**
 * One ACL test, `<fetch> [flags] [operator] <patterns…>` (the words after `acl <name>`, or inside an
 * anonymous `{ … }`): parsed and checked at load, every problem reported at its line; then compiled per
 * condition into a reader and a matcher (compile.ts).
 *
 * Flags, as in HAProxy: `-i` (ignore case for the patterns after it), `-f <file>` (patterns from a file,
 * one per line), `-m <method>`, `-n` (no DNS, accepted), `-u <id>` (accepted), `--` (end of flags).
 * `-M` (map files) is refused.
 */
import { readFileSync } from 'node:fs';
import type { SourceRef } from '../../config/types.js';
import type { AclPattern, AclTest, MatchMethod, SampleType } from './types.js';
import { parseExpr, resolveExpr } from './expr.js';
import { INTEGER_METHODS, PATTERNLESS, parsePattern, type IntOperator } from './matchers.js';
import type { FetchContext } from './fetches.js';
import { didYouMean } from '../../config/suggest.js';

/** A word of the config line with its column. */
export interface AclWord {
  readonly text: string;
  readonly col: number;
}

/** Where parse problems go; `where` points at the word concerned. */
export interface AclReporter {
  error(message: string, where: SourceRef): void;
  warn(message: string, where: SourceRef): void;
}

const METHODS: readonly MatchMethod[] = ['found', 'bool', 'int', 'ip', 'len', 'str', 'sub', 'reg', 'beg', 'end', 'dir', 'dom'];
const OPERATORS = new Set(['eq', 'ge', 'gt', 'le', 'lt']);

/** Which methods a sample type can be matched with (HAProxy's compatibility matrix, `bin` aside). */
function methodFits(type: SampleType, m: MatchMethod): boolean {
  if (m === 'found' || m === 'len' || m === 'str' || m === 'sub' || m === 'reg' || m === 'beg' || m === 'end' || m === 'dir' || m === 'dom') return true;
  if (m === 'ip') return type === 'ip' || type === 'str';
  if (m === 'int') return type !== 'meth';
  if (m === 'bool') return type === 'bool' || type === 'int' || type === 'str';
  return m === 'meth' && type === 'meth';
}

/**
 * Read a pattern file as HAProxy does: lines starting with `#` are comments, leading spaces and tabs are
 * removed, empty lines are skipped; trailing spaces belong to the pattern.
 */
export function readPatternFile(path: string, icase: boolean): { patterns: AclPattern[] } | { error: string } {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : code === 'EISDIR' ? 'is a directory' : (e as Error).message;
    return { error: `failed to open pattern file '${path}' (${why})` };
  }
  const patterns: AclPattern[] = [];
  text.split('\n').forEach((raw, i) => {
    if (raw.startsWith('#')) return;
    const line = raw.replace(/\r$/, '').replace(/^[ \t]+/, '');
    if (line === '') return;
    patterns.push({ text: line, icase, where: { file: path, line: i + 1 } });
  });
  return { patterns };
}

/**
 * Parse the words of one ACL test. `where` is the line (its col is replaced per word). Returns null when
 * an error was reported. `ctx` resolves the fetch (its direction does not matter here).
 */
export function parseAclTest(words: readonly AclWord[], where: SourceRef, report: AclReporter, ctx: FetchContext): AclTest | null {
  const at = (w: AclWord | undefined): SourceRef => (w ? { ...where, col: w.col } : where);
  const first = words[0];
  if (first === undefined) {
    report.error('missing fetch method in ACL expression', where);
    return null;
  }
  const expr = parseExpr(first.text);
  if (typeof expr === 'string') {
    report.error(expr, at(first));
    return null;
  }
  const resolved = resolveExpr(expr, ctx);
  if (typeof resolved === 'string') {
    report.error(resolved, at(first));
    return null;
  }
  let method: MatchMethod | null = null;
  let icase = false;
  let ok = true;
  const patterns: AclPattern[] = [];
  const files: string[] = [];
  let i = 1;
  let sawFlag = false;
  for (; i < words.length && words[i].text.startsWith('-') && words[i].text.length > 1; i++) {
    const w = words[i];
    sawFlag = true;
    if (w.text === '--') {
      i++;
      break;
    }
    const value = words[i + 1];
    switch (w.text) {
      case '-i':
        icase = true;
        break;
      case '-n':
        break;
      case '-u':
        if (value === undefined) return (report.error("'-u' expects an ACL id", at(w)), null);
        i++;
        break;
      case '-m':
        if (value === undefined) return (report.error(`'-m' expects a matching method (one of ${METHODS.join(', ')})`, at(w)), null);
        if (files.length > 0) return (report.error("'-m' must be placed before '-f' (it also applies to the files' patterns)", at(w)), null);
        if (value.text === 'bin') return (report.error("matching method 'bin' is not supported by lbd", at(value)), null);
        if (!(METHODS as readonly string[]).includes(value.text)) return (report.error(`unknown matching method '${value.text}'${didYouMean(value.text, METHODS)}`, at(value)), null);
        method = value.text as MatchMethod;
        i++;
        break;
      case '-f': {
        if (value === undefined) return (report.error("'-f' expects a file name", at(w)), null);
        const r = readPatternFile(value.text, icase);
        if ('error' in r) {
          report.error(r.error, at(value));
          ok = false;
        } else {
          patterns.push(...r.patterns);
        }
        files.push(value.text);
        i++;
        break;
      }
      case '-M':
        return (report.error("'-M' (map files) is not supported by lbd", at(w)), null);
      default:
        return (report.error(`unknown flag '${w.text}' (expected -i, -f, -m, -n, -u or --)`, at(w)), null);
    }
  }
  const m = method ?? resolved.method ?? 'str';
  if (!methodFits(resolved.type === 'meth' && m !== 'meth' ? 'str' : resolved.type, m)) {
    report.error(`matching method '${m}' cannot be used with fetch '${expr.name}' (it returns ${resolved.type === 'meth' ? 'a method' : `type ${resolved.type}`})`, at(first));
    return null;
  }
  let operator: IntOperator = null;
  if (INTEGER_METHODS.has(m) && i < words.length && OPERATORS.has(words[i].text)) {
    operator = words[i].text as IntOperator;
    i++;
  }
  for (; i < words.length; i++) patterns.push({ text: words[i].text, icase, where: at(words[i]) });
  if (!PATTERNLESS.has(m)) {
    for (const p of patterns) {
      const parsed = parsePattern(m, p, operator);
      if (typeof parsed !== 'string') continue;
      const fromFile = p.where.file !== where.file || p.where.line !== where.line;
      report.error(fromFile ? `pattern file '${p.where.file}' line ${p.where.line}: ${parsed}` : parsed, fromFile ? where : p.where);
      ok = false;
    }
  }
  if (ok && patterns.length === 0 && files.length === 0 && !PATTERNLESS.has(m) && !sawFlag) {
    report.warn(`no pattern to match against in ACL expression '${expr.text}': it will never match (use '-m found' to test for presence, or '--' to silence this warning)`, at(first));
  }
  if (!ok) return null;
  return { expr, method: m, operator, patterns, files, scope: resolved.scope, where: at(first) };
}
