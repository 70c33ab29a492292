/**
 * Drafts → the Config model: built-in defaults applied once, `listen` split in two, proxy and server ids
 * numbered, and the list of addresses that still need a DNS lookup.
 */
import { isIP } from 'node:net';
import type { BackendConfig, BindConfig, FrontendConfig, GlobalConfig, HealthCheckConfig, ServerConfig, SourceRef, Timeouts, UserlistConfig } from './types.js';
import { backendHttp, buildUserlists, fetchContexts, frontendHttp, tcpRequestOf, useBackendRules } from './build-http.js';
import type { Diagnostics } from './context.js';
import type { ParsedConfig } from './parser.js';
import type { BindSslDraft, GlobalDraft, Placed, ProxyDraft, ServerDraft } from './drafts.js';
import { bindSslOf, serverSslOf, sslDefaultBindOf } from './build-tls.js';

export type Mutable<T> = { -readonly [K in keyof T]: T[K] };

/** An address to look up at load time; `apply` stores the result (null = none, allowed by init-addr). */
export interface ResolveJob {
  readonly host: string;
  readonly family: 'any' | 'ipv4' | 'ipv6';
  /** init-addr methods in order (`libc` only for check and bind addresses). */
  readonly methods: readonly string[];
  readonly where: SourceRef;
  /** How messages name the directive, e.g. `server s1`, `bind`. */
  readonly directive: string;
  readonly what: string;
  readonly apply: (address: string | null) => void;
}

export interface Built {
  readonly global: GlobalConfig;
  readonly frontends: Mutable<FrontendConfig>[];
  readonly backends: Mutable<BackendConfig>[];
  readonly jobs: ResolveJob[];
  readonly userlists: UserlistConfig[];
  /** The line of each frontend's default_backend (its own, inherited from defaults, or the listen line). */
  readonly defaultBackendWhere: Map<FrontendConfig, SourceRef>;
}

/** HAProxy has no global default for these; ours are documented on GlobalConfig. */
const GLOBAL_DEFAULTS = { maxconn: 100_000, statsTimeout: 10_000, spreadChecks: 0, bufsize: 16384, httpMaxhdr: 101 };
const SERVER_DEFAULTS = { inter: 2000, rise: 2, fall: 3, weight: 1, errorLimit: 10 } as const;
const DEFAULT_INIT_ADDR = ['last', 'libc'];

function timeoutsOf(px: ProxyDraft): Timeouts {
  const t = px.timeouts;
  return {
    connect: t.connect ?? null,
    client: t.client ?? null,
    server: t.server ?? null,
    check: t.check ?? null,
    queue: t.queue ?? null,
    tunnel: t.tunnel ?? null,
    clientFin: t.clientFin ?? null,
    serverFin: t.serverFin ?? null,
    httpRequest: t.httpRequest ?? null,
    httpKeepAlive: t.httpKeepAlive ?? null,
  };
}

/**
 * Give every item an id: explicit ids are kept (a duplicate is an error), the others take the lowest
 * free number counting up from `first` in file order, as HAProxy numbers proxies and servers. Proxies
 * start at 2: HAProxy 2.6 gives id 1 to its internal stats socket frontend, and tools that read
 * `show stat` by iid (exporters, hatop) see the same numbers from lbd as from HAProxy.
 */
export function assignIds<T>(items: readonly T[], explicit: (t: T) => Placed<number> | undefined, label: (t: T) => string, kind: string, diags: Diagnostics, first = 1): number[] {
  const used = new Map<number, T>();
  for (const it of items) {
    const id = explicit(it);
    if (id === undefined) continue;
    const prev = used.get(id.value);
    if (prev !== undefined) diags.error(id.where, `${kind} id ${id.value} is already used by ${label(prev)}`);
    else used.set(id.value, it);
  }
  let next = first;
  return items.map((it) => {
    const id = explicit(it);
    if (id !== undefined) return id.value;
    while (used.has(next)) next++;
    used.set(next, it);
    return next;
  });
}

