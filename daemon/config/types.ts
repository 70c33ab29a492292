/**
 * The typed configuration model: what the parser produces and `Runtime.apply()` consumes.
 *
 * Every default is resolved here (durations in milliseconds, `defaults` sections merged,
 * `default-server` applied, `listen` split into a frontend and a backend of the same name),
 * so nothing downstream has to know HAProxy's inheritance rules. The parser freezes the result.
 * `where` on each object points at the line that declared it, for error messages and reload diffs.
 * The HTTP parts (rules, cookies, logs, userlists) are declared in types-http.ts.
 */
import type { Condition, Formatter } from '../http/acl/types.js';
import type { BackendHttpConfig, FrontendHttpConfig, LogTarget, UserlistConfig } from './types-http.js';

export type { Condition, Formatter } from '../http/acl/types.js';
export type * from './types-http.js';

/** A place in a config file. Lines and columns count from 1. */
export interface SourceRef {
  readonly file: string;
  readonly line: number;
  readonly col?: number;
}

/** A problem found while reading a config: printed as `file:line: message`. */
export interface ConfigDiagnostic {
  readonly severity: 'error' | 'warning';
  readonly where: SourceRef;
  readonly message: string;
}

export type ProxyMode = 'tcp' | 'http';
export type AdminLevel = 'user' | 'operator' | 'admin';

/** `timeout …` values in milliseconds; null when not set (meaning: no timeout, as in HAProxy). */
export interface Timeouts {
  readonly connect: number | null;
  readonly client: number | null;
  readonly server: number | null;
  readonly check: number | null;
  readonly queue: number | null;
  readonly tunnel: number | null;
  readonly clientFin: number | null;
  readonly serverFin: number | null;
  readonly httpRequest: number | null;
  readonly httpKeepAlive: number | null;
}

export interface StatsSocketConfig {
  readonly path: string;
  /** File mode of the socket, e.g. 0o600. */
  readonly mode: number;
  readonly level: AdminLevel;
  readonly where: SourceRef;
}

export interface GlobalConfig {
  /** Process-wide connection limit (`maxconn`); HAProxy's default when unset is derived from ulimit, ours is 100000. */
  readonly maxconn: number;
  readonly statsSockets: readonly StatsSocketConfig[];
  /** `stats timeout`: idle timeout of admin connections, default 10000 ms. */
  readonly statsTimeout: number;
  /** `spread-checks` percentage (0..50): random jitter added to each check interval. */
  readonly spreadChecks: number;
  /** `hard-stop-after`: how long a stopping process waits for sessions before closing them; null = forever. */
  readonly hardStopAfter: number | null;
  readonly pidfile: string | null;
  /** `log` lines kept verbatim (lbd logs to stderr; these are accepted for compatibility). */
  readonly logs: readonly string[];
  /** The same `log` lines, parsed (the parser always sets it; optional only for older callers). */
  readonly logTargets?: readonly LogTarget[];
  /** `tune.bufsize` (default 16384) and `tune.http.maxhdr` (default 101) (the parser always sets it). */
  readonly tune?: { readonly bufsize: number; readonly httpMaxhdr: number };
  /** `ssl-default-bind-*` as written; already folded into every BindSslConfig. Absent when none is set. */
  readonly sslDefaultBind?: SslDefaultBindConfig;
  readonly where: SourceRef | null;
}

/**
 * `ssl-default-bind-options|ciphers|ciphersuites|curves`: what every `bind … ssl` line starts from
 * (a bind's own setting wins; `no-tlsv1x` flags add up). Versions in HAProxy's names (`TLSv1.0` …).
 */
export interface SslDefaultBindConfig {
  readonly minVersion: string | null;
  readonly maxVersion: string | null;
  /** `no-sslv3`/`no-tlsv1x` flags, as versions (`TLSv1.0` …). */
  readonly disabled: readonly string[];
  readonly noTlsTickets: boolean;
  readonly ciphers: string | null;
  readonly ciphersuites: string | null;
  readonly curves: string | null;
}

/**
 * One listening address. A `bind` line with a comma list yields one BindConfig per address.
 * `host` is '' for a wildcard (`*:p`, `:p`); family tells which wildcard (`ipv4@`, `ipv6@`) or 'any'.
 */
