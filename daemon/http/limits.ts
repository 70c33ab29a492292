// Head size limits derived from HAProxy's tunables, measured against HAProxy 2.6.12 on loopback
// (test/fixtures/http/verify-haproxy.mjs keeps boundary rows for them).

/** The limits a HeadParser enforces; build them with headLimits(). */
export interface HeadLimits {
  /**
   * Most raw bytes a head may take, leading empty lines included: HAProxy's input buffer minus its
   * reserve, measured as tune.bufsize - 64 (16320 by default). Beyond it the head cannot be buffered.
   */
  maxRaw: number;
  /**
   * Most bytes of the head once converted the way HAProxy stores it (HTX): the start line's parts
   * (method + target + version, or version + status + reason) plus name + value + 8 per header,
   * whitespace and line endings not counted. Measured as tune.bufsize - tune.maxrewrite - 85 for
   * requests and responses alike (15275 by default).
   */
  maxSize: number;
  /** Most header fields: tune.http.maxhdr - 1 (HAProxy's list keeps one slot for its end marker). */
  maxHeaders: number;
}

/**
 * Limits from tune.bufsize, tune.maxrewrite and tune.http.maxhdr (defaults 16384, 1024, 101).
 * HAProxy caps maxrewrite at half the buffer; so do we.
 */
export function headLimits(bufsize = 16384, maxrewrite = 1024, maxhdr = 101): HeadLimits {
  const rewrite = Math.min(maxrewrite, bufsize >> 1);
  return { maxRaw: bufsize - 64, maxSize: bufsize - rewrite - 85, maxHeaders: Math.max(1, maxhdr - 1) };
}

/** The defaults every HAProxy 2.6 has without tune.* lines. */
export const DEFAULT_LIMITS: HeadLimits = Object.freeze(headLimits());
