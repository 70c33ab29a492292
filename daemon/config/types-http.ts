/**
 * The HTTP part of the configuration model: `http-request`/`http-response` rules, `option forwardfor`,
 * connection modes, `errorfile`, `cookie` persistence, `retry-on`, `http-reuse`, logging and userlists.
 * Conditions and values are compiled at load (`cond.test(view)`, `value.format(view)`, see
 * daemon/http/acl); the rest is plain data with every default resolved.
 */
import type { SourceRef } from './types.js';
import type { Condition, FormatNode, Formatter } from '../http/acl/types.js';
import type { Replacer } from '../http/acl/replace.js';
import type { UserlistAuth, UserPassword } from '../http/acl/auth.js';

/** A full HTTP response read from a file at load (`errorfile`, `http-request return errorfile`). */
export interface HttpResponseFile {
  readonly path: string;
  /** The file's bytes as latin1 text, to send as they are. */
  readonly raw: string;
  /** The parsed head and body; null for an empty file (HAProxy then sends nothing and closes). */
  readonly parsed: { readonly status: number; readonly reason: string; readonly headers: readonly (readonly [string, string])[]; readonly body: string } | null;
}

/** `errorfile <code> <file>`. */
export interface ErrorFileConfig extends HttpResponseFile {
  readonly status: number;
  readonly where: SourceRef;
}

/** The response of `return`, `deny` (and their `hdr` lines). */
export interface ReturnResponse {
  readonly status: number;
  readonly contentType: string | null;
  readonly body:
    | { readonly kind: 'none' }
    | { readonly kind: 'default-errorfiles' }
    | { readonly kind: 'errorfile'; readonly file: HttpResponseFile }
    | { readonly kind: 'file'; readonly path: string; readonly content: string }
    | { readonly kind: 'string'; readonly text: string }
    | { readonly kind: 'lf-string'; readonly value: Formatter }
    | { readonly kind: 'lf-file'; readonly path: string; readonly value: Formatter };
  /** `hdr <name> <fmt>` lines (ignored by HAProxy with an errorfile body). */
  readonly headers: readonly { readonly name: string; readonly value: Formatter }[];
}

/** `redirect location|prefix|scheme <value> [code <n>] [options]`. */
export interface RedirectRule {
  readonly kind: 'location' | 'prefix' | 'scheme';
  readonly value: Formatter;
  /** 301, 302 (default), 303, 307 or 308. */
  readonly code: number;
  readonly dropQuery: boolean;
  readonly appendSlash: boolean;
  readonly ignoreEmpty: boolean;
  /** `set-cookie NAME[=value]` / `clear-cookie NAME[=]`, as written. */
  readonly setCookie: string | null;
  readonly clearCookie: string | null;
}

/** `del-header <name> [-m str|beg|end|sub|reg]`: `matches` tests a header name (case-insensitive except for reg). */
export interface DelHeader {
  readonly type: 'del-header';
  readonly name: string;
  readonly method: 'str' | 'beg' | 'end' | 'sub' | 'reg';
  readonly matches: (headerName: string) => boolean;
}

/** `replace-header|replace-value <name> <regex> <fmt>` and `replace-path|replace-pathq|replace-uri <regex> <fmt>`. */
export interface ReplaceAction {
  readonly type: 'replace-header' | 'replace-value' | 'replace-path' | 'replace-pathq' | 'replace-uri';
  /** The header name (lower case) for replace-header/replace-value, '' otherwise. */
  readonly name: string;
  readonly regex: string;
  readonly replace: Formatter;
  /** value → new value, or null when the regex does not match. */
  readonly replacer: Replacer;
}

/** Actions of `http-request` rules. */
export type HttpRequestAction =
  | { readonly type: 'allow' }
  | { readonly type: 'reject' }
  | { readonly type: 'deny'; readonly response: ReturnResponse }
  | { readonly type: 'return'; readonly response: ReturnResponse }
  | { readonly type: 'auth'; readonly realm: string | null }
  | { readonly type: 'redirect'; readonly redirect: RedirectRule }
  | { readonly type: 'set-header' | 'add-header'; readonly name: string; readonly value: Formatter }
  | { readonly type: 'set-path' | 'set-pathq' | 'set-query' | 'set-uri' | 'set-method'; readonly value: Formatter }
  | DelHeader
  | ReplaceAction;

/** Actions of `http-response` rules. */
export type HttpResponseAction =
  | { readonly type: 'allow' }
  | { readonly type: 'deny'; readonly response: ReturnResponse }
  | { readonly type: 'return'; readonly response: ReturnResponse }
  | { readonly type: 'redirect'; readonly redirect: RedirectRule }
  | { readonly type: 'set-header' | 'add-header'; readonly name: string; readonly value: Formatter }
  | { readonly type: 'set-status'; readonly status: number; readonly reason: string | null }
  | DelHeader
  | ReplaceAction;

/** One rule: an action and its optional condition (`cond.test(view)` already applies `unless`). */
export interface HttpRule<A> {
  readonly action: A;
  readonly cond: Condition | null;
  readonly where: SourceRef;
}

/** `option forwardfor [except <network>] [header <name>] [if-none]`. */
export interface ForwardForConfig {
  /** Header name, default `X-Forwarded-For`. */
  readonly header: string;
  /** The network as written, or null. */
  readonly except: string | null;
  /** True when a client address is inside `except` (always false without one). */
  readonly excepted: (addr: string) => boolean;
  readonly ifNone: boolean;
  readonly where: SourceRef;
}

