import type { CheckResult } from '../../shared/check-status.js';
import { CHECK_STATUSES } from '../../shared/check-status.js';
import type { EventCause } from '../../shared/events.js';
import { ADMIN, type OpState } from '../../shared/snapshot.js';
import { checkFailed, checkPassed, onErrorHealth } from '../health/rise-fall.js';
import { resolve404WhileDown } from '../health/expect.js';
import { httpPlan } from '../health/probe-http.js';
import type { Server } from './server.js';

/**
 * Server state transitions (design principle 3). Operational state comes from checks on the end of a
 * `track` chain and is copied, in the same instant, to every tracker that is not in maintenance. Admin
 * state is a set of HAProxy's SRV_ADMF_* flags: forced ones (F*) set by operators, inherited ones (I*)
 * copied from the tracked server, CMAINT from `disabled` in the config, RMAINT when the address did not
 * resolve. Every visible change emits one event and one log line.
 */

function causeText(c: EventCause): string {
  switch (c.kind) {
    case 'check': {
      const d = CHECK_STATUSES[c.status];
      const code = c.code !== null && d.layer >= 5 ? `, code: ${c.code}` : '';
      const info = c.info ? `, info: "${c.info}"` : '';
      return `reason: ${d.desc}${code}${info}, check duration: ${c.durationMs}ms`;
    }
    case 'track':
      return `via ${c.via}`;
    case 'operator':
      return `by operator (${c.command})`;
    case 'observe':
      return `reason: Health analyze, ${c.errors} consecutive errors`;
    case 'reload':
      return 'by reload';
    case 'startup':
      return 'at startup';
    case 'slowstart':
      return 'slowstart';
  }
}

function leftText(s: Server): string {
  const b = s.backend;
  return `${b.usableActive()} active and ${b.usableBackup()} backup servers ${s.op === 'down' ? 'left' : 'online'}.` +
    ` ${s.counters.cur} sessions active, 0 requeued, ${b.counters.queueCur} remaining in queue.`;
}

/** Status texts of a server and everything tracking it, taken before a change that moves them all. */
function statusesBefore(s: Server, into = new Map<Server, string>()): Map<Server, string> {
  into.set(s, s.statusString());
  for (const t of s.trackers) statusesBefore(t, into);
  return into;
}

/**
 * Change a server's operational state and carry it to its trackers. No-op when unchanged.
 * `before` holds the status texts from before the change began (the health counter may already have moved).
 */
export function setOpState(s: Server, op: OpState, cause: EventCause, before: Map<Server, string> = statusesBefore(s)): void {
  if (s.op === op) return;
  const env = s.backend.env;
  const now = env.clock.now();
  const was = before.get(s) ?? s.statusString();
  const wasUp = s.op !== 'down';
  s.op = op;
  s.lastChange = now;
  if (op === 'down') {
    if (wasUp) {
      s.counters.checkDowns++;
      s.downSince = now;
    }
    s.warmupSince = null;
  } else if (!wasUp) {
    if (s.downSince !== null) s.downtimeAcc += now - s.downSince;
    s.downSince = null;
    if (s.cfg.slowstart > 0 && cause.kind !== 'startup') s.backend.startWarmup(s, now);
  }
  s.backend.invalidate();

  const after = s.statusString();
  const verb = op === 'down' ? 'DOWN' : op === 'up' ? 'UP' : 'going into NOLB mode';
  const how = cause.kind === 'track' ? ` via ${cause.via}.` : `, ${causeText(cause)}.`;
  const msg = `Server ${s.key} is ${verb}${how} ${leftText(s)}`;
  env.events.emit('server-state', s.key, was, after, cause, msg);
  if (op === 'down') env.log.warn(msg);
  else env.log.notice(msg);
  if (op === 'down' && !s.backend.hasUsable()) env.log.alert(`backend '${s.backend.name}' has no server available!`);

  if (op === 'down' && wasUp && s.cfg.onMarkedDown === 'shutdown-sessions') s.backend.killSessions(s, 'server marked down');
  if (op === 'up' && !wasUp && s.cfg.onMarkedUp === 'shutdown-backup-sessions' && !s.cfg.backup) s.backend.killBackupSessions('active server marked up');

  for (const t of s.trackers) {
    if (!t.inMaint()) setOpState(t, op, { kind: 'track', via: s.key }, before);
  }
}

