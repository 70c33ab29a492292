/**
 * The console's admin actions as plans: what will be sent (one typed request of the AdminClient), the
 * runtime API line it is equivalent to, and every server it will change, named in the confirmation
 * before anything is sent. The selected server is addressed exactly (`backend/server`); admin states
 * propagate through `track`, so a plan also names the trackers that follow, backend by backend. With
 * the "every backend" variants, the request uses a bare server name, and the plan names each backend
 * that has a server of that name.
 */
import type { ReloadOutcome, RequestOps, ServerAdminState, ServerTarget } from '../../shared/protocol.js';
import type { ServerSnapshot, Snapshot } from '../../shared/snapshot.js';
import { findServer } from './tree.js';

export type PlanRequest =
  | { op: 'set-server-state'; fields: RequestOps['set-server-state'] }
  | { op: 'set-server-weight'; fields: RequestOps['set-server-weight'] }
  | { op: 'reload'; fields: RequestOps['reload'] };

export interface ActionPlan {
  /** `Disable monitoring/server-2`. */
  title: string;
  /** The runtime API equivalent, shown in the confirmation (`set server monitoring/server-2 state maint`). */
  command: string;
  request: PlanRequest;
  /** Servers the request names directly, and those that follow through track (`backend/server`). */
  direct: string[];
  tracked: string[];
  /** Things the operator should know before saying yes. */
  notes: string[];
}

const STATE_VERB: Record<ServerAdminState, string> = { maint: 'Disable', ready: 'Enable', drain: 'Drain' };
const STATE_RESULT: Record<ServerAdminState, string> = { maint: 'MAINT', ready: 'ready', drain: 'DRAIN' };

/** Every server that follows `ref` through track, transitively (a tracker can be tracked), in order. */
export function trackersOf(snap: Snapshot, ref: string): string[] {
  const out: string[] = [];
  const seen = new Set<string>([ref]);
  const queue = [ref];
  while (queue.length) {
    const s = findServer(snap, queue.shift()!);
    for (const t of s?.trackedBy ?? []) {
      if (seen.has(t)) continue;
      seen.add(t);
      out.push(t);
      queue.push(t);
    }
  }
  return out;
}

function refOf(s: ServerSnapshot): string {
  return `${s.backend}/${s.name}`;
}

/**
 * Set the admin state of one server (`every` false) or of every server with its name (`every` true).
 * Notes warn about what HAProxy does silently: enabling a tracker whose tracked server is in
 * maintenance changes nothing; leaving maintenance starts at `UP 1/<fall>` until the next check.
 */
export function planState(snap: Snapshot, s: ServerSnapshot, state: ServerAdminState, every = false): ActionPlan {
  const direct = every ? snap.backends.flatMap((b) => b.servers.filter((x) => x.name === s.name).map(refOf)) : [refOf(s)];
  const tracked: string[] = [];
  for (const d of direct) for (const t of trackersOf(snap, d)) if (!direct.includes(t) && !tracked.includes(t)) tracked.push(t);
  const notes: string[] = [];
  for (const d of direct) {
    const x = findServer(snap, d);
    if (state === 'ready' && x?.via) notes.push(`${d} stays ${x.status}: enable ${x.via} instead`);
  }
  if (state === 'maint' && tracked.length) notes.push(`the trackers show MAINT (via ${every ? '…' : refOf(s)})`);
  const target = every ? s.name : refOf(s);
  return {
    title: `${STATE_VERB[state]} ${every ? `${s.name} in every backend` : refOf(s)}`,
    command: every ? direct.map((d) => `set server ${d} state ${state}`).join('; ') : `set server ${target} state ${state}`,
    request: { op: 'set-server-state', fields: { server: target, state } },
    direct,
    tracked,
    notes,
  };
}

