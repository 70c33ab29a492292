/**
 * Checks of the HTTP parts that need the whole configuration: modes (an HTTP condition in a `mode tcp`
 * frontend is an error, because lbd only evaluates HTTP fetches on parsed HTTP requests; HTTP-only
 * settings in tcp mode are ignored with HAProxy's warnings), fetches used in the wrong direction, userlist
 * references and memberships, server cookies without a backend cookie.
 */
import type { BackendConfig, Condition, FrontendConfig } from './types.js';
import type { Diagnostics } from './context.js';
import type { ProxyDraft, UserlistDraft } from './drafts.js';
import type { FetchScope } from '../http/acl/types.js';
import { checkUserlistRefs } from './build-http.js';
import { isHttpScope, wrongDirection } from '../http/acl/compile.js';

/** The HTTP fetches a condition uses, named as written: `path_beg (acl 'static')`. */
function httpFetches(cond: Condition, pick: (scope: FetchScope) => boolean): string[] {
  const out = new Set<string>();
  for (const and of cond.alternatives)
    for (const term of and)
      for (const t of term.acl.tests) if (pick(t.scope)) out.add(`'${t.expr.name}'${term.acl.name === null ? '' : ` (acl '${term.acl.name}')`}`);
  return [...out];
}

/** Warn, as HAProxy does, about ACLs that can never match in the direction they are evaluated in. */
function checkDirection(cond: Condition | null, dir: 'req' | 'res', what: string, diags: Diagnostics): void {
  if (cond === null) return;
  const bad = httpFetches(cond, (s) => wrongDirection(s, dir));
  if (bad.length > 0) diags.warn(cond.where, `${bad.join(', ')} will never match in ${what}: ${dir === 'req' ? 'it reads the response' : 'it reads the request, which is gone once the response is processed'}`);
}

/**
 * `tcp-request` content inspection: lbd runs it in mode tcp only, on layer 4 and content fetches; and, as
 * HAProxy, a use_backend reading content without any content rule sees only what is there when the
 * connection starts (nothing), which deserves a warning.
 */
function checkTcpRequest(fe: FrontendConfig, diags: Diagnostics): void {
  const name = `frontend '${fe.name}'`;
  const t = fe.tcpRequest;
  if (t !== undefined && fe.mode !== 'tcp') {
    diags.error(t.rules[0]?.where ?? fe.where, `${name}: 'tcp-request inspect-delay' and 'tcp-request content' rules are supported by lbd in mode tcp only`);
    return;
  }
  for (const r of t?.rules ?? []) {
    if (r.cond?.http) diags.error(r.where, `${name}: this tcp-request content condition uses HTTP fetches (${httpFetches(r.cond, isHttpScope).join(', ')}); lbd evaluates them in mode http only`);
  }
  if (fe.mode !== 'tcp' || (t !== undefined && t.rules.length > 0)) return;
  const u = fe.useBackends.find((r) => r.cond?.content);
  if (u !== undefined) diags.warn(u.where, `${name}: this use_backend condition reads the client's data (${httpFetches(u.cond!, (s) => s === 'content').join(', ')}) but no 'tcp-request content' rule waits for it, so, as in HAProxy, it sees none; add 'tcp-request inspect-delay <time>' and e.g. 'tcp-request content accept if { req.ssl_hello_type 1 }'`);
}

