/**
 * Cross-references, checked once every section is read (HAProxy's `check_config_validity()`):
 * names, backend references, `track` targets and loops, check ports, and listener conflicts.
 */
import type { BackendConfig, BindConfig, FrontendConfig, ServerConfig, SourceRef } from './types.js';
import type { Diagnostics } from './context.js';
import type { ProxyDraft } from './drafts.js';
import { canonicalIp, isWildcard } from './address.js';
import { didYouMean } from './suggest.js';

const at = (w: SourceRef): string => `${w.file}:${w.line}`;

/**
 * Frontends and backends have separate namespaces (a frontend and a backend may share a name, as in
 * HAProxy); a `listen` is in both, so it clashes with either.
 */
export function checkProxyNames(proxies: readonly ProxyDraft[], diags: Diagnostics): void {
  const fronts = new Map<string, ProxyDraft>();
  const backs = new Map<string, ProxyDraft>();
  for (const px of proxies) {
    if (px.name === '') continue;
    const spaces = px.kind === 'frontend' ? [fronts] : px.kind === 'backend' ? [backs] : [fronts, backs];
    const clash = spaces.map((m) => m.get(px.name)).find((p) => p !== undefined);
    if (clash) diags.error(px.where, `${px.kind} '${px.name}' has the same name as ${clash.kind} '${clash.name}' declared at ${at(clash.where)}`);
    else for (const m of spaces) m.set(px.name, px);
  }
}

function checkServerNames(be: BackendConfig, diags: Diagnostics): void {
  const seen = new Map<string, ServerConfig>();
  for (const s of be.servers) {
    const prev = seen.get(s.name);
    if (prev) diags.error(s.where, `backend '${be.name}' has two servers named '${s.name}' (the first is at ${at(prev.where)})`);
    else seen.set(s.name, s);
  }
}

/** Where frontends send traffic: each named backend must exist, and an HTTP frontend cannot use a TCP backend. */
function checkBackendRefs(fe: FrontendConfig, defaultWhere: SourceRef, backends: ReadonlyMap<string, BackendConfig>, frontendNames: ReadonlySet<string>, reported: Set<string>, diags: Diagnostics): void {
  const refs = [...(fe.defaultBackend !== null ? [{ backend: fe.defaultBackend, where: defaultWhere, kw: 'default_backend' }] : []), ...fe.useBackends.map((r) => ({ ...r, kw: 'use_backend' }))];
  for (const r of refs) {
    // An inherited default_backend is reported once, at its defaults line, not once per frontend.
    const where = r.where;
    const key = `${at(where)}/${r.backend}`;
    const be = backends.get(r.backend);
    if (be === undefined) {
      if (reported.has(key)) continue;
      reported.add(key);
      const why = frontendNames.has(r.backend) ? `'${r.backend}' is a frontend, not a backend` : `unable to find backend '${r.backend}'${didYouMean(r.backend, backends.keys())}`;
      diags.error(where, `frontend '${fe.name}': ${r.kw}: ${why}`);
    } else if (fe.mode === 'http' && be.mode === 'tcp') {
      diags.error(where, `frontend '${fe.name}' is in mode http but its ${r.kw} '${be.name}' is in mode tcp`);
    }
  }
  if (fe.defaultBackend === null && fe.useBackends.length === 0) {
    diags.warn(fe.where, `frontend '${fe.name}' has no default_backend and no use_backend rule: it has nowhere to send connections`);
  }
  if (fe.binds.length === 0 && !fe.fromListen) diags.warn(fe.where, `frontend '${fe.name}' has no 'bind' line: it will not accept any connection`);
}

/** A server checks or tracks, not both; what it tracks must exist and itself check or track. */
function checkTrack(s: ServerConfig, backends: ReadonlyMap<string, BackendConfig>, diags: Diagnostics): void {
  const p = `'server ${s.name}'`;
  if (s.track === null) return;
  if (s.check) diags.error(s.where, `${p}: unable to enable checks and tracking at the same time! (add 'no-check' if 'check' comes from default-server)`);
  const target = backends.get(s.track.backend);
  if (target === undefined) return diags.error(s.where, `${p}: unable to find backend '${s.track.backend}' for tracking${didYouMean(s.track.backend, backends.keys())}`);
  const ts = target.servers.find((x) => x.name === s.track?.server);
  if (ts === undefined) {
    return diags.error(s.where, `${p}: unable to find server '${s.track.server}' in backend '${target.name}' for tracking${didYouMean(s.track.server, target.servers.map((x) => x.name))}`);
  }
  if (!ts.check && ts.track === null) {
    diags.error(s.where, `${p}: unable to use ${target.name}/${ts.name} for tracking as it does not have any check nor agent enabled`);
  }
}