export interface BindConfig {
  readonly where: SourceRef;
  /** The address as written, e.g. `*:6443`, `[::1]:80`, `fd@3`. */
  readonly text: string;
  readonly host: string;
  readonly port: number;
  readonly family: 'any' | 'ipv4' | 'ipv6';
  /** For `fd@N`: listen on an inherited file descriptor instead of host:port. */
  readonly fd: number | null;
  /** `name <n>` on the bind line (listener name in stats); defaults to `sock-<k>` later. */
  readonly name: string | null;
  /** `accept-proxy`: every connection starts with a PROXY protocol header (v1 or v2) giving the client's addresses. */
  readonly acceptProxy: boolean;
  /** `proto h2|h1`: the HTTP version forced on this listener (h2: prior knowledge, no ALPN needed); null: ALPN, or the preface, decides. */
  readonly proto?: 'h1' | 'h2' | null;
  /** `ssl` and its options: TLS is terminated on this listener; absent (or null) for a plain listener. */
  readonly ssl?: BindSslConfig | null;
}

/** One certificate of a TLS listener: a PEM's chain and key, the names it serves, from `crt` or a `crt-list` line. */
export interface TlsCertificate {
  /** The PEM file it came from (`show ssl cert`, `lbctl cert list`). */
  readonly file: string;
  /** The certificate chain (leaf first) and the private key, PEM text. */
  readonly certPem: string;
  readonly keyPem: string;
  /** 'rsa' | 'ec' | other key type, as crypto names it (ECDSA and RSA certificates for one name live side by side). */
  readonly keyType: string;
  /** Names it serves for SNI, lower case: a crt-list line's filters, else the certificate's DNS SANs (else its CN); `*.x` wildcards allowed. */
  readonly names: readonly string[];
  /** Names excluded by `!name` filters of a crt-list line. */
  readonly excluded: readonly string[];
  /** The leaf's subject and issuer (one-line DN), serial and validity, epoch ms. */
  readonly subject: string;
  readonly issuer: string;
  readonly serial: string;
  readonly notBefore: number;
  readonly notAfter: number;
  /** The `bind` line (or crt-list line) that named it. */
  readonly where: SourceRef;
}

/** `bind … ssl crt <pem|dir> [crt-list <f>] [alpn …] [ssl-min-ver …] …` with global `ssl-default-bind-*` applied. */
export interface BindSslConfig {
  /** Every certificate, in load order; the first is the default (no SNI, or no name matches). */
  readonly certs: readonly TlsCertificate[];
  /** ALPN protocols offered, in order (`alpn h2,http/1.1`); empty: no ALPN. */
  readonly alpn: readonly string[];
  /** Protocol range, Node's names: 'TLSv1' | 'TLSv1.1' | 'TLSv1.2' | 'TLSv1.3'. Default TLSv1.2 .. TLSv1.3. */
  readonly minVersion: 'TLSv1' | 'TLSv1.1' | 'TLSv1.2' | 'TLSv1.3';
  readonly maxVersion: 'TLSv1' | 'TLSv1.1' | 'TLSv1.2' | 'TLSv1.3';
  /** OpenSSL cipher list (TLS 1.2 and below), TLS 1.3 suites, groups (`curves`); null: lbd's secure defaults. */
  readonly ciphers: string | null;
  readonly ciphersuites: string | null;
  readonly curves: string | null;
  readonly noTlsTickets: boolean;
  /** `strict-sni`: refuse a handshake whose SNI matches no certificate (instead of using the default). */
  readonly strictSni: boolean;
  /** Client certificates: `verify none|optional|required`, `ca-file`, `crl-file` (PEM text as loaded). */
  readonly verify: 'none' | 'optional' | 'required';
  readonly caFile: { readonly path: string; readonly pem: string } | null;
  readonly crlFile: { readonly path: string; readonly pem: string } | null;
}

/** `use_backend <backend> [if|unless <condition>]`; an unconditional rule has `cond: null`. */
export interface UseBackendRule {
  readonly backend: string;
  readonly cond: Condition | null;
  readonly where: SourceRef;
}

export interface FrontendConfig {
  readonly name: string;
  /** Proxy id (`iid` in stats): sections are numbered from 2 in file order, as HAProxy 2.6 does (frontends, backends and listens share the sequence). */
  readonly id: number;
  readonly where: SourceRef;
  readonly mode: ProxyMode;
  readonly binds: readonly BindConfig[];
  /** 0 = no per-frontend limit (the global one applies). HAProxy's default frontend maxconn is the global maxconn. */
  readonly maxconn: number;
  readonly defaultBackend: string | null;
  readonly useBackends: readonly UseBackendRule[];
  readonly timeouts: Timeouts;
  readonly disabled: boolean;
  /** True when this frontend came from a `listen` section (its backend has the same name). */
  readonly fromListen: boolean;
  /** `description <text>`, when set. */
  readonly description?: string;
  /** HTTP settings of the frontend side (the parser always sets it; optional only for older callers). */
  readonly http?: FrontendHttpConfig;
  /** `tcp-request inspect-delay` and `tcp-request content` rules; absent when neither is set. */
  readonly tcpRequest?: TcpRequestConfig;
}

