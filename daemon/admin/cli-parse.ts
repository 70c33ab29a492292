/**
 * The runtime API's request syntax, as HAProxy 2.6's cli_io_handler() and cli_parse_request() read it:
 * a request ends at `\n` or at an unescaped `;` (one `\r` before it is dropped); words are split on
 * spaces and tabs, a backslash escapes the next character; a line ending with the word `<<` collects
 * the following lines as its payload until an empty line. Pure functions, no I/O.
 */

/** At most this many words are kept (MAX_CLI_ARGS); more are ignored. */
export const MAX_ARGS = 64;

/** The payload marker: a line whose last word is exactly this takes the next lines until an empty one. */
export const PAYLOAD_MARKER = '<<';

/**
 * Find the next request in `input`. In payload mode only `\n` ends a line (no `;`, no escapes).
 * Returns the line without its terminator and the number of characters it used, or null while the
 * terminator has not arrived (bytes without it are never executed).
 */
export function nextLine(input: string, payloadMode: boolean): { line: string; used: number } | null {
  let end = -1;
  if (payloadMode) end = input.indexOf('\n');
  else {
    for (let i = 0; i < input.length; i++) {
      const c = input.charCodeAt(i);
      if (c === 0x5c /* \ */) i++;
      else if (c === 0x0a || c === 0x3b /* ; */) {
        end = i;
        break;
      }
    }
  }
  if (end < 0) return null;
  let line = input.slice(0, end);
  if (line.endsWith('\r')) line = line.slice(0, -1);
  return { line, used: end + 1 };
}

/** A line that switches to payload collection: its text ends with `<<` (HAProxy tests the bytes, not the word). */
export function startsPayload(line: string): boolean {
  return line.endsWith(PAYLOAD_MARKER);
}

/**
 * Split a request into words. `payload` is true when the last word is exactly `<<` (that word is not
 * returned): only then does the command receive the collected payload.
 */
export function splitWords(line: string): { words: string[]; payload: boolean } {
  const words: string[] = [];
  let p = 0;
  const end = line.length;
  while (words.length < MAX_ARGS && p < end) {
    while (p < end && (line[p] === ' ' || line[p] === '\t')) p++;
    if (p >= end) break;
    if (line.slice(p) === PAYLOAD_MARKER) return { words, payload: true };
    const start = p;
    for (;;) {
      while (p < end && line[p] !== ' ' && line[p] !== '\t' && line[p] !== '\\') p++;
      if (p < end && line[p] === '\\') {
        p += 2; // the backslash and the character it escapes stay in the word
        if (p >= end) break;
        continue;
      }
      break;
    }
    const raw = line.slice(start, Math.min(p, end));
    p++;
    // unescape: `\\` gives `\`, `\x` gives `x`
    let word = '';
    for (let k = 0; k < raw.length; k++) {
      if (raw[k] === '\\') {
        if (raw[k + 1] === '\\') k++;
        else continue;
      }
      word += raw[k];
    }
    words.push(word);
  }
  return { words, payload: false };
}

/**
 * C's strtol/strtoul prefix parse, which HAProxy's CLI uses for numbers: optional blanks and sign, then
 * digits in `base` (0: `0x` hex, leading `0` octal, else decimal). `rest` is what follows the digits;
 * `digits` false when there were none (then value is 0 and rest is the whole input).
 */
export function strtol(s: string, base: 0 | 10 = 10): { value: number; rest: string; digits: boolean } {
  let i = 0;
  while (i < s.length && /[ \t\n\v\f\r]/.test(s[i]!)) i++;
  let neg = false;
  if (s[i] === '+' || s[i] === '-') neg = s[i++] === '-';
  let radix = 10;
  if (base === 0) {
    if (s[i] === '0' && (s[i + 1] === 'x' || s[i + 1] === 'X') && /[0-9a-fA-F]/.test(s[i + 2] ?? '')) {
      radix = 16;
      i += 2;
    } else if (s[i] === '0') radix = 8;
  }
  const start = i;
  let value = 0;
  for (; i < s.length; i++) {
    const d = parseInt(s[i]!, radix);
    if (Number.isNaN(d)) break;
    value = value * radix + d;
  }
  if (i === start) return { value: 0, rest: s, digits: false };
  return { value: neg ? -value : value, rest: s.slice(i), digits: true };
}
