/**
 * `show servers state [<backend>]` and `show backend`, as HAProxy 2.6 prints them
 * (../shared/reference/haproxy-runtime-api.md §2.5, §2.6). Unlike `show stat`, both list backends that
 * are `disabled` in the config; HAProxy numbers the servers of such a backend 0, and so does lbd.
 */
import type { BackendSnapshot, ServerSnapshot, Snapshot } from '../../shared/snapshot.js';
import { HCHK_STATUS, checkResultCode, checkStateBits, opStateCode } from './codes.js';
import { secondsSince } from './stat-rows.js';

/** The format version line and the header, exactly as HAProxy 2.6. */
export const SERVERS_STATE_HEADER =
  '1\n# be_id be_name srv_id srv_name srv_addr srv_op_state srv_admin_state srv_uweight srv_iweight ' +
  'srv_time_since_last_change srv_check_status srv_check_result srv_check_health srv_check_state srv_agent_state ' +
  'bk_f_forced_id srv_f_forced_id srv_fqdn srv_port srvrecord srv_use_ssl srv_check_port srv_check_addr ' +
  'srv_agent_addr srv_agent_port\n';

/** Backends in config order (file order gives the ids). */
const byId = (snap: Snapshot): BackendSnapshot[] => [...snap.backends].sort((a, b) => a.id - b.id);

/**
 * One server line. lbd has no agent checks, SRV records, SSL or forced ids (`id` is accepted but not
 * remembered as forced): those columns print HAProxy's values for "none". As in HAProxy, the agent
 * address and port follow the check's `addr` and `port` when those are set.
 */
function serverLine(be: BackendSnapshot, s: ServerSnapshot, now: number): string {
  const c = s.ownCheck;
  return [
    be.id,
    be.name,
    be.configDisabled ? 0 : s.id,
    s.name,
    s.address ?? '-',
    opStateCode(s.op, s.throttle !== null),
    s.admin,
    s.weight.user,
    s.weight.initial,
    secondsSince(now, s.lastChange),
    HCHK_STATUS[c.status],
    checkResultCode(c),
    c.health,
    checkStateBits(c),
    0, // srv_agent_state
    0, // bk_f_forced_id
    0, // srv_f_forced_id
    s.fqdn ?? '-',
    s.port ?? 0,
    '-', // srvrecord
    0, // srv_use_ssl
    s.checkPort ?? 0,
    s.checkAddr ?? '-',
    s.checkAddr ?? '-',
    s.checkPort ?? 0,
  ].join(' ');
}

/**
 * `show servers state [<backend>]`: the answer without the final empty line, or null when the backend
 * does not exist (the caller prints `Can't find backend.`). A backend is named or given as `#<id>`;
 * a bare number is a name, as in HAProxy.
 */
export function showServersState(snap: Snapshot, backend: string | null): string | null {
  let list = byId(snap);
  if (backend !== null) {
    const be = list.find((b) => b.name === backend || `#${b.id}` === backend);
    if (!be) return null;
    list = [be];
  }
  let out = SERVERS_STATE_HEADER;
  for (const be of list) for (const s of be.servers) out += serverLine(be, s, snap.process.now) + '\n';
  return out;
}

/** `show backend`: `# name` then every backend-capable proxy (backends and listen sections) in config order. */
export function showBackend(snap: Snapshot): string {
  return '# name\n' + byId(snap).map((b) => b.name + '\n').join('');
}