/**
 * Content inspection of a mode tcp frontend: the first bytes are buffered (up to tune.bufsize) and the
 * rules evaluated as they arrive, a rule whose condition needs more data waiting at most `inspectDelay`.
 */
export interface TcpRequestConfig {
  /** ms; null when unset (the rules then see only what is there when the connection starts: nothing). */
  readonly inspectDelay: number | null;
  readonly rules: readonly TcpContentRule[];
}

/** One `tcp-request content accept|reject [if|unless <cond>]` rule. */
export interface TcpContentRule {
  readonly action: 'accept' | 'reject';
  readonly cond: Condition | null;
  readonly where: SourceRef;
}

export type BalanceAlgorithm = 'roundrobin' | 'static-rr' | 'leastconn' | 'first' | 'source' | 'random' | 'uri' | 'url_param' | 'hdr';

/** What `balance uri|url_param|hdr` hash (see daemon/http/acl/balance-key.ts for the keys). */
export type HttpHashKey =
  | { readonly kind: 'uri'; readonly whole: boolean; readonly len: number; readonly depth: number; readonly pathOnly: boolean }
  | { readonly kind: 'url_param'; readonly name: string; readonly checkPost: boolean }
  | { readonly kind: 'hdr'; readonly name: string; readonly useDomainOnly: boolean };

export interface BalanceConfig {
  readonly algorithm: BalanceAlgorithm;
  /** `random(<draws>)`: how many servers to draw and keep the least loaded of; default 2. */
  readonly draws: number;
  readonly hashType: 'map-based' | 'consistent';
  /** For `uri`, `url_param` and `hdr`: what to hash (null or absent for the other algorithms). */
  readonly key?: HttpHashKey | null;
}

/** `http-check expect [!] <match> <pattern>` */
export interface HttpCheckExpect {
  readonly negate: boolean;
  readonly match: 'status' | 'rstatus' | 'string' | 'rstring';
  /** For `status`: the pattern as written, e.g. `200`, `200-399`, `200,204,300-399`. For the others the literal or regex source. */
  readonly pattern: string;
  readonly where: SourceRef;
}

/** The request an HTTP check sends: `option httpchk` plus `http-check send`. */
export interface HttpCheckRequest {
  readonly method: string;
  readonly uri: string;
  readonly version: string;
  /** Extra headers (`http-check send hdr <name> <value>`, or the legacy `\r\n`-appended ones in `option httpchk`). */
  readonly headers: readonly (readonly [string, string])[];
  readonly body: string;
}

export type TcpCheckStep =
  | { readonly kind: 'connect'; readonly port: number | null; readonly where: SourceRef }
  | { readonly kind: 'send'; readonly data: string; readonly where: SourceRef }
  | { readonly kind: 'send-binary'; readonly hex: string; readonly where: SourceRef }
  | { readonly kind: 'expect'; readonly negate: boolean; readonly match: 'string' | 'rstring' | 'binary'; readonly pattern: string; readonly where: SourceRef };

/**
 * How a backend's servers are checked when they have `check`.
 * `tcp` = plain connect (HAProxy's default), `http` = `option httpchk`, `tcp-check` = `option tcp-check` rules.
 */
export interface HealthCheckConfig {
  readonly type: 'tcp' | 'http' | 'tcp-check';
  readonly http: HttpCheckRequest;
  /** Empty list = HAProxy's default: any 2xx or 3xx status passes. */
  readonly expect: readonly HttpCheckExpect[];
  readonly disableOn404: boolean;
  readonly tcpCheck: readonly TcpCheckStep[];
  readonly logHealthChecks: boolean;
}

export type OnError = 'fastinter' | 'fail-check' | 'sudden-death' | 'mark-down';