/** A weight the daemon accepts: `n` (0..256) or `n%`. Returns the reason when it is not. */
export function checkWeight(text: string): string | null {
  const m = /^(\d+)(%?)$/.exec(text.trim());
  if (!m) return 'a weight is a number 0..256, or a percentage of the configured weight (50%)';
  if (!m[2] && Number(m[1]) > 256) return 'a weight is at most 256';
  return null;
}

/** Set the weight of one server. Weights do not propagate through track, so only that server changes. */
export function planWeight(s: ServerSnapshot, weight: string): ActionPlan {
  const w = weight.trim();
  const notes = [`now ${s.weight.user} (configured ${s.weight.initial})`];
  if (s.trackedBy.length) notes.push(`weights do not follow track: ${s.trackedBy.join(', ')} keep theirs`);
  return {
    title: `Set the weight of ${refOf(s)} to ${w}`,
    command: `set server ${refOf(s)} weight ${w}`,
    request: { op: 'set-server-weight', fields: { server: refOf(s), weight: w } },
    direct: [refOf(s)],
    tracked: [],
    notes,
  };
}

/** Reload the configuration lbd was started with: validated first, a refused config changes nothing. */
export function planReload(snap: Snapshot | null): ActionPlan {
  const files = snap?.process.configFiles ?? [];
  return {
    title: 'Reload the configuration',
    command: 'reload',
    request: { op: 'reload', fields: {} },
    direct: [],
    tracked: [],
    notes: [files.length ? `from ${files.join(', ')}` : 'from the files lbd was started with', 'a config with errors is refused and the running one stays'],
  };
}

/** A reply, in a few words for the status line, and the full lines for the result panel and the events view. */
export interface Outcome {
  ok: boolean;
  summary: string;
  lines: string[];
}

/** Describe a set-server-* reply: each server with its status before → after, and any refusal. */
export function describeTargets(plan: ActionPlan, targets: ServerTarget[], arrow = '→'): Outcome {
  const lines = targets.map((t) =>
    t.error ? `${t.backend}/${t.server}: refused: ${t.error.message}` : `${t.backend}/${t.server}: ${t.from === t.to ? `${t.to} (unchanged)` : `${t.from} ${arrow} ${t.to}`}${t.weight !== undefined ? `, weight ${t.weight}` : ''}`,
  );
  const failed = targets.filter((t) => t.error).length;
  const ok = failed === 0;
  const follow = plan.tracked.length ? ` (through track: ${plan.tracked.join(', ')})` : '';
  const one = targets.length === 1 && !targets[0]!.error && plan.direct[0] === `${targets[0]!.backend}/${targets[0]!.server}` ? lines[0]!.slice(plan.direct[0]!.length + 2) : null;
  const first = lines[0] ?? 'no server changed';
  const summary = `${plan.title}: ${one ?? `${ok ? '' : `${failed} refused; `}${lines.length > 1 ? `${first} (+${lines.length - 1} more)` : first}`}${ok ? follow : ''}`;
  return { ok, summary, lines: ok && plan.tracked.length ? [...lines, `through track: ${plan.tracked.join(', ')}`] : lines };
}

/** Describe a reload's result: what changed, or every error as `file:line: message`. */
export function describeReload(r: ReloadOutcome): Outcome {
  if (r.ok) {
    const lines = [...(r.changes.length ? r.changes : ['no changes']), ...r.warnings.map((w) => `warning: ${w}`)];
    return { ok: true, summary: `Reload ok in ${Math.round(r.durationMs)} ms: ${r.changes.length ? `${r.changes.length} change${r.changes.length > 1 ? 's' : ''}` : 'no changes'}`, lines };
  }
  return {
    ok: false,
    summary: `Reload refused: ${r.errors.length} error${r.errors.length === 1 ? '' : 's'}, the running configuration stays`,
    lines: [...r.errors, ...r.warnings.map((w) => `warning: ${w}`)],
  };
}

/** What a state action turns a server into, for the confirmation's wording. */
export function stateResult(state: ServerAdminState): string {
  return STATE_RESULT[state];
}
