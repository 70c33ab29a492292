/**
 * HAProxy's health check result codes (src/check.c `check_statuses[]`), as they appear in the
 * `check_status` and `check_desc` columns of `show stat`. One table; everything that prints a check
 * result reads it. `layer` is the highest layer the result speaks for: `check_code` is shown only for
 * layer 5 and up (L7*), as HAProxy does. `result` says how the result moves the health counter.
 */

export type CheckStatusCode =
  | 'UNK' | 'INI' | 'SOCKERR'
  | 'L4OK' | 'L4TOUT' | 'L4CON'
  | 'L6OK' | 'L6TOUT' | 'L6RSP'
  | 'L7OK' | 'L7OKC' | 'L7TOUT' | 'L7RSP' | 'L7STS'
  | 'HANA' | 'PROCERR' | 'PROCTOUT' | 'PROCOK' | 'CHECKED';

export type CheckOutcome = 'passed' | 'failed' | 'conditional' | 'neutral';

export interface CheckStatusInfo {
  readonly code: CheckStatusCode;
  /** `check_desc` text. */
  readonly desc: string;
  readonly outcome: CheckOutcome;
  /** OSI-ish layer the code belongs to (0 for INI/UNK). `check_code` is printed only when >= 5. */
  readonly layer: number;
}

export const CHECK_STATUSES: Readonly<Record<CheckStatusCode, CheckStatusInfo>> = Object.freeze({
  UNK: { code: 'UNK', desc: 'Unknown', outcome: 'neutral', layer: 0 },
  INI: { code: 'INI', desc: 'Initializing', outcome: 'neutral', layer: 0 },
  SOCKERR: { code: 'SOCKERR', desc: 'Socket error', outcome: 'failed', layer: 0 },
  L4OK: { code: 'L4OK', desc: 'Layer4 check passed', outcome: 'passed', layer: 4 },
  L4TOUT: { code: 'L4TOUT', desc: 'Layer4 timeout', outcome: 'failed', layer: 4 },
  L4CON: { code: 'L4CON', desc: 'Layer4 connection problem', outcome: 'failed', layer: 4 },
  L6OK: { code: 'L6OK', desc: 'Layer6 check passed', outcome: 'passed', layer: 6 },
  L6TOUT: { code: 'L6TOUT', desc: 'Layer6 timeout', outcome: 'failed', layer: 6 },
  L6RSP: { code: 'L6RSP', desc: 'Layer6 invalid response', outcome: 'failed', layer: 6 },
  L7OK: { code: 'L7OK', desc: 'Layer7 check passed', outcome: 'passed', layer: 7 },
  L7OKC: { code: 'L7OKC', desc: 'Layer7 check conditionally passed', outcome: 'conditional', layer: 7 },
  L7TOUT: { code: 'L7TOUT', desc: 'Layer7 timeout', outcome: 'failed', layer: 7 },
  L7RSP: { code: 'L7RSP', desc: 'Layer7 invalid response', outcome: 'failed', layer: 7 },
  L7STS: { code: 'L7STS', desc: 'Layer7 wrong status', outcome: 'failed', layer: 7 },
  HANA: { code: 'HANA', desc: 'Health analyze', outcome: 'failed', layer: 0 },
  PROCERR: { code: 'PROCERR', desc: 'External check error', outcome: 'failed', layer: 0 },
  PROCTOUT: { code: 'PROCTOUT', desc: 'External check timeout', outcome: 'failed', layer: 0 },
  PROCOK: { code: 'PROCOK', desc: 'External check passed', outcome: 'passed', layer: 0 },
  CHECKED: { code: 'CHECKED', desc: 'No status change', outcome: 'neutral', layer: 0 },
});

/**
 * The result of one health check probe: what `show stat` shows in check_status, check_code,
 * check_duration and last_chk.
 */
export interface CheckResult {
  readonly status: CheckStatusCode;
  /** HTTP status for L7 results, else null. */
  readonly code: number | null;
  /** Milliseconds from the start of the probe to its result. */
  readonly durationMs: number;
  /** `last_chk` text: e.g. the HTTP reason phrase (`Service Unavailable`), `Connection refused`, or ''. */
  readonly info: string;
}