/** The operational state a server should have now that it is out of maintenance. */
function stateOutOfMaint(s: Server): OpState {
  if (s.tracked) return s.tracked.op;
  if (s.cfg.check && s.checkEnabled) {
    s.health = s.cfg.rise; // HAProxy: leaving maintenance restarts at health = rise (`UP 1/<fall>`)
    return 'up';
  }
  return 'up';
}

/**
 * Change admin flags: `add` then `remove`. Entering maintenance takes the server down (chkdown counts it);
 * leaving it restarts the health counter at `rise` and takes the tracked server's state. Inherited
 * maintenance and drain follow to every tracker.
 */
export function setAdmin(s: Server, add: number, remove: number, cause: EventCause): boolean {
  const old = s.admin;
  const next = (old | add) & ~remove;
  if (next === old) return false;
  const env = s.backend.env;
  const now = env.clock.now();
  const before = s.statusString();
  const wasMaint = (old & ADMIN.MAINT) !== 0;
  s.admin = next;
  const isMaint = (next & ADMIN.MAINT) !== 0;
  s.lastChange = now;

  if (!wasMaint && isMaint && s.op !== 'down') {
    s.op = 'down';
    s.counters.checkDowns++;
    s.downSince = now;
    s.warmupSince = null;
    s.backend.stopChecks(s);
  } else if (wasMaint && !isMaint) {
    const op = stateOutOfMaint(s);
    if (op !== 'down') {
      if (s.downSince !== null) s.downtimeAcc += now - s.downSince;
      s.downSince = null;
      if (s.cfg.slowstart > 0) s.backend.startWarmup(s, now);
    }
    s.op = op;
    s.backend.resumeChecks(s);
  }
  s.backend.invalidate();

  const after = s.statusString();
  const msg = adminMessage(s, old, next, cause);
  env.events.emit('server-admin', s.key, before, after, cause, msg);
  if (isMaint && !wasMaint) env.log.warn(msg);
  else env.log.notice(msg);
  if (isMaint && !wasMaint && !s.backend.hasUsable()) env.log.alert(`backend '${s.backend.name}' has no server available!`);

  const inherit = (next & ADMIN.MAINT ? ADMIN.IMAINT : 0) | (next & ADMIN.DRAIN ? ADMIN.IDRAIN : 0);
  const drop = (ADMIN.IMAINT | ADMIN.IDRAIN) & ~inherit;
  for (const t of s.trackers) setAdmin(t, inherit, drop, { kind: 'track', via: s.key });
  return true;
}

function adminMessage(s: Server, old: number, next: number, cause: EventCause): string {
  const by = cause.kind === 'track' ? ` (via ${cause.via})` : cause.kind === 'operator' ? ` (${cause.command})` : '';
  const wasMaint = (old & ADMIN.MAINT) !== 0;
  const isMaint = (next & ADMIN.MAINT) !== 0;
  if (isMaint && !wasMaint) return `Server ${s.key} is going DOWN for maintenance${by}. ${leftText(s)}`;
  if (wasMaint && !isMaint) return `Server ${s.key} is ${s.op === 'down' ? 'DOWN' : 'UP'} (leaving maintenance)${by}.`;
  const wasDrain = (old & ADMIN.DRAIN) !== 0;
  const isDrain = (next & ADMIN.DRAIN) !== 0;
  if (isDrain && !wasDrain) return `Server ${s.key} enters drain mode${by}.`;
  if (wasDrain && !isDrain) return `Server ${s.key} leaves drain mode${by}.`;
  return `Server ${s.key} admin state changed${by}.`;
}

/**
 * Feed one probe result to a checked server (the end of a track chain). HAProxy's arithmetic:
 * failures while up count in chkfail; L7OKC (disable-on-404) passes health but puts the server in NOLB.
 */