function healthCheckOf(px: ProxyDraft, diags: Diagnostics): HealthCheckConfig {
  const c = px.check;
  const type = c.type ?? 'tcp';
  if (c.httpRulesWhere && type !== 'http') diags.warn(c.httpRulesWhere, `'http-check' rules are ignored in ${px.kind} '${px.name}' because 'option httpchk' is not set`);
  if (c.tcpRulesWhere && type !== 'tcp-check') diags.warn(c.tcpRulesWhere, `'tcp-check' rules are ignored in ${px.kind} '${px.name}' because 'option tcp-check' is not set`);
  return {
    type,
    http: {
      method: c.send.method ?? c.httpchk.method ?? 'OPTIONS',
      uri: c.send.uri ?? c.httpchk.uri ?? '/',
      version: c.send.version ?? c.httpchk.version ?? 'HTTP/1.0',
      headers: [...c.httpchk.headers, ...c.send.headers],
      body: c.send.body ?? '',
    },
    expect: c.expect,
    disableOn404: c.disableOn404 ?? false,
    tcpCheck: c.tcpCheck,
    logHealthChecks: c.logHealthChecks ?? false,
  };
}

function serverOf(px: ProxyDraft, s: ServerDraft, id: number, jobs: ResolveJob[], g: GlobalDraft, diags: Diagnostics): Mutable<ServerConfig> {
  const o = s.opts;
  const inter = o.inter ?? SERVER_DEFAULTS.inter;
  const initAddr = o.initAddr ?? DEFAULT_INIT_ADDR;
  const server: Mutable<ServerConfig> = {
    name: s.name,
    id,
    where: s.where,
    host: s.addr.host,
    address: s.addr.isIp ? s.addr.host : null,
    port: s.addr.port,
    check: o.check ?? false,
    inter,
    fastinter: o.fastinter ?? inter,
    downinter: o.downinter ?? inter,
    rise: o.rise ?? SERVER_DEFAULTS.rise,
    fall: o.fall ?? SERVER_DEFAULTS.fall,
    weight: o.weight ?? SERVER_DEFAULTS.weight,
    disabled: o.disabled ?? false,
    backup: o.backup ?? false,
    track: o.track ? { backend: o.track.backend ?? px.name, server: o.track.server } : null,
    checkPort: o.checkPort ?? null,
    checkAddr: o.checkAddr ?? null,
    maxconn: o.maxconn ?? 0,
    maxqueue: o.maxqueue ?? 0,
    slowstart: o.slowstart ?? 0,
    observe: o.observe ?? null,
    errorLimit: o.errorLimit ?? SERVER_DEFAULTS.errorLimit,
    onError: o.onError ?? 'fail-check',
    onMarkedDown: o.onMarkedDown ?? null,
    onMarkedUp: o.onMarkedUp ?? null,
    sendProxy: o.sendProxyV2 ? 2 : o.sendProxyV1 ? 1 : 0,
    proto: o.proto ?? 'h1',
    checkSendProxy: (o.checkSendProxy ?? false) || ((o.sendProxyV1 || o.sendProxyV2) === true && o.checkPort === undefined && o.checkAddr === undefined),
    initAddr,
    cookie: o.cookie ?? null,
  };
  const ssl = serverSslOf(o, `'server ${s.name}'`, s.where, g, diags);
  if (ssl) server.ssl = ssl;
  const directive = `server ${s.name}`;
  if (!s.addr.isIp) {
    jobs.push({ host: s.addr.host, family: s.addr.family, methods: initAddr, where: s.where, directive, what: 'address', apply: (a) => (server.address = a) });
  }
  const ca = server.checkAddr;
  if (ca !== null && isIP(ca) === 0) {
    jobs.push({ host: ca, family: 'any', methods: ['libc'], where: s.where, directive, what: 'check address', apply: (a) => (server.checkAddr = a) });
  }
  return server;
}

/** TLS settings of each bind line, loaded once per line (the addresses of a comma list share them). */
type SslCache = Map<BindSslDraft, BindConfig['ssl']>;

