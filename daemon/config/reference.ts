import { listKeywords } from './index.js';
import { FETCHES } from '../http/acl/fetches.js';
import { ACL_KEYWORDS, PREDEFINED_ACLS } from '../http/acl/acl-keywords.js';

/**
 * The configuration reference as Markdown, generated from the parser's keyword tables so the README can
 * never list a keyword the parser lacks (or miss one it has). `scripts/gen-reference.mjs` writes it into
 * README.md between markers; a unit test fails when the README is stale.
 */
export function keywordReferenceMarkdown(): string {
  const all = listKeywords();
  const esc = (s: string) => s.replace(/\|/g, '\\|');
  const out: string[] = [];
  const table = (title: string, rows: { keyword: string; help: string }[]) => {
    out.push(`### ${title}`, '', '| keyword | syntax and meaning |', '|---|---|');
    for (const r of rows) out.push(`| \`${esc(r.keyword)}\` | ${esc(r.help)} |`);
    out.push('');
  };
  table('`global`', all.filter((k) => k.section === 'global'));

  // proxies: one row per keyword with the sections that accept it
  const proxySections = ['defaults', 'frontend', 'backend', 'listen'] as const;
  const byKeyword = new Map<string, { help: string; in: Set<string> }>();
  for (const k of all) {
    if (!(proxySections as readonly string[]).includes(k.section)) continue;
    const e = byKeyword.get(k.keyword) ?? { help: k.help, in: new Set<string>() };
    e.in.add(k.section);
    byKeyword.set(k.keyword, e);
  }
  out.push('### Proxies: `defaults`, `frontend`, `backend`, `listen`', '', '| keyword | d | f | b | l | syntax and meaning |', '|---|:-:|:-:|:-:|:-:|---|');
  for (const [kw, e] of byKeyword) {
    const marks = proxySections.map((s) => (e.in.has(s) ? '✓' : '')).join(' | ');
    out.push(`| \`${esc(kw)}\` | ${marks} | ${esc(e.help)} |`);
  }
  out.push('');
  table('`userlist`', all.filter((k) => k.section === 'userlist'));
  table('`server` and `default-server` options', all.filter((k) => k.section === 'server'));
  table('`bind` options', all.filter((k) => k.section === 'bind'));
  out.push(...fetchReference());
  return out.join('\n');
}

const NEEDS: Readonly<Record<string, string>> = { l4: 'any mode', content: 'mode tcp, tcp-request content rules', req: 'HTTP request', res: 'HTTP response', txn: 'HTTP request (also in response rules)' };

/** The fetch table (ACLs, conditions, `%[…]` values), with the ACL forms of each fetch and the predefined ACLs. */
function fetchReference(): string[] {
  const esc = (s: string) => s.replace(/\|/g, '\\|');
  const derived = new Map<string, string[]>();
  for (const [kw, row] of Object.entries(ACL_KEYWORDS)) derived.set(row.fetch, [...(derived.get(row.fetch) ?? []), kw]);
  const out = ['### Fetches (ACLs, conditions, `%[…]` in values)', '', '| fetch | type | needs | ACL forms | meaning |', '|---|---|---|---|---|'];
  for (const [name, f] of Object.entries(FETCHES)) {
    out.push(`| \`${esc(name + f.usage)}\` | ${f.type === 'meth' ? 'method' : f.type} | ${NEEDS[f.scope]} | ${(derived.get(name) ?? []).map((d) => `\`${d}\``).join(' ')} | ${esc(f.help)} |`);
    derived.delete(name);
  }
  out.push('', `Match methods (\`-m\`): found, bool, int, ip, len, str, sub, reg, beg, end, dir, dom. Flags: \`-i\`, \`-f <file>\`, \`-m <method>\`, \`-n\`, \`-u <id>\`, \`--\`. Integer operators: eq, ge, gt, le, lt, ranges \`a:b\`. Converters: lower, upper.`);
  out.push('', `Predefined ACLs: ${Object.entries(PREDEFINED_ACLS).map(([n, d]) => `\`${n}\` (\`${d}\`)`).join(', ')}.`, '');
  return out;
}