/** `option http-keep-alive` (HAProxy's default), `option http-server-close`, `option httpclose`. */
export type HttpConnectionMode = 'keep-alive' | 'server-close' | 'close';

/** `cookie <name> …`: cookie-based persistence of a backend; servers carry their value in `ServerConfig.cookie`. */
export interface CookieConfig {
  readonly name: string;
  /** `insert`, `rewrite`, `prefix`, or `passive` when none is given (only read the cookie the server sets). */
  readonly mode: 'insert' | 'rewrite' | 'prefix' | 'passive';
  readonly indirect: boolean;
  readonly nocache: boolean;
  readonly postonly: boolean;
  readonly preserve: boolean;
  readonly httponly: boolean;
  readonly secure: boolean;
  readonly domains: readonly string[];
  /** Seconds; 0 = not set. */
  readonly maxidle: number;
  readonly maxlife: number;
  /** `attr <value>` attributes added to inserted cookies. */
  readonly attrs: readonly string[];
  readonly where: SourceRef;
}

/** `retry-on` keywords (HTTP status codes are numbers). */
export type RetryOn = 'none' | 'conn-failure' | 'empty-response' | 'junk-response' | 'response-timeout' | '0rtt-rejected' | 401 | 403 | 404 | 408 | 425 | 500 | 501 | 502 | 503 | 504;

/** `log … format <name>`. */
export type LogFormatName = 'local' | 'rfc3164' | 'rfc5424' | 'priority' | 'short' | 'timed' | 'iso' | 'raw';
/** Syslog levels, most severe first. */
export type LogLevel = 'emerg' | 'alert' | 'crit' | 'err' | 'warning' | 'notice' | 'info' | 'debug';

/** A `log` line: `log global`, or `log <address> [len <n>] [format <f>] [sample <r>:<s>] <facility> [<level> [<minlevel>]]`. */
export type LogTarget =
  | { readonly kind: 'global'; readonly where: SourceRef }
  | {
      readonly kind: 'target';
      /** stdout/stderr (fd@1, fd@2), fd@N, a UNIX socket path, UDP (host:port, port 514 by default), TCP, or a ring. */
      readonly transport: 'stdout' | 'stderr' | 'fd' | 'unix' | 'udp' | 'tcp' | 'ring';
      /** The address as written. */
      readonly address: string;
      /** UDP/TCP host and port, a UNIX path, a ring name, or the fd number as text. */
      readonly host: string;
      readonly port: number | null;
      readonly len: number;
      readonly format: LogFormatName;
      readonly sample: string | null;
      readonly facility: string;
      readonly level: LogLevel | null;
      readonly minLevel: LogLevel | null;
      readonly where: SourceRef;
    };

/** How a frontend logs traffic. */
export interface ProxyLogConfig {
  readonly targets: readonly LogTarget[];
  /** `option tcplog`, `option httplog [clf]`, `log-format` (the last one wins, as in HAProxy); null = HAProxy's default. */
  readonly style: 'tcplog' | 'httplog' | 'httplog-clf' | 'custom' | null;
  /** The parsed `log-format` string for style 'custom'. */
  readonly format: { readonly text: string; readonly nodes: readonly FormatNode[] } | null;
  readonly dontlognull: boolean;
}

/** Frontend side of HTTP: rules before routing, monitor-uri, headers added, error pages, logs. */
export interface FrontendHttpConfig {
  readonly requestRules: readonly HttpRule<HttpRequestAction>[];
  readonly responseRules: readonly HttpRule<HttpResponseAction>[];
  /** `monitor-uri <uri>`: answered 200 by lbd itself (matched against the path when it starts with `/`). */
  readonly monitorUri: string | null;
  readonly forwardFor: ForwardForConfig | null;
  readonly connectionMode: HttpConnectionMode;
  readonly errorFiles: readonly ErrorFileConfig[];
  readonly log: ProxyLogConfig;
}

/** Backend side of HTTP: its own rules, persistence, retries, connection reuse, error pages. */
export interface BackendHttpConfig {
  readonly requestRules: readonly HttpRule<HttpRequestAction>[];
  readonly responseRules: readonly HttpRule<HttpResponseAction>[];
  readonly forwardFor: ForwardForConfig | null;
  readonly connectionMode: HttpConnectionMode;
  readonly errorFiles: readonly ErrorFileConfig[];
  readonly cookie: CookieConfig | null;
  /** Default ['conn-failure']. */
  readonly retryOn: readonly RetryOn[];
  /** Default 'safe'. */
  readonly httpReuse: 'never' | 'safe' | 'aggressive' | 'always';
  readonly logTargets: readonly LogTarget[];
}

/** `userlist <name>`: users and groups for `http_auth(<name>)` / `http_auth_group(<name>)`. */
export interface UserlistConfig {
  readonly name: string;
  readonly users: readonly { readonly name: string; readonly password: UserPassword; readonly groups: readonly string[]; readonly where: SourceRef }[];
  readonly groups: readonly { readonly name: string; readonly users: readonly string[]; readonly where: SourceRef }[];
  readonly where: SourceRef;
  /** Checks a user's password and lists their groups. */
  readonly auth: UserlistAuth;
}
