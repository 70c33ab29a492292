/**
 * HAProxy's numeric encodings that the runtime API prints (`show servers state`) or compares
 * (`show stat` prints check_code only from L7OK on). One table each, from HAProxy 2.6's
 * include/haproxy/check-t.h and server-t.h, confirmed by the captures.
 */
import { CHECK_STATUSES, type CheckStatusCode } from '../../shared/check-status.js';
import type { OpState, OwnCheckSnapshot } from '../../shared/snapshot.js';

/** HCHK_STATUS_* numbers (srv_check_status). 2 (START) and 14 (L57DATA) are internal markers. */
export const HCHK_STATUS: Readonly<Record<CheckStatusCode, number>> = Object.freeze({
  UNK: 0, INI: 1, CHECKED: 3, HANA: 4, SOCKERR: 5,
  L4OK: 6, L4TOUT: 7, L4CON: 8,
  L6OK: 9, L6TOUT: 10, L6RSP: 11,
  L7TOUT: 12, L7RSP: 13, L7OK: 15, L7OKC: 16, L7STS: 17,
  PROCERR: 18, PROCTOUT: 19, PROCOK: 20,
});

/** HAProxy prints check_code for statuses past HCHK_STATUS_L57DATA (L7OK, L7OKC, L7STS, PROC*), not for L7TOUT/L7RSP. */
export const showsCheckCode = (s: CheckStatusCode): boolean => HCHK_STATUS[s] > 14;

/** HAProxy prints check_duration once a check has completed (status past HCHK_STATUS_START): not for UNK and INI. */
export const showsCheckDuration = (s: CheckStatusCode): boolean => HCHK_STATUS[s] >= 3;

/**
 * CHK_RES_* (srv_check_result): 0 unknown (none yet, or a check is running: HAProxy resets it when a
 * check starts), 1 neutral, 2 failed, 3 passed, 4 conditionally passed.
 */
export function checkResultCode(c: OwnCheckSnapshot): number {
  if (!c.configured || c.inProgress || c.status === 'INI' || c.status === 'UNK') return 0;
  switch (CHECK_STATUSES[c.status].outcome) {
    case 'failed':
      return 2;
    case 'passed':
      return 3;
    case 'conditional':
      return 4;
    default:
      return 1;
  }
}

/** CHK_ST_* bits (srv_check_state): 0x01 in progress, 0x02 configured, 0x04 enabled, 0x08 paused (maintenance). */
export function checkStateBits(c: OwnCheckSnapshot): number {
  if (!c.configured) return 0;
  return (c.inProgress ? 0x01 : 0) | 0x02 | (c.enabled ? 0x04 : 0) | (c.paused ? 0x08 : 0);
}

/** SRV_ST_* (srv_op_state): 0 stopped, 1 starting (slowstart ramp), 2 running, 3 stopping (NOLB). */
export function opStateCode(op: OpState, warmingUp: boolean): number {
  if (op === 'down') return 0;
  if (op === 'stopping') return 3;
  return warmingUp ? 1 : 2;
}
