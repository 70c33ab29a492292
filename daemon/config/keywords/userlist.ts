/**
 * `userlist <name>` sections: `user <name> [password <crypt-hash> | insecure-password <text>] [groups <g>,…]`
 * and `group <name> [users <u>,…]`. Memberships may be written on either side; both are checked once the
 * section is read (validate-http.ts), as HAProxy does.
 */
import type { UserlistDraft } from '../drafts.js';
import type { KeywordTable } from './table.js';
import { hashScheme } from '../../http/acl/crypt.js';
import type { UserPassword } from '../../http/acl/auth.js';

const USERLIST = ['userlist'] as const;
const at = (ctx: { line: { file: string; line: number } }) => ({ file: ctx.line.file, line: ctx.line.line });
const list = (text: string): string[] => text.split(',').filter((s) => s !== '');

/** The keywords of a `userlist` section. */
export const USERLIST_KEYWORDS: KeywordTable<UserlistDraft> = {
  user: {
    help: '<name> [password <crypt-hash>|insecure-password <password>] [groups <group>,…]: a user ($6$, $5$ and $1$ hashes are verified)',
    sections: USERLIST,
    parse(ctx, ul) {
      const [name, ...rest] = ctx.args;
      if (name === undefined) return ctx.error('expects <username> as argument');
      let password: UserPassword = null;
      let groups: string[] = [];
      for (let i = 0; i < rest.length; i += 2) {
        const w = rest[i];
        const v = rest[i + 1];
        if (w.text !== 'password' && w.text !== 'insecure-password' && w.text !== 'groups') return ctx.error(`unexpected keyword '${w.text}' (expected password, insecure-password or groups)`, w);
        if (v === undefined) return ctx.error(`'${w.text}' expects a value`, w);
        if (w.text === 'groups') groups = list(v.text);
        else if (w.text === 'insecure-password') password = { kind: 'insecure', value: v.text };
        else {
          const scheme = hashScheme(v.text);
          if (typeof scheme !== 'string') return ctx.error(scheme.error, v);
          password = { kind: 'crypt', hash: v.text };
        }
      }
      if (ul.users.some((u) => u.name === name.text)) return ctx.warn(`ignoring duplicated user '${name.text}' in userlist '${ul.name}'`, name);
      if (password === null) ctx.warn(`user '${name.text}' has no password: it can never authenticate`, name);
      ul.users.push({ name: name.text, password, groups, where: at(ctx) });
    },
  },
  group: {
    help: '<name> [users <user>,…]: a group',
    sections: USERLIST,
    parse(ctx, ul) {
      const [name, kw, users, extra] = ctx.args;
      if (name === undefined) return ctx.error('expects <groupname> as argument');
      if (kw !== undefined && (kw.text !== 'users' || users === undefined)) return ctx.error(`expects 'users <user>,…' after the group name${kw.text !== 'users' ? `, got '${kw.text}'` : ''}`, kw);
      if (extra !== undefined) return ctx.error(`unexpected argument '${extra.text}'`, extra);
      if (ul.groups.some((g) => g.name === name.text)) return ctx.warn(`ignoring duplicated group '${name.text}' in userlist '${ul.name}'`, name);
      ul.groups.push({ name: name.text, users: users ? list(users.text) : [], where: at(ctx) });
    },
  },
};
