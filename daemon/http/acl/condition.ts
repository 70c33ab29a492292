/**
 * Conditions: `if|unless [!]acl1 [!]acl2 … [or|'||' [!]acl3 …]`, with anonymous ACLs `{ <fetch> … }` and
 * HAProxy's predefined ACLs. `parseCondition` builds the AST at the line that uses it (ACLs must be
 * declared above, as in HAProxy; later `acl` lines with the same name still extend them);
 * `compileCondition` turns it into one closure (compile.ts).
 */
import type { SourceRef } from '../../config/types.js';
import type { Acl, AclTest, ConditionTerm } from './types.js';
import { parseAclTest, type AclReporter, type AclWord } from './acl.js';
import { PREDEFINED_ACLS, UNSUPPORTED_PREDEFINED } from './acl-keywords.js';
import type { FetchContext } from './fetches.js';
import { lexLine } from '../../config/lexer.js';
import { suggest } from '../../config/suggest.js';

/** A condition before compilation: the AST and where it was written. */
export interface ParsedCondition {
  readonly polarity: 'if' | 'unless';
  readonly alternatives: readonly (readonly ConditionTerm[])[];
  readonly text: string;
  readonly where: SourceRef;
}

/** A named ACL being declared: `acl` lines with the same name add tests to it (until the section ends). */
export interface AclEntry extends Acl {
  readonly tests: AclTest[];
}

const PREDEFINED = new Map<string, Acl>();
const SILENT: AclReporter = { error: () => {}, warn: () => {} };
const BUILTIN: SourceRef = { file: '<predefined>', line: 0 };

/** A predefined ACL, parsed once from its definition text. */
export function predefinedAcl(name: string, ctx: FetchContext): Acl | undefined {
  if (!Object.hasOwn(PREDEFINED_ACLS, name)) return undefined;
  let acl = PREDEFINED.get(name);
  if (acl === undefined) {
    const test = parseAclTest(lexLine(PREDEFINED_ACLS[name], {}), BUILTIN, SILENT, ctx);
    if (test === null) throw new Error(`predefined ACL ${name} does not parse`);
    acl = { name, predefined: true, tests: [test], where: BUILTIN };
    PREDEFINED.set(name, acl);
  }
  return acl;
}

/**
 * Parse the words after `if`/`unless`. `acls` are the proxy's named ACLs declared so far. Returns null
 * after reporting when the condition is malformed or names an unknown ACL.
 */
export function parseCondition(
  polarity: 'if' | 'unless',
  words: readonly AclWord[],
  where: SourceRef,
  acls: ReadonlyMap<string, AclEntry>,
  report: AclReporter,
  ctx: FetchContext,
): ParsedCondition | null {
  const at = (w: AclWord | undefined): SourceRef => (w ? { ...where, col: w.col } : where);
  const alternatives: ConditionTerm[][] = [];
  let current: ConditionTerm[] = [];
  let ok = true;
  if (words.length === 0) {
    report.error(`expects a condition after '${polarity}'`, where);
    return null;
  }
  for (let i = 0; i < words.length; i++) {
    const w = words[i];
    let text = w.text;
    if (text === '||' || text === 'or') {
      if (current.length === 0 && ok) {
        report.error(`'${text}' without a condition on its ${alternatives.length === 0 ? 'left' : 'left (two operators in a row)'}`, at(w));
        return null;
      }
      alternatives.push(current);
      current = [];
      continue;
    }
    let negate = false;
    while (text.startsWith('!')) {
      negate = !negate;
      text = text.slice(1);
    }
    if (text === '') {
      const next = words[i + 1];
      if (next === undefined || next.text === '||' || next.text === 'or') {
        report.error("'!' must be followed by an ACL name or '{ … }'", at(w));
        return null;
      }
      // `! acl`: the operator stands alone; apply it to the next word
      i++;
      text = next.text;
      while (text.startsWith('!')) {
        negate = !negate;
        text = text.slice(1);
      }
    }
    if (text === '{') {
      const close = words.findIndex((x, k) => k > i && x.text === '}');
      if (close < 0) {
        report.error("missing closing '}' in condition", at(w));
        return null;
      }
      const inner = words.slice(i + 1, close);
      const test = inner.length === 0 ? (report.error("empty anonymous ACL '{ }': missing fetch method", at(w)), null) : parseAclTest(inner, where, report, ctx);
      if (test === null) ok = false;
      else current.push({ negate, acl: { name: null, predefined: false, tests: [test], where: at(w) } });
      i = close;
      continue;
    }
    if (text === '}') {
      report.error("unexpected '}' in condition (no '{' before it)", at(w));
      return null;
    }
    const named = acls.get(text);
    const acl = named ?? predefinedAcl(text, ctx);
    if (acl === undefined) {
      if (UNSUPPORTED_PREDEFINED.has(text)) report.error(`predefined ACL '${text}' is not supported by lbd`, at(w));
      else {
        const hint = suggest(text, [...acls.keys(), ...Object.keys(PREDEFINED_ACLS)]);
        report.error(`no such ACL: '${text}'${hint ? `; did you mean '${hint}'?` : ''} (ACLs must be declared before the line that uses them)`, at(w));
      }
      ok = false;
      continue;
    }
    current.push({ negate, acl });
  }
  if (!ok) return null;
  if (current.length === 0) {
    report.error(`'${words[words.length - 1].text}' without a condition on its right`, at(words[words.length - 1]));
    return null;
  }
  alternatives.push(current);
  return { polarity, alternatives, text: words.map((x) => x.text).join(' '), where };
}
