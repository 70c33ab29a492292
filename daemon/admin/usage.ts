/**
 * `help` and the "Unknown command" answers, generated from the command table the way HAProxy 2.6's
 * cli_gen_usage_msg() does: the longest run of leading words that match some keyword decides which
 * entries are listed, and words past it are fuzzy-matched by character-transition fingerprints, so a
 * typo gets the few closest commands instead of the whole list.
 */
import type { Command } from './command-types.js';
import { usageLine } from './command-types.js';

/** Keywords are matched on at most this many leading words (CLI_PREFIX_KW_NB). */
const PREFIX_WORDS = 5;
/** At most this many fuzzy suggestions (CLI_MAX_MATCHES). */
const MAX_MATCHES = 5;

export const HELP_HEADER = 'The following commands are valid at this level:\n';
export const UNKNOWN_HEADER = 'Unknown command. Please enter one of the following commands only:\n';
export const FUZZY_HEADER = 'Unknown command, but maybe one of the following ones is a better match:\n';
/** The last three lines of every usage answer, byte for byte as HAProxy prints them. */
export const USAGE_FOOTER =
  '  help [<command>]                        : list matching or all commands\n' +
  '  prompt                                  : toggle interactive mode with prompt\n' +
  '  quit                                    : disconnect\n';

/**
 * Add `word` to a fingerprint: a 1024-cell table of transitions between character classes (letters
 * 1..26, digit 27, anything else and the word's start and end 28), plus row 0 marking which classes
 * occur. HAProxy's update_word_fingerprint(); the same cells give the same suggestions.
 */
function addFingerprint(fp: Uint8Array, word: string): void {
  let from = 28;
  for (let i = 0; i < word.length; i++) {
    const code = word.charCodeAt(i);
    let to: number;
    if (code >= 0x61 && code <= 0x7a) to = code - 0x60;
    else if (code >= 0x41 && code <= 0x5a) to = code - 0x40;
    else if (code >= 0x30 && code <= 0x39) to = 27;
    else to = 28;
    fp[to] = 1;
    fp[32 * from + to]!++;
    from = to;
  }
  fp[32 * from + 28]!++;
}

function distance(a: Uint8Array, b: Uint8Array): number {
  let d = 0;
  for (let i = 0; i < 1024; i++) d += Math.abs(a[i]! - b[i]!);
  return d;
}

/** How many of `args`' leading words equal `kw`'s, stopping at `limit`. */
function matchedWords(kw: Command, args: readonly string[], limit: number): number {
  let i = 0;
  while (i < limit && i < kw.words.length && i < args.length && args[i] && kw.words[i] === args[i]) i++;
  return i;
}

/**
 * The answer to `help [words]` (when `args[0]` is `help`) or to a line that selects no command.
 * `commands` is the table in its registration order, which breaks ties between equal suggestions.
 */
export function usageText(commands: readonly Command[], args: readonly string[]): string {
  let ishelp = false;
  if (args[0] === 'help') {
    args = args.slice(1);
    ishelp = true;
  }
  // the longest run of leading words that some keyword shares with the line
  let length = 0;
  for (const kw of commands) length = Math.max(length, matchedWords(kw, args, PREFIX_WORDS));

  let out = ishelp ? HELP_HEADER : length === 0 && !args[0] ? UNKNOWN_HEADER : FUZZY_HEADER;

  const matches: { kw: Command; dist: number }[] = [];
  if (args[length]) {
    const wordSig = new Uint8Array(1024);
    let argLen = 0;
    for (let i = length; i < PREFIX_WORDS && args[i]; i++) {
      addFingerprint(wordSig, args[i]!);
      argLen += args[i]!.length;
    }
    for (const kw of commands) {
      if (!kw.usage || matchedWords(kw, args, length) !== length) continue;
      const listSig = new Uint8Array(1024);
      let total = argLen;
      for (let i = length; i < PREFIX_WORDS && i < kw.words.length; i++) {
        addFingerprint(listSig, kw.words[i]!);
        total += kw.words[i]!.length;
      }
      const dist = distance(wordSig, listSig);
      // keep the best MAX_MATCHES, earlier entries winning ties (strict comparisons, as HAProxy)
      if (dist < Math.trunc((5 * total) / 2) && (matches.length < MAX_MATCHES || dist < matches[MAX_MATCHES - 1]!.dist)) {
        if (matches.length === MAX_MATCHES) matches.pop();
        let at = matches.length;
        while (at > 0 && matches[at - 1]!.dist > dist) at--;
        matches.splice(at, 0, { kw, dist });
      }
    }
  }

  let entries: Command[];
  if (matches.length) {
    const best = matches[0]!.dist;
    entries = matches.filter((m) => m.dist <= Math.trunc((5 * best) / 2)).map((m) => m.kw);
  } else {
    entries = commands.filter((kw) => kw.usage && matchedWords(kw, args, length) === length);
  }
  const lines = entries.map((kw) => usageLine(kw.usage!)).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  for (const l of lines) out += l + '\n';
  return out + USAGE_FOOTER;
}
