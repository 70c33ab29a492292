/**
 * HTTP drafts → the model: conditions compiled (once every section is read, so later `acl` lines with the
 * same name count and userlists declared anywhere resolve), defaults resolved, userlists built.
 *
 * A `listen` section's rules and settings go to both its frontend and its backend half, as HAProxy's
 * proxy has both capabilities: traffic entering through the listen runs them once, as frontend rules
 * (the HTTP engine skips backend rules when the backend is the frontend's own listen half); traffic
 * routed to it from another frontend runs them as backend rules.
 */
import type { BackendHttpConfig, ForwardForConfig, FrontendHttpConfig, HttpRule, TcpRequestConfig, UseBackendRule, UserlistConfig } from './types.js';
import type { Diagnostics } from './context.js';
import type { ProxyDraft, RuleDraft, UseBackendDraft, UserlistDraft } from './drafts.js';
import type { ForwardForDraft } from './drafts-http.js';
import type { FetchContext } from '../http/acl/fetches.js';
import { compileUserlist, type UserlistAuth, type UserPassword } from '../http/acl/auth.js';
import { compileCondition } from '../http/acl/compile.js';
import { ipInNet, parseIp, parseIpNet } from '../http/acl/ip.js';

/** Fetch contexts resolving `http_auth(<name>)` against the built userlists. */
export function fetchContexts(userlists: readonly UserlistConfig[]): { req: FetchContext; res: FetchContext } {
  const byName = new Map<string, UserlistAuth>(userlists.map((u) => [u.name, u.auth]));
  const userlist = (name: string) => {
    const auth = byName.get(name) ?? null;
    return () => auth;
  };
  return { req: { dir: 'req', acl: true, userlist }, res: { dir: 'res', acl: true, userlist } };
}

/** Build the userlists: passwords by user, and groups by user from both `user … groups` and `group … users`. */
export function buildUserlists(drafts: readonly UserlistDraft[]): UserlistConfig[] {
  return drafts.map((ul) => {
    const passwords = new Map<string, UserPassword>(ul.users.map((u) => [u.name, u.password]));
    const groups = new Map<string, string[]>();
    const add = (user: string, group: string): void => {
      const g = groups.get(user) ?? [];
      if (!g.includes(group)) g.push(group);
      groups.set(user, g);
    };
    for (const u of ul.users) for (const g of u.groups) add(u.name, g);
    for (const g of ul.groups) for (const u of g.users) add(u, g.name);
    return { name: ul.name, users: ul.users, groups: ul.groups, where: ul.where, auth: compileUserlist(passwords, groups) };
  });
}

function rules<A>(drafts: readonly RuleDraft<A>[], ctx: FetchContext): HttpRule<A>[] {
  return drafts.map((r) => ({ action: r.action, cond: r.cond === null ? null : compileCondition(r.cond, ctx), where: r.where }));
}

/** `tcp-request inspect-delay` and content rules with compiled conditions, when the frontend has any. */
export function tcpRequestOf(px: ProxyDraft, ctx: FetchContext): { tcpRequest?: TcpRequestConfig } {
  if (px.inspectDelay === undefined && px.tcpContent.length === 0) return {};
  const rules = px.tcpContent.map((r) => ({ action: r.action, cond: r.cond === null ? null : compileCondition(r.cond, ctx), where: r.where }));
  return { tcpRequest: { inspectDelay: px.inspectDelay ?? null, rules } };
}

/** `use_backend` rules with compiled conditions. */
export function useBackendRules(drafts: readonly UseBackendDraft[], ctx: FetchContext): UseBackendRule[] {
  return drafts.map((u) => ({ backend: u.backend, cond: u.cond === null ? null : compileCondition(u.cond, ctx), where: u.where }));
}

function forwardFor(d: ForwardForDraft | null | undefined): ForwardForConfig | null {
  if (d === undefined || d === null) return null;
  const net = d.except === null ? null : parseIpNet(d.except);
  const excepted =
    net === null || typeof net === 'string'
      ? () => false
      : (addr: string): boolean => {
          const ip = parseIp(addr);
          return ip !== null && ipInNet(ip, net);
        };
  return { header: d.header, except: d.except, excepted, ifNone: d.ifNone, where: d.where };
}

/** The frontend side of a proxy draft. */
export function frontendHttp(px: ProxyDraft, ctx: { req: FetchContext; res: FetchContext }): FrontendHttpConfig {
  const h = px.http;
  return {
    requestRules: rules(h.requestRules, ctx.req),
    responseRules: rules(h.responseRules, ctx.res),
    monitorUri: h.monitorUri?.uri ?? null,
    forwardFor: forwardFor(h.forwardFor),
    connectionMode: h.connectionMode?.mode ?? 'keep-alive',
    errorFiles: h.errorFiles,
    log: { targets: h.logTargets, style: h.logStyle?.style ?? null, format: h.logFormat ?? null, dontlognull: h.dontlognull ?? false },
  };
}

/** The backend side of a proxy draft. */
export function backendHttp(px: ProxyDraft, ctx: { req: FetchContext; res: FetchContext }): BackendHttpConfig {
  const h = px.http;
  return {
    requestRules: rules(h.requestRules, ctx.req),
    responseRules: rules(h.responseRules, ctx.res),
    forwardFor: forwardFor(h.forwardFor),
    connectionMode: h.connectionMode?.mode ?? 'keep-alive',
    errorFiles: h.errorFiles,
    cookie: h.cookie ?? null,
    retryOn: h.retryOn ?? ['conn-failure'],
    httpReuse: h.httpReuse ?? 'safe',
    logTargets: h.logTargets,
  };
}

/** Report `http_auth(<name>)` references to userlists that do not exist. */
export function checkUserlistRefs(proxies: readonly ProxyDraft[], userlists: readonly UserlistDraft[], diags: Diagnostics): void {
  const names = new Set(userlists.map((u) => u.name));
  for (const px of proxies) {
    for (const r of px.userlistRefs) {
      if (!names.has(r.name)) diags.error(r.where, `unable to find userlist '${r.name}' referenced in ${px.kind} '${px.name}'`);
    }
  }
}
