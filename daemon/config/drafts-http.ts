/**
 * Drafts of the HTTP settings of a proxy section, filled by the keyword parsers. What a `defaults`
 * section may set is plain data here (it is deep-copied into the proxies that inherit it); rules and
 * conditions, which lbd only accepts in frontend/backend/listen sections, hold parsed ASTs and
 * formatters, and are compiled into the model in build-http.ts.
 */
import type { CookieConfig, ErrorFileConfig, HttpConnectionMode, HttpRequestAction, HttpResponseAction, LogTarget, RetryOn, SourceRef } from './types.js';
import type { FormatNode } from '../http/acl/types.js';
import type { ParsedCondition } from '../http/acl/condition.js';
import type { UserPassword } from '../http/acl/auth.js';

/** An action with its condition, before the condition is compiled. */
export interface RuleDraft<A> {
  readonly action: A;
  readonly cond: ParsedCondition | null;
  readonly where: SourceRef;
}

/** `use_backend` before its condition is compiled. */
export interface UseBackendDraft {
  readonly backend: string;
  readonly cond: ParsedCondition | null;
  readonly where: SourceRef;
}

/** `option forwardfor` as written (the `except` matcher is built later). */
export interface ForwardForDraft {
  header: string;
  except: string | null;
  ifNone: boolean;
  where: SourceRef;
}

/** The HTTP part of a proxy draft. */
export interface HttpDraft {
  requestRules: RuleDraft<HttpRequestAction>[];
  responseRules: RuleDraft<HttpResponseAction>[];
  /** The first `use_backend` line, for the "rule placed after" warning. */
  firstUseBackend: SourceRef | null;
  monitorUri?: { uri: string; where: SourceRef };
  /** null after `no option forwardfor`. */
  forwardFor?: ForwardForDraft | null;
  connectionMode?: { mode: HttpConnectionMode; where: SourceRef };
  errorFiles: ErrorFileConfig[];
  cookie?: CookieConfig | null;
  retryOn?: RetryOn[];
  httpReuse?: 'never' | 'safe' | 'aggressive' | 'always';
  logTargets: LogTarget[];
  logStyle?: { style: 'tcplog' | 'httplog' | 'httplog-clf' | 'custom'; where: SourceRef };
  logFormat?: { text: string; nodes: FormatNode[] };
  dontlognull?: boolean;
}

/** An empty HTTP draft. */
export function emptyHttpDraft(): HttpDraft {
  return { requestRules: [], responseRules: [], firstUseBackend: null, errorFiles: [], logTargets: [] };
}

/** A `userlist` section being read. */
export interface UserlistDraft {
  readonly name: string;
  readonly where: SourceRef;
  readonly users: { name: string; password: UserPassword; groups: string[]; where: SourceRef }[];
  readonly groups: { name: string; users: string[]; where: SourceRef }[];
}
