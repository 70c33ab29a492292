/**
 * Regex replacement for `replace-header`, `replace-value`, `replace-path` and `replace-uri`: when the regex
 * matches (anywhere), the whole value becomes the format's result with `\0`..`\9` replaced by the match
 * and its groups, as HAProxy's `exp_replace` does. The regex is compiled at load.
 */
import type { Formatter } from './types.js';
import type { RequestView } from './view.js';
import { compileRegex } from './matchers.js';

/** A compiled replacement: the new value, or null when the regex does not match. */
export type Replacer = (value: string, view: RequestView) => string | null;

/** Expand `\N` back-references of a replacement string with a match's groups (missing groups are empty). */
export function expandBackrefs(template: string, m: RegExpExecArray): string {
  if (!template.includes('\\')) return template;
  return template.replace(/\\(\d)/g, (_, d: string) => m[Number(d)] ?? '');
}

/** Compile `<match-regex> <replace-fmt>`; returns an error message for a bad regex. Matching is case-sensitive. */
export function compileReplacer(regex: string, replace: Formatter): Replacer | string {
  const re = compileRegex(regex, false);
  if (typeof re === 'string') return re;
  return (value, view) => {
    const m = re.exec(value);
    return m === null ? null : expandBackrefs(replace.format(view), m);
  };
}
