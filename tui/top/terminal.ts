/**
 * What the terminal can show, from the environment: colour unless NO_COLOR is set (any value, as
 * no-color.org says) or TERM is `dumb`; Unicode symbols only when the locale is UTF-8 (LC_ALL, then
 * LC_CTYPE, then LANG, as setlocale reads them), so a console over SSH to a box with LANG=C draws
 * ASCII instead of mojibake. Flags (`--no-color`, `--ascii`) only ever turn these off.
 */

/** True when the locale is UTF-8. No locale variable at all counts as not UTF-8 (the C locale). */
export function localeIsUtf8(env: NodeJS.ProcessEnv = process.env): boolean {
  const loc = env.LC_ALL || env.LC_CTYPE || env.LANG || '';
  return /utf-?8/i.test(loc);
}

/** Colour is wanted unless NO_COLOR is present and non-empty, or the terminal is dumb. */
export function colorWanted(env: NodeJS.ProcessEnv = process.env): boolean {
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false;
  return env.TERM !== 'dumb';
}

/** The display options for these flags in this environment. */
export function displayOptions(flags: { color?: boolean; ascii?: boolean }, env: NodeJS.ProcessEnv = process.env): { color: boolean; ascii: boolean } {
  return { color: flags.color !== false && colorWanted(env), ascii: flags.ascii === true || !localeIsUtf8(env) };
}
