/**
 * Sections and directives: walks the lexed lines, opens sections, applies `defaults` inheritance and
 * hands each directive to its keyword table. Nothing here knows what a keyword means.
 */
import type { SourceRef } from './types.js';
import type { Line, Word } from './lexer.js';
import { Diagnostics, KwCtx, invalidNameChar, refOf, type ProxyKind, type SectionKind } from './context.js';
import { emptyProxy, inheritProxy, type GlobalDraft, type ProxyDraft, type UserlistDraft } from './drafts.js';
import { USERLIST_KEYWORDS } from './keywords/userlist.js';
import { GLOBAL_KEYWORDS, globalKeyword } from './keywords/global.js';
import { PROXY_KEYWORDS, UNSUPPORTED_PROXY_KEYWORDS } from './keywords/proxy.js';
import { parseOption } from './keywords/options.js';
import { notAllowed } from './keywords/table.js';
import { didYouMean } from './suggest.js';

export const SECTION_NAMES: readonly SectionKind[] = ['global', 'defaults', 'frontend', 'backend', 'listen', 'userlist'];

/** HAProxy sections lbd does not implement: their lines are skipped after one error at the header. */
const UNSUPPORTED_SECTIONS = new Set(['resolvers', 'peers', 'mailers', 'program', 'http-errors', 'ring', 'cache', 'fcgi-app', 'log-forward', 'crt-store', 'traces']);

type Section = { kind: 'global' } | { kind: 'proxy'; px: ProxyDraft } | { kind: 'userlist'; ul: UserlistDraft } | { kind: 'skip' } | null;

/** Everything read from the files, before defaults are resolved into the Config model. */
export interface ParsedConfig {
  readonly global: GlobalDraft;
  /** Frontends, backends and listens in file order. */
  readonly proxies: ProxyDraft[];
  /** `userlist` sections in file order (a duplicated name is dropped with a warning). */
  readonly userlists: UserlistDraft[];
}

/** Reads files one after another into one configuration; `defaults` carry over from file to file. */
export class ConfigParser {
  private section: Section = null;
  private readonly global: GlobalDraft = { where: null, statsSockets: [], logs: [], logTargets: [], tune: {} };
  private readonly proxies: ProxyDraft[] = [];
  private readonly userlists: UserlistDraft[] = [];
  private readonly namedDefaults = new Map<string, ProxyDraft>();
  private lastDefaults: ProxyDraft | null = null;

  constructor(private readonly diags: Diagnostics) {}

  /** Parse one file's lines. Like HAProxy, a file starts outside any section. */
  parseLines(lines: readonly Line[]): void {
    this.section = null;
    for (const line of lines) this.parseLine(line);
    this.section = null;
  }

  result(): ParsedConfig {
    return { global: this.global, proxies: this.proxies, userlists: this.userlists };
  }

  private parseLine(line: Line): void {
    const kw = line.words[0];
    const where = refOf(line, kw);
    if (kw.text === 'userlist') return this.openUserlist(line);
    if ((SECTION_NAMES as readonly string[]).includes(kw.text)) return this.openSection(line, kw.text as Exclude<SectionKind, 'userlist'>);
    if (UNSUPPORTED_SECTIONS.has(kw.text)) {
      this.diags.error(where, `'${kw.text}' sections are not supported by lbd; the lines up to the next section are skipped`);
      this.section = { kind: 'skip' };
      return;
    }
    if (kw.text.startsWith('.')) return this.diags.error(where, `'${kw.text}' directives (conditional blocks and messages) are not supported by lbd`);
    const s = this.section;
    if (s === null) {
      const hint = didYouMean(kw.text, SECTION_NAMES);
      return this.diags.error(where, `unknown keyword '${kw.text}' out of section${hint || ' (start a section with global, defaults, frontend, backend or listen)'}`);
    }
    if (s.kind === 'skip') return;
    if (s.kind === 'global') return this.globalDirective(line, kw);
    if (s.kind === 'userlist') return this.userlistDirective(line, kw, s.ul);
    this.proxyDirective(line, kw, s.px);
  }

  private userlistDirective(line: Line, kw: Word, ul: UserlistDraft): void {
    const ctx = new KwCtx(this.diags, line, 'userlist', kw.text, line.words.slice(1));
    const row = Object.hasOwn(USERLIST_KEYWORDS, kw.text) ? USERLIST_KEYWORDS[kw.text] : undefined;
    if (row !== undefined) return row.parse(ctx, ul);
    this.unknown(line, kw, 'userlist', Object.keys(USERLIST_KEYWORDS));
  }

  /** `userlist <name>`: a second section with a known name is ignored with a warning, as in HAProxy. */
  private openUserlist(line: Line): void {
    const [, name, extra] = line.words;
    if (name === undefined) {
      this.diags.error(refOf(line, line.words[0]), "'userlist' expects <name> as argument");
      this.section = { kind: 'skip' };
      return;
    }
    if (extra !== undefined) this.diags.error(refOf(line, extra), `'userlist' takes one name, got '${extra.text}'`);
    const ul: UserlistDraft = { name: name.text, where: { file: line.file, line: line.line }, users: [], groups: [] };
    if (this.userlists.some((u) => u.name === name.text)) {
      this.diags.warn(refOf(line, name), `ignoring duplicated userlist '${name.text}'`);
    } else {
      this.userlists.push(ul);
    }
    this.section = { kind: 'userlist', ul };
  }

