/**
 * How long an idle server connection may be kept: the server's `Keep-Alive: timeout=N` hint minus a
 * safety margin (the server may close at exactly N seconds, and our request needs time to reach it),
 * bounded by the pool's own idle limit; a default when the server gives no hint. Pure functions.
 */

/** The parameters of a `Keep-Alive` response header; null for a parameter absent or malformed. */
export interface KeepAliveParams {
  /** `timeout=N`, in milliseconds. */
  readonly timeoutMs: number | null;
  /** `max=N`: requests the server still accepts on this connection. */
  readonly max: number | null;
}

const MAX_SECONDS = 2_000_000; // ~23 days: anything larger is nonsense, and would overflow timers

/** The integer value of `n` (digits only, optionally quoted), or null. */
function intValue(raw: string): number | null {
  let v = raw.trim();
  if (v.length >= 2 && v.charCodeAt(0) === 0x22 && v.charCodeAt(v.length - 1) === 0x22) v = v.slice(1, -1).trim();
  if (!/^[0-9]{1,10}$/.test(v)) return null;
  const n = Number(v);
  return n <= MAX_SECONDS ? n : null;
}

/** Parse `Keep-Alive: timeout=5, max=100` (names in any case, first occurrence wins, unknown parameters ignored). */
export function parseKeepAlive(headerValue: string | null | undefined): KeepAliveParams {
  let timeoutMs: number | null = null;
  let max: number | null = null;
  let seenTimeout = false;
  let seenMax = false;
  if (headerValue) {
    for (const part of headerValue.split(/[,;]/)) {
      const eq = part.indexOf('=');
      if (eq < 0) continue;
      const name = part.slice(0, eq).trim().toLowerCase();
      if (name === 'timeout' && !seenTimeout) {
        seenTimeout = true;
        const n = intValue(part.slice(eq + 1));
        timeoutMs = n === null ? null : n * 1000;
      } else if (name === 'max' && !seenMax) {
        seenMax = true;
        max = intValue(part.slice(eq + 1));
      }
    }
  }
  return { timeoutMs, max };
}

/** `timeout=N` of a `Keep-Alive` header in milliseconds, or null when absent or malformed. */
export function parseKeepAliveTimeout(headerValue: string | null | undefined): number | null {
  return parseKeepAlive(headerValue).timeoutMs;
}

/** The limits that bound how long an idle connection is kept. */
export interface IdleLimits {
  /** Kept at most this long whatever the server says (the pool's `timeout http-keep-alive`-like limit). */
  readonly idleLimitMs: number;
  /** Used when the server sent no `Keep-Alive: timeout=` hint. */
  readonly defaultKeepAliveMs: number;
  /** Subtracted from the server's hint. */
  readonly marginMs: number;
}

/**
 * How long a connection released now may stay idle: min(hint − margin, idle limit), or min(default, idle
 * limit) without a hint. 0 means "do not keep it" (the server's hint leaves no safe window).
 */
export function idleLifetimeMs(hintMs: number | null, limits: IdleLimits): number {
  const server = hintMs === null ? limits.defaultKeepAliveMs : hintMs - limits.marginMs;
  return Math.max(0, Math.min(server, limits.idleLimitMs));
}