function checkFrontend(fe: FrontendConfig, diags: Diagnostics): void {
  const name = `frontend '${fe.name}'`;
  if (fe.mode === 'tcp') {
    for (const b of fe.binds) {
      if (b.proto) diags.error(b.where, `${name}: 'proto ${b.proto}' chooses an HTTP version, which needs 'mode http' (in mode tcp the bytes pass as they are)`);
    }
  }
  const h = fe.http;
  if (h === undefined) return;
  for (const u of fe.useBackends) {
    if (u.cond === null) continue;
    checkDirection(u.cond, 'req', 'a use_backend rule', diags);
    if (fe.mode === 'tcp' && u.cond.http) {
      const used = httpFetches(u.cond, isHttpScope);
      diags.error(u.where, `${name} is in mode tcp but this use_backend condition uses HTTP fetches (${used.join(', ')}); lbd evaluates them in mode http only (in tcp mode use layer 4 fetches such as src or dst_port)`);
    }
  }
  for (const r of h.requestRules) checkDirection(r.cond, 'req', 'an http-request rule', diags);
  for (const r of h.responseRules) checkDirection(r.cond, 'res', 'an http-response rule', diags);
  checkTcpRequest(fe, diags);
  if (fe.mode !== 'tcp') return;
  if (h.requestRules.length > 0) diags.warn(h.requestRules[0].where, `'http-request' rules ignored for ${name} as they require HTTP mode`);
  if (h.responseRules.length > 0) diags.warn(h.responseRules[0].where, `'http-response' rules ignored for ${name} as they require HTTP mode`);
  if (h.forwardFor !== null) diags.warn(h.forwardFor.where, `'option forwardfor' ignored for ${name} as it requires HTTP mode`);
  if (h.monitorUri !== null) diags.warn(fe.where, `monitor-uri will be ignored for ${name} (needs 'mode http')`);
}

function checkBackend(be: BackendConfig, diags: Diagnostics): void {
  const h = be.http;
  if (h === undefined) return;
  const name = `backend '${be.name}'`;
  // a listen's rules were checked on its frontend half
  if (!be.fromListen) {
    for (const r of h.requestRules) checkDirection(r.cond, 'req', 'an http-request rule', diags);
    for (const r of h.responseRules) checkDirection(r.cond, 'res', 'an http-response rule', diags);
  }
  for (const s of be.servers) {
    if (s.cookie !== null && s.cookie !== undefined && h.cookie === null) diags.warn(s.where, `'server ${s.name}': its cookie value is not used: ${name} has no 'cookie' line`);
    if (s.proto === 'h2' && s.sendProxy !== 0) diags.error(s.where, `'server ${s.name}': 'proto h2' shares each connection between clients, so it cannot start with one client's PROXY header ('send-proxy'); use one or the other`);
    if (s.proto === 'h2' && be.mode === 'tcp') diags.warn(s.where, `'server ${s.name}': 'proto h2' ignored in ${name} (needs 'mode http': in mode tcp the bytes pass as they are)`);
  }
  if (be.mode !== 'tcp') return;
  if (!be.fromListen) {
    if (h.requestRules.length > 0) diags.warn(h.requestRules[0].where, `'http-request' rules ignored for ${name} as they require HTTP mode`);
    if (h.responseRules.length > 0) diags.warn(h.responseRules[0].where, `'http-response' rules ignored for ${name} as they require HTTP mode`);
    if (h.forwardFor !== null) diags.warn(h.forwardFor.where, `'option forwardfor' ignored for ${name} as it requires HTTP mode`);
  }
  if (h.cookie !== null) diags.warn(h.cookie.where, `cookie will be ignored for ${name} (needs 'mode http')`);
  const key = be.balance.key;
  if (key !== null && key !== undefined) diags.warn(be.where, `Layer 7 hash not possible for ${name} (needs 'mode http'). Falling back to round robin.`);
}

/** Userlist memberships: every group a user names exists, every user a group names exists. */
function checkUserlists(userlists: readonly UserlistDraft[], diags: Diagnostics): void {
  for (const ul of userlists) {
    const groups = new Set(ul.groups.map((g) => g.name));
    const users = new Set(ul.users.map((u) => u.name));
    for (const u of ul.users) for (const g of u.groups) if (!groups.has(g)) diags.error(u.where, `userlist '${ul.name}': no such group '${g}' specified in user '${u.name}'`);
    for (const g of ul.groups) for (const u of g.users) if (!users.has(u)) diags.error(g.where, `userlist '${ul.name}': no such user '${u}' specified in group '${g.name}'`);
  }
}

/** Every HTTP check that needs the whole configuration. */
export function validateHttp(proxies: readonly ProxyDraft[], userlists: readonly UserlistDraft[], frontends: readonly FrontendConfig[], backends: readonly BackendConfig[], diags: Diagnostics): void {
  checkUserlistRefs(proxies, userlists, diags);
  checkUserlists(userlists, diags);
  for (const fe of frontends) checkFrontend(fe, diags);
  for (const be of backends) checkBackend(be, diags);
}