export interface ServerConfig {
  readonly name: string;
  /** Server id (`sid` in stats): numbered from 1 within the backend in file order. */
  readonly id: number;
  readonly where: SourceRef;
  /** The address as written (hostname or IP literal). */
  readonly host: string;
  /** Resolved IP address at load time; null when unresolved and `init-addr none` allowed it (the server starts in MAINT (resolution)). */
  readonly address: string | null;
  /** null = no port given: connect to the port the client connected to (HAProxy semantics). */
  readonly port: number | null;
  readonly check: boolean;
  readonly inter: number;
  readonly fastinter: number;
  readonly downinter: number;
  readonly rise: number;
  readonly fall: number;
  /** Configured weight 0..256 (HAProxy's range), default 1. */
  readonly weight: number;
  readonly disabled: boolean;
  readonly backup: boolean;
  /** `track [<backend>/]<server>`, with the backend filled in (defaults to the server's own backend). */
  readonly track: { readonly backend: string; readonly server: string } | null;
  /** `port`: check this port instead of the server's. */
  readonly checkPort: number | null;
  /** `addr`: check this address instead of the server's. */
  readonly checkAddr: string | null;
  /** 0 = unlimited. */
  readonly maxconn: number;
  /** 0 = unlimited. */
  readonly maxqueue: number;
  /** `slowstart` in ms; 0 = off. */
  readonly slowstart: number;
  readonly observe: 'layer4' | 'layer7' | null;
  /** `error-limit`, default 10. */
  readonly errorLimit: number;
  /** `on-error`, default 'fail-check'. */
  readonly onError: OnError;
  readonly onMarkedDown: 'shutdown-sessions' | null;
  readonly onMarkedUp: 'shutdown-backup-sessions' | null;
  /** PROXY protocol header sent first on each connection to the server: 0 none, 1 `send-proxy`, 2 `send-proxy-v2` (v2 wins when both are set, as in HAProxy). */
  readonly sendProxy: 0 | 1 | 2;
  /** `proto h2`: HTTP/2 to this server (streams multiplexed over shared connections); h1 by default. */
  readonly proto?: 'h1' | 'h2';
  /** Health checks send a PROXY header: `check-send-proxy`, or `send-proxy(-v2)` without check `port`/`addr` (HAProxy's rule). */
  readonly checkSendProxy: boolean;
  /** `init-addr` methods in order, default ['last', 'libc']. IP literals are kept as strings. */
  readonly initAddr: readonly string[];
  /** `cookie <value>`: this server's value of the backend's persistence cookie (null or absent: none). */
  readonly cookie?: string | null;
  /** `ssl` and its options: connections to this server use TLS; absent (or null) for plain TCP. */
  readonly ssl?: ServerSslConfig | null;
}

/** `server … ssl [verify none|required] [ca-file f] [verifyhost h] [sni <expr>] [alpn …] [crt f] [check-ssl] [check-sni n] …`. */
export interface ServerSslConfig {
  /** `verify required` checks the server's certificate against `caFile` (HAProxy's default, global `ssl-server-verify`). */
  readonly verify: 'none' | 'required';
  readonly caFile: { readonly path: string; readonly pem: string } | null;
  /** `verifyhost`: the name the certificate must carry (else the SNI sent, when verifying). */
  readonly verifyHost: string | null;
  /** `sni <expr>`: the server name sent, evaluated per connection on the request (HTTP) or connection (TCP); null: none. */
  readonly sni: Formatter | null;
  readonly alpn: readonly string[];
  /** `crt`: a client certificate for the server. */
  readonly crt: { readonly file: string; readonly certPem: string; readonly keyPem: string } | null;
  readonly minVersion: 'TLSv1' | 'TLSv1.1' | 'TLSv1.2' | 'TLSv1.3';
  readonly maxVersion: 'TLSv1' | 'TLSv1.1' | 'TLSv1.2' | 'TLSv1.3';
  readonly ciphers: string | null;
  /** TLS session resumption towards the server (`no-ssl-reuse` turns it off). */
  readonly reuse: boolean;
  /** Health checks over TLS too (`check-ssl`; implied by `ssl` unless a check `port` is set, as in HAProxy), with `check-sni`. */
  readonly checkSsl: boolean;
  readonly checkSni: string | null;
}

export interface BackendConfig {
  readonly name: string;
  readonly id: number;
  readonly where: SourceRef;
  readonly mode: ProxyMode;
  readonly balance: BalanceConfig;
  readonly timeouts: Timeouts;
  /** `retries`, default 3. */
  readonly retries: number;
  readonly redispatch: boolean;
  readonly healthCheck: HealthCheckConfig;
  readonly servers: readonly ServerConfig[];
  /** True when this backend came from a `listen` section. */
  readonly fromListen: boolean;
  /** `disabled`: the backend starts stopped (the parser always sets it; optional only for older callers). */
  readonly disabled?: boolean;
  /** `description <text>`, when set. */
  readonly description?: string;
  /** HTTP settings of the backend side (the parser always sets it; optional only for older callers). */
  readonly http?: BackendHttpConfig;
}

/** The whole configuration, frozen. Frontends and backends are in file order. */
export interface Config {
  readonly files: readonly string[];
  readonly global: GlobalConfig;
  readonly frontends: readonly FrontendConfig[];
  readonly backends: readonly BackendConfig[];
  /** `userlist` sections (the parser always sets it; optional only for older callers). */
  readonly userlists?: readonly UserlistConfig[];
  /** Warnings that did not stop loading (ignored `daemon`, `nbthread` …). */
  readonly warnings: readonly ConfigDiagnostic[];
}
