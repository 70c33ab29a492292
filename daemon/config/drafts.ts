/**
 * Drafts: what keyword parsers fill in while a section is read. Every field a `defaults` section can
 * set is optional here (undefined = "not set, use the inherited value or the built-in default"), so
 * inheritance is a deep copy and the built-in defaults are applied once, in build.ts.
 */
import type { BindConfig, HttpCheckExpect, OnError, ProxyMode, SourceRef, TcpCheckStep, Timeouts, BalanceAlgorithm, StatsSocketConfig, HttpHashKey, LogTarget, Formatter } from './types.js';
import type { ProxyKind } from './context.js';
import type { HttpDraft, UseBackendDraft } from './drafts-http.js';
import { emptyHttpDraft } from './drafts-http.js';
import type { AclEntry, ParsedCondition } from '../http/acl/condition.js';
import type { TlsVersionsDraft } from './keywords/ssl-options.js';

export type { HttpDraft, RuleDraft, UseBackendDraft, UserlistDraft } from './drafts-http.js';

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

/** A number together with the line that set it, for "already used by" messages. */
export interface Placed<T> {
  readonly value: T;
  readonly where: SourceRef;
}

/** Options that `server` and `default-server` lines set. */
export interface ServerOptions {
  check?: boolean;
  inter?: number;
  fastinter?: number;
  downinter?: number;
  rise?: number;
  fall?: number;
  weight?: number;
  disabled?: boolean;
  backup?: boolean;
  track?: { readonly backend: string | null; readonly server: string };
  checkPort?: number;
  checkAddr?: string;
  maxconn?: number;
  maxqueue?: number;
  slowstart?: number;
  observe?: 'layer4' | 'layer7';
  errorLimit?: number;
  onError?: OnError;
  onMarkedDown?: 'shutdown-sessions';
  onMarkedUp?: 'shutdown-backup-sessions';
  initAddr?: string[];
  id?: Placed<number>;
  cookie?: string;
  sendProxyV1?: boolean;
  sendProxyV2?: boolean;
  proto?: 'h1' | 'h2';
  checkSendProxy?: boolean;
  // server-side TLS (`ssl` …)
  ssl?: boolean;
  sslVerify?: 'none' | 'required';
  sslCaFile?: Placed<string>;
  sslVerifyHost?: string;
  sslSni?: Formatter;
  sslAlpn?: string[];
  sslCrt?: Placed<string>;
  sslMinVer?: 'TLSv1' | 'TLSv1.1' | 'TLSv1.2' | 'TLSv1.3';
  sslMaxVer?: 'TLSv1' | 'TLSv1.1' | 'TLSv1.2' | 'TLSv1.3';
  sslCiphers?: string;
  sslReuse?: boolean;
  checkSsl?: boolean;
  checkSni?: string;
}

/** A parsed `<addr>[:port]`: host as written ('' = wildcard), its family, whether it is an IP literal. */
export interface AddressDraft {
  host: string;
  port: number | null;
  family: 'any' | 'ipv4' | 'ipv6';
  isIp: boolean;
}

export interface ServerDraft {
  readonly name: string;
  readonly where: SourceRef;
  readonly addr: AddressDraft;
  readonly opts: ServerOptions;
}

/** A request line and headers from `option httpchk` or `http-check send`. */
export interface HttpRequestDraft {
  method?: string;
  uri?: string;
  version?: string;
  headers: [string, string][];
  body?: string;
}

export interface CheckDraft {
  type?: 'tcp' | 'http' | 'tcp-check';
  httpchk: HttpRequestDraft;
  send: HttpRequestDraft;
  expect: HttpCheckExpect[];
  disableOn404?: boolean;
  tcpCheck: TcpCheckStep[];
  logHealthChecks?: boolean;
  /** First `http-check` / `tcp-check` line of the rules in effect (possibly in defaults), for the "ignored because…" warning. */
  httpRulesWhere: SourceRef | null;
  tcpRulesWhere: SourceRef | null;
  /** True while the rules are the ones copied from `defaults`: the proxy's first rule replaces them. */
  httpRulesInherited: boolean;
  tcpRulesInherited: boolean;
}

/**
 * The TLS words of one `bind` line as written (paths without crt-base). Certificates are loaded and the
 * global `ssl-default-bind-*` applied in build-tls.ts, once per line (a comma list shares this object).
 */
export interface BindSslDraft {
  /** The `ssl` word, when present. */
  ssl: SourceRef | null;
  /** `crt` and `crt-list` in line order (the first certificate loaded is the default one). */
  crts: { kind: 'crt' | 'crt-list'; path: string; where: SourceRef }[];
  versions: TlsVersionsDraft;
  alpn?: string[];
  ciphers?: string;
  ciphersuites?: string;
  curves?: string;
  noTlsTickets: boolean;
  strictSni: boolean;
  verify?: 'none' | 'optional' | 'required';
  caFile?: { path: string; where: SourceRef };
  crlFile?: { path: string; where: SourceRef };
  /** TLS words other than `crt` seen on the line, for the "without 'ssl'" warning. */
  words: string[];
  where: SourceRef;
}

export type BindDraft = Mutable<BindConfig> & { isIp: boolean; sslDraft?: BindSslDraft };

