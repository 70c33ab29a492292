/**
 * The WebSocket protocol's one-shot requests (everything but subscriptions): each validates its fields,
 * checks the socket's level, and acts through the same command table as the text runtime API, so a
 * `set-server-state` does exactly what `set server b/s state …` does, with the same permissions.
 */
import type { AdminContext, AdminLevel, ExecuteCommand } from './types.js';
import { LEVELS } from './types.js';
import { nextLine, splitWords } from './cli-parse.js';
import type { ErrorCode, RequestOf, RequestOp, ResultOps, ServerAdminState, ServerTarget } from '../../shared/protocol.js';
import { REQUEST_LEVELS } from '../../shared/protocol.js';

/** A request's failure: becomes a reply with ok:false and this code. */
export class OpError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
  ) {
    super(message);
  }
}

/** What a request handler gets: the daemon, the socket's level and the command table. */
export interface OpContext {
  ctx: AdminContext;
  level: AdminLevel;
  execute: ExecuteCommand;
}

type Handler<K extends RequestOp> = (req: RequestOf<K>, oc: OpContext) => Promise<ResultOps[K]> | ResultOps[K];

/** True when a session at `have` may do what needs `need`. */
export function levelAllows(have: AdminLevel, need: AdminLevel): boolean {
  return LEVELS.indexOf(have) >= LEVELS.indexOf(need);
}

/** Refuse a request above the socket's level before it does anything. */
export function checkLevel(op: RequestOp, level: AdminLevel): void {
  const need = REQUEST_LEVELS[op];
  if (!levelAllows(level, need)) throw new OpError('permission-denied', `Permission denied: '${op}' needs level ${need}, this socket is ${level}`);
}

/**
 * Split a runtime API line into words with the text socket's own parser. One command per request: a line
 * that an unescaped `;` or a line break would split is refused. A final `<<` means `payload` follows.
 */
export function splitCommandLine(line: string): { words: string[]; wantsPayload: boolean } {
  const one = nextLine(line + '\n', false);
  if (!one || one.used !== line.length + 1) {
    throw new OpError('bad-request', "one command per request: send each ';'-separated command as its own request (a payload goes in the payload field)");
  }
  const { words, payload } = splitWords(one.line);
  return { words, wantsPayload: payload };
}

/** How a runtime API answer to a `set …` command reads: empty is success; known texts map to codes. */
function answerError(answer: string): OpError | null {
  const text = answer.trim();
  if (!text) return null;
  if (/^Permission denied/.test(text)) return new OpError('permission-denied', text);
  if (/^No such (server|backend)/.test(text)) return new OpError('not-found', text);
  return new OpError('refused', text);
}

/**
 * The servers a `server` argument names: `backend/server`, or a bare name found in every backend that
 * has a server of that name (a server tracked from two backends has the same name in both), or, with
 * `backend`, in that one.
 */
export function resolveServers(ctx: AdminContext, server: string, backend?: string): { backend: string; server: string }[] {
  const rt = ctx.runtime;
  const slash = server.indexOf('/');
  if (slash >= 0) {
    const b = server.slice(0, slash);
    const s = server.slice(slash + 1);
    if (backend !== undefined && backend !== b) throw new OpError('bad-request', `'${server}' names backend ${b} but backend ${backend} was asked for`);
    if (!b || !s) throw new OpError('bad-request', `'${server}': expected backend/server`);
    if (!rt.backends.has(b) && !b.startsWith('#')) throw new OpError('not-found', `No such backend: ${b}`);
    if (!rt.findServer(b, s)) throw new OpError('not-found', `No such server: ${b}/${s}`);
    return [{ backend: b, server: s }];
  }
  if (!server) throw new OpError('bad-request', 'a server name is required');
  if (backend !== undefined) {
    if (!rt.backends.has(backend)) throw new OpError('not-found', `No such backend: ${backend}`);
    if (!rt.findServer(backend, server)) throw new OpError('not-found', `No such server: ${backend}/${server}`);
    return [{ backend, server }];
  }
  const found = [...rt.backends.keys()].filter((b) => rt.findServer(b, server)).map((b) => ({ backend: b, server }));
  if (!found.length) throw new OpError('not-found', `No server named ${server} in any backend`);
  return found;
}

function statusOf(ctx: AdminContext, t: { backend: string; server: string }): string {
  return ctx.runtime.findServer(t.backend, t.server)?.statusString() ?? 'gone';
}

