/**
 * Numbers with units, as HAProxy writes them. Every parser returns a value or an error string that
 * says what was expected, so keyword parsers can report it with the keyword's name.
 */

export type Parsed<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: string };

const ok = <T>(value: T): Parsed<T> => ({ ok: true, value });
const fail = <T>(error: string): Parsed<T> => ({ ok: false, error });

/** Time units and their length in microseconds. A bare number is in milliseconds. */
const TIME_UNITS_US: Readonly<Record<string, number>> = {
  us: 1,
  ms: 1_000,
  s: 1_000_000,
  m: 60_000_000,
  h: 3_600_000_000,
  d: 86_400_000_000,
};

/** HAProxy keeps timers in signed 32-bit milliseconds; anything longer is refused, as HAProxy does. */
export const MAX_DURATION_MS = 2_147_483_647;

/**
 * Parse a duration (`100`, `250ms`, `2s`, `1m`, `1h`, `1d`, `500us`) into milliseconds.
 * No unit means milliseconds, as in HAProxy for every timeout; microseconds round up so a
 * non-zero delay never becomes zero.
 */
export function parseDuration(text: string): Parsed<number> {
  const m = /^(\d+)([a-z]*)$/.exec(text);
  if (!m) return fail(`expected a duration such as '500ms', '2s' or '1m' (units: us, ms, s, m, h, d; default ms), got '${text}'`);
  const unit = m[2] === '' ? 'ms' : m[2];
  const perUnit = TIME_UNITS_US[unit];
  if (perUnit === undefined) return fail(`unknown time unit '${m[2]}' in '${text}' (units: us, ms, s, m, h, d)`);
  const ms = Math.ceil((Number(m[1]) * perUnit) / 1000);
  if (ms > MAX_DURATION_MS) return fail(`timer overflow in '${text}' (maximum is ${MAX_DURATION_MS} ms, about 24.8 days)`);
  return ok(ms);
}

const SIZE_UNITS: Readonly<Record<string, number>> = { '': 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3 };

/** Parse a size (`512`, `16k`, `1m`, `2g`) into bytes; suffixes are powers of 1024 as in HAProxy. */
export function parseSize(text: string): Parsed<number> {
  const m = /^(\d+)([a-zA-Z]?)$/.exec(text);
  const mult = m ? SIZE_UNITS[m[2].toLowerCase()] : undefined;
  if (!m || mult === undefined) return fail(`expected a size such as '16384', '16k', '1m' or '1g', got '${text}'`);
  return ok(Number(m[1]) * mult);
}

/** Parse a plain decimal integer within [min, max]; signs, decimals and trailing junk are refused. */
export function parseInteger(text: string, min: number, max: number): Parsed<number> {
  if (!/^-?\d+$/.test(text)) return fail(`expected an integer, got '${text}'`);
  const n = Number(text);
  if (n < min || n > max) return fail(max >= Number.MAX_SAFE_INTEGER ? `expected an integer of at least ${min}, got '${text}'` : `expected an integer between ${min} and ${max}, got '${text}'`);
  return ok(n);
}

/** A TCP port, 1..65535. */
export function parsePort(text: string): Parsed<number> {
  const r = parseInteger(text, 1, 65535);
  return r.ok ? r : fail(`expected a TCP port between 1 and 65535, got '${text}'`);
}

/** A file mode in octal (`600`, `0660`), as `stats socket … mode` takes it. */
export function parseOctalMode(text: string): Parsed<number> {
  if (!/^[0-7]{1,4}$/.test(text)) return fail(`expected an octal file mode such as '600' or '0660', got '${text}'`);
  return ok(parseInt(text, 8));
}