  private globalDirective(line: Line, kw: Word): void {
    const ctx = new KwCtx(this.diags, line, 'global', kw.text, line.words.slice(1));
    const row = globalKeyword(kw.text);
    if (row !== undefined) return row.parse(ctx, this.global);
    if (Object.hasOwn(PROXY_KEYWORDS, kw.text)) return notAllowed(ctx, kw.text, PROXY_KEYWORDS[kw.text].sections);
    this.unknown(line, kw, 'global', Object.keys(GLOBAL_KEYWORDS));
  }

  private proxyDirective(line: Line, kw: Word, px: ProxyDraft): void {
    const ctx = new KwCtx(this.diags, line, px.kind, kw.text, line.words.slice(1));
    if (kw.text === 'no') return this.negated(ctx, px);
    const row = Object.hasOwn(PROXY_KEYWORDS, kw.text) ? PROXY_KEYWORDS[kw.text] : undefined;
    if (row === undefined) {
      if (UNSUPPORTED_PROXY_KEYWORDS.has(kw.text)) return this.diags.error(refOf(line, kw), `'${kw.text}' is not supported by lbd`);
      if (globalKeyword(kw.text) !== undefined) return notAllowed(ctx, kw.text, ['global']);
      return this.unknown(line, kw, px.kind, Object.keys(PROXY_KEYWORDS).filter((k) => PROXY_KEYWORDS[k].sections.includes(px.kind)));
    }
    if (!row.sections.includes(px.kind)) return notAllowed(ctx, kw.text, row.sections);
    row.parse(ctx, px);
  }

  /** `no option <name>` and `no log`: the only negated forms lbd knows. */
  private negated(ctx: KwCtx, px: ProxyDraft): void {
    const what = ctx.args[0]?.text;
    if (what === 'option') return parseOption(ctx.sub(1), px, true);
    if (what === 'log') {
      // `no log` forgets the log targets inherited from defaults
      if (ctx.args.length > 1) return ctx.sub(1).error(`unexpected argument '${ctx.args[1].text}' (expects no argument)`, ctx.args[1]);
      px.http.logTargets = [];
      return;
    }
    ctx.error("only 'no option <name>' and 'no log' are supported", ctx.args[0]);
  }

  private unknown(line: Line, kw: Word, section: SectionKind, candidates: readonly string[]): void {
    const hint = didYouMean(kw.text, [...candidates, ...SECTION_NAMES]);
    this.diags.error(refOf(line, kw), `unknown keyword '${kw.text}' in '${section}' section${hint}`);
  }

  private openSection(line: Line, kind: Exclude<SectionKind, 'userlist'>): void {
    const where: SourceRef = { file: line.file, line: line.line };
    const args = line.words.slice(1);
    if (kind === 'global') {
      if (args.length > 0) this.diags.error(refOf(line, args[0]), `'global' takes no argument, got '${args[0].text}'`);
      this.global.where ??= where;
      this.section = { kind: 'global' };
      return;
    }
    const { name, from } = this.sectionArgs(line, kind, args);
    // A new defaults section starts from scratch unless it names one with `from` (HAProxy: "reset by the next defaults").
    const base = from !== undefined ? this.findDefaults(line, from) : kind === 'defaults' ? null : this.lastDefaults;
    const px = base ? inheritProxy(base, kind, name, where) : emptyProxy(kind, name, where);
    this.section = { kind: 'proxy', px };
    if (kind === 'defaults') {
      this.lastDefaults = px;
      if (name !== '') this.rememberDefaults(line, px);
    } else {
      this.proxies.push(px);
    }
  }

  /** `<kind> [<name>] [from <defaults>]`; the name is mandatory except for defaults. */
  private sectionArgs(line: Line, kind: ProxyKind, args: readonly Word[]): { name: string; from: Word | undefined } {
    let rest = args;
    let name = '';
    if (rest.length > 0 && rest[0].text !== 'from') {
      name = rest[0].text;
      const bad = invalidNameChar(name);
      if (bad !== null) this.diags.error(refOf(line, rest[0]), `character '${bad}' is not permitted in ${kind} name '${name}'`);
      rest = rest.slice(1);
    } else if (kind !== 'defaults') {
      this.diags.error(refOf(line, line.words[0]), `'${kind}' expects a name`);
    }
    let from: Word | undefined;
    if (rest.length > 0) {
      if (rest[0].text !== 'from' || rest.length !== 2) {
        this.diags.error(refOf(line, rest[0]), `unexpected '${rest.map((w) => w.text).join(' ')}' (expects ${kind} ${kind === 'defaults' ? '[<name>]' : '<name>'} [from <defaults>])`);
      } else {
        from = rest[1];
      }
    }
    return { name, from };
  }

  private findDefaults(line: Line, from: Word): ProxyDraft | null {
    const d = this.namedDefaults.get(from.text);
    if (d === undefined) {
      this.diags.error(refOf(line, from), `defaults section '${from.text}' not found (it must be declared above)${didYouMean(from.text, this.namedDefaults.keys())}`);
      return null;
    }
    return d;
  }

  private rememberDefaults(line: Line, px: ProxyDraft): void {
    const prev = this.namedDefaults.get(px.name);
    if (prev) this.diags.warn(refOf(line, line.words[1]), `defaults section '${px.name}' replaces the one declared at ${prev.where.file}:${prev.where.line}`);
    this.namedDefaults.set(px.name, px);
  }
}
