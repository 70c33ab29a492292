/** `acl <name> <fetch> [flags] [operator] <patterns…>` and `use_backend <backend> [if|unless <condition>]`. */
import type { ProxyDraft } from '../drafts.js';
import type { Keyword } from './table.js';
import type { SectionKind } from '../context.js';
import { invalidNameChar } from '../context.js';
import { parseAclTest } from '../../http/acl/acl.js';
import { parseContext, reporter, withCondition } from './http-common.js';

const PROXIES: readonly SectionKind[] = ['frontend', 'backend', 'listen'];
const FRONT_ONLY: readonly SectionKind[] = ['frontend', 'listen'];

/** `acl`: a named test; several lines with one name add alternatives (the ACL matches when any line does). */
export const aclKeyword: Keyword<ProxyDraft> = {
  help: '<name> <fetch>[,<converter>] [-i] [-f <file>] [-m <method>] [<operator>] <pattern> …: a named test; lines with the same name are OR-ed',
  sections: PROXIES,
  parse(ctx, px) {
    const [name, ...rest] = ctx.args;
    if (name === undefined) return ctx.error('expects an ACL name and a fetch method');
    const bad = invalidNameChar(name.text);
    if (bad !== null) return ctx.error(`character '${bad}' is not permitted in acl name '${name.text}'`, name);
    const actx = ctx.named(`acl ${name.text}`, rest);
    const test = parseAclTest(rest, actx.where(), reporter(actx), parseContext(actx, px, 'req'));
    const entry = px.acls.get(name.text);
    // a line with an error still declares the name, so the rules using it do not add "no such ACL" errors
    if (entry) {
      if (test !== null) entry.tests.push(test);
    } else px.acls.set(name.text, { name: name.text, predefined: false, tests: test === null ? [] : [test], where: actx.where(name) });
  },
};

/** `use_backend <backend> [if|unless <condition>]`: the first rule whose condition holds picks the backend. */
export const useBackendKeyword: Keyword<ProxyDraft> = {
  help: '<backend> [if|unless <condition>]: send traffic to this backend when the condition holds (first matching rule wins)',
  sections: FRONT_ONLY,
  parse(ctx, px) {
    const split = withCondition(ctx, px, 1, 'req');
    if (split === undefined) return;
    const [name, extra] = split.args;
    if (name === undefined) return ctx.error('expects a backend name');
    if (extra !== undefined) return ctx.error(`unexpected argument '${extra.text}' after the backend name (only 'if' or 'unless' may follow)`, extra);
    if (name.text.includes('%[')) return ctx.error(`dynamic backend names ('${name.text}') are not supported by lbd`, name);
    const where = { file: ctx.line.file, line: ctx.line.line };
    px.http.firstUseBackend ??= where;
    px.useBackends.push({ backend: name.text, cond: split.cond, where });
  },
};
