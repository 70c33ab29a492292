/**
 * What the HTTP keyword parsers share: the fetch context of a section, `if|unless` conditions after an
 * action, and log-format values, each reporting problems at the right word of the line.
 */
import type { SourceRef } from '../types.js';
import type { Word } from '../lexer.js';
import type { ProxyDraft } from '../drafts.js';
import type { KwCtx } from '../context.js';
import type { Formatter } from '../../http/acl/types.js';
import type { FetchContext } from '../../http/acl/fetches.js';
import type { AclReporter } from '../../http/acl/acl.js';
import { parseCondition, type ParsedCondition } from '../../http/acl/condition.js';
import { compileFormatter } from '../../http/acl/format.js';

/** Report ACL/condition problems as `'<directive>': message` at the given place. */
export function reporter(ctx: KwCtx): AclReporter {
  return {
    error: (message, where) => ctx.diags.error(where, `'${ctx.kw}': ${message}`),
    warn: (message, where) => ctx.diags.warn(where, `'${ctx.kw}': ${message}`),
  };
}

/**
 * The fetch context while a section is read: `http_auth(<userlist>)` records the name, to be checked once
 * every section is read (userlists may come later in the files). Readers built here are never run.
 */
export function parseContext(ctx: KwCtx, px: ProxyDraft, dir: 'req' | 'res', acl = true): FetchContext {
  const where: SourceRef = ctx.where();
  return {
    dir,
    acl,
    userlist(name) {
      if (!px.userlistRefs.some((r) => r.name === name && r.where.line === where.line && r.where.file === where.file)) px.userlistRefs.push({ name, where });
      return () => null;
    },
  };
}

/**
 * Split `args` into the action's words and an optional `if|unless <condition>`: the condition starts at
 * the first `if`/`unless` at or after index `from`. Returns undefined after reporting a bad condition.
 */
export function withCondition(ctx: KwCtx, px: ProxyDraft, from: number, dir: 'req' | 'res'): { args: readonly Word[]; cond: ParsedCondition | null } | undefined {
  const i = ctx.args.findIndex((w, k) => k >= from && (w.text === 'if' || w.text === 'unless'));
  if (i < 0) return { args: ctx.args, cond: null };
  const kw = ctx.args[i];
  const cond = parseCondition(kw.text as 'if' | 'unless', ctx.args.slice(i + 1), ctx.where(kw), px.acls, reporter(ctx), parseContext(ctx, px, dir));
  if (cond === null) return undefined;
  return { args: ctx.args.slice(0, i), cond };
}

/** Report words left over after an action's arguments, HAProxy's way. */
export function extraWords(ctx: KwCtx, args: readonly Word[], used: number): boolean {
  if (args.length <= used) return false;
  ctx.error(`expects either 'if' or 'unless' followed by a condition but found '${args[used].text}'`, args[used]);
  return true;
}

/** Compile a log-format value (`%[src]`, `%ci` …) for a direction; undefined after reporting. */
export function formatterOf(ctx: KwCtx, px: ProxyDraft, word: Word, dir: 'req' | 'res'): Formatter | undefined {
  const f = compileFormatter(word.text, parseContext(ctx, px, dir, false));
  if (typeof f === 'string') {
    ctx.error(f, word);
    return undefined;
  }
  return f;
}
