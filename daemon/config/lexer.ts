/**
 * The config lexer: text → lines of words, each word with its file:line:col.
 *
 * It follows HAProxy's `parse_line()` rules so a file HAProxy reads splits into the same words:
 * - words are separated by unescaped, unquoted spaces or tabs; `#` outside quotes starts a comment;
 * - `'…'` quotes everything literally; `"…"` keeps spaces and `#` but still honours backslash escapes
 *   and expands environment variables (`$NAME`, `${NAME}`, `${NAME-default}`, `${NAME[*]}`);
 * - outside single quotes, `\ ` `\\` `\#` `\'` `\"` `\r` `\n` `\t` `\xNN` are escapes, and `\$` inside
 *   double quotes; any other backslash is kept as written (so `\1` in a regex survives);
 * - quoted and unquoted parts glue into one word (`"a b"'c'd` is one word).
 */
import type { ConfigDiagnostic } from './types.js';

/** One word of a config line, after quoting, escapes and expansion. `col` counts from 1. */
export interface Word {
  readonly text: string;
  readonly col: number;
}

/** One non-empty config line. `raw` is the line as written from its first to its last word (no comment), for `log` lines kept verbatim. */
export interface Line {
  readonly file: string;
  readonly line: number;
  readonly words: readonly Word[];
  readonly raw: string;
}

export interface LexResult {
  readonly lines: Line[];
  readonly diagnostics: ConfigDiagnostic[];
}

export type Env = Readonly<Record<string, string | undefined>>;

const SIMPLE_ESCAPES: Readonly<Record<string, string>> = { ' ': ' ', '\\': '\\', t: '\t', n: '\n', r: '\r', '#': '#', "'": "'", '"': '"' };
const isSpace = (c: string): boolean => c === ' ' || c === '\t' || c === '\v' || c === '\f';
const isHex = (c: string | undefined): boolean => c !== undefined && /^[0-9a-fA-F]$/.test(c);

class LexError extends Error {
  constructor(message: string, readonly col: number) {
    super(message);
  }
}

/**
 * Split a whole file into lines of words. Lines with no words (blank, comment only) are dropped.
 * A line with a lexing error (unmatched quote, bad `\x`, bad variable) yields a diagnostic and no words,
 * so the parser never acts on half a line; the other lines still parse.
 */
export function lex(text: string, file: string, env: Env): LexResult {
  const lines: Line[] = [];
  const diagnostics: ConfigDiagnostic[] = [];
  const src = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  const rows = src.split('\n');
  for (let i = 0; i < rows.length; i++) {
    const raw = rows[i].endsWith('\r') ? rows[i].slice(0, -1) : rows[i];
    try {
      const { words, end } = split(raw, env, { file, line: i + 1 });
      if (words.length > 0) lines.push({ file, line: i + 1, words, raw: raw.slice(words[0].col - 1, end) });
    } catch (e) {
      if (!(e instanceof LexError)) throw e;
      diagnostics.push({ severity: 'error', where: { file, line: i + 1, col: e.col }, message: e.message });
    }
  }
  return { lines, diagnostics };
}

interface Pseudo {
  readonly file: string;
  readonly line: number;
}

/** Split one line into words (exported for tests). Throws LexError on a malformed line. */
export function lexLine(raw: string, env: Env, pseudo: Pseudo = { file: '', line: 0 }): Word[] {
  return split(raw, env, pseudo).words;
}