function bindsOf(px: ProxyDraft, jobs: ResolveJob[], g: GlobalDraft, diags: Diagnostics, ssl: SslCache): BindConfig[] {
  return px.binds.map(({ isIp, sslDraft, ...b }) => {
    const bind: Mutable<BindConfig> = { ...b };
    if (sslDraft !== undefined) {
      if (!ssl.has(sslDraft)) ssl.set(sslDraft, bindSslOf(sslDraft, g, diags));
      bind.ssl = ssl.get(sslDraft);
    }
    if (!isIp) jobs.push({ host: b.host, family: b.family, methods: ['libc'], where: b.where, directive: 'bind', what: 'address', apply: (a) => (bind.host = a ?? b.host) });
    return bind;
  });
}

/** Turn the parsed drafts into the model, before validation and name resolution. */
export function build(parsed: ParsedConfig, diags: Diagnostics): Built {
  const g = parsed.global;
  const global: GlobalConfig = {
    maxconn: g.maxconn ?? GLOBAL_DEFAULTS.maxconn,
    statsSockets: g.statsSockets,
    statsTimeout: g.statsTimeout ?? GLOBAL_DEFAULTS.statsTimeout,
    spreadChecks: g.spreadChecks ?? GLOBAL_DEFAULTS.spreadChecks,
    hardStopAfter: g.hardStopAfter ?? null,
    pidfile: g.pidfile ?? null,
    logs: g.logs,
    logTargets: g.logTargets,
    tune: { bufsize: g.tune.bufsize ?? GLOBAL_DEFAULTS.bufsize, httpMaxhdr: g.tune.httpMaxhdr ?? GLOBAL_DEFAULTS.httpMaxhdr },
    ...(g.sslDefaultBind !== undefined ? { sslDefaultBind: sslDefaultBindOf(g.sslDefaultBind) } : {}),
    where: g.where,
  };
  const userlists = buildUserlists(parsed.userlists);
  const fctx = fetchContexts(userlists);
  const jobs: ResolveJob[] = [];
  const frontends: Mutable<FrontendConfig>[] = [];
  const backends: Mutable<BackendConfig>[] = [];
  const defaultBackendWhere = new Map<FrontendConfig, SourceRef>();
  const sslCache: SslCache = new Map();
  const ids = assignIds(parsed.proxies, (p) => p.id, (p) => `${p.kind} '${p.name}'`, 'proxy', diags, 2);
  parsed.proxies.forEach((px, k) => {
    const fromListen = px.kind === 'listen';
    const common = { name: px.name, id: ids[k], where: px.where, mode: px.mode ?? 'tcp', timeouts: timeoutsOf(px), disabled: px.disabled ?? false, fromListen };
    const description = px.description !== undefined ? { description: px.description } : {};
    if (px.kind !== 'backend') {
      const fe: Mutable<FrontendConfig> = {
        ...common,
        ...description,
        binds: bindsOf(px, jobs, g, diags, sslCache),
        maxconn: px.maxconn ?? 0,
        defaultBackend: px.defaultBackend?.backend ?? (fromListen ? px.name : null),
        useBackends: useBackendRules(px.useBackends, fctx.req),
        http: frontendHttp(px, fctx),
        ...tcpRequestOf(px, fctx.req),
      };
      frontends.push(fe);
      defaultBackendWhere.set(fe, px.defaultBackend?.where ?? px.where);
    }
    if (px.kind !== 'frontend') {
      const sids = assignIds(px.servers, (s) => s.opts.id, (s) => `server '${s.name}'`, 'server', diags);
      backends.push({
        ...common,
        ...description,
        balance: { algorithm: px.balance?.algorithm ?? 'roundrobin', draws: px.balance?.draws ?? 2, hashType: px.hashType ?? 'map-based', key: px.balance?.key ?? null },
        retries: px.retries ?? 3,
        redispatch: px.redispatch ?? false,
        healthCheck: healthCheckOf(px, diags),
        servers: px.servers.map((s, i) => serverOf(px, s, sids[i], jobs, g, diags)),
        http: backendHttp(px, fctx),
      });
    }
  });
  return { global, frontends, backends, jobs, userlists, defaultBackendWhere };
}
