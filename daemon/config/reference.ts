import { listKeywords } from './index.js';

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
  return out.join('\n');
}