/** The words of a line and the index just after the last one. */
function split(raw: string, env: Env, pseudo: Pseudo): { words: Word[]; end: number } {
  const words: Word[] = [];
  let cur = ''; // the word being built
  let inWord = false;
  let col = 0;
  let squote = 0; // column of the opening quote, 0 when not inside one
  let dquote = 0;
  let sawSplit = false; // a `${NAME[*]}` expanded in this word: if it leaves the word empty, there is no word
  const startWord = (at: number): void => {
    if (!inWord) {
      inWord = true;
      cur = '';
      col = at + 1;
    }
  };
  let i = 0;
  let end = 0;
  const endWord = (): void => {
    if (inWord && !(cur === '' && sawSplit)) {
      words.push({ text: cur, col });
      end = i;
    }
    inWord = false;
    sawSplit = false;
  };

  while (i < raw.length) {
    const c = raw[i];
    if (squote) {
      if (c === "'") squote = 0;
      else cur += c;
      i++;
    } else if (c === "'" && !dquote) {
      startWord(i);
      squote = i + 1;
      i++;
    } else if (c === '"') {
      startWord(i);
      dquote = dquote ? 0 : i + 1;
      i++;
    } else if (c === '\\') {
      startWord(i);
      const [out, used] = escape(raw, i, dquote !== 0);
      cur += out;
      i += used;
    } else if (isSpace(c) && !dquote) {
      endWord();
      i++;
    } else if (c === '#' && !dquote) {
      break;
    } else if (c === '$' && dquote) {
      startWord(i);
      const exp = expand(raw, i, env, pseudo);
      if (exp.split) {
        // `${NAME[*]}`: the value's space-separated parts become separate words.
        const parts = exp.value.split(/\s+/).filter((p) => p !== '');
        parts.forEach((p, k) => {
          if (k > 0) {
            endWord();
            startWord(i);
          }
          cur += p;
        });
        sawSplit = true;
      } else {
        cur += exp.value;
      }
      i = exp.next;
    } else {
      startWord(i);
      cur += c;
      i++;
    }
  }
  if (squote || dquote) throw new LexError(`unmatched quote at position ${squote || dquote}`, squote || dquote);
  endWord();
  return { words, end };
}

/** One backslash sequence at raw[i]: returns the text it stands for and how many characters it used. */
function escape(raw: string, i: number, inDquote: boolean): [string, number] {
  const next = raw[i + 1];
  if (next === undefined) return ['\\', 1];
  if (next in SIMPLE_ESCAPES) return [SIMPLE_ESCAPES[next], 2];
  if (next === '$' && inDquote) return ['$', 2];
  if (next === 'x') {
    if (!isHex(raw[i + 2]) || !isHex(raw[i + 3])) throw new LexError(`invalid hex escape sequence at position ${i + 1} (expected \\xNN)`, i + 1);
    return [String.fromCharCode(parseInt(raw.slice(i + 2, i + 4), 16)), 4];
  }
  return ['\\', 1]; // not an escape: the backslash stays, the next character is read normally
}

interface Expansion {
  readonly value: string;
  readonly next: number;
  readonly split: boolean;
}

/** Expand the variable reference starting at raw[i] (a `$`), HAProxy style; unset variables expand to ''. */
function expand(raw: string, i: number, env: Env, pseudo: Pseudo): Expansion {
  let j = i + 1;
  const brace = raw[j] === '{';
  if (brace) j++;
  const start = j;
  if (!/^[A-Za-z_.]$/.test(raw[j] ?? '')) {
    throw new LexError(`forbidden first character in environment variable name at position ${j + 1}`, j + 1);
  }
  if (raw[j] === '.') j++;
  while (j < raw.length && /^[A-Za-z0-9_]$/.test(raw[j])) j++;
  const name = raw.slice(start, j);
  let value: string | undefined;
  if (name.startsWith('.')) {
    const builtins: Record<string, string> = { '.FILE': pseudo.file, '.LINE': String(pseudo.line) };
    if (!(name in builtins)) throw new LexError(`unknown internal variable '${name}' at position ${start + 1}`, start + 1);
    value = builtins[name];
  } else {
    value = env[name];
  }
  let split = false;
  if (brace && raw[j] === '[') {
    if (raw.slice(j, j + 3) !== '[*]') throw new LexError(`invalid word expansion at position ${j + 1} (only '[*]' is allowed)`, j + 1);
    split = true;
    j += 3;
  }
  if (brace) {
    if (raw[j] === '-') {
      const close = raw.indexOf('}', j);
      if (close < 0) throw new LexError(`unmatched brace in environment variable name at position ${i + 2}`, i + 2);
      if (value === undefined) value = raw.slice(j + 1, close);
      j = close;
    }
    if (raw[j] !== '}') throw new LexError(`unmatched brace in environment variable name at position ${i + 2}`, i + 2);
    j++;
  }
  return { value: value ?? '', next: j, split };
}
