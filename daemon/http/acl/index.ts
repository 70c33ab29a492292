/**
 * The pure side of HTTP routing and rules, for the HTTP engine: it implements RequestView over a parsed
 * request, then calls what the configuration compiled at load:
 * - `selectBackend(frontend, view)` for `use_backend`/`default_backend` (`staticBackend` when it never varies,
 *   `connectionView` for layer-4 conditions of `mode tcp` frontends);
 * - `evaluate(rule.cond, view)` for `http-request`/`http-response` rules;
 * - `value.format(view)` for rule values (`set-header X %[src]`), `action.replacer(value, view)` for replace-*;
 * - `httpHashKey(backend.balance.key, view)` for `balance uri|url_param|hdr`.
 */
export type { ContentSample, RequestView, ResponseView } from './view.js';
export type { Acl, AclTest, Condition, ConditionTerm, Formatter, FormatNode, MatchMethod, SampleExpr, SampleValue } from './types.js';
export { splitTarget } from './view.js';
export { evaluate, evaluatePartial, compileCondition } from './compile.js';
export { selectBackend, staticBackend, connectionView } from './route.js';
export { forwardForOf, connectionModeOf, type ForwardFor } from './effective.js';
export { httpHashKey, uriKey, urlParamKey, hdrKey, type UriHashOptions } from './balance-key.js';
export { compileFormatter, parseLogFormat, LOG_VARS, VALUE_VAR_NAMES } from './format.js';
export { basicCredentials, type UserlistAuth } from './auth.js';
export { expandBackrefs, type Replacer } from './replace.js';
export { plainAddress } from './ip.js';
export { FETCHES } from './fetches.js';