/** `ssl-default-bind-options|ciphers|ciphersuites|curves` as read. */
export interface SslDefaultBindDraft {
  versions: TlsVersionsDraft;
  noTlsTickets: boolean;
  ciphers?: string;
  ciphersuites?: string;
  curves?: string;
}

export interface ProxyDraft {
  kind: ProxyKind;
  name: string;
  where: SourceRef;
  mode?: ProxyMode;
  binds: BindDraft[];
  maxconn?: number;
  defaultBackend?: { backend: string; where: SourceRef };
  useBackends: UseBackendDraft[];
  timeouts: { -readonly [K in keyof Timeouts]?: number | null };
  retries?: number;
  redispatch?: boolean;
  balance?: { algorithm: BalanceAlgorithm; draws: number; key: HttpHashKey | null; where: SourceRef };
  hashType?: 'map-based' | 'consistent';
  check: CheckDraft;
  defaultServer: ServerOptions;
  servers: ServerDraft[];
  disabled?: boolean;
  description?: string;
  id?: Placed<number>;
  /** HTTP rules and settings (plain data where defaults may set it: defaults drafts are deep-copied). */
  http: HttpDraft;
  /** Named ACLs of this section, by name (never set in defaults). */
  acls: Map<string, AclEntry>;
  /** Userlists named by `http_auth(<name>)` fetches, checked once every section is read. */
  userlistRefs: { name: string; where: SourceRef }[];
  /** `tcp-request inspect-delay` (ms) and `tcp-request content` rules (frontend side). */
  inspectDelay?: number;
  tcpContent: TcpContentDraft[];
}

/** `tcp-request content accept|reject [if|unless <cond>]` as read (the condition is compiled in build). */
export interface TcpContentDraft {
  readonly action: 'accept' | 'reject';
  readonly cond: ParsedCondition | null;
  readonly where: SourceRef;
}

export interface GlobalDraft {
  where: SourceRef | null;
  maxconn?: number;
  statsSockets: StatsSocketConfig[];
  statsTimeout?: number;
  spreadChecks?: number;
  hardStopAfter?: number | null;
  pidfile?: string;
  logs: string[];
  logTargets: LogTarget[];
  tune: { bufsize?: number; httpMaxhdr?: number };
  /** `crt-base`/`ca-base`: where relative certificate and CA paths are taken from. */
  crtBase?: string;
  caBase?: string;
  sslDefaultBind?: SslDefaultBindDraft;
  /** `ssl-server-verify none|required` (default required, as HAProxy). */
  sslServerVerify?: 'none' | 'required';
}

/** An empty draft: a section with nothing set. */
export function emptyProxy(kind: ProxyKind, name: string, where: SourceRef): ProxyDraft {
  return {
    kind,
    name,
    where,
    binds: [],
    useBackends: [],
    timeouts: {},
    check: {
      httpchk: { headers: [] },
      send: { headers: [] },
      expect: [],
      tcpCheck: [],
      httpRulesWhere: null,
      tcpRulesWhere: null,
      httpRulesInherited: false,
      tcpRulesInherited: false,
    },
    defaultServer: {},
    servers: [],
    http: emptyHttpDraft(),
    acls: new Map(),
    userlistRefs: [],
    tcpContent: [],
  };
}

/**
 * A proxy that starts from a `defaults` section: a deep copy of everything the defaults set, except what
 * belongs to one proxy only (its id, description). Rules copied from defaults are marked inherited so the
 * proxy's own first `http-check`/`tcp-check` line replaces them instead of appending (HAProxy ≥ 2.2).
 */
export function inheritProxy(defaults: ProxyDraft, kind: ProxyKind, name: string, where: SourceRef): ProxyDraft {
  const px = structuredClone(defaults);
  px.kind = kind;
  px.name = name;
  px.where = where;
  delete px.id;
  delete px.description;
  px.acls = new Map();
  px.userlistRefs = [];
  px.check.httpRulesInherited = px.check.expect.length > 0 || hasRequest(px.check.send);
  px.check.tcpRulesInherited = px.check.tcpCheck.length > 0;
  return px;
}

/** True when a request draft sets anything. */
export function hasRequest(r: HttpRequestDraft): boolean {
  return r.method !== undefined || r.uri !== undefined || r.version !== undefined || r.body !== undefined || r.headers.length > 0;
}

/** Forget inherited `http-check` rules the first time this proxy declares its own. */
export function ownHttpRules(px: ProxyDraft, where: SourceRef): void {
  if (px.check.httpRulesInherited) {
    px.check.expect = [];
    px.check.send = { headers: [] };
    px.check.httpRulesInherited = false;
    px.check.httpRulesWhere = null;
  }
  px.check.httpRulesWhere ??= where;
}

/** Forget inherited `tcp-check` rules the first time this proxy declares its own. */
export function ownTcpRules(px: ProxyDraft, where: SourceRef): void {
  if (px.check.tcpRulesInherited) {
    px.check.tcpCheck = [];
    px.check.tcpRulesInherited = false;
    px.check.tcpRulesWhere = null;
  }
  px.check.tcpRulesWhere ??= where;
}