export function applyCheckResult(s: Server, result: CheckResult): void {
  const r = s.op === 'down' && result.status === 'L7OKC' ? judge404WhileDown(s, result) : result;
  const env = s.backend.env;
  const now = env.clock.now();
  // steady state, nearly every check: nothing moves but the recorded result
  const outcomeNow = CHECK_STATUSES[r.status].outcome;
  const max = s.cfg.rise + s.cfg.fall - 1;
  if ((outcomeNow === 'passed' && s.op === 'up' && s.health === max) || (outcomeNow === 'failed' && s.op === 'down' && s.health === 0)) {
    s.recordCheck(r, now);
    if (outcomeNow === 'passed') s.consecutiveErrors = 0;
    return;
  }
  const befores = statusesBefore(s);
  const before = befores.get(s)!;
  const beforeHealth = s.health;
  s.recordCheck(r, now);
  if (s.inMaint()) return;
  const outcome = CHECK_STATUSES[r.status].outcome;
  if (outcome === 'neutral') return;
  const p = { rise: s.cfg.rise, fall: s.cfg.fall };
  const cause: EventCause = { kind: 'check', status: r.status, code: r.code, durationMs: r.durationMs, info: r.info };
  if (outcome === 'failed') {
    if (s.health >= s.cfg.rise) s.counters.checkFailures++;
    const step = checkFailed(s.health, s.op !== 'down', p);
    s.health = step.health;
    if (step.transition === 'down') return void setOpState(s, 'down', cause, befores);
  } else {
    const step = checkPassed(s.health, s.op !== 'down', p);
    s.health = step.health;
    if (s.health >= s.cfg.rise) {
      const target: OpState = outcome === 'conditional' ? 'stopping' : 'up';
      if (s.op !== target) return void setOpState(s, target, cause, befores);
    }
  }
  if (outcome !== 'failed') s.consecutiveErrors = 0; // a passing check clears passive-health errors (HAProxy)
  reportHealthMove(s, before, beforeHealth, r, cause);
}

/** HAProxy applies `disable-on-404` only to a server that is up; a DOWN server's 404 is judged by the expect rules. */
function judge404WhileDown(s: Server, r: CheckResult): CheckResult {
  const v = resolve404WhileDown(httpPlan(s.backend.cfg.healthCheck).expect, r.info || 'Not Found');
  if (v.kind === 'fail') return { status: v.status, code: 404, durationMs: r.durationMs, info: v.info };
  return { status: 'L7OK', code: 404, durationMs: r.durationMs, info: r.info };
}

function reportHealthMove(s: Server, before: string, beforeHealth: number, r: CheckResult, cause: EventCause): void {
  if (s.health === beforeHealth) return;
  const env = s.backend.env;
  const after = s.statusString();
  const failed = CHECK_STATUSES[r.status].outcome === 'failed';
  const msg = `Health check for server ${s.key} ${failed ? 'failed' : 'succeeded'}, ${causeText(cause)}, status: ${after}.`;
  env.events.emit('server-check', s.key, before, after, cause, msg);
  if (s.backend.healthLogging()) env.log.notice(msg);
}

/**
 * Passive health (`observe layer4`): one error or success seen on real traffic. After `error-limit`
 * consecutive errors, `on-error` acts on the end of the chain: a simulated failed check (`fail-check`),
 * one check from down (`sudden-death`), down at once (`mark-down`), or only faster checks (`fastinter`).
 */
export function observeResult(s: Server, ok: boolean): void {
  if (!s.cfg.observe) return;
  if (ok) {
    s.consecutiveErrors = 0;
    return;
  }
  if (++s.consecutiveErrors < s.cfg.errorLimit) return;
  const errors = s.consecutiveErrors;
  s.consecutiveErrors = 0;
  const ref = s.chainEnd();
  s.backend.env.checkSoon(ref);
  if (ref.inMaint() || !(ref.cfg.check && ref.checkEnabled)) return;
  const p = { rise: ref.cfg.rise, fall: ref.cfg.fall };
  const adj = onErrorHealth(ref.health, s.cfg.onError, p);
  if (!adj.fail) return;
  ref.health = adj.health;
  applyCheckResult(ref, { status: 'HANA', code: null, durationMs: 0, info: `Detected ${errors} consecutive errors` });
}

/** `disable health` / `enable health`: the check stops or resumes; the state stays as it is (HAProxy 2.6). */
export function setCheckEnabled(s: Server, enabled: boolean, command: string): void {
  if (s.checkEnabled === enabled) return;
  const env = s.backend.env;
  const before = s.statusString();
  s.checkEnabled = enabled;
  if (enabled) s.backend.resumeChecks(s);
  else s.backend.stopChecks(s);
  const after = s.statusString();
  env.events.emit('server-health', s.key, before, after, { kind: 'operator', command }, `Health checks ${enabled ? 'enabled' : 'disabled'} on server ${s.key}.`);
}

/** `set weight`: the user weight changes at once (0 takes the server out of rotation without draining it). */
export function setUserWeight(s: Server, weight: number, command: string): void {
  if (s.uweight === weight) return;
  const env = s.backend.env;
  const before = String(s.uweight);
  s.uweight = weight;
  s.backend.invalidate();
  env.events.emit('server-weight', s.key, before, String(weight), { kind: 'operator', command }, `Server ${s.key} weight changed from ${before} to ${weight}.`);
}
