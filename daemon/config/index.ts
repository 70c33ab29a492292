/**
 * The configuration loader's public API: files → a frozen Config, or every problem found.
 * `lbd`, `lbd -c`, `lbctl check` and reload all go through `loadConfig`/`parseConfigText`.
 */
import { readFile, readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { Config, ConfigDiagnostic } from './types.js';
import { lex, type Env } from './lexer.js';
import { Diagnostics, PROXY_KINDS, type SectionKind } from './context.js';
import type { KeywordTable } from './keywords/table.js';
import { ConfigParser } from './parser.js';
import { build } from './build.js';
import { checkListenerConflicts, validate } from './validate.js';
import { validateHttp } from './validate-http.js';
import { USERLIST_KEYWORDS } from './keywords/userlist.js';
import { libcResolver, resolveAll, type Resolver } from './resolve.js';
import { GLOBAL_KEYWORDS } from './keywords/global.js';
import { PROXY_KEYWORDS } from './keywords/proxy.js';
import { SERVER_OPTIONS } from './keywords/server.js';
import { BIND_OPTIONS } from './keywords/bind.js';

export type { Config, ConfigDiagnostic } from './types.js';

export interface LoadResult {
  /** null if and only if some diagnostic is an error. */
  config: Config | null;
  /** Errors and warnings, ordered by file (in load order) and line. */
  diagnostics: ConfigDiagnostic[];
}

export interface LoadOptions {
  /** Variables for `"${NAME}"` expansion; default process.env. */
  env?: Record<string, string | undefined>;
  /** Host name lookup; default the system resolver. Tests inject one to avoid DNS. */
  resolveHost?: Resolver;
}

interface Source {
  readonly file: string;
  readonly text: string;
}

/** Freeze an object graph so nothing downstream can change the loaded configuration by accident. */
function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}

const errorText = (e: unknown): string => {
  const code = (e as NodeJS.ErrnoException).code;
  const known: Record<string, string> = { ENOENT: 'no such file or directory', EACCES: 'permission denied', EISDIR: 'is a directory' };
  return (code && known[code]) ?? (e as Error).message;
};

/**
 * `-f` semantics: a path is a file, or a directory whose non-hidden `*.cfg` files load in lexical order.
 * A path that cannot be read becomes a diagnostic at `<path>:0`, never an exception.
 */
async function readSources(paths: readonly string[], diags: Diagnostics): Promise<Source[]> {
  const sources: Source[] = [];
  if (paths.length === 0) diags.error({ file: '<command line>', line: 0 }, 'no configuration file given');
  for (const path of paths) {
    try {
      const st = await stat(path);
      const files = st.isDirectory()
        ? (await readdir(path, { withFileTypes: true }))
            .filter((d) => d.name.endsWith('.cfg') && !d.name.startsWith('.') && !d.isDirectory())
            .map((d) => d.name)
            .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))
            .map((n) => join(path, n))
        : [path];
      if (st.isDirectory() && files.length === 0) diags.warn({ file: path, line: 0 }, 'directory contains no .cfg file');
      for (const file of files) {
        try {
          sources.push({ file, text: await readFile(file, 'utf8') });
        } catch (e) {
          diags.error({ file, line: 0 }, `cannot read configuration file: ${errorText(e)}`);
        }
      }
    } catch (e) {
      diags.error({ file: path, line: 0 }, `cannot open configuration: ${errorText(e)}`);
    }
  }
  return sources;
}

/** Parse, build, validate and resolve the sources as one configuration. */
async function load(sources: readonly Source[], diags: Diagnostics, opts: LoadOptions): Promise<LoadResult> {
  const env: Env = opts.env ?? process.env;
  const parser = new ConfigParser(diags);
  for (const s of sources) {
    const lexed = lex(s.text, s.file, env);
    diags.list.push(...lexed.diagnostics);
    parser.parseLines(lexed.lines);
  }
  const parsed = parser.result();
  const built = build(parsed, diags);
  validate(parsed.proxies, built.frontends, built.backends, built.defaultBackendWhere, diags);
  validateHttp(parsed.proxies, parsed.userlists, built.frontends, built.backends, diags);
  await resolveAll(built.jobs, opts.resolveHost ?? libcResolver, diags);
  checkListenerConflicts(built.frontends, diags);
  if (sources.length > 0 && parsed.proxies.length === 0) {
    diags.warn({ file: sources[0].file, line: 0 }, 'no frontend, backend or listen section: lbd has nothing to do');
  }

  const fileOrder = new Map(sources.map((s, i) => [s.file, i]));
  const rank = (d: ConfigDiagnostic): number => fileOrder.get(d.where.file) ?? -1;
  const diagnostics = [...diags.list].sort((a, b) => rank(a) - rank(b) || a.where.line - b.where.line);
  if (diags.hasErrors) return { config: null, diagnostics };
  const config: Config = {
    files: sources.map((s) => s.file),
    global: built.global,
    frontends: built.frontends,
    backends: built.backends,
    userlists: built.userlists,
    warnings: diagnostics.filter((d) => d.severity === 'warning'),
  };
  return { config: deepFreeze(config), diagnostics };
}

/**
 * Load the configuration from files and directories (`lbd -f` semantics), concatenated in order as one
 * configuration. Never throws for a bad or missing file: problems are diagnostics and config is null.
 */
export async function loadConfig(paths: string[], opts: LoadOptions = {}): Promise<LoadResult> {
  const diags = new Diagnostics();
  const sources = await readSources(paths, diags);
  return load(sources, diags, opts);
}

/** Load a configuration given as text, named `file` in messages (tests, `lbctl check -`). */
export async function parseConfigText(text: string, file: string, opts: LoadOptions = {}): Promise<LoadResult> {
  return load([{ file, text }], new Diagnostics(), opts);
}

/** `file:line: message`, or `file:line: warning: message`; file-level problems (line 0) print as `file: message`. */
export function formatDiagnostic(d: ConfigDiagnostic): string {
  const place = d.where.line > 0 ? `${d.where.file}:${d.where.line}` : d.where.file;
  return `${place}: ${d.severity === 'warning' ? 'warning: ' : ''}${d.message}`;
}

/**
 * Every keyword lbd understands, read from the keyword tables themselves: sections `global`, `defaults`,
 * `frontend`, `backend`, `listen`, `userlist`, plus `server` (options of server/default-server lines) and `bind`.
 */
export function listKeywords(): { section: string; keyword: string; help: string }[] {
  const out: { section: string; keyword: string; help: string }[] = [];
  const add = (section: string, keyword: string, help: string): void => void out.push({ section, keyword, help });
  const listTable = <T>(section: SectionKind, table: KeywordTable<T>): void => {
    for (const [kw, row] of Object.entries(table)) {
      if (!row.sections.includes(section)) continue;
      if (row.sub === undefined) add(section, kw, row.help);
      else for (const [sub, s] of Object.entries(row.sub)) if (!s.sections || s.sections.includes(section)) add(section, `${kw} ${sub}`, s.help);
    }
  };
  listTable('global', GLOBAL_KEYWORDS);
  for (const kind of PROXY_KINDS) listTable(kind, PROXY_KEYWORDS);
  listTable('userlist', USERLIST_KEYWORDS);
  for (const [kw, row] of Object.entries(SERVER_OPTIONS)) add('server', kw, row.inDefaultServer ? row.help : `${row.help} (not on default-server)`);
  for (const [kw, row] of Object.entries(BIND_OPTIONS)) add('bind', kw, row.help);
  return out;
}