/**
 * Run one `set server …` per target through the command table; the request fails when every target
 * failed. Statuses are read before the first change and after the last, so a server that tracks another
 * target shows where it ended up (`MAINT (via monitoring/server-2) -> UP`), whatever the order.
 */
async function setOnServers(
  oc: OpContext,
  targets: { backend: string; server: string }[],
  words: (key: string) => string[],
  after?: (key: string) => Promise<string>,
): Promise<ServerTarget[]> {
  const out: ServerTarget[] = targets.map((t) => ({ backend: t.backend, server: t.server, from: statusOf(oc.ctx, t), to: '' }));
  let firstError: OpError | null = null;
  for (const r of out) {
    const key = `${r.backend}/${r.server}`;
    const err = answerError(await oc.execute(words(key), null, oc.level));
    if (err) {
      firstError ??= err;
      r.error = { code: err.code, message: err.message };
    } else if (after) r.weight = await after(key);
  }
  for (const r of out) r.to = statusOf(oc.ctx, r);
  if (firstError && out.every((r) => r.error)) throw firstError;
  return out;
}

const STATES: readonly ServerAdminState[] = ['ready', 'drain', 'maint'];

function str(v: unknown, field: string, optional = false): string | undefined {
  if (v === undefined && optional) return undefined;
  if (typeof v !== 'string') throw new OpError('bad-request', `'${field}' must be a string`);
  return v;
}

function count(v: unknown, field: string): number | undefined {
  if (v === undefined) return undefined;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 0) throw new OpError('bad-request', `'${field}' must be a non-negative integer`);
  return v;
}

const handlers: { [K in Exclude<RequestOp, 'subscribe' | 'unsubscribe'>]: Handler<K> } = {
  async command(req, oc) {
    const line = str(req.line, 'line')!;
    const payload = str(req.payload, 'payload', true);
    const { words, wantsPayload } = splitCommandLine(line);
    return { output: await oc.execute(words, wantsPayload ? payload ?? '' : null, oc.level) };
  },
  snapshot(_req, oc) {
    return { snapshot: oc.ctx.runtime.snapshot() };
  },
  async reload(_req, oc) {
    const r = await oc.ctx.control.reload('admin socket');
    return { ok: r.ok, changes: r.changes, errors: r.errors, warnings: r.warnings, durationMs: r.durationMs };
  },
  async 'set-server-state'(req, oc) {
    const state = req.state;
    if (!STATES.includes(state)) throw new OpError('bad-request', `'state' must be one of ${STATES.join(', ')}`);
    const targets = resolveServers(oc.ctx, str(req.server, 'server')!, str(req.backend, 'backend', true));
    return { targets: await setOnServers(oc, targets, (key) => ['set', 'server', key, 'state', state]) };
  },
  async 'set-server-weight'(req, oc) {
    const weight = str(req.weight, 'weight')!;
    if (!/^\d+%?$/.test(weight)) throw new OpError('bad-request', `'weight' must be a number or a percentage (50, 50%), not '${weight}'`);
    const targets = resolveServers(oc.ctx, str(req.server, 'server')!, str(req.backend, 'backend', true));
    const get = async (key: string) => (await oc.execute(['get', 'weight', key], null, oc.level)).trim();
    return { targets: await setOnServers(oc, targets, (key) => ['set', 'server', key, 'weight', weight], get) };
  },
  events(req, oc) {
    const limit = count(req.limit, 'limit');
    const since = count(req.since, 'since');
    let events = oc.ctx.runtime.events.recent();
    if (since !== undefined) events = events.filter((e) => e.seq > since);
    if (limit !== undefined) events = events.slice(Math.max(0, events.length - limit));
    return { events };
  },
  ping() {
    return { now: Date.now() };
  },
};

/** True for the ops runOp() answers (subscriptions are the session's). */
export function isOneShotOp(op: string): op is keyof typeof handlers {
  return Object.hasOwn(handlers, op);
}

/** Run one one-shot request at the socket's level; throws OpError. */
export async function runOp(req: RequestOf<keyof typeof handlers>, oc: OpContext): Promise<unknown> {
  checkLevel(req.op, oc.level);
  const h = handlers[req.op] as Handler<typeof req.op>;
  return h(req as never, oc);
}