/**
 * `track` chains must end at a server that checks. Each loop is reported once, at its first server in
 * file order, naming the whole chain (`b/s1 -> b/s2 -> b/s1`).
 */
export function checkTrackLoops(backends: readonly BackendConfig[], diags: Diagnostics): void {
  const byKey = new Map<string, ServerConfig>();
  const order = new Map<string, number>();
  for (const be of backends) for (const s of be.servers) {
    const k = `${be.name}/${s.name}`;
    if (!byKey.has(k)) {
      byKey.set(k, s);
      order.set(k, order.size);
    }
  }
  const done = new Set<string>();
  for (const start of byKey.keys()) {
    const path: string[] = [];
    const onPath = new Map<string, number>();
    let k: string | null = start;
    while (k !== null && !done.has(k) && !onPath.has(k)) {
      onPath.set(k, path.length);
      path.push(k);
      const t: ServerConfig['track'] | undefined = byKey.get(k)?.track;
      k = t ? `${t.backend}/${t.server}` : null;
      if (k !== null && !byKey.has(k)) k = null;
    }
    if (k !== null && onPath.has(k)) {
      const loop = path.slice(onPath.get(k));
      const first = loop.reduce((a, b) => ((order.get(a) ?? 0) <= (order.get(b) ?? 0) ? a : b));
      const i = loop.indexOf(first);
      const chain = [...loop.slice(i), ...loop.slice(0, i), first];
      const s = byKey.get(first);
      if (s) diags.error(s.where, `'server ${s.name}': tracking loop: ${chain.join(' -> ')}`);
    }
    for (const p of path) done.add(p);
  }
}

/** A checked server needs a port to check: its own, its `port` option, or a `tcp-check connect port`. */
function checkCheckPort(be: BackendConfig, s: ServerConfig, diags: Diagnostics): void {
  if (!s.check || s.port !== null || s.checkPort !== null) return;
  const first = be.healthCheck.type === 'tcp-check' ? be.healthCheck.tcpCheck[0] : undefined;
  if (first?.kind === 'connect' && first.port !== null) return;
  diags.error(s.where, `'server ${s.name}': has neither service port nor check port: give the server a port or add 'port <n>' for the checks`);
}

/** Everything that needs the whole configuration, except listener conflicts (those wait for DNS). */
export function validate(proxies: readonly ProxyDraft[], frontends: readonly FrontendConfig[], backends: readonly BackendConfig[], defaultBackendWhere: ReadonlyMap<FrontendConfig, SourceRef>, diags: Diagnostics): void {
  checkProxyNames(proxies, diags);
  const byName = new Map<string, BackendConfig>();
  for (const be of backends) if (!byName.has(be.name)) byName.set(be.name, be);
  const frontendNames = new Set(frontends.map((f) => f.name));
  const reported = new Set<string>();
  for (const fe of frontends) if (fe.name !== '') checkBackendRefs(fe, defaultBackendWhere.get(fe) ?? fe.where, byName, frontendNames, reported, diags);
  for (const be of backends) {
    checkServerNames(be, diags);
    for (const s of be.servers) {
      checkTrack(s, byName, diags);
      checkCheckPort(be, s, diags);
      if (s.observe === 'layer7' && be.mode !== 'http') diags.warn(s.where, `'server ${s.name}': 'observe layer7' needs mode http; backend '${be.name}' is in mode tcp`);
    }
  }
  checkTrackLoops(backends, diags);
}

function bindKey(b: BindConfig): string {
  return b.fd !== null ? `fd@${b.fd}` : `${isWildcard(b.host) ? '*' : canonicalIp(b.host)}:${b.port}`;
}

/**
 * Two listeners may not share an address: the same host and port, a wildcard (`*:p`, `0.0.0.0:p`, `[::]:p`)
 * and anything else on port p, or the same inherited fd. Reported at the later bind line.
 */
export function checkListenerConflicts(frontends: readonly FrontendConfig[], diags: Diagnostics): void {
  const seen: { b: BindConfig; fe: FrontendConfig }[] = [];
  for (const fe of frontends) {
    for (const b of fe.binds) {
      const clash = seen.find(({ b: o }) => {
        if (b.fd !== null || o.fd !== null) return b.fd === o.fd;
        if (b.port !== o.port) return false;
        return isWildcard(b.host) || isWildcard(o.host) || bindKey(b) === bindKey(o);
      });
      if (clash) diags.error(b.where, `bind '${b.text}' conflicts with bind '${clash.b.text}' of frontend '${clash.fe.name}' at ${at(clash.b.where)}: ${b.fd !== null ? 'same file descriptor' : `both listen on port ${b.port}`}`);
      seen.push({ b, fe });
    }
  }
}
